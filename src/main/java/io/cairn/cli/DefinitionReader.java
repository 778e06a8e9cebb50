package io.cairn.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.springframework.scheduling.support.CronExpression;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads a definitions directory: every {@code *.yaml} and {@code *.yml} file under it (recursively, in path order;
 * names starting with a dot are skipped), each YAML document one object with a {@code kind} and a {@code name}, or a
 * list of them. Fields are those of the REST bodies (docs/api.md, "Definitions" and "Deployments"), plus {@code ttl}
 * as a duration. Everything is checked before anything is returned, so a bad file changes nothing on the server.
 */
final class DefinitionReader {

    // The server's rules (features.Names, serving Deployments), repeated so that a typo is reported with its line.
    private static final Pattern OBJECT_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_-]{0,127}");
    private static final Pattern DEPLOYMENT_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");
    private static final Pattern COLUMN = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");
    private static final Set<String> RESERVED_COLUMNS = Set.of("event_timestamp", "created_timestamp");
    private static final Set<String> KEY_TYPES = Set.of("INT64", "INT32", "STRING");
    private static final List<String> FEATURE_TYPES = List.of("INT64", "INT32", "FLOAT64", "FLOAT32", "STRING", "BOOL");
    private static final Pattern SHORT_DURATION = Pattern.compile("(\\d+)\\s*(s|m|h|d|w)");

    private static final Set<String> ENTITY_FIELDS = Set.of("kind", "name", "join_key", "value_type", "description");
    private static final Set<String> VIEW_FIELDS = Set.of("kind", "name", "entities", "features", "ttl",
            "ttl_seconds", "online", "description", "tags", "schedule");
    private static final Set<String> DEPLOYMENT_FIELDS = Set.of("kind", "name", "model", "alias", "canary", "device",
            "max_batch_size", "max_queue_delay_ms", "stale_features");

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private DefinitionReader() {
    }

    /**
     * The objects declared under {@code dirOrFile} (a directory, or one YAML file), in file order.
     *
     * @throws InvalidDefinitions listing every problem found, each as {@code file:line: message}
     */
    static List<Declared> read(Path dirOrFile) {
        List<Path> files = files(dirOrFile);
        List<String> problems = new ArrayList<>();
        List<Declared> declared = new ArrayList<>();
        Map<String, Source> seen = new HashMap<>();
        for (Path file : files) {
            for (YamlObject o : YamlObject.documents(file, problems)) {
                Declared d = object(o);
                if (d == null) {
                    continue;
                }
                Source earlier = seen.putIfAbsent(d.kind() + "/" + d.name(), d.source());
                if (earlier != null) {
                    problems.add(d.source() + ": duplicate " + d.kind().word + " '" + d.name()
                            + "': also declared at " + earlier);
                    continue;
                }
                declared.add(d);
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidDefinitions(problems);
        }
        return declared;
    }

    private static List<Path> files(Path dirOrFile) {
        if (Files.isRegularFile(dirOrFile)) {
            return List.of(dirOrFile);
        }
        if (!Files.isDirectory(dirOrFile)) {
            throw new CliFailure("No such directory: " + dirOrFile);
        }
        try (Stream<Path> walk = Files.walk(dirOrFile)) {
            List<Path> files = walk.filter(Files::isRegularFile)
                    .filter(p -> !hidden(dirOrFile.relativize(p)))
                    .filter(p -> {
                        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
                        return n.endsWith(".yaml") || n.endsWith(".yml");
                    })
                    .sorted().toList();
            if (files.isEmpty()) {
                throw new CliFailure("No *.yaml or *.yml files under " + dirOrFile);
            }
            return files;
        } catch (IOException e) {
            throw new CliFailure("Cannot read " + dirOrFile + ": " + e.getMessage(), e);
        }
    }

    private static boolean hidden(Path relative) {
        for (Path part : relative) {
            if (part.toString().startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    private static Declared object(YamlObject o) {
        String kindWord = o.string("kind", true);
        String name = o.string("name", true);
        if (kindWord == null) {
            return null;
        }
        Kind kind = Kind.of(kindWord);
        if (kind == null) {
            o.problemAt("kind", "unknown kind '" + kindWord + "': use entity, feature_view or deployment");
            return null;
        }
        int before = o.problemsSoFar();
        ObjectNode body = switch (kind) {
            case ENTITY -> entity(o, name);
            case FEATURE_VIEW -> featureView(o, name);
            case DEPLOYMENT -> deployment(o, name);
        };
        if (name == null || body == null || o.problemsSoFar() != before) {
            return null;
        }
        return new Declared(kind, name, o.source(), body);
    }

    private static ObjectNode entity(YamlObject o, String name) {
        o.allowOnly(ENTITY_FIELDS, "entity '" + name + "'");
        checkName(o, name, OBJECT_NAME, "letters, digits, '_' and '-', starting with a letter or '_' (up to 128)");
        ObjectNode body = JSON.objectNode();
        String joinKey = o.string("join_key", true);
        if (joinKey != null && checkColumn(o, "join_key", joinKey)) {
            body.put("join_key", joinKey);
        }
        String type = o.string("value_type", true);
        if (type != null) {
            String t = type.trim().toUpperCase(Locale.ROOT);
            if (!KEY_TYPES.contains(t)) {
                o.problemAt("value_type", "value_type of a join key is INT64, INT32 or STRING, not '" + type + "'");
            }
            body.put("value_type", t);
        }
        String description = o.string("description", false);
        if (description != null) {
            body.put("description", description);
        }
        return body;
    }

    private static ObjectNode featureView(YamlObject o, String name) {
        o.allowOnly(VIEW_FIELDS, "feature_view '" + name + "'");
        checkName(o, name, OBJECT_NAME, "letters, digits, '_' and '-', starting with a letter or '_' (up to 128)");
        ObjectNode body = JSON.objectNode();
        List<String> entities = o.strings("entities", true);
        if (entities != null) {
            if (entities.isEmpty()) {
                o.problemAt("entities", "entities must name at least one entity");
            } else if (new HashSet<>(entities).size() != entities.size()) {
                o.problemAt("entities", "entities names an entity twice: " + entities);
            }
            ArrayNode a = body.putArray("entities");
            entities.forEach(a::add);
        }
        List<YamlObject> features = o.objects("features", true);
        if (features != null) {
            if (features.isEmpty()) {
                o.problemAt("features", "features must list at least one feature");
            }
            ArrayNode a = body.putArray("features");
            Set<String> names = new HashSet<>();
            for (YamlObject f : features) {
                f.allowOnly(Set.of("name", "type"), "a feature of '" + name + "'");
                String fname = f.string("name", true);
                String type = f.string("type", true);
                if (fname != null && checkColumn(f, "name", fname) && !names.add(fname)) {
                    f.problemAt("name", "feature '" + fname + "' is declared twice");
                }
                if (type != null && !FEATURE_TYPES.contains(type.trim().toUpperCase(Locale.ROOT))) {
                    f.problemAt("type", "unknown feature type '" + type + "': use one of " + FEATURE_TYPES);
                }
                if (fname != null && type != null) {
                    a.addObject().put("name", fname).put("type", type.trim().toUpperCase(Locale.ROOT));
                }
            }
        }
        if (o.has("ttl") && o.has("ttl_seconds")) {
            o.problemAt("ttl", "give ttl or ttl_seconds, not both");
        } else if (o.has("ttl_seconds")) {
            Long ttl = o.integer("ttl_seconds", false);
            if (ttl != null && ttl < 0) {
                o.problemAt("ttl_seconds", "ttl_seconds must be 0 (no limit) or a positive number of seconds");
            } else if (ttl != null) {
                body.put("ttl_seconds", ttl);
            }
        } else if (o.has("ttl")) {
            Long ttl = o.json("ttl").isNumber() ? o.integer("ttl", false) : ttlSeconds(o);
            if (ttl != null && ttl < 0) {
                o.problemAt("ttl", "ttl must be 0 (no limit) or positive");
            } else if (ttl != null) {
                body.put("ttl_seconds", ttl);
            }
        }
        Boolean online = o.bool("online");
        if (online != null) {
            body.put("online", online);
        }
        String description = o.string("description", false);
        if (description != null) {
            body.put("description", description);
        }
        Map<String, String> tags = o.stringMap("tags");
        if (tags != null) {
            ObjectNode t = body.putObject("tags");
            tags.forEach(t::put);
        }
        String schedule = o.string("schedule", false);
        if (schedule != null) {
            String problem = scheduleProblem(schedule.trim());
            if (problem != null) {
                o.problemAt("schedule", problem);
            }
            body.put("schedule", schedule.trim());
        }
        return body;
    }

    private static ObjectNode deployment(YamlObject o, String name) {
        o.allowOnly(DEPLOYMENT_FIELDS, "deployment '" + name + "'");
        checkName(o, name, DEPLOYMENT_NAME, "letters, digits, '_', '.' and '-', starting with a letter or digit "
                + "(up to 128)");
        ObjectNode body = JSON.objectNode();
        String model = o.string("model", true);
        String alias = o.string("alias", true);
        if (model != null) {
            body.put("model", model);
        }
        if (alias != null) {
            body.put("alias", alias);
        }
        YamlObject canary = o.object("canary", false);
        if (canary != null) {
            canary.allowOnly(Set.of("alias", "percent", "guard"), "the canary of '" + name + "'");
            ObjectNode c = body.putObject("canary");
            String canaryAlias = canary.string("alias", true);
            if (canaryAlias != null) {
                if (canaryAlias.equals(alias)) {
                    canary.problemAt("alias", "canary.alias must differ from alias ('" + alias + "')");
                }
                c.put("alias", canaryAlias);
            }
            Long percent = canary.integer("percent", true);
            if (percent != null) {
                if (percent < 0 || percent > 100) {
                    canary.problemAt("percent", "canary.percent must be between 0 and 100");
                }
                c.put("percent", percent);
            }
            YamlObject guard = canary.object("guard", false);
            if (guard != null) {
                guard.allowOnly(Set.of("metric", "max_degradation", "min_samples"), "the canary guard of '" + name
                        + "'");
                ObjectNode g = c.putObject("guard");
                String metric = guard.string("metric", true);
                if (metric != null) {
                    g.put("metric", metric);
                }
                Double max = guard.number("max_degradation", true);
                if (max != null) {
                    if (max < 0) {
                        guard.problemAt("max_degradation", "max_degradation must be 0 or more");
                    }
                    g.put("max_degradation", max);
                }
                Long minSamples = guard.integer("min_samples", false);
                if (minSamples != null) {
                    if (minSamples < 1 || minSamples > 100_000_000) {
                        guard.problemAt("min_samples", "min_samples must be between 1 and 100000000");
                    }
                    g.put("min_samples", minSamples);
                }
            }
        }
        String device = o.string("device", false);
        if (device != null) {
            String d = device.trim().toLowerCase(Locale.ROOT);
            if (!Set.of("auto", "cpu", "cuda").contains(d)) {
                o.problemAt("device", "device is auto, cpu or cuda, not '" + device + "'");
            }
            body.put("device", d);
        }
        Long batch = o.integer("max_batch_size", false);
        if (batch != null) {
            if (batch < 1 || batch > 4096) {
                o.problemAt("max_batch_size", "max_batch_size must be between 1 (no batching) and 4096");
            }
            body.put("max_batch_size", batch);
        }
        Long delay = o.integer("max_queue_delay_ms", false);
        if (delay != null) {
            if (delay < 0 || delay > 1000) {
                o.problemAt("max_queue_delay_ms", "max_queue_delay_ms must be between 0 and 1000");
            }
            body.put("max_queue_delay_ms", delay);
        }
        String stale = o.string("stale_features", false);
        if (stale != null) {
            if (!stale.equals("reject") && !stale.equals("accept")) {
                o.problemAt("stale_features", "stale_features is reject or accept, not '" + stale + "'");
            }
            body.put("stale_features", stale);
        }
        return body;
    }

    private static void checkName(YamlObject o, String name, Pattern pattern, String rule) {
        if (name != null && !pattern.matcher(name).matches()) {
            o.problemAt("name", "invalid name '" + name + "': use " + rule);
        }
    }

    private static boolean checkColumn(YamlObject o, String field, String value) {
        if (!COLUMN.matcher(value).matches()) {
            o.problemAt(field, "invalid " + field + " '" + value + "': it becomes a column name, so use letters, "
                    + "digits and '_', starting with a letter or '_' (up to 63)");
            return false;
        }
        if (RESERVED_COLUMNS.contains(value)) {
            o.problemAt(field, "'" + value + "' is reserved for the row's timestamps; choose another " + field);
            return false;
        }
        return true;
    }

    /** {@code ttl}: an ISO-8601 duration ({@code PT24H}, {@code P1D}) or a number and a unit ({@code 90m}, {@code 1d}). */
    private static Long ttlSeconds(YamlObject o) {
        String text = o.string("ttl", false);
        if (text == null) {
            return null;
        }
        String t = text.trim();
        Matcher m = SHORT_DURATION.matcher(t);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            long unit = switch (m.group(2)) {
                case "s" -> 1;
                case "m" -> 60;
                case "h" -> 3600;
                case "d" -> 86_400;
                default -> 604_800;
            };
            return n * unit;
        }
        try {
            Duration d = Duration.parse(t.toUpperCase(Locale.ROOT));
            if (d.getNano() != 0) {
                o.problemAt("ttl", "ttl is a whole number of seconds, not " + text);
                return null;
            }
            return d.getSeconds();
        } catch (DateTimeParseException e) {
            o.problemAt("ttl", "ttl must be a duration such as 24h, 7d, 90m, 3600s or PT24H, not '" + text + "'");
            return null;
        }
    }

    /** The server's two forms of schedule: an ISO-8601 interval, or a 6-field Spring cron expression. */
    static String scheduleProblem(String schedule) {
        if (schedule.startsWith("P") || schedule.startsWith("p")) {
            try {
                Duration d = Duration.parse(schedule.toUpperCase(Locale.ROOT));
                return d.isNegative() || d.isZero() ? "schedule interval must be positive, not " + schedule : null;
            } catch (DateTimeParseException e) {
                return "schedule '" + schedule + "' is not an ISO-8601 duration such as PT15M";
            }
        }
        if (CronExpression.isValidExpression(schedule)) {
            return null;
        }
        return "schedule must be an ISO-8601 duration such as PT15M or a 6-field cron expression such as "
                + "'0 */15 * * * *' (second minute hour day month weekday), not '" + schedule + "'";
    }
}
