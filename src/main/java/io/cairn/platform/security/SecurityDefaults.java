package io.cairn.platform.security;

import java.util.Map;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * With security on, health details (Redis version, paths, the artifact root) are for admins only, whatever
 * application.yml's laptop default ({@code show-details: always}) says, so this source goes first. With security off
 * the details stay public.
 */
public class SecurityDefaults implements EnvironmentPostProcessor {

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        if (environment.getProperty("cairn.security.enabled", Boolean.class, false)) {
            environment.getPropertySources().addFirst(new MapPropertySource("cairnSecurityDefaults", Map.of(
                    "management.endpoint.health.show-details", "when-authorized",
                    "management.endpoint.health.show-components", "when-authorized",
                    "management.endpoint.health.roles", "ADMIN")));
        }
    }
}
