package io.cairn.serving.onnx;

/** A model version that cannot be served: no ONNX file, an unreadable graph, an unusable device. */
public class ModelLoadException extends RuntimeException {

    public ModelLoadException(String message) {
        super(message);
    }

    public ModelLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
