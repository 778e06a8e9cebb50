package io.cairn.tracking;

import io.cairn.platform.error.CairnException;
import io.cairn.platform.search.OrderBy;
import io.cairn.platform.search.Page;
import io.cairn.platform.search.PageToken;
import io.cairn.platform.search.SearchSyntax;
import io.cairn.tracking.store.RunDataStore;
import io.cairn.tracking.store.RunStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The reads a person browsing runs makes, shaped for a table and a chart rather than for MLflow's protocol: a page
 * of runs with only the chosen columns read, the keys there are to choose from, and one metric's history as arrays.
 */
@Service
public class RunBrowsing {

    /** Runs whose keys are offered as columns: the newest this many of the experiment. */
    public static final int KEY_SAMPLE_RUNS = 200;

    private final RunStore runs;
    private final RunDataStore data;
    private final ExperimentService experiments;

    public RunBrowsing(RunStore runs, RunDataStore data, ExperimentService experiments) {
        this.runs = runs;
        this.data = data;
        this.experiments = experiments;
    }

    /** The metric, param and tag keys a table shows as columns, in the order given. */
    public record Columns(List<String> metrics, List<String> params, List<String> tags) {

        public static final Columns NONE = new Columns(List.of(), List.of(), List.of());

        public boolean isEmpty() {
            return metrics.isEmpty() && params.isEmpty() && tags.isEmpty();
        }
    }

    /** One run of a table: its info and the values of the chosen columns it has. */
    public record Row(RunInfo info, Map<String, Metric> metrics, Map<String, String> params, Map<String, String> tags) {
    }

    /** A metric's points: step, value and timestamp at the same index, in step order. */
    public record Series(String key, long[] steps, double[] values, long[] timestamps) {

        public int size() {
            return steps.length;
        }
    }

    /**
     * One page of the experiment's runs that match the MLflow filter, in the given order, each with only the chosen
     * columns' values. Bad filters and orders throw the same {@link CairnException} as MLflow's search.
     */
    @Transactional(readOnly = true)
    public Page<Row> table(String experimentId, String filter, List<String> orderBy, ViewType view, int pageSize,
                           int offset, Columns columns) {
        Experiment experiment = experiments.get(experimentId);
        List<OrderBy> order = orderBy.stream().map(SearchSyntax::parseOrderBy).toList();
        List<String> found = runs.search(List.of(Long.parseLong(experiment.experimentId())),
                SearchSyntax.parseFilter(filter), order, view, pageSize, offset);
        boolean more = found.size() > pageSize;
        List<String> ids = more ? found.subList(0, pageSize) : found;
        Map<String, RunInfo> infos = new LinkedHashMap<>();
        for (RunInfo info : runs.findAll(ids)) {
            infos.put(info.runId(), info);
        }
        Map<String, RunDataStore.RunData> values = data.loadColumns(ids, columns.metrics(), columns.params(),
                columns.tags());
        List<Row> rows = new ArrayList<>(ids.size());
        for (String id : ids) {
            RunDataStore.RunData d = values.get(id);
            Map<String, Metric> metrics = new LinkedHashMap<>();
            d.metrics().forEach(m -> metrics.put(m.key(), m));
            rows.add(new Row(infos.get(id), metrics, d.params(), d.tags()));
        }
        return new Page<>(rows, PageToken.next(offset, ids.size(), more));
    }

    /** The keys logged to the experiment's newest {@link #KEY_SAMPLE_RUNS} runs: what a table offers as columns. */
    @Transactional(readOnly = true)
    public Columns keys(String experimentId) {
        Experiment experiment = experiments.get(experimentId);
        RunDataStore.RunKeys keys = data.keysOfRecentRuns(Long.parseLong(experiment.experimentId()), KEY_SAMPLE_RUNS);
        return new Columns(keys.metrics(), keys.params(), keys.tags());
    }

    /** Active runs per experiment id (0 for those with none). */
    @Transactional(readOnly = true)
    public Map<String, Long> runCounts(List<String> experimentIds) {
        Map<Long, Long> counts = runs.countActive(experimentIds.stream().map(Long::parseLong).toList());
        Map<String, Long> out = new LinkedHashMap<>();
        for (String id : experimentIds) {
            out.put(id, counts.getOrDefault(Long.parseLong(id), 0L));
        }
        return out;
    }

    /**
     * Active runs that logged a dataset of this source type whose source URI is {@code uri} (a saved training set:
     * type {@code cairn_training_set}, URI {@code cairn:/api/v1/training-sets/<id>}), newest first.
     */
    @Transactional(readOnly = true)
    public List<RunInfo> runsUsingDataset(String sourceType, String uri, int limit) {
        return runs.findAll(data.runsWithDatasetUri(sourceType, uri, limit));
    }

    /** A run's history of one metric between two steps (inclusive; null for open). */
    @Transactional(readOnly = true)
    public Series series(String runId, String key, Long fromStep, Long toStep) {
        if (key == null || key.isEmpty()) {
            throw CairnException.invalid("Missing value for required parameter 'key': name the metric.");
        }
        RunDataStore.Series s = data.series(runId, key, fromStep, toStep);
        return new Series(key, s.steps(), s.values(), s.timestamps());
    }
}
