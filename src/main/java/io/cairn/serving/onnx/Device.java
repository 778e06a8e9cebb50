package io.cairn.serving.onnx;

import java.util.Locale;

/**
 * Where a deployment's sessions run. {@code AUTO}: the CUDA execution provider when this server has the GPU build of
 * ONNX Runtime and a usable GPU, else the CPU (the reason is logged and shown); {@code CUDA}: the GPU or a clear error;
 * {@code CPU}: always the CPU.
 */
public enum Device {
    AUTO, CPU, CUDA;

    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The device named {@code auto}, {@code cpu} or {@code cuda} (any case), or null for anything else. */
    public static Device parse(String name) {
        if (name == null) {
            return null;
        }
        for (Device d : values()) {
            if (d.name().equalsIgnoreCase(name.trim())) {
                return d;
            }
        }
        return null;
    }
}
