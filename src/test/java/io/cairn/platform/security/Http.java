package io.cairn.platform.security;

import io.cairn.HttpJson;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** {@link HttpJson} with one identity's credentials on every request (or none). */
final class Http {

    private final HttpJson http;
    private final String authorization;

    private Http(String base, String authorization) {
        this.http = new HttpJson(base);
        this.authorization = authorization;
    }

    static Http anonymous(int port) {
        return new Http("http://127.0.0.1:" + port, null);
    }

    static Http basic(int port, String user, String password) {
        return new Http("http://127.0.0.1:" + port, "Basic " + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
    }

    static Http bearer(int port, String token) {
        return new Http("http://127.0.0.1:" + port, "Bearer " + token);
    }

    HttpJson.Response get(String path) {
        return send("GET", path, null, null);
    }

    HttpJson.Response post(String path, String json) {
        return send("POST", path, json, "application/json");
    }

    HttpJson.Response send(String method, String path, String body, String contentType) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(http.base() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request);
    }

    HttpJson.Response send(HttpRequest.Builder request) {
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request);
    }
}
