package io.cairn.platform.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.HttpJson;
import io.cairn.IntegrationTest;
import io.cairn.features.online.FeatureServerProperties;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Every body on the main port is limited by endpoint: over the limit is a 413 in the endpoint's own error format,
 * refused before the body is read when Content-Length says so and as soon as the limit is crossed when it is chunked;
 * nothing is written and the server answers normally right after. Bodies of the largest legal size still work.
 */
@IntegrationTest
class RequestBodyLimitIT {

    /** A JSON escape of a character that counts as one (é): six bytes on the wire for one character of a limit. */
    private static final String ESCAPED = "\\u00e9";

    @LocalServerPort
    int port;

    @Autowired
    HttpProperties limits;

    @Autowired
    FeatureServerProperties featureServer;

    @Autowired
    JdbcClient jdbc;

    HttpJson http;
    String runId;

    @BeforeEach
    void setUp() {
        http = new HttpJson("http://127.0.0.1:" + port);
        String experimentId = http.post("/api/2.0/mlflow/experiments/create",
                Map.of("name", "limits-" + UUID.randomUUID())).json().get("experiment_id").asString();
        runId = http.post("/api/2.0/mlflow/runs/create", Map.of("experiment_id", experimentId))
                .json().at("/run/info/run_id").asString();
    }

    @Test
    void anMlflowBodyOverTheLimitIsRefusedInMlflowsFormat() {
        long limit = limits.maxBodySize().toBytes();
        String prefix = "{\"run_id\": \"" + runId + "\", \"key\": \"big\", \"value\": \"v\"";

        Raw declared = send("POST", "/api/2.0/mlflow/runs/set-tag", "application/json", null, limit + 1);
        assertThat(declared.status()).as(declared.body()).isEqualTo(413);
        assertThat(declared.json().get("error_code").asString()).isEqualTo("PAYLOAD_TOO_LARGE");
        assertThat(declared.json().get("message").asString())
                .contains("of " + (limit + 1) + " bytes", "1 MB", "cairn.http.max-body-size");

        Raw chunked = send("POST", "/api/2.0/mlflow/runs/set-tag", "application/json", prefix, -1);
        assertThat(chunked.status()).as(chunked.body()).isEqualTo(413);
        assertThat(chunked.json().get("error_code").asString()).isEqualTo("PAYLOAD_TOO_LARGE");
        assertThat(chunked.json().get("message").asString()).contains("cairn.http.max-body-size");

        // Multipart parsing is off, so such a body meets the same limit instead of being parsed to disk first.
        Raw multipart = send("POST", "/api/2.0/mlflow/runs/set-tag", "multipart/form-data; boundary=b", null,
                limit + 1);
        assertThat(multipart.status()).as(multipart.body()).isEqualTo(413);

        assertThat(jdbc.sql("SELECT count(*) FROM run_tags WHERE run_id = :r AND key = 'big'").param("r", runId)
                .query(Long.class).single()).isZero();
        assertHealthy();
    }

    @Test
    void anApiV1BodyOverTheLimitIsAProblemDetail() {
        String entity = "limit_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        String path = "/api/v1/entities/" + entity;
        long limit = limits.maxBodySize().toBytes();

        Raw declared = send("PUT", path, "application/json", null, limit + 1);
        assertProblem(declared);
        Raw chunked = send("PUT", path, "application/json", "{\"join_key\": \"id\", \"value_type\": \"INT64\"", -1);
        assertProblem(chunked);

        assertThat(http.get(path).status()).isEqualTo(404);
        assertHealthy();
    }

    @Test
    void aFeastBodyOverTheFeatureServersLimitIsAFeastDetail() {
        long limit = featureServer.maxRequestSize().toBytes();

        Raw declared = send("POST", "/get-online-features", "application/json", null, limit + 1);
        assertThat(declared.status()).as(declared.body()).isEqualTo(413);
        assertThat(declared.json().get("detail").asString()).contains("cairn.features.server.max-request-size");

        Raw chunked = send("POST", "/get-online-features", "application/json", "{\"features\": [\"v:f\"]", -1);
        assertThat(chunked.status()).as(chunked.body()).isEqualTo(413);
        assertThat(chunked.json().get("detail").asString()).contains("cairn.features.server.max-request-size");
        assertHealthy();
    }

    @Test
    void aV2InferenceBodyOverItsLimitIsAV2Error() {
        Raw declared = send("POST", "/v2/models/none/infer", "application/json", null, 64L * 1024 * 1024 + 1);
        assertThat(declared.status()).as(declared.body()).isEqualTo(413);
        assertThat(declared.json().get("error").asString()).contains("cairn.serving.max-request-size");
        assertHealthy();
    }

    @Test
    void aBodyReadBeforeTheDispatcherIsStillRefused() {
        // Boot's form-content filter reads PUT form bodies itself, before any advice could answer.
        Raw chunked = send("PUT", "/api/v1/entities/form_body", "application/x-www-form-urlencoded", "a=b", -1);
        assertThat(chunked.status()).as(chunked.body()).isEqualTo(413);
        assertHealthy();
    }

    @Test
    void theLargestLegalSingleValuesFitTheDefaultLimit() {
        String key = escapedKey("k", 250);
        String tag = "{\"run_id\": \"" + runId + "\", \"key\": \"" + key + "\", \"value\": \""
                + ESCAPED.repeat(8000) + "\"}";
        assertThat(http.post("/api/2.0/mlflow/runs/set-tag", tag).status()).isEqualTo(200);

        String model = "limits-" + UUID.randomUUID();
        assertThat(http.post("/api/2.0/mlflow/registered-models/create", Map.of("name", model)).status())
                .isEqualTo(200);
        String modelTag = "{\"name\": \"" + model + "\", \"key\": \"k\", \"value\": \"" + ESCAPED.repeat(100_000)
                + "\"}";
        assertThat(modelTag.length()).isGreaterThan(600_000);
        assertThat(http.post("/api/2.0/mlflow/registered-models/set-tag", modelTag).status()).isEqualTo(200);
    }

    @Test
    void theLargestLegalLogBatchFitsTheBulkLimit() {
        // MLflow's limits: 1,000 items in all, at most 100 params and 100 tags; every character written escaped.
        StringBuilder body = new StringBuilder("{\"run_id\": \"").append(runId).append("\", \"tags\": [");
        for (int i = 0; i < 100; i++) {
            body.append(i == 0 ? "" : ", ").append("{\"key\": \"").append(escapedKey("t" + i, 250))
                    .append("\", \"value\": \"").append(ESCAPED.repeat(8000)).append("\"}");
        }
        body.append("], \"params\": [");
        for (int i = 0; i < 100; i++) {
            body.append(i == 0 ? "" : ", ").append("{\"key\": \"").append(escapedKey("p" + i, 250))
                    .append("\", \"value\": \"").append(ESCAPED.repeat(6000)).append("\"}");
        }
        body.append("], \"metrics\": [");
        for (int i = 0; i < 800; i++) {
            body.append(i == 0 ? "" : ", ").append("{\"key\": \"").append(escapedKey("m", 250))
                    .append("\", \"value\": ").append(i).append(", \"timestamp\": 1, \"step\": ").append(i).append('}');
        }
        body.append("]}");
        assertThat(body.length()).isGreaterThan(9_000_000).isLessThan((int) limits.maxBulkBodySize().toBytes());

        HttpJson.Response response = http.post("/api/2.0/mlflow/runs/log-batch", body.toString());
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        assertThat(jdbc.sql("SELECT count(*) FROM run_params WHERE run_id = :r").param("r", runId)
                .query(Long.class).single()).isEqualTo(100);
    }

    @Test
    void aDatasetWithTheLargestLegalSchemaFitsTheBulkLimit() {
        String body = "{\"run_id\": \"" + runId + "\", \"datasets\": [{\"dataset\": {\"name\": \"big\", "
                + "\"digest\": \"d1\", \"source_type\": \"local\", \"source\": \"" + ESCAPED.repeat(65_535)
                + "\", \"schema\": \"" + ESCAPED.repeat(1_048_575) + "\", \"profile\": \""
                + ESCAPED.repeat(16_384) + "\"}}]}";
        assertThat(body.length()).isGreaterThan(6_000_000);
        HttpJson.Response response = http.post("/api/2.0/mlflow/runs/log-inputs", body);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
    }

    @Test
    void streamingUploadsHaveNoWholeBodyLimit() {
        long size = limits.maxBulkBodySize().toBytes() + 1024 * 1024;
        String path = "/api/2.0/mlflow-artifacts/artifacts/limits/" + UUID.randomUUID() + "/big.bin";
        HttpJson.Response put = http.send(HttpRequest.newBuilder(URI.create(http.base() + path))
                .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> new Zeros(size))));
        assertThat(put.status()).as(put.body()).isEqualTo(200);
    }

    private void assertProblem(Raw response) {
        assertThat(response.status()).as(response.body()).isEqualTo(413);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.json().get("code").asString()).isEqualTo("PAYLOAD_TOO_LARGE");
        assertThat(response.json().get("type").asString()).isEqualTo("urn:cairn:problem:payload-too-large");
        assertThat(response.json().get("detail").asString()).contains("cairn.http.max-body-size");
    }

    /** The server still answers ordinary requests, and the run's ordinary writes still work. */
    private void assertHealthy() {
        assertThat(http.get("/actuator/health/liveness").status()).isEqualTo(200);
        assertThat(http.post("/api/2.0/mlflow/runs/set-tag", Map.of("run_id", runId, "key", "after", "value", "ok"))
                .status()).isEqualTo(200);
        assertThat(http.get("/api/2.0/mlflow/runs/get?run_id=" + runId).status()).isEqualTo(200);
    }

    private static String escapedKey(String start, int length) {
        return start + ESCAPED.repeat(length - start.length());
    }

    record Raw(int status, String contentType, String body, JsonNode json) {
    }

    /**
     * Sends a request over a plain socket and reads the answer. With {@code declaredLength} >= 0 only the head goes
     * out, with that Content-Length: an answer at all proves the body was never waited for. Otherwise the body is
     * chunked: {@code prefix}, then spaces (JSON whitespace, which parsers skip without holding it) up to one byte
     * past the limit, and no end: an answer proves the server stopped at the limit. The last chunk's own CRLF is held
     * back too, so every byte sent is one the server had to read to see the limit crossed and the close is clean.
     */
    private Raw send(String method, String target, String contentType, String prefix, long declaredLength) {
        long limit = target.equals("/get-online-features") ? featureServer.maxRequestSize().toBytes()
                : limits.maxBodySize().toBytes();
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            String head = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: " + contentType
                    + "\r\n" + (declaredLength >= 0 ? "Content-Length: " + declaredLength
                    : "Transfer-Encoding: chunked") + "\r\n\r\n";
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            if (declaredLength < 0) {
                byte[] first = prefix.getBytes(StandardCharsets.UTF_8);
                long remaining = limit + 1 - first.length;
                writeChunk(out, first, first.length, true);
                byte[] spaces = new byte[64 * 1024];
                Arrays.fill(spaces, (byte) ' ');
                while (remaining > 0) {
                    int n = (int) Math.min(spaces.length, remaining);
                    remaining -= n;
                    writeChunk(out, spaces, n, remaining > 0);
                }
            }
            out.flush();
            return read(socket.getInputStream());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void writeChunk(OutputStream out, byte[] data, int length, boolean closeIt) throws IOException {
        out.write((Integer.toHexString(length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.write(data, 0, length);
        if (closeIt) {
            out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
        }
    }

    /**
     * Reads one response: head, then a Content-Length or chunked body. Not to the end of the stream: after a 413
     * Tomcat still swallows what is left of the body (up to {@code server.tomcat.max-swallow-size}) before it closes
     * the connection, and here the rest never comes.
     */
    private static Raw read(InputStream raw) throws IOException {
        InputStream in = new BufferedInputStream(raw);
        String status = line(in);
        String type = "";
        long length = -1;
        boolean chunked = false;
        for (String header = line(in); !header.isEmpty(); header = line(in)) {
            String lower = header.toLowerCase(Locale.ROOT);
            if (lower.startsWith("content-type:")) {
                type = header.substring(13).strip();
            } else if (lower.startsWith("content-length:")) {
                length = Long.parseLong(header.substring(15).strip());
            } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                chunked = true;
            }
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (chunked) {
            for (int size = Integer.parseInt(line(in).strip(), 16); size > 0;
                 size = Integer.parseInt(line(in).strip(), 16)) {
                body.write(in.readNBytes(size));
                line(in);
            }
        } else if (length >= 0) {
            body.write(in.readNBytes((int) length));
        } else {
            body.write(in.readAllBytes());
        }
        String text = body.toString(StandardCharsets.UTF_8);
        JsonNode json = type.contains("json") && !text.isEmpty() ? HttpJson.mapper().readTree(text) : null;
        return new Raw(Integer.parseInt(status.substring(9, 12)), type, text, json);
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c >= 0 && c != '\n'; c = in.read()) {
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }

    /** {@code size} zero bytes, generated as they are read. */
    private static final class Zeros extends InputStream {

        private long left;

        Zeros(long size) {
            this.left = size;
        }

        @Override
        public int read() {
            if (left <= 0) {
                return -1;
            }
            left--;
            return 0;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (left <= 0) {
                return -1;
            }
            int n = (int) Math.min(len, left);
            Arrays.fill(b, off, off + n, (byte) 0);
            left -= n;
            return n;
        }
    }
}
