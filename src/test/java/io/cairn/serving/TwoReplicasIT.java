package io.cairn.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.util.concurrent.atomic.AtomicReference;
import io.cairn.CairnApplication;
import io.cairn.HttpJson;
import io.cairn.HttpJson.Response;
import io.cairn.IntegrationTest;
import io.cairn.S3ProxyInitializer;
import io.cairn.artifacts.ArtifactStore;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Environment;

/**
 * Two replicas on one database behave as one: a deployment made through one is served by the other, an alias moved
 * through either is followed by both, a deletion through either unloads both. The second replica is a full second
 * server in this JVM, on its own port, sharing the test database and S3.
 */
@IntegrationTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TwoReplicasIT {

    @LocalServerPort
    int port;

    @Autowired
    ArtifactStore store;

    @Autowired
    Environment environment;

    ConfigurableApplicationContext replicaB;
    ServingFixtures a;
    HttpJson b;

    @BeforeAll
    void startSecondReplica() {
        replicaB = new SpringApplicationBuilder(CairnApplication.class)
                .profiles("test")
                .initializers(new S3ProxyInitializer())
                .properties("server.port=0", "spring.datasource.url=" + environment.getProperty("spring.datasource.url"),
                        "spring.application.name=cairn-replica-b")
                .run();
        int portB = ((WebServerApplicationContext) replicaB).getWebServer().getPort();
        a = new ServingFixtures(port, store);
        b = new HttpJson("http://127.0.0.1:" + portB);
    }

    @AfterAll
    void stopSecondReplica() {
        a.cleanUp();
        if (replicaB != null) {
            replicaB.close();
        }
    }

    @Test
    void deploymentsAndAliasMovesMadeThroughEitherReplicaAreServedByBoth() {
        String model = a.model("replicas");
        int v1 = a.version(model, OnnxModels.scaling(2, 1f), Map.of());
        int v2 = a.version(model, OnnxModels.scaling(2, 2f), Map.of());
        int v3 = a.version(model, OnnxModels.scaling(2, 3f), Map.of());
        a.alias(model, "champion", v1);
        String name = a.deployReady("replicas", model, "champion");
        String infer = "/v2/models/" + name + "/infer";
        Map<String, Object> request = ServingFixtures.fp32("input", new float[][] {{1, 1}});

        // Made through A, served by B after its next poll.
        eventually(() -> b.post(infer, request), r -> r.status() == 200 && version(r).equals(String.valueOf(v1)));

        // Alias moved through A: A reacts to its own event, B on its poll.
        a.alias(model, "champion", v2);
        eventually(() -> a.infer(infer, request), r -> version(r).equals(String.valueOf(v2)));
        eventually(() -> b.post(infer, request), r -> version(r).equals(String.valueOf(v2)));

        // Alias moved through B: B reacts to its own event, A on its poll.
        Response moved = b.post("/api/2.0/mlflow/registered-models/alias", Map.of("name", model, "alias", "champion",
                "version", String.valueOf(v3)));
        assertThat(moved.status()).as(moved.body()).isEqualTo(200);
        Response fromB = eventually(() -> b.post(infer, request), r -> version(r).equals(String.valueOf(v3)));
        assertThat(fromB.json().at("/outputs/0/data").toString()).isEqualTo("[3.0,3.0]");
        eventually(() -> a.infer(infer, request), r -> version(r).equals(String.valueOf(v3)));
        assertThat(b.get("/api/v1/deployments/" + name).json().at("/state/aliases/0/loaded_version").asString())
                .isEqualTo(String.valueOf(v3));

        // Deleted through B: both stop serving it.
        assertThat(b.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                "http://127.0.0.1:" + replicaPort() + "/api/v1/deployments/" + name)).DELETE()).status()).isEqualTo(204);
        assertThat(b.post(infer, request).status()).isEqualTo(404);
        eventually(() -> a.infer(infer, request), r -> r.status() == 404);
    }

    private int replicaPort() {
        return ((WebServerApplicationContext) replicaB).getWebServer().getPort();
    }

    private static String version(Response r) {
        return r.json() == null || r.json().get("model_version") == null ? "" : r.json().get("model_version").asString();
    }

    private static Response eventually(Supplier<Response> call, java.util.function.Predicate<Response> done) {
        AtomicReference<Response> last = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
            last.set(call.get());
            assertThat(done.test(last.get())).as("condition reached; last answer: %s", last.get().body()).isTrue();
        });
        return last.get();
    }
}
