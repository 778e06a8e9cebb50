package io.cairn.platform.web;

import io.cairn.platform.error.PayloadTooLarge;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.servlet.filter.OrderedFilter;
import org.springframework.http.HttpMethod;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.http.server.PathContainer;
import org.springframework.http.server.RequestPath;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;

/**
 * Limits every request body on the main port by endpoint, so no request can take the heap: without it, ten
 * concurrent 95 MB {@code runs/set-tag} bodies ended the server ({@code -XX:+ExitOnOutOfMemoryError}). The limit is
 * {@code cairn.http.max-body-size} unless a module's {@link BodyLimits} says otherwise. A request whose
 * Content-Length is over the limit is refused before its body is read (in the handler interceptor, so the answer is
 * in the endpoint's own error format); a chunked body is counted as it is read and refused the moment it crosses
 * the limit. Either way the answer is 413 and Tomcat closes the connection rather than read the rest.
 */
public class RequestBodyLimitFilter extends OncePerRequestFilter implements OrderedFilter {

    /** Before Boot's form-content filter (-9900), which reads PUT/PATCH/DELETE form bodies into memory. */
    static final int ORDER = REQUEST_WRAPPER_FILTER_MAX_ORDER - 10_000;

    private static final String LIMIT = RequestBodyLimitFilter.class.getName() + ".limit";
    private static final long KB = 1024;
    private static final long MB = 1024 * KB;

    /** A resolved limit: bytes, and the setting that configures it. */
    record Limit(long maxBytes, String setting) {

        PayloadTooLarge tooLarge(long declaredLength) {
            String body = declaredLength >= 0 ? "The request body of " + declaredLength + " bytes" : "The request body";
            return new PayloadTooLarge(body + " is larger than the " + human(maxBytes) + " this endpoint accepts; "
                    + "send a smaller body (split a batch into several requests), or raise " + setting + ".");
        }

        private static String human(long bytes) {
            if (bytes >= MB && bytes % MB == 0) {
                return bytes / MB + " MB (" + bytes + " bytes)";
            }
            if (bytes >= KB && bytes % KB == 0) {
                return bytes / KB + " KB (" + bytes + " bytes)";
            }
            return bytes + " bytes";
        }
    }

    private record Compiled(HttpMethod method, PathPattern pattern, MediaType contentType, Limit limit) {
    }

    private final Limit small;
    private final List<Compiled> rules = new ArrayList<>();

    RequestBodyLimitFilter(HttpProperties properties, List<BodyLimits> declared) {
        this.small = new Limit(properties.maxBodySize().toBytes(), "cairn.http.max-body-size");
        Limit bulk = new Limit(properties.maxBulkBodySize().toBytes(), "cairn.http.max-bulk-body-size");
        for (BodyLimits limits : declared) {
            for (BodyLimits.Rule rule : limits.rules()) {
                Limit limit = switch (rule.kind()) {
                    case BULK -> bulk;
                    case OWN -> new Limit(rule.size().toBytes(), rule.setting());
                    case STREAMING -> null;
                };
                rules.add(new Compiled(rule.method(), PathPatternParser.defaultInstance.parse(rule.path()),
                        rule.contentType(), limit));
            }
        }
    }

    @Override
    public int getOrder() {
        return ORDER;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Limit limit = limitFor(request);
        if (limit == null) {
            chain.doFilter(request, response);
            return;
        }
        request.setAttribute(LIMIT, limit);
        try {
            chain.doFilter(new LimitedRequest(request, limit), response);
        } catch (ServletException | IOException | RuntimeException e) {
            // Spring MVC's advices answer in each protocol's format; this is for a body read before the dispatcher
            // (Boot's form-content filter), where no advice applies.
            PayloadTooLarge tooLarge = PayloadTooLarge.in(e);
            if (tooLarge == null || response.isCommitted()) {
                throw e;
            }
            response.sendError(HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE, tooLarge.getMessage());
        }
    }

    /**
     * Refuses a request whose Content-Length is over its limit; called by the handler interceptor, before anything
     * reads the body.
     */
    static void checkDeclaredLength(HttpServletRequest request) {
        if (request.getAttribute(LIMIT) instanceof Limit limit && request.getContentLengthLong() > limit.maxBytes()) {
            throw limit.tooLarge(request.getContentLengthLong());
        }
    }

    /** The limit of the request's endpoint, or null when it streams its body. */
    Limit limitFor(HttpServletRequest request) {
        PathContainer path = null;
        for (Compiled rule : rules) {
            if (!rule.method().matches(request.getMethod())) {
                continue;
            }
            if (path == null) {
                // The dispatcher matches its mappings against this same parsed path (decoded segments, no ';'
                // parameters), so a rule and the mapping it describes cannot disagree about a request.
                path = RequestPath.parse(request.getRequestURI(), request.getContextPath()).pathWithinApplication();
            }
            if (rule.pattern().matches(path) && contentTypeMatches(rule.contentType(), request.getContentType())) {
                return rule.limit();
            }
        }
        return small;
    }

    private static boolean contentTypeMatches(MediaType wanted, String contentType) {
        if (wanted == null) {
            return true;
        }
        if (contentType == null) {
            return false;
        }
        try {
            return wanted.equalsTypeAndSubtype(MediaType.parseMediaType(contentType));
        } catch (InvalidMediaTypeException e) {
            // Spring MVC refuses such a request with 415; until then it gets the default limit.
            return false;
        }
    }

    /** The request with its body counted against the limit. */
    private static final class LimitedRequest extends HttpServletRequestWrapper {

        private final Limit limit;
        private LimitedInputStream stream;
        private BufferedReader reader;

        LimitedRequest(HttpServletRequest request, Limit limit) {
            super(request);
            this.limit = limit;
        }

        @Override
        public ServletInputStream getInputStream() throws IOException {
            if (stream == null) {
                if (getContentLengthLong() > limit.maxBytes()) {
                    throw limit.tooLarge(getContentLengthLong());
                }
                stream = new LimitedInputStream(super.getInputStream(), limit);
            }
            return stream;
        }

        @Override
        public BufferedReader getReader() throws IOException {
            if (reader == null) {
                String encoding = getCharacterEncoding();
                Charset charset = encoding == null ? StandardCharsets.ISO_8859_1 : Charset.forName(encoding);
                reader = new BufferedReader(new InputStreamReader(getInputStream(), charset));
            }
            return reader;
        }
    }

    /** Counts bytes read and fails the read that would go past the limit. */
    private static final class LimitedInputStream extends ServletInputStream {

        private final ServletInputStream in;
        private final Limit limit;
        private long count;

        LimitedInputStream(ServletInputStream in, Limit limit) {
            this.in = in;
            this.limit = limit;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                counted(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            // Never asks for more than one byte past the limit, so crossing it is seen without reading further.
            int n = in.read(buffer, offset, (int) Math.min(length, limit.maxBytes() - count + 1));
            if (n > 0) {
                counted(n);
            }
            return n;
        }

        private void counted(int n) {
            count += n;
            if (count > limit.maxBytes()) {
                throw limit.tooLarge(-1);
            }
        }

        @Override
        public boolean isFinished() {
            return in.isFinished();
        }

        @Override
        public boolean isReady() {
            return in.isReady();
        }

        @Override
        public void setReadListener(ReadListener listener) {
            in.setReadListener(listener);
        }

        @Override
        public int available() throws IOException {
            return in.available();
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
