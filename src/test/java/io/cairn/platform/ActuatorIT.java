package io.cairn.platform;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.HttpJson;
import io.cairn.IntegrationTest;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

/** Kubernetes probes and Prometheus scraping work from day one. */
@IntegrationTest
class ActuatorIT {

    @LocalServerPort
    int port;

    @Test
    void livenessAndReadinessGroupsReportUpWithTheirDependencies() {
        HttpJson http = new HttpJson("http://127.0.0.1:" + port);
        HttpJson.Response liveness = http.get("/actuator/health/liveness");
        assertThat(liveness.status()).isEqualTo(200);
        assertThat(liveness.json().get("status").asString()).isEqualTo("UP");
        HttpJson.Response readiness = http.get("/actuator/health/readiness");
        assertThat(readiness.status()).isEqualTo(200);
        assertThat(readiness.json().at("/components/db/status").asString()).isEqualTo("UP");
        assertThat(readiness.json().at("/components/redis/status").asString()).isEqualTo("UP");
        assertThat(readiness.json().at("/components/serving/status").asString()).isEqualTo("UP");
        assertThat(readiness.json().at("/components/serving/details/prediction_log").asString()).isEqualTo("writing");
        // The artifact store is watched by the overall health, not by readiness (see ArtifactStoreHealthIndicator).
        assertThat(readiness.json().at("/components/artifacts").isMissingNode()).isTrue();
        HttpJson.Response health = http.get("/actuator/health");
        assertThat(health.json().at("/components/artifacts/status").asString()).isEqualTo("UP");
        assertThat(health.json().at("/components/artifacts/details/store").asString()).startsWith("s3://");
    }

    @Test
    void prometheusEndpointExposesRequestMetricsOfMlflowCalls() {
        HttpJson http = new HttpJson("http://127.0.0.1:" + port);
        http.get("/api/2.0/mlflow/experiments/get?experiment_id=0");
        HttpJson.Response scrape = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/actuator/prometheus")).GET());
        assertThat(scrape.status()).isEqualTo(200);
        assertThat(scrape.body()).contains("http_server_requests_seconds_count{")
                .contains("uri=\"/api/2.0/mlflow/experiments/get\"")
                .contains("application=\"cairn\"");
    }

    @Test
    void requestLatencyIsPublishedAsAHistogramSoPercentilesAggregateAcrossReplicas() {
        HttpJson http = new HttpJson("http://127.0.0.1:" + port);
        http.get("/api/2.0/mlflow/experiments/get?experiment_id=0");
        String scrape = http.get("/actuator/prometheus").body();
        List<String> buckets = scrape.lines().filter(l -> l.startsWith("http_server_requests_seconds_bucket{"))
                .filter(l -> l.contains("uri=\"/api/2.0/mlflow/experiments/get\"")).toList();
        assertThat(buckets).hasSizeGreaterThan(10).anySatisfy(l -> assertThat(l).contains("le=\"+Inf\""));
    }
}
