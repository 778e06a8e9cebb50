package io.cairn.artifacts;

import java.io.InputStream;
import java.util.List;
import java.util.Optional;

/**
 * Where artifacts live: a tree of files addressed by relative paths such as {@code 1/<run_id>/artifacts/model/model.onnx}.
 * Implementations stream in both directions and never hold a whole file in memory. Paths given to these methods
 * must already be normalized by {@link ArtifactPaths#normalize(String)}.
 */
public interface ArtifactStore {

    /** Stores the stream at the path, replacing what was there; {@code length} is -1 when unknown. */
    void write(String path, InputStream content, long length);

    /** Opens the file for reading, or empty when there is no file at the path. The caller closes the stream. */
    Optional<ArtifactContent> open(String path);

    /** The direct children of a directory (files with sizes, sub-directories), sorted by path; empty when none. */
    List<ArtifactFile> list(String directory);

    /** Whether a file, or a directory holding at least one file, exists at the path. */
    boolean exists(String path);

    /** Deletes the file, or the directory and everything below it; returns whether anything was deleted. */
    boolean delete(String path);

    /** The store's own URI for a path (file:/..., s3://bucket/prefix/...), for display and download URIs. */
    String uri(String path);

    /**
     * Checks that the store can be reached and used right now (the bucket answers, the directory is writable);
     * throws, saying what failed, when it cannot. For the health endpoint: cheap, one round trip at most.
     */
    void checkAvailable();
}
