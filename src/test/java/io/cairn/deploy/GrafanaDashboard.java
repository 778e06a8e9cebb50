package io.cairn.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Grafana dashboard (one copy, in the Helm chart; docker-compose mounts the same directory) and the PromQL in it.
 */
record GrafanaDashboard(JsonNode json) {

    static final Path FILE = Path.of("helm/cairn/dashboards/cairn.json");

    /**
     * The metrics of deployments and their labels, as serving and monitoring publish them (besides the common tags
     * {@code application}, and {@code instance}/{@code job} added by Prometheus). They exist once a deployment does.
     */
    static final Map<String, Set<String>> SERVING_METRICS = Map.of(
            "cairn_inference_requests_total", Set.of("deployment", "model_version", "outcome"),
            "cairn_inference_latency_seconds_bucket", Set.of("deployment", "model_version", "stage", "le"),
            "cairn_inference_batch_size_bucket", Set.of("deployment", "model_version", "le"),
            "cairn_model_loaded", Set.of("deployment", "alias", "model", "model_version", "device"),
            "cairn_prediction_log_dropped_total", Set.of("deployment"),
            "cairn_monitoring_quality", Set.of("deployment", "model_version", "metric"),
            "cairn_monitoring_label_coverage", Set.of("deployment", "model_version"),
            "cairn_monitoring_drift_share", Set.of("deployment", "model_version"),
            "cairn_monitoring_events_total", Set.of("deployment", "kind"));

    static final Set<String> COMMON_LABELS = Set.of("application", "instance", "job");

    /** Values for Grafana's variables that turn a panel query into plain PromQL. */
    private static final Map<String, String> VARIABLES = Map.of(
            "$__rate_interval", "1m", "$__range", "1h", "$__interval", "15s",
            "$instance", ".*", "$deployment", ".*");

    private static final Pattern SELECTOR = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)\\{");
    private static final Pattern LABEL_MATCHER = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)\\s*\"");
    private static final Pattern GROUPING = Pattern.compile("\\b(?:by|without)\\s*\\(([^)]*)\\)");

    static GrafanaDashboard read() {
        try {
            return new GrafanaDashboard(JsonMapper.builder().build().readTree(Files.readString(FILE)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every panel, rows included, in file order. */
    List<JsonNode> panels() {
        List<JsonNode> all = new ArrayList<>();
        for (JsonNode panel : json.path("panels")) {
            all.add(panel);
            panel.path("panels").forEach(all::add);
        }
        return all;
    }

    /** Every query as written in the dashboard (panel targets and query variables). */
    List<String> expressions() {
        List<String> exprs = new ArrayList<>();
        for (JsonNode panel : panels()) {
            for (JsonNode target : panel.path("targets")) {
                exprs.add(target.path("expr").asString());
            }
        }
        return exprs;
    }

    /** A query with Grafana's variables replaced, ready for Prometheus. */
    static String concrete(String expr) {
        String result = expr;
        for (Map.Entry<String, String> v : VARIABLES.entrySet()) {
            result = result.replace(v.getKey(), v.getValue());
        }
        if (result.contains("$")) {
            throw new IllegalArgumentException("unknown Grafana variable in " + expr);
        }
        return result;
    }

    /** Metric names a query selects (the dashboard always writes selectors with braces). */
    static Set<String> metrics(String expr) {
        Set<String> names = new LinkedHashSet<>();
        Matcher m = SELECTOR.matcher(expr);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    /** Label names a query matches on or groups by. */
    static Set<String> labels(String expr) {
        Set<String> names = new LinkedHashSet<>();
        Matcher matchers = LABEL_MATCHER.matcher(expr);
        while (matchers.find()) {
            names.add(matchers.group(1));
        }
        Matcher grouping = GROUPING.matcher(expr);
        while (grouping.find()) {
            for (String label : grouping.group(1).split(",")) {
                if (!label.isBlank()) {
                    names.add(label.strip());
                }
            }
        }
        return names;
    }

    /** Metric names used anywhere that are not serving metrics: the server must publish these today. */
    Set<String> nonServingMetrics() {
        Set<String> names = new LinkedHashSet<>();
        expressions().forEach(e -> names.addAll(metrics(e)));
        for (JsonNode variable : json.path("templating").path("list")) {
            if (variable.has("definition")) {
                names.addAll(metrics(variable.path("definition").asString()));
            }
        }
        names.removeAll(SERVING_METRICS.keySet());
        return names;
    }
}
