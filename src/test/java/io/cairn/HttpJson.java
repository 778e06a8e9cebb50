package io.cairn;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A plain HTTP client for tests of what protocol clients do not call: raw bodies in, status and JSON out. */
public final class HttpJson {

    /** A response: status code, raw body and the body parsed as JSON (null when it is not JSON). */
    public record Response(int status, String body, JsonNode json) {
        public String errorCode() {
            return json == null || json.get("error_code") == null ? null : json.get("error_code").asString();
        }
    }

    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(tools.jackson.core.json.JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;

    public HttpJson(String base) {
        this.base = base;
    }

    /** The base URL requests are sent to, e.g. {@code http://127.0.0.1:5000}. */
    public String base() {
        return base;
    }

    public static JsonMapper mapper() {
        return MAPPER;
    }

    public Response post(String path, String body) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    public Response post(String path, Object body) {
        return post(path, MAPPER.writeValueAsString(body));
    }

    public Response get(String pathAndQuery) {
        return send(HttpRequest.newBuilder(URI.create(base + pathAndQuery)).GET());
    }

    public Response send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response = client.send(request.timeout(Duration.ofSeconds(60)).build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode json = null;
            String type = response.headers().firstValue("Content-Type").orElse("");
            if (type.contains("json") && !response.body().isEmpty()) {
                json = MAPPER.readTree(response.body());
            }
            return new Response(response.statusCode(), response.body(), json);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
