package io.cairn.serving.v2;

import io.cairn.platform.error.CairnException;
import io.cairn.serving.onnx.Datatype;
import io.cairn.serving.onnx.OnnxModel;
import io.cairn.serving.onnx.Tensor;
import io.cairn.serving.onnx.TensorSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads an Open Inference Protocol request body straight into typed arrays, checked against the model: every input
 * named by the model and given once, with the model's datatype, a fitting shape and exactly as many values as the
 * shape holds. {@code data} may be flat (row-major) or nested. When {@code datatype} precedes {@code data} (as clients
 * write it) values go into a primitive array without intermediate objects; otherwise they are buffered as a tree first.
 * Every problem is a 400 naming the input and what was expected.
 */
final class InferenceRequestReader {

    /** A decoded request: its id (null when none was given), inputs in the model's order, outputs wanted (null: all). */
    record InferenceRequest(String id, Map<String, Tensor> inputs, List<String> outputs) {
    }

    private final JsonMapper json;

    InferenceRequestReader(JsonMapper json) {
        this.json = json;
    }

    /**
     * @param label names the model in messages, e.g. {@code model 'churn' version 3}
     */
    InferenceRequest read(byte[] body, OnnxModel model, String label) {
        try (JsonParser p = json.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw bad("The request body must be a JSON object with 'inputs'.");
            }
            String id = null;
            Map<String, Tensor> given = null;
            List<String> outputs = null;
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "id" -> {
                        if (value == JsonToken.VALUE_STRING || value.isNumeric()) {
                            id = p.getString();
                        } else if (value != JsonToken.VALUE_NULL) {
                            throw bad("'id' must be a string.");
                        }
                    }
                    case "inputs" -> given = inputs(p, model, label);
                    case "outputs" -> outputs = outputs(p, model, label);
                    default -> p.skipChildren(); // parameters and extensions this server does not use
                }
            }
            if (given == null) {
                throw bad("'inputs' is required: a list of {name, shape, datatype, data}.");
            }
            Map<String, Tensor> ordered = new LinkedHashMap<>();
            for (TensorSpec spec : model.inputs()) {
                Tensor t = given.get(spec.name());
                if (t == null) {
                    throw bad("Input '" + spec.name() + "' is missing; " + label + " expects inputs " + inputSpecs(model)
                            + ".");
                }
                ordered.put(spec.name(), t);
            }
            return new InferenceRequest(id, ordered, outputs);
        } catch (JacksonException e) {
            throw bad("Malformed JSON in request body: " + e.getOriginalMessage());
        }
    }

    private Map<String, Tensor> inputs(JsonParser p, OnnxModel model, String label) {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw bad("'inputs' must be a list of {name, shape, datatype, data}.");
        }
        Map<String, Tensor> inputs = new LinkedHashMap<>();
        int index = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (p.currentToken() != JsonToken.START_OBJECT) {
                throw bad("inputs[" + index + "] must be an object {name, shape, datatype, data}.");
            }
            Map.Entry<String, Tensor> input = input(p, model, label, index, inputs);
            index++;
            inputs.put(input.getKey(), input.getValue());
        }
        if (inputs.isEmpty()) {
            throw bad("'inputs' is empty; " + label + " expects inputs " + inputSpecs(model) + ".");
        }
        return inputs;
    }

    private Map.Entry<String, Tensor> input(JsonParser p, OnnxModel model, String label, int index, Map<String, Tensor> seen) {
        String name = null;
        long[] shape = null;
        String datatypeText = null;
        TensorSpec spec = null;
        Object data = null;
        int dataLength = -1;
        JsonNode deferred = null;
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            switch (field) {
                case "name" -> {
                    if (value != JsonToken.VALUE_STRING) {
                        throw bad("inputs[" + index + "].name must be a string.");
                    }
                    name = p.getString();
                    spec = known(model, label, name, seen);
                    checkDatatype(spec, datatypeText, label);
                }
                case "shape" -> shape = shape(p, index);
                case "datatype" -> {
                    if (value != JsonToken.VALUE_STRING) {
                        throw bad("inputs[" + index + "].datatype must be a string such as \"FP32\".");
                    }
                    datatypeText = p.getString();
                    checkDatatype(spec, datatypeText, label);
                }
                case "data" -> {
                    if (spec != null && datatypeText != null) {
                        ValueBuffer buffer = new ValueBuffer(spec.datatype(), spec.name(),
                                shape == null ? 16 : (int) Math.min(Math.max(0, product(shape)), 1 << 20));
                        buffer.readArray(p);
                        data = buffer.array();
                        dataLength = buffer.size();
                    } else {
                        deferred = p.readValueAsTree();
                    }
                }
                default -> p.skipChildren(); // parameters
            }
        }
        if (name == null) {
            throw bad("inputs[" + index + "] has no name; " + label + " expects inputs " + inputSpecs(model) + ".");
        }
        if (datatypeText == null) {
            throw bad("Input '" + name + "' has no datatype; " + label + " expects " + spec.datatype() + ".");
        }
        if (shape == null) {
            throw bad("Input '" + name + "' has no shape; " + label + " expects " + spec.shapeText() + ".");
        }
        if (!spec.accepts(shape)) {
            throw bad("Input '" + name + "' has shape " + Arrays.toString(shape) + " but " + label + " expects "
                    + spec.shapeText() + " (-1: any size).");
        }
        if (data == null) {
            if (deferred == null || deferred.isNull()) {
                throw bad("Input '" + name + "' has no data.");
            }
            ValueBuffer buffer = new ValueBuffer(spec.datatype(), name, 16);
            try (JsonParser tree = json.treeAsTokens(deferred)) {
                tree.nextToken();
                buffer.readArray(tree);
            }
            data = buffer.array();
            dataLength = buffer.size();
        }
        long expected = product(shape);
        if (dataLength != expected) {
            throw bad("Input '" + name + "' has shape " + Arrays.toString(shape) + " (" + expected + " values) but "
                    + dataLength + " data values.");
        }
        return Map.entry(name, new Tensor(spec.datatype(), shape, data));
    }

    private TensorSpec known(OnnxModel model, String label, String name, Map<String, Tensor> seen) {
        TensorSpec spec = model.input(name);
        if (spec == null) {
            throw bad("Unknown input '" + name + "': " + label + " has inputs " + inputSpecs(model) + ".");
        }
        if (seen.containsKey(name)) {
            throw bad("Input '" + name + "' is given twice.");
        }
        return spec;
    }

    private static void checkDatatype(TensorSpec spec, String datatypeText, String label) {
        if (spec == null || datatypeText == null) {
            return;
        }
        Datatype given = Datatype.parse(datatypeText);
        if (given == null) {
            throw bad("Input '" + spec.name() + "' has unknown datatype '" + datatypeText + "'; " + label
                    + " expects " + spec.datatype() + " (served datatypes: " + Datatype.NAMES + ").");
        }
        if (given != spec.datatype()) {
            throw bad("Input '" + spec.name() + "' has datatype " + given + " but " + label + " expects "
                    + spec.datatype() + ".");
        }
    }

    private static long[] shape(JsonParser p, int index) {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw bad("inputs[" + index + "].shape must be a list of non-negative integers.");
        }
        long[] dims = new long[8];
        int n = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (p.currentToken() != JsonToken.VALUE_NUMBER_INT || p.getLongValue() < 0) {
                throw bad("inputs[" + index + "].shape must be a list of non-negative integers.");
            }
            if (n == dims.length) {
                dims = Arrays.copyOf(dims, n * 2);
            }
            dims[n++] = p.getLongValue();
        }
        return Arrays.copyOf(dims, n);
    }

    private static List<String> outputs(JsonParser p, OnnxModel model, String label) {
        if (p.currentToken() == JsonToken.VALUE_NULL) {
            return null;
        }
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw bad("'outputs' must be a list of {name}.");
        }
        Set<String> names = new LinkedHashSet<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (p.currentToken() != JsonToken.START_OBJECT) {
                throw bad("'outputs' must be a list of {name}.");
            }
            String name = null;
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (field.equals("name") && value == JsonToken.VALUE_STRING) {
                    name = p.getString();
                } else {
                    p.skipChildren();
                }
            }
            if (name == null) {
                throw bad("Every entry of 'outputs' needs a name.");
            }
            if (model.output(name) == null) {
                throw bad("Unknown output '" + name + "': " + label + " has outputs "
                        + model.outputs().stream().map(o -> o.name()).toList() + ".");
            }
            names.add(name);
        }
        return names.isEmpty() ? null : new ArrayList<>(names);
    }

    private static String inputSpecs(OnnxModel model) {
        return model.inputs().stream().map(s -> s.name() + " " + s.datatype() + " " + s.shapeText()).toList().toString();
    }

    private static long product(long[] shape) {
        return Tensor.elements(shape);
    }

    static CairnException bad(String message) {
        return CairnException.invalid(message);
    }

    /** Collects one input's values, flattening nested arrays, into the array type of its datatype. */
    private static final class ValueBuffer {
        private final Datatype type;
        private final String input;
        private Object array;
        private int size;

        ValueBuffer(Datatype type, String input, int capacity) {
            this.type = type;
            this.input = input;
            this.array = type.newArray(Math.max(1, capacity));
        }

        void readArray(JsonParser p) {
            if (p.currentToken() != JsonToken.START_ARRAY) {
                throw bad("Input '" + input + "': data must be a list of values (flat in row-major order, or nested).");
            }
            int depth = 1;
            while (depth > 0) {
                JsonToken t = p.nextToken();
                if (t == JsonToken.START_ARRAY) {
                    depth++;
                } else if (t == JsonToken.END_ARRAY) {
                    depth--;
                } else {
                    add(p, t);
                }
            }
        }

        private void add(JsonParser p, JsonToken t) {
            if (size == type.length(array)) {
                Object bigger = type.newArray(size * 2);
                System.arraycopy(array, 0, bigger, 0, size);
                array = bigger;
            }
            switch (type) {
                case FP32 -> ((float[]) array)[size] = t == JsonToken.VALUE_STRING ? (float) nonFinite(p, t)
                        : number(p, t).getFloatValue();
                case FP64 -> ((double[]) array)[size] = t == JsonToken.VALUE_STRING ? nonFinite(p, t)
                        : number(p, t).getDoubleValue();
                case INT64 -> ((long[]) array)[size] = integer(p, t, Long.MIN_VALUE, Long.MAX_VALUE);
                case INT32 -> ((int[]) array)[size] = (int) integer(p, t, Integer.MIN_VALUE, Integer.MAX_VALUE);
                case INT16 -> ((short[]) array)[size] = (short) integer(p, t, Short.MIN_VALUE, Short.MAX_VALUE);
                case INT8 -> ((byte[]) array)[size] = (byte) integer(p, t, Byte.MIN_VALUE, Byte.MAX_VALUE);
                case UINT8 -> ((byte[]) array)[size] = (byte) integer(p, t, 0, 255);
                case BOOL -> {
                    if (t != JsonToken.VALUE_TRUE && t != JsonToken.VALUE_FALSE) {
                        throw mismatch(p, t, "true or false");
                    }
                    ((boolean[]) array)[size] = t == JsonToken.VALUE_TRUE;
                }
                case BYTES -> {
                    if (t != JsonToken.VALUE_STRING) {
                        throw mismatch(p, t, "a string");
                    }
                    ((String[]) array)[size] = p.getString();
                }
            }
            size++;
        }

        private JsonParser number(JsonParser p, JsonToken t) {
            if (t != JsonToken.VALUE_NUMBER_FLOAT && t != JsonToken.VALUE_NUMBER_INT) {
                throw mismatch(p, t, "a number");
            }
            return p;
        }

        /** JSON has no NaN or infinities; they travel as the strings this server also writes for them. */
        private double nonFinite(JsonParser p, JsonToken t) {
            return switch (p.getString()) {
                case "NaN" -> Double.NaN;
                case "Infinity", "+Infinity", "inf", "+inf" -> Double.POSITIVE_INFINITY;
                case "-Infinity", "-inf" -> Double.NEGATIVE_INFINITY;
                default -> throw mismatch(p, t, "a number");
            };
        }

        private long integer(JsonParser p, JsonToken t, long min, long max) {
            if (t != JsonToken.VALUE_NUMBER_INT) {
                throw mismatch(p, t, "an integer");
            }
            long v;
            try {
                v = p.getLongValue();
            } catch (JacksonException e) {
                throw bad("Input '" + input + "' data[" + size + "]: " + p.getText() + " is out of range for " + type
                        + ".");
            }
            if (v < min || v > max) {
                throw bad("Input '" + input + "' data[" + size + "]: " + v + " is out of range for " + type + ".");
            }
            return v;
        }

        private CairnException mismatch(JsonParser p, JsonToken t, String expected) {
            String got = switch (t) {
                case VALUE_STRING -> "the string \"" + abbreviate(p.getString()) + "\"";
                case VALUE_NULL -> "null";
                case START_OBJECT -> "an object";
                default -> p.getText();
            };
            return bad("Input '" + input + "' data[" + size + "]: " + type + " needs " + expected + ", got " + got + ".");
        }

        private static String abbreviate(String s) {
            return s.length() > 40 ? s.substring(0, 40) + "..." : s;
        }

        Object array() {
            if (size == type.length(array)) {
                return array;
            }
            Object exact = type.newArray(size);
            System.arraycopy(array, 0, exact, 0, size);
            return exact;
        }

        int size() {
            return size;
        }
    }
}
