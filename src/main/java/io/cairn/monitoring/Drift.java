package io.cairn.monitoring;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.cairn.features.SavedTrainingSet;
import io.cairn.monitoring.DriftStatistics.Histogram;
import io.cairn.monitoring.DriftStatistics.Statistics;
import io.cairn.monitoring.MonitoringSettings.DriftRule;
import io.cairn.monitoring.MonitoringSettings.Test;
import io.cairn.platform.error.CairnException;
import io.cairn.platform.error.ErrorCode;
import io.cairn.serving.DeploymentCatalog;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.stereotype.Service;

/**
 * Drift of a deployment's live inputs and answers against the training set ({@code GET .../drift}): the live side is
 * the merge of the range's {@link LiveSketches}, the reference the sketches of the training set named on the
 * deployment ({@link MonitoringSettings}) or else on the version's lineage ({@link ReferenceSets}). Each feature of
 * the version ({@code cairn.features}) is compared with its column of the set; each output column with the version's
 * own outputs on the set ({@link ReferenceSets#outputs}: the set scored once through the model loaded here); the
 * answer ({@code answer}: the class or value monitoring reads from the outputs) with the set's label column when the
 * version's {@code cairn.label} tag names one, else with the answers on the set. When the version is not loaded on
 * the replica that answers, outputs are shown (current histogram, nulls) but not judged.
 */
@Service
public class Drift {

    /** Which training set the report compares with, and how it was chosen ({@code deployment} or {@code lineage}). */
    public record ReferenceView(String training_set_id, String name, String digest, long rows, String chosen_by) {
    }

    /** One column's drift; statistics that do not apply to its kind, or without a reference, are absent. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ColumnDrift(String name, String kind, Double psi, Double ks_statistic, Double ks_p_value,
                              Double wasserstein, Double js_distance, Double chi2_p_value, double null_share,
                              Long reference_rows, long current_rows, String rule, Boolean drifted,
                              Histogram reference_histogram, Histogram current_histogram) {
    }

    /** The answer. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Report(String deployment, Instant from, Instant to, String version, ReferenceView reference,
                         long rows, boolean dataset_drifted, double share_drifted, List<ColumnDrift> features,
                         List<ColumnDrift> outputs) {
    }

    private final DeploymentCatalog deployments;
    private final LiveSketches sketches;
    private final ReferenceSets references;
    private final MonitoredVersions versions;
    private final MonitoringSettings settings;

    Drift(DeploymentCatalog deployments, LiveSketches sketches, ReferenceSets references, MonitoredVersions versions,
          MonitoringSettings settings) {
        this.deployments = deployments;
        this.sketches = sketches;
        this.references = references;
        this.versions = versions;
        this.settings = settings;
    }

    /** @param version null: the version that answered most rows in the range */
    public Report report(String deployment, Instant from, Instant to, Integer version) {
        DeploymentCatalog.Routing routing = deployments.routing(deployment).orElseThrow(() ->
                CairnException.notFound("Deployment '" + deployment + "' does not exist."));
        if (!from.isBefore(to)) {
            throw CairnException.invalid("'from' (" + from + ") must be before 'to' (" + to + ").");
        }
        MonitoringSettings.Settings configured = settings.get(deployment);
        int v = version != null ? version : sketches.versions(deployment, from, to).keySet().stream().findFirst()
                .orElseThrow(() -> CairnException.notFound("Deployment '" + deployment + "' logged no predictions "
                        + "between " + from + " and " + to + "."));
        String chosenBy = configured.reference_training_set() != null ? "deployment" : "lineage";
        Optional<ReferenceSets.Reference> reference = configured.reference_training_set() != null
                ? references.reference(configured.reference_training_set())
                : references.reference(routing.model(), v);
        if (reference.isEmpty()) {
            throw new CairnException(ErrorCode.CONFLICT, "Drift needs a reference: model " + routing.model()
                    + " version " + v + " has no saved training set on its lineage (log one to its run with POST "
                    + "/api/v1/training-sets/{id}/log-to-run) and the deployment names none (PUT /api/v1/deployments/"
                    + deployment + "/monitoring with reference_training_set).");
        }
        ReferenceSets.Reference ref = reference.get();
        LiveSketches.Merged live = sketches.read(deployment, v, from, to);
        DriftRule rule = configured.drift();
        MonitoredVersions.Monitored monitored = versions.of(routing.model(), v);

        List<ColumnDrift> features = new ArrayList<>();
        for (String feature : monitored.features()) {
            ColumnSketch current = live.columns().getOrDefault("input:" + feature, new ColumnSketch());
            features.add(judge(feature, ref.feature(feature), current, rule));
        }
        List<ColumnDrift> outputs = new ArrayList<>();
        Map<String, ColumnSketch> scored = references.outputs(ref, deployment, routing.model(), v, monitored)
                .orElse(Map.of());
        ColumnSketch answer = live.columns().get(LiveSketches.ANSWER);
        if (answer != null) {
            String label = monitored.label();
            outputs.add(judge(LiveSketches.ANSWER, label != null ? ref.columns().get(label)
                    : scored.get(LiveSketches.ANSWER), answer, rule));
        }
        for (Map.Entry<String, ColumnSketch> e : live.columns().entrySet()) {
            if (e.getKey().startsWith("output:")) {
                outputs.add(judge(e.getKey().substring("output:".length()), scored.get(e.getKey()), e.getValue(),
                        rule));
            }
        }
        long judged = features.stream().filter(f -> f.drifted() != null).count();
        long drifted = features.stream().filter(f -> Boolean.TRUE.equals(f.drifted())).count();
        double share = judged == 0 ? 0 : drifted / (double) judged;
        SavedTrainingSet set = ref.set();
        return new Report(deployment, from, to, Integer.toString(v),
                new ReferenceView(set.id(), set.name(), set.digest(), set.row_count(), chosenBy), live.rows(),
                judged > 0 && share >= rule.share(), share, features, outputs);
    }

    /** A column's statistics against its reference column (null: it has none), judged by the rule. */
    static ColumnDrift judge(String name, ColumnSketch reference, ColumnSketch current, DriftRule rule) {
        if (reference == null || reference.count() == reference.nulls()) {
            boolean text = current.textual();
            Histogram shown = text ? categoricalHistogram(current) : null;
            return new ColumnDrift(name, text ? "categorical" : "numeric", null, null, null, null, null, null,
                    nullShare(current), null, current.count() - current.nulls(), null, null, null, shown);
        }
        boolean categorical = reference.textual() || reference.integerCodes(Segments.MAX_CATEGORIES);
        Statistics s = categorical
                ? DriftStatistics.categorical(DriftStatistics.categoryCounts(reference),
                        DriftStatistics.categoryCounts(current), current)
                : DriftStatistics.numeric(reference, current);
        Test test = MonitoringSettings.effective(rule, s.kind(), s.referenceRows());
        Double value = switch (test.method()) {
            case "ks" -> s.ksPValue();
            case "chi2" -> s.chi2PValue();
            case "wasserstein" -> s.wasserstein();
            case "js" -> s.jsDistance();
            default -> s.psi();
        };
        boolean pValue = test.method().equals("ks") || test.method().equals("chi2");
        String field = switch (test.method()) {
            case "ks" -> "ks_p_value";
            case "chi2" -> "chi2_p_value";
            case "js" -> "js_distance";
            default -> test.method();
        };
        Boolean drifted = value == null ? null : pValue ? value < test.threshold() : value > test.threshold();
        return new ColumnDrift(name, s.kind(), s.psi(), s.ksStatistic(), s.ksPValue(), s.wasserstein(),
                s.jsDistance(), s.chi2PValue(), s.nullShare(), s.referenceRows(), s.currentRows(),
                field + (pValue ? " < " : " > ") + test.threshold(), drifted, s.reference(), s.current());
    }

    private static Histogram categoricalHistogram(ColumnSketch current) {
        Map<String, Long> counts = DriftStatistics.categoryCounts(current);
        return new Histogram(null, List.copyOf(counts.keySet()), List.copyOf(counts.values()));
    }

    private static double nullShare(ColumnSketch s) {
        return s.count() == 0 ? 0 : s.nulls() / (double) s.count();
    }
}
