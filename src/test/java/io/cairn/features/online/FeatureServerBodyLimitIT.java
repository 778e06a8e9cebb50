package io.cairn.features.online;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.HttpJson;
import io.cairn.IntegrationTest;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/** The feature server's own port refuses a body over cairn.features.server.max-request-size as the main port does. */
@IntegrationTest
class FeatureServerBodyLimitIT {

    @Autowired
    FeatureServer server;

    @Autowired
    FeatureServerProperties properties;

    @Test
    void aBodyOverTheLimitIsA413WithFeastsDetailBeforeItIsRead() throws IOException {
        long declared = properties.maxRequestSize().toBytes() + 1;
        String answer;
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            // Only the head: an answer at all shows the server did not wait for the body.
            out.write(("POST /push HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: "
                    + declared + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            // The server closes the connection after the answer.
            answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(answer).startsWith("HTTP/1.1 413");
        JsonNode body = HttpJson.mapper().readTree(answer.substring(answer.indexOf("\r\n\r\n") + 4));
        assertThat(body.get("detail").asString()).contains(Long.toString(declared - 1),
                "cairn.features.server.max-request-size");

        HttpJson.Response health = new HttpJson("http://127.0.0.1:" + server.port()).get("/health");
        assertThat(health.status()).isEqualTo(200);
    }
}
