package io.cairn.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DefinitionReaderTest {

    @TempDir
    Path dir;

    private Path write(String name, String yaml) throws IOException {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        return Files.writeString(file, yaml);
    }

    private List<String> problems() {
        try {
            DefinitionReader.read(dir);
        } catch (InvalidDefinitions e) {
            return e.problems();
        }
        throw new AssertionError("expected problems");
    }

    @Test
    void readsDocumentsAndListsFromEveryYamlFileBelowTheDirectoryAsRestBodies() throws IOException {
        write("a/entities.yml", """
                - kind: entity
                  name: driver
                  join_key: driver_id
                  value_type: int64
                - kind: entity
                  name: customer
                  join_key: customer_id
                  value_type: STRING
                  description: who pays
                """);
        write("b/views.yaml", """
                kind: feature_view
                name: driver_stats
                entities: [driver]
                features:
                  - {name: conv_rate, type: float64}
                ttl: 1d
                tags: {team: rides, tier: 1}
                schedule: PT15M
                ---
                kind: feature_view
                name: spend
                entities: [customer]
                features: [{name: total, type: FLOAT64}]
                ttl_seconds: 3600
                online: no
                ---
                kind: deployment
                name: eta.v2
                model: eta
                alias: champion
                canary: {alias: challenger, percent: 10, guard: {metric: error_rate, max_degradation: 0.02}}
                max_batch_size: 32
                """);
        write(".hidden/ignored.yaml", "kind: nonsense\n");
        write("notes.txt", "kind: nonsense\n");

        List<Declared> declared = DefinitionReader.read(dir);

        assertThat(declared).extracting(d -> d.kind().word + ":" + d.name()).containsExactly("entity:driver",
                "entity:customer", "feature_view:driver_stats", "feature_view:spend", "deployment:eta.v2");
        assertThat(declared.get(0).body().toString()).isEqualTo("{\"join_key\":\"driver_id\",\"value_type\":\"INT64\"}");
        assertThat(declared.get(1).source().toString()).isEqualTo(dir.resolve("a/entities.yml") + ":5");
        assertThat(declared.get(2).body().toString()).isEqualTo("{\"entities\":[\"driver\"],"
                + "\"features\":[{\"name\":\"conv_rate\",\"type\":\"FLOAT64\"}],\"ttl_seconds\":86400,"
                + "\"tags\":{\"team\":\"rides\",\"tier\":\"1\"},\"schedule\":\"PT15M\"}");
        assertThat(declared.get(3).body().get("online").asBoolean()).isFalse();
        assertThat(declared.get(3).body().get("ttl_seconds").asLong()).isEqualTo(3600);
        assertThat(declared.get(3).source().line()).isEqualTo(10);
        assertThat(declared.get(4).body().toString()).isEqualTo("{\"model\":\"eta\",\"alias\":\"champion\","
                + "\"canary\":{\"alias\":\"challenger\",\"percent\":10,"
                + "\"guard\":{\"metric\":\"error_rate\",\"max_degradation\":0.02}},\"max_batch_size\":32}");
    }

    @Test
    void ttlIsADurationInAnyCommonForm() throws IOException {
        String view = """
                kind: feature_view
                name: v%d
                entities: [e]
                features: [{name: f, type: INT64}]
                ttl: %s
                """;
        String[] forms = {"90m", "PT24H", "P1D", "7d", "3600", "0"};
        StringBuilder all = new StringBuilder();
        for (int i = 0; i < forms.length; i++) {
            all.append(i == 0 ? "" : "---\n").append(view.formatted(i, forms[i]));
        }
        write("v.yaml", all.toString());
        assertThat(DefinitionReader.read(dir)).extracting(d -> d.body().get("ttl_seconds").asLong())
                .containsExactly(5400L, 86400L, 86400L, 604800L, 3600L, 0L);
    }

    @Test
    void everyProblemNamesItsFileAndLine() throws IOException {
        Path a = write("a.yaml", """
                kind: entity
                name: driver
                join_key: driver_id
                value_type: INT64
                colour: blue
                ---
                kind: featureview
                name: x
                ---
                kind: feature_view
                name: stats
                entities: driver
                features:
                  - {name: conv_rate, type: DECIMAL}
                  - {name: conv_rate, type: FLOAT64}
                ttl_seconds: soon
                online: maybe
                schedule: every now and then
                ---
                kind: entity
                name: customer
                join_key: customer_id
                ---
                kind: entity
                name: rider
                join_key: rider_id
                value_type: INT64
                """);
        Path b = write("b.yaml", """
                kind: entity
                name: rider
                join_key: id
                value_type: STRING
                ---
                kind: deployment
                name: eta
                model: eta
                alias: champion
                canary: {alias: champion, percent: 120}
                max_batch_size: 1.5
                """);

        assertThat(problems()).containsExactlyInAnyOrder(
                a + ":5: unknown field 'colour' in entity 'driver'; known fields are [description, join_key, kind, "
                        + "name, value_type]",
                a + ":7: unknown kind 'featureview': use entity, feature_view or deployment",
                a + ":12: 'entities' must be a list, got the text 'driver'",
                a + ":14: unknown feature type 'DECIMAL': use one of [INT64, INT32, FLOAT64, FLOAT32, STRING, BOOL]",
                a + ":15: feature 'conv_rate' is declared twice",
                a + ":16: 'ttl_seconds' must be a whole number, got the text 'soon'",
                a + ":17: 'online' must be true or false, got the text 'maybe'",
                a + ":18: schedule must be an ISO-8601 duration such as PT15M or a 6-field cron expression such as "
                        + "'0 */15 * * * *' (second minute hour day month weekday), not 'every now and then'",
                a + ":20: missing field 'value_type'",
                b + ":1: duplicate entity 'rider': also declared at " + a + ":24",
                b + ":10: canary.alias must differ from alias ('champion')",
                b + ":10: canary.percent must be between 0 and 100",
                b + ":11: 'max_batch_size' must be a whole number, got the number '1.5'");
    }

    @Test
    void yamlThatDoesNotParseIsReportedWhereTheParserStopped() throws IOException {
        Path f = write("broken.yaml", """
                kind: entity
                name: driver
                  join_key: [driver_id
                """);
        assertThat(problems()).singleElement().asString().startsWith(f + ":3: not valid YAML: ");
    }

    @Test
    void duplicateFieldsAndBadNamesAreProblems() throws IOException {
        Path f = write("d.yaml", """
                kind: entity
                name: 1driver
                join_key: driver id
                value_type: INT64
                value_type: INT32
                """);
        assertThat(problems()).containsExactlyInAnyOrder(
                f + ":5: duplicate field 'value_type' (first at line 4)",
                f + ":2: invalid name '1driver': use letters, digits, '_' and '-', starting with a letter or '_' "
                        + "(up to 128)",
                f + ":3: invalid join_key 'driver id': it becomes a column name, so use letters, digits and '_', "
                        + "starting with a letter or '_' (up to 63)");
    }

    @Test
    void scheduleTakesAnIntervalOrASixFieldCron() {
        assertThat(DefinitionReader.scheduleProblem("PT15M")).isNull();
        assertThat(DefinitionReader.scheduleProblem("0 */15 * * * *")).isNull();
        assertThat(DefinitionReader.scheduleProblem("PT0S")).contains("positive");
        assertThat(DefinitionReader.scheduleProblem("*/15 * * * *")).contains("6-field cron");
    }

    @Test
    void aDirectoryWithoutDefinitionsIsAFailureNotAnEmptyPlan() {
        assertThatThrownBy(() -> DefinitionReader.read(dir)).isInstanceOf(CliFailure.class)
                .hasMessageContaining("No *.yaml or *.yml files under");
        assertThatThrownBy(() -> DefinitionReader.read(dir.resolve("missing"))).isInstanceOf(CliFailure.class)
                .hasMessageContaining("No such directory");
    }

    @Test
    void theExampleRepositoryReads() {
        List<Declared> declared = DefinitionReader.read(Path.of("examples/feature_repo"));
        assertThat(declared).extracting(d -> d.kind().word + ":" + d.name())
                .containsExactly("feature_view:driver_stats", "entity:driver");
        assertThat(declared.get(0).body().get("ttl_seconds").asLong()).isEqualTo(86400);
        // As docs/api.md shows them: the line of the object's first field, after the comments.
        assertThat(declared).extracting(d -> d.source().line()).containsExactly(3, 2);
    }
}
