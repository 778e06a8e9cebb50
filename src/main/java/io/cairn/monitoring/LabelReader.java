package io.cairn.monitoring;

import io.cairn.platform.error.CairnException;
import io.cairn.platform.error.ErrorCode;
import io.cairn.platform.text.CsvReader;
import io.cairn.platform.text.NulCheck;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.function.Consumer;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads the labels of a ground-truth request as a stream, one label at a time, in JSON
 * ({@code {"labels": [{"prediction_id" | "request_id", "row"?, "value"}, ...]}}) or CSV (a header naming
 * {@code prediction_id} or {@code request_id}, {@code value}, optionally {@code row}). Any malformed label is a 400
 * naming it ({@code labels[i]} or the CSV line) and its field.
 */
final class LabelReader {

    /** The longest class label, in characters. */
    static final int MAX_LABEL_CHARS = 1000;
    /** The longest request id (V2's id), in characters. */
    static final int MAX_REQUEST_ID_CHARS = 1000;

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private LabelReader() {
    }

    static GroundTruth.LabelSource json(InputStream body) {
        return sink -> readJson(body, sink);
    }

    static GroundTruth.LabelSource csv(InputStream body) {
        return sink -> readCsv(body, sink);
    }

    private static void readJson(InputStream body, Consumer<GroundTruth.Label> sink) {
        long index = -1;
        try (JsonParser p = JSON.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw CairnException.invalid("The body must be a JSON object {\"labels\": [...]}.");
            }
            boolean sawLabels = false;
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (!field.equals("labels")) {
                    throw CairnException.invalid("Unknown field '" + field + "' in the body; send {\"labels\": "
                            + "[...]}.");
                }
                if (value != JsonToken.START_ARRAY) {
                    throw CairnException.invalid("'labels' must be an array of objects.");
                }
                sawLabels = true;
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    index++;
                    String where = "labels[" + index + "]";
                    if (p.currentToken() != JsonToken.START_OBJECT) {
                        throw CairnException.invalid(where + " is not a JSON object.");
                    }
                    String predictionId = null;
                    String requestId = null;
                    Integer row = null;
                    String text = null;
                    Double number = null;
                    boolean sawValue = false;
                    while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                        String name = p.currentName();
                        JsonToken token = p.nextToken();
                        switch (name) {
                            case "prediction_id" -> predictionId = string(p, token, where, name);
                            case "request_id" -> requestId = string(p, token, where, name);
                            case "row" -> {
                                if (token != JsonToken.VALUE_NUMBER_INT || p.getNumberType() != JsonParser.NumberType.INT || p.getIntValue() < 0) {
                                    throw CairnException.invalid(where + ".row must be a non-negative integer (the "
                                            + "row of a multi-row prediction, from 0).");
                                }
                                row = p.getIntValue();
                            }
                            case "value" -> {
                                sawValue = true;
                                if (token == JsonToken.VALUE_STRING) {
                                    text = p.getString();
                                } else if (token == JsonToken.VALUE_NUMBER_INT || token == JsonToken.VALUE_NUMBER_FLOAT) {
                                    number = p.getDoubleValue();
                                    text = numberText(number, where);
                                } else {
                                    throw CairnException.invalid(where + ".value must be a number (regression) or a "
                                            + "class label (a string or an integer).");
                                }
                            }
                            default -> throw CairnException.invalid("Unknown field '" + name + "' in " + where
                                    + "; a label has prediction_id or request_id, row (optional) and value.");
                        }
                    }
                    if (!sawValue) {
                        throw CairnException.invalid(where + " has no value.");
                    }
                    sink.accept(label(where, predictionId, requestId, row, text, number));
                }
            }
            if (!sawLabels) {
                throw CairnException.invalid("The body has no 'labels' array; send {\"labels\": [...]}.");
            }
        } catch (JacksonException e) {
            var at = e.getLocation();
            throw new CairnException(ErrorCode.MALFORMED_REQUEST, "Malformed JSON"
                    + (at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr())
                    + (index >= 0 ? " (in labels[" + index + "])" : "") + ": " + e.getOriginalMessage()
                    + ". Nothing from this request was stored.");
        }
    }

    private static String string(JsonParser p, JsonToken token, String where, String name) {
        if (token == JsonToken.VALUE_NULL) {
            return null;
        }
        if (token != JsonToken.VALUE_STRING) {
            throw CairnException.invalid(where + "." + name + " must be a string.");
        }
        return p.getString();
    }

    private static void readCsv(InputStream body, Consumer<GroundTruth.Label> sink) {
        CsvReader csv = new CsvReader(new InputStreamReader(body, StandardCharsets.UTF_8));
        String[] header;
        try {
            header = csv.next();
        } catch (IllegalArgumentException e) {
            throw CairnException.invalid("Malformed CSV on line " + csv.recordLine() + ": " + e.getMessage());
        }
        if (header == null) {
            throw CairnException.invalid("The CSV body is empty: send a header (prediction_id or request_id, value, "
                    + "optionally row), then one label per line.");
        }
        int predictionId = -1;
        int requestId = -1;
        int row = -1;
        int value = -1;
        for (int i = 0; i < header.length; i++) {
            String name = header[i] == null ? "" : header[i].strip();
            int previous = switch (name) {
                case "prediction_id" -> { int was = predictionId; predictionId = i; yield was; }
                case "request_id" -> { int was = requestId; requestId = i; yield was; }
                case "row" -> { int was = row; row = i; yield was; }
                case "value" -> { int was = value; value = i; yield was; }
                default -> throw CairnException.invalid("Unknown CSV column '" + name + "' in the header; the "
                        + "columns are prediction_id or request_id, value, and optionally row.");
            };
            if (previous >= 0) {
                throw CairnException.invalid("The CSV header names column '" + name + "' twice.");
            }
        }
        if (value < 0 || (predictionId < 0 && requestId < 0)) {
            throw CairnException.invalid("The CSV header must name a value column and a prediction_id or request_id "
                    + "column; got " + String.join(",", header) + ".");
        }
        while (true) {
            String[] fields;
            try {
                fields = csv.next();
            } catch (IllegalArgumentException e) {
                throw CairnException.invalid("Malformed CSV on line " + csv.recordLine() + ": " + e.getMessage());
            }
            if (fields == null) {
                return;
            }
            String where = "line " + csv.recordLine();
            if (fields.length != header.length) {
                throw CairnException.invalid(where + " has " + fields.length + " fields; the header has "
                        + header.length + ".");
            }
            Integer rowIndex = null;
            if (row >= 0 && fields[row] != null && !fields[row].isBlank()) {
                try {
                    rowIndex = Integer.parseInt(fields[row].strip());
                } catch (NumberFormatException e) {
                    rowIndex = -1;
                }
                if (rowIndex < 0) {
                    throw CairnException.invalid(where + ", field row: '" + fields[row] + "' is not a non-negative "
                            + "integer.");
                }
            }
            String raw = fields[value];
            if (raw == null || raw.isEmpty()) {
                throw CairnException.invalid(where + ", field value: empty; every label needs a value.");
            }
            Double number = parseNumber(raw.strip());
            String text = number == null ? raw : numberText(number, where);
            sink.accept(label(where, predictionId < 0 ? null : fields[predictionId],
                    requestId < 0 ? null : fields[requestId], rowIndex, text, number));
        }
    }

    private static Double parseNumber(String raw) {
        if (raw.isEmpty() || !(Character.isDigit(raw.charAt(0)) || raw.charAt(0) == '-' || raw.charAt(0) == '+'
                || raw.charAt(0) == '.')) {
            return null; // Double.parseDouble would also take "NaN", "Infinity" and hex floats: those are labels
        }
        try {
            return Double.parseDouble(raw);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** A number's label text: integers without a fraction (class 1 is "1" whether sent as 1 or 1.0). */
    private static String numberText(double number, String where) {
        if (!Double.isFinite(number)) {
            throw CairnException.invalid(where + ".value must be a finite number.");
        }
        return LabelText.of(number);
    }

    private static GroundTruth.Label label(String where, String predictionId, String requestId, Integer row,
                                           String text, Double number) {
        boolean byPrediction = predictionId != null && !predictionId.isEmpty();
        boolean byRequest = requestId != null && !requestId.isEmpty();
        if (byPrediction == byRequest) {
            throw CairnException.invalid(where + ": give exactly one of prediction_id and request_id.");
        }
        UUID id = null;
        if (byPrediction) {
            try {
                id = UUID.fromString(predictionId.strip());
            } catch (IllegalArgumentException e) {
                throw CairnException.invalid(where + ", field prediction_id: '" + abbreviated(predictionId)
                        + "' is not a prediction id (a UUID, as in the V2 answer's parameters.prediction_id).");
            }
        } else {
            if (requestId.length() > MAX_REQUEST_ID_CHARS) {
                throw CairnException.invalid(where + ", field request_id: longer than " + MAX_REQUEST_ID_CHARS
                        + " characters.");
            }
            NulCheck.storable(where + ".request_id", requestId);
        }
        if (text.length() > MAX_LABEL_CHARS) {
            throw CairnException.invalid(where + ", field value: a class label longer than " + MAX_LABEL_CHARS
                    + " characters.");
        }
        NulCheck.storable(where + ".value", text);
        return new GroundTruth.Label(where, id, byPrediction ? null : requestId, row == null ? 0 : row, text, number);
    }

    private static String abbreviated(String s) {
        return s.length() <= 60 ? s : s.substring(0, 60) + "...";
    }
}
