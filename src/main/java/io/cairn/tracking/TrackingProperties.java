package io.cairn.tracking;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Tracking settings.
 *
 * @param defaultArtifactRoot the artifact location given to new experiments when the request names none; the
 *                            default {@code mlflow-artifacts:/} makes clients upload through Cairn's artifact proxy
 */
@ConfigurationProperties("cairn.tracking")
public record TrackingProperties(@DefaultValue("mlflow-artifacts:/") String defaultArtifactRoot) {
}
