package io.cairn.features.api;

import io.cairn.features.FeatureIngestion;
import io.cairn.features.TrainingSets.EntityRowStream;
import io.cairn.features.TrainingSets.Request;
import io.cairn.features.TrainingSets.Spec;
import io.cairn.platform.error.CairnException;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.json.JsonMapper;

/**
 * The JSON body of {@code POST /api/v1/training-sets}:
 * {@code {"features": [...], "entity_rows": [...], "full_feature_names": false, "save_as": "name"}}. Entity rows
 * stream straight into the database when {@code features} comes before them (the usual order); otherwise they are
 * held, as bytes, until {@code features} is read.
 */
public final class TrainingSetJsonRequest implements Request {

    /**
     * Entity rows that arrive before {@code features} cannot be checked or streamed yet, so they are kept — as their
     * JSON bytes, not as a tree (a tree took about 15 times the body's size) — up to this many bytes (below the bulk
     * body limit, 16 MB, so the refusal is this clear 400). A 170 MB body in that order used to be held whole; larger
     * ones must name {@code features} first (then any size streams) or use the CSV form.
     */
    public static final int MAX_BUFFERED_ENTITY_ROWS_BYTES = 8 * 1024 * 1024;

    private final InputStream body;
    private final JsonMapper json;

    TrainingSetJsonRequest(InputStream body, JsonMapper json) {
        this.body = body;
        this.json = json;
    }

    @Override
    public Spec read(EntityRowStream rows) {
        List<String> features = null;
        boolean fullNames = false;
        String saveAs = null;
        boolean streamed = false;
        byte[] bufferedRows = null;
        long row = 0;
        try (JsonParser p = json.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw CairnException.invalid("The body must be a JSON object {\"features\": [...], \"entity_rows\": [...]}.");
            }
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "features" -> features = stringList(p, "features");
                    case "full_feature_names" -> {
                        if (value != JsonToken.VALUE_TRUE && value != JsonToken.VALUE_FALSE && value != JsonToken.VALUE_NULL) {
                            throw CairnException.invalid("'full_feature_names' must be true or false.");
                        }
                        fullNames = value == JsonToken.VALUE_TRUE;
                    }
                    case "save_as" -> {
                        if (value != JsonToken.VALUE_STRING && value != JsonToken.VALUE_NULL) {
                            throw CairnException.invalid("'save_as' must be a name (a string).");
                        }
                        saveAs = value == JsonToken.VALUE_NULL ? null : p.getString();
                    }
                    case "entity_rows" -> {
                        if (value != JsonToken.START_ARRAY) {
                            throw CairnException.invalid("'entity_rows' must be an array of objects.");
                        }
                        if (streamed || bufferedRows != null) {
                            throw CairnException.invalid("'entity_rows' is given twice; send one list of entity rows.");
                        }
                        if (features == null) {
                            bufferedRows = buffer(p);
                        } else {
                            row = rows.json(features, saveAs, p);
                            streamed = true;
                        }
                    }
                    default -> throw CairnException.invalid("Unknown field '" + field + "'; known fields are "
                            + "[features, entity_rows, full_feature_names, save_as].");
                }
            }
        } catch (JacksonException e) {
            throw FeatureIngestion.malformedJson(e, row);
        }
        if (features == null) {
            throw CairnException.invalid("'features' is required: a list of <feature view>:<feature> references.");
        }
        if (!streamed) {
            if (bufferedRows == null) {
                throw CairnException.invalid("'entity_rows' is required: a list of objects with the join keys and an "
                        + "event_timestamp.");
            }
            try (JsonParser p = json.createParser(bufferedRows)) {
                p.nextToken();
                rows.json(features, saveAs, p);
            }
        }
        return new Spec(features, fullNames, saveAs);
    }

    private byte[] buffer(JsonParser p) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(8192) {
            @Override
            public synchronized void write(byte[] b, int off, int len) {
                if (count + len > MAX_BUFFERED_ENTITY_ROWS_BYTES) {
                    throw CairnException.invalid("'entity_rows' comes before 'features' and is larger than "
                            + MAX_BUFFERED_ENTITY_ROWS_BYTES / (1024 * 1024) + " MB, so it would have to be held in "
                            + "memory: send 'features' first (then entity rows of any size stream) or use the CSV "
                            + "form (Content-Type: text/csv).");
                }
                super.write(b, off, len);
            }
        };
        try (JsonGenerator g = json.createGenerator(bytes)) {
            g.copyCurrentStructure(p);
        }
        return bytes.toByteArray();
    }

    private static List<String> stringList(JsonParser p, String field) {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw CairnException.invalid("'" + field + "' must be a list of strings.");
        }
        List<String> out = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (p.currentToken() != JsonToken.VALUE_STRING) {
                throw CairnException.invalid("'" + field + "' must be a list of strings.");
            }
            out.add(p.getString());
        }
        return out;
    }
}
