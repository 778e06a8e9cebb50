package io.cairn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.HttpJson;
import io.cairn.IntegrationTest;
import io.cairn.artifacts.ArtifactStore;
import io.cairn.serving.OnnxModels;
import io.cairn.serving.ServingFixtures;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The command line run in-process against the running server, as a user would run it: plan, apply, the breaking
 * change refused, prune; ingest, materialize and a training set written to a file; deploy and status; its errors.
 */
@IntegrationTest
class CliIT {

    @LocalServerPort
    int port;

    @Autowired
    ArtifactStore store;

    @TempDir
    Path dir;

    HttpJson http;
    String p;
    final List<String> cleanUp = new ArrayList<>();

    /** What one run of {@code cairn} gave. */
    record Run(int code, String out, String err) {
    }

    @BeforeEach
    void setUp() {
        http = new HttpJson("http://127.0.0.1:" + port);
        p = "cli" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    }

    @AfterEach
    void deleteWhatWasMade() {
        for (String path : cleanUp) {
            http.send(HttpRequest.newBuilder(URI.create(http.base() + path)).DELETE());
        }
    }

    private Run cairn(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--url");
        all.add(http.base());
        return cairnAsIs(all.toArray(String[]::new));
    }

    private static Run cairnAsIs(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Cli.execute(args, new PrintWriter(out), new PrintWriter(err), Map.of(), false);
        return new Run(code, out.toString(), err.toString());
    }

    private Path write(String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        return Files.writeString(file, text);
    }

    private String entityYaml() {
        return """
                kind: entity
                name: %s_driver
                join_key: driver_id
                value_type: INT64
                """.formatted(p);
    }

    private String viewYaml(String ttl, String features) {
        return """
                kind: feature_view
                name: %s_stats
                entities: [%s_driver]
                features:
                %s
                ttl: %s
                tags: {owner: cli-test}
                """.formatted(p, p, features, ttl);
    }

    private static final String BOTH_FEATURES = """
              - {name: conv_rate, type: FLOAT64}
              - {name: trips, type: INT64}""";

    @Test
    void planAndApplyMakeTheServerHoldTheDirectoryAndRefuseBreakingChangesBeforeChangingAnything()
            throws IOException {
        ServingFixtures fx = new ServingFixtures(port, store);
        String model = fx.model(p);
        fx.alias(model, "champion", fx.version(model, OnnxModels.scaling(3, 2f), Map.of()));
        fx.alias(model, "challenger", fx.version(model, OnnxModels.scaling(3, 3f), Map.of()));
        String deployment = p + "_dep";
        cleanUp.add("/api/v1/deployments/" + deployment);
        cleanUp.add("/api/v1/feature-views/" + p + "_stats");
        cleanUp.add("/api/v1/entities/" + p + "_driver");

        write("entities.yaml", entityYaml());
        Path view = write("views/stats.yml", viewYaml("1d", BOTH_FEATURES));
        Path deploy = write("serving.yaml", """
                kind: deployment
                name: %s
                model: %s
                alias: champion
                canary:
                  alias: challenger
                  percent: 10
                  guard: {metric: error_rate, max_degradation: 0.05}
                """.formatted(deployment, model));

        Run plan = cairn("plan", dir.toString());
        assertThat(plan.code()).as(plan.err()).isZero();
        assertThat(plan.out()).contains("+ create    entity " + p + "_driver  (" + dir.resolve("entities.yaml") + ":1)")
                .contains("+ create    feature_view " + p + "_stats").contains("+ create    deployment " + deployment)
                .contains("Plan: 3 to create, 0 to change, 0 to delete, 0 unchanged, 0 refused.");
        assertThat(http.get("/api/v1/entities/" + p + "_driver").status()).isEqualTo(404);

        Run apply = cairn("apply", dir.toString());
        assertThat(apply.code()).as(apply.err()).isZero();
        assertThat(apply.out()).contains("Apply complete: 3 created, 0 changed, 0 deleted, 0 unchanged.");
        assertThat(http.get("/api/v1/feature-views/" + p + "_stats").json().get("ttl_seconds").asLong())
                .isEqualTo(86400);
        assertThat(http.get("/api/v1/deployments/" + deployment).json().at("/canary/guard/min_samples").asInt())
                .isEqualTo(500);

        Run again = cairn("plan", dir.toString(), "--detailed-exitcode");
        assertThat(again.code()).as(again.out() + again.err()).isZero();
        assertThat(again.out()).contains("= unchanged entity " + p + "_driver")
                .contains("= unchanged feature_view " + p + "_stats").contains("= unchanged deployment " + deployment);
        assertThat(cairn("apply", dir.toString()).out())
                .contains("Apply complete: 0 created, 0 changed, 0 deleted, 3 unchanged.");

        Files.writeString(view, viewYaml("1h", BOTH_FEATURES));
        Run changed = cairn("plan", dir.toString(), "--detailed-exitcode");
        assertThat(changed.code()).isEqualTo(2);
        assertThat(changed.out()).contains("~ change    feature_view " + p + "_stats")
                .contains("      ttl_seconds: 86400 -> 3600").contains("1 to change");
        assertThat(http.get("/api/v1/feature-views/" + p + "_stats").json().get("ttl_seconds").asLong())
                .isEqualTo(86400);

        // The TTL change and a dropped feature together: the drop is refused, and the TTL is not changed either.
        Files.writeString(view, viewYaml("1h", "  - {name: conv_rate, type: FLOAT64}"));
        Run refused = cairn("plan", dir.toString());
        assertThat(refused.code()).isEqualTo(1);
        assertThat(refused.out()).contains("! refused   feature_view " + p + "_stats")
                .contains("it would drop feature(s) [trips]");
        Run notApplied = cairn("apply", dir.toString());
        assertThat(notApplied.code()).isEqualTo(1);
        assertThat(notApplied.err()).contains("nothing was changed");
        assertThat(http.get("/api/v1/feature-views/" + p + "_stats").json().get("ttl_seconds").asLong())
                .isEqualTo(86400);

        Files.writeString(view, viewYaml("1h", BOTH_FEATURES));
        Run ttl = cairn("apply", dir.toString());
        assertThat(ttl.out()).contains("~ changed   feature_view " + p + "_stats")
                .contains("Apply complete: 0 created, 1 changed, 0 deleted, 2 unchanged.");
        assertThat(http.get("/api/v1/feature-views/" + p + "_stats").json().get("ttl_seconds").asLong())
                .isEqualTo(3600);

        // A schedule goes to the server, and is then unchanged; taking it out of the file takes it off the view.
        Files.writeString(view, viewYaml("1h", BOTH_FEATURES) + "schedule: PT1H\n");
        Run scheduled = cairn("apply", dir.toString());
        assertThat(scheduled.code()).as(scheduled.err()).isZero();
        assertThat(http.get("/api/v1/feature-views/" + p + "_stats").json().get("schedule").asString())
                .isEqualTo("PT1H");
        assertThat(cairn("plan", dir.toString()).out()).contains("= unchanged feature_view " + p + "_stats");
        Files.writeString(view, viewYaml("1h", BOTH_FEATURES));
        assertThat(cairn("plan", dir.toString()).out()).contains("~ change    feature_view " + p + "_stats");
        assertThat(cairn("apply", dir.toString()).code()).isZero();
        assertThat(http.get("/api/v1/feature-views/" + p + "_stats").json().path("schedule").isNull()).isTrue();

        // Prune, limited to this test's names on a server other tests share: deployments go before views.
        Files.delete(view);
        Files.delete(deploy);
        Run planPrune = cairn("plan", dir.toString(), "--prune-prefix", p);
        assertThat(planPrune.out()).contains("- delete    deployment " + deployment)
                .contains("- delete    feature_view " + p + "_stats").contains("= unchanged entity " + p + "_driver");
        Run pruned = cairn("apply", dir.toString(), "--prune", "--prune-prefix", p);
        assertThat(pruned.code()).as(pruned.err()).isZero();
        assertThat(pruned.out()).containsSubsequence("- deleted   deployment " + deployment,
                "- deleted   feature_view " + p + "_stats");
        assertThat(http.get("/api/v1/feature-views/" + p + "_stats").status()).isEqualTo(404);
        assertThat(http.get("/api/v1/deployments/" + deployment).status()).isEqualTo(404);
        assertThat(http.get("/api/v1/entities/" + p + "_driver").status()).isEqualTo(200);

        Files.writeString(dir.resolve("entities.yaml"), "# nothing declared any more\n");
        assertThat(cairn("apply", dir.toString(), "--prune-prefix", p).out())
                .contains("- deleted   entity " + p + "_driver");
        assertThat(http.get("/api/v1/entities/" + p + "_driver").status()).isEqualTo(404);
    }

    @Test
    void ingestMaterializeAndATrainingSetWrittenToAFile() throws IOException {
        String view = p + "_stats";
        cleanUp.add("/api/v1/feature-views/" + view);
        cleanUp.add("/api/v1/entities/" + p + "_driver");
        write("defs/all.yaml", entityYaml() + "---\n" + viewYaml("0s", BOTH_FEATURES));
        assertThat(cairn("apply", dir.resolve("defs").toString()).code()).isZero();

        Path csv = write("rows.csv", """
                driver_id,event_timestamp,conv_rate,trips
                1,2026-01-01T00:00:00Z,0.5,10
                1,2026-01-02T00:00:00Z,0.75,12
                2,2026-01-01T12:00:00Z,0.25,3
                """);
        Run ingest = cairn("ingest", view, csv.toString());
        assertThat(ingest.code()).as(ingest.err()).isZero();
        assertThat(ingest.out()).startsWith("Ingested 3 rows into " + view + " (");

        Run materialize = cairn("materialize", "--views", view, "2026-01-01", "2026-01-03T00:00:00Z");
        assertThat(materialize.code()).as(materialize.err()).isZero();
        assertThat(materialize.out()).containsPattern("(?m)^VIEW\\s+START\\s+END\\s+ENTITIES\\s+WRITTEN$")
                .containsPattern("(?m)^" + view + "\\s+2026-01-01T00:00:00Z\\s+2026-01-03T00:00:00Z\\s+2\\s+2$");
        Run incremental = cairn("materialize-incremental", "--views", view, "2026-01-04T00:00:00Z");
        assertThat(incremental.code()).as(incremental.err()).isZero();
        assertThat(incremental.out()).containsPattern("(?m)^" + view + "\\s+2026-01-03T00:00:00Z\\s+"
                + "2026-01-04T00:00:00Z\\s+0\\s+0$");

        String expected = """
                driver_id,event_timestamp,label,conv_rate,trips
                1,2026-01-01T06:00:00Z,1,0.5,10
                2,2026-01-02T00:00:00Z,0,0.25,3
                1,2026-01-03T00:00:00Z,1,0.75,12
                3,2026-01-03T00:00:00Z,0,,
                """;
        Path request = write("request.yaml", """
                features: [%1$s:conv_rate, %1$s:trips]
                entity_rows:
                  - {driver_id: 1, event_timestamp: 2026-01-01T06:00:00Z, label: 1}
                  - {driver_id: 2, event_timestamp: "2026-01-02T00:00:00Z", label: 0}
                  - {driver_id: 1, event_timestamp: "2026-01-03T00:00:00Z", label: 1}
                  - {driver_id: 3, event_timestamp: "2026-01-03T00:00:00Z", label: 0}
                """.formatted(view));
        Path out = dir.resolve("train.csv");
        Run training = cairn("training-set", request.toString(), "--out", out.toString());
        assertThat(training.code()).as(training.err()).isZero();
        assertThat(training.out()).startsWith("Wrote " + out + " (");
        assertThat(Files.readString(out).replace("\r\n", "\n")).isEqualTo(expected);

        // The same entity rows streamed from a CSV file next to the request.
        write("entities.csv", """
                driver_id,event_timestamp,label
                1,2026-01-01T06:00:00Z,1
                2,2026-01-02T00:00:00Z,0
                1,2026-01-03T00:00:00Z,1
                3,2026-01-03T00:00:00Z,0
                """);
        Path csvRequest = write("csv-request.yaml", "features: [%1$s:conv_rate, %1$s:trips]\nentity_csv: entities.csv\n"
                .formatted(view));
        Path out2 = dir.resolve("train2.csv");
        Run fromCsv = cairn("training-set", csvRequest.toString(), "-o", out2.toString());
        assertThat(fromCsv.code()).as(fromCsv.err()).isZero();
        assertThat(Files.readString(out2).replace("\r\n", "\n")).isEqualTo(expected);

        // The server's refusal, in its own words; no half-written file is left behind.
        Path bad = write("bad-request.yaml", "features: [" + view + ":nope]\nentity_csv: entities.csv\n");
        Path out3 = dir.resolve("train3.csv");
        Run refused = cairn("training-set", bad.toString(), "-o", out3.toString());
        assertThat(refused.code()).isEqualTo(1);
        assertThat(refused.err()).startsWith("cairn: The server refused POST /api/v1/training-sets (400 ")
                .contains("nope");
        assertThat(out3).doesNotExist();
        assertThat(dir.resolve("train3.csv.partial")).doesNotExist();
    }

    @Test
    void deployAndStatusShowWhatEachAliasServes() {
        ServingFixtures fx = new ServingFixtures(port, store);
        String model = fx.model(p);
        int version = fx.version(model, OnnxModels.scaling(3, 2f), Map.of());
        fx.alias(model, "champion", version);
        String name = p + "-dep";
        cleanUp.add("/api/v1/deployments/" + name);

        Run deploy = cairn("deploy", name, "--model", model, "--alias", "champion", "--max-batch-size", "8");
        assertThat(deploy.code()).as(deploy.out() + deploy.err()).isZero();
        assertThat(deploy.out()).contains("Deployment " + name + " created (revision ")
                .contains("primary " + model + "@champion: version " + version + ", loaded " + version + ", ready");
        assertThat(http.get("/api/v1/deployments/" + name).json().get("max_batch_size").asInt()).isEqualTo(8);

        Run status = cairn("status");
        assertThat(status.code()).as(status.err()).isZero();
        assertThat(status.out()).containsPattern("(?m)^DEPLOYMENT\\s+MODEL\\s+ROLE\\s+ALIAS\\s+TARGET\\s+LOADED\\s+"
                        + "READY\\s+DRIFT$")
                // No predictions were made, so drift has nothing to say; status says so rather than failing.
                .containsPattern("(?m)^" + name + "\\s+" + model + "\\s+primary\\s+champion\\s+" + version + "\\s+"
                        + version + "\\s+yes\\s+(no predictions|no reference)$");
        assertThat(cairn("status", "--no-drift").out()).containsPattern("(?m)^" + name + "\\s+.*\\s+yes\\s+-$");

        Run noAlias = cairn("deploy", name, "--model", model, "--alias", "missing");
        assertThat(noAlias.code()).isEqualTo(1);
        assertThat(noAlias.err()).startsWith("cairn: The server refused PUT /api/v1/deployments/" + name + " (400 ")
                .contains("has no alias 'missing'");
    }

    @Test
    void errorsAreOneClearLineAndUsageErrorsExitWithTwo() throws IOException {
        Run unreachable = cairnAsIs("status", "--url", "http://127.0.0.1:1");
        assertThat(unreachable.code()).isEqualTo(1);
        assertThat(unreachable.err()).startsWith("cairn: Cannot reach the Cairn server at http://127.0.0.1:1: ")
                .hasLineCount(1);

        Run badTime = cairn("materialize", "yesterday", "2026-01-01");
        assertThat(badTime.code()).isEqualTo(2);
        assertThat(badTime.err()).contains("expected a time with an offset such as 2026-01-01T00:00:00Z");
        assertThat(cairn("nonsense").code()).isEqualTo(2);

        Path file = write("bad.yaml", "kind: entity\nname: " + p + "\njoin_key: id\nvalue_type: FLOAT64\n");
        Run invalid = cairn("apply", dir.toString());
        assertThat(invalid.code()).isEqualTo(1);
        assertThat(invalid.err()).contains(file + ":4: value_type of a join key is INT64, INT32 or STRING, not "
                + "'FLOAT64'").contains("nothing was changed");
        assertThat(http.get("/api/v1/entities/" + p).status()).isEqualTo(404);

        Run missingView = cairn("ingest", p + "_none", write("x.csv", "a\n1\n").toString());
        assertThat(missingView.code()).isEqualTo(1);
        assertThat(missingView.err()).startsWith("cairn: The server refused POST /api/v1/feature-views/" + p
                + "_none/rows (404 ").contains("does not exist");

        // The example repository is accepted as it ships (the global option may also come first).
        Run example = cairnAsIs("--url", http.base(), "plan", "examples/feature_repo");
        assertThat(example.code()).as(example.err()).isZero();
        assertThat(example.out()).contains("entity driver").contains("feature_view driver_stats");

        assertThat(cairnAsIs("--version").out()).startsWith("cairn ");
        assertThat(Cli.isCommand(new String[] {"plan", "x"})).isTrue();
        assertThat(Cli.isCommand(new String[] {"--server.port=8080"})).isFalse();
        assertThat(Cli.isCommand(new String[0])).isFalse();
    }
}
