package io.cairn.artifacts;

import java.io.InputStream;

/** An open artifact: its bytes as a stream (the caller closes it) and its size in bytes. */
public record ArtifactContent(InputStream stream, long size) {
}
