package io.cairn.artifacts;

import io.cairn.platform.error.CairnException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/** Validates and normalizes artifact paths: relative, no {@code ..} segments, no encoded tricks. */
public final class ArtifactPaths {

    private ArtifactPaths() {
    }

    /**
     * Returns the path without leading/trailing/double slashes and {@code .} segments. Rejects absolute paths,
     * {@code ..} segments (also percent-encoded or with backslashes), NUL bytes and drive letters with a 400.
     * An empty path means the root.
     */
    public static String normalize(String raw) {
        if (raw == null || raw.isEmpty()) {
            return "";
        }
        String decoded = raw;
        // Decode repeatedly so double-encoded %252e%252e is seen for what it is.
        for (int i = 0; i < 3 && decoded.indexOf('%') >= 0; i++) {
            try {
                decoded = URLDecoder.decode(decoded.replace("+", "%2B"), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw invalid(raw, "it holds a malformed percent-encoding");
            }
        }
        if (decoded.indexOf('\0') >= 0) {
            throw invalid(raw, "it holds a NUL byte");
        }
        String slashed = decoded.replace('\\', '/');
        if (slashed.startsWith("/") || slashed.matches("^[A-Za-z]:.*")) {
            throw invalid(raw, "it is absolute; give a path relative to the artifact root");
        }
        StringBuilder out = new StringBuilder();
        for (String segment : slashed.split("/")) {
            if (segment.isEmpty() || segment.equals(".")) {
                continue;
            }
            if (segment.equals("..")) {
                throw invalid(raw, "'..' segments are not allowed");
            }
            if (!out.isEmpty()) {
                out.append('/');
            }
            out.append(segment);
        }
        return out.toString();
    }

    /** Joins normalized parts with single slashes, skipping empty ones. */
    public static String join(String... parts) {
        StringBuilder out = new StringBuilder();
        for (String part : parts) {
            if (part == null || part.isEmpty()) {
                continue;
            }
            if (!out.isEmpty()) {
                out.append('/');
            }
            out.append(part);
        }
        return out.toString();
    }

    private static CairnException invalid(String raw, String why) {
        return CairnException.invalid("Invalid artifact path '" + raw + "': " + why + ".");
    }
}
