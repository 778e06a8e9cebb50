import de.siegmar.fastcsv.reader.AbstractBaseCsvCallbackHandler;
import io.cairn.platform.text.CsvReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.apache.commons.csv.QuoteMode;

/**
 * CSV parsing as the ingestion path does it (bench/csv.sh runs this): a UTF-8 request body read through an
 * InputStreamReader into one String[] per record, an empty unquoted cell as null and {@code ""} as the empty string,
 * by Cairn's CsvReader (FastCSV with Cairn's checks), bare FastCSV, Apache Commons CSV and, when bench/csv.sh found
 * it in git, the hand-written parser CsvReader used to be, over the same generated feature rows. Rounds alternate the
 * order of the readers; each round checks that all three produced the same records (a checksum over every field).
 *
 * <p>Parameters: ROWS (1,000,000), ROUNDS (7), WARMUP_ROUNDS (2).
 */
public class CsvBench {

    interface Parser {
        /** Parses the whole body; returns a checksum of every record's fields. */
        long parse(byte[] body) throws Exception;
    }

    public static void main(String[] args) throws Exception {
        int rows = Integer.parseInt(env("ROWS", "1000000"));
        int rounds = Integer.parseInt(env("ROUNDS", "7"));
        int warmup = Integer.parseInt(env("WARMUP_ROUNDS", "2"));
        byte[] body = generate(rows);
        System.out.printf(Locale.ROOT, "body: %,d rows, %.1f MB (header + driver_id,event_timestamp,conv_rate,"
                + "acc_rate,trips,city; 5%% empty cells, 2%% quoted with a comma, 1%% \"\")%n", rows, body.length / 1e6);

        List<String> names = new ArrayList<>(List.of("cairn CsvReader", "FastCSV 4.0.0", "Commons CSV 1.14.1"));
        List<Parser> parsers = new ArrayList<>(List.of(CsvBench::cairn, CsvBench::fastCsv, CsvBench::commonsCsv));
        if ("1".equals(env("HANDWRITTEN", "0"))) {
            // The hand-written parser CsvReader was before it moved onto FastCSV (bench/csv.sh compiles it from git).
            names.add("hand-written (old)");
            parsers.add(CsvBench::handWritten);
        }
        List<List<Double>> seconds = new ArrayList<>();
        names.forEach(n -> seconds.add(new ArrayList<>()));
        for (int round = 0; round < warmup + rounds; round++) {
            long expected = 0;
            for (int k = 0; k < parsers.size(); k++) {
                int p = (k + round) % parsers.size();
                long start = System.nanoTime();
                long sum = parsers.get(p).parse(body);
                double s = (System.nanoTime() - start) / 1e9;
                if (k == 0) {
                    expected = sum;
                } else if (sum != expected) {
                    throw new IllegalStateException(names.get(p) + " read other records (checksum " + sum + " vs "
                            + expected + ")");
                }
                if (round >= warmup) {
                    seconds.get(p).add(s);
                }
            }
        }
        System.out.printf(Locale.ROOT, "%d rounds after %d warm-up rounds; median (min-max) seconds, MB/s and rows/s "
                + "at the median:%n", rounds, warmup);
        double base = median(seconds.get(0));
        for (int p = 0; p < parsers.size(); p++) {
            List<Double> s = seconds.get(p);
            double m = median(s);
            System.out.printf(Locale.ROOT, "  %-20s %.3f s (%.3f-%.3f)  %6.1f MB/s  %,10.0f rows/s  %.2fx CsvReader%n",
                    names.get(p), m, s.stream().mapToDouble(d -> d).min().orElse(0),
                    s.stream().mapToDouble(d -> d).max().orElse(0), body.length / 1e6 / m, rows / m, m / base);
        }
    }

    private static Reader reader(byte[] body) {
        return new InputStreamReader(new ByteArrayInputStream(body), StandardCharsets.UTF_8);
    }

    private static long cairn(byte[] body) {
        CsvReader csv = new CsvReader(reader(body));
        long sum = 0;
        String[] record;
        while ((record = csv.next()) != null) {
            sum = sum * 31 + checksum(record);
        }
        return sum;
    }

    private static long handWritten(byte[] body) throws Exception {
        Class<?> type = Class.forName("handwritten.CsvReader");
        Object csv = type.getConstructor(Reader.class).newInstance(reader(body));
        java.lang.reflect.Method next = type.getMethod("next");
        long sum = 0;
        String[] record;
        while ((record = (String[]) next.invoke(csv)) != null) {
            sum = sum * 31 + checksum(record);
        }
        return sum;
    }

    /** FastCSV with a callback handler that keeps its quoted/unquoted distinction: empty unquoted is null. */
    private static long fastCsv(byte[] body) throws Exception {
        long sum = 0;
        try (var csv = de.siegmar.fastcsv.reader.CsvReader.builder().skipEmptyLines(false).detectBomHeader(true)
                .build(new NullAwareHandler(), reader(body))) {
            for (String[] record : csv) {
                sum = sum * 31 + checksum(record);
            }
        }
        return sum;
    }

    static final class NullAwareHandler extends AbstractBaseCsvCallbackHandler<String[]> {
        private String[] fields = new String[16];

        @Override
        protected void handleField(int index, char[] buf, int offset, int len, boolean quoted) {
            if (index == fields.length) {
                fields = Arrays.copyOf(fields, fields.length * 2);
            }
            fields[index] = len == 0 && !quoted ? null : new String(buf, offset, len);
        }

        @Override
        protected String[] buildRecord() {
            return Arrays.copyOf(fields, getFieldCount());
        }
    }

    /** Commons CSV: RFC 4180, and ALL_NON_NULL so that ,, reads as null and ,"", as the empty string. */
    private static final CSVFormat COMMONS = CSVFormat.RFC4180.builder().setQuoteMode(QuoteMode.ALL_NON_NULL).get();

    private static long commonsCsv(byte[] body) throws Exception {
        long sum = 0;
        try (CSVParser csv = CSVParser.builder().setReader(reader(body)).setFormat(COMMONS).get()) {
            for (CSVRecord record : csv) {
                sum = sum * 31 + checksum(record.values());
            }
        }
        return sum;
    }

    private static long checksum(String[] record) {
        long sum = record.length;
        for (String f : record) {
            sum = sum * 31 + (f == null ? 7 : f.hashCode());
        }
        return sum;
    }

    private static byte[] generate(int rows) {
        Random random = new Random(42);
        String[] cities = {"Graz", "Linz", "Wien", "Salzburg", "Innsbruck", "Klagenfurt"};
        StringBuilder out = new StringBuilder(rows * 70);
        out.append("driver_id,event_timestamp,conv_rate,acc_rate,trips,city\r\n");
        long start = 1_767_225_600L; // 2026-01-01T00:00:00Z
        for (int i = 0; i < rows; i++) {
            out.append(1000 + random.nextInt(100_000)).append(',');
            out.append(java.time.Instant.ofEpochSecond(start + i * 7L)).append(',');
            out.append(random.nextInt(20) == 0 ? "" : Double.toString(random.nextDouble())).append(',');
            out.append(random.nextInt(20) == 0 ? "" : Double.toString(random.nextDouble())).append(',');
            out.append(random.nextInt(500)).append(',');
            int c = random.nextInt(100);
            out.append(c < 2 ? "\"" + cities[c] + ", AT\"" : c < 3 ? "\"\"" : cities[c % cities.length]).append("\r\n");
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(out.length());
        bytes.writeBytes(out.toString().getBytes(StandardCharsets.UTF_8));
        return bytes.toByteArray();
    }

    private static double median(List<Double> values) {
        double[] sorted = values.stream().mapToDouble(d -> d).sorted().toArray();
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }
}
