import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

/**
 * Artifact proxy throughput (issue #3). Single file; launched by bench/artifacts.sh with the source launcher and the
 * project's test classpath (for the AWS SDK):
 *
 * <pre>java -cp &lt;test classpath&gt; bench/ArtifactsBench.java</pre>
 *
 * For each size (default 64 and 256 MiB), REPEATS rounds of four timed transfers against the same S3Proxy:
 * <ol>
 *   <li>direct upload: the AWS SDK's PutObject (known length, streamed from a generator) straight to S3Proxy;</li>
 *   <li>proxy upload: HTTP PUT of the same bytes to the server's /api/2.0/mlflow-artifacts/artifacts/..., which
 *       streams them to S3Proxy with the same SDK and settings;</li>
 *   <li>direct download: GetObject, drained;</li>
 *   <li>proxy download: HTTP GET through the server, drained.</li>
 * </ol>
 * The order alternates between rounds so drift on a shared machine hits both paths. Timed transfers only count bytes;
 * an untimed pass per size checks SHA-256 of both downloads against the generated content. Reported: median MiB/s per
 * path and the proxy/direct ratio. Configuration comes from environment variables (see {@link Config}); any failure
 * exits non-zero.
 */
public class ArtifactsBench {

    record Config(String baseUrl, URI s3Endpoint, String bucket, String accessKey, String secretKey, String region,
                  List<Integer> sizesMiB, int repeats, int warmups, int timeoutS) {

        static Config fromEnv() {
            List<Integer> sizes = new ArrayList<>();
            for (String s : env("SIZES_MB", "64,256").split(",")) {
                sizes.add(Integer.parseInt(s.trim()));
            }
            return new Config(
                    env("BASE_URL", "http://127.0.0.1:5078"),
                    URI.create(env("S3_ENDPOINT", "http://127.0.0.1:18078")),
                    env("S3_BUCKET", "cairn-bench"),
                    env("AWS_ACCESS_KEY_ID", "bench-access-key"),
                    env("AWS_SECRET_ACCESS_KEY", "bench-secret-key"),
                    env("AWS_REGION", "us-east-1"),
                    sizes,
                    intEnv("REPEATS", 5),
                    intEnv("WARMUPS", 2),
                    intEnv("REQUEST_TIMEOUT_S", 600));
        }

        private static String env(String name, String def) {
            String v = System.getenv(name);
            return v == null || v.isBlank() ? def : v.trim();
        }

        private static int intEnv(String name, int def) {
            String v = env(name, Integer.toString(def));
            try {
                return Integer.parseInt(v);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(name + " must be an integer, got '" + v + "'");
            }
        }
    }

    private static final long MIB = 1024L * 1024;
    /** Key prefix the proxy writes under: the server's root is s3://bucket/proxy, so its path p is key proxy/p. */
    private static final String DIRECT_PREFIX = "direct/";

    private final Config cfg;
    private final S3Client s3;
    private final List<String> summary = new ArrayList<>();

    ArtifactsBench(Config cfg) {
        this.cfg = cfg;
        this.s3 = S3Client.builder()
                .endpointOverride(cfg.s3Endpoint())
                .forcePathStyle(true)
                .region(Region.of(cfg.region()))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(cfg.accessKey(), cfg.secretKey())))
                .build();
    }

    public static void main(String[] args) {
        Config cfg = Config.fromEnv();
        try {
            new ArtifactsBench(cfg).run();
        } catch (Throwable t) {
            System.out.flush();
            System.err.println();
            System.err.println("BENCH FAILED: " + t);
            t.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }

    void run() throws Exception {
        System.out.printf(Locale.ROOT, "ArtifactsBench: server %s, S3 %s bucket %s%n", cfg.baseUrl(), cfg.s3Endpoint(),
                cfg.bucket());
        System.out.printf(Locale.ROOT, "  %s%n", cfg);
        System.out.printf(Locale.ROOT, "  client JVM %s, %d processors%n", System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors());
        for (int size : cfg.sizesMiB()) {
            measure(size * MIB);
        }
        System.out.println();
        System.out.println("==================== SUMMARY (markdown) ====================");
        System.out.println("| size | transfer | direct SDK ↔ S3Proxy (median) | through the proxy (median) | proxy / direct |");
        System.out.println("|---|---|---|---|---|");
        summary.forEach(System.out::println);
        System.out.println("=============================================================");
    }

    void measure(long size) throws Exception {
        String name = (size / MIB) + "MiB.bin";
        String proxyUrl = cfg.baseUrl() + "/api/2.0/mlflow-artifacts/artifacts/bench/" + name;
        String directKey = DIRECT_PREFIX + name;
        long seed = size;
        System.out.printf(Locale.ROOT, "%n[%d MiB] %d warm-up + %d measured rounds%n", size / MIB, cfg.warmups(),
                cfg.repeats());

        // Correctness first (untimed): both paths store and return exactly the generated bytes.
        directUpload(directKey, seed, size);
        proxyUpload(proxyUrl, seed, size);
        String expected = sha256(new Pattern(seed, size));
        check("direct", directDownload(directKey, true), size, expected);
        check("proxy", proxyDownload(proxyUrl, true), size, expected);
        System.out.println("  verified: both downloads match the generated SHA-256 " + expected.substring(0, 16) + "...");

        double[] upDirect = new double[cfg.repeats()];
        double[] upProxy = new double[cfg.repeats()];
        double[] downDirect = new double[cfg.repeats()];
        double[] downProxy = new double[cfg.repeats()];
        for (int round = -cfg.warmups(); round < cfg.repeats(); round++) {
            boolean directFirst = Math.floorMod(round, 2) == 0;
            double ud;
            double up;
            if (directFirst) {
                ud = rate(size, () -> directUpload(directKey, seed, size));
                up = rate(size, () -> proxyUpload(proxyUrl, seed, size));
            } else {
                up = rate(size, () -> proxyUpload(proxyUrl, seed, size));
                ud = rate(size, () -> directUpload(directKey, seed, size));
            }
            double dd;
            double dp;
            if (directFirst) {
                dd = rate(size, () -> check("direct", directDownload(directKey, false), size, null));
                dp = rate(size, () -> check("proxy", proxyDownload(proxyUrl, false), size, null));
            } else {
                dp = rate(size, () -> check("proxy", proxyDownload(proxyUrl, false), size, null));
                dd = rate(size, () -> check("direct", directDownload(directKey, false), size, null));
            }
            System.out.printf(Locale.ROOT, "  %s %2d: upload direct %7.1f proxy %7.1f MiB/s | download direct %7.1f "
                    + "proxy %7.1f MiB/s%n", round < 0 ? "warm-up" : "round  ", round < 0 ? round + cfg.warmups() + 1 : round + 1,
                    ud, up, dd, dp);
            if (round >= 0) {
                upDirect[round] = ud;
                upProxy[round] = up;
                downDirect[round] = dd;
                downProxy[round] = dp;
            }
        }
        report(size, "upload (PUT)", upDirect, upProxy);
        report(size, "download (GET)", downDirect, downProxy);
    }

    private void report(long size, String what, double[] direct, double[] proxy) {
        double d = median(direct);
        double p = median(proxy);
        System.out.printf(Locale.ROOT, "  %s: direct median %.1f MiB/s (min %.1f, max %.1f), proxy median %.1f MiB/s "
                        + "(min %.1f, max %.1f), proxy/direct %.1f%%%n", what, d, min(direct), max(direct), p, min(proxy),
                max(proxy), 100 * p / d);
        summary.add(String.format(Locale.ROOT, "| %d MiB | %s | %.1f MiB/s | %.1f MiB/s | %.1f %% |", size / MIB, what,
                d, p, 100 * p / d));
    }

    // ---- the four transfers ------------------------------------------------------------------------------------

    void directUpload(String key, long seed, long size) {
        s3.putObject(b -> b.bucket(cfg.bucket()).key(key).contentType("application/octet-stream").contentLength(size),
                RequestBody.fromContentProvider(() -> new Pattern(seed, size), size, "application/octet-stream"));
    }

    void proxyUpload(String url, long seed, long size) throws Exception {
        HttpURLConnection connection = open(url);
        connection.setRequestMethod("PUT");
        connection.setDoOutput(true);
        connection.setFixedLengthStreamingMode(size); // streams with Content-Length, nothing buffered
        connection.setRequestProperty("Content-Type", "application/octet-stream");
        try (OutputStream out = connection.getOutputStream(); InputStream in = new Pattern(seed, size)) {
            in.transferTo(out);
        }
        int status = connection.getResponseCode();
        try (InputStream body = status < 400 ? connection.getInputStream() : connection.getErrorStream()) {
            String answer = body == null ? "" : new String(body.readAllBytes(), StandardCharsets.UTF_8);
            if (status != 200) {
                throw new IllegalStateException("PUT " + url + " answered HTTP " + status + ": " + answer);
            }
        }
    }

    Drained directDownload(String key, boolean hash) throws IOException {
        try (ResponseInputStream<GetObjectResponse> in = s3.getObject(b -> b.bucket(cfg.bucket()).key(key))) {
            return drain(in, hash);
        }
    }

    Drained proxyDownload(String url, boolean hash) throws Exception {
        HttpURLConnection connection = open(url);
        int status = connection.getResponseCode();
        if (status != 200) {
            try (InputStream error = connection.getErrorStream()) {
                throw new IllegalStateException("GET " + url + " answered HTTP " + status + ": "
                        + (error == null ? "" : new String(error.readNBytes(500), StandardCharsets.UTF_8)));
            }
        }
        try (InputStream in = connection.getInputStream()) {
            return drain(in, hash);
        }
    }

    /**
     * A blocking JDK connection for the proxy side: the direct side uses the SDK's blocking Apache client, so both
     * sides read and write sockets the same way and the comparison is about the server, not about client plumbing.
     */
    private HttpURLConnection open(String url) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) URI.create(url).toURL().openConnection();
        connection.setConnectTimeout(10_000);
        connection.setReadTimeout(cfg.timeoutS() * 1000);
        return connection;
    }

    // ---- helpers -----------------------------------------------------------------------------------------------

    interface Transfer {
        void run() throws Exception;
    }

    record Drained(long bytes, String sha256) {
    }

    private static double rate(long size, Transfer transfer) throws Exception {
        long start = System.nanoTime();
        transfer.run();
        double seconds = (System.nanoTime() - start) / 1e9;
        return size / (double) MIB / seconds;
    }

    private static Object check(String path, Drained drained, long size, String sha256) {
        if (drained.bytes() != size) {
            throw new IllegalStateException(path + " download returned " + drained.bytes() + " bytes, expected " + size);
        }
        if (sha256 != null && !sha256.equals(drained.sha256())) {
            throw new IllegalStateException(path + " download has SHA-256 " + drained.sha256() + ", expected " + sha256);
        }
        return drained;
    }

    private static Drained drain(InputStream in, boolean hash) throws IOException {
        MessageDigest digest = hash ? sha() : null;
        byte[] buffer = new byte[256 * 1024];
        long total = 0;
        int n;
        while ((n = in.read(buffer)) >= 0) {
            if (digest != null) {
                digest.update(buffer, 0, n);
            }
            total += n;
        }
        return new Drained(total, digest == null ? null : HexFormat.of().formatHex(digest.digest()));
    }

    private static String sha256(InputStream in) throws IOException {
        return drain(in, true).sha256();
    }

    private static MessageDigest sha() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static double min(double[] values) {
        return Arrays.stream(values).min().orElse(0);
    }

    private static double max(double[] values) {
        return Arrays.stream(values).max().orElse(0);
    }

    /**
     * {@code size} bytes of incompressible content made almost for free: a 1 MiB random block, repeated, each copy
     * stamped with its block number so no two MiB are equal. Costs a memory copy per byte on the client, the same for
     * both paths, so the comparison measures the transfer, not the generator.
     */
    static final class Pattern extends InputStream {
        private static final int BLOCK = 1024 * 1024;
        private final byte[] block = new byte[BLOCK];
        private final long size;
        private long position;

        Pattern(long seed, long size) {
            new Random(seed).nextBytes(block);
            this.size = size;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (position >= size) {
                return -1;
            }
            int inBlock = (int) (position % BLOCK);
            int n = (int) Math.min(Math.min(len, size - position), BLOCK - inBlock);
            System.arraycopy(block, inBlock, b, off, n);
            long blockNumber = position / BLOCK;
            for (int i = 0; i < 8 && inBlock + i < 8 && i < n; i++) {
                b[off + i] ^= (byte) (blockNumber >>> (8 * (inBlock + i)));
            }
            position += n;
            return n;
        }
    }
}
