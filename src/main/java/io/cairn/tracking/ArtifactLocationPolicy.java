package io.cairn.tracking;

import io.cairn.artifacts.ArtifactLocations;
import io.cairn.artifacts.ArtifactStoreProperties;
import io.cairn.platform.error.CairnException;
import io.cairn.platform.text.NulCheck;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * Which {@code artifact_location} an experiment may be created with. MLflow clients upload a run's artifacts straight
 * to its experiment's location, so a stored {@code http:///#/../../etc/} (CVE-2024-1483, CVE-2024-3848), an instance
 * metadata address or another team's bucket would send them there. Accepted: the proxy's {@code mlflow-artifacts:/...}
 * and locations inside this server's store ({@code cairn.artifacts.root}), plus what
 * {@code cairn.tracking.allowed-artifact-locations} lists; never a query, fragment, {@code ..} segment or NUL.
 */
@Component
class ArtifactLocationPolicy {

    private static final String PROXY = "mlflow-artifacts:";

    private final ArtifactLocations locations;
    private final String root;
    private final List<String> allowed;

    ArtifactLocationPolicy(ArtifactLocations locations, ArtifactStoreProperties store, TrackingProperties properties) {
        this.locations = locations;
        this.root = store.root();
        this.allowed = properties.allowedArtifactLocations().stream().map(ArtifactLocationPolicy::trimSlash).toList();
    }

    /** The location, unchanged, when it may be used; else INVALID_PARAMETER_VALUE saying what is accepted. */
    String check(String location) {
        NulCheck.noNul("artifact_location", location);
        if (location.indexOf('?') >= 0 || location.indexOf('#') >= 0) {
            throw invalid(location, "it has a query or fragment ('?' or '#')");
        }
        if (hasDotDotSegment(location)) {
            throw invalid(location, "'..' segments are not allowed");
        }
        if (location.startsWith(PROXY + "//")) {
            // The authority would send clients to another server's proxy.
            throw invalid(location, "it names a host; write mlflow-artifacts:/<path> so clients use this server");
        }
        if (insideStore(location) || allowed.stream().anyMatch(p -> location.equals(p) || location.startsWith(p + "/"))) {
            return location;
        }
        throw invalid(location, "it lies outside this server's artifact store; use mlflow-artifacts:/<path>, a "
                + "location under " + root + (allowed.isEmpty() ? "" : ", a location under one of " + allowed)
                + ", or none for the default");
    }

    private boolean insideStore(String location) {
        try {
            return locations.storePath(location).isPresent();
        } catch (InvalidPathException e) {
            return false;
        }
    }

    private static boolean hasDotDotSegment(String location) {
        String decoded = location;
        // Decoded repeatedly, as ArtifactPaths does, so %252e%252e is seen for what it is.
        for (int i = 0; i < 3 && decoded.indexOf('%') >= 0; i++) {
            try {
                decoded = URLDecoder.decode(decoded.replace("+", "%2B"), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw invalid(location, "it holds a malformed percent-encoding");
            }
        }
        for (String segment : decoded.replace('\\', '/').split("/")) {
            if (segment.equals("..")) {
                return true;
            }
        }
        return false;
    }

    private static String trimSlash(String prefix) {
        return prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
    }

    private static CairnException invalid(String location, String why) {
        return CairnException.invalid("Invalid artifact_location '" + location + "': " + why + ".");
    }
}
