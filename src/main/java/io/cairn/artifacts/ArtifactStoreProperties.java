package io.cairn.artifacts;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Where artifacts are kept.
 *
 * @param root a local directory (default {@code ./data/artifacts}); the S3 form {@code s3://bucket/prefix} comes with
 *             the artifact store. Set with {@code CAIRN_ARTIFACTS_ROOT}.
 */
@ConfigurationProperties("cairn.artifacts")
public record ArtifactStoreProperties(@DefaultValue("./data/artifacts") String root) {
}
