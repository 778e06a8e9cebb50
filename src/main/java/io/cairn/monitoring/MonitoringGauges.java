package io.cairn.monitoring;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Prometheus gauges of the latest evaluated window of each deployment and version, read from the evaluation job's
 * history every minute on every replica (so every replica shows the same values):
 * {@code cairn_monitoring_quality{deployment, model_version, metric}} for each metric of the window,
 * {@code cairn_monitoring_label_coverage{deployment, model_version}} (labelled rows / rows) and
 * {@code cairn_monitoring_drift_share{deployment, model_version}} (share of features drifted). A deployment's gauges
 * go when it has no history left.
 */
@Component
class MonitoringGauges {

    private static final Logger log = LoggerFactory.getLogger(MonitoringGauges.class);

    private final JdbcTemplate jdbc;
    private final MultiGauge quality;
    private final MultiGauge coverage;
    private final MultiGauge driftShare;
    private final JsonMapper json = JsonMapper.builder().build();

    MonitoringGauges(JdbcTemplate jdbc, MeterRegistry meters) {
        this.jdbc = jdbc;
        this.quality = MultiGauge.builder("cairn.monitoring.quality")
                .description("Quality metric of the latest evaluated window (cairn.monitoring.window)")
                .register(meters);
        this.coverage = MultiGauge.builder("cairn.monitoring.label.coverage")
                .description("Share of the latest evaluated window's prediction rows that have a label")
                .register(meters);
        this.driftShare = MultiGauge.builder("cairn.monitoring.drift.share")
                .description("Share of features drifted in the latest evaluated window").register(meters);
    }

    @Scheduled(fixedDelay = 60_000, initialDelay = 5_000)
    void refreshOnSchedule() {
        try {
            refresh();
        } catch (RuntimeException e) {
            log.warn("Reading the monitoring history for the gauges failed; they keep their values", e);
        }
    }

    void refresh() {
        List<MultiGauge.Row<?>> qualityRows = new ArrayList<>();
        List<MultiGauge.Row<?>> coverageRows = new ArrayList<>();
        jdbc.query("""
                SELECT DISTINCT ON (deployment, version) deployment, version, row_count, labelled, metrics::text
                FROM quality_history ORDER BY deployment, version, window_start DESC, row_count DESC""", rs -> {
            Tags tags = Tags.of("deployment", rs.getString(1), "model_version", Integer.toString(rs.getInt(2)));
            long rows = rs.getLong(3);
            coverageRows.add(MultiGauge.Row.of(tags, rows == 0 ? 0 : rs.getLong(4) / (double) rows));
            String metrics = rs.getString(5);
            if (metrics != null) {
                JsonNode node = json.readTree(metrics);
                for (var e : node.properties()) {
                    qualityRows.add(MultiGauge.Row.of(tags.and("metric", e.getKey()),
                            e.getValue().path("value").asDouble()));
                }
            }
        });
        List<MultiGauge.Row<?>> driftRows = new ArrayList<>();
        jdbc.query("""
                SELECT DISTINCT ON (deployment, version) deployment, version, share_drifted FROM drift_history
                ORDER BY deployment, version, window_start DESC""", rs -> {
            driftRows.add(MultiGauge.Row.of(Tags.of("deployment", rs.getString(1), "model_version",
                    Integer.toString(rs.getInt(2))), rs.getDouble(3)));
        });
        quality.register(qualityRows, true);
        coverage.register(coverageRows, true);
        driftShare.register(driftRows, true);
    }
}
