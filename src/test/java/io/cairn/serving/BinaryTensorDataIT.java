package io.cairn.serving;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnx.proto.OnnxMl.TensorProto;
import io.cairn.HttpJson;
import io.cairn.IntegrationTest;
import io.cairn.artifacts.ArtifactStore;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/**
 * The protocol's binary tensor data extension over HTTP: a JSON header of {@code Inference-Header-Content-Length}
 * bytes, then raw little-endian tensor bytes, in requests and (when asked for) in responses.
 */
@IntegrationTest
class BinaryTensorDataIT {

    private static final String HEADER = "Inference-Header-Content-Length";

    @LocalServerPort
    int port;

    @Autowired
    ArtifactStore store;

    ServingFixtures fx;
    final HttpClient client = HttpClient.newHttpClient();

    @BeforeEach
    void setUp() {
        fx = new ServingFixtures(port, store);
    }

    @AfterEach
    void cleanUp() {
        fx.cleanUp();
    }

    record Answer(int status, String contentType, Integer headerLength, JsonNode json, byte[] binary) {
    }

    /** POSTs the JSON header followed by the binary parts, with the header-length header unless told otherwise. */
    Answer post(String deployment, String json, boolean withHeader, byte[]... binary) throws Exception {
        byte[] header = json.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(header);
        for (byte[] part : binary) {
            body.writeBytes(part);
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/v2/models/"
                + deployment + "/infer")).header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()));
        if (withHeader) {
            request.header(HEADER, Integer.toString(header.length));
        }
        HttpResponse<byte[]> r = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        Integer length = r.headers().firstValue(HEADER).map(Integer::valueOf).orElse(null);
        byte[] all = r.body();
        int jsonEnd = length == null ? all.length : length;
        return new Answer(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), length,
                HttpJson.mapper().readTree(Arrays.copyOfRange(all, 0, jsonEnd)),
                Arrays.copyOfRange(all, jsonEnd, all.length));
    }

    static byte[] doubles(double... values) {
        ByteBuffer b = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (double v : values) {
            b.putDouble(v);
        }
        return b.array();
    }

    static double[] doubles(byte[] bytes) {
        double[] out = new double[bytes.length / 8];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().get(out);
        return out;
    }

    @Test
    void binaryAndJsonInputsMixAndOutputsComeBackAsAskedFor() throws Exception {
        String model = fx.model("bin");
        fx.alias(model, "prod", fx.version(model, OnnxModels.twoInputsTwoOutputs(), Map.of()));
        String name = fx.deployReady("bin", model, "prod");

        // a and b as binary (in this order after the header), c as JSON; sum back as binary, flag as JSON.
        String json = """
                {"inputs": [
                  {"name": "a", "datatype": "FP64", "shape": [2, 2], "parameters": {"binary_data_size": 32}},
                  {"name": "c", "datatype": "BOOL", "shape": [2], "data": [true, false]},
                  {"name": "b", "datatype": "FP64", "shape": [2, 2], "parameters": {"binary_data_size": 32}}
                 ],
                 "outputs": [{"name": "sum", "parameters": {"binary_data": true}}, {"name": "flag"}]}""";
        Answer r = post(name, json, true, doubles(0.5, 1, 1, 1), doubles(1.5, 2, 3, 1e300));
        assertThat(r.status()).as(r.json().toString()).isEqualTo(200);
        assertThat(r.contentType()).startsWith("application/octet-stream");
        assertThat(r.headerLength()).isNotNull();
        JsonNode sum = r.json().at("/outputs/0");
        assertThat(sum.get("name").asString()).isEqualTo("sum");
        assertThat(sum.has("data")).isFalse();
        assertThat(sum.at("/parameters/binary_data_size").asInt()).isEqualTo(32);
        assertThat(sum.get("shape").toString()).isEqualTo("[2,2]");
        assertThat(doubles(r.binary())).containsExactly(2.0, 3.0, 4.0, 1e300 + 1);
        assertThat(r.json().at("/outputs/1/data").toString()).isEqualTo("[false,true]");

        // binary_data_output at request level: every output binary, in output order (sum, then flag as 1-byte BOOLs).
        String allBinary = """
                {"parameters": {"binary_data_output": true},
                 "inputs": [
                  {"name": "a", "datatype": "FP64", "shape": [1, 2], "parameters": {"binary_data_size": 16}},
                  {"name": "b", "datatype": "FP64", "shape": [1, 2], "parameters": {"binary_data_size": 16}},
                  {"name": "c", "datatype": "BOOL", "shape": [1], "parameters": {"binary_data_size": 1}}]}""";
        Answer all = post(name, allBinary, true, doubles(1, 2), doubles(10, 20), new byte[] {1});
        assertThat(all.status()).as(all.json().toString()).isEqualTo(200);
        assertThat(all.json().at("/outputs/0/parameters/binary_data_size").asInt()).isEqualTo(16);
        assertThat(all.json().at("/outputs/1/parameters/binary_data_size").asInt()).isEqualTo(1);
        assertThat(doubles(Arrays.copyOfRange(all.binary(), 0, 16))).containsExactly(11.0, 22.0);
        assertThat(all.binary()[16]).isEqualTo((byte) 0); // Not(true)

        // Without any binary: plain JSON, no header.
        Answer plain = post(name, "{\"inputs\": [{\"name\": \"a\", \"datatype\": \"FP64\", \"shape\": [1, 2], \"data\": "
                + "[1, 2]}, {\"name\": \"b\", \"datatype\": \"FP64\", \"shape\": [1, 2], \"data\": [3, 4]}, {\"name\": "
                + "\"c\", \"datatype\": \"BOOL\", \"shape\": [1], \"data\": [false]}]}", false);
        assertThat(plain.status()).isEqualTo(200);
        assertThat(plain.contentType()).startsWith("application/json");
        assertThat(plain.headerLength()).isNull();
        assertThat(plain.json().at("/outputs/0/data").toString()).isEqualTo("[4.0,6.0]");
    }

    @Test
    void everyDatatypeRoundTripsByteForByteThroughAnIdentityModel() throws Exception {
        record Case(int onnxType, String datatype, byte[] bytes) {
        }
        byte[] unicode = "ünïcødé".getBytes(StandardCharsets.UTF_8);
        ByteBuffer strings = ByteBuffer.allocate(4 + 1 + 4 + 4 + unicode.length + 4 + 3).order(ByteOrder.LITTLE_ENDIAN);
        strings.putInt(1).put((byte) 'a').putInt(0).putInt(unicode.length).put(unicode)
                .putInt(3).put("x y".getBytes(StandardCharsets.UTF_8));
        ByteBuffer fp32 = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putFloat(0.1f).putFloat(Float.NaN)
                .putFloat(Float.NEGATIVE_INFINITY).putFloat(1.0E-45f);
        ByteBuffer int64 = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN).putLong(Long.MIN_VALUE).putLong(0)
                .putLong(-9007199254740993L).putLong(Long.MAX_VALUE);
        List<Case> cases = List.of(
                new Case(TensorProto.DataType.FLOAT_VALUE, "FP32", fp32.array()),
                new Case(TensorProto.DataType.INT64_VALUE, "INT64", int64.array()),
                new Case(TensorProto.DataType.INT16_VALUE, "INT16", new byte[] {0, (byte) 0x80, 1, 0, -1, -1, 9, 0}),
                new Case(TensorProto.DataType.UINT8_VALUE, "UINT8", new byte[] {0, 1, (byte) 128, (byte) 255}),
                new Case(TensorProto.DataType.BOOL_VALUE, "BOOL", new byte[] {1, 0, 0, 1}),
                new Case(TensorProto.DataType.STRING_VALUE, "BYTES", strings.array()));
        String model = fx.model("bintypes");
        for (Case c : cases) {
            String alias = "t" + c.datatype().toLowerCase();
            fx.alias(model, alias, fx.version(model, OnnxModels.identity(c.onnxType(), -1, 2), Map.of()));
            String name = fx.deployReady("bintypes", model, alias);
            Answer r = post(name, "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"" + c.datatype() + "\", \"shape\": "
                    + "[2, 2], \"parameters\": {\"binary_data_size\": " + c.bytes().length + "}}], \"outputs\": [{\"name\": "
                    + "\"y\", \"parameters\": {\"binary_data\": true}}]}", true, c.bytes());
            assertThat(r.status()).as(c.datatype() + ": " + r.json()).isEqualTo(200);
            assertThat(r.json().at("/outputs/0/datatype").asString()).isEqualTo(c.datatype());
            assertThat(r.binary()).as(c.datatype()).containsExactly(c.bytes());
        }
    }

    @Test
    void binaryDataThatDoesNotAddUpIsRefusedWithTheProtocolsError() throws Exception {
        String model = fx.model("binbad");
        fx.alias(model, "prod", fx.version(model, OnnxModels.identity(TensorProto.DataType.FLOAT_VALUE, -1, 2), Map.of()));
        String name = fx.deployReady("binbad", model, "prod");
        String eightFloats = "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\", \"shape\": [4, 2], "
                + "\"parameters\": {\"binary_data_size\": 32}}]}";

        assertBad(post(name, eightFloats, true, new byte[28]), "add up to 32 bytes but 28 bytes follow");
        assertBad(post(name, eightFloats.replace("32}", "28}"), true, new byte[28]),
                "8 FP32 values, 32 bytes) but binary_data_size 28");
        assertBad(post(name, eightFloats, false, new byte[32]), "Inference-Header-Content-Length");
        assertBad(post(name, eightFloats.replace("}}]}", "}, \"data\": [1, 2, 3, 4, 5, 6, 7, 8]}]}"), true, new byte[32]),
                "both data and a binary_data_size");

        HttpResponse<String> tooLong = client.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port
                + "/v2/models/" + name + "/infer")).header(HEADER, "100000")
                .POST(HttpRequest.BodyPublishers.ofString(eightFloats)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(tooLong.statusCode()).isEqualTo(400);
        assertThat(HttpJson.mapper().readTree(tooLong.body()).get("error").asString())
                .contains("Inference-Header-Content-Length is 100000");
    }

    @Test
    void hostileShapesAndIdsAreRefusedWithTheProtocolsErrorAndTheServerKeepsServing() throws Exception {
        String model = fx.model("hostile");
        fx.alias(model, "strings", fx.version(model, OnnxModels.identity(TensorProto.DataType.STRING_VALUE, -1), Map.of()));
        fx.alias(model, "matrix", fx.version(model, OnnxModels.identity(TensorProto.DataType.FLOAT_VALUE, -1, -2),
                Map.of()));
        String strings = fx.deployReady("hostile", model, "strings");
        String matrix = fx.deployReady("hostile", model, "matrix");

        // Two billion BYTES elements announced for four bytes: the array was allocated first (an OutOfMemoryError).
        assertBad(post(strings, "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"BYTES\", \"shape\": [2000000000], "
                + "\"parameters\": {\"binary_data_size\": 4}}]}", true, new byte[4]), "but binary_data_size 4");
        // 3 × 6148914691236517206 wraps around to 2 elements: two floats matched, and ONNX Runtime answered a 500.
        assertBad(post(matrix, "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\", "
                + "\"shape\": [3, 6148914691236517206], \"parameters\": {\"binary_data_size\": 8}}]}", true, new byte[8]),
                "is larger than 2147483647");
        assertBad(post(matrix, "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\", "
                + "\"shape\": [65536, 65536], \"data\": [1]}]}", false), "holds more than 2147483639 elements");
        // A NUL in the id made the prediction log's whole batch fail to insert.
        assertBad(post(strings, "{\"id\": \"a\\u0000b\", \"inputs\": [{\"name\": \"x\", \"datatype\": \"BYTES\", "
                + "\"shape\": [1], \"data\": [\"a\"]}]}", false), "'id' must not contain NUL");

        Answer fine = post(strings, "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"BYTES\", \"shape\": [1], "
                + "\"data\": [\"still here\"]}]}", false);
        assertThat(fine.status()).isEqualTo(200);
        assertThat(fine.json().at("/outputs/0/data/0").asString()).isEqualTo("still here");
        assertThat(fx.http.get("/actuator/health/liveness").status()).isEqualTo(200);
    }

    @Test
    void serverMetadataAnnouncesTheExtension() {
        assertThat(fx.http.get("/v2").json().get("extensions").toString()).contains("binary_tensor_data");
    }

    private static void assertBad(Answer r, String fragment) {
        assertThat(r.status()).as(r.json().toString()).isEqualTo(400);
        assertThat(r.json().size()).isEqualTo(1);
        assertThat(r.json().get("error").asString()).contains(fragment);
    }
}
