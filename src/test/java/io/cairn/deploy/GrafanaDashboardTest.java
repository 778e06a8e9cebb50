package io.cairn.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The Grafana dashboard: its shape, that it covers what operators need, that every query is valid PromQL (promtool
 * parses each one, written as a recording rule) and that serving queries use the serving metrics' real names and
 * labels. That the other metrics exist is checked against a live scrape in {@code PrometheusScrapeIT}.
 */
class GrafanaDashboardTest {

    private final GrafanaDashboard dashboard = GrafanaDashboard.read();

    @Test
    void everyPanelHasAUniqueIdAPlaceAndTheDatasourceVariable() {
        Set<Integer> ids = new HashSet<>();
        for (JsonNode panel : dashboard.panels()) {
            assertThat(ids.add(panel.path("id").asInt())).as("unique id " + panel.path("id")).isTrue();
            assertThat(panel.path("gridPos").path("w").asInt()).isBetween(1, 24);
            assertThat(panel.path("title").asString()).isNotBlank();
            if (!panel.path("type").asString().equals("row")) {
                assertThat(panel.path("datasource").path("uid").asString()).isEqualTo("${datasource}");
                assertThat(panel.path("targets")).as(panel.path("title").asString()).isNotEmpty();
            }
        }
        assertThat(dashboard.json().path("uid").asString()).isEqualTo("cairn-overview");
        JsonNode datasource = dashboard.json().path("templating").path("list").get(0);
        assertThat(datasource.path("type").asString()).isEqualTo("datasource");
        assertThat(datasource.path("query").asString()).isEqualTo("prometheus");
    }

    @Test
    void everyVariableAQueryUsesIsDefined() {
        Set<String> defined = new HashSet<>(Set.of("__rate_interval", "__range", "__interval"));
        dashboard.json().path("templating").path("list").forEach(v -> defined.add(v.path("name").asString()));
        Pattern variable = Pattern.compile("\\$\\{?([a-zA-Z_]+)");
        for (String expr : dashboard.expressions()) {
            Matcher m = variable.matcher(expr);
            while (m.find()) {
                assertThat(defined).as(expr).contains(m.group(1));
            }
            assertThat(GrafanaDashboard.concrete(expr)).doesNotContain("$");
        }
    }

    @Test
    void coversRequestsErrorsLatencyTrackingOnlineStoreAndServing() {
        String all = String.join("\n", dashboard.expressions());
        assertThat(all).contains("sum by (uri) (rate(http_server_requests_seconds_count{")
                .contains("sum by (uri, status) (rate(http_server_requests_seconds_count{")
                .contains("status=~\"5..\"")
                .contains("histogram_quantile(0.99, sum by (le) (rate(http_server_requests_seconds_bucket{")
                .contains("uri=\"/get-online-features\"")
                .contains("log-batch|log-metric");
        for (String metric : GrafanaDashboard.SERVING_METRICS.keySet()) {
            assertThat(all).as(metric).contains(metric + "{");
        }
        assertThat(all).contains("cairn_inference_latency_seconds_bucket{").contains("sum by (le, stage)");
    }

    @Test
    void servingQueriesUseOnlyTheLabelsServingPublishes() {
        for (String expr : dashboard.expressions()) {
            Set<String> metrics = GrafanaDashboard.metrics(expr);
            assertThat(metrics).as("every query selects a metric by name: " + expr).isNotEmpty();
            for (String metric : metrics) {
                Set<String> published = GrafanaDashboard.SERVING_METRICS.get(metric);
                if (published != null) {
                    Set<String> allowed = new HashSet<>(published);
                    allowed.addAll(GrafanaDashboard.COMMON_LABELS);
                    assertThat(allowed).as(expr).containsAll(GrafanaDashboard.labels(expr));
                }
            }
        }
    }

    @Test
    void promtoolParsesEveryQuery(@TempDir Path dir) throws Exception {
        Optional<Path> promtool = Tools.onPath("promtool");
        assumeTrue(promtool.isPresent(), "promtool is not installed (apt-get install prometheus)");
        List<Map<String, Object>> rules = new ArrayList<>();
        for (String expr : dashboard.expressions()) {
            Map<String, Object> rule = new LinkedHashMap<>();
            rule.put("record", "cairn_dashboard:query_" + rules.size());
            rule.put("expr", GrafanaDashboard.concrete(expr));
            rules.add(rule);
        }
        Path file = dir.resolve("dashboard-queries.yml");
        Files.writeString(file, Tools.yaml().dump(Map.of("groups", List.of(Map.of("name", "dashboard",
                "rules", rules)))));
        Tools.Result check = Tools.run(promtool.get().toString(), "check", "rules", file.toString());
        assertThat(check.exitCode()).as(check.output()).isZero();
        assertThat(check.output()).contains("SUCCESS: " + rules.size() + " rules found");
    }
}
