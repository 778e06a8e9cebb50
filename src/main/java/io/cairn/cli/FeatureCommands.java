package io.cairn.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** The feature store's long operations: materialization, ingestion of a CSV file, training sets. */
final class FeatureCommands {

    private FeatureCommands() {
    }

    /** An ISO-8601 time with an offset, or a date (midnight UTC); answered as an ISO-8601 instant. */
    static final class Timestamp implements CommandLine.ITypeConverter<String> {
        @Override
        public String convert(String value) {
            try {
                return OffsetDateTime.parse(value.trim()).toInstant().toString();
            } catch (DateTimeParseException e) {
                try {
                    return LocalDate.parse(value.trim()).atStartOfDay(java.time.ZoneOffset.UTC).toInstant().toString();
                } catch (DateTimeParseException e2) {
                    throw new CommandLine.TypeConversionException("expected a time with an offset such as "
                            + "2026-01-01T00:00:00Z, or a date such as 2026-01-01 (midnight UTC), not '" + value + "'");
                }
            }
        }
    }

    @Command(name = "materialize", mixinStandardHelpOptions = true,
            description = "Copies the latest row per entity with START <= event_timestamp <= END to the online store, "
                    + "view by view (all online views unless --views names them).")
    static final class Materialize implements Callable<Integer> {

        @ParentCommand
        Cli cli;

        @Option(names = "--views", split = ",", paramLabel = "VIEW", description = "Views to materialize, "
                + "comma-separated (default: every online view).")
        List<String> views;

        @Parameters(index = "0", paramLabel = "START", converter = Timestamp.class,
                description = "e.g. 2026-01-01T00:00:00Z or 2026-01-01")
        String start;

        @Parameters(index = "1", paramLabel = "END", converter = Timestamp.class)
        String end;

        @Override
        public Integer call() {
            return materialize(cli, views, "/api/v1/materialize", view -> {
                ObjectNode body = CairnServer.JSON.createObjectNode();
                body.putArray("feature_views").add(view);
                return body.put("start", start).put("end", end);
            });
        }
    }

    @Command(name = "materialize-incremental", mixinStandardHelpOptions = true,
            description = "Materializes each view from where its last materialization ended up to END (default now).")
    static final class MaterializeIncremental implements Callable<Integer> {

        @ParentCommand
        Cli cli;

        @Option(names = "--views", split = ",", paramLabel = "VIEW", description = "Views to materialize, "
                + "comma-separated (default: every online view).")
        List<String> views;

        @Parameters(index = "0", arity = "0..1", paramLabel = "END", converter = Timestamp.class,
                description = "default: now, by the server's clock")
        String end;

        @Override
        public Integer call() {
            return materialize(cli, views, "/api/v1/materialize-incremental", view -> {
                ObjectNode body = CairnServer.JSON.createObjectNode();
                body.putArray("feature_views").add(view);
                if (end != null) {
                    body.put("end", end);
                }
                return body;
            });
        }
    }

    /** One request per view, so progress can count views and a failure names the view it stopped at. */
    private static int materialize(Cli cli, List<String> views, String path, Function<String, ObjectNode> body) {
        CairnServer server = cli.server();
        List<String> names = views != null && !views.isEmpty() ? views : onlineViews(server);
        if (names.isEmpty()) {
            cli.out.println("No online feature views to materialize.");
            return 0;
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"VIEW", "START", "END", "ENTITIES", "WRITTEN"});
        try (Progress progress = Progress.start(cli.terminal, "Materializing", names.size(), "views", 1)) {
            for (String view : names) {
                JsonNode answer = server.post(path, body.apply(view));
                for (JsonNode r : answer.path("feature_views")) {
                    rows.add(new String[] {r.path("feature_view").asString(), r.path("start").asString(""),
                            r.path("end").asString(""), r.path("entities").asString(""),
                            r.path("written").asString("")});
                }
                progress.stepBy(1);
            }
        } finally {
            if (rows.size() > 1) {
                Table.print(cli.out, rows);
            }
        }
        return 0;
    }

    private static List<String> onlineViews(CairnServer server) {
        List<String> names = new ArrayList<>();
        for (JsonNode v : server.get(Kind.FEATURE_VIEW.collection).path("feature_views")) {
            if (v.path("online").asBoolean(true)) {
                names.add(v.path("name").asString());
            }
        }
        return names;
    }

    @Command(name = "ingest", mixinStandardHelpOptions = true,
            description = "Streams a CSV file (a header row naming the columns) into a view's offline store. The "
                    + "server stores all rows or, on a bad row, none.")
    static final class Ingest implements Callable<Integer> {

        @ParentCommand
        Cli cli;

        @Parameters(index = "0", paramLabel = "VIEW")
        String view;

        @Parameters(index = "1", paramLabel = "FILE.csv")
        Path file;

        @Override
        public Integer call() {
            if (!Files.isRegularFile(file)) {
                throw new CliFailure("No such file: " + file);
            }
            long size = size(file);
            CairnServer server = cli.server();
            String path = Kind.FEATURE_VIEW.path(view) + "/rows";
            long started = System.nanoTime();
            HttpResponse<byte[]> response;
            try (Progress progress = Progress.start(cli.terminal, "Ingesting " + view, size, "MB", 1_000_000)) {
                HttpRequest.Builder request = server.request(path).header("Content-Type", "text/csv")
                        .header("Accept", "application/json")
                        .POST(HttpRequest.BodyPublishers.fromPublisher(
                                HttpRequest.BodyPublishers.ofInputStream(() -> progress.counting(open(file))), size));
                response = server.send(request, "POST " + path);
            }
            JsonNode answer = CairnServer.json(response);
            cli.out.printf("Ingested %s rows into %s (%s in %s).%n", answer.path("rows").asString("?"), view,
                    bytes(size), seconds(System.nanoTime() - started));
            return 0;
        }
    }

    @Command(name = "training-set", mixinStandardHelpOptions = true,
            description = {"Asks for a point-in-time correct training set and writes its CSV to --out as it arrives.",
                    "REQUEST is a YAML file with the fields of POST /api/v1/training-sets: features (view:feature "
                            + "references), entity_rows (a list of mappings) or entity_csv (a CSV file, relative to "
                            + "REQUEST, streamed), and optionally full_feature_names and save_as."})
    static final class TrainingSet implements Callable<Integer> {

        private static final Set<String> FIELDS = Set.of("features", "entity_rows", "entity_csv",
                "full_feature_names", "save_as");

        @ParentCommand
        Cli cli;

        @Parameters(index = "0", paramLabel = "REQUEST.yaml")
        Path requestFile;

        @Option(names = {"-o", "--out"}, required = true, paramLabel = "FILE.csv",
                description = "Where to write the CSV (replaced only once the whole answer has arrived).")
        Path out;

        @Override
        public Integer call() {
            if (!Files.isRegularFile(requestFile)) {
                throw new CliFailure("No such file: " + requestFile);
            }
            List<String> problems = new ArrayList<>();
            List<YamlObject> docs = YamlObject.documents(requestFile, problems);
            if (problems.isEmpty() && docs.size() != 1) {
                problems.add(requestFile + ":1: a training-set request is one mapping with 'features' and "
                        + "'entity_rows' or 'entity_csv'");
            }
            if (!problems.isEmpty()) {
                throw new InvalidDefinitions(problems);
            }
            YamlObject o = docs.get(0);
            o.allowOnly(FIELDS, "the training-set request");
            List<String> features = o.strings("features", true);
            if (features != null && features.isEmpty()) {
                o.problemAt("features", "features must name at least one view:feature");
            }
            Boolean fullNames = o.bool("full_feature_names");
            String saveAs = o.string("save_as", false);
            String entityCsv = null;
            JsonNode entityRows = null;
            if (o.has("entity_rows") == o.has("entity_csv")) {
                o.problem("give the entity rows as entity_rows (a list) or entity_csv (a file), one of the two");
            } else if (o.has("entity_csv")) {
                entityCsv = o.string("entity_csv", true);
            } else {
                entityRows = o.json("entity_rows");
                if (!entityRows.isArray() || !allObjects(entityRows)) {
                    o.problemAt("entity_rows", "entity_rows must be a list of mappings, one per entity row");
                }
            }
            if (o.problemsSoFar() > 0) {
                throw new InvalidDefinitions(problems);
            }
            Path csv = entityCsv == null ? null : requestFile.toAbsolutePath().getParent().resolve(entityCsv);
            if (csv != null && !Files.isRegularFile(csv)) {
                throw new CliFailure("No such file: " + csv + " (entity_csv of " + requestFile + ")");
            }

            CairnServer server = cli.server();
            String path = "/api/v1/training-sets";
            HttpRequest.Builder request;
            Progress upload = Progress.NONE;
            if (csv == null) {
                ObjectNode body = CairnServer.JSON.createObjectNode();
                ArrayNode refs = body.putArray("features");
                features.forEach(refs::add);
                body.set("entity_rows", entityRows);
                if (fullNames != null) {
                    body.put("full_feature_names", fullNames);
                }
                if (saveAs != null) {
                    body.put("save_as", saveAs);
                }
                request = server.request(path).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(CairnServer.JSON.writeValueAsBytes(body)));
            } else {
                StringBuilder query = new StringBuilder("?features=")
                        .append(CairnServer.query(String.join(",", features)));
                if (fullNames != null) {
                    query.append("&full_feature_names=").append(fullNames);
                }
                if (saveAs != null) {
                    query.append("&save_as=").append(CairnServer.query(saveAs));
                }
                long size = size(csv);
                upload = Progress.start(cli.terminal, "Sending entity rows", size, "MB", 1_000_000);
                Progress counted = upload;
                request = server.request(path + query).header("Content-Type", "text/csv")
                        .POST(HttpRequest.BodyPublishers.fromPublisher(
                                HttpRequest.BodyPublishers.ofInputStream(() -> counted.counting(open(csv))), size));
            }
            long started = System.nanoTime();
            HttpResponse<InputStream> response;
            try {
                response = server.stream(request.header("Accept", "text/csv"), "POST " + path);
            } finally {
                upload.close();
            }
            Path partial = out.toAbsolutePath().resolveSibling(out.getFileName() + ".partial");
            long received;
            try (InputStream in = response.body();
                 Progress progress = Progress.start(cli.terminal, "Receiving", -1, "MB", 1_000_000);
                 OutputStream file = progress.counting(Files.newOutputStream(partial))) {
                received = in.transferTo(file);
            } catch (IOException e) {
                deleteQuietly(partial);
                throw new CliFailure("The training set's answer broke off after it started (" + e.getMessage()
                        + "); " + out + " was not written.", e);
            }
            try {
                Files.move(partial, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                deleteQuietly(partial);
                throw new CliFailure("Cannot write " + out + ": " + e.getMessage(), e);
            }
            cli.out.printf("Wrote %s (%s in %s).%n", out, bytes(received), seconds(System.nanoTime() - started));
            response.headers().firstValue("X-Cairn-Training-Set-Id").ifPresent(id -> cli.out.printf(
                    "Saved as '%s': id %s, %s rows, digest %s.%n", saveAs, id,
                    response.headers().firstValue("X-Cairn-Training-Set-Rows").orElse("?"),
                    response.headers().firstValue("X-Cairn-Training-Set-Digest").orElse("?")));
            return 0;
        }

        private static boolean allObjects(JsonNode array) {
            for (JsonNode row : array) {
                if (!row.isObject()) {
                    return false;
                }
            }
            return true;
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------------------------

    private static InputStream open(Path file) {
        try {
            return Files.newInputStream(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new CliFailure("Cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // Best effort: the file is named .partial, so nobody takes it for the answer.
        }
    }

    static String bytes(long n) {
        if (n < 10_000) {
            return n + " bytes";
        }
        if (n < 10_000_000) {
            return String.format(java.util.Locale.ROOT, "%.1f kB", n / 1e3);
        }
        return String.format(java.util.Locale.ROOT, "%.1f MB", n / 1e6);
    }

    static String seconds(long nanos) {
        return String.format(java.util.Locale.ROOT, "%.1f s", Duration.ofNanos(nanos).toMillis() / 1000.0);
    }
}
