package io.cairn.features.online;

import io.cairn.platform.web.BodyLimits;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;

/** Feast's endpoints on the main port accept what the feature server's own port accepts. */
@Configuration(proxyBeanMethods = false)
class FeastBodyLimitsConfiguration {

    @Bean
    BodyLimits feastBodyLimits(FeatureServerProperties properties) {
        return BodyLimits.builder()
                .own(HttpMethod.POST, properties.maxRequestSize(), "cairn.features.server.max-request-size",
                        "/get-online-features", "/push", "/materialize", "/materialize-incremental")
                .build();
    }
}
