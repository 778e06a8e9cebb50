package io.cairn.serving.v2;

import io.cairn.serving.onnx.Datatype;
import io.cairn.serving.onnx.Tensor;
import io.cairn.serving.v2.InferenceRequestReader.BinaryOutputs;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes an Open Inference Protocol response straight from the output arrays:
 * {@code {"model_name", "model_version", "id", "parameters", "outputs": [{"name", "datatype", "shape", "data"}]}},
 * {@code data} flat in row-major order. Floats are written in their shortest exact form, so a client parsing them
 * back as FP32 gets the very values ONNX Runtime computed.
 *
 * <p>Outputs the client asked for as binary data (the binary tensor data extension) carry
 * {@code "parameters": {"binary_data_size": n}} instead of {@code data}, and their raw little-endian bytes follow the
 * JSON in output order; {@link Encoded#headerLength()} is then the JSON's length, for the
 * {@code Inference-Header-Content-Length} header.
 */
final class InferenceResponseWriter {

    private final JsonMapper json;

    InferenceResponseWriter(JsonMapper json) {
        this.json = json;
    }

    /** A response body; {@code headerLength} is -1 when it is all JSON. */
    record Encoded(byte[] body, int headerLength) {
    }

    Encoded write(String modelName, String modelVersion, String id, Map<String, Object> parameters,
                  Map<String, Tensor> outputs, BinaryOutputs binary) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        List<byte[]> blobs = new ArrayList<>();
        try (JsonGenerator g = json.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringProperty("model_name", modelName);
            g.writeStringProperty("model_version", modelVersion);
            g.writeStringProperty("id", id);
            g.writeName("parameters");
            g.writeStartObject();
            for (Map.Entry<String, Object> p : parameters.entrySet()) {
                g.writeName(p.getKey());
                g.writePOJO(p.getValue());
            }
            g.writeEndObject();
            g.writeName("outputs");
            g.writeStartArray();
            for (Map.Entry<String, Tensor> e : outputs.entrySet()) {
                Tensor t = e.getValue();
                g.writeStartObject();
                g.writeStringProperty("name", e.getKey());
                g.writeStringProperty("datatype", t.datatype().name());
                g.writeName("shape");
                g.writeStartArray();
                for (long d : t.shape()) {
                    g.writeNumber(d);
                }
                g.writeEndArray();
                if (binary.wants(e.getKey())) {
                    byte[] blob = binaryData(t);
                    blobs.add(blob);
                    g.writeName("parameters");
                    g.writeStartObject();
                    g.writeNumberProperty("binary_data_size", blob.length);
                    g.writeEndObject();
                } else {
                    g.writeName("data");
                    writeData(g, t);
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        if (blobs.isEmpty()) {
            return new Encoded(out.toByteArray(), -1);
        }
        int headerLength = out.size();
        for (byte[] blob : blobs) {
            out.writeBytes(blob);
        }
        return new Encoded(out.toByteArray(), headerLength);
    }

    /** A tensor's values in the extension's binary form: little-endian, BYTES as 4-byte length + UTF-8. */
    static byte[] binaryData(Tensor t) {
        if (t.datatype() == Datatype.BYTES) {
            String[] values = (String[]) t.data();
            byte[][] encoded = new byte[values.length][];
            int size = 0;
            for (int i = 0; i < values.length; i++) {
                encoded[i] = values[i].getBytes(StandardCharsets.UTF_8);
                size += 4 + encoded[i].length;
            }
            ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
            for (byte[] e : encoded) {
                b.putInt(e.length).put(e);
            }
            return b.array();
        }
        int n = t.length();
        ByteBuffer b = ByteBuffer.allocate(n * InferenceRequestReader.width(t.datatype())).order(ByteOrder.LITTLE_ENDIAN);
        switch (t.datatype()) {
            case FP32 -> b.asFloatBuffer().put((float[]) t.data());
            case FP64 -> b.asDoubleBuffer().put((double[]) t.data());
            case INT64 -> b.asLongBuffer().put((long[]) t.data());
            case INT32 -> b.asIntBuffer().put((int[]) t.data());
            case INT16 -> b.asShortBuffer().put((short[]) t.data());
            case INT8, UINT8 -> b.put((byte[]) t.data());
            case BOOL -> {
                for (boolean v : (boolean[]) t.data()) {
                    b.put((byte) (v ? 1 : 0));
                }
            }
            case BYTES -> throw new IllegalStateException("handled above");
        }
        return b.array();
    }

    private static void writeData(JsonGenerator g, Tensor t) {
        g.writeStartArray();
        switch (t.datatype()) {
            case FP32 -> {
                for (float v : (float[]) t.data()) {
                    g.writeNumber(v);
                }
            }
            case FP64 -> {
                for (double v : (double[]) t.data()) {
                    g.writeNumber(v);
                }
            }
            case INT64 -> {
                for (long v : (long[]) t.data()) {
                    g.writeNumber(v);
                }
            }
            case INT32 -> {
                for (int v : (int[]) t.data()) {
                    g.writeNumber(v);
                }
            }
            case INT16 -> {
                for (short v : (short[]) t.data()) {
                    g.writeNumber(v);
                }
            }
            case INT8 -> {
                for (byte v : (byte[]) t.data()) {
                    g.writeNumber(v);
                }
            }
            case UINT8 -> {
                for (byte v : (byte[]) t.data()) {
                    g.writeNumber(v & 0xff);
                }
            }
            case BOOL -> {
                for (boolean v : (boolean[]) t.data()) {
                    g.writeBoolean(v);
                }
            }
            case BYTES -> {
                for (String v : (String[]) t.data()) {
                    g.writeString(v);
                }
            }
        }
        g.writeEndArray();
    }
}
