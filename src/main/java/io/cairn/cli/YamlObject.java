package io.cairn.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * One YAML mapping read through SnakeYAML's node API, which keeps every value's line: typed getters record a problem
 * naming {@code file:line} (a wrong type, a missing or unknown field, a duplicate key) and return null, so one pass
 * reports every problem of a file rather than the first.
 */
final class YamlObject {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final Path file;
    private final MappingNode node;
    private final List<String> problems;
    private final Map<String, NodeTuple> fields = new LinkedHashMap<>();

    YamlObject(Path file, MappingNode node, List<String> problems) {
        this.file = file;
        this.node = node;
        this.problems = problems;
        for (NodeTuple tuple : node.getValue()) {
            if (!(tuple.getKeyNode() instanceof ScalarNode key)) {
                problem(tuple.getKeyNode(), "a field name must be plain text");
                continue;
            }
            NodeTuple earlier = fields.putIfAbsent(key.getValue(), tuple);
            if (earlier != null) {
                problem(key, "duplicate field '" + key.getValue() + "' (first at line "
                        + line(earlier.getKeyNode()) + ")");
            }
        }
    }

    /**
     * The mappings of a YAML file: each document is one mapping or a list of them; empty documents are skipped.
     * A file that is not YAML gives one problem at the line where the parser stopped.
     */
    static List<YamlObject> documents(Path file, List<String> problems) {
        List<YamlObject> objects = new ArrayList<>();
        // Only composed into nodes (never constructed into objects), so a file cannot make SnakeYAML build types.
        Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (Node root : yaml.composeAll(reader)) {
                if (root == null || root instanceof ScalarNode s && s.getTag().equals(Tag.NULL)) {
                    continue;
                }
                if (root instanceof MappingNode m) {
                    objects.add(new YamlObject(file, m, problems));
                } else if (root instanceof SequenceNode seq) {
                    for (Node item : seq.getValue()) {
                        if (item instanceof MappingNode m) {
                            objects.add(new YamlObject(file, m, problems));
                        } else {
                            problems.add(file + ":" + line(item) + ": expected a mapping with 'kind' and 'name', got "
                                    + describe(item));
                        }
                    }
                } else {
                    problems.add(file + ":" + line(root) + ": expected a mapping with 'kind' and 'name', got "
                            + describe(root));
                }
            }
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            problems.add(file + ":" + (mark == null ? 1 : mark.getLine() + 1) + ": not valid YAML: "
                    + (e.getProblem() != null ? e.getProblem() : e.getMessage()));
        } catch (YAMLException e) {
            problems.add(file + ":1: not valid YAML: " + e.getMessage());
        } catch (IOException e) {
            problems.add(file + ": cannot read: " + e.getMessage());
        }
        return objects;
    }

    /** How many problems the file's reading has recorded so far (to tell whether an object added any). */
    int problemsSoFar() {
        return problems.size();
    }

    Source source() {
        return new Source(file, line(node));
    }

    Path file() {
        return file;
    }

    boolean has(String key) {
        NodeTuple t = fields.get(key);
        return t != null && !isNull(t.getValueNode());
    }

    /** Records a problem for every field not in {@code known}, at that field's line. */
    void allowOnly(Set<String> known, String what) {
        for (Map.Entry<String, NodeTuple> e : fields.entrySet()) {
            if (!known.contains(e.getKey())) {
                problem(e.getValue().getKeyNode(), "unknown field '" + e.getKey() + "' in " + what
                        + "; known fields are " + new TreeSet<>(known));
            }
        }
    }

    /** Records a problem at this mapping's first line. */
    void problem(String message) {
        problems.add(file + ":" + line(node) + ": " + message);
    }

    /** Records a problem at the line of a field's value (or of this mapping when the field is absent). */
    void problemAt(String key, String message) {
        NodeTuple t = fields.get(key);
        if (t == null) {
            problem(message);
        } else {
            problem(t.getValueNode(), message);
        }
    }

    /** Text: any scalar but a boolean (an unquoted {@code no} is a boolean in YAML, rarely meant as text). */
    String string(String key, boolean required) {
        Node v = value(key, required);
        if (v == null) {
            return null;
        }
        if (!(v instanceof ScalarNode s) || s.getTag().equals(Tag.BOOL)) {
            problem(v, "'" + key + "' must be text, got " + describe(v) + (v instanceof ScalarNode ? " (quote it)" : ""));
            return null;
        }
        return s.getValue();
    }

    Long integer(String key, boolean required) {
        Node v = value(key, required);
        if (v == null) {
            return null;
        }
        Long n = v instanceof ScalarNode s && s.getTag().equals(Tag.INT) ? parseLong(s.getValue()) : null;
        if (n == null) {
            problem(v, "'" + key + "' must be a whole number, got " + describe(v));
        }
        return n;
    }

    Double number(String key, boolean required) {
        Node v = value(key, required);
        if (v == null) {
            return null;
        }
        Double d = null;
        if (v instanceof ScalarNode s && (s.getTag().equals(Tag.INT) || s.getTag().equals(Tag.FLOAT))) {
            try {
                d = Double.parseDouble(s.getValue().replace("_", ""));
            } catch (NumberFormatException e) {
                d = null;
            }
        }
        if (d == null || !Double.isFinite(d)) {
            problem(v, "'" + key + "' must be a number, got " + describe(v));
            return null;
        }
        return d;
    }

    Boolean bool(String key) {
        Node v = value(key, false);
        if (v == null) {
            return null;
        }
        if (v instanceof ScalarNode s && s.getTag().equals(Tag.BOOL)) {
            String t = s.getValue().toLowerCase(java.util.Locale.ROOT);
            return t.equals("true") || t.equals("yes") || t.equals("on");
        }
        problem(v, "'" + key + "' must be true or false, got " + describe(v));
        return null;
    }

    /** A list of text values. */
    List<String> strings(String key, boolean required) {
        Node v = value(key, required);
        if (v == null) {
            return null;
        }
        if (!(v instanceof SequenceNode seq)) {
            problem(v, "'" + key + "' must be a list, got " + describe(v));
            return null;
        }
        List<String> out = new ArrayList<>();
        for (Node item : seq.getValue()) {
            if (item instanceof ScalarNode s && !s.getTag().equals(Tag.BOOL) && !s.getTag().equals(Tag.NULL)) {
                out.add(s.getValue());
            } else {
                problem(item, "each item of '" + key + "' must be text, got " + describe(item));
                return null;
            }
        }
        return out;
    }

    /** A mapping of text to text (tags). */
    Map<String, String> stringMap(String key) {
        Node v = value(key, false);
        if (v == null) {
            return null;
        }
        if (!(v instanceof MappingNode m)) {
            problem(v, "'" + key + "' must be a mapping of names to text, got " + describe(v));
            return null;
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (NodeTuple t : m.getValue()) {
            if (!(t.getKeyNode() instanceof ScalarNode k) || !(t.getValueNode() instanceof ScalarNode val)
                    || val.getTag().equals(Tag.NULL)) {
                problem(t.getValueNode(), "'" + key + "' must map names to text, got " + describe(t.getValueNode()));
                return null;
            }
            if (out.put(k.getValue(), val.getValue()) != null) {
                problem(k, "duplicate key '" + k.getValue() + "' in '" + key + "'");
            }
        }
        return out;
    }

    YamlObject object(String key, boolean required) {
        Node v = value(key, required);
        if (v == null) {
            return null;
        }
        if (!(v instanceof MappingNode m)) {
            problem(v, "'" + key + "' must be a mapping, got " + describe(v));
            return null;
        }
        return new YamlObject(file, m, problems);
    }

    List<YamlObject> objects(String key, boolean required) {
        Node v = value(key, required);
        if (v == null) {
            return null;
        }
        if (!(v instanceof SequenceNode seq)) {
            problem(v, "'" + key + "' must be a list, got " + describe(v));
            return null;
        }
        List<YamlObject> out = new ArrayList<>();
        for (Node item : seq.getValue()) {
            if (item instanceof MappingNode m) {
                out.add(new YamlObject(file, m, problems));
            } else {
                problem(item, "each item of '" + key + "' must be a mapping, got " + describe(item));
                return null;
            }
        }
        return out;
    }

    /**
     * A field's value as JSON, keeping YAML's types (whole numbers, numbers, booleans, null, text; a timestamp stays
     * the text written).
     */
    JsonNode json(String key) {
        NodeTuple t = fields.get(key);
        return t == null ? null : toJson(t.getValueNode());
    }

    /** Every field of this mapping as JSON. */
    ObjectNode toJson() {
        return (ObjectNode) toJson(node);
    }

    private JsonNode toJson(Node v) {
        if (v instanceof MappingNode m) {
            ObjectNode o = JSON.objectNode();
            for (NodeTuple t : m.getValue()) {
                if (t.getKeyNode() instanceof ScalarNode k) {
                    o.set(k.getValue(), toJson(t.getValueNode()));
                }
            }
            return o;
        }
        if (v instanceof SequenceNode seq) {
            ArrayNode a = JSON.arrayNode();
            seq.getValue().forEach(item -> a.add(toJson(item)));
            return a;
        }
        ScalarNode s = (ScalarNode) v;
        Tag tag = s.getTag();
        if (tag.equals(Tag.NULL)) {
            return JSON.nullNode();
        }
        if (tag.equals(Tag.BOOL)) {
            String b = s.getValue().toLowerCase(java.util.Locale.ROOT);
            return JSON.booleanNode(b.equals("true") || b.equals("yes") || b.equals("on"));
        }
        if (tag.equals(Tag.INT)) {
            Long n = parseLong(s.getValue());
            if (n != null) {
                return JSON.numberNode(n);
            }
        }
        if (tag.equals(Tag.FLOAT)) {
            try {
                return JSON.numberNode(Double.parseDouble(s.getValue().replace("_", "")));
            } catch (NumberFormatException e) {
                // .inf and .nan stay text; the server says what it makes of them.
            }
        }
        return JSON.stringNode(s.getValue());
    }

    private Node value(String key, boolean required) {
        NodeTuple t = fields.get(key);
        if (t == null || isNull(t.getValueNode())) {
            if (required) {
                problem("missing field '" + key + "'");
            }
            return null;
        }
        return t.getValueNode();
    }

    private void problem(Node at, String message) {
        problems.add(file + ":" + line(at) + ": " + message);
    }

    private static boolean isNull(Node v) {
        return v instanceof ScalarNode s && s.getTag().equals(Tag.NULL);
    }

    private static Long parseLong(String text) {
        String t = text.replace("_", "");
        try {
            if (t.startsWith("0x") || t.startsWith("-0x")) {
                boolean negative = t.startsWith("-");
                long v = Long.parseLong(t.substring(negative ? 3 : 2), 16);
                return negative ? -v : v;
            }
            return Long.parseLong(t.startsWith("+") ? t.substring(1) : t);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static int line(Node n) {
        return n.getStartMark() == null ? 1 : n.getStartMark().getLine() + 1;
    }

    private static String describe(Node n) {
        if (n instanceof MappingNode) {
            return "a mapping";
        }
        if (n instanceof SequenceNode) {
            return "a list";
        }
        ScalarNode s = (ScalarNode) n;
        String kind = s.getTag().equals(Tag.BOOL) ? "the boolean" : s.getTag().equals(Tag.INT) ? "the number"
                : s.getTag().equals(Tag.FLOAT) ? "the number" : s.getTag().equals(Tag.NULL) ? "null" : "the text";
        return s.getTag().equals(Tag.NULL) ? kind : kind + " '" + s.getValue() + "'";
    }
}
