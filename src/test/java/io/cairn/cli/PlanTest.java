package io.cairn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.cli.Plan.Action;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** The plan against server states written as the server's GET answers them (defaults filled, extra fields). */
class PlanTest {

    @TempDir
    Path dir;

    private static final Plan.AliasCheck ALL_ALIASES = (model, alias) -> Optional.empty();

    private static final String DRIVER = """
            kind: entity
            name: driver
            join_key: driver_id
            value_type: INT64
            """;

    private static final String STATS = """
            kind: feature_view
            name: driver_stats
            entities: [driver]
            features:
              - {name: conv_rate, type: FLOAT64}
              - {name: trips, type: INT64}
            ttl: 1d
            """;

    // What GET /api/v1/... answers for the two above once applied.
    private static final String DRIVER_ON_SERVER = """
            {"name": "driver", "join_key": "driver_id", "value_type": "INT64", "description": "",
             "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"}""";
    private static final String STATS_ON_SERVER = """
            {"name": "driver_stats", "entities": ["driver"],
             "join_keys": [{"entity": "driver", "name": "driver_id", "type": "INT64"}],
             "features": [{"name": "conv_rate", "type": "FLOAT64"}, {"name": "trips", "type": "INT64"}],
             "ttl_seconds": 86400, "online": true, "description": "", "tags": {},
             "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z", "materialized_until": null}""";

    private Plan plan(String yaml, Map<Kind, List<String>> server, Plan.Prune prune, Plan.AliasCheck aliases)
            throws IOException {
        Files.writeString(dir.resolve("defs.yaml"), yaml);
        Map<Kind, List<JsonNode>> lists = new EnumMap<>(Kind.class);
        for (Kind k : Kind.values()) {
            List<JsonNode> items = new ArrayList<>();
            for (String json : server.getOrDefault(k, List.of())) {
                items.add(CairnServer.JSON.readTree(json));
            }
            lists.put(k, items);
        }
        return Plan.compute(DefinitionReader.read(dir), Plan.ServerState.of(lists), prune, aliases);
    }

    private Plan plan(String yaml, Map<Kind, List<String>> server) throws IOException {
        return plan(yaml, server, null, ALL_ALIASES);
    }

    private static Map<Kind, List<String>> applied() {
        return Map.of(Kind.ENTITY, List.of(DRIVER_ON_SERVER), Kind.FEATURE_VIEW, List.of(STATS_ON_SERVER));
    }

    private static String printed(Plan plan) {
        StringWriter out = new StringWriter();
        plan.print(new PrintWriter(out));
        return out.toString();
    }

    @Test
    void anEmptyServerGetsEverythingCreatedEntitiesFirst() throws IOException {
        Plan plan = plan(STATS + "---\n" + DRIVER, Map.of());
        assertThat(plan.steps()).extracting(s -> s.action() + " " + s.kind() + " " + s.name())
                .containsExactly("CREATE ENTITY driver", "CREATE FEATURE_VIEW driver_stats");
        assertThat(printed(plan)).contains("+ create    entity driver  (" + dir.resolve("defs.yaml") + ":9)")
                .contains("Plan: 2 to create, 0 to change, 0 to delete, 0 unchanged, 0 refused.");
        assertThat(plan.changesSomething()).isTrue();
        assertThat(plan.refused()).isFalse();
    }

    @Test
    void whatTheServerAlreadyHoldsWithItsDefaultsIsUnchanged() throws IOException {
        Plan plan = plan(DRIVER + "---\n" + STATS, applied());
        assertThat(plan.steps()).extracting(Plan.Step::action).containsExactly(Action.UNCHANGED, Action.UNCHANGED);
        assertThat(plan.changesSomething()).isFalse();
    }

    @Test
    void aChangedTtlAndAnAddedFeatureAreChangesNamingTheFields() throws IOException {
        Plan plan = plan(DRIVER + "---\n" + STATS.replace("ttl: 1d", "ttl: 1h\ndescription: hourly"), applied());
        Plan.Step step = plan.step(Kind.FEATURE_VIEW, "driver_stats").orElseThrow();
        assertThat(step.action()).isEqualTo(Action.CHANGE);
        assertThat(step.changes()).containsExactly("ttl_seconds: 86400 -> 3600", "description: \"\" -> \"hourly\"");

        Plan added = plan(DRIVER + "---\n" + STATS.replace("ttl: 1d",
                "  - {name: rating, type: FLOAT32}\nttl: 1d"), applied());
        assertThat(added.step(Kind.FEATURE_VIEW, "driver_stats").orElseThrow().changes())
                .containsExactly("features: add rating FLOAT32");
    }

    @Test
    void droppingOrRetypingAFeatureIsRefusedAsTheServerWould() throws IOException {
        Plan dropped = plan(DRIVER + "---\n" + STATS.replace("  - {name: trips, type: INT64}\n", ""), applied());
        Plan.Step step = dropped.step(Kind.FEATURE_VIEW, "driver_stats").orElseThrow();
        assertThat(step.action()).isEqualTo(Action.REFUSED);
        assertThat(step.reason()).startsWith("Breaking change to feature view 'driver_stats' refused: it would drop "
                + "feature(s) [trips];");
        assertThat(dropped.refused()).isTrue();
        assertThat(printed(dropped)).contains("! refused   feature_view driver_stats");

        Plan retyped = plan(DRIVER + "---\n" + STATS.replace("trips, type: INT64", "trips, type: FLOAT64"), applied());
        assertThat(retyped.step(Kind.FEATURE_VIEW, "driver_stats").orElseThrow().reason())
                .contains("it would retype feature(s) [trips INT64 -> FLOAT64]");
    }

    @Test
    void changingAViewsEntitiesIsRefused() throws IOException {
        String customer = "---\nkind: entity\nname: customer\njoin_key: customer_id\nvalue_type: STRING\n";
        Plan plan = plan(DRIVER + customer + "---\n" + STATS.replace("[driver]", "[driver, customer]"), applied());
        assertThat(plan.step(Kind.FEATURE_VIEW, "driver_stats").orElseThrow().reason())
                .startsWith("Cannot change the entities of feature view 'driver_stats' from [driver] to "
                        + "[driver, customer]");
        assertThat(plan.step(Kind.ENTITY, "customer").orElseThrow().action()).isEqualTo(Action.CREATE);
    }

    @Test
    void changingTheJoinKeyOfAnEntityInUseIsRefusedAndOfAnUnusedOneIsAChange() throws IOException {
        String renamed = DRIVER.replace("join_key: driver_id", "join_key: id");
        Plan inUse = plan(renamed + "---\n" + STATS, applied());
        assertThat(inUse.step(Kind.ENTITY, "driver").orElseThrow().reason()).isEqualTo("Cannot change entity "
                + "'driver' from driver_id INT64 to id INT64: feature views [driver_stats] store rows under that key. "
                + "Define a new entity instead.");

        Plan unused = plan(renamed, Map.of(Kind.ENTITY, List.of(DRIVER_ON_SERVER)));
        Plan.Step step = unused.step(Kind.ENTITY, "driver").orElseThrow();
        assertThat(step.action()).isEqualTo(Action.CHANGE);
        assertThat(step.changes()).containsExactly("join_key: \"driver_id\" -> \"id\"");
    }

    @Test
    void aViewOnAnEntityNobodyDeclaredIsRefusedBeforeAnythingIsSent() throws IOException {
        Plan plan = plan(STATS, Map.of());
        assertThat(plan.step(Kind.FEATURE_VIEW, "driver_stats").orElseThrow().reason()).isEqualTo("Feature view "
                + "'driver_stats' names entities that are neither declared nor on the server: [driver].");
        // On the server is as good as declared.
        assertThat(plan(STATS, Map.of(Kind.ENTITY, List.of(DRIVER_ON_SERVER))).steps()).extracting(Plan.Step::action)
                .containsExactly(Action.CREATE);
    }

    @Test
    void aFeatureNamedLikeAJoinKeyIsRefused() throws IOException {
        Plan plan = plan(DRIVER + "---\n" + STATS.replace("name: trips", "name: driver_id"), Map.of());
        assertThat(plan.step(Kind.FEATURE_VIEW, "driver_stats").orElseThrow().reason())
                .isEqualTo("Feature 'driver_id' of feature view 'driver_stats' has the name of a join key; rename it.");
    }

    @Test
    void pruneDeletesUndeclaredObjectsDeploymentsFirstAndOnlyUnderItsPrefix() throws IOException {
        String other = "{\"name\": \"other\", \"join_key\": \"x\", \"value_type\": \"STRING\"}";
        String deployment = "{\"name\": \"eta\", \"model\": \"eta\", \"alias\": \"champion\"}";
        Map<Kind, List<String>> server = Map.of(Kind.ENTITY, List.of(DRIVER_ON_SERVER, other),
                Kind.FEATURE_VIEW, List.of(STATS_ON_SERVER), Kind.DEPLOYMENT, List.of(deployment));
        String justAnEntity = "kind: entity\nname: keep\njoin_key: k\nvalue_type: INT64\n";

        Plan all = plan(justAnEntity, server, new Plan.Prune(null), ALL_ALIASES);
        assertThat(all.steps()).extracting(s -> s.action() + " " + s.kind() + " " + s.name()).containsExactly(
                "CREATE ENTITY keep", "DELETE DEPLOYMENT eta", "DELETE FEATURE_VIEW driver_stats",
                "DELETE ENTITY driver", "DELETE ENTITY other");

        Plan prefixed = plan(justAnEntity, server, new Plan.Prune("dr"), ALL_ALIASES);
        assertThat(prefixed.steps()).extracting(s -> s.action() + " " + s.kind() + " " + s.name()).containsExactly(
                "CREATE ENTITY keep", "DELETE FEATURE_VIEW driver_stats", "DELETE ENTITY driver");

        Plan none = plan(justAnEntity, server);
        assertThat(none.steps()).extracting(Plan.Step::action).containsExactly(Action.CREATE);
        assertThat(printed(none)).contains("4 object(s) on the server are not declared here; --prune would delete "
                + "them");
    }

    @Test
    void anEntityAViewStillUsesIsNotPruned() throws IOException {
        Plan plan = plan(STATS, applied(), new Plan.Prune(null), ALL_ALIASES);
        assertThat(plan.step(Kind.ENTITY, "driver").orElseThrow().reason())
                .isEqualTo("Cannot delete entity 'driver': feature views [driver_stats] are keyed by it and stay.");
        assertThat(plan.step(Kind.FEATURE_VIEW, "driver_stats").orElseThrow().action()).isEqualTo(Action.UNCHANGED);
    }

    @Test
    void aDeploymentMatchesTheServersDefaultsAndNeedsItsAliases() throws IOException {
        String yaml = """
                kind: deployment
                name: eta
                model: eta
                alias: champion
                canary: {alias: challenger, percent: 10, guard: {metric: error_rate, max_degradation: 1}}
                """;
        String onServer = """
                {"name": "eta", "model": "eta", "alias": "champion", "device": "auto", "max_batch_size": 1,
                 "max_queue_delay_ms": 0, "stale_features": "reject", "revision": 3,
                 "canary": {"alias": "challenger", "percent": 10,
                            "guard": {"metric": "error_rate", "max_degradation": 1.0, "min_samples": 500}},
                 "state": {"ready": true, "aliases": []}}""";
        Plan same = plan(yaml, Map.of(Kind.DEPLOYMENT, List.of(onServer)), null,
                (m, a) -> Optional.of("never asked: nothing changes"));
        assertThat(same.steps()).extracting(Plan.Step::action).containsExactly(Action.UNCHANGED);

        Plan moreTraffic = plan(yaml.replace("percent: 10", "percent: 50"), Map.of(Kind.DEPLOYMENT,
                List.of(onServer)));
        assertThat(moreTraffic.steps().get(0).changes()).containsExactly("canary: {\"alias\":\"challenger\","
                + "\"percent\":10,\"guard\":{\"metric\":\"error_rate\",\"max_degradation\":1,\"min_samples\":500}} -> "
                + "{\"alias\":\"challenger\",\"percent\":50,\"guard\":{\"metric\":\"error_rate\","
                + "\"max_degradation\":1,\"min_samples\":500}}");

        Plan noAlias = plan(yaml, Map.of(), null, (m, a) -> a.equals("challenger")
                ? Optional.of("Registered model 'eta' has no alias 'challenger'.") : Optional.empty());
        assertThat(noAlias.steps().get(0).action()).isEqualTo(Action.REFUSED);
        assertThat(noAlias.steps().get(0).reason()).isEqualTo("canary: Registered model 'eta' has no alias "
                + "'challenger'.");
    }

    @Test
    void aScheduleIsComparedOnlyWhenOneSideHasIt() throws IOException {
        // A server without schedules never sends the field: no schedule declared, nothing to change.
        assertThat(plan(DRIVER + "---\n" + STATS, applied()).changesSomething()).isFalse();
        Plan scheduled = plan(DRIVER + "---\n" + STATS + "schedule: PT15M\n", applied());
        assertThat(scheduled.step(Kind.FEATURE_VIEW, "driver_stats").orElseThrow().changes())
                .containsExactly("schedule: (none) -> \"PT15M\"");
        Map<Kind, List<String>> withSchedule = Map.of(Kind.ENTITY, List.of(DRIVER_ON_SERVER), Kind.FEATURE_VIEW,
                List.of(STATS_ON_SERVER.replace("\"tags\": {}", "\"tags\": {}, \"schedule\": \"PT15M\"")));
        assertThat(plan(DRIVER + "---\n" + STATS + "schedule: PT15M\n", withSchedule).changesSomething()).isFalse();
        assertThat(plan(DRIVER + "---\n" + STATS, withSchedule).step(Kind.FEATURE_VIEW, "driver_stats")
                .orElseThrow().changes()).containsExactly("schedule: \"PT15M\" -> (none)");
    }
}
