package io.cairn.artifacts;

import java.net.URI;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Where artifacts are kept.
 *
 * @param root a local directory (default {@code ./data/artifacts}) or {@code s3://bucket/prefix}; the scheme picks the
 *             store. Set with {@code CAIRN_ARTIFACTS_ROOT}.
 * @param s3   how to reach S3 when the root is an {@code s3://} URI
 */
@ConfigurationProperties("cairn.artifacts")
public record ArtifactStoreProperties(@DefaultValue("./data/artifacts") String root, @DefaultValue S3 s3) {

    /** Whether the root names an S3 bucket rather than a local directory. */
    public boolean usesS3() {
        return ArtifactLocations.isS3(root);
    }

    /**
     * S3 client settings; credentials always come from the AWS SDK's default chain (environment
     * {@code AWS_ACCESS_KEY_ID}/{@code AWS_SECRET_ACCESS_KEY}, system properties, profile, container or instance role).
     *
     * @param endpoint         an S3-compatible endpoint such as {@code http://minio:9000}; empty means AWS itself
     * @param pathStyleAccess  address buckets as {@code endpoint/bucket/key} instead of {@code bucket.endpoint/key}, as
     *                         MinIO and most S3-compatible servers need
     * @param region           the signing region; empty means the SDK's default chain ({@code AWS_REGION}, profile),
     *                         falling back to {@code us-east-1}
     * @param partSize         part size of multipart uploads of bodies whose length is unknown; one buffer of this
     *                         size is held per such upload (S3's minimum is 5 MB)
     */
    public record S3(URI endpoint, @DefaultValue("false") boolean pathStyleAccess, String region,
                     @DefaultValue("8MB") DataSize partSize) {
    }
}
