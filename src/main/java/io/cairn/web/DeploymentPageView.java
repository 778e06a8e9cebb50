package io.cairn.web;

import io.cairn.monitoring.Drift;
import io.cairn.monitoring.MonitoringHistory;
import io.cairn.monitoring.Skew;
import io.cairn.serving.DeploymentView;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One deployment: what it serves and what this replica has loaded, live figures, and its monitoring over the chosen
 * range: quality over time (charted from {@code qualityUrl}), drift per feature and window as a heat map, skew, and
 * the events monitoring raised (the canary guard's decisions among them).
 *
 * @param monitoringError why a monitoring view could not be read (e.g. the model version carries no monitoring
 *                        tags), else null
 */
public record DeploymentPageView(DeploymentView deployment, LiveMeters.Live live, String range, Instant from,
                                 Instant to, List<String> metrics, String metric, String segment,
                                 List<MonitoringHistory.DriftWindow> driftWindows, Skew.Report skew,
                                 List<MonitoringHistory.Event> events, String monitoringError) {

    public static final List<String> RANGES = List.of("1h", "6h", "24h", "7d");

    public String path() {
        return "/deployments/" + Format.segment(deployment.name());
    }

    public String qualityUrl() {
        return new Query(path() + "/quality").add("range", range).add("metric", metric).add("segment", segment)
                .toString();
    }

    /** The features of the heat map's rows: every feature any window judged, in first-seen order. */
    public List<String> driftFeatures() {
        Set<String> names = new LinkedHashSet<>();
        driftWindows.forEach(w -> w.features().forEach(f -> names.add(f.name())));
        return new ArrayList<>(names);
    }

    /** The verdict of one feature in one window, or null when that window did not judge it. */
    public MonitoringHistory.FeatureVerdict verdict(MonitoringHistory.DriftWindow window, String feature) {
        return window.features().stream().filter(f -> f.name().equals(feature)).findFirst().orElse(null);
    }

    /** A heat map cell's shade, 0 to 4, from the PSI (0.1 and 0.25 are the usual "some" and "major" lines). */
    public static int shade(MonitoringHistory.FeatureVerdict v) {
        if (v == null || v.psi() == null) {
            return v != null && Boolean.TRUE.equals(v.drifted()) ? 4 : 0;
        }
        double psi = v.psi();
        return psi < 0.05 ? 0 : psi < 0.1 ? 1 : psi < 0.25 ? 2 : psi < 0.5 ? 3 : 4;
    }

    public String histogramUrl(MonitoringHistory.DriftWindow window, String feature) {
        return new Query(path() + "/drift/histograms").add("feature", feature).add("from", window.start())
                .add("to", window.end()).add("version", window.version()).toString();
    }

    /** One column of drift, for the two histograms shown on click. */
    public record HistogramView(String deployment, String feature, Instant from, Instant to,
                                Drift.ColumnDrift column) {
    }
}
