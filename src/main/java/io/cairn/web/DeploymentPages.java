package io.cairn.web;

import io.cairn.monitoring.Drift;
import io.cairn.monitoring.MonitoringHistory;
import io.cairn.monitoring.Performance;
import io.cairn.monitoring.QualityMetrics;
import io.cairn.monitoring.Skew;
import io.cairn.platform.error.CairnException;
import io.cairn.platform.security.Access;
import io.cairn.platform.security.Permission;
import io.cairn.platform.security.ResourceType;
import io.cairn.serving.DeploymentCatalog;
import io.cairn.serving.DeploymentView;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;

/** {@code /deployments}: what is served, live figures of this replica, and each deployment's monitoring. */
@Controller
@DashboardPage
class DeploymentPages {

    private static final int EVENTS_SHOWN = 50;

    private final DeploymentCatalog deployments;
    private final LiveMeters meters;
    private final Performance performance;
    private final Drift drift;
    private final Skew skew;
    private final MonitoringHistory history;
    private final Access access;
    private final Clock clock;

    DeploymentPages(DeploymentCatalog deployments, LiveMeters meters, Performance performance, Drift drift, Skew skew,
                    MonitoringHistory history, Access access, Clock clock) {
        this.deployments = deployments;
        this.meters = meters;
        this.performance = performance;
        this.drift = drift;
        this.skew = skew;
        this.history = history;
        this.access = access;
        this.clock = clock;
    }

    @GetMapping("/deployments")
    String list(Model model) {
        List<DeploymentView> visible = access.readable(ResourceType.DEPLOYMENT, deployments.list(),
                DeploymentView::name);
        Map<String, LiveMeters.Live> live = new LinkedHashMap<>();
        visible.forEach(d -> live.put(d.name(), meters.live(d.name())));
        model.addAttribute("list", new DeploymentList(visible, live));
        return "deployments";
    }

    @GetMapping("/deployments/{name}")
    String deployment(@PathVariable String name, @RequestParam(defaultValue = "24h") String range,
                      @RequestParam(required = false) String metric, @RequestParam(required = false) String segment,
                      Model model) {
        access.require(ResourceType.DEPLOYMENT, name, Permission.READ);
        DeploymentView deployment = deployments.get(name);
        Instant to = clock.instant();
        Instant from = to.minus(range(range));
        String error = null;
        List<String> metrics = List.of();
        Skew.Report skewReport = null;
        try {
            metrics = metricNames(performance.report(name, from, to, window(range), null, null));
            skewReport = skew.report(name, from, to);
        } catch (CairnException e) {
            error = e.getMessage();
        }
        String chosen = metric != null && metrics.contains(metric) ? metric : metrics.isEmpty() ? null : metrics.get(0);
        model.addAttribute("view", new DeploymentPageView(deployment, meters.live(name), range, from, to, metrics,
                chosen, segment == null ? "" : segment.strip(), history.drift(name, from, to), skewReport,
                history.events(name, EVENTS_SHOWN), error));
        return "deployment";
    }

    /** The quality chart's data: one metric per window, a line and band per version (and segment). */
    @GetMapping(path = "/deployments/{name}/quality", produces = MediaType.APPLICATION_JSON_VALUE)
    @ResponseBody
    QualityJson quality(@PathVariable String name, @RequestParam(defaultValue = "24h") String range,
                        @RequestParam(required = false) String metric,
                        @RequestParam(required = false) String segment) {
        access.require(ResourceType.DEPLOYMENT, name, Permission.READ);
        if (metric == null || metric.isBlank()) {
            throw CairnException.invalid("Name the quality metric to chart: metric=accuracy, mae, ...");
        }
        Instant to = clock.instant();
        Performance.Report report = performance.report(name, to.minus(range(range)), to, window(range), segment,
                null);
        TreeSet<Instant> starts = new TreeSet<>();
        Map<String, Map<Instant, QualityMetrics.Estimate>> byLine = new LinkedHashMap<>();
        for (Performance.Window w : report.windows()) {
            starts.add(w.start());
            QualityMetrics.Estimate e = w.metrics() == null ? null : w.metrics().get(metric);
            String label = "v" + w.version() + " @" + w.alias() + (w.segment() == null ? "" : " " + w.segment());
            Map<Instant, QualityMetrics.Estimate> line = byLine.computeIfAbsent(label, k -> new LinkedHashMap<>());
            if (e != null) {
                line.put(w.start(), e);
            }
        }
        List<Instant> xs = new ArrayList<>(starts);
        long[] x = xs.stream().mapToLong(Instant::getEpochSecond).toArray();
        List<QualityJson.Line> lines = new ArrayList<>();
        byLine.forEach((label, points) -> {
            Double[] value = new Double[x.length];
            Double[] low = new Double[x.length];
            Double[] high = new Double[x.length];
            for (int i = 0; i < xs.size(); i++) {
                QualityMetrics.Estimate e = points.get(xs.get(i));
                if (e != null && Double.isFinite(e.value())) {
                    value[i] = e.value();
                    low[i] = Double.isFinite(e.ci_low()) ? e.ci_low() : null;
                    high[i] = Double.isFinite(e.ci_high()) ? e.ci_high() : null;
                }
            }
            lines.add(new QualityJson.Line(label, value, low, high));
        });
        return new QualityJson(metric, x, lines);
    }

    /** The two histograms of one feature in one window (reference and live), swapped in below the heat map. */
    @GetMapping("/deployments/{name}/drift/histograms")
    String histograms(@PathVariable String name, @RequestParam(required = false) String feature,
                      @RequestParam(required = false) Instant from, @RequestParam(required = false) Instant to,
                      @RequestParam(required = false) Integer version, Model model) {
        access.require(ResourceType.DEPLOYMENT, name, Permission.READ);
        if (feature == null || from == null || to == null) {
            throw CairnException.invalid("Name the feature and the window: feature=..., from=... and to=... "
                    + "(ISO-8601 instants).");
        }
        Drift.Report report = drift.report(name, from, to, version);
        Drift.ColumnDrift column = report.features().stream().filter(c -> c.name().equals(feature)).findFirst()
                .or(() -> report.outputs().stream().filter(c -> c.name().equals(feature)).findFirst())
                .orElseThrow(() -> CairnException.notFound("Deployment '" + name + "' has no drift for '" + feature
                        + "' between " + from + " and " + to + "."));
        model.addAttribute("histograms", new DeploymentPageView.HistogramView(name, feature, from, to, column));
        return "drift-histograms";
    }

    private static List<String> metricNames(Performance.Report report) {
        TreeSet<String> names = new TreeSet<>();
        for (Performance.Window w : report.windows()) {
            if (w.metrics() != null) {
                names.addAll(w.metrics().keySet());
            }
        }
        return new ArrayList<>(names);
    }

    private static Duration range(String range) {
        return switch (range) {
            case "1h" -> Duration.ofHours(1);
            case "6h" -> Duration.ofHours(6);
            case "24h" -> Duration.ofHours(24);
            case "7d" -> Duration.ofDays(7);
            default -> throw CairnException.invalid("Range '" + Format.shorten(range, 20) + "' is not offered; choose "
                    + "one of " + DeploymentPageView.RANGES + ".");
        };
    }

    /** Windows of the quality chart: about 24 to 48 points whatever the range. */
    private static Duration window(String range) {
        return switch (range) {
            case "1h" -> Duration.ofMinutes(5);
            case "6h" -> Duration.ofMinutes(15);
            case "7d" -> Duration.ofHours(6);
            default -> Duration.ofHours(1);
        };
    }
}
