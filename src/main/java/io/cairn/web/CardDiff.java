package io.cairn.web;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import tools.jackson.databind.JsonNode;

/**
 * The difference between two revisions of a card, field by field: each card is flattened to JSON-pointer-like paths
 * ({@code /model_details/owners/0/name}) and every path whose value differs is listed with both values.
 */
public record CardDiff(String model, int version, int from, int to, List<Change> changes) {

    /** One field: its value before (null: absent) and after (null: removed). */
    public record Change(String path, String before, String after) {
    }

    static List<Change> between(JsonNode before, JsonNode after) {
        Map<String, String> a = new TreeMap<>();
        Map<String, String> b = new TreeMap<>();
        flatten(before, "", a);
        flatten(after, "", b);
        TreeSet<String> paths = new TreeSet<>(a.keySet());
        paths.addAll(b.keySet());
        List<Change> changes = new ArrayList<>();
        for (String path : paths) {
            if (!Objects.equals(a.get(path), b.get(path))) {
                changes.add(new Change(path, a.get(path), b.get(path)));
            }
        }
        return changes;
    }

    private static void flatten(JsonNode node, String path, Map<String, String> out) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return;
        }
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                flatten(field.getValue(), path + "/" + field.getKey(), out);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                flatten(node.get(i), path + "/" + i, out);
            }
        } else {
            out.put(path, node.isString() ? node.asString() : node.toString());
        }
    }

    public String versionPath() {
        return "/models/" + Format.segment(model) + "/versions/" + version;
    }
}
