package io.cairn.serving.onnx;

import java.util.Arrays;

/** A model input or output as ONNX Runtime describes it: name, datatype and shape, {@code -1} for a variable dimension. */
public record TensorSpec(String name, Datatype datatype, long[] shape) {

    /** Whether the first dimension is variable, so requests can be stacked along it. */
    public boolean batchable() {
        return shape.length > 0 && shape[0] < 0;
    }

    /** Whether a tensor of this shape fits: same rank, and every fixed dimension equal. */
    public boolean accepts(long[] given) {
        if (given.length != shape.length) {
            return false;
        }
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] >= 0 && shape[i] != given[i]) {
                return false;
            }
        }
        return true;
    }

    public String shapeText() {
        return Arrays.toString(shape);
    }
}
