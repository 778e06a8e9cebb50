package io.cairn.serving;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.HttpJson.Response;
import io.cairn.IntegrationTest;
import io.cairn.artifacts.ArtifactStore;
import io.cairn.serving.onnx.OnnxArtifacts;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Models whose tensors live in external files are refused before ONNX Runtime opens them: a relative location would
 * otherwise read whatever lies beside the server's copy of the model.
 */
@IntegrationTest
class ExternalDataIT {

    @LocalServerPort
    int port;

    @Autowired
    ArtifactStore store;

    @Autowired
    OnnxArtifacts artifacts;

    ServingFixtures fx;
    Path secret;

    @BeforeEach
    void setUp() throws Exception {
        fx = new ServingFixtures(port, store);
        // Where the copy of a model used to go (straight into the JVM's temporary directory).
        secret = Path.of(System.getProperty("java.io.tmpdir")).resolve("cairn-secret-" + UUID.randomUUID() + ".txt");
        Files.writeString(secret, "TOP-SECRET-VALUE");
    }

    @AfterEach
    void cleanUp() throws Exception {
        fx.cleanUp();
        Files.deleteIfExists(secret);
    }

    @Test
    void aModelReadingAFileBesideItsCopyIsRefusedAndTheFileNeverComesBack() {
        String model = fx.model("ext");
        int length = (int) "TOP-SECRET-VALUE".length();
        int version = fx.version(model, OnnxModels.externalData(secret.getFileName().toString(), length), Map.of());
        fx.alias(model, "champion", version);
        String name = ServingFixtures.unique("ext");
        List<Response> answers = new ArrayList<>();

        Response created = fx.deploy(name, Map.of("model", model, "alias", "champion"));
        answers.add(created);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.json().at("/state/ready").asBoolean()).isFalse();
        assertThat(created.json().at("/state/aliases/0/error").asString())
                .contains("Loading version " + version + " of model " + model + " failed")
                .contains("tensor 'leak'").contains("external data");

        Response infer = fx.infer("/v2/models/" + name + "/infer", Map.of("inputs", List.of(Map.of("name", "x",
                "shape", List.of(1), "datatype", "FP32", "data", List.of(0)))));
        answers.add(infer);
        assertThat(infer.status()).as(infer.body()).isEqualTo(503);
        answers.add(fx.http.get("/api/v1/deployments/" + name));
        answers.add(fx.http.get("/v2/models/" + name));

        // The secret as the V2 answer would show it (UINT8 values) and as text.
        StringBuilder numbers = new StringBuilder();
        for (byte b : "TOP-SECRET-VALUE".getBytes(StandardCharsets.US_ASCII)) {
            numbers.append(numbers.isEmpty() ? "" : ",").append(b);
        }
        for (Response r : answers) {
            assertThat(r.body()).doesNotContain(numbers.toString()).doesNotContain("TOP-SECRET-VALUE");
        }

        // The same deployment heals once the alias points at a model with its weights inside.
        int plain = fx.version(model, OnnxModels.scaling(3, 2f), Map.of());
        fx.alias(model, "champion", plain);
        fx.await(name, d -> d.at("/state/ready").asBoolean());
        Response ok = fx.infer("/v2/models/" + name + "/infer", ServingFixtures.fp32("input", new float[][] {{1, 2, 3}}));
        assertThat(ok.status()).as(ok.body()).isEqualTo(200);
        assertThat(ok.json().at("/outputs/0/data").toString()).isEqualTo("[2.0,4.0,6.0]");
    }

    @Test
    void eachCopyOfAModelIsAloneInADirectoryOnlyTheServerCanEnterAndGoesWhenClosed() throws Exception {
        byte[] onnx = OnnxModels.scaling(2, 1f);
        String path = "serving-tests/" + UUID.randomUUID() + "/model.onnx";
        store.write(path, new ByteArrayInputStream(onnx), onnx.length);
        Path directory;
        try (OnnxArtifacts.LocalCopy copy = artifacts.fetch(path)) {
            directory = copy.directory();
            assertThat(copy.file().getParent()).isEqualTo(directory);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(directory))).isEqualTo("rwx------");
            try (var files = Files.list(directory)) {
                assertThat(files.toList()).containsExactly(copy.file());
            }
            assertThat(Files.readAllBytes(copy.file())).isEqualTo(onnx);
        }
        assertThat(directory).doesNotExist();
    }
}
