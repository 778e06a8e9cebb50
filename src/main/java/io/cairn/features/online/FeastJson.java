package io.cairn.features.online;

import io.cairn.features.Materialization.Materialized;
import io.cairn.features.online.OnlineFeatures.Column;
import io.cairn.features.online.OnlineFeatures.Result;
import io.cairn.platform.error.CairnException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.core.io.JsonStringEncoder;
import tools.jackson.core.io.NumberOutput;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.StreamWriteFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * Feast's feature-server JSON, shared by the Spring endpoints ({@link FeastController}) and the Netty feature server
 * ({@link FeatureServer}) so both ports read and write exactly the same bodies. The read request is parsed and the
 * answer generated with a streaming parser and generator: records and message converters took a third of the
 * server's time per one-entity read (docs/benchmarks.md).
 */
@Component
class FeastJson {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final JsonMapper json;

    FeastJson(JsonMapper json) {
        // Shortest exact double text (Schubfach) instead of JDK 17's slower Double.toString.
        this.json = json.rebuild().enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER).build();
    }

    JsonMapper mapper() {
        return json;
    }

    /** Feast's read request; {@code feature_service} is not supported here. */
    record GetOnlineFeaturesRequest(List<String> features, String feature_service, Map<String, List<JsonNode>> entities,
                                    Boolean full_feature_names) {
    }

    record PushRequest(String push_source_name, Map<String, JsonNode> df, String to, Boolean allow_registry_cache) {
    }

    record MaterializeRequest(String start_ts, String end_ts, List<String> feature_views) {
    }

    record MaterializeIncrementalRequest(String end_ts, List<String> feature_views) {
    }

    /**
     * What {@code /materialize} and {@code /materialize-incremental} answer: the same object as
     * {@code /api/v1/materialize}. Feast's own server answers {@code null}, and its clients read only the status, so
     * the one shape serves both.
     */
    record MaterializeResponse(List<Materialized> feature_views) {
    }

    /**
     * The answer to a read, as Feast's JSON, written straight into a byte array and copied out once: a read is a few
     * hundred short tokens, and a generator's per-token bookkeeping (plus creating and closing one per request) was
     * the largest single cost of the one-entity read after HTTP itself. Byte for byte what this class's mapper would
     * write ({@code FeastJsonTest} compares the two).
     */
    void writeGet(OutputStream out, Result result) {
        JsonBytes b = new JsonBytes(256 + 48 * result.featureNames().size()
                * (result.columns().isEmpty() ? 1 : Math.max(1, result.columns().get(0).values().size())));
        b.raw(METADATA_OPEN);
        for (int i = 0; i < result.featureNames().size(); i++) {
            if (i > 0) {
                b.comma();
            }
            b.string(result.featureNames().get(i));
        }
        b.raw(RESULTS_OPEN);
        for (int c = 0; c < result.columns().size(); c++) {
            Column column = result.columns().get(c);
            b.raw(c == 0 ? VALUES_OPEN_FIRST : VALUES_OPEN);
            List<Object> values = column.values();
            for (int i = 0; i < values.size(); i++) {
                if (i > 0) {
                    b.comma();
                }
                value(b, values.get(i));
            }
            b.raw(STATUSES_OPEN);
            strings(b, column.statuses());
            b.raw(TIMES_OPEN);
            strings(b, column.event_timestamps());
            b.raw(COLUMN_CLOSE);
        }
        b.raw(RESULTS_CLOSE);
        try {
            out.write(b.bytes(), 0, b.length());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static final byte[] METADATA_OPEN = ascii("{\"metadata\":{\"feature_names\":[");
    private static final byte[] RESULTS_OPEN = ascii("]},\"results\":[");
    private static final byte[] VALUES_OPEN_FIRST = ascii("{\"values\":[");
    private static final byte[] VALUES_OPEN = ascii(",{\"values\":[");
    private static final byte[] STATUSES_OPEN = ascii("],\"statuses\":[");
    private static final byte[] TIMES_OPEN = ascii("],\"event_timestamps\":[");
    private static final byte[] COLUMN_CLOSE = ascii("]}");
    private static final byte[] RESULTS_CLOSE = ascii("]}");

    private static byte[] ascii(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    private static void strings(JsonBytes b, List<String> values) {
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                b.comma();
            }
            b.string(values.get(i));
        }
    }

    /** The value types a read returns (decoded online values and the entity keys as sent). */
    private void value(JsonBytes b, Object v) {
        if (v == null) {
            b.ascii("null");
        } else if (v instanceof String s) {
            b.string(s);
        } else if (v instanceof Double d) {
            if (d.isNaN() || d.isInfinite()) {
                b.string(d.toString()); // as Jackson writes non-finite numbers: "NaN", "Infinity", "-Infinity"
            } else {
                b.ascii(NumberOutput.toString(d.doubleValue(), true));
            }
        } else if (v instanceof Float f) {
            if (f.isNaN() || f.isInfinite()) {
                b.string(f.toString());
            } else {
                b.ascii(NumberOutput.toString(f.floatValue(), true));
            }
        } else if (v instanceof Long || v instanceof Integer) {
            b.ascii(v.toString());
        } else if (v instanceof Boolean bool) {
            b.ascii(bool ? "true" : "false");
        } else if (v instanceof JsonNode node) {
            if (node.isIntegralNumber() && node.canConvertToLong()) {
                b.ascii(Long.toString(node.longValue()));
            } else if (node.isString()) {
                b.string(node.asString());
            } else {
                b.utf8(json.writeValueAsBytes(node));
            }
        } else {
            b.utf8(json.writeValueAsBytes(v));
        }
    }

    /** A growable byte array with the few JSON primitives the read answer needs. */
    private static final class JsonBytes {

        private byte[] buf;
        private int len;

        JsonBytes(int capacity) {
            buf = new byte[capacity];
        }

        byte[] bytes() {
            return buf;
        }

        int length() {
            return len;
        }

        private void room(int n) {
            if (len + n > buf.length) {
                buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
            }
        }

        void raw(byte[] b) {
            utf8(b);
        }

        void utf8(byte[] b) {
            room(b.length);
            System.arraycopy(b, 0, buf, len, b.length);
            len += b.length;
        }

        void comma() {
            room(1);
            buf[len++] = ',';
        }

        /** Text known to be plain ASCII with nothing to escape (numbers, literals). */
        void ascii(String s) {
            int n = s.length();
            room(n);
            for (int i = 0; i < n; i++) {
                buf[len++] = (byte) s.charAt(i);
            }
        }

        /** A JSON string: printable ASCII is copied, anything else goes through Jackson's encoder. */
        void string(String s) {
            int n = s.length();
            room(n + 2);
            int start = len;
            buf[len++] = '"';
            for (int i = 0; i < n; i++) {
                char c = s.charAt(i);
                if (c < 0x20 || c >= 0x7F || c == '"' || c == '\\') {
                    len = start;
                    room(2);
                    buf[len++] = '"';
                    utf8(JsonStringEncoder.getInstance().quoteAsUTF8(s));
                    room(1);
                    buf[len++] = '"';
                    return;
                }
                buf[len++] = (byte) c;
            }
            buf[len++] = '"';
        }
    }

    /** Reads Feast's request; unknown fields are ignored, as the record binding it replaces did. */
    GetOnlineFeaturesRequest readGet(InputStream in) {
        List<String> features = null;
        String featureService = null;
        Map<String, List<JsonNode>> entities = null;
        Boolean fullNames = null;
        try (JsonParser p = json.createParser(in)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw CairnException.invalid("The body must be a JSON object {\"features\": [...], \"entities\": {...}}.");
            }
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "features" -> features = strings(p, value);
                    case "feature_service" -> featureService = value == JsonToken.VALUE_NULL ? null : text(p, value,
                            "'feature_service' must be a string.");
                    case "entities" -> entities = entities(p, value);
                    case "full_feature_names" -> {
                        if (value != JsonToken.VALUE_TRUE && value != JsonToken.VALUE_FALSE
                                && value != JsonToken.VALUE_NULL) {
                            throw CairnException.invalid("'full_feature_names' must be true or false.");
                        }
                        fullNames = value == JsonToken.VALUE_NULL ? null : value == JsonToken.VALUE_TRUE;
                    }
                    default -> p.skipChildren();
                }
            }
        } catch (JacksonException e) {
            throw CairnException.invalid("Malformed JSON in request body: " + e.getOriginalMessage());
        }
        if (featureService != null && (features == null || features.isEmpty())) {
            throw CairnException.invalid("Feature services are not supported; list the features as "
                    + "<feature view>:<feature> in 'features'.");
        }
        return new GetOnlineFeaturesRequest(features, featureService, entities, fullNames);
    }

    private static List<String> strings(JsonParser p, JsonToken value) {
        if (value == JsonToken.VALUE_NULL) {
            return null;
        }
        if (value != JsonToken.START_ARRAY) {
            throw CairnException.invalid("'features' must be a list of <feature view>:<feature> strings.");
        }
        List<String> out = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
            out.add(text(p, p.currentToken(), "'features' must be a list of <feature view>:<feature> strings."));
        }
        return out;
    }

    private static String text(JsonParser p, JsonToken token, String message) {
        if (token != JsonToken.VALUE_STRING) {
            throw CairnException.invalid(message);
        }
        return p.getString();
    }

    private static Map<String, List<JsonNode>> entities(JsonParser p, JsonToken value) {
        if (value == JsonToken.VALUE_NULL) {
            return null;
        }
        if (value != JsonToken.START_OBJECT) {
            throw CairnException.invalid("'entities' must be an object mapping join keys to lists of values.");
        }
        Map<String, List<JsonNode>> out = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String key = p.currentName();
            JsonToken list = p.nextToken();
            if (list == JsonToken.VALUE_NULL) {
                out.put(key, null);
                continue;
            }
            if (list != JsonToken.START_ARRAY) {
                throw CairnException.invalid("entities." + key + " must be a list of values.");
            }
            List<JsonNode> values = new ArrayList<>();
            JsonToken t;
            while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                values.add(scalar(p, t));
            }
            out.put(key, values);
        }
        return out;
    }

    /** Join-key values without a tree-deserializer lookup per value (measured on the one-entity read). */
    private static JsonNode scalar(JsonParser p, JsonToken t) {
        return switch (t) {
            case VALUE_NUMBER_INT -> p.getNumberType() == JsonParser.NumberType.BIG_INTEGER ? p.readValueAsTree()
                    : NODES.numberNode(p.getLongValue());
            case VALUE_STRING -> NODES.stringNode(p.getString());
            case VALUE_TRUE -> NODES.booleanNode(true);
            case VALUE_FALSE -> NODES.booleanNode(false);
            case VALUE_NULL -> NODES.nullNode();
            default -> p.readValueAsTree();
        };
    }


}
