package io.cairn.features.online;

import io.cairn.features.Materialization;
import io.cairn.features.Materialization.Materialized;
import io.cairn.features.Timestamps;
import io.cairn.features.online.OnlineFeatures.Column;
import io.cairn.features.online.OnlineFeatures.Pushed;
import io.cairn.features.online.OnlineFeatures.Result;
import io.cairn.platform.error.CairnException;
import io.cairn.platform.error.FeastApi;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.StreamWriteFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Feast's feature-server HTTP API: {@code /get-online-features}, {@code /push}, {@code /materialize},
 * {@code /materialize-incremental} and {@code /health}, with Feast's request and response JSON.
 */
@RestController
@FeastApi
class FeastController {

    private final OnlineFeatures online;
    private final Materialization materialization;
    private final JsonMapper json;

    FeastController(OnlineFeatures online, Materialization materialization, JsonMapper json) {
        this.online = online;
        this.materialization = materialization;
        // Shortest exact double text (Schubfach) instead of JDK 17's slower Double.toString.
        this.json = json.rebuild().enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER).build();
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
     * The read path of online serving, so the body is read and the answer written here with a streaming parser and
     * generator instead of through message converters and records (measured: those took a third of the server's time
     * per one-entity read; docs/benchmarks.md). The answer is computed before anything is written, so errors still
     * leave as Feast's {@code {"detail"}}.
     */
    @PostMapping(value = "/get-online-features", consumes = MediaType.APPLICATION_JSON_VALUE)
    void get(HttpServletRequest request, HttpServletResponse response) throws IOException {
        GetOnlineFeaturesRequest read = readGet(request.getInputStream());
        if (read.feature_service() != null && (read.features() == null || read.features().isEmpty())) {
            throw CairnException.invalid("Feature services are not supported; list the features as "
                    + "<feature view>:<feature> in 'features'.");
        }
        Result result = online.get(read.features(), read.entities(), Boolean.TRUE.equals(read.full_feature_names()));
        ByteArrayOutputStream body = new ByteArrayOutputStream(256 + 64 * result.columns().size()
                * (result.columns().isEmpty() ? 1 : result.columns().get(0).values().size()));
        try (JsonGenerator g = json.createGenerator(body)) {
            writeGet(g, result);
        }
        response.setStatus(200);
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        response.setContentLength(body.size());
        body.writeTo(response.getOutputStream());
    }

    /** Reads Feast's request; unknown fields are ignored, as the record binding it replaces did. */
    private GetOnlineFeaturesRequest readGet(InputStream in) {
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
            while (p.nextToken() != JsonToken.END_ARRAY) {
                values.add(p.readValueAsTree());
            }
            out.put(key, values);
        }
        return out;
    }

    /** {@code {"metadata": {"feature_names": [...]}, "results": [{"values", "statuses", "event_timestamps"}]}}. */
    private static void writeGet(JsonGenerator g, Result result) {
        g.writeStartObject();
        g.writeName("metadata");
        g.writeStartObject();
        g.writeName("feature_names");
        g.writeStartArray();
        for (String name : result.featureNames()) {
            g.writeString(name);
        }
        g.writeEndArray();
        g.writeEndObject();
        g.writeName("results");
        g.writeStartArray();
        for (Column c : result.columns()) {
            g.writeStartObject();
            g.writeName("values");
            g.writeStartArray();
            for (Object v : c.values()) {
                writeValue(g, v);
            }
            g.writeEndArray();
            writeStrings(g, "statuses", c.statuses());
            writeStrings(g, "event_timestamps", c.event_timestamps());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    private static void writeStrings(JsonGenerator g, String name, List<String> values) {
        g.writeName(name);
        g.writeStartArray();
        for (String v : values) {
            g.writeString(v);
        }
        g.writeEndArray();
    }

    /** The value types a read returns (decoded online values and the entity keys as sent). */
    private static void writeValue(JsonGenerator g, Object v) {
        if (v == null) {
            g.writeNull();
        } else if (v instanceof String s) {
            g.writeString(s);
        } else if (v instanceof Double d) {
            g.writeNumber(d);
        } else if (v instanceof Float f) {
            g.writeNumber(f);
        } else if (v instanceof Long l) {
            g.writeNumber(l);
        } else if (v instanceof Integer i) {
            g.writeNumber(i);
        } else if (v instanceof Boolean b) {
            g.writeBoolean(b);
        } else if (v instanceof JsonNode node) {
            g.writeTree(node);
        } else {
            g.writePOJO(v);
        }
    }

    @PostMapping("/push")
    Pushed push(@RequestBody PushRequest request) {
        return online.push(request.push_source_name(), request.df(), request.to());
    }

    @PostMapping("/materialize")
    List<Materialized> materialize(@RequestBody MaterializeRequest request) {
        return materialization.materialize(request.feature_views(), time("start_ts", request.start_ts()),
                time("end_ts", request.end_ts()));
    }

    @PostMapping("/materialize-incremental")
    List<Materialized> materializeIncremental(@RequestBody MaterializeIncrementalRequest request) {
        return materialization.materializeIncremental(request.feature_views(), time("end_ts", request.end_ts()));
    }

    @GetMapping("/health")
    Map<String, String> health() {
        return Map.of("status", "ok");
    }

    static Instant time(String field, String value) {
        if (value == null) {
            return null;
        }
        try {
            return Timestamps.parse(value);
        } catch (IllegalArgumentException e) {
            throw CairnException.invalid("Invalid '" + field + "': " + e.getMessage() + ".");
        }
    }
}
