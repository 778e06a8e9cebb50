package io.cairn.serving.onnx;

import java.util.Arrays;

/**
 * A tensor's values flattened in row-major order in the Java array its {@link Datatype} uses, with its shape.
 * Instances are not copied defensively: whoever builds one hands the array over and nobody changes it afterwards
 * (the prediction log reads it on another thread).
 */
public record Tensor(Datatype datatype, long[] shape, Object data) {

    public Tensor {
        long expected = elements(shape);
        int actual = datatype.length(data);
        if (expected != actual) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + expected
                    + " elements, the data " + actual);
        }
    }

    /** The number of elements a shape holds. */
    public static long elements(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    public int length() {
        return datatype.length(data);
    }

    /**
     * The data as JSON should show it: the array itself, except that INT8 and UINT8 bytes become numbers (JSON
     * libraries write a {@code byte[]} as base64).
     */
    public Object jsonData() {
        if (datatype == Datatype.INT8 || datatype == Datatype.UINT8) {
            byte[] bytes = (byte[]) data;
            int[] numbers = new int[bytes.length];
            for (int i = 0; i < bytes.length; i++) {
                numbers[i] = datatype == Datatype.UINT8 ? bytes[i] & 0xff : bytes[i];
            }
            return numbers;
        }
        return data;
    }

    /** The first dimension: the rows a batch is made of. */
    public long rows() {
        return shape.length == 0 ? 1 : shape[0];
    }
}
