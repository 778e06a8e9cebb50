package io.cairn.artifacts.store;

import io.cairn.artifacts.ArtifactStore;
import io.cairn.artifacts.ArtifactStoreProperties;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.AwsProfileRegionProvider;
import software.amazon.awssdk.regions.providers.AwsRegionProviderChain;
import software.amazon.awssdk.regions.providers.SystemSettingsRegionProvider;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/** Picks the artifact store from the root's scheme: {@code s3://} gives the S3 store, anything else a local directory. */
@Configuration(proxyBeanMethods = false)
class ArtifactStoreConfiguration {

    private static final Logger log = LoggerFactory.getLogger(ArtifactStoreConfiguration.class);

    @Bean
    ArtifactStore artifactStore(ArtifactStoreProperties properties) {
        if (properties.usesS3()) {
            ArtifactStoreProperties.S3 s3 = properties.s3();
            long partSize = s3.partSize().toBytes();
            if (partSize < S3ArtifactStore.MIN_PART_SIZE || partSize > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("cairn.artifacts.s3.part-size must be between 5MB and 2GB, got "
                        + s3.partSize());
            }
            log.info("Artifacts in S3 at {} (endpoint {}, path-style {})", properties.root(),
                    s3.endpoint() == null ? "AWS" : s3.endpoint(), s3.pathStyleAccess());
            return new S3ArtifactStore(s3Client(s3), properties.root(), (int) partSize);
        }
        LocalArtifactStore store = new LocalArtifactStore(Path.of(properties.root()));
        log.info("Artifacts in local directory {}", store.root());
        return store;
    }

    /** The synchronous client with the SDK's default HTTP client and default credential chain. */
    static S3Client s3Client(ArtifactStoreProperties.S3 s3) {
        S3ClientBuilder builder = S3Client.builder()
                .region(region(s3.region()))
                .forcePathStyle(s3.pathStyleAccess());
        if (s3.endpoint() != null) {
            builder.endpointOverride(s3.endpoint());
        }
        return builder.build();
    }

    /**
     * The configured region, else {@code aws.region}/{@code AWS_REGION} or the profile's, else us-east-1. The SDK's
     * own chain would also ask the EC2 instance metadata service, which stalls start-up for seconds off EC2.
     */
    private static Region region(String configured) {
        if (configured != null && !configured.isBlank()) {
            return Region.of(configured.trim());
        }
        try {
            return new AwsRegionProviderChain(new SystemSettingsRegionProvider(), new AwsProfileRegionProvider())
                    .getRegion();
        } catch (SdkClientException e) {
            return Region.US_EAST_1;
        }
    }
}
