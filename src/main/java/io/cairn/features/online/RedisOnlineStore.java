package io.cairn.features.online;

import io.cairn.features.FeatureView;
import io.cairn.features.JoinKey;
import io.cairn.features.ValueType;
import io.cairn.platform.error.CairnException;
import io.cairn.platform.error.ErrorCode;
import io.lettuce.core.KeyValue;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.stereotype.Component;

/**
 * The online store in Redis: one hash per (feature view, entity key), key {@code cairn:fs:<view online key>:<entity
 * key>}, with a field per feature and {@code _ts}, the event time in microseconds of the row it holds. Values are
 * text: {@code =} followed by the value, or the empty string for null, so null and the empty string differ.
 *
 * <p>Reads are one pipelined batch of HMGETs (one per entity and view), awaited together: one round trip whatever the
 * number of entities and features. Writes go through a Lua script that keeps a row only if its event time is not
 * older than the stored one, so an older event never overwrites a newer one, whichever arrives last. Scripts touch
 * several keys, so this layout is for a standalone Redis (or one hash slot), not Redis Cluster.
 */
@Component
public class RedisOnlineStore {

    static final String TS_FIELD = "_ts";

    /** KEYS: hashes; ARGV: n, n field names, then per key its event time and n values. Returns rows written. */
    private static final String WRITE_SCRIPT = """
            local n = tonumber(ARGV[1])
            local written = 0
            for i = 1, #KEYS do
              local base = 1 + n + (i - 1) * (n + 1)
              local ts = ARGV[base + 1]
              local current = redis.call('HGET', KEYS[i], '_ts')
              if (not current) or tonumber(current) <= tonumber(ts) then
                local args = {'_ts', ts}
                for j = 1, n do
                  args[2 * j + 1] = ARGV[1 + j]
                  args[2 * j + 2] = ARGV[base + 1 + j]
                end
                redis.call('HSET', KEYS[i], unpack(args))
                written = written + 1
              end
            end
            return written
            """;

    private final LettuceConnectionFactory factory;
    private final OnlineStoreProperties properties;
    private final Timer readTimer;
    private final byte[] writeScript = WRITE_SCRIPT.getBytes(StandardCharsets.UTF_8);
    private volatile String writeSha;

    public RedisOnlineStore(LettuceConnectionFactory factory, OnlineStoreProperties properties,
                            MeterRegistry meters) {
        this.factory = factory;
        this.properties = properties;
        this.readTimer = Timer.builder("cairn.online.store.read")
                .description("One online read's pipelined round trip to Redis (all its HMGETs), replies decoded")
                .publishPercentileHistogram()
                .register(meters);
    }

    /** One row for the online store: join-key values in the view's key order, event time, values per feature. */
    public record OnlineRow(List<Object> keys, long eventMicros, Object[] values) {
    }

    /** What one HMGET returned: the stored event time (null when the entity has no row) and the raw field values. */
    public record Stored(Long eventMicros, List<String> values) {
    }

    // ---- keys and values ---------------------------------------------------------------------------------------

    /** The hash of one entity in one view. Numbers as decimal text, strings length-prefixed so keys never collide. */
    static String key(FeatureView view, List<Object> keyValues) {
        StringBuilder key = new StringBuilder(48).append("cairn:fs:").append(view.onlineKey()).append(':');
        List<JoinKey> joinKeys = view.join_keys();
        for (int i = 0; i < keyValues.size(); i++) {
            if (i > 0) {
                key.append('|');
            }
            Object v = keyValues.get(i);
            if (joinKeys.get(i).type() == ValueType.STRING) {
                String s = (String) v;
                key.append('s').append(s.length()).append(':').append(s);
            } else {
                key.append(((Number) v).longValue());
            }
        }
        return key.toString();
    }

    static String encode(Object value) {
        return value == null ? "" : "=" + value;
    }

    /** The stored text back as a typed value; null for a stored null. */
    static Object decode(ValueType type, String stored) {
        if (stored == null || stored.isEmpty()) {
            return null;
        }
        String text = stored.substring(1);
        return switch (type) {
            case INT64 -> Long.parseLong(text);
            case INT32 -> Integer.parseInt(text);
            case FLOAT64 -> Double.parseDouble(text);
            case FLOAT32 -> Float.parseFloat(text);
            case BOOL -> Boolean.parseBoolean(text);
            case STRING -> text;
        };
    }

    // ---- reads -------------------------------------------------------------------------------------------------

    /** One hash to read: its key and the feature fields wanted. */
    public record Lookup(String key, List<String> fields) {
    }

    /**
     * HMGET {@code _ts} and the wanted fields of every hash, pipelined: all commands are sent before any reply is
     * awaited, so N entities in M views cost one round trip. Results are in the order of the lookups.
     */
    public List<Stored> read(List<Lookup> lookups) {
        if (lookups.isEmpty()) {
            return List.of();
        }
        Map<List<String>, byte[][]> fieldBytes = new HashMap<>();
        long start = System.nanoTime();
        List<Stored> stored = withRedis(redis -> {
            List<RedisFuture<List<KeyValue<byte[], byte[]>>>> futures = new ArrayList<>(lookups.size());
            for (Lookup lookup : lookups) {
                byte[][] fields = fieldBytes.computeIfAbsent(lookup.fields(), f -> {
                    byte[][] b = new byte[f.size() + 1][];
                    b[0] = bytes(TS_FIELD);
                    for (int i = 0; i < f.size(); i++) {
                        b[i + 1] = bytes(f.get(i));
                    }
                    return b;
                });
                futures.add(redis.hmget(bytes(lookup.key()), fields));
            }
            await(futures);
            List<Stored> out = new ArrayList<>(lookups.size());
            for (RedisFuture<List<KeyValue<byte[], byte[]>>> f : futures) {
                List<KeyValue<byte[], byte[]>> kv = f.get();
                String ts = text(kv.get(0));
                List<String> values = new ArrayList<>(kv.size() - 1);
                for (int i = 1; i < kv.size(); i++) {
                    values.add(text(kv.get(i)));
                }
                out.add(new Stored(ts == null ? null : Long.parseLong(ts), values));
            }
            return out;
        });
        readTimer.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        return stored;
    }

    // ---- writes ------------------------------------------------------------------------------------------------

    /**
     * Writes rows of one view where they are not older than what Redis holds; returns how many were written. Rows go
     * in script calls of {@code batch-size} entities, several in flight at once.
     */
    public long write(FeatureView view, List<OnlineRow> rows) {
        if (rows.isEmpty()) {
            return 0;
        }
        int n = view.features().size();
        int batch = Math.max(1, properties.writeBatchSize());
        return withRedis(redis -> {
            String sha = scriptSha(redis);
            List<RedisFuture<Long>> futures = new ArrayList<>();
            long written = 0;
            for (int from = 0; from < rows.size(); from += batch) {
                List<OnlineRow> chunk = rows.subList(from, Math.min(rows.size(), from + batch));
                byte[][] keys = new byte[chunk.size()][];
                byte[][] args = new byte[1 + n + chunk.size() * (n + 1)][];
                args[0] = bytes(Integer.toString(n));
                for (int j = 0; j < n; j++) {
                    args[1 + j] = bytes(view.features().get(j).name());
                }
                int a = 1 + n;
                for (int i = 0; i < chunk.size(); i++) {
                    OnlineRow row = chunk.get(i);
                    keys[i] = bytes(key(view, row.keys()));
                    args[a++] = bytes(Long.toString(row.eventMicros()));
                    for (int j = 0; j < n; j++) {
                        args[a++] = bytes(encode(row.values()[j]));
                    }
                }
                futures.add(redis.evalsha(sha, ScriptOutputType.INTEGER, keys, args));
                if (futures.size() >= properties.writesInFlight()) {
                    written += sum(futures);
                    futures.clear();
                }
            }
            return written + sum(futures);
        });
    }

    /** Removes every key of a view (after it was deleted); SCAN-based, so Redis is never blocked for long. */
    public long deleteView(String onlineKey) {
        return withRedis(redis -> {
            long deleted = 0;
            ScanArgs match = ScanArgs.Builder.matches("cairn:fs:" + onlineKey + ":*").limit(1000);
            ScanCursor cursor = ScanCursor.INITIAL;
            do {
                var page = redis.scan(cursor, match).get(timeout().toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
                if (!page.getKeys().isEmpty()) {
                    deleted += redis.unlink(page.getKeys().toArray(byte[][]::new))
                            .get(timeout().toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
                }
                cursor = page;
            } while (!cursor.isFinished());
            return deleted;
        });
    }

    private long sum(List<RedisFuture<Long>> futures)
            throws ExecutionException, InterruptedException, TimeoutException {
        await(futures);
        long total = 0;
        for (RedisFuture<Long> f : futures) {
            total += f.get();
        }
        return total;
    }

    private String scriptSha(RedisClusterAsyncCommands<byte[], byte[]> redis) throws Exception {
        String sha = writeSha;
        if (sha == null) {
            sha = redis.scriptLoad(writeScript).get(timeout().toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            writeSha = sha;
        }
        return sha;
    }

    // ---- plumbing ----------------------------------------------------------------------------------------------

    private interface RedisWork<T> {
        T run(RedisClusterAsyncCommands<byte[], byte[]> redis) throws Exception;
    }

    /**
     * Runs work on the shared Lettuce connection; every Redis failure (down, refused, timed out) becomes a 503 with a
     * message saying which Redis. A script missing after a Redis restart is loaded again and the work retried once.
     */
    private <T> T withRedis(RedisWork<T> work) {
        for (int attempt = 0; ; attempt++) {
            try (RedisConnection connection = factory.getConnection()) {
                @SuppressWarnings("unchecked")
                RedisClusterAsyncCommands<byte[], byte[]> redis =
                        (RedisClusterAsyncCommands<byte[], byte[]>) connection.getNativeConnection();
                return work.run(redis);
            } catch (CairnException e) {
                throw e;
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
                if (attempt == 0 && cause.getMessage() != null && cause.getMessage().startsWith("NOSCRIPT")) {
                    writeSha = null; // Redis restarted and lost its scripts: load again and retry once.
                    continue;
                }
                throw unavailable(cause);
            }
        }
    }

    private <T> void await(List<? extends RedisFuture<T>> futures) throws TimeoutException {
        if (!LettuceFutures.awaitAll(timeout(), futures.toArray(new RedisFuture<?>[0]))) {
            throw new TimeoutException("no reply within " + timeout().toMillis() + " ms");
        }
    }

    private Duration timeout() {
        return properties.timeout();
    }

    private CairnException unavailable(Throwable cause) {
        String where = factory.getStandaloneConfiguration().getHostName() + ":"
                + factory.getStandaloneConfiguration().getPort();
        String reason = cause.getMessage() == null ? cause.getClass().getSimpleName()
                : cause.getMessage().replaceAll("\\.+$", "");
        return new CairnException(ErrorCode.TEMPORARILY_UNAVAILABLE, "The online store (Redis at " + where
                + ") is unavailable: " + reason + ". Retry shortly; Cairn reconnects by itself.");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(KeyValue<byte[], byte[]> kv) {
        return kv.hasValue() ? new String(kv.getValue(), StandardCharsets.UTF_8) : null;
    }
}
