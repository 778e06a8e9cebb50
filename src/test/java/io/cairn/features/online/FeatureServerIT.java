package io.cairn.features.online;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.HttpJson;
import io.cairn.HttpJson.Response;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The feature server's own port (Netty): every {@link OnlineStoreIT} test runs again with Feast's endpoints called
 * there, and the tests below cover what only that server does (its routing, ordering of pipelined answers, metrics).
 */
class FeatureServerIT extends OnlineStoreIT {

    @Autowired
    FeatureServer server;

    @Autowired
    MeterRegistry meters;

    @Override
    String feastBase() {
        return "http://127.0.0.1:" + server.port();
    }

    private void pushDrivers(String stats) {
        Response pushed = feast.post("/push", Map.of("push_source_name", stats, "df", Map.of(
                "driver_id", List.of(1, 2, 3),
                "event_timestamp", List.of("2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z", "2026-01-03T00:00:00Z"),
                "conv_rate", List.of(0.25, 0.5, 0.75), "city", List.of("Graz", "Linz", "Wien"))));
        assertThat(pushed.status()).as(pushed.body()).isEqualTo(200);
    }

    @Test
    void bothPortsAnswerAReadWithTheSameBytes() {
        String stats = view(driver, 0, true, "conv_rate", "FLOAT64", "city", "STRING");
        pushDrivers(stats);
        String body = HttpJson.mapper().writeValueAsString(Map.of("features", List.of(stats + ":conv_rate",
                stats + ":city"), "entities", Map.of("driver_id", List.of(3, 1, 99)), "full_feature_names", true));

        Response here = feast.post("/get-online-features", body);
        Response main = http.post("/get-online-features", body);

        assertThat(here.status()).as(here.body()).isEqualTo(200);
        assertThat(here.body()).isEqualTo(main.body());
        assertThat(here.json().at("/results/1/values").toString()).isEqualTo("[0.75,0.25,null]");
        assertThat(here.json().at("/results/2/statuses").toString())
                .isEqualTo("[\"PRESENT\",\"PRESENT\",\"NOT_FOUND\"]");
    }

    @Test
    void unknownPathsWrongMethodsAndContentTypesAreFeastErrors() {
        Response missing = feast.get("/get-historical-features");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.json().get("detail").asString()).isEqualTo("Not Found");

        Response wrongMethod = feast.send(HttpRequest.newBuilder(URI.create(feast.base() + "/get-online-features"))
                .GET());
        assertThat(wrongMethod.status()).isEqualTo(405);
        assertThat(wrongMethod.json().get("detail").asString()).isEqualTo("Method Not Allowed");

        Response text = feast.send(HttpRequest.newBuilder(URI.create(feast.base() + "/push"))
                .header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString("{}")));
        assertThat(text.status()).isEqualTo(400);
        assertThat(text.json().get("detail").asString()).contains("Unsupported content type text/plain")
                .contains("application/json");

        Response health = feast.get("/health");
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.json().get("status").asString()).isEqualTo("ok");
    }

    @Test
    void pipelinedRequestsAreAnsweredInTheOrderTheyWereSent() throws IOException {
        String stats = view(driver, 0, true, "conv_rate", "FLOAT64", "city", "STRING");
        pushDrivers(stats);
        List<Integer> drivers = List.of(3, 1, 2, 99, 1, 3);
        StringBuilder requests = new StringBuilder();
        for (int d : drivers) {
            String body = "{\"features\": [\"" + stats + ":city\"], \"entities\": {\"driver_id\": [" + d + "]}}";
            requests.append("POST /get-online-features HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n")
                    .append("Content-Length: ").append(body.getBytes(StandardCharsets.UTF_8).length).append("\r\n\r\n")
                    .append(body);
        }
        requests.append("GET /nowhere HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");

        List<String> bodies = new ArrayList<>();
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(requests.toString().getBytes(StandardCharsets.UTF_8)); // all at once, before any answer
            out.flush();
            InputStream in = socket.getInputStream();
            for (int i = 0; i <= drivers.size(); i++) {
                bodies.add(readResponse(in));
            }
            assertThat(in.read()).as("the connection closes after the request that asked for it").isEqualTo(-1);
        }
        List<String> cities = new ArrayList<>();
        for (int i = 0; i < drivers.size(); i++) {
            cities.add(HttpJson.mapper().readTree(bodies.get(i)).at("/results/1/values/0").asString(null));
        }
        assertThat(cities).containsExactly("Wien", "Graz", "Linz", null, "Graz", "Wien");
        assertThat(bodies.get(drivers.size())).isEqualTo("{\"detail\":\"Not Found\"}");
    }

    @Test
    void requestsAreTimedPerEndpointAndStatus() {
        String stats = view(driver, 0, true, "conv_rate", "FLOAT64", "city", "STRING");
        pushDrivers(stats);
        double before = count("/get-online-features", "200");
        double errorsBefore = count("/get-online-features", "400");
        get(List.of(stats + ":city"), Map.of("driver_id", List.of(1)), false);
        get(List.of(stats + ":city"), Map.of("driver_id", List.of(2)), false);
        get(List.of(stats + ":nope"), Map.of("driver_id", List.of(2)), false);
        assertThat(count("/get-online-features", "200")).isEqualTo(before + 2);
        assertThat(count("/get-online-features", "400")).isEqualTo(errorsBefore + 1);
    }

    private double count(String uri, String status) {
        var timer = meters.find("cairn.feature.server.requests").tag("uri", uri).tag("status", status).timer();
        return timer == null ? 0 : timer.count();
    }

    /** One HTTP/1.1 response with a Content-Length body; returns the body. */
    private static String readResponse(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed inside a response head: " + head);
            }
            head.write(b);
        }
        int length = -1;
        for (String line : head.toString(StandardCharsets.ISO_8859_1).split("\r\n")) {
            if (line.toLowerCase().startsWith("content-length:")) {
                length = Integer.parseInt(line.substring("content-length:".length()).trim());
            }
        }
        assertThat(length).as("content-length in " + head).isGreaterThanOrEqualTo(0);
        return new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }
}
