package io.cairn.serving.onnx;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Refuses a model file that stores any tensor as external data, before ONNX Runtime opens it. ONNX Runtime resolves an
 * external tensor's {@code location} relative to the model file and reads it, so a model from the registry could make
 * the server read (and answer with) any file it can reach. The check walks the protobuf wire format with
 * {@link CodedInputStream} rather than parsing the model into objects: only the messages that can hold a tensor are
 * entered, everything else (weights included) is skipped, so a large model costs one streaming read.
 *
 * <p>Entered, by onnx.proto field number: ModelProto graph (7), training_info (20), functions (25); GraphProto node (1),
 * initializer (5), sparse_initializer (15); NodeProto attribute (5); AttributeProto t (5), g (6), tensors (10), graphs
 * (11), sparse_tensor (22), sparse_tensors (23); SparseTensorProto values (1), indices (2); FunctionProto node (7),
 * attribute_proto (11); TrainingInfoProto initialization (1), algorithm (2). A TensorProto is external when its
 * data_location (14) is not DEFAULT or it has any external_data (13) entry.
 */
final class ExternalDataCheck {

    /** Messages nested deeper than this are refused: protobuf's own default recursion limit. */
    static final int MAX_DEPTH = 100;

    static final int MODEL_GRAPH = 7;
    static final int MODEL_TRAINING_INFO = 20;
    static final int MODEL_FUNCTIONS = 25;
    static final int GRAPH_NODE = 1;
    static final int GRAPH_INITIALIZER = 5;
    static final int GRAPH_SPARSE_INITIALIZER = 15;
    static final int NODE_ATTRIBUTE = 5;
    static final int ATTRIBUTE_T = 5;
    static final int ATTRIBUTE_G = 6;
    static final int ATTRIBUTE_TENSORS = 10;
    static final int ATTRIBUTE_GRAPHS = 11;
    static final int ATTRIBUTE_SPARSE_TENSOR = 22;
    static final int ATTRIBUTE_SPARSE_TENSORS = 23;
    static final int SPARSE_VALUES = 1;
    static final int SPARSE_INDICES = 2;
    static final int FUNCTION_NODE = 7;
    static final int FUNCTION_ATTRIBUTE_PROTO = 11;
    static final int TRAINING_INITIALIZATION = 1;
    static final int TRAINING_ALGORITHM = 2;
    static final int TENSOR_NAME = 8;
    static final int TENSOR_EXTERNAL_DATA = 13;
    static final int TENSOR_DATA_LOCATION = 14;
    static final int ENTRY_KEY = 1;
    static final int ENTRY_VALUE = 2;

    private enum Kind { MODEL, GRAPH, NODE, ATTRIBUTE, SPARSE, FUNCTION, TRAINING, TENSOR }

    /** An external tensor: its name, where it sits in the model and the location it names (null if none). */
    record Found(String tensor, String where, String location) {
    }

    private final CodedInputStream in;
    private int depth;
    private Found found;

    private ExternalDataCheck(InputStream stream) {
        this.in = CodedInputStream.newInstance(stream, 64 * 1024);
        // A single .onnx file is at most 2 GB (protobuf's limit); the default limit is the same, said here on purpose.
        this.in.setSizeLimit(Integer.MAX_VALUE);
    }

    /**
     * @throws ModelLoadException when a tensor is stored as external data, the file is no protobuf message, or its
     *                            messages are nested deeper than {@link #MAX_DEPTH}
     */
    static void refuse(Path file) {
        Found found;
        try (InputStream stream = Files.newInputStream(file)) {
            found = find(stream);
        } catch (InvalidProtocolBufferException e) {
            throw new ModelLoadException("The model file is not a valid ONNX model (protobuf): " + e.getMessage(), e);
        } catch (IOException e) {
            throw new ModelLoadException("Reading the local copy of the model file failed: " + e.getMessage(), e);
        }
        if (found != null) {
            throw new ModelLoadException("The model stores tensor '" + found.tensor() + "' (" + found.where()
                    + ") as external data" + (found.location() == null ? "" : " (location '" + found.location() + "')")
                    + ", which Cairn does not serve: only the .onnx file is loaded. Save the model with its tensors "
                    + "inside the file (onnx.save_model(model, path, save_as_external_data=False); models up to 2 GB).");
        }
    }

    /** The first external tensor in the model, or null when there is none. */
    static Found find(InputStream stream) throws IOException {
        ExternalDataCheck check = new ExternalDataCheck(stream);
        check.message(Kind.MODEL, "the graph");
        return check.found;
    }

    /** Which message a length-delimited field of a message of {@code kind} holds, or null to skip it. */
    private static Kind child(Kind kind, int field) {
        return switch (kind) {
            case MODEL -> switch (field) {
                case MODEL_GRAPH -> Kind.GRAPH;
                case MODEL_TRAINING_INFO -> Kind.TRAINING;
                case MODEL_FUNCTIONS -> Kind.FUNCTION;
                default -> null;
            };
            case GRAPH -> switch (field) {
                case GRAPH_NODE -> Kind.NODE;
                case GRAPH_INITIALIZER -> Kind.TENSOR;
                case GRAPH_SPARSE_INITIALIZER -> Kind.SPARSE;
                default -> null;
            };
            case NODE -> field == NODE_ATTRIBUTE ? Kind.ATTRIBUTE : null;
            case ATTRIBUTE -> switch (field) {
                case ATTRIBUTE_T, ATTRIBUTE_TENSORS -> Kind.TENSOR;
                case ATTRIBUTE_G, ATTRIBUTE_GRAPHS -> Kind.GRAPH;
                case ATTRIBUTE_SPARSE_TENSOR, ATTRIBUTE_SPARSE_TENSORS -> Kind.SPARSE;
                default -> null;
            };
            case SPARSE -> field == SPARSE_VALUES || field == SPARSE_INDICES ? Kind.TENSOR : null;
            case FUNCTION -> switch (field) {
                case FUNCTION_NODE -> Kind.NODE;
                case FUNCTION_ATTRIBUTE_PROTO -> Kind.ATTRIBUTE;
                default -> null;
            };
            case TRAINING -> field == TRAINING_INITIALIZATION || field == TRAINING_ALGORITHM ? Kind.GRAPH : null;
            case TENSOR -> null;
        };
    }

    /**
     * Reads the fields of one message, up to the current limit, entering those that can hold a tensor.
     *
     * @param context where the message sits, in words, for the refusal
     */
    private void message(Kind kind, String context) throws IOException {
        if (++depth > MAX_DEPTH) {
            throw new ModelLoadException("The model's messages are nested more than " + MAX_DEPTH + " levels deep.");
        }
        String name = null;
        boolean external = false;
        String location = null;
        while (true) {
            int tag = in.readTag();
            if (tag == 0) {
                break;
            }
            int field = WireFormat.getTagFieldNumber(tag);
            int wireType = WireFormat.getTagWireType(tag);
            boolean delimited = wireType == WireFormat.WIRETYPE_LENGTH_DELIMITED;
            Kind inner = delimited ? child(kind, field) : null;
            if (kind == Kind.TENSOR && field == TENSOR_DATA_LOCATION && wireType == WireFormat.WIRETYPE_VARINT) {
                // DEFAULT is 0; EXTERNAL (1), or a value this check does not know, is refused.
                external |= in.readEnum() != 0;
            } else if (kind == Kind.TENSOR && field == TENSOR_NAME && delimited) {
                name = in.readString();
            } else if (kind == Kind.TENSOR && field == TENSOR_EXTERNAL_DATA && delimited) {
                external = true; // any external_data entry, whatever data_location says
                String[] entry = entry();
                if ("location".equals(entry[0])) {
                    location = entry[1];
                }
            } else if (inner != null) {
                int limit = in.pushLimit(in.readRawVarint32());
                message(inner, switch (inner) {
                    case TENSOR -> switch (kind) {
                        case GRAPH -> "an initializer of " + context;
                        case SPARSE -> context;
                        default -> "a node attribute in " + context;
                    };
                    case SPARSE -> "a sparse " + (kind == Kind.GRAPH ? "initializer of " : "node attribute in ")
                            + context;
                    case FUNCTION -> "a model function";
                    case TRAINING -> "the training info";
                    case GRAPH -> kind == Kind.ATTRIBUTE ? "a subgraph in " + context : context;
                    default -> context;
                });
                in.popLimit(limit);
            } else {
                in.skipField(tag);
            }
        }
        depth--;
        if (external && found == null) {
            found = new Found(name == null ? "" : name, context, location);
        }
    }

    /** One StringStringEntryProto of external_data: {key, value} (either null when absent). */
    private String[] entry() throws IOException {
        int limit = in.pushLimit(in.readRawVarint32());
        String[] entry = new String[2];
        while (true) {
            int tag = in.readTag();
            if (tag == 0) {
                break;
            }
            int field = WireFormat.getTagFieldNumber(tag);
            if ((field == ENTRY_KEY || field == ENTRY_VALUE)
                    && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                entry[field - 1] = in.readString();
            } else {
                in.skipField(tag);
            }
        }
        in.popLimit(limit);
        return entry;
    }
}
