package io.cairn.serving;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.HttpJson;
import io.cairn.IntegrationTest;
import io.cairn.artifacts.ArtifactStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/** Concurrent requests are fused into shared ONNX Runtime runs and every request gets exactly its own rows back. */
@IntegrationTest
class BatchingIT {

    private static final int CLIENTS = 16;

    @LocalServerPort
    int port;

    @Autowired
    ArtifactStore store;

    ServingFixtures fx;

    @BeforeEach
    void setUp() {
        fx = new ServingFixtures(port, store);
    }

    @AfterEach
    void cleanUp() {
        fx.cleanUp();
    }

    @Test
    void concurrentRequestsShareRunsAndEachGetsItsOwnRowsBack() throws Exception {
        String model = fx.model("batch");
        // Integer weights and inputs: every sum is exact, whatever order or kernel a batch size makes ORT use.
        float[][] weights = new float[64][3];
        for (int i = 0; i < 64; i++) {
            weights[i][0] = 1;
            weights[i][1] = i % 3;
            weights[i][2] = -1;
        }
        int version = fx.version(model, OnnxModels.linear(weights, new float[] {0, 0, 1}), Map.of());
        fx.alias(model, "prod", version);
        String name = fx.deployReady("batch", model, "prod", "max_batch_size", 32, "max_queue_delay_ms", 5);
        assertThat(fx.http.get("/api/v1/deployments/" + name).json().at("/state/aliases/0/batching").asBoolean())
                .isTrue();

        HttpClient http = HttpClient.newHttpClient();
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        double maxBatch = 0;
        for (int round = 0; round < 10 && maxBatch < 2; round++) {
            List<Future<Void>> calls = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                int client = c;
                calls.add(pool.submit(() -> {
                    for (int i = 0; i < 8; i++) {
                        int rows = 1 + (client + i) % 3;
                        float[][] input = new float[rows][64];
                        for (int r = 0; r < rows; r++) {
                            for (int k = 0; k < 64; k++) {
                                input[r][k] = (client * 7 + i * 3 + r + k) % 11;
                            }
                        }
                        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(
                                        "http://127.0.0.1:" + port + "/v2/models/" + name + "/infer"))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(HttpJson.mapper().writeValueAsString(
                                        ServingFixtures.fp32("input", input)))).build(), HttpResponse.BodyHandlers.ofString());
                        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
                        JsonNode out = HttpJson.mapper().readTree(response.body()).at("/outputs/0");
                        assertThat(out.get("shape").toString()).isEqualTo("[" + rows + ",3]");
                        assertThat(ServingFixtures.floats(out.get("data"))).containsExactly(expected(input, weights));
                    }
                    return null;
                }));
            }
            for (Future<Void> f : calls) {
                f.get();
            }
            maxBatch = scrape("cairn_inference_batch_size_max", name);
        }
        pool.shutdown();
        assertThat(maxBatch).as("the largest number of requests fused into one run").isGreaterThanOrEqualTo(2);
        assertThat(maxBatch).isLessThanOrEqualTo(32);
    }

    private static float[] expected(float[][] input, float[][] weights) {
        float[] out = new float[input.length * 3];
        for (int r = 0; r < input.length; r++) {
            for (int j = 0; j < 3; j++) {
                float sum = j == 2 ? 1 : 0;
                for (int k = 0; k < input[r].length; k++) {
                    sum += input[r][k] * weights[k][j];
                }
                out[r * 3 + j] = sum;
            }
        }
        return out;
    }

    private double scrape(String metric, String deployment) {
        String body = fx.http.get("/actuator/prometheus").body();
        Matcher m = Pattern.compile("^" + metric + "\\{[^}]*deployment=\"" + Pattern.quote(deployment)
                + "\"[^}]*} (\\S+)$", Pattern.MULTILINE).matcher(body);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    @Test
    void aModelWithAFixedFirstDimensionIsNeverBatched() {
        String model = fx.model("fixed");
        int version = fx.version(model, OnnxModels.identity(ai.onnx.proto.OnnxMl.TensorProto.DataType.FLOAT_VALUE, 1, 2),
                Map.of());
        fx.alias(model, "prod", version);
        String name = fx.deployReady("fixed", model, "prod", "max_batch_size", 32, "max_queue_delay_ms", 5);
        assertThat(fx.http.get("/api/v1/deployments/" + name).json().at("/state/aliases/0/batching").asBoolean())
                .isFalse();
        HttpJson.Response r = fx.infer("/v2/models/" + name + "/infer", ServingFixtures.fp32("x", new float[][] {{1, 2}}));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().at("/outputs/0/data").toString()).isEqualTo("[1.0,2.0]");
    }
}
