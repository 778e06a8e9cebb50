package io.cairn.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.HttpJson;
import io.cairn.IntegrationTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/**
 * The README's walkthrough, {@code examples/walkthrough.sh}, run as a newcomer would (bash, curl and the packaged
 * {@code bin/cairn}) against a running server, twice: both runs end in a served prediction by entity key whose values
 * are the example model's formula over the rows the script wrote, and the second run reuses the experiment, model and
 * deployment instead of failing on them.
 */
@IntegrationTest
class WalkthroughIT {

    @LocalServerPort
    int port;

    record Outcome(int code, String output) {
        JsonNode lastJson() {
            List<String> lines = output.lines().filter(l -> l.startsWith("{")).toList();
            return HttpJson.mapper().readTree(lines.get(lines.size() - 1));
        }
    }

    private Outcome walkthrough() throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder("bash", "examples/walkthrough.sh").redirectErrorStream(true);
        builder.environment().put("CAIRN_URL", "http://127.0.0.1:" + port);
        builder.environment().put("MODEL", "eta_walkthrough");
        Process process = builder.start();
        byte[] out = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(180, TimeUnit.SECONDS)).isTrue();
        return new Outcome(process.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    /** The README's curl quick start, run twice: the second run reuses the experiment and logs a second run to it. */
    @Test
    void theQuickStartSurvivesBeingRunTwice() throws Exception {
        String readme = java.nio.file.Files.readString(java.nio.file.Path.of("README.md"));
        int section = readme.indexOf("## Quick start: log a run with curl");
        int start = readme.indexOf("```bash\n", section) + "```bash\n".length();
        String script = readme.substring(start, readme.indexOf("```", start))
                .replace("http://localhost:5000", "http://127.0.0.1:" + port);
        for (int round = 1; round <= 2; round++) {
            Process process = new ProcessBuilder("bash", "-euo", "pipefail", "-c", script).redirectErrorStream(true)
                    .start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).as(out).isZero();
            // curl prints answers without a newline: the search's answer is the text from its first field on.
            int at = out.indexOf("{\"runs\"");
            assertThat(at).as(out).isNotNegative();
            JsonNode found = HttpJson.mapper().readTree(out.substring(at).lines().findFirst().orElseThrow());
            assertThat(found.path("runs").size()).as(out).isEqualTo(round);
        }
    }

    @Test
    void fromNothingToAServedPredictionTwice() throws Exception {
        for (int round = 1; round <= 2; round++) {
            Outcome run = walkthrough();
            assertThat(run.code()).as(run.output()).isZero();
            JsonNode prediction = run.lastJson();
            assertThat(prediction.path("deployment").asString()).isEqualTo("eta_walkthrough");
            JsonNode data = prediction.path("outputs").get(0).path("data");
            // minutes = 20·conv_rate + 10·acc_rate + 0.5·trips + 5 over the rows the script ingested
            assertThat(data.get(0).asDouble()).as(run.output()).isCloseTo(20 * 0.6 + 10 * 0.91 + 7 + 5, Offset.offset(1e-4));
            assertThat(data.get(1).asDouble()).isCloseTo(20 * 0.5 + 10 * 0.9 + 6 + 5, Offset.offset(1e-4));
            assertThat(prediction.path("model_version").asString()).isEqualTo(Integer.toString(round));
            if (round == 2) {
                assertThat(run.output()).contains("0 created, 0 changed, 0 deleted, 2 unchanged");
            }
        }
    }
}
