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
        byte[] written = new InferenceResponseWriter(JSON).write("m", "1", "id", Map.of(), Map.of("x", tensor));
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
        assertBad(fp32, "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\", \"shape\": [1, -3], "
                + "\"data\": [1, 2, 3]}]}", "shape must be a list of non-negative integers");
        assertBad(fp32, "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\", \"data\": [1, 2, 3]}]}",
                "Input 'x' has no shape; model 'm' version 1 expects [-1, 3]");
        assertBad(fp32, "{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 3], \"datatype\": \"FP32\", \"data\": [1, 2, 3]},"
                + "{\"name\": \"x\", \"shape\": [1, 3], \"datatype\": \"FP32\", \"data\": [1, 2, 3]}]}", "given twice");
    }

    private void assertBad(OnnxModel model, String json, String message) {
        assertThatThrownBy(() -> read(model, json)).isInstanceOf(CairnException.class).hasMessageContaining(message);
    }
}
