package io.cairn.serving.deployments;

import io.cairn.serving.CanaryGuard;
import io.cairn.serving.onnx.Device;
import java.time.Instant;

/**
 * A deployment as stored: serve the version behind {@code alias} of registered model {@code model}, and send
 * {@code canaryPercent} of the requests to the version behind {@code canaryAlias} (when set), guarded by
 * {@code canaryGuard} (or not, when null).
 */
public record DeploymentSpec(String name, String model, String alias, String canaryAlias, int canaryPercent,
                             CanaryGuard canaryGuard, Device device, int maxBatchSize, int maxQueueDelayMs,
                             boolean acceptStaleFeatures, long revision, Instant createdAt, Instant updatedAt) {

    /** The alias a slot of this deployment serves. */
    String alias(Slot.Role role) {
        return role == Slot.Role.PRIMARY ? alias : canaryAlias;
    }
}
