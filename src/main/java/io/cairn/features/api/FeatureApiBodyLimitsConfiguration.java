package io.cairn.features.api;

import io.cairn.platform.web.BodyLimits;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;

/** Body limits of the feature store's /api/v1 endpoints. */
@Configuration(proxyBeanMethods = false)
class FeatureApiBodyLimitsConfiguration {

    /**
     * Row ingestion and CSV training sets read their body as a stream, a row at a time, so any size is fine; JSON
     * training sets are bulk (their entity rows are held while the plan is made).
     */
    @Bean
    BodyLimits featureApiBodyLimits() {
        return BodyLimits.builder()
                .streaming(HttpMethod.POST, "/api/v1/feature-views/{name}/rows")
                .streaming(HttpMethod.POST, MediaType.valueOf("text/csv"), "/api/v1/training-sets")
                .bulk(HttpMethod.POST, "/api/v1/training-sets")
                .build();
    }
}
