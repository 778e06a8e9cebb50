package io.cairn.artifacts;

/**
 * One entry of a directory listing. {@code path} is the entry's full store path (relative to the store root, like the
 * paths MLflow's artifact repositories report), {@code fileSize} is null for directories.
 */
public record ArtifactFile(String path, boolean isDir, Long fileSize) {

    /** The last segment of the path: the entry's own name. */
    public String name() {
        int slash = path.lastIndexOf('/');
        return slash < 0 ? path : path.substring(slash + 1);
    }
}
