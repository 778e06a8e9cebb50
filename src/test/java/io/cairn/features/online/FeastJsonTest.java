package io.cairn.features.online;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.features.online.OnlineFeatures.Column;
import io.cairn.features.online.OnlineFeatures.Result;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;

/** The hand-written read answer is byte for byte what Jackson writes for the same structure. */
class FeastJsonTest {

    private final FeastJson feast = new FeastJson(JsonMapper.builder().build());

    @Test
    void theReadAnswerIsWhatTheMapperWouldWrite() {
        JsonNodeFactory nodes = JsonNodeFactory.instance;
        List<Object> keys = List.of(nodes.numberNode(1001L), nodes.stringNode("k\"ey é"),
                nodes.numberNode(new BigInteger("123456789012345678901234567890")), nodes.numberNode(2.5));
        List<Object> values = Arrays.asList(null, "plain", "quote\" back\\ nl\n tab\t ctl\u0001 del\u007f é 日本 😀", 0.1,
                1e-7, 1.0E22, Double.NaN);
        List<Object> more = Arrays.asList(Double.POSITIVE_INFINITY, -0.0, 3.4028235E38f, 1.1f, Float.NaN, Long.MAX_VALUE,
                Integer.MIN_VALUE);
        List<Object> flags = Arrays.asList(true, false, null, 123456789.123456789, Double.NEGATIVE_INFINITY, 5e-324,
                Float.MIN_VALUE);
        List<String> statuses = List.of("PRESENT", "NOT_FOUND", "NULL_VALUE", "OUTSIDE_MAX_AGE");
        List<String> times = List.of("2026-01-02T00:00:00Z", "1970-01-01T00:00:00Z", "2026-01-02T00:00:00.123456Z",
                "2026-01-02T03:04:05Z");
        Result result = new Result(List.of("driver_id", "name \"quoted\"", "x", "ünï"), List.of(
                new Column(keys, statuses, times),
                new Column(values.subList(0, 4), statuses, times),
                new Column(new ArrayList<>(values.subList(3, 7)), statuses, times),
                new Column(new ArrayList<>(more.subList(0, 4)), statuses, times),
                new Column(new ArrayList<>(more.subList(3, 7)), statuses, times),
                new Column(new ArrayList<>(flags.subList(0, 4)), statuses, times),
                new Column(new ArrayList<>(flags.subList(3, 7)), statuses, times)));

        ByteArrayOutputStream written = new ByteArrayOutputStream();
        feast.writeGet(written, result);

        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("metadata", Map.of("feature_names", result.featureNames()));
        List<Map<String, Object>> columns = new ArrayList<>();
        for (Column c : result.columns()) {
            Map<String, Object> column = new LinkedHashMap<>();
            column.put("values", c.values());
            column.put("statuses", c.statuses());
            column.put("event_timestamps", c.event_timestamps());
            columns.add(column);
        }
        expected.put("results", columns);
        String reference = feast.mapper().writeValueAsString(expected);

        assertThat(written.toString(StandardCharsets.UTF_8)).isEqualTo(reference);
    }

    @Test
    void anEmptyAnswerIsStillWellFormed() {
        ByteArrayOutputStream written = new ByteArrayOutputStream();
        feast.writeGet(written, new Result(List.of("driver_id"), List.of(new Column(List.of(), List.of(), List.of()))));
        assertThat(written.toString(StandardCharsets.UTF_8)).isEqualTo(
                "{\"metadata\":{\"feature_names\":[\"driver_id\"]},\"results\":[{\"values\":[],\"statuses\":[],"
                        + "\"event_timestamps\":[]}]}");
    }
}
