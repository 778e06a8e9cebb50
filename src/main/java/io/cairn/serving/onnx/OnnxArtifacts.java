package io.cairn.serving.onnx;

import io.cairn.artifacts.ArtifactContent;
import io.cairn.artifacts.ArtifactFile;
import io.cairn.artifacts.ArtifactPaths;
import io.cairn.artifacts.ArtifactStore;
import io.cairn.platform.error.CairnException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.stereotype.Component;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Finds a model version's ONNX file in the artifact store and copies it to local disk for ONNX Runtime. A version's
 * files follow MLflow's ONNX flavor (an {@code MLmodel} file whose {@code flavors.onnx.data} names the {@code .onnx}
 * file) or are a directory holding exactly one {@code .onnx} file; a source that is itself a {@code .onnx} file works
 * too. Models with external weight files are not supported: only the {@code .onnx} file is copied, and a model that
 * names external data is refused before ONNX Runtime opens it.
 */
@Component
public class OnnxArtifacts {

    private final ArtifactStore store;

    public OnnxArtifacts(ArtifactStore store) {
        this.store = store;
    }

    /**
     * The store path of the ONNX file under a version's storage location.
     *
     * @throws ModelLoadException naming what was found instead
     */
    public String locate(String location) {
        if (location.endsWith(".onnx") && store.list(location).isEmpty() && store.exists(location)) {
            return location;
        }
        Optional<ArtifactContent> mlmodel = store.open(ArtifactPaths.join(location, "MLmodel"));
        if (mlmodel.isPresent()) {
            return fromMlmodel(location, mlmodel.get());
        }
        List<ArtifactFile> files = store.list(location);
        List<ArtifactFile> onnx = files.stream().filter(f -> !f.isDir() && f.name().endsWith(".onnx")).toList();
        if (onnx.size() == 1) {
            return onnx.get(0).path();
        }
        if (onnx.isEmpty()) {
            throw new ModelLoadException("No ONNX model at " + store.uri(location) + ": there is neither an MLmodel "
                    + "file with an onnx flavor nor a .onnx file" + (files.isEmpty() ? " (the location is empty)."
                    : "; found " + files.stream().map(f -> f.name() + (f.isDir() ? "/" : "")).toList() + "."));
        }
        throw new ModelLoadException("More than one .onnx file at " + store.uri(location) + " ("
                + onnx.stream().map(ArtifactFile::name).toList() + ") and no MLmodel file saying which to serve.");
    }

    private String fromMlmodel(String location, ArtifactContent content) {
        Object loaded;
        try (InputStream in = content.stream()) {
            loaded = new Yaml(new SafeConstructor(new LoaderOptions())).load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            throw new ModelLoadException("The MLmodel file at " + store.uri(location) + " is not valid YAML: "
                    + e.getMessage());
        }
        Object flavors = loaded instanceof Map<?, ?> m ? m.get("flavors") : null;
        if (!(flavors instanceof Map<?, ?> flavorMap) || !(flavorMap.get("onnx") instanceof Map<?, ?> onnx)) {
            throw new ModelLoadException("The MLmodel file at " + store.uri(location) + " has no onnx flavor"
                    + (flavors instanceof Map<?, ?> f ? " (flavors: " + f.keySet() + ")" : "")
                    + "; Cairn serves ONNX models.");
        }
        Object file = onnx.get("data") != null ? onnx.get("data") : onnx.get("onnx_model_file");
        if (!(file instanceof String name) || name.isBlank()) {
            throw new ModelLoadException("The onnx flavor in the MLmodel file at " + store.uri(location)
                    + " does not name the model file (flavors.onnx.data).");
        }
        String path;
        try {
            path = ArtifactPaths.join(location, ArtifactPaths.normalize(name));
        } catch (CairnException e) {
            throw new ModelLoadException("The MLmodel file at " + store.uri(location) + " names an invalid model file: "
                    + e.getMessage());
        }
        if (!store.exists(path)) {
            throw new ModelLoadException("The MLmodel file at " + store.uri(location) + " names " + name
                    + ", which does not exist.");
        }
        return path;
    }

    /**
     * A model file copied to local disk, alone in a directory of its own that only this server's user can read or
     * enter. The directory matters even though external data is refused ({@link ExternalDataCheck}): nothing else
     * lies beside the copy for a relative path to name, and no other local user can swap the file between the check
     * and ONNX Runtime's read. Closing removes the directory.
     */
    public static final class LocalCopy implements AutoCloseable {

        private final Path directory;
        private final Path file;

        private LocalCopy(Path directory, Path file) {
            this.directory = directory;
            this.file = file;
        }

        public Path file() {
            return file;
        }

        public Path directory() {
            return directory;
        }

        /** Removes the copy and its directory; a failure leaves them to be removed when the JVM exits. */
        @Override
        public void close() {
            deleteQuietly(file);
            deleteQuietly(directory);
        }
    }

    /** Copies the file, streaming, into a new private directory; the caller closes the copy once it is opened. */
    public LocalCopy fetch(String path) {
        ArtifactContent content = store.open(path).orElseThrow(() ->
                new ModelLoadException("The model file " + store.uri(path) + " disappeared while loading."));
        Path directory = null;
        Path file = null;
        try (InputStream in = content.stream()) {
            directory = privateDirectory();
            file = directory.resolve("model.onnx");
            Files.copy(in, file);
            return new LocalCopy(directory, file);
        } catch (IOException e) {
            deleteQuietly(file);
            deleteQuietly(directory);
            throw new ModelLoadException("Copying the model file " + store.uri(path) + " failed: " + e.getMessage(), e);
        }
    }

    private static Path privateDirectory() throws IOException {
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            return Files.createTempDirectory("cairn-model-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        // Elsewhere (Windows) the JDK's temporary directories are already private to the user.
        return Files.createTempDirectory("cairn-model-");
    }

    public static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                file.toFile().deleteOnExit();
            }
        }
    }
}
