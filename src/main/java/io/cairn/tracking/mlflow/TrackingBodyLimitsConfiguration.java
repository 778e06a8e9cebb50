package io.cairn.tracking.mlflow;

import io.cairn.platform.web.BodyLimits;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;

/** Tracking's bulk endpoints; every other tracking body is small (one tag, param or metric, a search). */
@Configuration(proxyBeanMethods = false)
class TrackingBodyLimitsConfiguration {

    /**
     * log-batch carries up to 1,000 metrics, params and tags (about 10 MB at the legal maximum, every character
     * escaped); log-inputs datasets whose schema may be a million characters.
     */
    @Bean
    BodyLimits trackingBodyLimits() {
        return BodyLimits.builder()
                .bulk(HttpMethod.POST, "/api/2.0/mlflow/runs/log-batch", "/ajax-api/2.0/mlflow/runs/log-batch",
                        "/api/2.0/mlflow/runs/log-inputs", "/ajax-api/2.0/mlflow/runs/log-inputs")
                .build();
    }
}
