package io.cairn.platform.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cairn.HttpJson;
import io.cairn.IntegrationTest;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/** Every registry change lands in the append-only audit trail with who, when, what, before and after. */
@IntegrationTest
class AuditIT {

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @Test
    void registryChangesAreRecordedWithActorAndBeforeAndAfter() {
        HttpJson http = new HttpJson("http://127.0.0.1:" + port);
        String name = "audit-" + UUID.randomUUID().toString().substring(0, 8);
        Instant start = Instant.now().minusSeconds(1);
        http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/2.0/mlflow/registered-models/create"))
                .header("Content-Type", "application/json").header("X-Cairn-User", "dora")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\": \"" + name + "\"}")));
        http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/2.0/mlflow/registered-models/update"))
                .header("Content-Type", "application/json").header("X-Cairn-User", "erik")
                .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"name\": \"" + name + "\", \"description\": \"v2\"}")));

        JsonNode events = http.get("/api/v1/audit?entity_type=registered_model&entity_id=" + name
                + "&since=" + URLEncoder.encode(start.toString(), StandardCharsets.UTF_8)).json().get("events");
        assertThat(events).hasSize(2);
        assertThat(events.get(0).get("action").asString()).isEqualTo("create");
        assertThat(events.get(0).get("actor").asString()).isEqualTo("dora");
        assertThat(events.get(0).get("before").isNull()).isTrue();
        assertThat(events.get(1).get("action").asString()).isEqualTo("update");
        assertThat(events.get(1).get("actor").asString()).isEqualTo("erik");
        assertThat(events.get(1).at("/before/description").isNull() || events.get(1).at("/before/description").isMissingNode())
                .isTrue();
        assertThat(events.get(1).at("/after/description").asString()).isEqualTo("v2");

        assertThat(http.get("/api/v1/audit?entity_type=registered_model&entity_id=" + name + "&until="
                + URLEncoder.encode(start.toString(), StandardCharsets.UTF_8)).json().get("events")).isEmpty();
        JsonNode paged = http.get("/api/v1/audit?entity_id=" + name + "&limit=1").json();
        assertThat(paged.get("events")).hasSize(1);
        assertThat(http.get("/api/v1/audit?entity_id=" + name + "&after_id=" + paged.get("next_after_id").asLong())
                .json().get("events")).hasSize(1);
    }

    @Test
    void badFiltersAreProblemDetails() {
        HttpJson http = new HttpJson("http://127.0.0.1:" + port);
        HttpJson.Response badTime = http.get("/api/v1/audit?since=yesterday");
        assertThat(badTime.status()).isEqualTo(400);
        assertThat(badTime.json().get("detail").asString()).contains("ISO-8601");
        assertThat(http.get("/api/v1/audit?limit=0").status()).isEqualTo(400);
    }

    @Test
    void theTableRefusesUpdatesAndDeletes() {
        assertThatThrownBy(() -> jdbc.sql("UPDATE audit_log SET actor = 'mallory'").update())
                .hasMessageContaining("append-only");
        assertThatThrownBy(() -> jdbc.sql("DELETE FROM audit_log").update())
                .hasMessageContaining("append-only");
        assertThat(jdbc.sql("SELECT count(*) FROM audit_log WHERE actor = 'mallory'").query(Long.class).single()).isZero();
    }
}
