package io.cairn.serving;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;

/**
 * ONNX models for the serving tests, built in Java with the ONNX protobuf classes that Tribuo publishes on Maven
 * Central: nothing is downloaded at test time. A dimension given as {@code -1} becomes the symbolic dimension
 * {@code batch}, any other negative one {@code -k} the symbolic dimension {@code dim<k>}.
 */
public final class OnnxModels {

    private OnnxModels() {
    }

    /** {@code output = input · weights + bias}: input FP32 [batch, rows of weights], output FP32 [batch, columns]. */
    public static byte[] linear(float[][] weights, float[] bias) {
        int in = weights.length;
        int out = bias.length;
        TensorProto.Builder w = TensorProto.newBuilder().setName("weights").addDims(in).addDims(out)
                .setDataType(TensorProto.DataType.FLOAT_VALUE);
        for (float[] row : weights) {
            for (float v : row) {
                w.addFloatData(v);
            }
        }
        TensorProto.Builder b = TensorProto.newBuilder().setName("bias").addDims(out)
                .setDataType(TensorProto.DataType.FLOAT_VALUE);
        for (float v : bias) {
            b.addFloatData(v);
        }
        GraphProto graph = GraphProto.newBuilder().setName("linear")
                .addInitializer(w).addInitializer(b)
                .addInput(value("input", TensorProto.DataType.FLOAT_VALUE, -1, in))
                .addOutput(value("output", TensorProto.DataType.FLOAT_VALUE, -1, out))
                .addNode(node("MatMul", new String[] {"input", "weights"}, "product"))
                .addNode(node("Add", new String[] {"product", "bias"}, "output"))
                .build();
        return model(graph);
    }

    /** A linear model whose output is the input scaled by {@code factor} ({@code n} features in and out). */
    public static byte[] scaling(int n, float factor) {
        float[][] w = new float[n][n];
        for (int i = 0; i < n; i++) {
            w[i][i] = factor;
        }
        return linear(w, new float[n]);
    }

    /**
     * Passes one input straight through: {@code x} → Identity → {@code y}, with the ONNX element type
     * ({@link TensorProto.DataType}) and shape given.
     */
    public static byte[] identity(int elementType, long... shape) {
        GraphProto graph = GraphProto.newBuilder().setName("identity")
                .addInput(value("x", elementType, shape))
                .addOutput(value("y", elementType, shape))
                .addNode(node("Identity", new String[] {"x"}, "y"))
                .build();
        return model(graph);
    }

    /**
     * Two inputs of different types, two outputs: {@code sum = a + b} (FP64 [batch, 2]) and {@code flag = Not(c)}
     * (BOOL [batch]).
     */
    public static byte[] twoInputsTwoOutputs() {
        GraphProto graph = GraphProto.newBuilder().setName("two")
                .addInput(value("a", TensorProto.DataType.DOUBLE_VALUE, -1, 2))
                .addInput(value("b", TensorProto.DataType.DOUBLE_VALUE, -1, 2))
                .addInput(value("c", TensorProto.DataType.BOOL_VALUE, -1))
                .addOutput(value("sum", TensorProto.DataType.DOUBLE_VALUE, -1, 2))
                .addOutput(value("flag", TensorProto.DataType.BOOL_VALUE, -1))
                .addNode(node("Add", new String[] {"a", "b"}, "sum"))
                .addNode(node("Not", new String[] {"c"}, "flag"))
                .build();
        return model(graph);
    }

    /**
     * A small multi-layer perceptron: FP32 [batch, in] → MatMul → Add → Relu → MatMul → Add → [batch, out], weights
     * from a fixed seed.
     */
    public static byte[] mlp(int in, int hidden, int out, long seed) {
        java.util.Random random = new java.util.Random(seed);
        GraphProto.Builder graph = GraphProto.newBuilder().setName("mlp")
                .addInput(value("input", TensorProto.DataType.FLOAT_VALUE, -1, in))
                .addOutput(value("output", TensorProto.DataType.FLOAT_VALUE, -1, out));
        graph.addInitializer(randomTensor("w1", random, in, hidden)).addInitializer(randomTensor("b1", random, hidden))
                .addInitializer(randomTensor("w2", random, hidden, out)).addInitializer(randomTensor("b2", random, out));
        graph.addNode(node("MatMul", new String[] {"input", "w1"}, "h1"))
                .addNode(node("Add", new String[] {"h1", "b1"}, "h2"))
                .addNode(node("Relu", new String[] {"h2"}, "h3"))
                .addNode(node("MatMul", new String[] {"h3", "w2"}, "h4"))
                .addNode(node("Add", new String[] {"h4", "b2"}, "output"));
        return model(graph.build());
    }

    /**
     * A model whose one initializer, UINT8 {@code [length]}, is kept in an external data file at {@code location}
     * (relative to the model file, as ONNX Runtime resolves it) and returned as output {@code y}; its input
     * {@code x} (FP32 [batch, 1]) is unused. Whatever file ONNX Runtime finds there comes back byte for byte.
     */
    public static byte[] externalWeights(String location, int length) {
        TensorProto weights = TensorProto.newBuilder().setName("w").addDims(length)
                .setDataType(TensorProto.DataType.UINT8_VALUE).setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(entry("location", location)).addExternalData(entry("offset", "0"))
                .addExternalData(entry("length", String.valueOf(length))).build();
        GraphProto graph = GraphProto.newBuilder().setName("external").addInitializer(weights)
                .addInput(value("x", TensorProto.DataType.FLOAT_VALUE, -1, 1))
                .addOutput(value("y", TensorProto.DataType.UINT8_VALUE, length))
                .addNode(node("Identity", new String[] {"w"}, "y"))
                .build();
        return model(graph);
    }

    private static ai.onnx.proto.OnnxMl.StringStringEntryProto entry(String key, String value) {
        return ai.onnx.proto.OnnxMl.StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
    }

    private static TensorProto randomTensor(String name, java.util.Random random, int... dims) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE);
        int n = 1;
        for (int d : dims) {
            t.addDims(d);
            n *= d;
        }
        for (int i = 0; i < n; i++) {
            t.addFloatData((float) (random.nextGaussian() * 0.1));
        }
        return t.build();
    }

    /**
     * A model one of whose initializers is stored as external data: {@code x} (FP32 [1]) → Identity → {@code y}, and
     * the initializer {@code leak} (UINT8 [length]) read from the file {@code location} (relative to the model file)
     * → Identity → {@code leaked}. The graph ONNX Runtime would happily load from a path, reading the file.
     */
    public static byte[] externalData(String location, int length) {
        return model(GraphProto.newBuilder().setName("external")
                .addInitializer(externalTensor("leak", location, length))
                .addInput(value("x", TensorProto.DataType.FLOAT_VALUE, 1))
                .addOutput(value("y", TensorProto.DataType.FLOAT_VALUE, 1))
                .addOutput(value("leaked", TensorProto.DataType.UINT8_VALUE, length))
                .addNode(node("Identity", new String[] {"x"}, "y"))
                .addNode(node("Identity", new String[] {"leak"}, "leaked"))
                .build());
    }

    /** A UINT8 tensor whose bytes are in {@code location} (external data), from offset 0. */
    public static TensorProto externalTensor(String name, String location, int length) {
        return TensorProto.newBuilder().setName(name).addDims(length).setDataType(TensorProto.DataType.UINT8_VALUE)
                .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(ai.onnx.proto.OnnxMl.StringStringEntryProto.newBuilder().setKey("location")
                        .setValue(location))
                .addExternalData(ai.onnx.proto.OnnxMl.StringStringEntryProto.newBuilder().setKey("length")
                        .setValue(String.valueOf(length)))
                .build();
    }

    static NodeProto node(String op, String[] inputs, String output, AttributeProto... attributes) {
        NodeProto.Builder node = NodeProto.newBuilder().setOpType(op).setName(output + "_" + op).addOutput(output);
        for (String input : inputs) {
            node.addInput(input);
        }
        for (AttributeProto a : attributes) {
            node.addAttribute(a);
        }
        return node.build();
    }

    static ValueInfoProto value(String name, int elementType, long... shape) {
        TensorShapeProto.Builder dims = TensorShapeProto.newBuilder();
        for (long d : shape) {
            dims.addDim(d < 0 ? TensorShapeProto.Dimension.newBuilder().setDimParam(d == -1 ? "batch" : "dim" + -d)
                    : TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(elementType).setShape(dims))).build();
    }

    static byte[] model(GraphProto graph) {
        return ModelProto.newBuilder().setIrVersion(8).setProducerName("cairn-tests")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(13))
                .setGraph(graph).build().toByteArray();
    }
}
