package io.cairn;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.RecordComponent;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DataObjectPropertyName;
import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;
import org.springframework.core.type.filter.AnnotationTypeFilter;
import org.springframework.util.ClassUtils;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * docs/configuration.md is the one configuration reference (docs/operations.md links to it) and stays in step with
 * the code: every property of every {@code @ConfigurationProperties} record under {@code io.cairn} is named there,
 * and every {@code cairn.*} property named there exists.
 */
class ConfigurationDocsTest {

    private static final Path REFERENCE = Path.of("docs/configuration.md");

    @Test
    void everyCairnPropertyIsInTheConfigurationReference() throws IOException {
        String reference = Files.readString(REFERENCE);
        Set<String> missing = new TreeSet<>();
        for (String key : propertiesOfRecords()) {
            if (!reference.contains("`" + key + "`")) {
                missing.add(key);
            }
        }
        assertThat(missing).as("properties missing from " + REFERENCE).isEmpty();
    }

    @Test
    void everyCairnPropertyTheReferenceNamesExists() throws IOException {
        Set<String> known = propertiesOfRecords();
        Matcher named = Pattern.compile("`(cairn\\.[a-z0-9.-]*[a-z0-9])`").matcher(Files.readString(REFERENCE));
        Set<String> unknown = new TreeSet<>();
        while (named.find()) {
            if (!known.contains(named.group(1))) {
                unknown.add(named.group(1));
            }
        }
        assertThat(unknown).as("named in " + REFERENCE + " but bound by no @ConfigurationProperties record").isEmpty();
    }

    @Test
    void theScanFindsWhatTheConfigurationProcessorFound() throws IOException {
        // The processor sees the records at compile time; a scan that missed one would let it go undocumented.
        Set<String> processed = new TreeSet<>();
        JsonMapper json = JsonMapper.builder().build();
        Enumeration<URL> files = getClass().getClassLoader().getResources("META-INF/spring-configuration-metadata.json");
        while (files.hasMoreElements()) {
            try (InputStream in = files.nextElement().openStream()) {
                for (JsonNode property : json.readTree(in).path("properties")) {
                    String name = property.path("name").asString();
                    if (name.startsWith("cairn.")) {
                        processed.add(name);
                    }
                }
            }
        }
        assertThat(processed).isNotEmpty().isEqualTo(propertiesOfRecords());
    }

    @Test
    void everyOtherPropertyApplicationYmlSetsIsInTheReference() throws IOException {
        String reference = Files.readString(REFERENCE);
        Set<String> missing = new TreeSet<>();
        for (String key : applicationYmlKeys()) {
            if (!key.startsWith("cairn.") && !documented(reference, key)) {
                missing.add(key);
            }
        }
        assertThat(missing).as("set in application.yml but missing from " + REFERENCE).isEmpty();
    }

    /**
     * Named in backticks, whole, or in the reference's shorthand for siblings on one line: {@code `a.b.c` / `d`} or
     * {@code `a.b.c` / `.d`} documents {@code a.b.d} too.
     */
    private static boolean documented(String reference, String key) {
        if (reference.contains("`" + key + "`")) {
            return true;
        }
        int dot = key.lastIndexOf('.');
        String parent = key.substring(0, dot + 1);
        String last = key.substring(dot + 1);
        for (String line : reference.split("\n")) {
            if (line.contains("`" + parent) && (line.contains("`" + last + "`") || line.contains("`." + last + "`"))) {
                return true;
            }
        }
        return false;
    }

    /** Every leaf key application.yml sets, flattened the way Spring names them (lists count as their key). */
    static Set<String> applicationYmlKeys() throws IOException {
        Set<String> keys = new TreeSet<>();
        try (InputStream in = Files.newInputStream(Path.of("src/main/resources/application.yml"))) {
            Object root = new org.yaml.snakeyaml.Yaml().load(in);
            flatten("", root, keys);
        }
        return keys;
    }

    private static void flatten(String prefix, Object node, Set<String> keys) {
        if (node instanceof java.util.Map<?, ?> map) {
            for (java.util.Map.Entry<?, ?> e : map.entrySet()) {
                flatten(prefix.isEmpty() ? String.valueOf(e.getKey()) : prefix + "." + e.getKey(), e.getValue(), keys);
            }
        } else {
            keys.add(prefix);
        }
    }

    /** Property names of every {@code @ConfigurationProperties} record under io.cairn, nested records expanded. */
    static Set<String> propertiesOfRecords() {
        ClassPathScanningCandidateComponentProvider scanner = new ClassPathScanningCandidateComponentProvider(false);
        scanner.addIncludeFilter(new AnnotationTypeFilter(ConfigurationProperties.class));
        Set<String> keys = new TreeSet<>();
        for (BeanDefinition candidate : scanner.findCandidateComponents("io.cairn")) {
            Class<?> type = ClassUtils.resolveClassName(candidate.getBeanClassName(), null);
            ConfigurationProperties annotation = type.getAnnotation(ConfigurationProperties.class);
            String prefix = annotation.prefix().isEmpty() ? annotation.value() : annotation.prefix();
            assertThat(type.isRecord()).as(type + ": configuration is kept in records (docs/configuration.md)").isTrue();
            collect(prefix, type, keys);
        }
        return keys;
    }

    private static void collect(String prefix, Class<?> record, Set<String> keys) {
        for (RecordComponent component : record.getRecordComponents()) {
            String key = prefix + "." + DataObjectPropertyName.toDashedForm(component.getName());
            Class<?> type = component.getType();
            if (type.isRecord() && type.getName().startsWith("io.cairn.")) {
                collect(key, type, keys);
            } else {
                keys.add(key);
            }
        }
    }
}
