package io.cairn.features;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.IntegrationTest;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.postgresql.PGResultSetMetaData;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import tools.jackson.databind.json.JsonMapper;

/**
 * The CSV writer uses PostgreSQL's text of a value where it can ({@link PostgresText}); it must write exactly what it
 * writes from the typed value. The same random rows are read once as text (the usual case) and once with pgjdbc
 * forced to binary transfer, where every value goes through its typed getter, and the two CSVs must be equal byte for
 * byte. The values cover every notation boundary: doubles and floats from random bits (subnormals, NaN, infinities,
 * both zeros), decimals around 1e-3, 1e-4, 1e6 and 1e7, integers; timestamps with 0 to 6 fraction digits and at the
 * ends of the range; strings and JSON strings that need quoting or escapes.
 */
@IntegrationTest
class TrainingSetCsvTextIT {

    @Autowired
    DataSource dataSource;

    @Value("${spring.datasource.url}")
    String url;

    static final String SELECT = "SELECT d, r, t, b, s, j, i, n FROM tmp_csv_text ORDER BY id";

    static final List<TrainingSetColumn> COLUMNS = List.of(new TrainingSetColumn("d", "FLOAT64"),
            new TrainingSetColumn("r", "FLOAT32"), new TrainingSetColumn("t", "TIMESTAMP"),
            new TrainingSetColumn("b", "BOOL"), new TrainingSetColumn("s", "STRING"),
            new TrainingSetColumn("j", "JSON"), new TrainingSetColumn("i", "INT64"), new TrainingSetColumn("n", "INT32"));

    @Test
    void textAndTypedValuesGiveTheSameCsv() throws Exception {
        String text;
        String typed;
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            fill(c);
            text = csv(c, false);
            c.rollback();
        }
        try (Connection c = DriverManager.getConnection(url.replaceFirst("\\?.*$", "") + "?prepareThreshold=-1",
                "postgres", "")) {
            c.setAutoCommit(false);
            fill(c);
            typed = csv(c, true);
            c.rollback();
        }
        assertThat(text.length()).isGreaterThan(ROWS * 40);
        assertThat(text).isEqualTo(typed);
        // Spot checks of the notations that differ between PostgreSQL and Java.
        assertThat(text).contains("\n0.0,0.0,").contains("\n-0.0,-0.0,").contains("\n473.0,473.0,")
                .contains("\n1.0E-4,1.0E-4,").contains("\n1.0E7,1.0E7,").contains("\n9999999.5,")
                .contains(",2026-01-01T00:00:00Z,").contains(",2026-01-01T00:00:00.500Z,")
                .contains(",2026-01-01T00:00:00.123400Z,").contains(",\"a,b\"\"c\",").contains(",\"\",");
    }

    static final int ROWS = 60_000;

    private static void fill(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("SET LOCAL TimeZone = 'UTC'");
            st.execute("CREATE TEMPORARY TABLE tmp_csv_text (id int, d float8, r real, t timestamptz, b boolean, "
                    + "s text, j jsonb, i bigint, n integer) ON COMMIT DROP");
        }
        Random rnd = new Random(42);
        List<Object[]> rows = new ArrayList<>();
        double[] fixed = {0.0, -0.0, 473, 1e-4, 1e7, 9999999.5, 0.001, 0.00099999, 1e-3 + 1e-12, 999999.9, 1e6,
                1234567.0, 1e15, 1e16, 123456789012345.6, Double.MIN_VALUE, Double.MAX_VALUE, Double.NaN,
                Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0.1, 0.3, 2.0 / 3};
        String[] strings = {"a,b\"c", "", "line\nbreak", "cr\rhere", "ünïcødé ✓", "plain", "\"quoted\""};
        String[] json = {"\"text\"", "\"with \\\"escape\\\"\"", "\"a,b\"", "\"\"", "17", "-2.5", "true", "null",
                "{\"k\": [1, 2]}", "\"ünï\"", "\"tab\\there\""};
        long min = Instant.parse("0001-01-01T00:00:00Z").getEpochSecond();
        long max = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();
        for (int id = 0; id < ROWS; id++) {
            double d;
            if (id < fixed.length) {
                d = fixed[id];
            } else {
                d = switch (id % 5) {
                    case 0 -> Double.longBitsToDouble(rnd.nextLong());
                    case 1 -> Math.round(rnd.nextDouble() * 10_000) / 10_000.0;
                    case 2 -> rnd.nextDouble() * Math.pow(10, rnd.nextInt(24) - 8);
                    case 3 -> (double) (rnd.nextInt(20_000_000) - 10_000_000);
                    default -> -rnd.nextDouble() * Math.pow(10, rnd.nextInt(12) - 5);
                };
            }
            float r = id < fixed.length ? (float) fixed[id] : switch (id % 3) {
                case 0 -> Float.intBitsToFloat(rnd.nextInt());
                case 1 -> (float) (rnd.nextDouble() * Math.pow(10, rnd.nextInt(14) - 6));
                default -> (float) d;
            };
            Instant t = switch (id % 4) {
                case 0 -> Instant.ofEpochSecond(min + (long) (rnd.nextDouble() * (max - min)), rnd.nextInt(1_000_000) * 1000L);
                case 1 -> Instant.ofEpochSecond(1_767_225_600L + rnd.nextInt(86_400), (rnd.nextInt(1000) * 1000L) * 1000L);
                case 2 -> Instant.ofEpochSecond(1_767_225_600L + rnd.nextInt(86_400), rnd.nextInt(10) * 100_000_000L);
                default -> Instant.ofEpochSecond(id % 8 == 3 ? min : max, 0);
            };
            if (id == 1) {
                t = Instant.parse("2026-01-01T00:00:00Z");
            } else if (id == 2) {
                t = Instant.parse("2026-01-01T00:00:00.5Z");
            } else if (id == 3) {
                t = Instant.parse("2026-01-01T00:00:00.1234Z");
            }
            rows.add(new Object[] {id, d, r, t, id % 7 == 0 ? null : id % 2 == 0, strings[id % strings.length],
                    json[id % json.length], id % 11 == 0 ? null : rnd.nextLong(), rnd.nextInt()});
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO tmp_csv_text VALUES (?, ?, ?, ?, ?, ?, "
                + "CAST(? AS jsonb), ?, ?)")) {
            for (Object[] row : rows) {
                ps.setInt(1, (Integer) row[0]);
                ps.setDouble(2, (Double) row[1]);
                ps.setFloat(3, (Float) row[2]);
                ps.setObject(4, java.time.OffsetDateTime.ofInstant((Instant) row[3], java.time.ZoneOffset.UTC));
                ps.setObject(5, row[4]);
                ps.setString(6, (String) row[5]);
                ps.setString(7, (String) row[6]);
                ps.setObject(8, row[7]);
                ps.setInt(9, (Integer) row[8]);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private static String csv(Connection c, boolean expectBinary) throws SQLException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TrainingSetWriter writer = TrainingSetWriter.of(TrainingSetWriter.CSV, COLUMNS, out,
                JsonMapper.builder().build());
        writer.begin();
        try (PreparedStatement ps = c.prepareStatement(SELECT)) {
            ps.setFetchSize(5_000);
            try (ResultSet rs = ps.executeQuery()) {
                PGResultSetMetaData md = rs.getMetaData().unwrap(PGResultSetMetaData.class);
                // Proves which path each run takes: float8 is text in the usual case, binary when forced.
                assertThat(md.getFormat(1)).isEqualTo(expectBinary ? 1 : 0);
                while (rs.next()) {
                    writer.row(rs);
                }
            }
        }
        writer.finish();
        return out.toString(StandardCharsets.UTF_8);
    }
}
