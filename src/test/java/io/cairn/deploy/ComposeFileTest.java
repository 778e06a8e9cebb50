package io.cairn.deploy;

import static io.cairn.deploy.Tools.at;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.cairn.artifacts.ArtifactStoreProperties;
import io.cairn.platform.db.DatabaseProperties;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.boot.flyway.autoconfigure.FlywayProperties;
import org.springframework.boot.jdbc.autoconfigure.DataSourceProperties;

/**
 * docker-compose.yml and the files it mounts, checked where no Docker engine runs: by docker-compose's own parser
 * ({@code config}) and promtool when they are installed (CI installs both), and always by reading the YAML — the
 * services and how they wait for each other, and Cairn's environment bound through Spring's own binder, so a
 * misspelt variable that the server would silently ignore fails here.
 */
class ComposeFileTest {

    private static final Path COMPOSE = Path.of("docker-compose.yml");
    private static final Path INIT_ROLES = Path.of("deploy/postgres/init-roles.sh");
    /** Variables the file interpolates; removed from docker-compose's environment so their defaults apply. */
    private static final List<String> INTERPOLATED = List.of("ONNX_VARIANT", "CAIRN_IMAGE_TAG", "POSTGRES_PASSWORD",
            "POSTGRES_OWNER_PASSWORD", "POSTGRES_APP_PASSWORD", "MINIO_ROOT_USER", "MINIO_ROOT_PASSWORD",
            "GRAFANA_ADMIN_PASSWORD");
    /** Variables without a default ({@code ${NAME:?message}}), and the values this test gives them. */
    private static final Map<String, String> REQUIRED = Map.of("POSTGRES_PASSWORD", "test-superuser-password",
            "POSTGRES_OWNER_PASSWORD", "test-owner-password", "POSTGRES_APP_PASSWORD", "test-app-password",
            "CAIRN_ADMIN_PASSWORD", "a-long-admin-password", "CAIRN_METRICS_TOKEN", "a-scrape-token",
            "MINIO_ROOT_PASSWORD", "test-minio-password", "GRAFANA_ADMIN_PASSWORD", "test-grafana-password");

    private final Map<String, Object> compose = interpolate(Tools.readYaml(COMPOSE));

    @Test
    void dockerComposeAcceptsTheFile() {
        Optional<Path> binary = Tools.onPath("docker-compose");
        assumeTrue(binary.isPresent(), "docker-compose is not installed (apt-get install docker-compose); "
                + "the structure is still checked by the other tests here");
        Tools.Result quiet = Tools.run(List.of(binary.get().toString(), "-f", COMPOSE.toString(), "config", "-q"),
                REQUIRED, INTERPOLATED, 60);
        assertThat(quiet.exitCode()).as(quiet.output()).isZero();
        // Without the admin's password compose refuses to start: there is no default admin password.
        Map<String, String> withoutAdmin = new LinkedHashMap<>(REQUIRED);
        withoutAdmin.remove("CAIRN_ADMIN_PASSWORD");
        Tools.Result missing = Tools.run(List.of(binary.get().toString(), "-f", COMPOSE.toString(), "config", "-q"),
                withoutAdmin, java.util.stream.Stream.concat(INTERPOLATED.stream(),
                        java.util.stream.Stream.of("CAIRN_ADMIN_PASSWORD")).toList(), 60);
        assertThat(missing.exitCode()).as(missing.output()).isNotZero();
        assertThat(missing.output()).contains("CAIRN_ADMIN_PASSWORD");
        // Its rendering, defaults filled in, is what this class reads by itself.
        Tools.Result rendered = Tools.run(List.of(binary.get().toString(), "-f", COMPOSE.toString(), "config"),
                REQUIRED, INTERPOLATED, 60);
        assertThat(rendered.exitCode()).as(rendered.output()).isZero();
        Map<String, Object> theirs = Tools.yaml().load(rendered.output());
        assertThat(environment(theirs, "cairn")).isEqualTo(environment(compose, "cairn"));
        assertThat((Map<String, Object>) at(theirs, "services")).containsOnlyKeys(services().keySet());
    }

    @Test
    void noPasswordHasADefault() throws Exception {
        String file = Files.readString(COMPOSE);
        Matcher uses = Pattern.compile("\\$\\{([A-Z_]*PASSWORD)(:.)?").matcher(file);
        int count = 0;
        while (uses.find()) {
            assertThat(uses.group(2)).as(uses.group() + ": a required variable, never a built-in password")
                    .isEqualTo(":?");
            count++;
        }
        assertThat(count).isGreaterThanOrEqualTo(REQUIRED.size());

        Optional<Path> binary = Tools.onPath("docker-compose");
        assumeTrue(binary.isPresent(), "docker-compose is not installed (apt-get install docker-compose)");
        for (String missing : REQUIRED.keySet()) {
            Map<String, String> others = new LinkedHashMap<>(REQUIRED);
            others.remove(missing);
            Tools.Result refused = Tools.run(List.of(binary.get().toString(), "-f", COMPOSE.toString(), "config",
                    "-q"), others, INTERPOLATED, 60);
            assertThat(refused.exitCode()).as(missing + " unset").isNotZero();
            assertThat(refused.output()).contains(missing);
        }
    }

    @Test
    void theStackHasCairnItsStoresAndItsMonitoring() {
        assertThat(services()).containsOnlyKeys("cairn", "postgres", "redis", "minio", "minio-init", "prometheus",
                "grafana");
        assertThat((String) at(services(), "postgres", "image")).isEqualTo("postgres:15");
        assertThat((String) at(services(), "redis", "image")).isEqualTo("redis:7");
        assertThat((String) at(services(), "minio", "image")).startsWith("minio/minio:");
        assertThat((String) at(services(), "minio-init", "image")).startsWith("minio/mc:");
        assertThat((String) at(services(), "cairn", "build", "context")).isEqualTo(".");
        assertThat(Path.of("Dockerfile")).exists();
    }

    @Test
    void cairnStartsOnlyOnceItsStoresAreHealthyAndTheBucketExists() {
        Map<String, Object> dependsOn = at(services(), "cairn", "depends_on");
        assertThat(dependsOn).containsOnlyKeys("postgres", "redis", "minio-init");
        assertThat((String) at(dependsOn, "postgres", "condition")).isEqualTo("service_healthy");
        assertThat((String) at(dependsOn, "redis", "condition")).isEqualTo("service_healthy");
        assertThat((String) at(dependsOn, "minio-init", "condition")).isEqualTo("service_completed_successfully");
        assertThat((String) at(services(), "minio-init", "depends_on", "minio", "condition"))
                .isEqualTo("service_healthy");
        for (String service : List.of("cairn", "postgres", "redis", "minio")) {
            assertThat((List<String>) at(services(), service, "healthcheck", "test")).as(service).isNotEmpty();
        }
        assertThat(String.join(" ", (List<String>) at(services(), "cairn", "healthcheck", "test")))
                .contains("/actuator/health/readiness");
    }

    @Test
    void everyCairnVariableSetsARealSetting() {
        Map<String, String> env = environment(compose, "cairn");
        for (String variable : env.keySet()) {
            if (!SpringSettings.NOT_SPRING.contains(variable)) {
                assertThat(SpringSettings.propertyOf(variable))
                        .as(variable + " maps to no property Spring Boot or Cairn knows; the server would ignore it")
                        .isNotNull();
            }
        }
        assertThat(SpringSettings.propertyOf("CAIRN_ARTIFACTS_S3_PATH_STYLE_ACCESS"))
                .isEqualTo("cairn.artifacts.s3.path-style-access");
        assertThat(SpringSettings.propertyOf("CAIRN_ARTIFACTS_S3_PATH_STYLE")).as("a misspelling is caught").isNull();
    }

    @Test
    void cairnReachesTheStoresTheStackStarts() {
        Map<String, String> env = environment(compose, "cairn");
        Map<String, String> postgres = environment(compose, "postgres");
        Map<String, String> minio = environment(compose, "minio");

        URI db = URI.create(env.get("SPRING_DATASOURCE_URL").substring("jdbc:".length()));
        assertThat(db.getHost()).isEqualTo("postgres");
        assertThat(SpringSettings.bind(env, "cairn.database", DatabaseProperties.class).createIfMissing()).isFalse();
        assertThat(db.getPath()).isEqualTo("/cairn");
        assertThat(SpringSettings.bind(env, "spring.datasource", DataSourceProperties.class).getUsername())
                .isEqualTo("cairn_app");
        assertThat(SpringSettings.bind(env, "spring.flyway", FlywayProperties.class).getUser())
                .isEqualTo("cairn_owner");
        assertThat(postgres.get("POSTGRES_USER")).isEqualTo("postgres");
        assertThat(env.get("SPRING_DATASOURCE_PASSWORD")).isEqualTo(postgres.get("POSTGRES_APP_PASSWORD"))
                .isEqualTo(REQUIRED.get("POSTGRES_APP_PASSWORD"));
        assertThat(env.get("SPRING_FLYWAY_PASSWORD")).isEqualTo(postgres.get("POSTGRES_OWNER_PASSWORD"))
                .isEqualTo(REQUIRED.get("POSTGRES_OWNER_PASSWORD"));

        assertThat(services()).containsKey(env.get("SPRING_DATA_REDIS_HOST"));

        ArtifactStoreProperties artifacts = SpringSettings.bind(env, "cairn.artifacts", ArtifactStoreProperties.class);
        assertThat(artifacts.usesS3()).isTrue();
        assertThat(artifacts.s3().pathStyleAccess()).isTrue();
        assertThat(artifacts.s3().endpoint().getHost()).isEqualTo("minio");
        String bucket = URI.create(artifacts.root()).getHost();
        String init = String.join(" ", (List<String>) at(services(), "minio-init", "entrypoint"));
        assertThat(init).contains("mc mb --ignore-existing cairn/" + bucket);
        assertThat(env.get("AWS_ACCESS_KEY_ID")).isEqualTo(minio.get("MINIO_ROOT_USER"));
        assertThat(env.get("AWS_SECRET_ACCESS_KEY")).isEqualTo(minio.get("MINIO_ROOT_PASSWORD"));
    }

    @Test
    void cairnRunsWithSecurityOnAndPrometheusScrapesWithTheSameToken() {
        Map<String, String> env = environment(compose, "cairn");
        io.cairn.platform.security.SecurityProperties security = SpringSettings.bind(env, "cairn.security",
                io.cairn.platform.security.SecurityProperties.class);
        assertThat(security.enabled()).isTrue();
        assertThat(security.admin().password()).isEqualTo(REQUIRED.get("CAIRN_ADMIN_PASSWORD"));
        assertThat(security.metricsToken()).isEqualTo(environment(compose, "prometheus").get("CAIRN_METRICS_TOKEN"));
        Map<String, Object> config = Tools.readYaml(mountedFile("prometheus", "/etc/prometheus/prometheus.yml"));
        Map<String, Object> job = ((List<Map<String, Object>>) at(config, "scrape_configs")).get(0);
        String tokenFile = (String) ((Map<String, Object>) job.get("authorization")).get("credentials_file");
        assertThat(String.join(" ", (List<String>) at(services(), "prometheus", "entrypoint"))).contains(tokenFile);
    }

    @Test
    void postgresMakesTheReadmesRolesAndDatabaseOnItsFirstStart() throws Exception {
        assertThat(mountedFile("postgres", "/docker-entrypoint-initdb.d/10-cairn-roles.sh").normalize())
                .isEqualTo(INIT_ROLES);
        assertThat(Files.isExecutable(INIT_ROLES)).as("the image runs an executable script, sources others").isTrue();
        String script = Files.readString(INIT_ROLES);
        assertThat(script).contains("-v owner_password=\"$POSTGRES_OWNER_PASSWORD\"")
                .contains("-v app_password=\"$POSTGRES_APP_PASSWORD\"").contains("ON_ERROR_STOP=1");
        Matcher heredoc = Pattern.compile("<<'SQL'\\n(.*?)\\nSQL\\n", Pattern.DOTALL).matcher(script);
        assertThat(heredoc.find()).isTrue();
        // The same statements as the README's, which DatabaseRolesIT runs and migrates against; only the passwords
        // differ (psql variables here, literals there).
        Matcher readme = Pattern.compile("## Running against an existing PostgreSQL\\n.*?```sql\\n(.*?)\\n```",
                Pattern.DOTALL).matcher(Files.readString(Path.of("README.md")));
        assertThat(readme.find()).isTrue();
        assertThat(heredoc.group(1).replaceAll("PASSWORD :'[a-z_]+'", "PASSWORD ?"))
                .isEqualTo(readme.group(1).replaceAll("PASSWORD '[^']*'", "PASSWORD ?"))
                .contains("CREATE ROLE cairn_owner LOGIN PASSWORD ?;", "CREATE ROLE cairn_app LOGIN PASSWORD ?;",
                        "GRANT cairn_app TO cairn_owner;",
                        "CREATE DATABASE cairn OWNER cairn_owner;");
    }

    @Test
    void prometheusScrapesCairnsActuatorEndpoint() {
        Map<String, Object> config = Tools.readYaml(mountedFile("prometheus", "/etc/prometheus/prometheus.yml"));
        List<Map<String, Object>> jobs = at(config, "scrape_configs");
        Map<String, Object> cairn = jobs.stream().filter(j -> "cairn".equals(j.get("job_name"))).findFirst()
                .orElseThrow();
        assertThat((String) cairn.get("metrics_path")).isEqualTo("/actuator/prometheus");
        List<Map<String, Object>> statics = at(cairn, "static_configs");
        assertThat((List<String>) statics.get(0).get("targets")).containsExactly("cairn:5000");
        assertThat((List<String>) at(services(), "cairn", "ports")).contains("5000:5000");
    }

    @Test
    void promtoolAcceptsThePrometheusConfig() {
        Optional<Path> promtool = Tools.onPath("promtool");
        assumeTrue(promtool.isPresent(), "promtool is not installed (apt-get install prometheus)");
        // promtool checks that the scrape token file exists; in the stack the entry point writes it at start.
        Path dir;
        try {
            dir = java.nio.file.Files.createTempDirectory("cairn-promtool");
            Path token = dir.resolve("cairn-metrics-token");
            java.nio.file.Files.writeString(token, REQUIRED.get("CAIRN_METRICS_TOKEN"));
            String config = java.nio.file.Files.readString(Path.of("deploy/prometheus/prometheus.yml"));
            assertThat(config).contains("/prometheus/cairn-metrics-token");
            java.nio.file.Files.writeString(dir.resolve("prometheus.yml"),
                    config.replace("/prometheus/cairn-metrics-token", token.toString()));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        Tools.Result check = Tools.run(promtool.get().toString(), "check", "config",
                dir.resolve("prometheus.yml").toString());
        assertThat(check.exitCode()).as(check.output()).isZero();
        assertThat(check.output()).contains("SUCCESS");
    }

    @Test
    void prometheusLoadsTheChartsAlertRulesAndPromtoolAcceptsThem() {
        Path rules = mountedFile("prometheus", "/etc/prometheus/rules");
        assertThat(rules.normalize()).isEqualTo(Path.of("helm/cairn/rules"));
        Map<String, Object> config = Tools.readYaml(Path.of("deploy/prometheus/prometheus.yml"));
        assertThat((List<String>) config.get("rule_files")).containsExactly("/etc/prometheus/rules/*.yml");
        Optional<Path> promtool = Tools.onPath("promtool");
        assumeTrue(promtool.isPresent(), "promtool is not installed (apt-get install prometheus)");
        Tools.Result check = Tools.run(promtool.get().toString(), "check", "rules",
                rules.resolve("monitoring.yml").toString());
        assertThat(check.exitCode()).as(check.output()).isZero();
        assertThat(check.output()).contains("SUCCESS: 4 rules found");
    }

    @Test
    void grafanaIsProvisionedWithThePrometheusDatasourceAndTheChartsDashboard() {
        Path provisioning = mountedFile("grafana", "/etc/grafana/provisioning");
        Map<String, Object> datasources = Tools.readYaml(provisioning.resolve("datasources/prometheus.yml"));
        Map<String, Object> prometheus = ((List<Map<String, Object>>) datasources.get("datasources")).get(0);
        assertThat(prometheus).containsEntry("type", "prometheus").containsEntry("url", "http://prometheus:9090");

        Map<String, Object> dashboards = Tools.readYaml(provisioning.resolve("dashboards/cairn.yml"));
        String path = at(((List<Map<String, Object>>) dashboards.get("providers")).get(0), "options", "path");
        Path dashboardDir = mountedFile("grafana", path + "/cairn");
        assertThat(dashboardDir.normalize()).isEqualTo(Path.of("helm/cairn/dashboards"));
        assertThat(dashboardDir.resolve("cairn.json")).exists();
    }

    @Test
    void everyBindMountedFileExists() {
        for (Map.Entry<String, Object> service : services().entrySet()) {
            List<String> volumes = at(service.getValue(), "volumes");
            for (String volume : volumes == null ? List.<String>of() : volumes) {
                String source = volume.split(":")[0];
                if (source.startsWith(".")) {
                    assertThat(Path.of(source)).as(service.getKey() + " mounts " + source).exists();
                } else {
                    assertThat((Map<String, Object>) compose.get("volumes")).as("named volume").containsKey(source);
                }
            }
        }
    }

    // ---- reading ----------------------------------------------------------------------------------------------

    private Map<String, Object> services() {
        return at(compose, "services");
    }

    /** The host path a service mounts at {@code target} (or under it, for a longer target). */
    private Path mountedFile(String service, String target) {
        List<String> volumes = at(services(), service, "volumes");
        for (String volume : volumes) {
            String[] parts = volume.split(":");
            if (target.equals(parts[1]) || target.startsWith(parts[1] + "/")) {
                Path source = Path.of(parts[0]).resolve(target.substring(parts[1].length()).replaceFirst("^/", ""));
                assertThat(Files.exists(source)).as(source.toString()).isTrue();
                return source;
            }
        }
        throw new AssertionError(service + " mounts nothing at " + target);
    }

    private static Map<String, String> environment(Map<String, Object> compose, String service) {
        Object env = at(compose, "services", service, "environment");
        Map<String, String> variables = new LinkedHashMap<>();
        if (env instanceof Map<?, ?> map) {
            map.forEach((k, v) -> variables.put(String.valueOf(k), v == null ? null : String.valueOf(v)));
        } else if (env instanceof List<?> list) {
            for (Object entry : list) {
                String[] kv = String.valueOf(entry).split("=", 2);
                variables.put(kv[0], kv.length > 1 ? kv[1] : null);
            }
        }
        return variables;
    }

    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Z0-9_]+)(:-|:\\?)([^}]*)}");

    /**
     * Compose's interpolation for what this file uses: {@code ${NAME:-default}} with NAME unset, {@code ${NAME:?message}}
     * with NAME set to its value in {@link #REQUIRED}, and {@code $$}.
     */
    @SuppressWarnings("unchecked")
    private static <T> T interpolate(T node) {
        if (node instanceof Map<?, ?> map) {
            Map<Object, Object> copy = new LinkedHashMap<>();
            map.forEach((k, v) -> copy.put(k, interpolate(v)));
            return (T) copy;
        }
        if (node instanceof List<?> list) {
            List<Object> copy = new ArrayList<>();
            list.forEach(v -> copy.add(interpolate(v)));
            return (T) copy;
        }
        if (node instanceof String s) {
            Matcher m = VARIABLE.matcher(s);
            String replaced = m.replaceAll(r -> {
                if (r.group(2).equals(":?")) {
                    assertThat(REQUIRED).as("a required variable this test gives a value").containsKey(r.group(1));
                    return Matcher.quoteReplacement(REQUIRED.get(r.group(1)));
                }
                return Matcher.quoteReplacement(r.group(3));
            });
            assertThat(replaced.replace("$$", "")).as("only ${NAME:-default} and ${NAME:?message} interpolation is used")
                    .doesNotContain("${");
            return (T) replaced.replace("$$", "$");
        }
        return node;
    }
}
