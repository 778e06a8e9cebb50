package io.cairn.platform.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.HttpJson;
import io.cairn.IntegrationTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Statistics follow fast writes: once the rows written since a table's last ANALYZE pass the mark, the table is
 * analysed in the background (PostgreSQL's own {@code analyze_count} goes up), and not before. The server's bean is
 * wired into the stores; here a second instance with a low mark watches the same real table, so the test needs a
 * few dozen rows rather than hundreds on a database other tests share.
 */
@IntegrationTest
class TableStatisticsIT {

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    TableStatistics serverStatistics;

    private long analyzeCount(String table) {
        // Statistics views are per-transaction snapshots by default; clear it so each read is fresh.
        jdbc.execute("SELECT pg_stat_clear_snapshot()");
        return jdbc.queryForObject("SELECT analyze_count + autoanalyze_count FROM pg_stat_user_tables "
                + "WHERE relname = ?", Long.class, table);
    }

    private void logTags(HttpJson http, int count) {
        String experiment = http.post("/api/2.0/mlflow/experiments/create",
                Map.of("name", "stats-" + System.nanoTime())).json().path("experiment_id").asString();
        String run = http.post("/api/2.0/mlflow/runs/create", Map.of("experiment_id", experiment))
                .json().path("run").path("info").path("run_id").asString();
        List<Map<String, String>> tags = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            tags.add(Map.of("key", "t" + i, "value", "v" + i));
        }
        assertThat(http.post("/api/2.0/mlflow/runs/log-batch", Map.of("run_id", run, "tags", tags)).status())
                .isEqualTo(200);
    }

    @Test
    void aTableIsAnalysedInTheBackgroundOnceItsWritesPassTheMarkAndNotBefore() throws InterruptedException {
        HttpJson http = new HttpJson("http://127.0.0.1:" + port);
        TableStatistics statistics = new TableStatistics(jdbc, 40, 0.0);
        try {
            logTags(http, 30);
            long before = analyzeCount("run_tags");
            statistics.wrote("run_tags", 30);
            Thread.sleep(2_000);
            assertThat(statistics.analyses()).as("30 rows are below the mark of 40").isZero();

            logTags(http, 30);
            statistics.wrote("run_tags", 30);
            org.awaitility.Awaitility.await("60 rows passed the mark").atMost(java.time.Duration.ofSeconds(15))
                    .untilAsserted(() -> assertThat(statistics.analyses()).isEqualTo(1));
            assertThat(analyzeCount("run_tags")).isGreaterThan(before);
        } finally {
            statistics.destroy();
        }
        // The server's own instance refuses tables it does not know, so ANALYZE never names anything else.
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> serverStatistics.wrote("users; DROP TABLE runs", 1))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
