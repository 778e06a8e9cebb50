package io.cairn.cli;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A Cairn server's REST API as the command line uses it: JSON in and out, the token of {@code CAIRN_TOKEN} as a
 * bearer token, and every error turned into a {@link CliFailure} that carries the server's own message (problem
 * details' {@code detail}, MLflow's {@code message}, V2's and Feast's {@code error}/{@code detail}).
 */
final class CairnServer {

    static final JsonMapper JSON = JsonMapper.builder().build();

    private final String url;
    private final String token;
    private final HttpClient client;

    CairnServer(String url, String token) {
        this.url = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        this.token = token == null || token.isBlank() ? null : token.trim();
        // HTTP/1.1: an http:// URL would otherwise make every first request an h2c upgrade attempt.
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
    }

    String url() {
        return url;
    }

    static String query(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + path));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return b;
    }

    JsonNode get(String path) {
        return json(send(request(path).header("Accept", "application/json").GET(), "GET " + path));
    }

    /** The resource, or empty when the server answers 404. */
    Optional<JsonNode> find(String path) {
        HttpResponse<byte[]> r = exchange(request(path).header("Accept", "application/json").GET());
        if (r.statusCode() == 404) {
            return Optional.empty();
        }
        return Optional.of(json(checked(r, "GET " + path)));
    }

    JsonNode put(String path, JsonNode body) {
        return json(send(request(path).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body))), "PUT " + path));
    }

    JsonNode post(String path, JsonNode body) {
        return json(send(request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body))), "POST " + path));
    }

    void delete(String path) {
        send(request(path).DELETE(), "DELETE " + path);
    }

    /** Sends and checks the status; the body is read whole (for small JSON answers). */
    HttpResponse<byte[]> send(HttpRequest.Builder request, String what) {
        return checked(exchange(request), what);
    }

    /** Sends without checking the status. */
    HttpResponse<byte[]> exchange(HttpRequest.Builder request) {
        return call(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /** Sends and answers the body as a stream, for answers too large to hold (training sets); checked. */
    HttpResponse<InputStream> stream(HttpRequest.Builder request, String what) {
        HttpResponse<InputStream> r = call(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        if (r.statusCode() >= 400) {
            byte[] body;
            try (InputStream in = r.body()) {
                body = in.readNBytes(1 << 20);
            } catch (IOException e) {
                body = new byte[0];
            }
            throw refused(r.statusCode(), body, what);
        }
        return r;
    }

    /** An answer not waited for, for reads that may fail without failing the command (drift in status). */
    CompletableFuture<HttpResponse<byte[]>> async(HttpRequest request) {
        return client.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray());
    }

    private <T> HttpResponse<T> call(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        try {
            return client.send(request, handler);
        } catch (HttpConnectTimeoutException e) {
            throw new CliFailure("Cannot reach the Cairn server at " + url + ": no answer to the connection within "
                    + "10 s. Check --url or CAIRN_URL.", e);
        } catch (ConnectException e) {
            throw new CliFailure("Cannot reach the Cairn server at " + url + ": "
                    + (e.getMessage() == null ? "connection refused" : e.getMessage().toLowerCase(java.util.Locale.ROOT))
                    + ". Is it running? Point --url or CAIRN_URL at it.", e);
        } catch (HttpTimeoutException e) {
            throw new CliFailure("The Cairn server at " + url + " did not answer in time: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new CliFailure("Talking to the Cairn server at " + url + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliFailure("Interrupted", e);
        }
    }

    private static HttpResponse<byte[]> checked(HttpResponse<byte[]> r, String what) {
        if (r.statusCode() >= 400) {
            throw refused(r.statusCode(), r.body(), what);
        }
        return r;
    }

    /** The server's refusal in one line: status, stable code when there is one, and its message. */
    static CliFailure refused(int status, byte[] body, String what) {
        String text = new String(body, StandardCharsets.UTF_8).trim();
        String message = text;
        String code = null;
        try {
            JsonNode json = JSON.readTree(text);
            if (json != null && json.isObject()) {
                code = first(json, "code", "error_code");
                String m = first(json, "detail", "message", "error");
                if (m == null) {
                    m = first(json, "title");
                }
                if (m != null) {
                    message = m;
                }
            }
        } catch (JacksonException e) {
            // Not JSON (a proxy's HTML page, say): the text itself is the best message there is.
        }
        if (message.isEmpty()) {
            message = "(no message)";
        } else if (message.length() > 2000) {
            message = message.substring(0, 2000) + "...";
        }
        return new CliFailure("The server refused " + what + " (" + status + (code == null ? "" : " " + code) + "): "
                + message);
    }

    private static String first(JsonNode json, String... fields) {
        for (String f : fields) {
            JsonNode v = json.get(f);
            if (v != null && v.isString() && !v.asString().isBlank()) {
                return v.asString();
            }
        }
        return null;
    }

    static JsonNode json(HttpResponse<byte[]> r) {
        if (r.body().length == 0) {
            return JSON.createObjectNode();
        }
        try {
            return JSON.readTree(r.body());
        } catch (JacksonException e) {
            throw new CliFailure("The server answered " + r.uri() + " with something that is not JSON: "
                    + new String(r.body(), 0, Math.min(200, r.body().length), StandardCharsets.UTF_8));
        }
    }
}
