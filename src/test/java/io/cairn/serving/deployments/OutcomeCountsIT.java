package io.cairn.serving.deployments;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.IntegrationTest;
import io.cairn.artifacts.ArtifactStore;
import io.cairn.serving.OnnxModels;
import io.cairn.serving.ServingFixtures;
import io.cairn.serving.ServingOutcomes;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/** Request outcomes reach PostgreSQL per version, added up across flushes, and a failed flush keeps its counts. */
@IntegrationTest
class OutcomeCountsIT {

    @LocalServerPort
    int port;

    @Autowired
    ArtifactStore store;

    @Autowired
    OutcomeCounts outcomes;

    @Autowired
    ServingMetrics metrics;

    ServingFixtures fx;

    @AfterEach
    void cleanUp() {
        fx.cleanUp();
    }

    @Test
    void answeredRequestsAreCountedPerVersionAcrossFlushes() {
        fx = new ServingFixtures(port, store);
        String model = fx.model("outcomes");
        int version = fx.version(model, OnnxModels.scaling(2, 1f), Map.of());
        fx.alias(model, "champion", version);
        String deployment = fx.deployReady("outcomes", model, "champion");
        for (int i = 0; i < 3; i++) {
            assertThat(fx.infer("/v2/models/" + deployment + "/infer", ServingFixtures.fp32("input",
                    new float[][] {{1, 2}})).status()).isEqualTo(200);
        }
        outcomes.flush();
        assertThat(fx.infer("/v2/models/" + deployment + "/infer", ServingFixtures.fp32("input",
                new float[][] {{1, 2}})).status()).isEqualTo(200);
        // A failure counted by the meters (what a 5xx does) goes into the same rows.
        metrics.forVersion(deployment, Integer.toString(version)).failed();
        outcomes.flush();
        Map<Integer, ServingOutcomes.Outcomes> counts = outcomes.counts(deployment,
                Instant.now().minus(Duration.ofMinutes(5)), Instant.now().plus(Duration.ofMinutes(1)));
        assertThat(counts).containsEntry(version, new ServingOutcomes.Outcomes(4, 1));
        assertThat(metrics.drainOutcomes()).noneMatch(d -> d.deployment().equals(deployment));
    }
}
