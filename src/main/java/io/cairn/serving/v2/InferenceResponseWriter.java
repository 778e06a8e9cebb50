package io.cairn.serving.v2;

import io.cairn.serving.onnx.Tensor;
import java.io.ByteArrayOutputStream;
import java.util.Map;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes an Open Inference Protocol response straight from the output arrays:
 * {@code {"model_name", "model_version", "id", "parameters", "outputs": [{"name", "datatype", "shape", "data"}]}},
 * {@code data} flat in row-major order. Floats are written in their shortest exact form, so a client parsing them
 * back as FP32 gets the very values ONNX Runtime computed.
 */
final class InferenceResponseWriter {

    private final JsonMapper json;

    InferenceResponseWriter(JsonMapper json) {
        this.json = json;
    }

    byte[] write(String modelName, String modelVersion, String id, Map<String, Object> parameters,
                 Map<String, Tensor> outputs) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
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
                g.writeName("data");
                writeData(g, t);
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        return out.toByteArray();
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
