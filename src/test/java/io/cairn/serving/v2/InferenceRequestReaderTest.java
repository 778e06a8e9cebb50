package io.cairn.serving.v2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnx.proto.OnnxMl.TensorProto;
import io.cairn.platform.error.CairnException;
import io.cairn.serving.OnnxModels;
import io.cairn.serving.TestSessions;
import io.cairn.serving.onnx.OnnxModel;
import io.cairn.serving.onnx.Tensor;
import io.cairn.serving.v2.InferenceRequestReader.InferenceRequest;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.core.json.JsonReadFeature;
import tools.jackson.databind.json.JsonMapper;

/** Decoding protocol requests into typed arrays, and the exact float round trip through the writer. */
class InferenceRequestReaderTest {

    private static final JsonMapper JSON = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(tools.jackson.core.StreamWriteFeature.USE_FAST_DOUBLE_WRITER).build();
    private static OnnxModel fp32;
    private static OnnxModel int64;

    private final InferenceRequestReader reader = new InferenceRequestReader(JSON);

    @BeforeAll
    static void open() {
        fp32 = TestSessions.open(OnnxModels.identity(TensorProto.DataType.FLOAT_VALUE, -1, 3));
        int64 = TestSessions.open(OnnxModels.identity(TensorProto.DataType.INT64_VALUE, -1));
    }

    @AfterAll
    static void close() {
        fp32.close();
        int64.close();
    }

    private InferenceRequest read(OnnxModel model, String json) {
        return reader.read(json.getBytes(StandardCharsets.UTF_8), model, "model 'm' version 1");
    }

    @Test
    void floatsSurviveTheRoundTripThroughJsonBitForBit() {
        Random random = new Random(1);
        float[] values = new float[3000];
        for (int i = 0; i < values.length; i++) {
            values[i] = switch (i % 3) {
                case 0 -> Float.intBitsToFloat(random.nextInt()) ; // any bit pattern, NaN and infinities included
                case 1 -> (float) random.nextGaussian();
                default -> random.nextFloat() * 1e-30f;
            };
        }
        Tensor tensor = new Tensor(io.cairn.serving.onnx.Datatype.FP32, new long[] {1000, 3}, values);
        byte[] written = new InferenceResponseWriter(JSON).write("m", "1", "id", Map.of(), Map.of("x", tensor),
                new InferenceRequestReader.BinaryOutputs(false, java.util.Set.of())).body();
        // NaN and the infinities come out as strings, which the reader takes back.
        String data = JSON.readTree(written).at("/outputs/0/data").toString();
        float[] back = (float[]) read(fp32, "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\", \"shape\": [1000, 3], "
                + "\"data\": " + data + "}]}").inputs().get("x").data();
        for (int i = 0; i < values.length; i++) {
            if (Float.isNaN(values[i])) {
                assertThat(back[i]).isNaN();
            } else {
                assertThat(Float.floatToIntBits(back[i])).as("value %d: %s", i, values[i])
                        .isEqualTo(Float.floatToIntBits(values[i]));
            }
        }
    }

    @Test
    void fieldsInAnyOrderNestedDataAndExtraFieldsAreRead() {
        InferenceRequest r = read(fp32, """
                {"parameters": {"x": [1, {"y": 2}]}, "outputs": [{"name": "y", "parameters": {}}],
                 "inputs": [{"data": [[1, 2, 3], [4.5, -6, 7e-3]], "parameters": {"content_type": "np"},
                             "shape": [2, 3], "datatype": "FP32", "name": "x"}],
                 "id": "r1"}""");
        assertThat(r.id()).isEqualTo("r1");
        assertThat(r.outputs()).containsExactly("y");
        Tensor x = r.inputs().get("x");
        assertThat(x.shape()).containsExactly(2, 3);
        assertThat((float[]) x.data()).containsExactly(1f, 2f, 3f, 4.5f, -6f, 7e-3f);
    }

    @Test
    void int64KeepsValuesBeyondWhatADoubleHolds() {
        long[] data = (long[]) read(int64, "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"INT64\", \"shape\": [3], "
                + "\"data\": [9007199254740993, -9223372036854775808, 9223372036854775807]}]}").inputs().get("x").data();
        assertThat(data).containsExactly(9007199254740993L, Long.MIN_VALUE, Long.MAX_VALUE);
    }

    @Test
    void valuesOfTheWrongKindAreRefusedWithTheirPosition() {
        assertBad(int64, "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"INT64\", \"shape\": [2], \"data\": [1, 2.5]}]}",
                "Input 'x' data[1]: INT64 needs an integer, got 2.5");
        assertBad(int64, "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"INT64\", \"shape\": [1], "
                + "\"data\": [92233720368547758070]}]}", "out of range for INT64");
        assertBad(fp32, "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\", \"shape\": [1, 3], "
                + "\"data\": [1, null, 3]}]}", "data[1]: FP32 needs a number, got null");
        assertBad(fp32, "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\", \"shape\": [1, 3], \"data\": 5}]}",
                "data must be a list");
        assertBad(fp32, "{\"inputs\": [{\"name\": \"x\", \"data\": \"1, 2, 3\", \"datatype\": \"FP32\", \"shape\": [1, 3]}]}",
                "Input 'x': data must be a list");
        assertBad(fp32, "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\", \"shape\": [1, -3], "
                + "\"data\": [1, 2, 3]}]}", "shape must be a list of non-negative integers");
        assertBad(fp32, "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\", \"data\": [1, 2, 3]}]}",
                "Input 'x' has no shape; model 'm' version 1 expects [-1, 3]");
        assertBad(fp32, "{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 3], \"datatype\": \"FP32\", \"data\": [1, 2, 3]},"
                + "{\"name\": \"x\", \"shape\": [1, 3], \"datatype\": \"FP32\", \"data\": [1, 2, 3]}]}", "given twice");
    }

    @Test
    void shapesWhoseCountOverflowsOrHostileNumbersAre400sNamingTheInput() {
        OnnxModel any = TestSessions.open(OnnxModels.identity(TensorProto.DataType.FLOAT_VALUE, -1, -2));
        OnnxModel strings = TestSessions.open(OnnxModels.identity(TensorProto.DataType.STRING_VALUE, -1));
        try {
            String x = "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\", \"shape\": %s, \"data\": %s}]}";
            // 4611686018427387905 * 4 wraps around to 4 in a long: the 4 values seemed to fit.
            assertBadModel(any, x.formatted("[4611686018427387905, 4]", "[1, 2, 3, 4]"),
                    "inputs[0].shape: dimension 4611686018427387905 is larger than 2147483647");
            assertBadModel(any, x.formatted("[3037000500, 3037000500]", "[]"), "dimension 3037000500 is larger than");
            assertBadModel(any, x.formatted("[0, 4611686018427387905]", "[]"), "dimension 4611686018427387905 is larger");
            assertBadModel(any, x.formatted("[1, 99999999999999999999]", "[1]"),
                    "inputs[0].shape must be a list of non-negative integers");
            assertBadModel(any, x.formatted("[1, NaN]", "[1]"), "inputs[0].shape must be a list of non-negative");
            assertBadModel(any, x.formatted("[1, 2.5]", "[1]"), "inputs[0].shape must be a list of non-negative");
            assertBadModel(any, x.formatted("[1, -1]", "[1]"), "inputs[0].shape must be a list of non-negative");
            assertBadModel(any, x.formatted("[2, 2]", "[1, 2, 3]"), "shape [2, 2] (4 values) but 3 data values");
            assertBadModel(any, x.formatted("[1, 2]", "[1, 2, 3]"), "shape [1, 2] (2 values) but 3 data values");
            assertBadModel(int64, "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"INT64\", \"shape\": [1], "
                    + "\"data\": [NaN]}]}", "Input 'x' data[0]: INT64 needs an integer, got NaN");
            assertBadModel(int64, "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"INT64\", \"shape\": [1], "
                    + "\"data\": [\"NaN\"]}]}", "Input 'x' data[0]: INT64 needs an integer, got the string \"NaN\"");
            // Binary data: the shape is checked before anything is allocated for it.
            String binary = "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"%s\", \"shape\": %s, "
                    + "\"parameters\": {\"binary_data_size\": %s}}]}";
            assertThatThrownBy(() -> readBinary(any, binary.formatted("FP32", "[4611686018427387905, 4]", 16),
                    new byte[16])).isInstanceOf(CairnException.class)
                    .hasMessageContaining("is larger than 2147483647");
            assertThatThrownBy(() -> readBinary(strings, binary.formatted("BYTES", "[3000000000]", 4), new byte[4]))
                    .isInstanceOf(CairnException.class).hasMessageContaining("dimension 3000000000 is larger than");
            assertThatThrownBy(() -> readBinary(strings, binary.formatted("BYTES", "[1000000000]", 4), new byte[4]))
                    .isInstanceOf(CairnException.class).hasMessageContaining("Input 'x' has shape [1000000000] "
                            + "(1000000000 BYTES values, at least 4 bytes each) but binary_data_size 4");
            assertThatThrownBy(() -> readBinary(any, binary.formatted("FP32", "[1, 1]", "99999999999999999999"),
                    new byte[4])).isInstanceOf(CairnException.class)
                    .hasMessageContaining("binary_data_size must be a non-negative integer");
        } finally {
            any.close();
            strings.close();
        }
    }

    private void assertBadModel(OnnxModel model, String json, String message) {
        assertThatThrownBy(() -> read(model, json)).isInstanceOf(CairnException.class).hasMessageContaining(message);
    }

    /** The JSON header followed by the binary part, as the binary tensor data extension sends them. */
    private InferenceRequest readBinary(OnnxModel model, String json, byte[] binary) {
        byte[] header = json.getBytes(StandardCharsets.UTF_8);
        byte[] body = java.util.Arrays.copyOf(header, header.length + binary.length);
        System.arraycopy(binary, 0, body, header.length, binary.length);
        return reader.read(body, header.length, model, "model 'm' version 1");
    }

    @Test
    void binaryInputsAreReadLittleEndianAndOutputsAskedForAsBinaryAreNoted() {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(24).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        float[] values = {1.5f, -0f, Float.MIN_VALUE, Float.MAX_VALUE, Float.NaN, 7};
        for (float v : values) {
            b.putFloat(v);
        }
        InferenceRequest r = readBinary(fp32, "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\", \"shape\": "
                + "[2, 3], \"parameters\": {\"binary_data_size\": 24}}], \"outputs\": [{\"name\": \"y\", "
                + "\"parameters\": {\"binary_data\": true}}]}", b.array());
        float[] read = (float[]) r.inputs().get("x").data();
        for (int i = 0; i < values.length; i++) {
            assertThat(Float.floatToRawIntBits(read[i])).isEqualTo(Float.floatToRawIntBits(values[i]));
        }
        assertThat(r.binary().wants("y")).isTrue();
        assertThat(r.binary().all()).isFalse();
        assertThat(read(fp32, "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\", \"shape\": [1, 3], "
                + "\"data\": [1, 2, 3]}]}").binary().wants("y")).isFalse();
    }

    @Test
    void binaryBoolAndBytesAreChecked() {
        OnnxModel bool = TestSessions.open(OnnxModels.identity(TensorProto.DataType.BOOL_VALUE, -1));
        OnnxModel strings = TestSessions.open(OnnxModels.identity(TensorProto.DataType.STRING_VALUE, -1));
        try {
            String boolJson = "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"BOOL\", \"shape\": [3], "
                    + "\"parameters\": {\"binary_data_size\": 3}}]}";
            assertThat((boolean[]) readBinary(bool, boolJson, new byte[] {1, 0, 1}).inputs().get("x").data())
                    .containsExactly(true, false, true);
            assertThatThrownBy(() -> readBinary(bool, boolJson, new byte[] {1, 2, 1}))
                    .hasMessageContaining("binary data[1]: BOOL is one byte, 0 or 1; got 2");

            String bytesJson = "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"BYTES\", \"shape\": [2], "
                    + "\"parameters\": {\"binary_data_size\": %d}}]}";
            byte[] two = {2, 0, 0, 0, 'h', 'i', 0, 0, 0, 0};
            assertThat((String[]) readBinary(strings, bytesJson.formatted(two.length), two).inputs().get("x").data())
                    .containsExactly("hi", "");
            byte[] extra = {2, 0, 0, 0, 'h', 'i', 0, 0, 0, 0, 9};
            assertThatThrownBy(() -> readBinary(strings, bytesJson.formatted(extra.length), extra))
                    .hasMessageContaining("1 bytes of binary data left over after its 2 BYTES elements");
            byte[] overlong = {2, 0, 0, 0, 'h', 'i', 50, 0, 0, 0};
            assertThatThrownBy(() -> readBinary(strings, bytesJson.formatted(overlong.length), overlong))
                    .hasMessageContaining("binary data[1] claims 50 bytes but only 0 remain");
            byte[] notUtf8 = {1, 0, 0, 0, (byte) 0xff, 0, 0, 0, 0};
            assertThatThrownBy(() -> readBinary(strings, bytesJson.formatted(notUtf8.length), notUtf8))
                    .hasMessageContaining("is not UTF-8 text");
        } finally {
            bool.close();
            strings.close();
        }
    }

    @Test
    void outputsAskedForAsBinaryFollowTheJsonHeaderLittleEndian() {
        Tensor y = new Tensor(io.cairn.serving.onnx.Datatype.INT32, new long[] {2}, new int[] {1, -2});
        Tensor z = new Tensor(io.cairn.serving.onnx.Datatype.FP64, new long[] {1}, new double[] {0.25});
        Map<String, Tensor> outputs = new java.util.LinkedHashMap<>();
        outputs.put("y", y);
        outputs.put("z", z);
        InferenceResponseWriter.Encoded e = new InferenceResponseWriter(JSON).write("m", "1", "id", Map.of(), outputs,
                new InferenceRequestReader.BinaryOutputs(false, java.util.Set.of("y")));
        byte[] header = java.util.Arrays.copyOf(e.body(), e.headerLength());
        assertThat(JSON.readTree(header).at("/outputs/0/parameters/binary_data_size").asInt()).isEqualTo(8);
        assertThat(JSON.readTree(header).at("/outputs/0/data").isMissingNode()).isTrue();
        assertThat(JSON.readTree(header).at("/outputs/1/data").toString()).isEqualTo("[0.25]");
        assertThat(java.util.Arrays.copyOfRange(e.body(), e.headerLength(), e.body().length))
                .containsExactly(1, 0, 0, 0, -2, -1, -1, -1);
    }

    @Test
    void shapesWhoseElementCountOverflowsAreRefusedBeforeTheyReachOnnxRuntime() {
        OnnxModel matrix = TestSessions.open(OnnxModels.identity(TensorProto.DataType.FLOAT_VALUE, -1, -2));
        try {
            // 3 × 6148914691236517206 wraps around 2^64 to 2: two values used to match it, and ONNX Runtime then
            // failed on the overflow (a 500).
            assertBad(matrix, "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\", \"shape\": [3, 6148914691236517206], "
                    + "\"data\": [1, 2]}]}", "is larger than 2147483647");
            assertBad(matrix, "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\", \"shape\": [2147483647, 2147483647], "
                    + "\"data\": [1]}]}", "holds more than 2147483639 elements");
            assertThatThrownBy(() -> readBinary(matrix, "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\", "
                    + "\"shape\": [1073741824, 8], \"parameters\": {\"binary_data_size\": 0}}]}", new byte[0]))
                    .hasMessageContaining("holds more than 2147483639 elements");
            // A zero dimension holds no elements, however large the others.
            assertThat(read(matrix, "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\", \"shape\": [0, 2147483647], "
                    + "\"data\": []}]}").inputs().get("x").length()).isZero();
        } finally {
            matrix.close();
        }
    }

    @Test
    void binaryBytesOfAShapeTheDataCannotFillAreRefusedBeforeAllocating() {
        OnnxModel strings = TestSessions.open(OnnxModels.identity(TensorProto.DataType.STRING_VALUE, -1));
        try {
            // Two billion elements would have been a 16 GB array (an OutOfMemoryError) for an empty binary part.
            assertThatThrownBy(() -> readBinary(strings, "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"BYTES\", "
                    + "\"shape\": [2000000000], \"parameters\": {\"binary_data_size\": 4}}]}", new byte[4]))
                    .isInstanceOf(CairnException.class)
                    .hasMessageContaining("2000000000 BYTES values, at least 4 bytes each) but binary_data_size 4");
        } finally {
            strings.close();
        }
    }

    /** Bytes this thread allocates while running the action (HotSpot counts them exactly). */
    private static long allocated(Runnable action) {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(id);
        action.run();
        return threads.getThreadAllocatedBytes(id) - before;
    }

    @Test
    void aShortBodyDeclaringALargeShapeAllocatesOnlyWhatItsBytesCanHold() {
        OnnxModel fp64 = TestSessions.open(OnnxModels.identity(TensorProto.DataType.DOUBLE_VALUE, -1));
        try {
            String json = "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP64\", \"shape\": [1048576], \"data\": [1]}]}";
            read(fp64, json.replace("1048576", "1")); // warm up the parser's classes and buffers
            long bytes = allocated(() -> assertThatThrownBy(() -> read(fp64, json))
                    .hasMessageContaining("(1048576 values) but 1 data values"));
            // The shape alone used to size an 8 MB array for this 90-byte body.
            assertThat(bytes).isLessThan(1 << 20);
        } finally {
            fp64.close();
        }
    }

    @Test
    void dataBeforeItsDatatypeIsReadAgainFromTheBodyRatherThanKeptAsATree() {
        OnnxModel floats = TestSessions.open(OnnxModels.identity(TensorProto.DataType.FLOAT_VALUE, -1));
        try {
            int n = 1_000_000;
            StringBuilder data = new StringBuilder(2 * n + 2).append('[');
            for (int i = 0; i < n; i++) {
                data.append(i > 0 ? "," : "").append(i % 10);
            }
            String json = "{\"inputs\": [{\"name\": \"x\", \"data\": " + data.append(']') + ", \"shape\": [" + n
                    + "], \"datatype\": \"FP32\"}]}";
            byte[] body = json.getBytes(StandardCharsets.UTF_8);
            reader.read(body, floats, "m");
            float[][] read = new float[1][];
            long bytes = allocated(() -> read[0] = (float[]) reader.read(body, floats, "m").inputs().get("x").data());
            assertThat(read[0]).hasSize(n);
            assertThat(read[0][123457]).isEqualTo(7f);
            // The float array itself is 4 MB; a tree of a million number nodes took about 30 MB.
            assertThat(bytes).isLessThan(8L << 20);
        } finally {
            floats.close();
        }
    }

    @Test
    void anIdWithNulAndBodiesNotInUtf8AreRefused() {
        assertBad(int64, "{\"id\": \"a\\u0000b\", \"inputs\": [{\"name\": \"x\", \"datatype\": \"INT64\", \"shape\": [1], "
                + "\"data\": [1]}]}", "'id' must not contain NUL characters");
        byte[] utf16 = ("{\"inputs\": [{\"name\": \"x\", \"datatype\": \"INT64\", \"shape\": [1], \"data\": [1]}]}")
                .getBytes(StandardCharsets.UTF_16BE);
        assertThatThrownBy(() -> reader.read(utf16, int64, "m")).isInstanceOf(CairnException.class)
                .hasMessageContaining("must be JSON encoded as UTF-8");
    }

    private void assertBad(OnnxModel model, String json, String message) {
        assertThatThrownBy(() -> read(model, json)).isInstanceOf(CairnException.class).hasMessageContaining(message);
    }
}
