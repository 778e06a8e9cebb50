package io.cairn.serving.v2;

import io.cairn.platform.error.CairnException;
import io.cairn.serving.RequestTags;
import io.cairn.serving.onnx.Datatype;
import io.cairn.serving.onnx.OnnxModel;
import io.cairn.serving.onnx.Tensor;
import io.cairn.serving.onnx.TensorSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
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
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads an Open Inference Protocol request body straight into typed arrays, checked against the model: every input
 * named by the model and given once, with the model's datatype, a fitting shape and exactly as many values as the
 * shape holds. {@code data} may be flat (row-major) or nested. When {@code datatype} precedes {@code data} (as clients
 * write it) values go into a primitive array without intermediate objects; otherwise they are buffered as a tree first.
 * Every problem is a 400 naming the input and what was expected.
 *
 * <p>The binary tensor data extension is read too: when the body starts with a JSON header of
 * {@code Inference-Header-Content-Length} bytes, an input whose {@code parameters} give {@code binary_data_size} has
 * no {@code data}; its values follow the header as raw little-endian bytes, in the order of such inputs in the
 * header (BOOL one byte each, BYTES a 4-byte little-endian length before each element). The binary part must be
 * exactly as long as the sizes add up to. Outputs are asked for as binary with {@code "binary_data": true} in an
 * output's parameters, or {@code "binary_data_output": true} in the request's.
 *
 * <p>Nothing is allocated on a client's word alone: a shape must hold at most {@link #MAX_ELEMENTS} elements (a Java
 * array's limit, and no dimension above {@code Integer.MAX_VALUE}), so element counts never overflow on their way to
 * ONNX Runtime; arrays are sized by the values actually sent, never by a shape the body is too short to fill; and data
 * that comes before its datatype is read again from the body rather than kept as a tree (which costs about 15 times
 * the bytes it was read from).
 */
final class InferenceRequestReader {

    /** The most elements one tensor may hold: the largest array a JVM allocates. */
    static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    /**
     * A decoded request: its id (null when none was given), inputs in the model's order, outputs wanted (null: all),
     * and which outputs go back as binary data.
     */
    record InferenceRequest(String id, Map<String, Tensor> inputs, List<String> outputs, BinaryOutputs binary,
                            Map<String, String> tags) {
    }

    /** Which outputs the client wants as binary data: all of them, or those named. */
    record BinaryOutputs(boolean all, Set<String> named) {
        boolean wants(String output) {
            return all || named.contains(output);
        }
    }

    /** Where an input's {@code data} lies in the body, when it came before the datatype and is read afterwards. */
    private record Deferred(int start, int end) {
    }

    /** One input as the JSON header gives it: values, or the size of its binary data still to be read. */
    private record ParsedInput(String name, TensorSpec spec, long[] shape, Tensor tensor, long binarySize) {
    }

    /** The requested outputs with the binary flag of each. */
    private record RequestedOutputs(List<String> names, Set<String> binary) {
    }

    private final JsonMapper json;

    InferenceRequestReader(JsonMapper json) {
        this.json = json;
    }

    /** A request that is all JSON. */
    InferenceRequest read(byte[] body, OnnxModel model, String label) {
        return read(body, body.length, model, label);
    }

    /**
     * @param headerLength the length of the JSON header ({@code Inference-Header-Content-Length}), the whole body
     *                     when there is no binary data
     * @param label        names the model in messages, e.g. {@code model 'churn' version 3}
     */
    InferenceRequest read(byte[] body, int headerLength, OnnxModel model, String label) {
        if (headerLength < 0 || headerLength > body.length) {
            throw bad("Inference-Header-Content-Length is " + headerLength + " but the body has " + body.length
                    + " bytes; it must give the length of the JSON header at the start of the body.");
        }
        try (JsonParser p = json.createParser(body, 0, headerLength)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw bad("The request body must be a JSON object with 'inputs'.");
            }
            if (p.currentTokenLocation().getByteOffset() < 0) {
                // Jackson decodes UTF-16 and UTF-32 through a reader, which knows no byte offsets (data is found by
                // its offset in the body); JSON between systems is UTF-8 (RFC 8259).
                throw bad("The request body must be JSON encoded as UTF-8.");
            }
            String id = null;
            List<ParsedInput> parsed = null;
            RequestedOutputs outputs = new RequestedOutputs(null, Set.of());
            RequestParameters parameters = new RequestParameters(false, Map.of());
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "id" -> {
                        if (value == JsonToken.VALUE_STRING || value.isNumeric()) {
                            id = p.getString();
                            if (id.indexOf('\0') >= 0) {
                                // The id is stored in the prediction log, whose text columns cannot hold NUL.
                                throw bad("'id' must not contain NUL characters.");
                            }
                        } else if (value != JsonToken.VALUE_NULL) {
                            throw bad("'id' must be a string.");
                        }
                    }
                    case "inputs" -> parsed = inputs(p, body, headerLength, model, label);
                    case "outputs" -> outputs = outputs(p, model, label);
                    case "parameters" -> parameters = requestParameters(p);
                    default -> p.skipChildren(); // extensions this server does not use
                }
            }
            JsonToken trailing;
            try {
                trailing = p.nextToken();
            } catch (JacksonException e) {
                trailing = JsonToken.NOT_AVAILABLE;
            }
            if (trailing != null) {
                throw bad("Unexpected content after the JSON object"
                        + (headerLength == body.length ? "; binary tensor data needs an Inference-Header-Content-Length "
                        + "header giving the length of the JSON part." : "."));
            }
            if (parsed == null) {
                throw bad("'inputs' is required: a list of {name, shape, datatype, data}.");
            }
            Map<String, Tensor> given = binaryInputs(parsed, body, headerLength);
            Map<String, Tensor> ordered = new LinkedHashMap<>();
            for (TensorSpec spec : model.inputs()) {
                Tensor t = given.get(spec.name());
                if (t == null) {
                    throw bad("Input '" + spec.name() + "' is missing; " + label + " expects inputs " + inputSpecs(model)
                            + ".");
                }
                ordered.put(spec.name(), t);
            }
            return new InferenceRequest(id, ordered, outputs.names(),
                    new BinaryOutputs(parameters.binaryDataOutput(), outputs.binary()), parameters.tags());
        } catch (JacksonException e) {
            throw bad("Malformed JSON in request body: " + e.getOriginalMessage());
        }
    }

    private List<ParsedInput> inputs(JsonParser p, byte[] body, int headerLength, OnnxModel model, String label) {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw bad("'inputs' must be a list of {name, shape, datatype, data}.");
        }
        List<ParsedInput> inputs = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        int index = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (p.currentToken() != JsonToken.START_OBJECT) {
                throw bad("inputs[" + index + "] must be an object {name, shape, datatype, data}.");
            }
            ParsedInput input = input(p, body, headerLength, model, label, index, seen);
            index++;
            seen.add(input.name());
            inputs.add(input);
        }
        if (inputs.isEmpty()) {
            throw bad("'inputs' is empty; " + label + " expects inputs " + inputSpecs(model) + ".");
        }
        return inputs;
    }

    /** Fills in the inputs sent as binary data, in order, from the bytes after the JSON header. */
    private static Map<String, Tensor> binaryInputs(List<ParsedInput> parsed, byte[] body, int headerLength) {
        Map<String, Tensor> inputs = new LinkedHashMap<>();
        long declared = 0;
        for (ParsedInput input : parsed) {
            if (input.tensor() == null) {
                declared += input.binarySize();
            }
        }
        long available = body.length - headerLength;
        if (declared != available) {
            throw bad("The inputs' binary_data_size parameters add up to " + declared + " bytes but " + available
                    + " bytes follow the JSON header" + (available == 0 && declared > 0 ? " (is the "
                    + "Inference-Header-Content-Length header missing?)." : "."));
        }
        ByteBuffer binary = ByteBuffer.wrap(body, headerLength, body.length - headerLength).slice()
                .order(ByteOrder.LITTLE_ENDIAN);
        for (ParsedInput input : parsed) {
            Tensor tensor = input.tensor();
            if (tensor == null) {
                ByteBuffer part = binary.slice(binary.position(), (int) input.binarySize()).order(ByteOrder.LITTLE_ENDIAN);
                binary.position(binary.position() + (int) input.binarySize());
                tensor = decodeBinary(input, part);
            }
            inputs.put(input.name(), tensor);
        }
        return inputs;
    }

    private static Tensor decodeBinary(ParsedInput input, ByteBuffer part) {
        Datatype type = input.spec().datatype();
        long elements = product(input.shape());
        if (type == Datatype.BYTES && elements > part.remaining() / 4) {
            // Before the array is allocated: each element takes at least its 4-byte length.
            throw bad("Input '" + input.name() + "' has shape " + Arrays.toString(input.shape()) + " (" + elements
                    + " BYTES values, at least 4 bytes each) but binary_data_size " + part.remaining() + ".");
        }
        if (type != Datatype.BYTES) {
            long expected = elements * width(type);
            if (part.remaining() != expected) {
                throw bad("Input '" + input.name() + "' has shape " + Arrays.toString(input.shape()) + " (" + elements
                        + " " + type + " values, " + expected + " bytes) but binary_data_size " + part.remaining() + ".");
            }
        } else if (elements * 4 > part.remaining()) {
            // Each element needs its 4-byte length at least: refuse before allocating an array of the shape's size.
            throw bad("Input '" + input.name() + "' has shape " + Arrays.toString(input.shape()) + " (" + elements
                    + " BYTES elements, at least " + elements * 4 + " bytes) but binary_data_size " + part.remaining()
                    + ".");
        }
        int n = Math.toIntExact(elements);
        Object data = type.newArray(n);
        switch (type) {
            case FP32 -> part.asFloatBuffer().get((float[]) data);
            case FP64 -> part.asDoubleBuffer().get((double[]) data);
            case INT64 -> part.asLongBuffer().get((long[]) data);
            case INT32 -> part.asIntBuffer().get((int[]) data);
            case INT16 -> part.asShortBuffer().get((short[]) data);
            case INT8, UINT8 -> part.get((byte[]) data);
            case BOOL -> {
                boolean[] values = (boolean[]) data;
                for (int i = 0; i < n; i++) {
                    byte b = part.get();
                    if (b != 0 && b != 1) {
                        throw bad("Input '" + input.name() + "' binary data[" + i + "]: BOOL is one byte, 0 or 1; got "
                                + b + ".");
                    }
                    values[i] = b == 1;
                }
            }
            case BYTES -> {
                String[] values = (String[]) data;
                for (int i = 0; i < n; i++) {
                    if (part.remaining() < 4) {
                        throw bad("Input '" + input.name() + "' binary data ends before element " + i + " of " + n
                                + " (BYTES elements are a 4-byte little-endian length, then the bytes).");
                    }
                    long length = Integer.toUnsignedLong(part.getInt());
                    if (length > part.remaining()) {
                        throw bad("Input '" + input.name() + "' binary data[" + i + "] claims " + length
                                + " bytes but only " + part.remaining() + " remain.");
                    }
                    byte[] bytes = new byte[(int) length];
                    part.get(bytes);
                    values[i] = utf8(bytes, input.name(), i);
                }
                if (part.hasRemaining()) {
                    throw bad("Input '" + input.name() + "' has " + part.remaining() + " bytes of binary data left "
                            + "over after its " + n + " BYTES elements.");
                }
            }
        }
        return new Tensor(type, input.shape(), data);
    }

    /** ONNX string tensors hold text: BYTES elements must be UTF-8. */
    private static String utf8(byte[] bytes, String input, int index) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw bad("Input '" + input + "' binary data[" + index + "] is not UTF-8 text; this server serves BYTES "
                    + "as ONNX string tensors.");
        }
    }

    /** Bytes per element in the binary form of a fixed-size datatype. */
    static int width(Datatype type) {
        return switch (type) {
            case BOOL, INT8, UINT8 -> 1;
            case INT16 -> 2;
            case INT32, FP32 -> 4;
            case INT64, FP64 -> 8;
            case BYTES -> throw new IllegalArgumentException("BYTES has no fixed width");
        };
    }

    /** The request's parameters: whether all outputs are wanted as binary data, and its tags. */
    private record RequestParameters(boolean binaryDataOutput, Map<String, String> tags) {
    }

    /**
     * Reads the request's parameters object: {@code binary_data_output} is the protocol's; every other scalar entry
     * is a request tag ({@link RequestTags}); objects and arrays are extensions this server does not use.
     */
    private static RequestParameters requestParameters(JsonParser p) {
        if (p.currentToken() == JsonToken.VALUE_NULL) {
            return new RequestParameters(false, Map.of());
        }
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw bad("parameters must be an object.");
        }
        boolean binary = false;
        RequestTags tags = new RequestTags("parameters");
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String field = p.currentName();
            JsonToken token = p.nextToken();
            if (field.equals("binary_data_output")) {
                if (token != JsonToken.VALUE_TRUE && token != JsonToken.VALUE_FALSE) {
                    throw bad("parameters.binary_data_output must be true or false.");
                }
                binary = token == JsonToken.VALUE_TRUE;
            } else if (token.isScalarValue() && token != JsonToken.VALUE_NULL) {
                tags.add(field, p.getString());
            } else {
                p.skipChildren();
            }
        }
        return new RequestParameters(binary, tags.toMap());
    }

    /** Reads a parameters object, returning the boolean parameter {@code name} (false when absent). */
    private static boolean booleanParameter(JsonParser p, String name, String where) {
        if (p.currentToken() == JsonToken.VALUE_NULL) {
            return false;
        }
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw bad(where + " must be an object.");
        }
        boolean value = false;
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String field = p.currentName();
            JsonToken token = p.nextToken();
            if (field.equals(name)) {
                if (token != JsonToken.VALUE_TRUE && token != JsonToken.VALUE_FALSE) {
                    throw bad(where + "." + name + " must be true or false.");
                }
                value = token == JsonToken.VALUE_TRUE;
            } else {
                p.skipChildren();
            }
        }
        return value;
    }

    private ParsedInput input(JsonParser p, byte[] body, int headerLength, OnnxModel model, String label, int index,
                              Set<String> seen) {
        String name = null;
        long[] shape = null;
        String datatypeText = null;
        TensorSpec spec = null;
        Object data = null;
        int dataLength = -1;
        Deferred deferred = null;
        long binarySize = -1;
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
                    if (value == JsonToken.VALUE_NULL) {
                        // null data: none, as if absent (an input sent as binary data may say so)
                    } else if (spec != null && datatypeText != null) {
                        ValueBuffer buffer = new ValueBuffer(spec.datatype(), spec.name(),
                                capacity(shape, headerLength - offset(p)));
                        buffer.readArray(p);
                        data = buffer.array();
                        dataLength = buffer.size();
                    } else if (value != JsonToken.START_ARRAY) {
                        throw bad((name != null ? "Input '" + name + "'" : "inputs[" + index + "]")
                                + ": data must be a list of values (flat in row-major order, or nested).");
                    } else {
                        // Only the datatype says what the values are; mark where they lie and read them once it is
                        // known. The body is in memory anyway, so this costs nothing, where a tree would cost ~15x.
                        int start = offset(p);
                        p.skipChildren();
                        deferred = new Deferred(start, offset(p) + 1);
                    }
                }
                case "parameters" -> binarySize = binaryDataSize(p, index);
                default -> p.skipChildren();
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
        if (!Tensor.fits(shape)) {
            // Checked before anything is sized from the shape: a count that overflows a long once passed as the few
            // values sent ([4611686018427387905, 4] wraps around to 4) and failed inside ONNX Runtime.
            throw bad("Input '" + name + "' has shape " + Arrays.toString(shape) + ", more values than a tensor can "
                    + "hold: its dimensions (0 counted as 1) may multiply to at most " + Tensor.MAX_ELEMENTS + ".");
        }
        if (binarySize >= 0) {
            if (data != null || deferred != null) {
                throw bad("Input '" + name + "' has both data and a binary_data_size; send its values one way.");
            }
            return new ParsedInput(name, spec, shape, null, binarySize);
        }
        if (data == null) {
            if (deferred == null) {
                throw bad("Input '" + name + "' has no data (nor a binary_data_size parameter).");
            }
            ValueBuffer buffer = new ValueBuffer(spec.datatype(), name,
                    capacity(shape, deferred.end() - deferred.start()));
            try (JsonParser again = json.createParser(body, deferred.start(), deferred.end() - deferred.start())) {
                again.nextToken();
                buffer.readArray(again);
            }
            data = buffer.array();
            dataLength = buffer.size();
        }
        long expected = product(shape);
        if (dataLength != expected) {
            throw bad("Input '" + name + "' has shape " + Arrays.toString(shape) + " (" + expected + " values) but "
                    + dataLength + " data values.");
        }
        return new ParsedInput(name, spec, shape, new Tensor(spec.datatype(), shape, data), -1);
    }

    /** The byte offset in the body of the parser's current token. */
    private static int offset(JsonParser p) {
        return (int) p.currentTokenLocation().getByteOffset();
    }

    /**
     * How many values to make room for at first: what the shape holds, but no more than the bytes left could encode
     * (a value and its comma take two at least), and at most 2^20 (the buffer grows beyond that as values come), so a
     * short body declaring a large shape allocates nothing large.
     */
    private static int capacity(long[] shape, int bytesLeft) {
        long fits = Math.max(1, bytesLeft / 2 + 1);
        return (int) Math.min(Math.min(shape == null ? 16 : product(shape), fits), 1 << 20);
    }

    /** An input's parameters: its binary_data_size, or -1 when it has none. */
    private static long binaryDataSize(JsonParser p, int index) {
        if (p.currentToken() == JsonToken.VALUE_NULL) {
            return -1;
        }
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw bad("inputs[" + index + "].parameters must be an object.");
        }
        long size = -1;
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String field = p.currentName();
            JsonToken token = p.nextToken();
            if (field.equals("binary_data_size")) {
                if (!isLong(p, token) || p.getLongValue() < 0 || p.getLongValue() > Integer.MAX_VALUE) {
                    throw bad("inputs[" + index + "].parameters.binary_data_size must be a non-negative integer "
                            + "(bytes).");
                }
                size = p.getLongValue();
            } else {
                p.skipChildren();
            }
        }
        return size;
    }

    private TensorSpec known(OnnxModel model, String label, String name, Set<String> seen) {
        TensorSpec spec = model.input(name);
        if (spec == null) {
            throw bad("Unknown input '" + name + "': " + label + " has inputs " + inputSpecs(model) + ".");
        }
        if (seen.contains(name)) {
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
            if (!isLong(p, p.currentToken()) || p.getLongValue() < 0) {
                throw bad("inputs[" + index + "].shape must be a list of non-negative integers.");
            }
            if (p.getLongValue() > Integer.MAX_VALUE) {
                throw bad("inputs[" + index + "].shape: dimension " + p.getText() + " is larger than "
                        + Integer.MAX_VALUE + ".");
            }
            if (n == dims.length) {
                dims = Arrays.copyOf(dims, n * 2);
            }
            dims[n++] = p.getLongValue();
        }
        long[] shape = Arrays.copyOf(dims, n);
        // Dimensions up to 2^31 - 1 each can still multiply past 2^63 and wrap around to a small count that a short
        // body matches; the product is checked exactly instead.
        long elements = 1;
        for (long d : shape) {
            elements = d == 0 || elements == 0 ? 0 : elements > MAX_ELEMENTS / d ? MAX_ELEMENTS + 1 : elements * d;
        }
        if (elements > MAX_ELEMENTS) {
            throw bad("inputs[" + index + "].shape " + Arrays.toString(shape) + " holds more than " + MAX_ELEMENTS
                    + " elements, the most one tensor may have.");
        }
        return shape;
    }

    private static RequestedOutputs outputs(JsonParser p, OnnxModel model, String label) {
        if (p.currentToken() == JsonToken.VALUE_NULL) {
            return new RequestedOutputs(null, Set.of());
        }
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw bad("'outputs' must be a list of {name}.");
        }
        Set<String> names = new LinkedHashSet<>();
        Set<String> binary = new LinkedHashSet<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (p.currentToken() != JsonToken.START_OBJECT) {
                throw bad("'outputs' must be a list of {name}.");
            }
            String name = null;
            boolean asBinary = false;
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (field.equals("name") && value == JsonToken.VALUE_STRING) {
                    name = p.getString();
                } else if (field.equals("parameters")) {
                    asBinary = booleanParameter(p, "binary_data", "outputs[].parameters");
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
            if (asBinary) {
                binary.add(name);
            }
        }
        return new RequestedOutputs(names.isEmpty() ? null : new ArrayList<>(names), binary);
    }

    private static String inputSpecs(OnnxModel model) {
        return model.inputs().stream().map(s -> s.name() + " " + s.datatype() + " " + s.shapeText()).toList().toString();
    }

    /** Whether the token is an integer that fits a long (reading a larger one as a long throws). */
    private static boolean isLong(JsonParser p, JsonToken token) {
        return token == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER;
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
