package io.cairn.serving.onnx;

import ai.onnxruntime.OnnxJavaType;
import java.util.Arrays;
import java.util.List;

/**
 * The Open Inference Protocol tensor datatypes Cairn serves, each with its ONNX element type and the Java array that
 * holds its flattened values: BOOL {@code boolean[]}, UINT8 and INT8 {@code byte[]}, INT16 {@code short[]}, INT32
 * {@code int[]}, INT64 {@code long[]}, FP32 {@code float[]}, FP64 {@code double[]}, BYTES {@code String[]} (ONNX
 * string tensors, as text).
 */
public enum Datatype {
    BOOL(OnnxJavaType.BOOL),
    UINT8(OnnxJavaType.UINT8),
    INT8(OnnxJavaType.INT8),
    INT16(OnnxJavaType.INT16),
    INT32(OnnxJavaType.INT32),
    INT64(OnnxJavaType.INT64),
    FP32(OnnxJavaType.FLOAT),
    FP64(OnnxJavaType.DOUBLE),
    BYTES(OnnxJavaType.STRING);

    public static final List<String> NAMES = Arrays.stream(values()).map(Enum::name).toList();

    private final OnnxJavaType onnxType;

    Datatype(OnnxJavaType onnxType) {
        this.onnxType = onnxType;
    }

    OnnxJavaType onnxType() {
        return onnxType;
    }

    /** The datatype of an ONNX element type, or null when Cairn does not serve it (FP16, BF16, ...). */
    static Datatype of(OnnxJavaType type) {
        for (Datatype d : values()) {
            if (d.onnxType == type) {
                return d;
            }
        }
        return null;
    }

    /** The datatype named by a protocol string, or null when there is none of that name. */
    public static Datatype parse(String name) {
        for (Datatype d : values()) {
            if (d.name().equals(name)) {
                return d;
            }
        }
        return null;
    }

    /** A new zero-filled array of this type ({@code ""} for BYTES). */
    public Object newArray(int length) {
        return switch (this) {
            case BOOL -> new boolean[length];
            case UINT8, INT8 -> new byte[length];
            case INT16 -> new short[length];
            case INT32 -> new int[length];
            case INT64 -> new long[length];
            case FP32 -> new float[length];
            case FP64 -> new double[length];
            case BYTES -> {
                String[] s = new String[length];
                Arrays.fill(s, "");
                yield s;
            }
        };
    }

    /** The length of an array of this type. */
    public int length(Object array) {
        return switch (this) {
            case BOOL -> ((boolean[]) array).length;
            case UINT8, INT8 -> ((byte[]) array).length;
            case INT16 -> ((short[]) array).length;
            case INT32 -> ((int[]) array).length;
            case INT64 -> ((long[]) array).length;
            case FP32 -> ((float[]) array).length;
            case FP64 -> ((double[]) array).length;
            case BYTES -> ((String[]) array).length;
        };
    }
}
