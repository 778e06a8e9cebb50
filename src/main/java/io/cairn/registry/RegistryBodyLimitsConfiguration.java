package io.cairn.registry;

import io.cairn.platform.web.BodyLimits;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;

/** The registry's bulk endpoints; every other registry body is small. */
@Configuration(proxyBeanMethods = false)
class RegistryBodyLimitsConfiguration {

    /**
     * Creates carry a 100,000-character description and any number of tags of up to 100,000 characters each; a card
     * patch any number of 20,000-character texts.
     */
    @Bean
    BodyLimits registryBodyLimits() {
        return BodyLimits.builder()
                .bulk(HttpMethod.POST, "/api/2.0/mlflow/registered-models/create",
                        "/ajax-api/2.0/mlflow/registered-models/create", "/api/2.0/mlflow/model-versions/create",
                        "/ajax-api/2.0/mlflow/model-versions/create")
                .bulk(HttpMethod.PATCH, "/api/v1/models/{name}/versions/{version}/card")
                .build();
    }
}
