package io.cairn.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.HttpJson;
import io.cairn.HttpJson.Response;
import io.cairn.IntegrationTest;
import io.cairn.artifacts.ArtifactLocations;
import io.cairn.artifacts.ArtifactStore;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/** Model cards: filled from lineage on version creation, edited by merge patch, every revision kept. */
@IntegrationTest
class ModelCardIT {

    @LocalServerPort
    int port;

    @Autowired
    ArtifactStore store;

    @Autowired
    ArtifactLocations locations;

    HttpJson http;
    String name;
    String runId;
    String cardPath;

    @BeforeEach
    void setUp() {
        http = new HttpJson("http://127.0.0.1:" + port);
        RegistryFixtures fixtures = new RegistryFixtures(http, store, locations);
        name = "card-" + UUID.randomUUID().toString().substring(0, 8);
        runId = fixtures.trainedRun();
        fixtures.createModel(name);
        fixtures.createVersion(name, runId);
        cardPath = "/api/v1/models/" + name + "/versions/1/card";
    }

    @Test
    void theFirstRevisionIsFilledFromTheRunItsDatasetsAndTheModelSignature() {
        JsonNode revision = http.get(cardPath).json();
        assertThat(revision.get("revision").asInt()).isEqualTo(1);
        JsonNode card = revision.get("card");
        assertThat(card.at("/model_details/name").asString()).isEqualTo(name);
        assertThat(card.at("/model_details/version/name").asString()).isEqualTo("1");
        assertThat(card.at("/model_details/overview").asString()).isEqualTo("Predicts churn <monthly>");
        assertThat(card.at("/model_details/owners/0/name").asString()).isEqualTo("alice");
        assertThat(card.at("/model_details/references/1/reference").asString()).isEqualTo("runs:/" + runId);
        assertThat(card.at("/model_parameters/model_architecture").asString()).isEqualTo("gradient-boosted trees");
        assertThat(card.at("/model_parameters/data/0/name").asString()).isEqualTo("churn-2026q1");
        assertThat(card.at("/model_parameters/data/0/digest").asString()).isEqualTo("9f8e7d");
        assertThat(card.at("/model_parameters/data/0/context").asString()).isEqualTo("training");
        assertThat(card.at("/model_parameters/input_format_map/0/key").asString()).isEqualTo("tenure");
        assertThat(card.at("/model_parameters/input_format_map/1/value").asString()).isEqualTo("double");
        assertThat(card.at("/model_parameters/output_format_map/0/key").asString()).isEqualTo("churn");
        assertThat(card.at("/model_parameters/hyperparameters").toString()).contains("max_depth");

        JsonNode metrics = card.at("/quantitative_analysis/performance_metrics");
        assertThat(metrics).hasSize(2);
        JsonNode overall = metrics.get(0).get("slice") == null ? metrics.get(0) : metrics.get(1);
        JsonNode sliced = overall == metrics.get(0) ? metrics.get(1) : metrics.get(0);
        assertThat(overall.get("type").asString()).isEqualTo("auc");
        assertThat(overall.get("value").asString()).isEqualTo("0.91");
        assertThat(overall.at("/confidence_interval/lower_bound").asString()).isEqualTo("0.89");
        assertThat(overall.at("/confidence_interval/upper_bound").asString()).isEqualTo("0.93");
        assertThat(sliced.get("slice").asString()).isEqualTo("country:DE");
        assertThat(sliced.get("value").asString()).isEqualTo("0.87");
    }

    @Test
    void editsAddRevisionsAndOldRevisionsStayReadable() {
        Response edited = patch("{\"model_details\": {\"licenses\": [{\"identifier\": \"Apache-2.0\"}]},"
                + " \"considerations\": {\"limitations\": [{\"description\": \"Not for B2B accounts\"}],"
                + " \"ethical_considerations\": [{\"name\": \"Age proxy\", \"mitigation_strategy\": \"audit quarterly\"}]}}");
        assertThat(edited.status()).as(edited.body()).isEqualTo(200);
        assertThat(edited.json().get("revision").asInt()).isEqualTo(2);
        assertThat(edited.json().at("/card/model_details/licenses/0/identifier").asString()).isEqualTo("Apache-2.0");
        // The merge keeps what the patch did not mention.
        assertThat(edited.json().at("/card/model_details/overview").asString()).isEqualTo("Predicts churn <monthly>");

        Response removed = patch("{\"model_details\": {\"overview\": null}}");
        assertThat(removed.json().get("revision").asInt()).isEqualTo(3);
        assertThat(removed.json().at("/card/model_details/overview").isMissingNode()).isTrue();

        Response unchanged = patch("{\"model_details\": {\"licenses\": [{\"identifier\": \"Apache-2.0\"}]}}");
        assertThat(unchanged.json().get("revision").asInt()).isEqualTo(3);

        JsonNode history = http.get(cardPath + "/revisions").json().get("revisions");
        assertThat(history).hasSize(3);
        assertThat(history.get(1).get("author").asString()).isEqualTo("carol");
        JsonNode first = http.get(cardPath + "/revisions/1").json();
        assertThat(first.at("/card/model_details/overview").asString()).isEqualTo("Predicts churn <monthly>");
        assertThat(first.at("/card/model_details/licenses").isMissingNode()).isTrue();
        assertThat(http.get(cardPath + "/revisions/9").status()).isEqualTo(404);
    }

    @Test
    void badEditsAreProblemDetailsAndAddNoRevision() {
        assertProblem(patch("{\"model_details\": {\"colour\": \"blue\"}}"), "colour");
        assertProblem(patch("{\"model_parameters\": {\"data\": []}}"), "/model_parameters/data");
        assertProblem(patch("{\"quantitative_analysis\": {\"performance_metrics\": []}}"), "lineage");
        assertProblem(patch("{\"model_details\": {\"name\": \"other\"}}"), "/model_details/name");
        assertProblem(patch("{\"model_details\": {\"owners\": \"me\"}}"), "owners");
        assertProblem(patch("{\"model_details\": {\"owners\": [{\"contact\": \"x@y\"}]}}"), "name");
        assertProblem(patch("{\"model_details\": {\"licenses\": [{}]}}"), "license");
        assertProblem(patch("[1, 2]"), "JSON object");
        assertProblem(patch("{\"model_details\": {\"overview\": \"" + "x".repeat(20_001) + "\"}}"), "limited");
        assertThat(http.get(cardPath).json().get("revision").asInt()).isEqualTo(1);

        Response missingVersion = http.get("/api/v1/models/" + name + "/versions/42/card");
        assertThat(missingVersion.status()).isEqualTo(404);
        assertThat(missingVersion.json().get("code").asString()).isEqualTo("RESOURCE_DOES_NOT_EXIST");
    }

    @Test
    void theHtmlPageIsReadableAndEscapesWhatItShows() {
        Response page = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + cardPath + ".html")).GET());
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).contains("<h1>Model card: " + name + " v1</h1>")
                .contains("Predicts churn &lt;monthly&gt;")
                .doesNotContain("Predicts churn <monthly>")
                .contains("churn-2026q1")
                .contains("country:DE");
    }

    @Test
    void askingTheJsonCardForHtmlIsA406ThatPointsToTheHtmlPage() {
        Response html = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + cardPath))
                .header("Accept", "text/html").GET());
        assertThat(html.status()).as(html.body()).isEqualTo(406);
        assertThat(html.json().get("code").asString()).isEqualTo("NOT_ACCEPTABLE");
        assertThat(html.json().get("detail").asString()).contains("application/json", "card.html");
        // An Accept that allows JSON after HTML still gets the JSON.
        Response browser = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + cardPath))
                .header("Accept", "text/html, application/json;q=0.5").GET());
        assertThat(browser.status()).isEqualTo(200);
        assertThat(browser.json().get("revision").asInt()).isEqualTo(1);
    }

    private Response patch(String body) {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + cardPath))
                .header("Content-Type", "application/merge-patch+json")
                .header("X-Cairn-User", "carol")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(body)));
    }

    private static void assertProblem(Response response, String mention) {
        assertThat(response.status()).as(response.body()).isEqualTo(400);
        assertThat(response.json().get("code").asString()).isEqualTo("INVALID_PARAMETER_VALUE");
        assertThat(response.json().get("type").asString()).isEqualTo("urn:cairn:problem:invalid-parameter-value");
        assertThat(response.json().get("detail").asString()).containsIgnoringCase(mention);
    }
}
