package io.cairn.serving;

import io.cairn.platform.web.BodyLimits;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;

/** Body limits of the serving endpoints. */
@Configuration(proxyBeanMethods = false)
class ServingBodyLimitsConfiguration {

    /** Inference bodies have their own setting (they are held in memory while decoded); entity predictions are bulk. */
    @Bean
    BodyLimits servingBodyLimits(ServingProperties properties) {
        return BodyLimits.builder()
                .own(HttpMethod.POST, properties.maxRequestSize(), "cairn.serving.max-request-size",
                        "/v2/models/{name}/infer", "/v2/models/{name}/versions/{version}/infer")
                .bulk(HttpMethod.POST, "/api/v1/deployments/{name}/predict")
                .build();
    }
}
