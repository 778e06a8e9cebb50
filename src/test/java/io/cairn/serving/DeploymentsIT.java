package io.cairn.serving;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.HttpJson.Response;
import io.cairn.IntegrationTest;
import io.cairn.artifacts.ArtifactStore;
import io.cairn.serving.deployments.DeploymentRouter;
import io.cairn.serving.deployments.ServedModel;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/** /api/v1/deployments: definitions, their state on this replica, validation, load errors, deletion. */
@IntegrationTest
class DeploymentsIT {

    @LocalServerPort
    int port;

    @Autowired
    ArtifactStore store;

    @Autowired
    DeploymentRouter router;

    ServingFixtures fx;
    String model;
    int version;

    @BeforeEach
    void setUp() {
        fx = new ServingFixtures(port, store);
        model = fx.model("dep");
        version = fx.version(model, OnnxModels.scaling(3, 2f), Map.of());
        fx.alias(model, "champion", version);
    }

    @AfterEach
    void cleanUp() {
        fx.cleanUp();
    }

    @Test
    void putCreatesWaitsForTheLoadAndShowsWhatEachAliasServes() {
        int challenger = fx.version(model, OnnxModels.scaling(3, 3f), Map.of());
        fx.alias(model, "challenger", challenger);
        String name = ServingFixtures.unique("dep");
        Response created = fx.deploy(name, Map.of("model", model, "alias", "champion",
                "canary", Map.of("alias", "challenger", "percent", 10)));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        JsonNode d = created.json();
        assertThat(d.get("name").asString()).isEqualTo(name);
        assertThat(d.get("device").asString()).isEqualTo("auto");
        assertThat(d.get("max_batch_size").asInt()).isEqualTo(1);
        assertThat(d.get("max_queue_delay_ms").asInt()).isZero();
        assertThat(d.get("stale_features").asString()).isEqualTo("reject");
        assertThat(d.at("/canary/percent").asInt()).isEqualTo(10);
        assertThat(d.at("/state/ready").asBoolean()).isTrue();
        JsonNode primary = d.at("/state/aliases/0");
        assertThat(primary.get("role").asString()).isEqualTo("primary");
        assertThat(primary.get("alias").asString()).isEqualTo("champion");
        assertThat(primary.get("target_version").asString()).isEqualTo(String.valueOf(version));
        assertThat(primary.get("loaded_version").asString()).isEqualTo(String.valueOf(version));
        assertThat(primary.get("ready").asBoolean()).isTrue();
        assertThat(primary.get("device").asString()).isEqualTo("cpu");
        assertThat(primary.get("device_note").asString()).startsWith("auto chose the CPU: ");
        assertThat(primary.get("batching").asBoolean()).isFalse();
        assertThat(primary.get("error")).isNull();
        JsonNode canary = d.at("/state/aliases/1");
        assertThat(canary.get("role").asString()).isEqualTo("canary");
        assertThat(canary.get("loaded_version").asString()).isEqualTo(String.valueOf(challenger));

        Response same = fx.put("/api/v1/deployments/" + name, Map.of("model", model, "alias", "champion",
                "canary", Map.of("alias", "challenger", "percent", 10)));
        assertThat(same.status()).isEqualTo(200);
        assertThat(same.json().get("revision").asLong()).isEqualTo(d.get("revision").asLong());

        ServedModel before = router.current(name, null);
        Response batched = fx.put("/api/v1/deployments/" + name, Map.of("model", model, "alias", "champion",
                "max_batch_size", 8, "max_queue_delay_ms", 2));
        assertThat(batched.status()).isEqualTo(200);
        assertThat(batched.json().get("revision").asLong()).isEqualTo(d.get("revision").asLong() + 1);
        assertThat(batched.json().get("canary")).isNull();
        assertThat(batched.json().at("/state/aliases")).hasSize(1);
        assertThat(batched.json().at("/state/aliases/0/batching").asBoolean()).isTrue();
        assertThat(before.closed()).as("the session loaded with the old settings is closed").isTrue();

        Response list = fx.http.get("/api/v1/deployments");
        assertThat(list.json().get("deployments").valueStream().map(n -> n.get("name").asString()).toList())
                .contains(name);
        Response audit = fx.http.get("/api/v1/audit?entity_type=deployment&entity_id=" + name);
        assertThat(audit.json().get("events").valueStream().map(n -> n.get("action").asString()).toList())
                .containsExactly("create", "update");
    }

    @Test
    void invalidDefinitionsAreProblemDetailsNamingTheField() {
        String name = ServingFixtures.unique("bad");
        assertProblem(fx.deploy(name, Map.of("model", "no-such-model-" + name, "alias", "x")), 400,
                "no registered model 'no-such-model-");
        assertProblem(fx.deploy(name, Map.of("model", model)), 400, "alias is required");
        assertProblem(fx.deploy(name, Map.of("model", model, "alias", "ghost")), 400,
                "has no alias 'ghost'");
        assertProblem(fx.deploy(name, Map.of("model", model, "alias", "champion", "device", "tpu")), 400,
                "Invalid device 'tpu'");
        assertProblem(fx.deploy(name, Map.of("model", model, "alias", "champion", "max_batch", 4)), 400,
                "Unknown field(s) [max_batch]");
        assertProblem(fx.deploy(name, Map.of("model", model, "alias", "champion", "max_batch_size", 0)), 400,
                "max_batch_size must be between 1");
        assertProblem(fx.deploy(name, Map.of("model", model, "alias", "champion", "max_queue_delay_ms", 5000)), 400,
                "max_queue_delay_ms must be between 0 and 1000");
        assertProblem(fx.deploy(name, Map.of("model", model, "alias", "champion",
                "canary", Map.of("alias", "champion", "percent", 5))), 400, "canary.alias must differ");
        assertProblem(fx.deploy(name, Map.of("model", model, "alias", "champion",
                "canary", Map.of("alias", "champion", "percent", 150))), 400, "canary.percent must be between");
        assertProblem(fx.deploy(name, Map.of("model", model, "alias", "champion", "stale_features", "maybe")), 400,
                "Invalid stale_features 'maybe'");
        assertProblem(fx.deploy("_" + name, Map.of("model", model, "alias", "champion")), 400,
                "Invalid deployment name '_" + name + "'");
        assertProblem(fx.http.get("/api/v1/deployments/" + name), 404, "Deployment '" + name + "' does not exist");
        assertProblem(fx.delete("/api/v1/deployments/" + name), 404, "does not exist");
    }

    @Test
    void cudaOnAServerWithoutCudaIsAConflictNamingTheCause() {
        String name = ServingFixtures.unique("gpu");
        Response r = fx.deploy(name, Map.of("model", model, "alias", "champion", "device", "cuda"));
        assertProblem(r, 409, "Device cuda is not usable on this server");
        // The CPU build has no CUDA provider at all; the GPU build (-Pgpu) on a machine without a GPU has one that
        // cannot start. Either way the cause is named.
        assertThat(r.json().get("detail").asString()).satisfiesAnyOf(
                d -> assertThat(d).contains("CPU build of ONNX Runtime").contains("profile gpu"),
                d -> assertThat(d).contains("CUDA execution provider").contains("could not start"));
        assertThat(fx.http.get("/api/v1/deployments/" + name).status()).isEqualTo(404);
    }

    @Test
    void versionsThatCannotBeServedShowWhyInTheStateAndAnswer503() {
        int pickle = fx.versionWithFiles(model, Map.of("model.pkl", new byte[] {1, 2, 3},
                "README.md", "# churn".getBytes(StandardCharsets.UTF_8)));
        fx.alias(model, "pickled", pickle);
        String name = ServingFixtures.unique("pkl");
        Response created = fx.deploy(name, Map.of("model", model, "alias", "pickled"));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.json().at("/state/ready").asBoolean()).isFalse();
        assertThat(created.json().at("/state/aliases/0/error").asString())
                .contains("Loading version " + pickle + " of model " + model + " failed")
                .contains("No ONNX model at s3://").contains("[README.md, model.pkl]");
        Response infer = fx.infer("/v2/models/" + name + "/infer", ServingFixtures.fp32("input", new float[][] {{1, 2, 3}}));
        assertThat(infer.status()).isEqualTo(503);
        assertThat(infer.json().get("error").asString()).contains("is not ready").contains("No ONNX model");
        Response ready = fx.http.get("/v2/models/" + name + "/ready");
        assertThat(ready.status()).isEqualTo(503);
        assertThat(ready.json().get("ready").asBoolean()).isFalse();
        assertThat(fx.http.get("/v2/health/ready").status()).isEqualTo(503);

        int sklearn = fx.versionWithFiles(model, Map.of("MLmodel", """
                flavors:
                  sklearn: {pickled_model: model.pkl}
                  python_function: {loader_module: mlflow.sklearn}
                """.getBytes(StandardCharsets.UTF_8), "model.pkl", new byte[] {1}));
        fx.alias(model, "pickled", sklearn);
        JsonNode state = fx.await(name, d -> d.at("/state/aliases/0/error").asString("").contains("version " + sklearn));
        assertThat(state.at("/state/aliases/0/error").asString()).contains("has no onnx flavor")
                .contains("[sklearn, python_function]");

        int garbage = fx.versionWithFiles(model, Map.of("model.onnx", "not a graph".getBytes(StandardCharsets.UTF_8)));
        fx.alias(model, "pickled", garbage);
        state = fx.await(name, d -> d.at("/state/aliases/0/error").asString("").contains("version " + garbage));
        assertThat(state.at("/state/aliases/0/error").asString()).contains("The model file is not a valid ONNX model");

        // Moving the alias to a good version heals the deployment at once.
        fx.alias(model, "pickled", version);
        state = fx.await(name, d -> d.at("/state/ready").asBoolean());
        assertThat(state.at("/state/aliases/0/error").isMissingNode()).isTrue();
        assertThat(fx.infer("/v2/models/" + name + "/infer", ServingFixtures.fp32("input", new float[][] {{1, 2, 3}}))
                .json().at("/outputs/0/data").toString()).isEqualTo("[2.0,4.0,6.0]");
    }

    @Test
    void aModelCannotReadFilesOfTheServerAsItsExternalWeights() throws Exception {
        // ONNX Runtime reads a model's external data from the model file's directory and below. The local copy used to
        // be a file in the shared temporary directory, so a model could name any file under it as its weights and
        // get its bytes back as an output; the copy now sits alone in a directory of its own.
        String secret = "cairn-secret-" + java.util.UUID.randomUUID() + ".bin";
        java.nio.file.Path file = java.nio.file.Path.of(System.getProperty("java.io.tmpdir"), secret);
        java.nio.file.Files.writeString(file, "not for a model!");
        try {
            int leaky = fx.version(model, OnnxModels.externalWeights(secret, 16), Map.of());
            fx.alias(model, "leaky", leaky);
            String name = ServingFixtures.unique("leak");
            Response created = fx.deploy(name, Map.of("model", model, "alias", "leaky"));
            assertThat(created.status()).as(created.body()).isEqualTo(201);
            assertThat(created.json().at("/state/ready").asBoolean()).isFalse();
            assertThat(created.json().at("/state/aliases/0/error").asString())
                    .contains("as external data").contains("which Cairn does not serve");
            Response infer = fx.infer("/v2/models/" + name + "/infer", ServingFixtures.fp32("x", new float[][] {{0}}));
            assertThat(infer.status()).isEqualTo(503);
        } finally {
            java.nio.file.Files.deleteIfExists(file);
        }
    }

    @Test
    void aDirectoryHoldingASingleOnnxFileIsServed() {
        int plain = fx.versionWithFiles(model, Map.of("churn.onnx", OnnxModels.scaling(3, 5f),
                "notes.txt", "trained on 2026q1".getBytes(StandardCharsets.UTF_8)));
        fx.alias(model, "plain", plain);
        String name = fx.deployReady("plain", model, "plain");
        Response r = fx.infer("/v2/models/" + name + "/infer", ServingFixtures.fp32("input", new float[][] {{1, 0, 2}}));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().at("/outputs/0/data").toString()).isEqualTo("[5.0,0.0,10.0]");
    }

    @Test
    void deleteUnloadsTheDeploymentAndClosesItsSession() {
        String name = fx.deployReady("del", model, "champion", "device", "cpu");
        ServedModel served = router.current(name, null);
        assertThat(served.onnx().deviceNote()).isNull();
        assertThat(fx.delete("/api/v1/deployments/" + name).status()).isEqualTo(204);
        assertThat(served.closed()).isTrue();
        assertThat(fx.http.get("/api/v1/deployments/" + name).status()).isEqualTo(404);
        Response infer = fx.infer("/v2/models/" + name + "/infer", ServingFixtures.fp32("input", new float[][] {{1, 2, 3}}));
        assertThat(infer.status()).isEqualTo(404);
        assertThat(fx.http.get("/v2/models/" + name).status()).isEqualTo(404);
    }

    private static void assertProblem(Response r, int status, String detail) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.json().get("detail").asString()).contains(detail);
        assertThat(r.json().get("code").asString()).isNotBlank();
        assertThat(r.json().get("type").asString()).startsWith("urn:cairn:problem:");
    }
}
