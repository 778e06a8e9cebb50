package io.cairn.artifacts;

/** One entry of a directory listing; {@code path} is relative to the listed directory's root, size null for dirs. */
public record ArtifactFile(String path, boolean isDir, Long fileSize) {
}
