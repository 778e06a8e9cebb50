package io.cairn.features;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.HttpJson.Response;
import io.cairn.IntegrationTest;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/**
 * Feature-view schedules: set, validated, changed and removed through PUT; the job (called here with a time in the
 * future rather than waited for) materializes due views incrementally into Redis, records the run on the view and in
 * the gauges, moves the next run along, and leaves views that are not due alone.
 */
@IntegrationTest
class ScheduledMaterializationIT {

    @LocalServerPort
    int port;

    @Autowired
    ScheduledMaterialization job;

    FeatureHttp http;
    String driver;
    String view;

    @BeforeEach
    void setUp() {
        http = new FeatureHttp(port);
        driver = FeatureHttp.unique("driver");
        view = FeatureHttp.unique("sched");
        assertThat(http.put("/api/v1/entities/" + driver, Map.of("join_key", "driver_id", "value_type", "INT64"))
                .status()).isEqualTo(201);
    }

    @AfterEach
    void cleanUp() {
        http.delete("/api/v1/feature-views/" + view);
        http.delete("/api/v1/entities/" + driver);
    }

    private Response putView(String schedule) {
        return http.put("/api/v1/feature-views/" + view, viewBody(schedule, true));
    }

    private Map<String, Object> viewBody(String schedule, boolean online) {
        var body = new java.util.LinkedHashMap<String, Object>(Map.of("entities", List.of(driver),
                "features", List.of(Map.of("name", "conv_rate", "type", "FLOAT64")), "online", online));
        if (schedule != null) {
            body.put("schedule", schedule);
        }
        return body;
    }

    private double onlineValue(long driverId) {
        Response r = http.post("/get-online-features", Map.of("features", List.of(view + ":conv_rate"),
                "entities", Map.of("driver_id", List.of(driverId))));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode values = r.json().path("results").get(1).path("values");
        return values.get(0).isNull() ? Double.NaN : values.get(0).asDouble();
    }

    @Test
    void aDueScheduleMaterializesIncrementallyRecordsTheRunAndMovesTheNextRunAlong() {
        Instant before = Instant.now();
        Response created = putView("PT1H");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.json().path("schedule").asString()).isEqualTo("PT1H");
        Instant next = Instant.parse(created.json().path("scheduled_materialization").path("next_run_at").asString());
        // An interval counts from when the schedule was set.
        assertThat(next).isBetween(before.plus(1, ChronoUnit.HOURS).minusSeconds(1),
                Instant.now().plus(1, ChronoUnit.HOURS).plusSeconds(1));
        assertThat(created.json().path("scheduled_materialization").path("runs").asLong()).isZero();

        Instant t = Instant.now().minusSeconds(60).truncatedTo(ChronoUnit.SECONDS);
        assertThat(http.postCsv("/api/v1/feature-views/" + view + "/rows",
                "driver_id,event_timestamp,conv_rate\n1,%s,0.25\n2,%s,0.75\n".formatted(t, t)).status()).isEqualTo(200);
        // Not due now: the job leaves it alone.
        assertThat(job.runDue(Instant.now())).doesNotContain(view);
        assertThat(onlineValue(1)).isNaN();

        List<String> ran = job.runDue(next.plusSeconds(1));
        assertThat(ran).contains(view);
        assertThat(onlineValue(1)).isEqualTo(0.25);
        assertThat(onlineValue(2)).isEqualTo(0.75);

        JsonNode state = http.get("/api/v1/feature-views/" + view).json();
        JsonNode scheduled = state.path("scheduled_materialization");
        assertThat(scheduled.path("runs").asLong()).isEqualTo(1);
        assertThat(scheduled.path("failures").asLong()).isZero();
        assertThat(scheduled.path("last_error").isNull()).isTrue();
        assertThat(scheduled.path("last_entities").asLong()).isEqualTo(2);
        assertThat(scheduled.path("last_rows_written").asLong()).isEqualTo(2);
        assertThat(scheduled.path("last_duration_ms").asLong()).isNotNegative();
        Instant lastStarted = Instant.parse(scheduled.path("last_started_at").asString());
        // The next run counts from the run's start, so a missed slot is caught up once, not once per slot.
        assertThat(Instant.parse(scheduled.path("next_run_at").asString()))
                .isEqualTo(lastStarted.truncatedTo(ChronoUnit.MICROS).plus(1, ChronoUnit.HOURS));
        assertThat(state.path("materialized_until").isNull()).isFalse();

        String scrape = http.get("/actuator/prometheus").body();
        String tags = "{application=\"cairn\",feature_view=\"" + view + "\"";
        assertThat(scrape).contains("cairn_feature_materialization_runs" + tags + ",outcome=\"success\"} 1.0");
        assertThat(scrape).contains("cairn_feature_materialization_last_rows_written" + tags + "} 2.0");
        assertThat(scrape).contains("cairn_feature_materialization_last_duration_seconds" + tags + "}");

        // A second run continues from where the first ended: a newer row is picked up, the old ones are not re-read.
        // (Its event time lies after the first run's end: a row that arrives late with an older time is not re-read,
        // as in Feast's materialize-incremental.)
        Instant t2 = Instant.now().truncatedTo(ChronoUnit.MICROS);
        assertThat(t2).isAfter(lastStarted);
        assertThat(http.postCsv("/api/v1/feature-views/" + view + "/rows",
                "driver_id,event_timestamp,conv_rate\n1,%s,0.5\n".formatted(t2)).status()).isEqualTo(200);
        Instant next2 = Instant.parse(scheduled.path("next_run_at").asString());
        assertThat(job.runDue(next2.plusSeconds(1))).contains(view);
        assertThat(onlineValue(1)).isEqualTo(0.5);
        JsonNode second = http.get("/api/v1/feature-views/" + view).json().path("scheduled_materialization");
        assertThat(second.path("runs").asLong()).isEqualTo(2);
        assertThat(second.path("last_entities").asLong()).isEqualTo(1);
    }

    @Test
    void aCronScheduleRunsAtItsNextTimeInUtcAndAFailedRunIsRecordedNotThrown() {
        assertThat(putView("0 0 3 * * *").status()).isEqualTo(201);
        JsonNode created = http.get("/api/v1/feature-views/" + view).json();
        Instant next = Instant.parse(created.path("scheduled_materialization").path("next_run_at").asString());
        assertThat(next.atZone(java.time.ZoneOffset.UTC).getHour()).isEqualTo(3);
        assertThat(next).isAfter(Instant.now()).isBefore(Instant.now().plus(1, ChronoUnit.DAYS).plusSeconds(1));

        // A manual materialization up to the far future makes the next incremental run impossible: a failure.
        assertThat(http.post("/api/v1/materialize", Map.of("feature_views", List.of(view),
                "start", "2020-01-01T00:00:00Z", "end", "2999-01-01T00:00:00Z")).status()).isEqualTo(200);
        assertThat(job.runDue(next.plusSeconds(1))).contains(view);
        JsonNode scheduled = http.get("/api/v1/feature-views/" + view).json().path("scheduled_materialization");
        assertThat(scheduled.path("failures").asLong()).isEqualTo(1);
        assertThat(scheduled.path("last_error").asString()).contains("already materialized up to");
        // It is tried again at its next time, not at once.
        assertThat(Instant.parse(scheduled.path("next_run_at").asString())).isAfter(Instant.now());
        assertThat(http.get("/actuator/prometheus").body()).contains("cairn_feature_materialization_runs"
                + "{application=\"cairn\",feature_view=\"" + view + "\",outcome=\"failure\"} 1.0");
    }

    @Test
    void aScheduleIsChangedOrRemovedByPutAndASamePutKeepsItsNextRun() {
        assertThat(putView("PT10M").status()).isEqualTo(201);
        String next = http.get("/api/v1/feature-views/" + view).json().path("scheduled_materialization")
                .path("next_run_at").asString();
        Response same = putView("PT10M");
        assertThat(same.status()).isEqualTo(200);
        assertThat(same.json().path("scheduled_materialization").path("next_run_at").asString()).isEqualTo(next);
        assertThat(same.json().path("updated_at").asString())
                .isEqualTo(http.get("/api/v1/feature-views/" + view).json().path("created_at").asString());

        Response changed = putView("PT2H");
        assertThat(changed.json().path("schedule").asString()).isEqualTo("PT2H");
        assertThat(Instant.parse(changed.json().path("scheduled_materialization").path("next_run_at").asString()))
                .isAfter(Instant.now().plus(110, ChronoUnit.MINUTES));

        Response removed = putView(null);
        assertThat(removed.json().path("schedule").isNull()).isTrue();
        assertThat(removed.json().path("scheduled_materialization").isNull()).isTrue();
        assertThat(job.runDue(Instant.now().plus(1, ChronoUnit.DAYS))).doesNotContain(view);
    }

    @Test
    void aBadScheduleIsRefusedWithWhatASchedulePlusNothingStored() {
        for (String bad : List.of("every hour", "PT30S", "P1X", "0 0 * * *", "")) {
            Response r = putView(bad);
            assertThat(r.status()).as(bad).isEqualTo(400);
            assertThat(r.json().path("detail").asString()).as(bad).contains("Invalid schedule");
        }
        assertThat(http.get("/api/v1/feature-views/" + view).status()).isEqualTo(404);
        Response offline = http.put("/api/v1/feature-views/" + view, viewBody("PT1H", false));
        assertThat(offline.status()).isEqualTo(400);
        assertThat(offline.json().path("detail").asString()).contains("online: false");
    }
}
