package io.cairn.artifacts.store;

import io.cairn.artifacts.ArtifactContent;
import io.cairn.artifacts.ArtifactFile;
import io.cairn.artifacts.ArtifactStore;
import io.cairn.platform.error.CairnException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Artifacts in a local directory. Writes go to a hidden temporary file in the target directory and are moved into
 * place atomically, so readers never see half a file and a failed upload leaves the previous version intact.
 */
public class LocalArtifactStore implements ArtifactStore {

    /** Prefix of in-progress uploads; listings and existence checks skip these names. */
    static final String TEMP_PREFIX = ".cairn-upload-";
    private static final int BUFFER_SIZE = 64 * 1024;

    private final Path root;

    public LocalArtifactStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
        try {
            Files.createDirectories(this.root);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create the artifact root " + this.root, e);
        }
    }

    public Path root() {
        return root;
    }

    @Override
    public void write(String path, InputStream content, long length) {
        Path target = resolve(path);
        if (target.equals(root)) {
            throw CairnException.invalid("Cannot write a file at the artifact root: give a file path.");
        }
        Path tmp = createTempFile(target.getParent(), path);
        boolean moved = false;
        try {
            long written;
            try (OutputStream out = Files.newOutputStream(tmp)) {
                written = copy(content, out);
            }
            if (length >= 0 && written != length) {
                throw CairnException.invalid("Upload of '" + path + "' ended after " + written + " of " + length
                        + " bytes.");
            }
            move(tmp, target, path);
            moved = true;
        } catch (IOException e) {
            throw new UncheckedIOException("Writing artifact " + path + " failed", e);
        } finally {
            if (!moved) {
                deleteQuietly(tmp);
            }
        }
    }

    @Override
    public Optional<ArtifactContent> open(String path) {
        Path file = resolve(path);
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            if (!attributes.isRegularFile() || isTemp(file)) {
                return Optional.empty();
            }
            return Optional.of(new ArtifactContent(Files.newInputStream(file), attributes.size()));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            if (!Files.exists(file)) {
                return Optional.empty(); // e.g. ENOTDIR: a parent of the path is a file
            }
            throw new UncheckedIOException("Reading artifact " + path + " failed", e);
        }
    }

    @Override
    public List<ArtifactFile> list(String directory) {
        Path dir = resolve(directory);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<ArtifactFile> out = new ArrayList<>();
        try (Stream<Path> children = Files.list(dir)) {
            for (Path child : (Iterable<Path>) children::iterator) {
                if (isTemp(child)) {
                    continue;
                }
                BasicFileAttributes attributes;
                try {
                    attributes = Files.readAttributes(child, BasicFileAttributes.class);
                } catch (NoSuchFileException e) {
                    continue; // deleted while we listed
                }
                String childPath = root.relativize(child).toString().replace('\\', '/');
                if (attributes.isDirectory()) {
                    out.add(new ArtifactFile(childPath, true, null));
                } else if (attributes.isRegularFile()) {
                    out.add(new ArtifactFile(childPath, false, attributes.size()));
                }
            }
        } catch (NoSuchFileException | NotDirectoryException e) {
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException("Listing artifacts under " + directory + " failed", e);
        }
        out.sort(Comparator.comparing(ArtifactFile::path));
        return out;
    }

    @Override
    public boolean exists(String path) {
        Path target = resolve(path);
        if (Files.isRegularFile(target)) {
            return !isTemp(target);
        }
        if (!Files.isDirectory(target)) {
            return false;
        }
        try (Stream<Path> all = Files.walk(target)) {
            return all.anyMatch(p -> Files.isRegularFile(p) && !isTemp(p));
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException("Checking artifact " + path + " failed", e);
        }
    }

    @Override
    public boolean delete(String path) {
        Path target = resolve(path);
        if (!Files.exists(target)) {
            return false;
        }
        boolean deletedFile;
        try {
            if (Files.isDirectory(target)) {
                deletedFile = exists(path);
                deleteTree(target);
            } else {
                deletedFile = Files.deleteIfExists(target);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Deleting artifact " + path + " failed", e);
        }
        pruneEmptyParents(target.getParent());
        return deletedFile;
    }

    @Override
    public void checkAvailable() {
        if (!Files.isDirectory(root) || !Files.isWritable(root)) {
            throw new IllegalStateException("The artifact directory " + root + " is missing or not writable");
        }
    }

    @Override
    public String uri(String path) {
        Path target = resolve(path);
        return target.toUri().toString().replaceFirst("^file:///", "file:/");
    }

    /** Resolves a normalized store path under the root, refusing anything that would leave it. */
    private Path resolve(String path) {
        Path resolved = path == null || path.isEmpty() ? root : root.resolve(path).normalize();
        if (!resolved.startsWith(root)) {
            throw CairnException.invalid("Invalid artifact path '" + path + "': it leaves the artifact root.");
        }
        return resolved;
    }

    private Path createTempFile(Path dir, String path) {
        // A concurrent delete may prune the freshly created directory before the temp file lands in it: retry.
        for (int attempt = 1; ; attempt++) {
            try {
                Files.createDirectories(dir);
                return Files.createTempFile(dir, TEMP_PREFIX, ".tmp");
            } catch (NoSuchFileException e) {
                if (attempt == 3) {
                    throw new UncheckedIOException("Creating the directory of " + path + " failed", e);
                }
            } catch (FileAlreadyExistsException | NotDirectoryException e) {
                throw CairnException.invalid("Cannot write '" + path + "': a file exists where a directory of its "
                        + "path should be.");
            } catch (IOException e) {
                throw new UncheckedIOException("Creating a temporary file for " + path + " failed", e);
            }
        }
    }

    private static void move(Path tmp, Path target, String path) throws IOException {
        if (Files.isDirectory(target)) {
            throw CairnException.invalid("Cannot write '" + path + "': it is a directory.");
        }
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            // Same directory, so this only happens on unusual file systems; a plain replace is the best they offer.
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        } catch (DirectoryNotEmptyException e) {
            throw CairnException.invalid("Cannot write '" + path + "': it is a directory.");
        }
    }

    private static long copy(InputStream in, OutputStream out) throws IOException {
        byte[] buffer = new byte[BUFFER_SIZE];
        long total = 0;
        int n;
        while ((n = in.read(buffer)) >= 0) {
            out.write(buffer, 0, n);
            total += n;
        }
        return total;
    }

    private void deleteTree(Path dir) throws IOException {
        List<Path> paths;
        try (Stream<Path> all = Files.walk(dir)) {
            // The root itself stays: deleting everything empties it.
            paths = all.filter(p -> !p.equals(root)).sorted(Comparator.reverseOrder()).toList();
        }
        for (Path p : paths) {
            try {
                Files.deleteIfExists(p);
            } catch (DirectoryNotEmptyException e) {
                // A concurrent upload created something inside; its file stays, like an upload after the delete.
            }
        }
    }

    /** Removes directories a delete left empty, up to the root, so listings match what S3 would show. */
    private void pruneEmptyParents(Path dir) {
        Path current = dir;
        while (current != null && current.startsWith(root) && !current.equals(root)) {
            try {
                Files.delete(current);
            } catch (IOException e) {
                return; // not empty, already gone, or just reused by an upload: the remaining tree is in use
            }
            current = current.getParent();
        }
    }

    private static boolean isTemp(Path p) {
        Path name = p.getFileName();
        return name != null && name.toString().startsWith(TEMP_PREFIX);
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // Best effort: the temp name is hidden from listings and a later delete of the directory removes it.
        }
    }
}
