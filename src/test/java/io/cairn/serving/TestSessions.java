package io.cairn.serving;

import io.cairn.serving.onnx.Device;
import io.cairn.serving.onnx.OnnxModel;
import io.cairn.serving.onnx.OnnxSessions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** ONNX Runtime sessions for unit tests, with the settings a server gets by default. */
public final class TestSessions {

    private TestSessions() {
    }

    /** The serving settings with every default, bound the way Spring Boot binds them. */
    public static ServingProperties defaults(Map<String, String> overrides) {
        return new Binder(new MapConfigurationPropertySource(overrides)).bindOrCreate("cairn.serving",
                ServingProperties.class);
    }

    /** Opens the model on the CPU with the default session options. */
    public static OnnxModel open(byte[] model) {
        try {
            Path file = Files.createTempFile("cairn-test-model-", ".onnx");
            try {
                Files.write(file, model);
                return new OnnxSessions(defaults(Map.of())).open(file, Device.CPU, "test model");
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
