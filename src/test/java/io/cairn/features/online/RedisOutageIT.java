package io.cairn.features.online;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.cairn.IntegrationTest;
import io.cairn.features.Feature;
import io.cairn.features.FeatureView;
import io.cairn.features.JoinKey;
import io.cairn.features.ValueType;
import io.cairn.features.online.RedisOnlineStore.Lookup;
import io.cairn.features.online.RedisOnlineStore.OnlineRow;
import io.cairn.platform.error.CairnException;
import io.cairn.platform.error.ErrorCode;
import java.io.File;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;

/**
 * Redis going away and coming back, against a private redis-server (the shared one is never touched): the online
 * store answers "unavailable" at once, with the online store's own client settings ({@link OnlineRedis}), and works
 * again by itself once Redis is back.
 */
@IntegrationTest
class RedisOutageIT {

    private Process redis;
    private FeatureServerEventLoops.Loops loops;
    private OnlineRedis client;

    @AfterEach
    void tearDown() {
        if (client != null) {
            client.destroy();
        }
        if (loops != null) {
            loops.destroy();
        }
        if (redis != null) {
            redis.destroyForcibly();
        }
    }

    @Test
    void aRedisOutageIsUnavailableAtOnceAndServiceResumesWhenRedisReturns() throws Exception {
        String server = findRedisServer();
        Assumptions.assumeTrue(server != null, "redis-server is not installed");
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        redis = start(server, port);

        // The application's online-store client, built as the application builds it, on a loop of its own.
        loops = new FeatureServerEventLoops.Loops(1);
        client = new OnlineRedis(new RedisStandaloneConfiguration("127.0.0.1", port), Duration.ofSeconds(2),
                Duration.ofSeconds(2), false, null, null, loops.group);
        io.micrometer.core.instrument.simple.SimpleMeterRegistry meters =
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        RedisOnlineStore store = new RedisOnlineStore(client,
                new OnlineStoreProperties(Duration.ofSeconds(2), 500, 8, Duration.ofSeconds(5)), meters);
        FeatureView view = new FeatureView(1, "outage", "outage", List.of("driver"),
                List.of(new JoinKey("driver", "driver_id", ValueType.INT64)), List.of(new Feature("x", ValueType.FLOAT64)),
                0, true, "", Map.of(), Instant.EPOCH, Instant.EPOCH, null, null, null);
        List<Lookup> lookup = List.of(new Lookup(RedisOnlineStore.key(view, List.of(1L)), List.of("x")));

        assertThat(store.write(view, List.of(new OnlineRow(List.of(1L), 10, new Object[] {0.5})))).isEqualTo(1);
        assertThat(store.read(lookup).get(0).values()).containsExactly("=0.5");

        // A Redis that is up but does not answer (busy for 3 s): the read gives up after the 2 s timeout, which is the
        // online store's own: Lettuce's per-command expiry is off.
        assertThat(client.options().getTimeoutOptions().isTimeoutCommands()).isFalse();
        Process busy = new ProcessBuilder("redis-cli", "-p", Integer.toString(port), "DEBUG", "SLEEP", "3")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        Thread.sleep(300); // not a poll: the time for DEBUG SLEEP to reach Redis, which then answers nothing
        long asked = System.nanoTime();
        assertThat(store.readAsync(lookup)).failsWithin(Duration.ofSeconds(5))
                .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .withCauseInstanceOf(CairnException.class)
                .withMessageContaining("no reply within 2000 ms");
        assertThat(Duration.ofNanos(System.nanoTime() - asked)).isBetween(Duration.ofMillis(1900),
                Duration.ofMillis(2900));
        busy.waitFor();
        assertThat(store.read(lookup).get(0).values()).containsExactly("=0.5");

        redis.destroy();
        redis.waitFor();
        long start = System.nanoTime();
        assertThatThrownBy(() -> store.read(lookup))
                .isInstanceOfSatisfying(CairnException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.TEMPORARILY_UNAVAILABLE);
                    assertThat(e.getMessage()).contains("Redis at 127.0.0.1:" + port).contains("Retry shortly");
                });
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
        // The feature server's non-blocking read fails the same way, without waiting for a timeout.
        assertThat(store.readAsync(lookup)).failsWithin(Duration.ofSeconds(3))
                .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .withCauseInstanceOf(CairnException.class)
                .withMessageContaining("Redis at 127.0.0.1:" + port);

        redis = start(server, port);
        // Unavailable until the client has reconnected by itself; any other failure ends the test at once.
        long written = await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100))
                .ignoreException(CairnException.class)
                .until(() -> store.write(view, List.of(new OnlineRow(List.of(1L), 20, new Object[] {0.75}))),
                        w -> w != null);
        assertThat(written).isEqualTo(1);
        assertThat(store.read(lookup).get(0).values()).containsExactly("=0.75");
        // One timing per successful read's round trip; failed and timed-out reads are not timed.
        assertThat(meters.get("cairn.online.store.read").timer().count()).isEqualTo(3);
    }

    private static String findRedisServer() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
            File f = new File(dir, "redis-server");
            if (f.canExecute()) {
                return f.getPath();
            }
        }
        return null;
    }

    private static Process start(String server, int port) throws Exception {
        Process p = new ProcessBuilder(server, "--port", Integer.toString(port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no", "--enable-debug-command", "local").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            await().alias("redis-server listens on port " + port).atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(50)).ignoreException(java.io.IOException.class).until(() -> {
                        try (Socket s = new Socket("127.0.0.1", port)) {
                            return true;
                        }
                    });
        } catch (RuntimeException e) {
            p.destroyForcibly();
            throw e;
        }
        return p;
    }
}
