package io.cairn.deploy;

import io.cairn.deploy.Dockerfile.Stage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What the image's runtime stage would hold and run, rebuilt from the Dockerfile without Docker: the packaged jar
 * split by the build stage's own {@code jarmode=tools extract} command, the layers copied in the runtime stage's
 * order into one directory, and the entry point, {@code JAVA_TOOL_OPTIONS} and health-check command as written there.
 * Only the base image (a JRE 17, here the JDK running the tests) is not the image's.
 */
final class ImageLayout {

    private static final Pattern EXTRACT = Pattern.compile("java (-Djarmode=tools) -jar /cairn\\.jar ([^&]+)");
    private static final Pattern LAYER_COPY = Pattern.compile("--from=build\\s+(?:--chown=\\S+\\s+)?/layers/([a-z-]+)/\\s+\\./");
    private static final Pattern TOOL_OPTIONS = Pattern.compile("JAVA_TOOL_OPTIONS=\"([^\"]*)\"");

    final Path appDirectory;
    final List<String> entrypoint;
    final String javaToolOptions;
    final String healthCheck;

    private ImageLayout(Path appDirectory, List<String> entrypoint, String javaToolOptions, String healthCheck) {
        this.appDirectory = appDirectory;
        this.entrypoint = entrypoint;
        this.javaToolOptions = javaToolOptions;
        this.healthCheck = healthCheck;
    }

    /** Builds the runtime directory under {@code work} from {@code target/cairn-*.jar}. */
    static ImageLayout build(Path work) {
        Dockerfile dockerfile = Dockerfile.read(Path.of("Dockerfile"));
        Stage build = dockerfile.stage("build");
        Stage runtime = dockerfile.last();
        try {
            delete(work);
            Path layers = work.resolve("layers");
            Path app = Files.createDirectories(work.resolve("app"));

            Matcher extract = EXTRACT.matcher(String.join(" ", build.arguments("RUN")));
            if (!extract.find()) {
                throw new AssertionError("the build stage no longer extracts the jar's layers");
            }
            List<String> command = new ArrayList<>(List.of(java(), extract.group(1), "-jar",
                    serverJar().toAbsolutePath().toString()));
            for (String arg : extract.group(2).strip().split("\\s+")) {
                command.add(arg.equals("/layers") ? layers.toAbsolutePath().toString() : arg);
            }
            Tools.Result extracted = Tools.run(command, List.of("JAVA_TOOL_OPTIONS"), 120);
            if (extracted.exitCode() != 0) {
                throw new AssertionError(command + ": " + extracted.output());
            }

            List<String> copied = new ArrayList<>();
            for (String copy : runtime.arguments("COPY")) {
                Matcher layer = LAYER_COPY.matcher(copy);
                if (!layer.find()) {
                    throw new AssertionError("unexpected COPY in the runtime stage: " + copy);
                }
                copyTree(layers.resolve(layer.group(1)), app);
                copied.add(layer.group(1));
            }
            try (Stream<Path> present = Files.list(layers)) {
                List<String> all = present.map(p -> p.getFileName().toString()).sorted().toList();
                if (!copied.stream().sorted().toList().equals(all)) {
                    throw new AssertionError("the runtime stage copies layers " + copied + " but the jar has " + all);
                }
            }

            String entry = runtime.last("ENTRYPOINT").orElseThrow();
            List<String> entrypoint = Arrays.stream(entry.replaceAll("^\\[|]$", "").split(","))
                    .map(s -> s.strip().replaceAll("^\"|\"$", "")).toList();
            Matcher options = TOOL_OPTIONS.matcher(String.join(" ", runtime.arguments("ENV")));
            if (!options.find()) {
                throw new AssertionError("no JAVA_TOOL_OPTIONS in the runtime stage");
            }
            String check = runtime.last("HEALTHCHECK").orElseThrow();
            return new ImageLayout(app, entrypoint, options.group(1), check.substring(check.indexOf("CMD ") + 4));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The entry point as a command line, with this machine's {@code java}. */
    List<String> command() {
        List<String> command = new ArrayList<>(entrypoint);
        if (command.get(0).equals("java")) {
            command.set(0, java());
        }
        return command;
    }

    static Path serverJar() {
        try (Stream<Path> files = Files.list(Path.of("target"))) {
            Optional<Path> jar = files.filter(p -> p.getFileName().toString().matches("cairn-.*\\.jar")).findFirst();
            return jar.orElseThrow(() -> new IllegalStateException(
                    "no target/cairn-*.jar: run `./mvnw package` (or verify) so the server jar exists"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path source : files.toList()) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target);
                }
            }
        }
    }

    static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
