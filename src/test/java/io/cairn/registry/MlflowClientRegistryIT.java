package io.cairn.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cairn.HttpJson;
import io.cairn.IntegrationTest;
import io.cairn.artifacts.ArtifactLocations;
import io.cairn.artifacts.ArtifactStore;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mlflow.api.proto.ModelRegistry.ModelVersion;
import org.mlflow.api.proto.ModelRegistry.RegisteredModel;
import org.mlflow.tracking.MlflowClient;
import org.mlflow.tracking.MlflowHttpException;
import org.mlflow.tracking.ModelVersionsPage;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/** The registry through MLflow's Java client: every registry method it offers, plus raw calls for the rest. */
@IntegrationTest
class MlflowClientRegistryIT {

    @LocalServerPort
    int port;

    @Autowired
    ArtifactStore store;

    @Autowired
    ArtifactLocations locations;

    MlflowClient client;
    RegistryFixtures fixtures;
    String name;

    @BeforeEach
    void setUp() {
        client = new MlflowClient("http://127.0.0.1:" + port);
        fixtures = new RegistryFixtures(new HttpJson("http://127.0.0.1:" + port), store, locations);
        name = "churn-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @AfterEach
    void tearDown() {
        client.close();
    }

    @Test
    void versionsRegisteredFromRunsAreReadableThroughTheClient() {
        String runId = fixtures.trainedRun();
        client.sendPost("registered-models/create", "{\"name\": \"" + name + "\", \"description\": \"churn model\", "
                + "\"tags\": [{\"key\": \"team\", \"value\": \"retention\"}]}");
        client.sendPost("model-versions/create", "{\"name\": \"" + name + "\", \"source\": \"runs:/" + runId
                + "/model\", \"run_id\": \"" + runId + "\"}");
        client.sendPost("model-versions/create", "{\"name\": \"" + name + "\", \"source\": \"runs:/" + runId + "/model\"}");

        RegisteredModel model = client.getRegisteredModel(name);
        assertThat(model.getDescription()).isEqualTo("churn model");
        assertThat(model.getTags(0).getKey()).isEqualTo("team");
        assertThat(model.getLatestVersionsList()).extracting(ModelVersion::getVersion).containsExactly("2");

        ModelVersion first = client.getModelVersion(name, "1");
        assertThat(first.getRunId()).isEqualTo(runId);
        assertThat(first.getSource()).isEqualTo("runs:/" + runId + "/model");
        assertThat(first.getCurrentStage()).isEqualTo("None");
        assertThat(first.getStatus().name()).isEqualTo("READY");

        String uri = client.getModelVersionDownloadUri(name, "1");
        assertThat(uri).startsWith("mlflow-artifacts:/").endsWith("/" + runId + "/artifacts/model");
    }

    @Test
    void stagesAndLatestVersions() {
        String runId = fixtures.trainedRun();
        fixtures.createModel(name);
        for (int i = 0; i < 3; i++) {
            fixtures.createVersion(name, runId);
        }
        client.sendPost("model-versions/transition-stage", "{\"name\": \"" + name
                + "\", \"version\": \"1\", \"stage\": \"production\"}");
        client.sendPost("model-versions/transition-stage", "{\"name\": \"" + name
                + "\", \"version\": \"2\", \"stage\": \"Staging\"}");
        assertThat(client.getLatestVersions(name, List.of("Production"))).extracting(ModelVersion::getVersion)
                .containsExactly("1");
        assertThat(client.getLatestVersions(name)).extracting(v -> v.getCurrentStage() + ":" + v.getVersion())
                .containsExactlyInAnyOrder("Production:1", "Staging:2", "None:3");

        client.sendPost("model-versions/transition-stage", "{\"name\": \"" + name
                + "\", \"version\": \"3\", \"stage\": \"Production\", \"archive_existing_versions\": true}");
        assertThat(client.getModelVersion(name, "1").getCurrentStage()).isEqualTo("Archived");
        assertThat(client.getLatestVersions(name, List.of("Production"))).extracting(ModelVersion::getVersion)
                .containsExactly("3");
    }

    @Test
    void searchModelVersionsThroughEveryOverloadAndPages() {
        String runId = fixtures.trainedRun();
        fixtures.createModel(name);
        for (int i = 0; i < 3; i++) {
            fixtures.createVersion(name, runId);
        }
        assertThat(client.searchModelVersions("name = '" + name + "'").getItems()).hasSize(3);
        assertThat(client.searchModelVersions("run_id = '" + runId + "'").getItems())
                .extracting(ModelVersion::getName).containsOnly(name);
        assertThat(client.searchModelVersions().getItems()).isNotEmpty();

        ModelVersionsPage page = client.searchModelVersions("name = '" + name + "'", 2, List.of("version_number ASC"));
        List<String> seen = new ArrayList<>();
        org.mlflow.tracking.Page<ModelVersion> current = page;
        while (true) {
            current.getItems().forEach(v -> seen.add(v.getVersion()));
            if (!current.hasNextPage()) {
                break;
            }
            current = current.getNextPage();
        }
        assertThat(seen).containsExactly("1", "2", "3");
        assertThat(client.searchModelVersions("name = '" + name + "'", 10, List.of("version_number DESC"), null)
                .getItems()).extracting(ModelVersion::getVersion).containsExactly("3", "2", "1");
    }

    @Test
    void unknownModelsAndVersionsAre404() {
        assertThatThrownBy(() -> client.getRegisteredModel("no-such-model-" + name))
                .isInstanceOf(MlflowHttpException.class)
                .satisfies(e -> assertThat(((MlflowHttpException) e).getStatusCode()).isEqualTo(404));
        fixtures.createModel(name);
        assertThatThrownBy(() -> client.getModelVersion(name, "7"))
                .isInstanceOf(MlflowHttpException.class)
                .hasMessageContaining("RESOURCE_DOES_NOT_EXIST");
    }
}
