package io.cairn.features;

import io.cairn.features.TrainingSetPlanner.Layout;
import io.cairn.features.TrainingSetPlanner.OutputSource;
import io.cairn.features.TrainingSets.Format;
import io.cairn.features.TrainingSets.Sink;
import io.cairn.features.store.PointInTimeQuery;
import io.cairn.features.store.PointInTimeQuery.Output;
import io.cairn.features.store.PointInTimeQuery.ViewPart;
import io.cairn.features.store.ProbeBackend;
import io.cairn.features.store.TrainingSetStore;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * A training set's join split across the request's backend and a second one that shares its snapshot: the view parts
 * alternate between them, each backend probes its parts and sorts its result into entity-row order, and the rows are
 * zipped by {@code row_id} (checked on every row) into the output. The request's backend also carries the entity
 * columns. Both statements run at once: the second on a thread of {@link #probeThreads}, the first on the request's.
 */
@Component
class TwoBackendJoin implements DisposableBean {

    private final TrainingSetStore store;
    private final TrainingSetOutput output;
    private final FeatureStoreProperties properties;
    /** Runs the second backend's statement beside the request's own; a thread per concurrent training set. */
    private final ExecutorService probeThreads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "training-set-probes");
        t.setDaemon(true);
        return t;
    });

    TwoBackendJoin(TrainingSetStore store, TrainingSetOutput output, FeatureStoreProperties properties) {
        this.store = store;
        this.output = output;
        this.properties = properties;
    }

    @Override
    public void destroy() {
        probeThreads.shutdownNow();
    }

    void render(ProbeBackend second, Layout layout, Format format, Sink sink) {
        List<ViewPart> parts = layout.parts();
        List<OutputSource> sources = layout.sources();
        List<TrainingSetColumn> columns = layout.columns();
        List<List<ViewPart>> groupParts = List.of(new ArrayList<>(), new ArrayList<>());
        int[] groupOf = new int[parts.size()];
        int[] localIndex = new int[parts.size()];
        for (int p = 0; p < parts.size(); p++) {
            groupOf[p] = p % 2;
            localIndex[p] = groupParts.get(p % 2).size();
            groupParts.get(p % 2).add(parts.get(p));
        }
        List<List<Output>> groupOutputs = List.of(new ArrayList<>(), new ArrayList<>());
        int[] source = new int[columns.size()];
        int[] index = new int[columns.size()];
        for (int i = 0; i < columns.size(); i++) {
            OutputSource src = sources.get(i);
            int group = src.part() < 0 ? 0 : groupOf[src.part()];
            groupOutputs.get(group).add(src.output(src.part() < 0 ? -1 : localIndex[src.part()]));
            source[i] = group;
            index[i] = groupOutputs.get(group).size();
        }
        for (List<Output> outs : groupOutputs) {
            outs.add(PointInTimeQuery.entityColumn("row_id"));
        }
        int rowIdA = groupOutputs.get(0).size();
        int rowIdB = groupOutputs.get(1).size();
        String sqlA = PointInTimeQuery.sql(groupParts.get(0), TrainingSetPlanner.aliased(groupOutputs.get(0)));
        String sqlB = PointInTimeQuery.sql(groupParts.get(1), TrainingSetPlanner.aliased(groupOutputs.get(1)));

        second.prepare(properties.trainingWorkMem());
        CompletableFuture<ResultSet> startedB = CompletableFuture.supplyAsync(() -> second.query(sqlB), probeThreads);
        ResultSet[] b = {null};
        TrainingSetWriter[] writer = {null};
        store.stream(sqlA, a -> {
            if (b[0] == null) {
                b[0] = await(startedB);
                writer[0] = output.open(sink, format, 200, Map.of(), columns);
                writer[0].layout(source, index);
            }
            if (!b[0].next() || a.getLong(rowIdA) != b[0].getLong(rowIdB)) {
                throw new IllegalStateException("the two backends' results of a training set do not line up");
            }
            writer[0].row(a, b[0]);
        });
        if (b[0] == null) {
            b[0] = await(startedB);
            writer[0] = output.open(sink, format, 200, Map.of(), columns);
        }
        try {
            if (b[0].next()) {
                throw new IllegalStateException("the second backend returned more training-set rows than the first");
            }
        } catch (SQLException e) {
            throw new IllegalStateException("reading the second backend's rows failed", e);
        }
        writer[0].finish();
    }

    /** The second backend's result set once its statement is in; its failure as the request's failure. */
    private static ResultSet await(CompletableFuture<ResultSet> started) {
        try {
            return started.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }
}
