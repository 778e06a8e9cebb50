package io.cairn.tracking;

import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Tracking settings.
 *
 * @param defaultArtifactRoot      the artifact location given to new experiments when the request names none; the
 *                                 default {@code mlflow-artifacts:/} makes clients upload through Cairn's artifact proxy
 * @param allowedArtifactLocations URI prefixes an experiment's {@code artifact_location} may lie under besides this
 *                                 server's own store ({@code mlflow-artifacts:/...} and {@code cairn.artifacts.root});
 *                                 matched at a {@code /} boundary. Clients write a run's artifacts straight to its
 *                                 experiment's location, so anything else would let a request point them anywhere
 */
@ConfigurationProperties("cairn.tracking")
public record TrackingProperties(@DefaultValue("mlflow-artifacts:/") String defaultArtifactRoot,
                                 List<String> allowedArtifactLocations) {

    public TrackingProperties {
        allowedArtifactLocations = allowedArtifactLocations == null ? List.of() : List.copyOf(allowedArtifactLocations);
    }
}
