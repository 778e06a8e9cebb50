package io.cairn.artifacts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cairn.GeneratedContent;
import io.cairn.GeneratedContent.Drained;
import io.cairn.HttpJson;
import io.cairn.TestS3Proxy;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;

/**
 * Proof that the artifact proxy streams: the packaged server jar runs in its own JVM with a 64 MB heap (the smallest
 * heap that boots and serves is about 32 MB on JDK 17) against the in-JVM S3Proxy and a fresh database, and 300 MB
 * bodies, generated on the fly, go up and come back with matching byte counts and SHA-256 digests computed while
 * they pass. A server that held a whole file would die of {@code OutOfMemoryError} (it runs with
 * {@code -XX:+ExitOnOutOfMemoryError}). Needs {@code target/cairn-*.jar}, which {@code package} builds before failsafe.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class ArtifactStreamingIT {

    private static final String HEAP = "-Xmx64m";
    private static final long SIZE = 300L * 1024 * 1024;
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(240);
    private static final Duration TRANSFER_TIMEOUT = Duration.ofMinutes(4);

    private static Process server;
    private static Path serverLog;
    private static String database;
    private static String base;
    private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void startServer() throws Exception {
        TestS3Proxy s3 = TestS3Proxy.get();
        database = jdbcDatabase() + "_streaming";
        dropDatabase();
        int port = freePort();
        base = "http://127.0.0.1:" + port;
        Path work = Files.createDirectories(Path.of("target", "artifact-streaming-it"));
        serverLog = work.resolve("server.log");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                HEAP, "-XX:+ExitOnOutOfMemoryError",
                "-Daws.accessKeyId=" + TestS3Proxy.ACCESS_KEY, "-Daws.secretAccessKey=" + TestS3Proxy.SECRET_KEY,
                "-jar", serverJar().toAbsolutePath().toString(),
                "--server.port=" + port,
                "--spring.datasource.url=" + jdbcUrl(database),
                "--cairn.artifacts.root=s3://" + TestS3Proxy.BUCKET + "/streaming-it",
                "--cairn.artifacts.s3.endpoint=" + s3.endpoint(),
                "--cairn.artifacts.s3.path-style-access=true",
                "--cairn.artifacts.s3.region=" + TestS3Proxy.REGION));
        server = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true)
                .redirectOutput(serverLog.toFile()).start();
        awaitReady();
    }

    @AfterAll
    static void stopServer() throws Exception {
        try {
            if (server != null) {
                server.destroy();
                if (!server.waitFor(30, TimeUnit.SECONDS)) {
                    server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
        } finally {
            dropDatabase();
        }
    }

    @Test
    void aBodyFarLargerThanTheHeapStreamsUpAndDownWithKnownLength() throws Exception {
        String url = base + "/api/2.0/mlflow-artifacts/artifacts/streaming/known-length.bin";
        String sent = upload(url, 11, true);
        Drained received = download(url);
        assertThat(received).isEqualTo(new Drained(SIZE, sent));
        assertThat(server.isAlive()).as("server alive; log: " + tail()).isTrue();
    }

    @Test
    void aChunkedBodyFarLargerThanTheHeapStreamsUpAndDown() throws Exception {
        // No Content-Length: the S3 store uploads it in parts, one part buffer at a time.
        String url = base + "/api/2.0/mlflow-artifacts/artifacts/streaming/chunked.bin";
        String sent = upload(url, 12, false);
        Drained received = download(url);
        assertThat(received).isEqualTo(new Drained(SIZE, sent));
        assertThat(server.isAlive()).as("server alive; log: " + tail()).isTrue();
    }

    @Test
    void theServerReallyRunsWithTheSmallHeap() {
        HttpJson.Response heap = new HttpJson(base).get("/actuator/metrics/jvm.memory.max?tag=area:heap");
        assertThat(heap.status()).isEqualTo(200);
        JsonNode max = heap.json().at("/measurements/0/value");
        assertThat(max.asDouble()).isPositive().isLessThanOrEqualTo(64.0 * 1024 * 1024);
        assertThat(SIZE).isGreaterThan(4 * 64L * 1024 * 1024);
    }

    /** PUTs SIZE generated bytes, returning the SHA-256 of exactly what the client sent. */
    private static String upload(String url, long seed, boolean withLength) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        HttpRequest.BodyPublisher body = BodyPublishers.ofInputStream(
                () -> new DigestInputStream(GeneratedContent.stream(seed, SIZE), digest));
        HttpResponse<String> put = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(TRANSFER_TIMEOUT)
                .header("Content-Type", "application/octet-stream")
                .PUT(withLength ? BodyPublishers.fromPublisher(body, SIZE) : body).build(), BodyHandlers.ofString());
        assertThat(put.statusCode()).as("PUT " + url + ": " + put.body() + "; server log: " + tail()).isEqualTo(200);
        return HexFormat.of().formatHex(digest.digest());
    }

    private static Drained download(String url) throws Exception {
        HttpResponse<InputStream> get = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(TRANSFER_TIMEOUT)
                .GET().build(), BodyHandlers.ofInputStream());
        assertThat(get.statusCode()).as("GET " + url + "; server log: " + tail()).isEqualTo(200);
        assertThat(get.headers().firstValueAsLong("Content-Length")).hasValue(SIZE);
        try (InputStream in = get.body()) {
            return GeneratedContent.drain(in);
        }
    }

    private static void awaitReady() {
        HttpJson client = new HttpJson(base);
        await().atMost(READY_TIMEOUT).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            if (!server.isAlive()) {
                throw new IllegalStateException("server exited during start-up (" + server.exitValue() + "): " + tail());
            }
            assertThat(readiness(client)).as(() -> "the server's readiness; its log: " + tail()).contains("\"UP\"");
        });
    }

    /** The readiness answer's body when it is 200, else empty (also while the port is not open yet). */
    private static String readiness(HttpJson client) {
        try {
            HttpJson.Response ready = client.get("/actuator/health/readiness");
            return ready.status() == 200 ? ready.body() : "";
        } catch (IllegalStateException e) {
            return ""; // connection refused until the port opens
        }
    }

    private static Path serverJar() {
        try (Stream<Path> files = Files.list(Path.of("target"))) {
            Optional<Path> jar = files.filter(p -> p.getFileName().toString().matches("cairn-.*\\.jar")).findFirst();
            return jar.orElseThrow(() -> new IllegalStateException(
                    "no target/cairn-*.jar: run `./mvnw package` (or verify) so the server jar exists"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String tail() {
        try {
            List<String> lines = Files.readAllLines(serverLog);
            return "\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException | RuntimeException e) {
            return "(no log: " + e + ")";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    // ---- the fresh database, next to the one the shared test context uses -------------------------------------

    /** The JDBC URL the tests are pointed at: SPRING_DATASOURCE_URL, else application-test.yml's. */
    private static String configuredUrl() {
        return Optional.ofNullable(System.getenv("SPRING_DATASOURCE_URL"))
                .orElse("jdbc:postgresql://127.0.0.1:5432/cairn_test");
    }

    private static String jdbcDatabase() {
        String url = configuredUrl();
        String path = url.substring(url.lastIndexOf('/') + 1);
        int query = path.indexOf('?');
        return query < 0 ? path : path.substring(0, query);
    }

    /** The same server as the tests' database, another database on it. */
    private static String jdbcUrl(String db) {
        String url = configuredUrl();
        return url.substring(0, url.lastIndexOf('/') + 1) + db + "?reWriteBatchedInserts=true";
    }

    private static void dropDatabase() throws Exception {
        String user = Optional.ofNullable(System.getenv("SPRING_DATASOURCE_USERNAME")).orElse("postgres");
        String password = Optional.ofNullable(System.getenv("SPRING_DATASOURCE_PASSWORD")).orElse("");
        try (Connection c = DriverManager.getConnection(jdbcUrl("postgres"), user, password);
             Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS \"" + database.replace("\"", "") + "\" WITH (FORCE)");
        }
    }
}
