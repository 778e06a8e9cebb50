package io.cairn.serving.onnx;

import java.util.Arrays;

/**
 * A tensor's values flattened in row-major order in the Java array its {@link Datatype} uses, with its shape.
 * Instances are not copied defensively: whoever builds one hands the array over and nobody changes it afterwards
 * (the prediction log reads it on another thread).
 */
public record Tensor(Datatype datatype, long[] shape, Object data) {

    /** The most values one tensor holds: its data is one Java array. */
    public static final long MAX_ELEMENTS = Integer.MAX_VALUE;

    public Tensor {
        long expected;
        try {
            expected = elements(shape);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds more values than a long "
                    + "counts");
        }
        int actual = datatype.length(data);
        if (expected != actual) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + expected
                    + " elements, the data " + actual);
        }
    }

    /**
     * The number of elements a shape holds, multiplied exactly.
     *
     * @throws ArithmeticException      when the count overflows a long
     * @throws IllegalArgumentException for a negative dimension
     */
    public static long elements(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /**
     * Whether a shape is small enough to serve: its dimensions, with 0 counted as 1, multiply to at most
     * {@link #MAX_ELEMENTS}. Counting zeros as 1 keeps out empty shapes such as {@code [0, 2^62, 4]}, whose strides
     * would still overflow inside ONNX Runtime.
     */
    public static boolean fits(long[] shape) {
        long span = 1;
        for (long d : shape) {
            if (d < 0) {
                return false;
            }
            long factor = Math.max(1, d);
            if (factor > MAX_ELEMENTS / span) {
                return false;
            }
            span *= factor;
        }
        return true;
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
