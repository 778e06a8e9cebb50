package io.cairn.serving.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.ByteBuffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One ONNX Runtime session with its input and output metadata, the device it runs on and why. Runs are thread-safe
 * (ORT sessions are); {@link #close()} must only be called once nothing runs any more.
 */
public final class OnnxModel implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(OnnxModel.class);

    private final OrtEnvironment env;
    private final OrtSession session;
    private final OrtSession.SessionOptions options;
    private final String device;
    private final String deviceNote;
    private final List<TensorSpec> inputs;
    private final List<TensorSpec> outputs;
    private final Map<String, TensorSpec> inputsByName = new HashMap<>();
    private final Map<String, TensorSpec> outputsByName = new HashMap<>();
    private final Set<String> allOutputs;
    private final boolean batchable;

    OnnxModel(OrtEnvironment env, OrtSession session, OrtSession.SessionOptions options, String device,
              String deviceNote) throws OrtException {
        this.env = env;
        this.session = session;
        this.options = options;
        this.device = device;
        this.deviceNote = deviceNote;
        this.inputs = specs(session.getInputInfo(), "input", true);
        this.outputs = specs(session.getOutputInfo(), "output", false);
        if (outputs.isEmpty()) {
            throw new ModelLoadException("The model has no tensor outputs; Cairn serves tensor outputs only.");
        }
        inputs.forEach(s -> inputsByName.put(s.name(), s));
        outputs.forEach(s -> outputsByName.put(s.name(), s));
        this.allOutputs = new LinkedHashSet<>(outputs.stream().map(TensorSpec::name).toList());
        this.batchable = inputs.stream().allMatch(TensorSpec::batchable) && outputs.stream().allMatch(TensorSpec::batchable)
                && sameFirstDimension(session);
    }

    /**
     * Whether every input names its first dimension the same (e.g. all {@code batch}), so stacked inputs stay
     * consistent. Outputs often carry a name of the exporter's making; whether they are row-aligned is checked on
     * every fused run instead.
     */
    private static boolean sameFirstDimension(OrtSession session) throws OrtException {
        java.util.Set<String> names = new java.util.HashSet<>();
        for (NodeInfo node : session.getInputInfo().values()) {
            if (node.getInfo() instanceof TensorInfo tensor && tensor.getDimensionNames().length > 0) {
                names.add(tensor.getDimensionNames()[0]);
            }
        }
        return names.size() <= 1;
    }

    private static List<TensorSpec> specs(Map<String, NodeInfo> infos, String kind, boolean required) {
        List<TensorSpec> specs = new ArrayList<>();
        for (NodeInfo node : infos.values()) {
            if (!(node.getInfo() instanceof TensorInfo tensor)) {
                if (required) {
                    throw new ModelLoadException("The model's " + kind + " '" + node.getName() + "' is not a tensor ("
                            + node.getInfo() + "); Cairn serves tensor inputs only.");
                }
                // Classifier exports often add a sequence-of-maps output beside the tensor ones (ZipMap); it is not
                // served and not computed.
                log.info("Model {} '{}' is not a tensor and is not served: {}", kind, node.getName(), node.getInfo());
                continue;
            }
            Datatype datatype = Datatype.of(tensor.type);
            if (datatype == null) {
                throw new ModelLoadException("The model's " + kind + " '" + node.getName() + "' has element type "
                        + tensor.onnxType + ", which Cairn does not serve; supported: " + Datatype.NAMES + ".");
            }
            specs.add(new TensorSpec(node.getName(), datatype, tensor.getShape()));
        }
        return List.copyOf(specs);
    }

    public List<TensorSpec> inputs() {
        return inputs;
    }

    public List<TensorSpec> outputs() {
        return outputs;
    }

    public TensorSpec input(String name) {
        return inputsByName.get(name);
    }

    public TensorSpec output(String name) {
        return outputsByName.get(name);
    }

    /** Whether every input and output has a variable first dimension, so requests can be stacked into one run. */
    public boolean batchable() {
        return batchable;
    }

    /** {@code cpu} or {@code cuda}. */
    public String device() {
        return device;
    }

    /** Why the device differs from the one asked for ({@code auto} that fell back to the CPU), else null. */
    public String deviceNote() {
        return deviceNote;
    }

    /** The ONNX Runtime session itself, for comparisons with in-process calls. */
    public OrtSession session() {
        return session;
    }

    /**
     * Runs the model. {@code inputs} must hold every input with a fitting datatype and shape (the protocol edge checks
     * that); {@code outputNames} null means every output. Returns the outputs in the order asked for.
     */
    public Map<String, Tensor> run(Map<String, Tensor> inputs, Collection<String> outputNames) throws OrtException {
        Set<String> wanted = outputNames == null ? allOutputs : new LinkedHashSet<>(outputNames);
        Map<String, OnnxTensor> feed = new HashMap<>(inputs.size() * 2);
        try {
            for (Map.Entry<String, Tensor> e : inputs.entrySet()) {
                feed.put(e.getKey(), toOnnx(e.getValue()));
            }
            try (OrtSession.Result result = session.run(feed, wanted)) {
                Map<String, Tensor> out = new LinkedHashMap<>(wanted.size() * 2);
                for (String name : wanted) {
                    OnnxValue value = result.get(name).orElseThrow();
                    out.put(name, fromOnnx((OnnxTensor) value, outputsByName.get(name).datatype()));
                }
                return out;
            }
        } finally {
            feed.values().forEach(OnnxTensor::close);
        }
    }

    /** One run on zeros (empty strings) with every variable dimension 1, so the first request finds a warm session. */
    public void warmUp() throws OrtException {
        Map<String, Tensor> zeros = new HashMap<>();
        for (TensorSpec spec : inputs) {
            long[] shape = spec.shape().clone();
            for (int i = 0; i < shape.length; i++) {
                if (shape[i] < 0) {
                    shape[i] = 1;
                }
            }
            zeros.put(spec.name(), new Tensor(spec.datatype(), shape,
                    spec.datatype().newArray(Math.toIntExact(Tensor.elements(shape)))));
        }
        run(zeros, null);
    }

    private OnnxTensor toOnnx(Tensor t) throws OrtException {
        long[] shape = t.shape();
        return switch (t.datatype()) {
            case FP32 -> OnnxTensor.createTensor(env, FloatBuffer.wrap((float[]) t.data()), shape);
            case FP64 -> OnnxTensor.createTensor(env, DoubleBuffer.wrap((double[]) t.data()), shape);
            case INT64 -> OnnxTensor.createTensor(env, LongBuffer.wrap((long[]) t.data()), shape);
            case INT32 -> OnnxTensor.createTensor(env, IntBuffer.wrap((int[]) t.data()), shape);
            case INT16 -> OnnxTensor.createTensor(env, ShortBuffer.wrap((short[]) t.data()), shape);
            case INT8 -> OnnxTensor.createTensor(env, ByteBuffer.wrap((byte[]) t.data()), shape);
            case UINT8 -> OnnxTensor.createTensor(env, ByteBuffer.wrap((byte[]) t.data()), shape,
                    ai.onnxruntime.OnnxJavaType.UINT8);
            case BOOL -> {
                boolean[] values = (boolean[]) t.data();
                ByteBuffer bytes = ByteBuffer.allocate(values.length);
                for (boolean v : values) {
                    bytes.put(v ? (byte) 1 : (byte) 0);
                }
                bytes.flip();
                yield OnnxTensor.createTensor(env, bytes, shape, ai.onnxruntime.OnnxJavaType.BOOL);
            }
            case BYTES -> OnnxTensor.createTensor(env, (String[]) t.data(), shape);
        };
    }

    private static Tensor fromOnnx(OnnxTensor value, Datatype datatype) throws OrtException {
        long[] shape = value.getInfo().getShape();
        Object data = switch (datatype) {
            case FP32 -> {
                FloatBuffer b = value.getFloatBuffer();
                float[] a = new float[b.remaining()];
                b.get(a);
                yield a;
            }
            case FP64 -> {
                DoubleBuffer b = value.getDoubleBuffer();
                double[] a = new double[b.remaining()];
                b.get(a);
                yield a;
            }
            case INT64 -> {
                LongBuffer b = value.getLongBuffer();
                long[] a = new long[b.remaining()];
                b.get(a);
                yield a;
            }
            case INT32 -> {
                IntBuffer b = value.getIntBuffer();
                int[] a = new int[b.remaining()];
                b.get(a);
                yield a;
            }
            case INT16 -> {
                ShortBuffer b = value.getShortBuffer();
                short[] a = new short[b.remaining()];
                b.get(a);
                yield a;
            }
            case INT8, UINT8 -> {
                ByteBuffer b = value.getByteBuffer();
                byte[] a = new byte[b.remaining()];
                b.get(a);
                yield a;
            }
            case BOOL -> {
                ByteBuffer b = value.getByteBuffer();
                boolean[] a = new boolean[b.remaining()];
                for (int i = 0; i < a.length; i++) {
                    a[i] = b.get() != 0;
                }
                yield a;
            }
            case BYTES -> {
                String[] a = new String[Math.toIntExact(Tensor.elements(shape))];
                flatten(value.getValue(), a, new int[] {0});
                yield a;
            }
        };
        return new Tensor(datatype, shape, data);
    }

    /** ORT hands string tensors back as nested String arrays (a String for a scalar). */
    private static void flatten(Object nested, String[] into, int[] at) {
        if (nested instanceof String s) {
            into[at[0]++] = s;
        } else {
            for (Object o : (Object[]) nested) {
                flatten(o, into, at);
            }
        }
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            log.warn("Closing an ONNX Runtime session failed", e);
        } finally {
            options.close();
        }
    }
}
