package io.cairn.artifacts;

import java.nio.file.Path;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Picks the artifact store from the configured root. */
@Configuration(proxyBeanMethods = false)
class ArtifactStoreConfiguration {

    @Bean
    ArtifactStore artifactStore(ArtifactStoreProperties properties) {
        return new LocalArtifactStore(Path.of(properties.root()));
    }
}
