package io.cairn.artifacts.store;

import io.cairn.artifacts.ArtifactStore;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.stereotype.Component;

/**
 * The {@code artifacts} component of {@code /actuator/health}: whether the artifact store (the S3 bucket, or the local
 * directory) answers. It is deliberately not part of the readiness group: without the store, uploads, downloads and
 * model loads fail with 503s of their own, but tracking, the registry, feature reads and models already loaded keep
 * working, so a replica should stay in service rather than leave the load balancer.
 */
@Component("artifactsHealthIndicator")
class ArtifactStoreHealthIndicator extends AbstractHealthIndicator {

    private final ArtifactStore store;
    private final String location;

    ArtifactStoreHealthIndicator(ArtifactStore store) {
        super("The artifact store is not available");
        this.store = store;
        this.location = store.uri("");
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        builder.withDetail("store", location);
        store.checkAvailable();
        builder.up();
    }
}
