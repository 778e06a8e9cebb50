package io.cairn.deploy;

import static io.cairn.deploy.Tools.at;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.cairn.artifacts.ArtifactStoreProperties;
import io.cairn.platform.db.DatabaseProperties;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServiceAccount;
import io.kubernetes.client.openapi.models.V2HorizontalPodAutoscaler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.flyway.autoconfigure.FlywayProperties;
import org.springframework.boot.jdbc.autoconfigure.DataSourceProperties;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Helm chart, with no helm binary and no cluster: real {@code helm lint} and {@code helm template} (Helm's own
 * Go code through helm-java, no network), then the rendered manifests parsed and checked — against the Kubernetes
 * API schema (the client's generated models refuse unknown or misplaced fields), and for what Cairn needs: probes on
 * the actuator groups, credentials only from Secrets, settings that Spring really binds, and the optional parts
 * present exactly when switched on.
 */
class HelmChartTest {

    private static final Path CHART = Path.of("helm/cairn");
    /** The Kubernetes version the schema models below come from (client-java 24); Helm's own default is 1.20. */
    private static final String KUBE_VERSION = "v1.32.0";

    /** Every optional feature switched on, with values a real install would use. */
    private static final Map<String, Object> ALL_ON = with("security", Map.of(
            "metricsToken", Map.of("existingSecret", "cairn-metrics"),
            "trustedProxies", List.of("10.0.0.0/8"), "oidc", Map.of("issuerUri", "https://idp.example/")), Map.of(
            "image", Map.of("variant", "gpu", "tag", "1.2.3"),
            "redis", Map.of("existingSecret", "cairn-redis"),
            "artifacts", Map.of("s3", Map.of("endpoint", "http://minio.storage:9000", "pathStyleAccess", true,
                    "region", "eu-central-1")),
            "extraConfig", Map.of("CAIRN_FEATURES_ONLINE_TIMEOUT", "1s"),
            "autoscaling", Map.of("enabled", true, "minReplicas", 2, "maxReplicas", 5,
                    "targetMemoryUtilizationPercentage", 80),
            "metrics", Map.of("serviceMonitor", Map.of("enabled", true, "labels", Map.of("release", "kps")),
                    "prometheusRule", Map.of("enabled", true, "labels", Map.of("release", "kps"))),
            "grafanaDashboard", Map.of("enabled", true, "namespace", "monitoring"),
            "gpu", Map.of("enabled", true, "count", 2, "nodeSelector", Map.of("nvidia.com/gpu.present", "true")),
            "nodeSelector", Map.of("pool", "serving"),
            "tolerations", List.of(Map.of("key", "dedicated", "operator", "Equal", "value", "ml",
                    "effect", "NoSchedule"))));

    private static Map<String, Object> with(String key, Object value, Map<String, Object> values) {
        Map<String, Object> out = new LinkedHashMap<>(values);
        out.put(key, value);
        return Map.copyOf(out);
    }

    @TempDir
    Path dir;

    // ---- helm lint --------------------------------------------------------------------------------------------

    @Test
    void lintPassesStrictlyWithDefaultValues() {
        LintResult lint = new Helm(CHART).lint().strict().call();
        assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();
    }

    @Test
    void lintPassesStrictlyWithEveryOptionalFeatureOn() throws IOException {
        // helm lint takes no values of its own: lint a copy whose values.yaml has everything switched on.
        Path copy = copyChart();
        Map<String, Object> values = Tools.readYaml(CHART.resolve("values.yaml"));
        Files.writeString(copy.resolve("values.yaml"), Tools.yaml().dump(merge(values, ALL_ON)));
        LintResult lint = new Helm(copy).lint().strict().call();
        assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();
    }

    // ---- defaults ---------------------------------------------------------------------------------------------

    @Test
    void defaultsRenderADeploymentServiceConfigMapAndServiceAccountOnly() {
        List<Map<String, Object>> docs = template(Map.of());
        assertThat(docs).extracting(d -> (String) d.get("kind"))
                .containsExactlyInAnyOrder("ConfigMap", "Deployment", "Service", "ServiceAccount");
        Map<String, Object> deployment = kind(docs, "Deployment");
        assertThat((Integer) at(deployment, "spec", "replicas")).isEqualTo(1);
        Map<String, Object> container = container(deployment);
        assertThat((String) container.get("image")).isEqualTo("cairn:0.1.0");
        assertThat((Map<String, Object>) at(container, "resources", "limits")).doesNotContainKey("nvidia.com/gpu")
                .containsEntry("memory", "2Gi");
        assertThat((Object) at(deployment, "spec", "template", "spec", "nodeSelector")).isNull();
        assertThat((Object) at(deployment, "spec", "template", "spec", "tolerations")).isNull();
    }

    @Test
    void everyRenderedManifestMatchesTheKubernetesApiSchema() {
        for (Map<String, Object> values : List.of(Map.<String, Object>of(), ALL_ON)) {
            for (Map<String, Object> doc : template(values)) {
                validate(doc);
            }
        }
    }

    @Test
    void probesUseTheActuatorHealthGroupsOnTheNamedPort() {
        Map<String, Object> container = container(kind(template(Map.of()), "Deployment"));
        assertThat((String) at(container, "livenessProbe", "httpGet", "path")).isEqualTo("/actuator/health/liveness");
        assertThat((String) at(container, "startupProbe", "httpGet", "path")).isEqualTo("/actuator/health/liveness");
        assertThat((String) at(container, "readinessProbe", "httpGet", "path"))
                .isEqualTo("/actuator/health/readiness");
        assertThat((String) at(container, "readinessProbe", "httpGet", "port")).isEqualTo("http");
        List<Map<String, Object>> ports = at(container, "ports");
        assertThat(ports).hasSize(2);
        assertThat(ports.get(0)).containsEntry("name", "http").containsEntry("containerPort", 5000);
        assertThat(ports.get(1)).containsEntry("name", "feature-server").containsEntry("containerPort", 6566);
    }

    @Test
    void theFeatureServerPortIsPassedExposedAndCanBeSwitchedOff() {
        List<Map<String, Object>> docs = template(Map.of("featureServer", Map.of("port", 7000)));
        Map<String, String> config = at(kind(docs, "ConfigMap"), "data");
        assertThat(config).containsEntry("CAIRN_FEATURES_SERVER_PORT", "7000")
                .containsEntry("CAIRN_FEATURES_SERVER_ENABLED", "true");
        List<Map<String, Object>> servicePorts = at(kind(docs, "Service"), "spec", "ports");
        assertThat(servicePorts.get(1)).containsEntry("name", "feature-server").containsEntry("port", 7000)
                .containsEntry("targetPort", "feature-server");

        List<Map<String, Object>> off = template(Map.of("featureServer", Map.of("enabled", false)));
        assertThat((Map<String, String>) at(kind(off, "ConfigMap"), "data"))
                .containsEntry("CAIRN_FEATURES_SERVER_ENABLED", "false");
        assertThat((List<Map<String, Object>>) at(kind(off, "Service"), "spec", "ports")).singleElement()
                .satisfies(p -> assertThat(p).containsEntry("name", "http"));
        assertThat((List<Map<String, Object>>) at(container(kind(off, "Deployment")), "ports")).singleElement()
                .satisfies(p -> assertThat(p).containsEntry("name", "http"));
    }

    @Test
    void credentialsComeOnlyFromTheNamedSecrets() {
        List<Map<String, Object>> docs = template(ALL_ON);
        Map<String, Map<String, Object>> env = env(container(kind(docs, "Deployment")));
        assertThat(secretRef(env, "SPRING_DATASOURCE_USERNAME")).isEqualTo("cairn-postgres/username");
        assertThat(secretRef(env, "SPRING_DATASOURCE_PASSWORD")).isEqualTo("cairn-postgres/password");
        assertThat(secretRef(env, "SPRING_FLYWAY_USER")).isEqualTo("cairn-postgres-owner/username");
        assertThat(secretRef(env, "SPRING_FLYWAY_PASSWORD")).isEqualTo("cairn-postgres-owner/password");
        assertThat(secretRef(env, "SPRING_DATA_REDIS_PASSWORD")).isEqualTo("cairn-redis/password");
        assertThat(secretRef(env, "AWS_ACCESS_KEY_ID")).isEqualTo("cairn-s3/access-key-id");
        assertThat(secretRef(env, "AWS_SECRET_ACCESS_KEY")).isEqualTo("cairn-s3/secret-access-key");
        assertThat(secretRef(env, "CAIRN_SECURITY_ADMIN_PASSWORD")).isEqualTo("cairn-admin/password");
        assertThat(secretRef(env, "CAIRN_SECURITY_METRICS_TOKEN")).isEqualTo("cairn-metrics/token");
        Map<String, String> config = at(kind(docs, "ConfigMap"), "data");
        assertThat(config.keySet()).noneMatch(k -> k.contains("PASSWORD") || k.contains("SECRET") || k.startsWith("AWS_"));
        assertThat(docs).noneMatch(d -> "Secret".equals(d.get("kind")));

        // Without a Redis secret no password is set; without an S3 secret the pod's identity is used.
        Map<String, Map<String, Object>> plain = env(container(kind(template(
                Map.of("artifacts", Map.of("s3", Map.of("existingSecret", "")))), "Deployment")));
        assertThat(plain).doesNotContainKeys("SPRING_DATA_REDIS_PASSWORD", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")
                .containsKey("SPRING_DATASOURCE_PASSWORD");

        // Without an owner secret migrations run as the server's own role, as before the split.
        Map<String, Map<String, Object>> oneRole = env(container(kind(template(
                Map.of("database", Map.of("owner", Map.of("existingSecret", "")))), "Deployment")));
        assertThat(oneRole).doesNotContainKeys("SPRING_FLYWAY_USER", "SPRING_FLYWAY_PASSWORD")
                .containsKeys("SPRING_DATASOURCE_USERNAME", "SPRING_DATASOURCE_PASSWORD");
    }

    @Test
    void everySettingTheChartPassesIsBoundBySpring() {
        List<Map<String, Object>> docs = template(ALL_ON);
        Map<String, String> variables = new LinkedHashMap<>(at(kind(docs, "ConfigMap"), "data"));
        env(container(kind(docs, "Deployment"))).keySet().forEach(name -> variables.put(name, "from-a-secret"));
        for (String name : variables.keySet()) {
            if (!SpringSettings.NOT_SPRING.contains(name)) {
                assertThat(SpringSettings.propertyOf(name))
                        .as(name + " maps to no property Spring Boot or Cairn knows; the server would ignore it")
                        .isNotNull();
            }
        }
        ArtifactStoreProperties artifacts = SpringSettings.bind(variables, "cairn.artifacts",
                ArtifactStoreProperties.class);
        assertThat(artifacts.root()).isEqualTo("s3://cairn/artifacts");
        assertThat(artifacts.s3().endpoint()).hasToString("http://minio.storage:9000");
        assertThat(artifacts.s3().pathStyleAccess()).isTrue();
        assertThat(artifacts.s3().region()).isEqualTo("eu-central-1");
        assertThat(SpringSettings.bind(variables, "cairn.database", DatabaseProperties.class).createIfMissing())
                .isFalse();
        // Migrations as the owner role, the server as the runtime role.
        assertThat(SpringSettings.bind(variables, "spring.flyway", FlywayProperties.class).getUser())
                .isEqualTo("from-a-secret");
        assertThat(SpringSettings.bind(variables, "spring.datasource", DataSourceProperties.class).getUsername())
                .isEqualTo("from-a-secret");
        assertThat(variables.get("JAVA_TOOL_OPTIONS")).contains("-XX:MaxRAMPercentage=");
        io.cairn.platform.security.SecurityProperties security = SpringSettings.bind(variables, "cairn.security",
                io.cairn.platform.security.SecurityProperties.class);
        assertThat(security.enabled()).isTrue();
        assertThat(security.admin().password()).isNotNull();
        assertThat(security.trustedProxies()).containsExactly("10.0.0.0/8");
    }

    @Test
    void theServiceSelectsThePodsAndTargetsTheirPort() {
        List<Map<String, Object>> docs = template(Map.of());
        Map<String, String> selector = at(kind(docs, "Service"), "spec", "selector");
        Map<String, String> podLabels = at(kind(docs, "Deployment"), "spec", "template", "metadata", "labels");
        assertThat(podLabels).containsAllEntriesOf(selector);
        assertThat((Map<String, String>) at(kind(docs, "Deployment"), "spec", "selector", "matchLabels"))
                .isEqualTo(selector);
        List<Map<String, Object>> ports = at(kind(docs, "Service"), "spec", "ports");
        assertThat(ports.get(0)).containsEntry("targetPort", "http").containsEntry("port", 5000);
    }

    @Test
    void podsRunAsNonRootOnAReadOnlyRootFilesystem() {
        Map<String, Object> deployment = kind(template(Map.of()), "Deployment");
        assertThat((Boolean) at(deployment, "spec", "template", "spec", "securityContext", "runAsNonRoot")).isTrue();
        assertThat((Integer) at(deployment, "spec", "template", "spec", "securityContext", "runAsUser"))
                .isEqualTo(10001);
        Map<String, Object> container = container(deployment);
        assertThat((Boolean) at(container, "securityContext", "readOnlyRootFilesystem")).isTrue();
        List<Map<String, Object>> mounts = at(container, "volumeMounts");
        assertThat(mounts).extracting(m -> m.get("mountPath")).contains("/tmp");
    }

    // ---- optional features ------------------------------------------------------------------------------------

    @Test
    void everyOptionalFeatureAppearsWhenSwitchedOn() {
        List<Map<String, Object>> docs = template(ALL_ON);
        assertThat(docs).extracting(d -> (String) d.get("kind")).containsExactlyInAnyOrder("ConfigMap", "ConfigMap",
                "Deployment", "Service", "ServiceAccount", "HorizontalPodAutoscaler", "ServiceMonitor", "PrometheusRule");
        Map<String, Object> deployment = kind(docs, "Deployment");
        assertThat((Object) at(deployment, "spec", "replicas")).as("the HPA owns the replica count").isNull();

        Map<String, Object> hpa = kind(docs, "HorizontalPodAutoscaler");
        assertThat((String) hpa.get("apiVersion")).isEqualTo("autoscaling/v2");
        assertThat((String) at(hpa, "spec", "scaleTargetRef", "name"))
                .isEqualTo(at(deployment, "metadata", "name"));
        assertThat((Integer) at(hpa, "spec", "minReplicas")).isEqualTo(2);
        assertThat((List<?>) at(hpa, "spec", "metrics")).hasSize(2);
    }

    @Test
    void theServiceMonitorScrapesThePrometheusEndpointOfTheService() {
        List<Map<String, Object>> docs = template(ALL_ON);
        Map<String, Object> monitor = kind(docs, "ServiceMonitor");
        assertThat((String) monitor.get("apiVersion")).isEqualTo("monitoring.coreos.com/v1");
        assertThat((Map<String, String>) at(monitor, "metadata", "labels")).containsEntry("release", "kps");
        Map<String, Object> endpoint = ((List<Map<String, Object>>) at(monitor, "spec", "endpoints")).get(0);
        assertThat(endpoint).containsEntry("port", "http").containsEntry("path", "/actuator/prometheus");
        Map<String, String> serviceLabels = at(kind(docs, "Service"), "metadata", "labels");
        assertThat(serviceLabels).containsAllEntriesOf(at(monitor, "spec", "selector", "matchLabels"));
        assertThat((List<String>) at(monitor, "spec", "namespaceSelector", "matchNames")).containsExactly("ml");
        // Security is on in the chart, so the scrape sends the metrics token from its Secret.
        assertThat((Map<String, Object>) endpoint.get("authorization")).containsEntry("type", "Bearer")
                .containsEntry("credentials", Map.of("name", "cairn-metrics", "key", "token"));
    }

    @Test
    void thePrometheusRuleCarriesTheMonitoringAlertsOfTheRulesFile() throws IOException {
        Map<String, Object> rule = kind(template(ALL_ON), "PrometheusRule");
        assertThat((String) rule.get("apiVersion")).isEqualTo("monitoring.coreos.com/v1");
        assertThat((Map<String, String>) at(rule, "metadata", "labels")).containsEntry("release", "kps");
        Map<String, Object> file = Tools.readYaml(Path.of("helm/cairn/rules/monitoring.yml"));
        assertThat((Object) rule.get("spec")).isEqualTo(file);
        List<Map<String, Object>> rules = at(((List<Map<String, Object>>) at(rule, "spec", "groups")).get(0), "rules");
        assertThat(rules).extracting(r -> r.get("alert")).contains("CairnMonitoringEvent", "CairnModelAccuracyLow",
                "CairnLabelCoverageLow", "CairnFeatureDrift");
        assertThat(template(Map.of())).extracting(d -> (String) d.get("kind")).doesNotContain("PrometheusRule");
    }

    @Test
    void securityIsOnByDefaultWithTheFirstAdminFromASecretAndNoDefaultPassword() {
        List<Map<String, Object>> docs = template(Map.of());
        Map<String, String> config = at(kind(docs, "ConfigMap"), "data");
        assertThat(config).containsEntry("CAIRN_SECURITY_ENABLED", "true");
        Map<String, Map<String, Object>> env = env(container(kind(docs, "Deployment")));
        assertThat(secretRef(env, "CAIRN_SECURITY_ADMIN_PASSWORD")).isEqualTo("cairn-admin/password");
        assertThat(env.get("CAIRN_SECURITY_ADMIN_USERNAME")).containsEntry("value", "admin");
        Map<String, String> withOidc = at(kind(template(ALL_ON), "ConfigMap"), "data");
        assertThat(withOidc).containsEntry("SPRING_SECURITY_OAUTH2_RESOURCESERVER_JWT_ISSUER_URI", "https://idp.example/")
                .containsEntry("CAIRN_SECURITY_TRUSTED_PROXIES", "10.0.0.0/8");
        // Off is possible (a private test install), and then no admin Secret is needed.
        Map<String, Map<String, Object>> off = env(container(kind(template(Map.of("security",
                Map.of("enabled", false))), "Deployment")));
        assertThat(off).doesNotContainKeys("CAIRN_SECURITY_ADMIN_PASSWORD", "CAIRN_SECURITY_METRICS_TOKEN");
    }

    @Test
    void theGpuOptionRequestsGpusRunsTheGpuImageAndTargetsGpuNodes() {
        Map<String, Object> deployment = kind(template(ALL_ON), "Deployment");
        Map<String, Object> container = container(deployment);
        assertThat((String) container.get("image")).isEqualTo("cairn:1.2.3-gpu");
        assertThat((Map<String, Object>) at(container, "resources", "limits"))
                .containsEntry("nvidia.com/gpu", "2").containsEntry("memory", "2Gi");
        assertThat((Map<String, String>) at(deployment, "spec", "template", "spec", "nodeSelector"))
                .containsEntry("pool", "serving").containsEntry("nvidia.com/gpu.present", "true");
        List<Map<String, Object>> tolerations = at(deployment, "spec", "template", "spec", "tolerations");
        assertThat(tolerations).extracting(t -> t.get("key")).containsExactly("dedicated", "nvidia.com/gpu");
    }

    @Test
    void theDashboardConfigMapCarriesTheSidecarLabelAndTheDashboard() throws IOException {
        Map<String, Object> dashboard = template(ALL_ON).stream().filter(d -> "ConfigMap".equals(d.get("kind")))
                .filter(d -> ((String) at(d, "metadata", "name")).endsWith("-dashboard")).findFirst().orElseThrow();
        assertThat((Map<String, String>) at(dashboard, "metadata", "labels")).containsEntry("grafana_dashboard", "1");
        assertThat((String) at(dashboard, "metadata", "namespace")).isEqualTo("monitoring");
        JsonMapper json = JsonMapper.builder().build();
        assertThat(json.readTree((String) at(dashboard, "data", "cairn.json")))
                .isEqualTo(json.readTree(Files.readString(GrafanaDashboard.FILE)));
    }

    @Test
    void valuesOutsideTheSchemaAreRefused() {
        assertThatThrownBy(() -> template(Map.of("image", Map.of("variant", "tpu"))))
                .hasMessageContaining("variant");
        assertThatThrownBy(() -> template(Map.of("database", Map.of("url", "postgres://db/cairn"))))
                .hasMessageContaining("url");
    }

    @Test
    void everyValueIsDocumentedInTheChartReadme() throws IOException {
        String readme = Files.readString(CHART.resolve("README.md"));
        List<String> missing = new ArrayList<>();
        for (String key : leafKeys("", Tools.readYaml(CHART.resolve("values.yaml")))) {
            // Documented by its own row, or by a row for a group of keys (`probes.startup.*`, `resources`).
            boolean documented = false;
            for (String prefix = key; !prefix.isEmpty() && !documented;
                 prefix = prefix.contains(".") ? prefix.substring(0, prefix.lastIndexOf('.')) : "") {
                documented = readme.contains("`" + prefix + "`") || readme.contains("`" + prefix + ".*`");
            }
            if (!documented) {
                missing.add(key);
            }
        }
        assertThat(missing).as("values missing from helm/cairn/README.md").isEmpty();
    }

    // ---- helpers ----------------------------------------------------------------------------------------------

    @SuppressWarnings("unchecked")
    private static List<String> leafKeys(String prefix, Map<String, Object> values) {
        List<String> keys = new ArrayList<>();
        values.forEach((key, value) -> {
            String path = prefix.isEmpty() ? key : prefix + "." + key;
            if (value instanceof Map<?, ?> map && !map.isEmpty()) {
                keys.addAll(leafKeys(path, (Map<String, Object>) map));
            } else {
                keys.add(path);
            }
        });
        return keys;
    }

    /** {@code helm template cairn helm/cairn -n ml --kube-version v1.32.0 -f <values>}, parsed. */
    private List<Map<String, Object>> template(Map<String, Object> values) {
        try {
            Path file = Files.createTempFile(dir, "values-", ".yaml");
            Files.writeString(file, Tools.yaml().dump(values));
            String rendered = new Helm(CHART).template().withName("cairn").withNamespace("ml").withValuesFile(file)
                    .withKubeVersion(KUBE_VERSION).call();
            return Tools.readAllYaml(rendered);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, Object> kind(List<Map<String, Object>> docs, String kind) {
        List<Map<String, Object>> found = docs.stream().filter(d -> kind.equals(d.get("kind"))).toList();
        assertThat(found).as(kind).isNotEmpty();
        return found.get(0);
    }

    private static Map<String, Object> container(Map<String, Object> deployment) {
        List<Map<String, Object>> containers = at(deployment, "spec", "template", "spec", "containers");
        assertThat(containers).hasSize(1);
        return containers.get(0);
    }

    private static Map<String, Map<String, Object>> env(Map<String, Object> container) {
        Map<String, Map<String, Object>> byName = new LinkedHashMap<>();
        for (Map<String, Object> entry : (List<Map<String, Object>>) container.get("env")) {
            byName.put((String) entry.get("name"), entry);
        }
        return byName;
    }

    private static String secretRef(Map<String, Map<String, Object>> env, String name) {
        assertThat(env).containsKey(name);
        Map<String, Object> ref = at(env.get(name), "valueFrom", "secretKeyRef");
        assertThat(ref).as(name + " comes from a Secret").isNotNull();
        assertThat(env.get(name)).doesNotContainKey("value");
        return ref.get("name") + "/" + ref.get("key");
    }

    /** Checks a manifest against the Kubernetes API's schema, as the generated client models know it. */
    private static void validate(Map<String, Object> doc) {
        JsonElement json = new Gson().toJsonTree(doc);
        String kind = (String) doc.get("kind");
        try {
            switch (kind) {
                case "Deployment" -> V1Deployment.validateJsonElement(json);
                case "Service" -> V1Service.validateJsonElement(json);
                case "ConfigMap" -> V1ConfigMap.validateJsonElement(json);
                case "ServiceAccount" -> V1ServiceAccount.validateJsonElement(json);
                case "HorizontalPodAutoscaler" -> V2HorizontalPodAutoscaler.validateJsonElement(json);
                case "ServiceMonitor", "PrometheusRule" -> {
                    // CRDs the client does not model; their fields are checked in their own tests.
                }
                default -> throw new AssertionError("unexpected kind " + kind);
            }
        } catch (IOException | IllegalArgumentException e) {
            String message = String.valueOf(e.getMessage());
            int dump = message.indexOf(" JSON: ");
            throw new AssertionError(kind + " does not match the Kubernetes API: "
                    + (dump < 0 ? message : message.substring(0, dump)), e);
        }
    }

    private Path copyChart() throws IOException {
        Path target = dir.resolve("cairn");
        try (Stream<Path> files = Files.walk(CHART)) {
            for (Path source : files.toList()) {
                Path destination = target.resolve(CHART.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(destination);
                } else {
                    Files.copy(source, destination);
                }
            }
        }
        return target;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> merge(Map<String, Object> base, Map<String, Object> override) {
        Map<String, Object> merged = new LinkedHashMap<>(base);
        override.forEach((key, value) -> {
            if (value instanceof Map<?, ?> o && merged.get(key) instanceof Map<?, ?> b) {
                merged.put(key, merge((Map<String, Object>) b, (Map<String, Object>) o));
            } else {
                merged.put(key, value instanceof List<?> l ? new ArrayList<>(l) : value);
            }
        });
        return merged;
    }
}
