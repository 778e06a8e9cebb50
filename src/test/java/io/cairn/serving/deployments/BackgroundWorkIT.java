package io.cairn.serving.deployments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cairn.HttpJson;
import io.cairn.HttpJson.Response;
import io.cairn.IntegrationTest;
import io.cairn.artifacts.ArtifactStore;
import io.cairn.serving.OnnxModels;
import io.cairn.serving.ServingFixtures;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Serving's background work outlives errors (an OutOfMemoryError in a reconcile pass or in a load), and readiness
 * says so when it cannot go on.
 */
@IntegrationTest
class BackgroundWorkIT {

    @LocalServerPort
    int port;

    @Autowired
    ArtifactStore store;

    @Autowired
    Reconciler reconciler;

    ServingFixtures fx;
    HttpJson http;
    String model;

    @BeforeEach
    void setUp() {
        fx = new ServingFixtures(port, store);
        http = new HttpJson("http://127.0.0.1:" + port);
        model = fx.model("bg");
        fx.alias(model, "champion", fx.version(model, OnnxModels.scaling(3, 2f), Map.of()));
    }

    @AfterEach
    void cleanUp() {
        reconciler.beforePass = () -> { };
        fx.cleanUp();
    }

    @Test
    void anErrorInAReconcilePassDoesNotStopTheReconciler() throws Exception {
        AtomicBoolean thrown = new AtomicBoolean();
        reconciler.beforePass = () -> {
            if (thrown.compareAndSet(false, true)) {
                throw new OutOfMemoryError("test: Java heap space");
            }
        };
        reconciler.reconcileSoon().get(10, TimeUnit.SECONDS);
        assertThat(thrown).isTrue();
        // The next pass runs and loads a new deployment.
        reconciler.reconcileSoon().get(10, TimeUnit.SECONDS);
        String name = fx.deployReady("bg", model, "champion");
        assertThat(fx.infer("/v2/models/" + name + "/infer", ServingFixtures.fp32("input", new float[][] {{1, 2, 3}}))
                .json().at("/outputs/0/data").toString()).isEqualTo("[2.0,4.0,6.0]");
        assertThat(http.get("/actuator/health/readiness").json().at("/components/serving/status").asString())
                .isEqualTo("UP");
    }

    @Test
    void anErrorWhileLoadingIsAFailedLoadNotALoadForever() {
        // A fixed input of 2^31 - 1 FP32 values: the warm-up's zeros are more than a Java array can hold, so the
        // JVM throws OutOfMemoryError ("Requested array size exceeds VM limit") without allocating anything.
        int huge = fx.version(model, OnnxModels.identity(1, Integer.MAX_VALUE), Map.of());
        fx.alias(model, "huge", huge);
        String name = ServingFixtures.unique("huge");
        Response created = fx.deploy(name, Map.of("model", model, "alias", "huge"));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        var state = fx.await(name, d -> d.at("/state/aliases/0/error").asString("").contains("failed"));
        assertThat(state.at("/state/aliases/0/error").asString())
                .contains("Loading version " + huge + " of model " + model + " failed")
                .contains("OutOfMemoryError");
        assertThat(state.at("/state/aliases/0/loading").asBoolean(false)).isFalse();
        // The same deployment heals when its alias moves on: the slot is not stuck.
        fx.alias(model, "huge", fx.version(model, OnnxModels.scaling(3, 5f), Map.of()));
        fx.await(name, d -> d.at("/state/ready").asBoolean());
    }

    @Test
    void readinessIsDownWhileTheReconcilerIsStuckAndUpAgainOnceItMoves() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        reconciler.beforePass = () -> {
            entered.countDown();
            try {
                release.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        try {
            assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
            Response down = awaitReadiness(r -> r.status() == 503);
            assertThat(down.json().at("/components/serving/status").asString()).isEqualTo("DOWN");
            assertThat(down.json().at("/components/serving/details/reconciler").asString())
                    .contains("no reconcile pass has finished for");
        } finally {
            reconciler.beforePass = () -> { };
            release.countDown();
        }
        Response up = awaitReadiness(r -> r.status() == 200);
        assertThat(up.json().at("/components/serving/status").asString()).isEqualTo("UP");
    }

    private Response awaitReadiness(Predicate<Response> condition) {
        AtomicReference<Response> last = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            last.set(http.get("/actuator/health/readiness"));
            assertThat(condition.test(last.get())).as("readiness reached the expected state; last: %s %s",
                    last.get().status(), last.get().body()).isTrue();
        });
        return last.get();
    }
}
