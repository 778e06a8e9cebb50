package io.cairn.tracking;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.HttpJson;
import io.cairn.IntegrationTest;
import io.cairn.StatementCounter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

/** A page of search results costs the same number of SQL statements whether it holds 2 runs or 40 (no N+1). */
@IntegrationTest
class SearchQueryCountIT {

    @LocalServerPort
    int port;

    @Test
    void searchRunsCostsAFixedNumberOfStatementsPerPage() {
        HttpJson http = new HttpJson("http://127.0.0.1:" + port);
        String experimentId = http.post("/api/2.0/mlflow/experiments/create", Map.of("name", "n-plus-one-" + System.nanoTime()))
                .json().get("experiment_id").asString();
        for (int i = 0; i < 40; i++) {
            String runId = http.post("/api/2.0/mlflow/runs/create", Map.of("experiment_id", experimentId))
                    .json().at("/run/info/run_id").asString();
            http.post("/api/2.0/mlflow/runs/log-batch", Map.of("run_id", runId,
                    "metrics", List.of(Map.of("key", "acc", "value", i, "timestamp", 1)),
                    "params", List.of(Map.of("key", "p", "value", "v" + i))));
        }
        long small = statementsFor(http, experimentId, 2);
        long large = statementsFor(http, experimentId, 40);
        assertThat(large).isEqualTo(small);
        assertThat(large).isLessThanOrEqualTo(8);
    }

    private static long statementsFor(HttpJson http, String experimentId, int maxResults) {
        long before = StatementCounter.count();
        HttpJson.Response response = http.post("/api/2.0/mlflow/runs/search", Map.of("experiment_ids", List.of(experimentId),
                "filter", "metrics.acc >= 0", "order_by", List.of("metrics.acc DESC"), "max_results", maxResults));
        long used = StatementCounter.count() - before;
        assertThat(response.json().get("runs")).hasSize(maxResults);
        return used;
    }
}
