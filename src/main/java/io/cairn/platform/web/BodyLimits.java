package io.cairn.platform.web;

import java.util.ArrayList;
import java.util.List;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.util.unit.DataSize;

/**
 * The request body limits of one module's endpoints where they differ from {@code cairn.http.max-body-size}: bulk
 * JSON endpoints, endpoints with a size setting of their own, and endpoints that stream their body with no limit.
 * Each module declares its own as a bean, next to the controllers they describe; {@link RequestBodyLimitFilter}
 * applies them by method and path (Spring MVC path patterns, matched as the dispatcher matches them).
 */
public record BodyLimits(List<Rule> rules) {

    public BodyLimits {
        rules = List.copyOf(rules);
    }

    /** What an endpoint's body may be. */
    public enum Kind {
        /** {@code cairn.http.max-bulk-body-size}. */
        BULK,
        /** A size of the endpoint's own, with the setting that configures it. */
        OWN,
        /** No whole-body limit: the endpoint reads the body as a stream and holds at most a bounded part of it. */
        STREAMING
    }

    /**
     * One endpoint's limit. {@code contentType} null matches every request; otherwise only requests whose
     * Content-Type has that type and subtype (as a {@code consumes} condition would).
     */
    public record Rule(HttpMethod method, String path, MediaType contentType, Kind kind, DataSize size,
                       String setting) {
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Collects rules; every path of a call gets the same limit. */
    public static final class Builder {

        private final List<Rule> rules = new ArrayList<>();

        private Builder() {
        }

        public Builder bulk(HttpMethod method, String... paths) {
            return add(method, null, Kind.BULK, null, null, paths);
        }

        public Builder bulk(HttpMethod method, MediaType contentType, String... paths) {
            return add(method, contentType, Kind.BULK, null, null, paths);
        }

        public Builder own(HttpMethod method, DataSize size, String setting, String... paths) {
            return add(method, null, Kind.OWN, size, setting, paths);
        }

        public Builder streaming(HttpMethod method, String... paths) {
            return add(method, null, Kind.STREAMING, null, null, paths);
        }

        public Builder streaming(HttpMethod method, MediaType contentType, String... paths) {
            return add(method, contentType, Kind.STREAMING, null, null, paths);
        }

        public BodyLimits build() {
            return new BodyLimits(rules);
        }

        private Builder add(HttpMethod method, MediaType contentType, Kind kind, DataSize size, String setting,
                            String... paths) {
            for (String path : paths) {
                rules.add(new Rule(method, path, contentType, kind, size, setting));
            }
            return this;
        }
    }
}
