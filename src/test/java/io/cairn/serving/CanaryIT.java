package io.cairn.serving;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.HttpJson;
import io.cairn.IntegrationTest;
import io.cairn.artifacts.ArtifactStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/** A canary gets its share of requests, drawn per request, and every answer says which version gave it. */
@IntegrationTest
class CanaryIT {

    @LocalServerPort
    int port;

    @Autowired
    ArtifactStore store;

    ServingFixtures fx;
    String model;
    int champion;
    int challenger;

    @BeforeEach
    void setUp() {
        fx = new ServingFixtures(port, store);
        model = fx.model("canary");
        champion = fx.version(model, OnnxModels.scaling(2, 1f), Map.of());
        challenger = fx.version(model, OnnxModels.scaling(2, 10f), Map.of());
        fx.alias(model, "champion", champion);
        fx.alias(model, "challenger", challenger);
    }

    @AfterEach
    void cleanUp() {
        fx.cleanUp();
    }

    @Test
    void tenPercentOfTwoThousandRequestsGoToTheCanaryWithinTolerance() throws Exception {
        String name = fx.deployReady("canary", model, "champion",
                "canary", Map.of("alias", "challenger", "percent", 10));
        fx.await(name, d -> d.at("/state/aliases/1/ready").asBoolean(false));
        int requests = 2000;
        int toCanary = 0;
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v2/models/" + name
                        + "/infer")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(HttpJson.mapper().writeValueAsString(
                        ServingFixtures.fp32("input", new float[][] {{1, 2}})))).build();
        for (int i = 0; i < requests; i++) {
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            JsonNode json = HttpJson.mapper().readTree(r.body());
            String version = json.get("model_version").asString();
            assertThat(r.headers().firstValue("X-Cairn-Model-Version")).hasValue(version);
            boolean canary = version.equals(String.valueOf(challenger));
            assertThat(json.at("/outputs/0/data").toString()).isEqualTo(canary ? "[10.0,20.0]" : "[1.0,2.0]");
            assertThat(json.at("/parameters/alias").asString()).isEqualTo(canary ? "challenger" : "champion");
            if (canary) {
                toCanary++;
            }
        }
        // Binomial(2000, 0.1): mean 200, standard deviation 13.4; the bounds are 4.5 standard deviations out.
        assertThat(toCanary).isBetween(140, 260);

        Response direct = new Response(fx.infer("/v2/models/" + name + "/versions/" + challenger + "/infer",
                ServingFixtures.fp32("input", new float[][] {{1, 2}})));
        assertThat(direct.json().get("model_version").asString()).isEqualTo(String.valueOf(challenger));
        assertThat(fx.http.get("/v2/models/" + name).json().get("versions").toString())
                .isEqualTo("[\"" + champion + "\",\"" + challenger + "\"]");
    }

    @Test
    void allOrNothingGoesToTheCanaryAtTheExtremesAndAnUnloadableCanaryLeavesThePrimaryServing() {
        String all = fx.deployReady("all", model, "champion", "canary", Map.of("alias", "challenger", "percent", 100));
        fx.await(all, d -> d.at("/state/aliases/1/ready").asBoolean(false));
        String none = fx.deployReady("none", model, "champion", "canary", Map.of("alias", "challenger", "percent", 0));
        for (int i = 0; i < 50; i++) {
            assertThat(version(all)).isEqualTo(String.valueOf(challenger));
            assertThat(version(none)).isEqualTo(String.valueOf(champion));
        }

        int broken = fx.versionWithFiles(model, Map.of("weights.bin", new byte[] {0}));
        fx.alias(model, "broken", broken);
        String halfBroken = fx.deployReady("broken", model, "champion",
                "canary", Map.of("alias", "broken", "percent", 50));
        JsonNode state = fx.await(halfBroken, d -> !d.at("/state/aliases/1/error").isMissingNode());
        assertThat(state.at("/state/ready").asBoolean()).isTrue();
        assertThat(state.at("/state/aliases/1/error").asString()).contains("No ONNX model");
        for (int i = 0; i < 50; i++) {
            assertThat(version(halfBroken)).isEqualTo(String.valueOf(champion));
        }
    }

    private String version(String deployment) {
        HttpJson.Response r = fx.infer("/v2/models/" + deployment + "/infer",
                ServingFixtures.fp32("input", new float[][] {{1, 2}}));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().get("model_version").asString();
    }

    private record Response(HttpJson.Response r) {
        JsonNode json() {
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            return r.json();
        }
    }
}
