package io.cairn.features;

import io.cairn.HttpJson;
import io.cairn.HttpJson.Response;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.UUID;

/** HTTP helpers for feature-store tests: PUT, DELETE, CSV bodies and unique names per test. */
final class FeatureHttp {

    final HttpJson http;
    private final String base;

    FeatureHttp(int port) {
        this.base = "http://127.0.0.1:" + port;
        this.http = new HttpJson(base);
    }

    static String unique(String prefix) {
        return prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    }

    Response put(String path, Object body) {
        String json = body instanceof String s ? s : HttpJson.mapper().writeValueAsString(body);
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json)));
    }

    Response delete(String path) {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).DELETE());
    }

    Response get(String path) {
        return http.get(path);
    }

    Response post(String path, Object body) {
        return body instanceof String s ? http.post(path, s) : http.post(path, body);
    }

    Response postCsv(String path, String csv) {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "text/csv")
                .POST(HttpRequest.BodyPublishers.ofString(csv)));
    }

    Response postCsv(String path, String csv, String accept) {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "text/csv")
                .header("Accept", accept).POST(HttpRequest.BodyPublishers.ofString(csv)));
    }

    Response postJson(String path, String json, String accept) {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
                .header("Accept", accept).POST(HttpRequest.BodyPublishers.ofString(json)));
    }
}
