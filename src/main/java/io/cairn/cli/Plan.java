package io.cairn.cli;

import java.io.PrintWriter;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * What {@code apply} would do: for each declared object create, change (with the fields that change), unchanged, or
 * refused (a change the server would refuse as breaking, or one that cannot work), and with prune the objects the
 * server holds that the directory does not declare. The rules of breaking changes are the server's
 * ({@code features.FeatureDefinitions}); the defaults applied before comparing are those of its REST bodies.
 */
final class Plan {

    /** What happens to one object. */
    enum Action {
        CREATE("+", "create"), CHANGE("~", "change"), UNCHANGED("=", "unchanged"), REFUSED("!", "refused"),
        DELETE("-", "delete");

        final String symbol;
        final String word;

        Action(String symbol, String word) {
            this.symbol = symbol;
            this.word = word;
        }
    }

    /**
     * One object's step. {@code changes} are {@code field: before -> after} lines; {@code reason} says why a step is
     * refused; {@code body} is the PUT body (null for deletions).
     */
    record Step(Action action, Kind kind, String name, Source source, List<String> changes, String reason,
                ObjectNode body) {
    }

    /** The objects the server holds, per kind and name, as its listings show them. */
    record ServerState(Map<Kind, Map<String, JsonNode>> objects) {

        JsonNode get(Kind kind, String name) {
            return objects.getOrDefault(kind, Map.of()).get(name);
        }

        Set<String> names(Kind kind) {
            return objects.getOrDefault(kind, Map.of()).keySet();
        }

        static ServerState of(Map<Kind, List<JsonNode>> lists) {
            Map<Kind, Map<String, JsonNode>> objects = new EnumMap<>(Kind.class);
            lists.forEach((kind, items) -> {
                Map<String, JsonNode> byName = new TreeMap<>();
                items.forEach(item -> byName.put(item.get("name").asString(), item));
                objects.put(kind, byName);
            });
            return new ServerState(objects);
        }
    }

    /** Whether a registered model has an alias: empty when it does, else the server's reason. */
    interface AliasCheck {
        Optional<String> problem(String model, String alias);
    }

    /** Prune: delete what the server holds and the directory does not declare, among names with this prefix. */
    record Prune(String prefix) {
        boolean covers(String name) {
            return prefix == null || name.startsWith(prefix);
        }
    }

    /** The server's default for a canary guard's min_samples ({@code serving.CanaryGuard}). */
    static final int DEFAULT_GUARD_MIN_SAMPLES = 500;

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final List<Step> steps;
    private final int undeclared;
    private final boolean prune;

    private Plan(List<Step> steps, int undeclared, boolean prune) {
        this.steps = List.copyOf(steps);
        this.undeclared = undeclared;
        this.prune = prune;
    }

    List<Step> steps() {
        return steps;
    }

    Optional<Step> step(Kind kind, String name) {
        return steps.stream().filter(s -> s.kind() == kind && s.name().equals(name)).findFirst();
    }

    boolean refused() {
        return steps.stream().anyMatch(s -> s.action() == Action.REFUSED);
    }

    boolean changesSomething() {
        return steps.stream().anyMatch(s -> s.action() != Action.UNCHANGED);
    }

    long count(Action action) {
        return steps.stream().filter(s -> s.action() == action).count();
    }

    /**
     * Compares the declared objects with the server's.
     *
     * @param prune null when nothing is to be deleted
     */
    static Plan compute(List<Declared> declared, ServerState server, Prune prune, AliasCheck aliases) {
        Map<Kind, Map<String, Declared>> wanted = new EnumMap<>(Kind.class);
        for (Kind k : Kind.values()) {
            wanted.put(k, new LinkedHashMap<>());
        }
        declared.forEach(d -> wanted.get(d.kind()).put(d.name(), d));

        Map<Kind, List<String>> undeclared = new EnumMap<>(Kind.class);
        int undeclaredCount = 0;
        for (Kind k : Kind.values()) {
            List<String> names = new ArrayList<>();
            for (String name : server.names(k)) {
                if (!wanted.get(k).containsKey(name)) {
                    undeclaredCount++;
                    if (prune != null && prune.covers(name)) {
                        names.add(name);
                    }
                }
            }
            undeclared.put(k, names);
        }

        List<Step> steps = new ArrayList<>();
        for (Declared d : wanted.get(Kind.ENTITY).values()) {
            steps.add(entity(d, server));
        }
        for (Declared d : wanted.get(Kind.FEATURE_VIEW).values()) {
            steps.add(featureView(d, server, wanted.get(Kind.ENTITY)));
        }
        for (Declared d : wanted.get(Kind.DEPLOYMENT).values()) {
            steps.add(deployment(d, server, aliases));
        }
        // Deleted in reverse order of dependency: deployments, then views, then the entities they were keyed by.
        for (String name : undeclared.get(Kind.DEPLOYMENT)) {
            steps.add(new Step(Action.DELETE, Kind.DEPLOYMENT, name, null, List.of(), null, null));
        }
        Set<String> deletedViews = new HashSet<>(undeclared.get(Kind.FEATURE_VIEW));
        for (String name : undeclared.get(Kind.FEATURE_VIEW)) {
            steps.add(new Step(Action.DELETE, Kind.FEATURE_VIEW, name, null,
                    List.of("its offline rows and online values are deleted with it"), null, null));
        }
        for (String name : undeclared.get(Kind.ENTITY)) {
            Set<String> users = new LinkedHashSet<>();
            wanted.get(Kind.FEATURE_VIEW).values().forEach(v -> {
                if (texts(v.body().get("entities")).contains(name)) {
                    users.add(v.name());
                }
            });
            server.names(Kind.FEATURE_VIEW).forEach(v -> {
                if (!deletedViews.contains(v) && texts(server.get(Kind.FEATURE_VIEW, v).get("entities")).contains(name)) {
                    users.add(v);
                }
            });
            steps.add(users.isEmpty() ? new Step(Action.DELETE, Kind.ENTITY, name, null, List.of(), null, null)
                    : new Step(Action.REFUSED, Kind.ENTITY, name, null, List.of(), "Cannot delete entity '" + name
                    + "': feature views " + users + " are keyed by it and stay.", null));
        }
        return new Plan(steps, prune == null ? undeclaredCount : 0, prune != null);
    }

    // ---- entities --------------------------------------------------------------------------------------------------

    private static Step entity(Declared d, ServerState server) {
        JsonNode current = server.get(Kind.ENTITY, d.name());
        if (current == null) {
            return new Step(Action.CREATE, d.kind(), d.name(), d.source(), List.of(), null, d.body());
        }
        ObjectNode want = entityState(d.body());
        ObjectNode have = entityState(current);
        List<String> changes = diff(have, want, Set.of());
        boolean keyChanged = !want.get("join_key").equals(have.get("join_key"))
                || !want.get("value_type").equals(have.get("value_type"));
        if (keyChanged) {
            List<String> users = new ArrayList<>();
            server.names(Kind.FEATURE_VIEW).forEach(v -> {
                if (texts(server.get(Kind.FEATURE_VIEW, v).get("entities")).contains(d.name())) {
                    users.add(v);
                }
            });
            if (!users.isEmpty()) {
                return new Step(Action.REFUSED, d.kind(), d.name(), d.source(), changes, "Cannot change entity '"
                        + d.name() + "' from " + have.get("join_key").asString() + " "
                        + have.get("value_type").asString() + " to " + want.get("join_key").asString() + " "
                        + want.get("value_type").asString() + ": feature views " + users
                        + " store rows under that key. Define a new entity instead.", d.body());
            }
        }
        return changed(d, changes);
    }

    static ObjectNode entityState(JsonNode n) {
        ObjectNode s = JSON.objectNode();
        s.put("join_key", text(n, "join_key", ""));
        s.put("value_type", text(n, "value_type", "").toUpperCase(Locale.ROOT));
        s.put("description", text(n, "description", ""));
        return s;
    }

    // ---- feature views ---------------------------------------------------------------------------------------------

    private static Step featureView(Declared d, ServerState server, Map<String, Declared> entities) {
        List<String> entityNames = texts(d.body().get("entities"));
        List<String> missing = new ArrayList<>();
        Set<String> joinKeys = new HashSet<>();
        for (String e : entityNames) {
            JsonNode entity = entities.containsKey(e) ? entities.get(e).body() : server.get(Kind.ENTITY, e);
            if (entity == null) {
                missing.add(e);
            } else {
                joinKeys.add(text(entity, "join_key", ""));
            }
        }
        if (!missing.isEmpty()) {
            return new Step(Action.REFUSED, d.kind(), d.name(), d.source(), List.of(), "Feature view '" + d.name()
                    + "' names entities that are neither declared nor on the server: " + missing + ".", d.body());
        }
        for (JsonNode f : d.body().get("features")) {
            if (joinKeys.contains(f.get("name").asString())) {
                return new Step(Action.REFUSED, d.kind(), d.name(), d.source(), List.of(), "Feature '"
                        + f.get("name").asString() + "' of feature view '" + d.name()
                        + "' has the name of a join key; rename it.", d.body());
            }
        }
        JsonNode current = server.get(Kind.FEATURE_VIEW, d.name());
        if (current == null) {
            return new Step(Action.CREATE, d.kind(), d.name(), d.source(), List.of(), null, d.body());
        }
        ObjectNode want = viewState(d.body());
        ObjectNode have = viewState(current);
        List<String> haveEntities = texts(have.get("entities"));
        if (!new HashSet<>(haveEntities).equals(new HashSet<>(entityNames))) {
            return new Step(Action.REFUSED, d.kind(), d.name(), d.source(), List.of(), "Cannot change the entities of "
                    + "feature view '" + d.name() + "' from " + haveEntities + " to " + entityNames
                    + ": its stored rows are keyed by " + haveEntities + ". Delete the view and define it again, or "
                    + "define a new view.", d.body());
        }
        Map<String, String> wantFeatures = features(want);
        Map<String, String> haveFeatures = features(have);
        List<String> dropped = new ArrayList<>();
        List<String> retyped = new ArrayList<>();
        haveFeatures.forEach((name, type) -> {
            String now = wantFeatures.get(name);
            if (now == null) {
                dropped.add(name);
            } else if (!now.equals(type)) {
                retyped.add(name + " " + type + " -> " + now);
            }
        });
        if (!dropped.isEmpty() || !retyped.isEmpty()) {
            StringBuilder msg = new StringBuilder("Breaking change to feature view '" + d.name() + "' refused:");
            if (!dropped.isEmpty()) {
                msg.append(" it would drop feature(s) ").append(dropped).append(';');
            }
            if (!retyped.isEmpty()) {
                msg.append(" it would retype feature(s) ").append(retyped).append(';');
            }
            msg.append(" stored rows hold these values. Adding features is allowed; for anything else define a new "
                    + "feature view, or delete this one and define it again.");
            return new Step(Action.REFUSED, d.kind(), d.name(), d.source(), List.of(), msg.toString(), d.body());
        }
        List<String> changes = new ArrayList<>();
        List<String> added = new ArrayList<>();
        wantFeatures.forEach((name, type) -> {
            if (!haveFeatures.containsKey(name)) {
                added.add(name + " " + type);
            }
        });
        if (!added.isEmpty()) {
            changes.add("features: add " + String.join(", ", added));
        } else if (!new ArrayList<>(wantFeatures.keySet()).equals(new ArrayList<>(haveFeatures.keySet()))) {
            changes.add("features: reordered to " + wantFeatures.keySet());
        }
        changes.addAll(diff(have, want, Set.of("entities", "features")));
        return changed(d, changes);
    }

    static ObjectNode viewState(JsonNode n) {
        ObjectNode s = JSON.objectNode();
        ArrayNode entities = s.putArray("entities");
        texts(n.get("entities")).forEach(entities::add);
        ArrayNode features = s.putArray("features");
        JsonNode fs = n.get("features");
        if (fs != null) {
            for (JsonNode f : fs) {
                features.addObject().put("name", text(f, "name", "")).put("type",
                        text(f, "type", "").toUpperCase(Locale.ROOT));
            }
        }
        s.set("ttl_seconds", number(n.get("ttl_seconds"), 0));
        s.put("online", n.get("online") == null || n.get("online").isNull() || n.get("online").asBoolean());
        s.put("description", text(n, "description", ""));
        JsonNode tags = n.get("tags");
        s.set("tags", tags == null || tags.isNull() ? JSON.objectNode() : tags);
        JsonNode schedule = n.get("schedule");
        // Absent or null means none, on both sides (a server without schedules never sends the field).
        if (schedule != null && !schedule.isNull() && !(schedule.isString() && schedule.asString().isBlank())) {
            s.set("schedule", schedule);
        }
        return s;
    }

    private static Map<String, String> features(ObjectNode state) {
        Map<String, String> m = new LinkedHashMap<>();
        state.get("features").forEach(f -> m.put(f.get("name").asString(), f.get("type").asString()));
        return m;
    }

    // ---- deployments -----------------------------------------------------------------------------------------------

    private static Step deployment(Declared d, ServerState server, AliasCheck aliases) {
        JsonNode current = server.get(Kind.DEPLOYMENT, d.name());
        ObjectNode want = deploymentState(d.body());
        List<String> changes = current == null ? List.of() : diff(deploymentState(current), want, Set.of());
        if (current != null && changes.isEmpty()) {
            return changed(d, changes);
        }
        String model = want.get("model").asString();
        List<String> problems = new ArrayList<>();
        aliases.problem(model, want.get("alias").asString()).ifPresent(problems::add);
        JsonNode canary = want.get("canary");
        if (canary != null) {
            aliases.problem(model, canary.get("alias").asString()).ifPresent(p -> problems.add("canary: " + p));
        }
        if (!problems.isEmpty()) {
            return new Step(Action.REFUSED, d.kind(), d.name(), d.source(), changes, String.join(" ", problems),
                    d.body());
        }
        return current == null ? new Step(Action.CREATE, d.kind(), d.name(), d.source(), List.of(), null, d.body())
                : changed(d, changes);
    }

    static ObjectNode deploymentState(JsonNode n) {
        ObjectNode s = JSON.objectNode();
        s.put("model", text(n, "model", ""));
        s.put("alias", text(n, "alias", ""));
        JsonNode canary = n.get("canary");
        if (canary != null && !canary.isNull()) {
            ObjectNode c = s.putObject("canary");
            c.put("alias", text(canary, "alias", ""));
            c.set("percent", number(canary.get("percent"), 0));
            JsonNode guard = canary.get("guard");
            if (guard != null && !guard.isNull()) {
                ObjectNode g = c.putObject("guard");
                g.put("metric", text(guard, "metric", ""));
                g.set("max_degradation", number(guard.get("max_degradation"), 0));
                g.set("min_samples", number(guard.get("min_samples"), DEFAULT_GUARD_MIN_SAMPLES));
            }
        }
        s.put("device", text(n, "device", "auto").toLowerCase(Locale.ROOT));
        s.set("max_batch_size", number(n.get("max_batch_size"), 1));
        s.set("max_queue_delay_ms", number(n.get("max_queue_delay_ms"), 0));
        s.put("stale_features", text(n, "stale_features", "reject"));
        return s;
    }

    // ---- helpers ---------------------------------------------------------------------------------------------------

    private static Step changed(Declared d, List<String> changes) {
        return new Step(changes.isEmpty() ? Action.UNCHANGED : Action.CHANGE, d.kind(), d.name(), d.source(),
                changes, null, d.body());
    }

    /** {@code field: before -> after} for each top-level field whose value differs, skipping {@code skip}. */
    private static List<String> diff(ObjectNode have, ObjectNode want, Set<String> skip) {
        Set<String> fields = new LinkedHashSet<>(want.propertyNames());
        fields.addAll(have.propertyNames());
        List<String> changes = new ArrayList<>();
        for (String field : fields) {
            if (skip.contains(field)) {
                continue;
            }
            JsonNode before = have.get(field);
            JsonNode after = want.get(field);
            if (!Objects.equals(before, after)) {
                changes.add(field + ": " + render(before) + " -> " + render(after));
            }
        }
        return changes;
    }

    private static String render(JsonNode n) {
        return n == null ? "(none)" : n.toString();
    }

    private static String text(JsonNode n, String field, String fallback) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? fallback : v.asString();
    }

    /**
     * A number in one form whatever JSON or YAML wrote (86400, 86400.0 and a long read as an int compare equal): whole
     * values as longs, others as doubles.
     */
    private static JsonNode number(JsonNode v, long fallback) {
        if (v == null || v.isNull()) {
            return JSON.numberNode(fallback);
        }
        if (!v.isNumber()) {
            return v;
        }
        BigDecimal d = v.decimalValue();
        if (d.signum() == 0 || d.stripTrailingZeros().scale() <= 0) {
            try {
                return JSON.numberNode(d.longValueExact());
            } catch (ArithmeticException e) {
                return JSON.numberNode(v.doubleValue());
            }
        }
        return JSON.numberNode(v.doubleValue());
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        if (array != null) {
            array.forEach(e -> out.add(e.asString()));
        }
        return out;
    }

    // ---- output ----------------------------------------------------------------------------------------------------

    /** One line per object, its changes or reason indented below it, then the counts. */
    void print(PrintWriter out) {
        for (Step s : steps) {
            out.printf("%s %-9s %s %s%s%n", s.action().symbol, s.action().word, s.kind().word, s.name(),
                    s.source() == null ? "" : "  (" + s.source() + ")");
            s.changes().forEach(c -> out.println("      " + c));
            if (s.reason() != null) {
                out.println("      " + s.reason());
            }
        }
        out.printf("Plan: %d to create, %d to change, %d to delete, %d unchanged, %d refused.%n",
                count(Action.CREATE), count(Action.CHANGE), count(Action.DELETE), count(Action.UNCHANGED),
                count(Action.REFUSED));
        if (!prune && undeclared > 0) {
            out.printf("%d object(s) on the server are not declared here; --prune would delete them "
                    + "(plan --prune lists them).%n", undeclared);
        }
        out.flush();
    }
}
