package io.cairn.artifacts;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** Artifacts in a local directory; writes go to a temporary file first so readers never see half a file. */
public class LocalArtifactStore implements ArtifactStore {

    private final Path root;

    public LocalArtifactStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    @Override
    public void write(String path, InputStream content, long length) {
        Path target = resolve(path);
        try {
            Files.createDirectories(target.getParent());
            Path temp = Files.createTempFile(target.getParent(), ".upload-", ".tmp");
            try {
                Files.copy(content, temp, StandardCopyOption.REPLACE_EXISTING);
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(temp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not write artifact " + path, e);
        }
    }

    @Override
    public Optional<ArtifactContent> open(String path) {
        Path file = resolve(path);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(new ArtifactContent(Files.newInputStream(file), Files.size(file)));
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read artifact " + path, e);
        }
    }

    @Override
    public List<ArtifactFile> list(String directory) {
        Path dir = resolve(directory);
        List<ArtifactFile> files = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return files;
        }
        try (Stream<Path> children = Files.list(dir)) {
            for (Path child : children.sorted().toList()) {
                String relative = root.relativize(child).toString().replace('\\', '/');
                if (child.getFileName().toString().startsWith(".upload-")) {
                    continue;
                }
                boolean isDir = Files.isDirectory(child);
                files.add(new ArtifactFile(relative, isDir, isDir ? null : Files.size(child)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not list artifacts under " + directory, e);
        }
        return files;
    }

    @Override
    public boolean exists(String path) {
        Path p = resolve(path);
        if (Files.isRegularFile(p)) {
            return true;
        }
        if (!Files.isDirectory(p)) {
            return false;
        }
        try (Stream<Path> walk = Files.walk(p)) {
            return walk.anyMatch(Files::isRegularFile);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not check artifacts under " + path, e);
        }
    }

    @Override
    public boolean delete(String path) {
        Path p = resolve(path);
        if (!Files.exists(p)) {
            return false;
        }
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path entry : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(entry);
            }
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not delete artifacts at " + path, e);
        }
    }

    @Override
    public String uri(String path) {
        return resolve(path).toUri().toString().replaceFirst("^file:///", "file:/");
    }

    private Path resolve(String path) {
        Path resolved = root.resolve(ArtifactPaths.normalize(path)).normalize();
        if (!resolved.startsWith(root)) {
            throw new IllegalArgumentException("Artifact path escapes the root: " + path);
        }
        return resolved;
    }
}
