package io.cairn.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.HttpJson;
import io.cairn.HttpJson.Response;
import io.cairn.IntegrationTest;
import io.cairn.artifacts.ArtifactLocations;
import io.cairn.artifacts.ArtifactStore;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/** Registry endpoints the Java client has no method for, MLflow's rules, and what other replicas can follow. */
@IntegrationTest
class RegistryHttpIT {

    private static final String API = "/api/2.0/mlflow";

    @LocalServerPort
    int port;

    @Autowired
    ArtifactStore store;

    @Autowired
    ArtifactLocations locations;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    RegistryEventRecorder recorder;

    HttpJson http;
    RegistryFixtures fixtures;
    String name;

    @BeforeEach
    void setUp() {
        http = new HttpJson("http://127.0.0.1:" + port);
        fixtures = new RegistryFixtures(http, store, locations);
        name = "reg-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void aliasesCanBeSetReadMovedAndDeletedAndEachMoveIsAnEvent() {
        String runId = fixtures.trainedRun();
        fixtures.createModel(name);
        fixtures.createVersion(name, runId);
        fixtures.createVersion(name, runId);

        assertThat(http.post(API + "/registered-models/alias", Map.of("name", name, "alias", "champion", "version", "1"))
                .status()).isEqualTo(200);
        assertThat(http.get(API + "/registered-models/alias?name=" + name + "&alias=champion").json()
                .at("/model_version/version").asString()).isEqualTo("1");
        http.post(API + "/registered-models/alias", Map.of("name", name, "alias", "champion", "version", "2"));
        JsonNode model = http.get(API + "/registered-models/get?name=" + name).json().get("registered_model");
        assertThat(model.at("/aliases/0/alias").asString()).isEqualTo("champion");
        assertThat(model.at("/aliases/0/version").asString()).isEqualTo("2");
        assertThat(http.get(API + "/model-versions/get?name=" + name + "&version=2").json()
                .at("/model_version/aliases/0").asString()).isEqualTo("champion");

        Response deleted = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                "http://127.0.0.1:" + port + API + "/registered-models/alias?name=" + name + "&alias=champion")).DELETE());
        assertThat(deleted.status()).isEqualTo(200);
        assertThat(http.get(API + "/registered-models/alias?name=" + name + "&alias=champion").status()).isEqualTo(404);

        // Each change is recorded in registry_events (read here directly: nothing in Cairn follows it by id).
        assertThat(jdbc.sql("SELECT type || ':' || coalesce(version::text, 'null') || ':' "
                        + "|| coalesce(previous_version::text, 'null') FROM registry_events WHERE name = :name "
                        + "ORDER BY event_id").param("name", name).query(String.class).list())
                .containsExactly("ALIAS_SET:1:null", "ALIAS_SET:2:1", "ALIAS_DELETED:null:2");
        List<Long> stored = jdbc.sql("SELECT event_id FROM registry_events WHERE name = :name ORDER BY event_id")
                .param("name", name).query(Long.class).list();
        // The same events reached in-process listeners once their transactions had committed.
        assertThat(recorder.received().stream().filter(e -> e.name().equals(name)).map(RegistryEvent::id).toList())
                .containsExactlyElementsOf(stored);
    }

    @Test
    void aliasNamesFollowMlflowsRules() {
        String runId = fixtures.trainedRun();
        fixtures.createModel(name);
        fixtures.createVersion(name, runId);
        for (String bad : List.of("v1", "V12", "latest", "LATEST", "has space", "semi;colon", "x".repeat(256))) {
            Response response = http.post(API + "/registered-models/alias", Map.of("name", name, "alias", bad, "version", "1"));
            assertThat(response.status()).as(bad).isEqualTo(400);
            assertThat(response.errorCode()).isEqualTo("INVALID_PARAMETER_VALUE");
        }
        assertThat(http.post(API + "/registered-models/alias", Map.of("name", name, "alias", "v1-candidate", "version", "1"))
                .status()).isEqualTo(200);
        assertThat(http.post(API + "/registered-models/alias", Map.of("name", name, "alias", "ok", "version", "9"))
                .errorCode()).isEqualTo("RESOURCE_DOES_NOT_EXIST");
        assertThat(jdbc.sql("SELECT count(*) FROM registered_model_aliases WHERE name = :n").param("n", name)
                .query(Long.class).single()).isEqualTo(1);
    }

    @Test
    void renameCarriesVersionsTagsAndAliasesAlong() {
        String runId = fixtures.trainedRun();
        fixtures.createModel(name);
        fixtures.createVersion(name, runId);
        http.post(API + "/registered-models/set-tag", Map.of("name", name, "key", "team", "value", "ml"));
        http.post(API + "/model-versions/set-tag", Map.of("name", name, "version", "1", "key", "validated", "value", "yes"));
        http.post(API + "/registered-models/alias", Map.of("name", name, "alias", "prod", "version", "1"));
        JsonNode renamed = http.post(API + "/registered-models/rename", Map.of("name", name, "new_name", name + "-v2"))
                .json().get("registered_model");
        assertThat(renamed.get("name").asString()).isEqualTo(name + "-v2");
        assertThat(http.get(API + "/registered-models/get?name=" + name).status()).isEqualTo(404);
        JsonNode version = http.get(API + "/model-versions/get?name=" + name + "-v2&version=1").json().get("model_version");
        assertThat(version.at("/tags/0/value").asString()).isEqualTo("yes");
        assertThat(version.at("/aliases/0").asString()).isEqualTo("prod");
        assertThat(http.get(API + "/model-versions/get?name=" + name + "-v2&version=1").status()).isEqualTo(200);
    }

    @Test
    void searchRegisteredModelsFiltersOrdersAndPages() {
        String prefix = name;
        for (String suffix : List.of("c", "a", "b")) {
            fixtures.createModel(prefix + "-" + suffix);
        }
        http.post(API + "/registered-models/set-tag", Map.of("name", prefix + "-b", "key", "tier", "value", "gold"));
        String filter = URLEncoder.encode("name LIKE '" + prefix + "-%'", StandardCharsets.UTF_8);
        List<String> names = new ArrayList<>();
        String token = null;
        do {
            JsonNode page = http.get(API + "/registered-models/search?max_results=2&order_by=name%20ASC&filter=" + filter
                    + (token == null ? "" : "&page_token=" + URLEncoder.encode(token, StandardCharsets.UTF_8))).json();
            page.get("registered_models").forEach(m -> names.add(m.get("name").asString()));
            token = page.has("next_page_token") ? page.get("next_page_token").asString() : null;
        } while (token != null);
        assertThat(names).containsExactly(prefix + "-a", prefix + "-b", prefix + "-c");
        String byTag = URLEncoder.encode("tags.tier = 'gold' AND name LIKE '" + prefix + "%'", StandardCharsets.UTF_8);
        assertThat(http.get(API + "/registered-models/search?filter=" + byTag).json().get("registered_models"))
                .singleElement().satisfies(m -> assertThat(m.get("name").asString()).isEqualTo(prefix + "-b"));
    }

    @Test
    void concurrentCreatesGetDistinctGaplessVersionNumbers() throws Exception {
        String runId = fixtures.trainedRun();
        fixtures.createModel(name);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<String>> futures = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            futures.add(pool.submit(() -> fixtures.createVersion(name, runId).get("version").asString()));
        }
        List<Integer> numbers = new ArrayList<>();
        for (Future<String> f : futures) {
            numbers.add(Integer.parseInt(f.get(60, TimeUnit.SECONDS)));
        }
        pool.shutdown();
        Collections.sort(numbers);
        List<Integer> expected = new ArrayList<>();
        for (int i = 1; i <= 24; i++) {
            expected.add(i);
        }
        assertThat(numbers).isEqualTo(expected);
        // A deleted number is never handed out again.
        http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + API
                + "/model-versions/delete?name=" + name + "&version=24")).DELETE());
        assertThat(fixtures.createVersion(name, runId).get("version").asString()).isEqualTo("25");
    }

    @Test
    void versionsCanBeRegisteredFromProxyUrisAndTheStoresOwnUris() {
        String runId = fixtures.trainedRun();
        fixtures.createModel(name);
        String storePath = "registered/" + name + "/model";
        fixtures.write(storePath + "/model.onnx", "bytes");
        for (String source : List.of("mlflow-artifacts:/" + storePath, store.uri(storePath))) {
            Response response = http.post(API + "/model-versions/create", Map.of("name", name, "source", source,
                    "run_id", runId));
            assertThat(response.status()).as(source + " " + response.body()).isEqualTo(200);
            String version = response.json().at("/model_version/version").asString();
            assertThat(response.json().at("/model_version/run_id").asString()).isEqualTo(runId);
            assertThat(http.get(API + "/model-versions/get-download-uri?name=" + name + "&version=" + version).json()
                    .get("artifact_uri").asString()).isEqualTo("mlflow-artifacts:/" + storePath);
        }
    }

    @Test
    void sourcesThatDoNotExistAreRejectedAndNothingIsWritten() {
        String runId = fixtures.trainedRun();
        fixtures.createModel(name);
        for (Map<String, String> bad : List.of(
                Map.of("name", name, "source", "runs:/" + runId + "/no-such-dir"),
                Map.of("name", name, "source", "runs:/ffffffffffffffffffffffffffffffff/model"),
                Map.of("name", name, "source", "mlflow-artifacts:/999/none/artifacts/model"),
                Map.of("name", name, "source", "s3://some-other-bucket/model"),
                Map.of("name", name, "source", "/etc"),
                Map.of("name", name, "source", "runs:/" + runId + "/../../etc"),
                Map.of("name", name, "source", "runs:/" + runId + "/model", "run_id", "0123456789abcdef0123456789abcdef"))) {
            Response response = http.post(API + "/model-versions/create", bad);
            assertThat(response.status()).as(bad.toString()).isEqualTo(400);
            assertThat(response.errorCode()).isEqualTo("INVALID_PARAMETER_VALUE");
        }
        assertThat(http.post(API + "/model-versions/create", Map.of("name", "no-model-" + name, "source",
                "runs:/" + runId + "/model")).errorCode()).isEqualTo("RESOURCE_DOES_NOT_EXIST");
        assertThat(jdbc.sql("SELECT count(*) FROM model_versions WHERE name = :n").param("n", name).query(Long.class)
                .single()).isZero();
        assertThat(jdbc.sql("SELECT last_version FROM registered_models WHERE name = :n").param("n", name)
                .query(Integer.class).single()).isZero();
        assertThat(fixtures.createVersion(name, runId).get("version").asString()).isEqualTo("1");
    }

    @Test
    void badRegistryInputIsRejectedInMlflowsFormat() {
        fixtures.createModel(name);
        assertThat(http.post(API + "/registered-models/create", Map.of("name", name)).errorCode())
                .isEqualTo("RESOURCE_ALREADY_EXISTS");
        assertThat(http.post(API + "/registered-models/create", Map.of("name", "")).errorCode())
                .isEqualTo("INVALID_PARAMETER_VALUE");
        assertThat(http.post(API + "/registered-models/set-tag", Map.of("name", name, "key", "big",
                "value", "x".repeat(100_001))).errorCode()).isEqualTo("INVALID_PARAMETER_VALUE");
        assertThat(http.post(API + "/registered-models/set-tag", Map.of("name", name, "key", "k".repeat(251),
                "value", "v")).errorCode()).isEqualTo("INVALID_PARAMETER_VALUE");
        assertThat(http.get(API + "/model-versions/get?name=" + name + "&version=abc").errorCode())
                .isEqualTo("INVALID_PARAMETER_VALUE");
        assertThat(http.post(API + "/model-versions/transition-stage", Map.of("name", name, "version", "1",
                "stage", "Retired")).errorCode()).isEqualTo("INVALID_PARAMETER_VALUE");
        Response unknown = http.get(API + "/registered-models/get?name=missing-" + name);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.errorCode()).isEqualTo("RESOURCE_DOES_NOT_EXIST");
        assertThat(jdbc.sql("SELECT count(*) FROM registered_model_tags WHERE name = :n").param("n", name)
                .query(Long.class).single()).isZero();
    }

    @Test
    void nulCharactersAreInvalidParameterValuesAndWriteNothing() {
        String runId = fixtures.trainedRun();
        fixtures.createModel(name);
        fixtures.createVersion(name, runId);
        String nul = "a\u0000b";
        List<Response> responses = List.of(
                http.post(API + "/registered-models/create", Map.of("name", nul)),
                http.post(API + "/registered-models/create", Map.of("name", "nul-" + name, "description", nul)),
                http.post(API + "/registered-models/create", Map.of("name", "nul-" + name, "tags",
                        List.of(Map.of("key", "t", "value", nul)))),
                http.post(API + "/registered-models/rename", Map.of("name", name, "new_name", nul)),
                http.send(HttpRequest.newBuilder(URI.create(http.base() + API + "/registered-models/update"))
                        .header("Content-Type", "application/json").method("PATCH", HttpRequest.BodyPublishers
                                .ofString(HttpJson.mapper().writeValueAsString(Map.of("name", name, "description", nul))))),
                http.post(API + "/registered-models/set-tag", Map.of("name", name, "key", "t", "value", nul)),
                // No check names this one: the database's refusal is answered as the same 400.
                http.send(HttpRequest.newBuilder(URI.create(http.base() + API + "/registered-models/delete-tag"))
                        .header("Content-Type", "application/json").method("DELETE", HttpRequest.BodyPublishers
                                .ofString(HttpJson.mapper().writeValueAsString(Map.of("name", name, "key", nul))))),
                http.post(API + "/registered-models/alias", Map.of("name", name, "alias", nul, "version", "1")),
                http.get(API + "/registered-models/get?name=a%00b"),
                http.get(API + "/registered-models/alias?name=" + name + "&alias=a%00b"),
                http.get(API + "/registered-models/search?filter=" + URLEncoder.encode("name = '" + nul + "'",
                        StandardCharsets.UTF_8)),
                http.post(API + "/model-versions/create", Map.of("name", name, "source", "runs:/" + runId + "/model",
                        "description", nul)),
                http.post(API + "/model-versions/create", Map.of("name", name, "source", "runs:/" + runId + "/model",
                        "tags", List.of(Map.of("key", "t", "value", nul)))),
                http.post(API + "/model-versions/set-tag", Map.of("name", name, "version", "1", "key", "t",
                        "value", nul)),
                http.get(API + "/model-versions/search?filter=" + URLEncoder.encode("tags.t = '" + nul + "'",
                        StandardCharsets.UTF_8)));
        for (Response response : responses) {
            assertThat(response.status()).as(response.body()).isEqualTo(400);
            assertThat(response.errorCode()).as(response.body()).isEqualTo("INVALID_PARAMETER_VALUE");
            assertThat(response.json().get("message").asString()).as(response.body()).contains("U+0000");
        }
        assertThat(jdbc.sql("SELECT count(*) FROM model_versions WHERE name = :n").param("n", name)
                .query(Long.class).single()).isEqualTo(1);
        assertThat(jdbc.sql("SELECT count(*) FROM registered_models WHERE name = :n").param("n", "nul-" + name)
                .query(Long.class).single()).isZero();
        assertThat(jdbc.sql("SELECT count(*) FROM registered_model_tags WHERE name = :n").param("n", name)
                .query(Long.class).single()).isZero();
    }

    @Test
    void versionsCanBeDescribedTaggedAndDeletedAndModelsDeletedWithThem() {
        String runId = fixtures.trainedRun();
        fixtures.createModel(name);
        fixtures.createVersion(name, runId);
        JsonNode updated = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                        "http://127.0.0.1:" + port + API + "/model-versions/update"))
                .header("Content-Type", "application/json")
                .method("PATCH", java.net.http.HttpRequest.BodyPublishers.ofString(
                        "{\"name\": \"" + name + "\", \"version\": \"1\", \"description\": \"first cut\"}"))).json();
        assertThat(updated.at("/model_version/description").asString()).isEqualTo("first cut");
        http.post(API + "/model-versions/set-tag", Map.of("name", name, "version", "1", "key", "k", "value", "v"));
        Response deleteTag = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port
                        + API + "/model-versions/delete-tag")).header("Content-Type", "application/json")
                .method("DELETE", java.net.http.HttpRequest.BodyPublishers.ofString(
                        "{\"name\": \"" + name + "\", \"version\": \"1\", \"key\": \"k\"}")));
        assertThat(deleteTag.status()).isEqualTo(200);
        Response deleteModel = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port
                        + API + "/registered-models/delete")).header("Content-Type", "application/json")
                .method("DELETE", java.net.http.HttpRequest.BodyPublishers.ofString("{\"name\": \"" + name + "\"}")));
        assertThat(deleteModel.status()).isEqualTo(200);
        assertThat(http.get(API + "/model-versions/get?name=" + name + "&version=1").status()).isEqualTo(404);
    }
}
