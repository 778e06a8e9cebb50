package io.cairn.features.online;

import io.cairn.features.FeatureView;
import io.cairn.features.JoinKey;
import io.cairn.features.ValueType;
import io.cairn.platform.error.CairnException;
import io.cairn.platform.error.ErrorCode;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.output.ValueListOutput;
import io.lettuce.core.protocol.AsyncCommand;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.netty.buffer.ByteBuf;
import io.netty.util.HashedWheelTimer;
import io.netty.util.Timeout;
import io.netty.util.concurrent.DefaultThreadFactory;
import jakarta.annotation.PreDestroy;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.stereotype.Component;

/**
 * The online store in Redis: one hash per (feature view, entity key), key {@code cairn:fs:<view online key>:<entity
 * key>}, with a field per feature and {@code _ts}, the event time in microseconds of the row it holds. Values are
 * text: {@code =} followed by the value, or the empty string for null, so null and the empty string differ.
 *
 * <p>Reads are one pipelined batch of HMGETs (one per entity and view), written and flushed together: one round trip
 * whatever the number of entities and features. Writes go through a Lua script that keeps a row only if its event
 * time is not older than the stored one, so an older event never overwrites a newer one, whichever arrives last.
 * Scripts touch several keys, so this layout is for a standalone Redis (or one hash slot), not Redis Cluster.
 */
@Component
public class RedisOnlineStore {

    static final String TS_FIELD = "_ts";

    /**
     * KEYS: hashes; ARGV: n, n field names, then per key its event time and n values. Returns the rows that changed
     * what Redis holds: a newer event, or the same event time with other values (a correction ingested with a later
     * created_timestamp). The same row again (re-materializing a window, a repeated push) is neither written nor
     * counted; comparing costs one HMGET, and only for rows whose event time equals the stored one.
     */
    private static final String WRITE_SCRIPT = """
            local n = tonumber(ARGV[1])
            local names = {}
            for j = 1, n do
              names[j] = ARGV[1 + j]
            end
            local written = 0
            for i = 1, #KEYS do
              local base = 1 + n + (i - 1) * (n + 1)
              local ts = ARGV[base + 1]
              local current = redis.call('HGET', KEYS[i], '_ts')
              local write = (not current) or tonumber(current) < tonumber(ts)
              if (not write) and tonumber(current) == tonumber(ts) and n > 0 then
                local stored = redis.call('HMGET', KEYS[i], unpack(names))
                for j = 1, n do
                  if stored[j] ~= ARGV[base + 1 + j] then
                    write = true
                    break
                  end
                end
              end
              if write then
                local args = {'_ts', ts}
                for j = 1, n do
                  args[2 * j + 1] = names[j]
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
    private volatile StatefulConnection<byte[], byte[]> shared;
    private final HashedWheelTimer timeouts = new HashedWheelTimer(
            new DefaultThreadFactory("cairn-online-read-timeouts", true), 10, TimeUnit.MILLISECONDS);

    public RedisOnlineStore(OnlineRedis redis, OnlineStoreProperties properties, MeterRegistry meters) {
        this.factory = redis.factory();
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

    /**
     * How many of these entities have a hash of the view online: one EXISTS over all their keys, one round trip
     * (the features page estimates online coverage from a sample of entities this way).
     */
    public long countPresent(FeatureView view, List<List<Object>> keyValues) {
        if (keyValues.isEmpty()) {
            return 0;
        }
        byte[][] keys = new byte[keyValues.size()][];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = key(view, keyValues.get(i)).getBytes(StandardCharsets.UTF_8);
        }
        try (var connection = factory.getConnection()) {
            Long present = connection.keyCommands().exists(keys);
            return present == null ? 0 : present;
        }
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
        try {
            return readAsync(lookups).get(timeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof CairnException c ? c : unavailable(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable(e);
        } catch (TimeoutException e) {
            throw unavailable(new TimeoutException("no reply within " + timeout().toMillis() + " ms"));
        }
    }

    /**
     * {@link #read} without blocking: the HMGETs leave in one write and one flush ({@code dispatch} of the whole
     * batch, where Lettuce's per-command API would queue and flush each command on its own), and the future completes
     * on Lettuce's I/O thread once the last reply is in. It fails with a 503 {@link CairnException} when Redis is
     * down or does not answer within the configured timeout.
     */
    public CompletableFuture<List<Stored>> readAsync(List<Lookup> lookups) {
        if (lookups.isEmpty()) {
            return CompletableFuture.completedFuture(List.of());
        }
        long start = System.nanoTime();
        Map<List<String>, byte[]> encodedFields = new HashMap<>();
        List<AsyncCommand<byte[], byte[], List<byte[]>>> commands = new ArrayList<>(lookups.size());
        for (Lookup lookup : lookups) {
            byte[] fields = encodedFields.computeIfAbsent(lookup.fields(), RedisOnlineStore::encodeFields);
            commands.add(new AsyncCommand<>(new Command<>(CommandType.HMGET,
                    new ValueListOutput<>(ByteArrayCodec.INSTANCE),
                    new HmgetArgs(bytes(lookup.key()), fields, lookup.fields().size() + 1))));
        }
        CompletableFuture<List<Stored>> result = new CompletableFuture<>();
        AtomicInteger remaining = new AtomicInteger(commands.size());
        for (AsyncCommand<byte[], byte[], List<byte[]>> command : commands) {
            command.whenComplete((reply, error) -> {
                if (error != null) {
                    result.completeExceptionally(error instanceof CairnException ? error : unavailable(error));
                } else if (remaining.decrementAndGet() == 0) {
                    List<Stored> stored = decode(commands);
                    readTimer.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
                    result.complete(stored);
                }
            });
        }
        try {
            sharedConnection().dispatch(commands);
        } catch (RuntimeException e) {
            result.completeExceptionally(unavailable(e));
            return result;
        }
        long timeoutMillis = timeout().toMillis();
        // A wheel timer, not CompletableFuture.orTimeout: orTimeout queues every read on a scheduler thread that it
        // wakes up, a cross-thread hand-off per read; the wheel's thread only ticks. It is the read's only timeout
        // (Lettuce's per-command expiry is off, see OnlineRedis), so it also fails the commands: a reply that
        // arrives later is then dropped by Lettuce instead of completing a read nobody waits for.
        Timeout timer = timeouts.newTimeout(t -> {
            CairnException timedOut = unavailable(new TimeoutException("no reply within " + timeoutMillis + " ms"));
            result.completeExceptionally(timedOut);
            commands.forEach(command -> command.completeExceptionally(timedOut));
        }, timeoutMillis, TimeUnit.MILLISECONDS);
        result.whenComplete((stored, error) -> timer.cancel());
        return result;
    }

    @PreDestroy
    void stopTimer() {
        timeouts.stop();
    }

    /** {@code _ts} and the fields as RESP bulk strings, ready to be copied after each HMGET's key. */
    private static byte[] encodeFields(List<String> fields) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 * (fields.size() + 1));
        bulk(out, bytes(TS_FIELD));
        for (String f : fields) {
            bulk(out, bytes(f));
        }
        return out.toByteArray();
    }

    private static void bulk(ByteArrayOutputStream out, byte[] value) {
        out.writeBytes(("$" + value.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(value);
        out.write('\r');
        out.write('\n');
    }

    /**
     * HMGET's arguments with the field names encoded once per read instead of once per command: a 100-entity read
     * repeats the same eleven fields a hundred times, and Lettuce's per-argument encoding of them was the largest
     * part of writing the commands. The key is also added the usual way, so Lettuce sees it where it looks for keys.
     */
    private static final class HmgetArgs extends CommandArgs<byte[], byte[]> {

        private final byte[] key;
        private final byte[] encodedFields;
        private final int fieldCount;

        HmgetArgs(byte[] key, byte[] encodedFields, int fieldCount) {
            super(ByteArrayCodec.INSTANCE);
            this.key = key;
            this.encodedFields = encodedFields;
            this.fieldCount = fieldCount;
            addKey(key);
        }

        @Override
        public int count() {
            return 1 + fieldCount;
        }

        @Override
        public void encode(ByteBuf buf) {
            buf.writeByte('$');
            buf.writeCharSequence(Integer.toString(key.length), StandardCharsets.US_ASCII);
            buf.writeShort(CRLF);
            buf.writeBytes(key);
            buf.writeShort(CRLF);
            buf.writeBytes(encodedFields);
        }

        private static final int CRLF = ('\r' << 8) | '\n';
    }

    /**
     * The factory's shared native connection, kept between reads: asking the factory for it on every read cost a
     * wrapper object and an exception-translation lookup per request. Lettuce reconnects it in place; should it ever
     * be closed (the factory reset), the next read asks the factory again.
     */
    @SuppressWarnings("unchecked")
    private StatefulConnection<byte[], byte[]> sharedConnection() {
        StatefulConnection<byte[], byte[]> c = shared;
        if (c == null || !c.isOpen()) {
            try (RedisConnection connection = factory.getConnection()) {
                if (!(connection.getNativeConnection() instanceof RedisAsyncCommands<?, ?> redis)) {
                    throw new IllegalStateException("the online store needs a standalone Redis connection");
                }
                c = (StatefulConnection<byte[], byte[]>) redis.getStatefulConnection();
            }
            shared = c;
        }
        return c;
    }

    private static List<Stored> decode(List<AsyncCommand<byte[], byte[], List<byte[]>>> commands) {
        List<Stored> out = new ArrayList<>(commands.size());
        for (AsyncCommand<byte[], byte[], List<byte[]>> command : commands) {
            List<byte[]> reply = command.join();
            String ts = text(reply.get(0));
            List<String> values = new ArrayList<>(reply.size() - 1);
            for (int i = 1; i < reply.size(); i++) {
                values.add(text(reply.get(i)));
            }
            out.add(new Stored(ts == null ? null : Long.parseLong(ts), values));
        }
        return out;
    }

    // ---- writes ------------------------------------------------------------------------------------------------

    /**
     * Writes rows of one view where they are newer than what Redis holds or change its values; returns how many
     * changed. Rows go in script calls of {@code batch-size} entities, several in flight at once.
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

    private static String text(byte[] value) {
        return value == null ? null : new String(value, StandardCharsets.UTF_8);
    }
}
