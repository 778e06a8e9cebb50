package io.cairn.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.util.Enumeration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.convert.ApplicationConversionService;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every setting the server knows — Spring Boot's and Cairn's, from the configuration metadata of every jar on the
 * class path (Cairn's is written by the configuration processor) — and Spring's own mapping from environment variable
 * names to them, so deployment files can be checked for variables that would be silently ignored.
 */
final class SpringSettings {

    /** Read by something other than Spring: the AWS SDK and the JVM. */
    static final Set<String> NOT_SPRING = Set.of("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
            "AWS_REGION", "AWS_PROFILE", "JAVA_TOOL_OPTIONS");

    private static final Set<String> NAMES = load();

    private SpringSettings() {
    }

    static Set<String> names() {
        return NAMES;
    }

    /** The property an environment variable sets, the way Spring Boot maps it; null when it sets none. */
    static String propertyOf(String variable) {
        ConfigurationPropertySource source = environment(Map.of(variable, "x"));
        for (String name : NAMES) {
            if (source.getConfigurationProperty(ConfigurationPropertyName.of(name)) != null) {
                return name;
            }
        }
        return null;
    }

    /** Binds a {@code @ConfigurationProperties} record from environment variables, as the server would. */
    static <T> T bind(Map<String, String> variables, String prefix, Class<T> type) {
        Binder binder = new Binder(java.util.List.of(environment(variables)), null,
                ApplicationConversionService.getSharedInstance());
        return binder.bindOrCreate(prefix, Bindable.of(type));
    }

    private static ConfigurationPropertySource environment(Map<String, String> variables) {
        // Named as the real one: Spring maps variable names to properties only for a source of this name.
        SystemEnvironmentPropertySource env = new SystemEnvironmentPropertySource(
                StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, Map.copyOf(variables));
        return ConfigurationPropertySources.from(env).iterator().next();
    }

    private static Set<String> load() {
        JsonMapper json = JsonMapper.builder().build();
        Set<String> names = new TreeSet<>();
        try {
            Enumeration<URL> files = SpringSettings.class.getClassLoader()
                    .getResources("META-INF/spring-configuration-metadata.json");
            while (files.hasMoreElements()) {
                try (InputStream in = files.nextElement().openStream()) {
                    JsonNode properties = json.readTree(in).path("properties");
                    for (JsonNode p : properties) {
                        String name = p.path("name").asString();
                        if (ConfigurationPropertyName.isValid(name)) {
                            names.add(name);
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (names.stream().noneMatch(n -> n.startsWith("cairn."))) {
            throw new IllegalStateException("no cairn.* properties in the configuration metadata: is "
                    + "spring-boot-configuration-processor still on the annotation processor path?");
        }
        return names;
    }
}
