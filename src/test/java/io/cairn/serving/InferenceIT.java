package io.cairn.serving;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.cairn.HttpJson.Response;
import io.cairn.IntegrationTest;
import io.cairn.artifacts.ArtifactStore;
import io.cairn.serving.deployments.DeploymentRouter;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/** The Open Inference Protocol over deployed registry models: answers, metadata, health, datatypes, bad tensors. */
@IntegrationTest
class InferenceIT {

    @LocalServerPort
    int port;

    @Autowired
    ArtifactStore store;

    @Autowired
    DeploymentRouter router;

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
    void outputsEqualTheSameSessionCalledInProcessBitForBit() throws Exception {
        String model = fx.model("mlp");
        int version = fx.version(model, OnnxModels.mlp(8, 16, 3, 7), Map.of());
        fx.alias(model, "champion", version);
        String name = fx.deployReady("mlp", model, "champion");

        Random random = new Random(42);
        for (int rows : new int[] {1, 3, 17}) {
            float[][] input = new float[rows][8];
            for (float[] row : input) {
                for (int i = 0; i < row.length; i++) {
                    row[i] = (float) random.nextGaussian() * 3;
                }
            }
            Response r = fx.infer("/v2/models/" + name + "/infer", ServingFixtures.fp32("input", input));
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            assertThat(r.json().get("model_name").asString()).isEqualTo(name);
            assertThat(r.json().get("model_version").asString()).isEqualTo(String.valueOf(version));
            JsonNode output = r.json().at("/outputs/0");
            assertThat(output.get("name").asString()).isEqualTo("output");
            assertThat(output.get("datatype").asString()).isEqualTo("FP32");
            assertThat(output.get("shape").toString()).isEqualTo("[" + rows + ",3]");

            float[] expected = inProcess(router.current(name, null).onnx().session(), input);
            assertThat(ServingFixtures.floats(output.get("data"))).containsExactly(expected);
        }
    }

    /** Calls the deployment's own ORT session directly, without any of Cairn's code in between. */
    private static float[] inProcess(OrtSession session, float[][] input) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        float[] flat = new float[input.length * input[0].length];
        for (int r = 0; r < input.length; r++) {
            System.arraycopy(input[r], 0, flat, r * input[0].length, input[0].length);
        }
        try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(flat), new long[] {input.length, input[0].length});
             OrtSession.Result result = session.run(Map.of("input", t))) {
            FloatBuffer out = ((OnnxTensor) result.get(0)).getFloatBuffer();
            float[] values = new float[out.remaining()];
            out.get(values);
            return values;
        }
    }

    @Test
    void metadataHealthAndReadinessFollowTheProtocol() {
        String model = fx.model("meta");
        int version = fx.version(model, OnnxModels.linear(new float[][] {{1, 0}, {0, 1}, {1, 1}}, new float[] {0, 0}),
                Map.of());
        fx.alias(model, "prod", version);
        String name = fx.deployReady("meta", model, "prod");

        assertThat(fx.http.get("/v2/health/live").json().get("live").asBoolean()).isTrue();
        Response server = fx.http.get("/v2");
        assertThat(server.status()).isEqualTo(200);
        assertThat(server.json().get("name").asString()).isEqualTo("cairn");
        assertThat(server.json().get("extensions").isArray()).isTrue();

        Response metadata = fx.http.get("/v2/models/" + name);
        assertThat(metadata.status()).as(metadata.body()).isEqualTo(200);
        JsonNode m = metadata.json();
        assertThat(m.get("name").asString()).isEqualTo(name);
        assertThat(m.get("platform").asString()).isEqualTo("onnxruntime_onnx");
        assertThat(m.get("versions").toString()).isEqualTo("[\"" + version + "\"]");
        assertThat(m.get("inputs").toString()).isEqualTo("[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[-1,3]}]");
        assertThat(m.get("outputs").toString()).isEqualTo("[{\"name\":\"output\",\"datatype\":\"FP32\",\"shape\":[-1,2]}]");
        assertThat(m.at("/parameters/device").asString()).isEqualTo("cpu");
        assertThat(m.at("/parameters/alias").asString()).isEqualTo("prod");

        assertThat(fx.http.get("/v2/models/" + name + "/versions/" + version).json().get("versions").toString())
                .isEqualTo("[\"" + version + "\"]");
        Response ready = fx.http.get("/v2/models/" + name + "/ready");
        assertThat(ready.status()).isEqualTo(200);
        assertThat(ready.json().get("ready").asBoolean()).isTrue();
        assertThat(fx.http.get("/v2/models/" + name + "/versions/" + version + "/ready").status()).isEqualTo(200);

        Response versioned = fx.infer("/v2/models/" + name + "/versions/" + version + "/infer",
                ServingFixtures.fp32("input", new float[][] {{1, 2, 3}}));
        assertThat(versioned.status()).as(versioned.body()).isEqualTo(200);
        assertThat(versioned.json().at("/outputs/0/data").toString()).isEqualTo("[4.0,5.0]");

        Response unknownVersion = fx.http.get("/v2/models/" + name + "/versions/999");
        assertThat(unknownVersion.status()).isEqualTo(404);
        assertThat(unknownVersion.json().get("error").asString()).contains("Version 999").contains("loaded: [" + version);
        assertThat(fx.infer("/v2/models/" + name + "/versions/999/infer",
                ServingFixtures.fp32("input", new float[][] {{1, 2, 3}})).status()).isEqualTo(404);
        Response unknownModel = fx.http.get("/v2/models/no-such-deployment/ready");
        assertThat(unknownModel.status()).isEqualTo(404);
        assertThat(unknownModel.json().get("error").asString()).contains("no-such-deployment");
    }

    @Test
    void responsesCarryTheRequestIdOrAPredictionIdAndTheAnsweringVersion() {
        String model = fx.model("ids");
        int version = fx.version(model, OnnxModels.scaling(2, 2f), Map.of());
        fx.alias(model, "prod", version);
        String name = fx.deployReady("ids", model, "prod");

        Map<String, Object> request = new LinkedHashMap<>(ServingFixtures.fp32("input", new float[][] {{1, 2}}));
        request.put("id", "my-request-7");
        request.put("parameters", Map.of("anything", "ignored"));
        Response withId = fx.http.send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://127.0.0.1:" + port + "/v2/models/" + name + "/infer"))
                .header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                        io.cairn.HttpJson.mapper().writeValueAsString(request))));
        assertThat(withId.json().get("id").asString()).isEqualTo("my-request-7");
        String predictionId = withId.json().at("/parameters/prediction_id").asString();
        assertThat(predictionId).matches("[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
        assertThat(withId.json().at("/parameters/alias").asString()).isEqualTo("prod");

        Response without = fx.infer("/v2/models/" + name + "/infer", ServingFixtures.fp32("input", new float[][] {{1, 2}}));
        assertThat(without.json().get("id").asString()).isEqualTo(without.json().at("/parameters/prediction_id").asString());
        assertThat(without.json().at("/outputs/0/data").toString()).isEqualTo("[2.0,4.0]");
    }

    @Test
    void everyServedDatatypeRoundTripsFlatOrNested() {
        record Case(int onnxType, String datatype, List<Object> values) {
        }
        List<Case> cases = List.of(
                new Case(TensorProto.DataType.BOOL_VALUE, "BOOL", List.of(true, false, false, true)),
                new Case(TensorProto.DataType.INT32_VALUE, "INT32", List.of(-2147483648, 0, 7, 2147483647)),
                new Case(TensorProto.DataType.INT64_VALUE, "INT64", List.of(-9007199254740993L, 0, 1, 9223372036854775807L)),
                new Case(TensorProto.DataType.FLOAT_VALUE, "FP32", List.of(0.1f, -1.5f, 3.4028235E38f, 1.0E-45f)),
                new Case(TensorProto.DataType.DOUBLE_VALUE, "FP64", List.of(0.1, -1.5, 1.7976931348623157E308, 4.9E-324)),
                new Case(TensorProto.DataType.STRING_VALUE, "BYTES", List.of("a", "", "ünïcødé", "x y")),
                new Case(TensorProto.DataType.INT8_VALUE, "INT8", List.of(-128, 0, 5, 127)),
                new Case(TensorProto.DataType.UINT8_VALUE, "UINT8", List.of(0, 1, 128, 255)),
                new Case(TensorProto.DataType.INT16_VALUE, "INT16", List.of(-32768, 0, 9, 32767)));
        String model = fx.model("types");
        for (Case c : cases) {
            int version = fx.version(model, OnnxModels.identity(c.onnxType(), -1, 2), Map.of());
            fx.alias(model, "t" + c.datatype().toLowerCase(), version);
            String name = fx.deployReady("types", model, "t" + c.datatype().toLowerCase());

            Response flat = fx.infer("/v2/models/" + name + "/infer", Map.of("inputs", List.of(Map.of(
                    "name", "x", "shape", List.of(2, 2), "datatype", c.datatype(), "data", c.values()))));
            assertThat(flat.status()).as(c.datatype() + ": " + flat.body()).isEqualTo(200);
            JsonNode out = flat.json().at("/outputs/0");
            assertThat(out.get("datatype").asString()).isEqualTo(c.datatype());
            assertThat(out.get("shape").toString()).isEqualTo("[2,2]");
            if (c.datatype().equals("FP32")) {
                // Floats compare as floats: any shortest text of a float reads back as that float.
                float[] expected = new float[4];
                for (int i = 0; i < 4; i++) {
                    expected[i] = (Float) c.values().get(i);
                }
                assertThat(ServingFixtures.floats(out.get("data"))).containsExactly(expected);
            } else {
                assertThat(out.get("data").toString()).as(c.datatype())
                        .isEqualTo(io.cairn.HttpJson.mapper().writeValueAsString(c.values()));
            }

            Response nested = fx.infer("/v2/models/" + name + "/infer", Map.of("inputs", List.of(Map.of(
                    "name", "x", "shape", List.of(2, 2), "datatype", c.datatype(),
                    "data", List.of(c.values().subList(0, 2), c.values().subList(2, 4))))));
            assertThat(nested.status()).as(nested.body()).isEqualTo(200);
            assertThat(nested.json().at("/outputs/0/data")).isEqualTo(out.get("data"));
        }
    }

    @Test
    void severalInputsAndOutputsAndAChosenSubsetOfOutputs() {
        String model = fx.model("two");
        int version = fx.version(model, OnnxModels.twoInputsTwoOutputs(), Map.of());
        fx.alias(model, "prod", version);
        String name = fx.deployReady("two", model, "prod");
        // datatype after data, and inputs in another order than the model's: still read correctly.
        String body = """
                {"inputs": [
                  {"name": "c", "shape": [2], "data": [true, false], "datatype": "BOOL"},
                  {"data": [[1.5, 2], [3, 4]], "name": "b", "datatype": "FP64", "shape": [2, 2]},
                  {"name": "a", "datatype": "FP64", "shape": [2, 2], "data": [0.5, 1, 1, 1]}
                ]}""";
        Response all = fx.http.post("/v2/models/" + name + "/infer", body);
        assertThat(all.status()).as(all.body()).isEqualTo(200);
        assertThat(all.json().at("/outputs/0/name").asString()).isEqualTo("sum");
        assertThat(all.json().at("/outputs/0/data").toString()).isEqualTo("[2.0,3.0,4.0,5.0]");
        assertThat(all.json().at("/outputs/1/name").asString()).isEqualTo("flag");
        assertThat(all.json().at("/outputs/1/data").toString()).isEqualTo("[false,true]");

        Response one = fx.http.post("/v2/models/" + name + "/infer",
                body.substring(0, body.lastIndexOf('}')) + ", \"outputs\": [{\"name\": \"flag\"}]}");
        assertThat(one.status()).as(one.body()).isEqualTo(200);
        assertThat(one.json().get("outputs")).hasSize(1);
        assertThat(one.json().at("/outputs/0/name").asString()).isEqualTo("flag");
    }

    @Test
    void badTensorsAreRefusedWithTheProtocolsErrorNamingWhatWasExpected() {
        String model = fx.model("bad");
        int version = fx.version(model, OnnxModels.linear(new float[][] {{1}, {1}, {1}}, new float[] {0}), Map.of());
        fx.alias(model, "prod", version);
        String name = fx.deployReady("bad", model, "prod");
        String path = "/v2/models/" + name + "/infer";

        assertBad(fx.http.post(path, input("inpt", "FP32", "[1, 3]", "[1, 2, 3]")),
                "Unknown input 'inpt'", "input FP32 [-1, 3]");
        assertBad(fx.http.post(path, input("input", "FP64", "[1, 3]", "[1, 2, 3]")),
                "Input 'input' has datatype FP64", "expects FP32");
        assertBad(fx.http.post(path, input("input", "FLOAT", "[1, 3]", "[1, 2, 3]")),
                "unknown datatype 'FLOAT'", "expects FP32");
        assertBad(fx.http.post(path, input("input", "FP32", "[1, 4]", "[1, 2, 3, 4]")),
                "Input 'input' has shape [1, 4]", "expects [-1, 3]");
        assertBad(fx.http.post(path, input("input", "FP32", "[3]", "[1, 2, 3]")),
                "Input 'input' has shape [3]", "expects [-1, 3]");
        assertBad(fx.http.post(path, input("input", "FP32", "[2, 3]", "[1, 2, 3, 4, 5]")),
                "shape [2, 3] (6 values) but 5 data values");
        assertBad(fx.http.post(path, input("input", "FP32", "[1, 3]", "[1, \"two\", 3]")),
                "Input 'input' data[1]: FP32 needs a number, got the string \"two\"");
        assertBad(fx.http.post(path, "{\"inputs\": []}"), "'inputs' is empty");
        assertBad(fx.http.post(path, "{\"id\": \"x\"}"), "'inputs' is required");
        assertBad(fx.http.post(path, "{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 3], \"datatype\": \"FP32\", "
                + "\"data\": [1, 2, 3]}], \"outputs\": [{\"name\": \"nope\"}]}"), "Unknown output 'nope'", "[output]");
        assertBad(fx.http.post(path, "{\"inputs\": [{\"name\": \"input\""), "Malformed JSON");
        assertBad(fx.http.post(path, "[1, 2]"), "must be a JSON object");

        Response unknown = fx.http.post("/v2/models/" + ServingFixtures.unique("nobody") + "/infer",
                input("input", "FP32", "[1, 3]", "[1, 2, 3]"));
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.json().get("error").asString()).contains("no deployment of that name");
    }

    @Test
    void shapesWhoseValueCountOverflowsAreRefusedBeforeOnnxRuntimeSeesThem() {
        String model = fx.model("huge");
        fx.alias(model, "prod", fx.version(model, OnnxModels.identity(TensorProto.DataType.FLOAT_VALUE, -1, -2),
                Map.of()));
        String name = fx.deployReady("huge", model, "prod");
        String path = "/v2/models/" + name + "/infer";
        for (String[] shapeAndData : new String[][] {{"[4611686018427387905, 4]", "[1, 2, 3, 4]"},
                {"[3037000500, 3037000500]", "[]"}, {"[0, 4611686018427387905]", "[]"}}) {
            Response r = fx.http.post(path, input("x", "FP32", shapeAndData[0], shapeAndData[1]));
            // Every one of these has a dimension beyond what ONNX Runtime's Java API can take (2^31 - 1).
            assertBad(r, "inputs[0].shape: dimension", "is larger than 2147483647");
            assertThat(r.body()).doesNotContainIgnoringCase("onnxruntime").doesNotContain(".cc");
        }
        assertBad(fx.http.post(path, input("x", "FP32", "[1, 99999999999999999999]", "[1]")),
                "inputs[0].shape must be a list of non-negative integers");
        // And the deployment goes on answering.
        Response ok = fx.http.post(path, input("x", "FP32", "[1, 2]", "[1, 2]"));
        assertThat(ok.status()).as(ok.body()).isEqualTo(200);
        assertThat(ok.json().at("/outputs/0/data").toString()).isEqualTo("[1.0,2.0]");
    }

    private static String input(String name, String datatype, String shape, String data) {
        return "{\"inputs\": [{\"name\": \"" + name + "\", \"shape\": " + shape + ", \"datatype\": \"" + datatype
                + "\", \"data\": " + data + "}]}";
    }

    private static void assertBad(Response r, String... fragments) {
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.json().size()).isEqualTo(1);
        String error = r.json().get("error").asString();
        for (String f : fragments) {
            assertThat(error).contains(f);
        }
    }

    static List<Float> list(float... values) {
        List<Float> out = new ArrayList<>();
        for (float v : values) {
            out.add(v);
        }
        return out;
    }
}
