package io.cairn.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cairn.IntegrationTest;
import io.cairn.artifacts.ArtifactStore;
import io.cairn.serving.deployments.DeploymentRouter;
import io.cairn.serving.deployments.ServedModel;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * When the alias moves, the new version is loaded, warmed and swapped in while requests keep flowing: none of them
 * fails, each is answered wholly by one version, and the old session closes once its requests are done.
 */
@IntegrationTest
class AliasSwapIT {

    private static final int CLIENTS = 6;

    @LocalServerPort
    int port;

    @Autowired
    ArtifactStore store;

    @Autowired
    DeploymentRouter router;

    @Autowired
    JdbcClient jdbc;

    ServingFixtures fx;

    @BeforeEach
    void setUp() {
        fx = new ServingFixtures(port, store);
    }

    @AfterEach
    void cleanUp() {
        fx.cleanUp();
    }

    record Answer(int client, int status, String version, float[] output, String body) {
    }

    @Test
    void aliasMovesUnderConcurrentLoadWithZeroFailedRequests() throws Exception {
        String model = fx.model("swap");
        int v1 = fx.version(model, OnnxModels.scaling(4, 1f), Map.of());
        int v2 = fx.version(model, OnnxModels.scaling(4, 2f), Map.of());
        fx.alias(model, "champion", v1);
        // Batching on, so the swap also happens while requests wait in the old version's batcher.
        String name = fx.deployReady("swap", model, "champion", "max_batch_size", 8, "max_queue_delay_ms", 1);
        ServedModel old = router.current(name, null);

        ConcurrentLinkedQueue<Answer> answers = new ConcurrentLinkedQueue<>();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger sent = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        List<Future<?>> clients = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            int client = c;
            clients.add(pool.submit(() -> load(name, client, stop, sent, answers)));
        }
        try {
            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(sent).hasValueGreaterThanOrEqualTo(300));
            fx.alias(model, "champion", v2);
            // Fails at the deadline: before, the loop fell through and the checks below ran on whatever had come in.
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                    .untilAsserted(() -> assertThat(answers.stream()
                            .filter(a -> String.valueOf(v2).equals(a.version())).count())
                            .as("answers of the new version").isGreaterThanOrEqualTo(300));
        } finally {
            stop.set(true);
            for (Future<?> f : clients) {
                f.get();
            }
            pool.shutdown();
        }

        List<Answer> failed = answers.stream().filter(a -> a.status() != 200).toList();
        assertThat(failed).as("failed requests").isEmpty();
        for (Answer a : answers) {
            float factor = a.version().equals(String.valueOf(v1)) ? 1f : 2f;
            assertThat(a.output()).as("answer of version " + a.version())
                    .containsExactly(factor, 2 * factor, 3 * factor, 4 * factor);
        }
        assertThat(answers.stream().map(Answer::version).distinct().toList())
                .containsExactlyInAnyOrder(String.valueOf(v1), String.valueOf(v2));
        // Per client, once the new version answered, the old one never did again.
        for (int c = 0; c < CLIENTS; c++) {
            int client = c;
            List<String> seen = answers.stream().filter(a -> a.client() == client).map(Answer::version).toList();
            int firstNew = seen.indexOf(String.valueOf(v2));
            assertThat(seen.subList(Math.max(0, firstNew), seen.size())).doesNotContain(String.valueOf(v1));
        }
        assertThat(old.closed()).as("the old session closes once its requests are done").isTrue();
        assertThat(router.current(name, null).version()).isEqualTo(v2);
    }

    private void load(String name, int client, AtomicBoolean stop, AtomicInteger sent,
                      ConcurrentLinkedQueue<Answer> answers) {
        HttpClient http = HttpClient.newHttpClient();
        String body = "{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 4], \"datatype\": \"FP32\", "
                + "\"data\": [1, 2, 3, 4]}]}";
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v2/models/" + name
                        + "/infer")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        while (!stop.get()) {
            try {
                HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
                sent.incrementAndGet();
                if (r.statusCode() != 200) {
                    answers.add(new Answer(client, r.statusCode(), null, null, r.body()));
                    continue;
                }
                JsonNode json = io.cairn.HttpJson.mapper().readTree(r.body());
                String version = json.get("model_version").asString();
                assertThat(r.headers().firstValue("X-Cairn-Model-Version")).hasValue(version);
                answers.add(new Answer(client, 200, version, ServingFixtures.floats(json.at("/outputs/0/data")),
                        r.body()));
            } catch (Exception e) {
                answers.add(new Answer(client, -1, null, null, e.toString()));
            }
        }
    }

    @Test
    void anAliasMovedElsewhereIsFollowedByThePollWithoutAnyEventHere() {
        String model = fx.model("poll");
        int v1 = fx.version(model, OnnxModels.scaling(2, 1f), Map.of());
        int v2 = fx.version(model, OnnxModels.scaling(2, 3f), Map.of());
        fx.alias(model, "champion", v1);
        String name = fx.deployReady("poll", model, "champion");

        // What another replica's alias change looks like from here: the table changes, no event is published in
        // this JVM. Only the periodic reconcile can notice it.
        jdbc.sql("UPDATE registered_model_aliases SET version = :v WHERE name = :name AND alias = 'champion'")
                .param("v", v2).param("name", model).update();
        JsonNode state = fx.await(name, d -> d.at("/state/aliases/0/loaded_version").asString("")
                .equals(String.valueOf(v2)));
        assertThat(state.at("/state/aliases/0/target_version").asString()).isEqualTo(String.valueOf(v2));
        assertThat(fx.infer("/v2/models/" + name + "/infer", ServingFixtures.fp32("input", new float[][] {{1, 2}}))
                .json().at("/outputs/0/data").toString()).isEqualTo("[3.0,6.0]");
    }
}
