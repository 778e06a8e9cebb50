package io.cairn.artifacts.mlflow;

import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import java.util.Optional;

/**
 * Finds the artifact path of a proxy request in the raw, undecoded request URI. The container's decoded and
 * normalized path would already have resolved {@code ..} and {@code %2e%2e}, hiding a traversal attempt that must be
 * refused rather than quietly redirected.
 */
final class ArtifactRequestPaths {

    static final List<String> PREFIXES = List.of("/api/2.0/mlflow-artifacts", "/ajax-api/2.0/mlflow-artifacts");
    private static final String ARTIFACTS = "/artifacts";

    private ArtifactRequestPaths() {
    }

    /**
     * The raw (still percent-encoded) part of the URI after {@code <prefix>/artifacts/}: empty string for the bare
     * collection URI, empty optional when the raw URI does not start with an artifact prefix at all.
     */
    static Optional<String> rawArtifactPath(HttpServletRequest request) {
        String uri = request.getRequestURI();
        String context = request.getContextPath();
        if (context != null && !context.isEmpty() && uri.startsWith(context)) {
            uri = uri.substring(context.length());
        }
        for (String prefix : PREFIXES) {
            String collection = prefix + ARTIFACTS;
            if (uri.equals(collection)) {
                return Optional.of("");
            }
            if (uri.startsWith(collection + "/")) {
                return Optional.of(uri.substring(collection.length() + 1));
            }
        }
        return Optional.empty();
    }
}
