package io.cairn.artifacts.mlflow;

import io.cairn.platform.web.BodyLimits;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.servlet.filter.OrderedFormContentFilter;
import org.springframework.boot.tomcat.TomcatConnectorCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;

/** Servlet plumbing the artifact proxy needs so that upload bodies reach it untouched. */
@Configuration(proxyBeanMethods = false)
class ArtifactProxyWebConfiguration {

    private static final int SOCKET_BUFFER = 64 * 1024;

    /**
     * Boot's form filter, minus the artifact proxy. It parses PUT bodies sent as
     * {@code application/x-www-form-urlencoded} (curl's default for {@code --data-binary}) into memory, which would
     * both buffer a whole upload and consume it before the controller could store it. Replacing the bean keeps the
     * behaviour everywhere else and honours {@code spring.mvc.formcontent.filter.enabled} like Boot's own.
     */
    @Bean
    @ConditionalOnBooleanProperty(name = "spring.mvc.formcontent.filter.enabled", matchIfMissing = true)
    OrderedFormContentFilter artifactAwareFormContentFilter() {
        return new OrderedFormContentFilter() {
            @Override
            protected boolean shouldNotFilter(HttpServletRequest request) {
                return ArtifactRequestPaths.rawArtifactPath(request).isPresent();
            }
        };
    }

    /** Uploads go to the store as a stream (one S3 part in memory at most), so they have no whole-body limit. */
    @Bean
    BodyLimits artifactBodyLimits() {
        return BodyLimits.builder()
                .streaming(HttpMethod.PUT, ArtifactRequestPaths.PREFIXES.stream().map(p -> p + "/artifacts/**")
                        .toArray(String[]::new))
                .build();
    }

    /**
     * Tomcat's per-connection NIO buffers, 64 KiB instead of 8 KiB. A large body otherwise moves in 8 KiB socket
     * writes and reads, one system call each, which halved download throughput through the proxy in
     * bench/artifacts.sh. Memory stays bounded: idle connections' buffers are pooled up to Tomcat's
     * {@code socket.bufferPool} (500 channels, so at most about 64 MB) and nothing else is sized by this.
     */
    @Bean
    TomcatConnectorCustomizer artifactStreamingSocketBuffers() {
        return connector -> {
            connector.setProperty("socket.appReadBufSize", Integer.toString(SOCKET_BUFFER));
            connector.setProperty("socket.appWriteBufSize", Integer.toString(SOCKET_BUFFER));
        };
    }
}
