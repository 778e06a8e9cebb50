package io.cairn.artifacts.mlflow;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.servlet.filter.OrderedFormContentFilter;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Servlet plumbing the artifact proxy needs so that upload bodies reach it untouched. */
@Configuration(proxyBeanMethods = false)
class ArtifactProxyWebConfiguration {

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
}
