package io.cairn.artifacts;

import java.nio.file.Path;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * Maps the URIs clients use for artifacts to paths inside the configured store: {@code mlflow-artifacts:/1/abc/artifacts}
 * (the proxy's scheme), the store's own {@code s3://bucket/prefix/...} or {@code file:/root/...} form, and plain local
 * paths under the root. URIs that point outside the store map to nothing.
 */
@Component
public class ArtifactLocations {

    private static final String PROXY_SCHEME = "mlflow-artifacts:";

    private final String root;

    public ArtifactLocations(ArtifactStoreProperties properties) {
        this.root = properties.root();
    }

    /** The normalized store path the URI names, or empty when it lies outside this store. */
    public Optional<String> storePath(String uri) {
        if (uri == null || uri.isBlank()) {
            return Optional.empty();
        }
        if (uri.startsWith(PROXY_SCHEME)) {
            String rest = uri.substring(PROXY_SCHEME.length());
            if (rest.startsWith("//")) {
                // mlflow-artifacts://host:port/path: the authority names the tracking server, not the path.
                int slash = rest.indexOf('/', 2);
                rest = slash < 0 ? "" : rest.substring(slash);
            }
            return Optional.of(ArtifactPaths.normalize(stripLeadingSlashes(rest)));
        }
        String base = trimTrailingSlash(rootUri());
        String candidate = uri;
        if (!isS3(root) && !uri.contains(":/")) {
            candidate = Path.of(uri).toAbsolutePath().normalize().toUri().toString();
        }
        candidate = trimTrailingSlash(candidate.replaceFirst("^file:///", "file:/"));
        if (candidate.equals(base)) {
            return Optional.of("");
        }
        if (candidate.startsWith(base + "/")) {
            return Optional.of(ArtifactPaths.normalize(candidate.substring(base.length() + 1)));
        }
        return Optional.empty();
    }

    /** The proxy URI clients should use for a store path: {@code mlflow-artifacts:/<path>}. */
    public String proxyUri(String storePath) {
        return PROXY_SCHEME + "/" + storePath;
    }

    private String rootUri() {
        if (isS3(root)) {
            return root;
        }
        return Path.of(root).toAbsolutePath().normalize().toUri().toString().replaceFirst("^file:///", "file:/");
    }

    static boolean isS3(String root) {
        return root.startsWith("s3://");
    }

    private static String stripLeadingSlashes(String s) {
        int i = 0;
        while (i < s.length() && s.charAt(i) == '/') {
            i++;
        }
        return s.substring(i);
    }

    private static String trimTrailingSlash(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }
}
