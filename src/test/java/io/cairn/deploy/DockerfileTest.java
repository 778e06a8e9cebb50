package io.cairn.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.deploy.Dockerfile.Stage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Dockerfile, read the way Docker reads it, where no Docker engine runs: build and runtime stages, the variant
 * switch, the non-root user, container-sized JVM flags, the health check, and a build context that holds every file
 * the build copies. That the runtime layout really starts is shown by {@code TwoReplicasIT}, whose second replica is
 * started from the same layers, flags and entry point.
 */
class DockerfileTest {

    private final Dockerfile dockerfile = Dockerfile.read(Path.of("Dockerfile"));

    @Test
    void buildsWithTheMavenWrapperOnAJdk17AndRunsOnAJre17() {
        Stage build = dockerfile.stage("build");
        assertThat(build.from()).matches("eclipse-temurin:17-jdk.*");
        assertThat(String.join("\n", build.arguments("RUN"))).contains("./mvnw ").contains(" package");
        assertThat(dockerfile.stage("runtime-cpu").from()).matches("eclipse-temurin:17-jre.*");
        assertThat(dockerfile.last().from()).isEqualTo("runtime-${ONNX_VARIANT}");
        assertThat(dockerfile.last().arguments("COPY")).isNotEmpty()
                .allSatisfy(copy -> assertThat(copy).startsWith("--from=build "));
    }

    @Test
    void theGpuVariantBuildsWithTheGpuProfileAndRunsOnCuda12WithAJre() {
        assertThat(dockerfile.preamble()).anySatisfy(i -> {
            assertThat(i.keyword()).isEqualTo("ARG");
            assertThat(i.arguments()).isEqualTo("ONNX_VARIANT=cpu");
        });
        String build = String.join("\n", dockerfile.stage("build").arguments("RUN"));
        assertThat(build).contains("gpu) profile=\"-Pgpu\"").contains("cpu) profile=\"\"").contains("$profile package");
        Stage gpu = dockerfile.stage("runtime-gpu");
        assertThat(gpu.from()).matches("nvidia/cuda:12\\.[0-9.]+-cudnn-runtime-ubuntu[0-9.]+");
        assertThat(String.join("\n", gpu.arguments("RUN"))).contains("openjdk-17-jre-headless");
    }

    @Test
    void runsAsANumericNonRootUser() {
        String user = dockerfile.last().last("USER").orElseThrow();
        // Numeric, so Kubernetes' runAsNonRoot can check it without reading /etc/passwd.
        assertThat(user).matches("[0-9]+(:[0-9]+)?");
        assertThat(Integer.parseInt(user.split(":")[0])).isNotZero();
        assertThat(String.join("\n", dockerfile.last().arguments("RUN"))).contains("--uid " + user.split(":")[0]);
    }

    @Test
    void theHeapIsSizedByTheContainersMemoryLimit() {
        String env = String.join(" ", dockerfile.last().arguments("ENV"));
        assertThat(env).contains("JAVA_TOOL_OPTIONS=").contains("-XX:+UseContainerSupport")
                .containsPattern("-XX:MaxRAMPercentage=[0-9.]+").doesNotContain("-Xmx");
    }

    @Test
    void theHealthCheckAsksForLiveness() {
        String check = dockerfile.last().last("HEALTHCHECK").orElseThrow();
        assertThat(check).contains("CMD curl").contains("/actuator/health/liveness");
        // curl is installed in both runtime bases.
        assertThat(String.join("\n", dockerfile.stage("runtime-cpu").arguments("RUN"))).contains(" curl");
        assertThat(String.join("\n", dockerfile.stage("runtime-gpu").arguments("RUN"))).contains(" curl");
        assertThat(dockerfile.last().last("EXPOSE")).hasValue("5000 6566");
    }

    @Test
    void everyFileTheBuildCopiesIsInTheBuildContext() throws IOException {
        List<String> patterns = Files.readAllLines(Path.of(".dockerignore")).stream().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        List<String> sources = new ArrayList<>();
        for (String copy : dockerfile.stage("build").arguments("COPY")) {
            List<String> words = List.of(copy.split("\\s+"));
            sources.addAll(words.subList(0, words.size() - 1));
        }
        assertThat(sources).contains("mvnw", "pom.xml", ".mvn/", "src/main/");
        for (String source : sources) {
            assertThat(Path.of(source)).exists();
            assertThat(included(source, patterns)).as(source + " is in the build context").isTrue();
        }
        assertThat(included("target/cairn.jar", patterns)).isFalse();
        assertThat(included(".git/config", patterns)).isFalse();
        assertThat(included("src/test/java/io/cairn/IntegrationTest.java", patterns)).isFalse();
    }

    /** .dockerignore semantics: the last pattern matching the path or one of its parents decides. */
    private static boolean included(String path, List<String> patterns) {
        String clean = path.replaceAll("/+$", "");
        boolean included = true;
        for (String pattern : patterns) {
            boolean exception = pattern.startsWith("!");
            String glob = (exception ? pattern.substring(1) : pattern).replaceAll("/+$", "");
            Pattern regex = Pattern.compile(glob.replace(".", "\\.").replace("**", "\u0000").replace("*", "[^/]*")
                    .replace("\u0000", ".*") + "(/.*)?");
            Matcher m = regex.matcher(clean);
            if (m.matches()) {
                included = exception;
            }
        }
        return included;
    }
}
