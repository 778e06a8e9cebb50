package io.cairn.serving;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The README walkthrough's model, {@code examples/eta/model.onnx}, is exactly the linear model described there,
 * minutes = 20·conv_rate + 10·acc_rate + 0.5·avg_daily_trips + 5, and answers as that formula says in ONNX Runtime.
 * Run with {@code -Dcairn.examples.write=true} to write the file again after changing the formula.
 */
class ExampleModelTest {

    static final Path MODEL = Path.of("examples/eta/model.onnx");

    static byte[] model() {
        return OnnxModels.linear(new float[][] {{20f}, {10f}, {0.5f}}, new float[] {5f});
    }

    @Test
    void theCheckedInExampleModelIsTheDocumentedFormula() throws Exception {
        if (Boolean.getBoolean("cairn.examples.write")) {
            Files.write(MODEL, model());
        }
        byte[] checkedIn = Files.readAllBytes(MODEL);
        assertThat(checkedIn).isEqualTo(model());

        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(checkedIn);
             OnnxTensor input = OnnxTensor.createTensor(env, new float[][] {{0.6f, 0.91f, 14f}, {0.5f, 0.9f, 12f}});
             OrtSession.Result result = session.run(Map.of("input", input))) {
            float[][] minutes = (float[][]) result.get(0).getValue();
            assertThat(minutes[0][0]).isCloseTo(20 * 0.6f + 10 * 0.91f + 0.5f * 14 + 5, org.assertj.core.data.Offset.offset(1e-4f));
            assertThat(minutes[1][0]).isCloseTo(20 * 0.5f + 10 * 0.9f + 0.5f * 12 + 5, org.assertj.core.data.Offset.offset(1e-4f));
        }
    }
}
