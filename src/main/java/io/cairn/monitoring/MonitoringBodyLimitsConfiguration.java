package io.cairn.monitoring;

import io.cairn.platform.web.BodyLimits;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;

/** Body limits of the monitoring endpoints. */
@Configuration(proxyBeanMethods = false)
class MonitoringBodyLimitsConfiguration {

    /** Ground truth is read a label at a time into a COPY (JSON and CSV alike), so a bulk load may be any size. */
    @Bean
    BodyLimits monitoringBodyLimits() {
        return BodyLimits.builder()
                .streaming(HttpMethod.POST, "/api/v1/deployments/{name}/ground-truth")
                .build();
    }
}
