package io.cairn.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The webhook gets each event as JSON; a webhook that refuses or is gone is counted and never throws. */
class MonitoringEventsTest {

    private static MonitoringProperties properties(String webhook) {
        return new MonitoringProperties(Duration.ofDays(90), 200, Duration.ofMinutes(15), Duration.ofSeconds(10),
                true, Duration.ofHours(1), webhook, 0.01);
    }

    @Test
    void eventsArePostedAsJsonAndFailuresAreCountedNotThrown() throws Exception {
        List<String> received = new ArrayList<>();
        int[] status = {204};
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/hook", exchange -> {
            received.add(exchange.getRequestHeaders().getFirst("Content-Type") + " "
                    + new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(status[0], -1);
            exchange.close();
        });
        server.start();
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try {
            MonitoringEvents events = new MonitoringEvents(null, null, meters, Clock.systemUTC(),
                    properties("http://127.0.0.1:" + server.getAddress().getPort() + "/hook"));
            events.notify(Map.of("deployment", "churn", "kind", "drift"));
            assertThat(received).hasSize(1);
            assertThat(received.get(0)).startsWith("application/json {").contains("\"kind\":\"drift\"");
            status[0] = 500;
            events.notify(Map.of("deployment", "churn", "kind", "quality"));
            assertThat(meters.counter("cairn.monitoring.webhook.failures").count()).isEqualTo(1);
        } finally {
            server.stop(0);
        }
        MonitoringEvents gone = new MonitoringEvents(null, null, meters, Clock.systemUTC(),
                properties("http://127.0.0.1:" + server.getAddress().getPort() + "/hook"));
        gone.notify(Map.of("deployment", "churn", "kind", "drift"));
        assertThat(meters.counter("cairn.monitoring.webhook.failures").count()).isEqualTo(2);
        // No webhook set: nothing is sent, nothing counted.
        new MonitoringEvents(null, null, meters, Clock.systemUTC(), properties("")).notify(Map.of("kind", "x"));
        assertThat(meters.counter("cairn.monitoring.webhook.failures").count()).isEqualTo(2);
    }
}
