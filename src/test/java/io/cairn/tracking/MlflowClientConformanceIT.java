package io.cairn.tracking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cairn.IntegrationTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mlflow.api.proto.Service.CreateExperiment;
import org.mlflow.api.proto.Service.CreateRun;
import org.mlflow.api.proto.Service.Experiment;
import org.mlflow.api.proto.Service.Metric;
import org.mlflow.api.proto.Service.Param;
import org.mlflow.api.proto.Service.Run;
import org.mlflow.api.proto.Service.RunInfo;
import org.mlflow.api.proto.Service.RunStatus;
import org.mlflow.api.proto.Service.RunTag;
import org.mlflow.api.proto.Service.ViewType;
import org.mlflow.tracking.ExperimentsPage;
import org.mlflow.tracking.MlflowClient;
import org.mlflow.tracking.MlflowHttpException;
import org.mlflow.tracking.RunsPage;
import org.springframework.boot.test.web.server.LocalServerPort;

/** Drives the server through MLflow's own Java client: every tracking method it offers. */
@IntegrationTest
class MlflowClientConformanceIT {

    @LocalServerPort
    int port;

    MlflowClient client;
    String suffix;

    @BeforeEach
    void connect() {
        client = new MlflowClient("http://127.0.0.1:" + port);
        suffix = UUID.randomUUID().toString().substring(0, 8);
    }

    @AfterEach
    void close() {
        client.close();
    }

    @Test
    void experimentsCanBeCreatedFoundRenamedTaggedDeletedAndRestored() {
        String id = client.createExperiment("conf-exp-" + suffix);
        Experiment created = client.getExperiment(id);
        assertThat(created.getName()).isEqualTo("conf-exp-" + suffix);
        assertThat(created.getLifecycleStage()).isEqualTo("active");
        assertThat(created.getArtifactLocation()).isEqualTo("mlflow-artifacts:/" + id);
        assertThat(created.getCreationTime()).isPositive();

        String withLocation = client.createExperiment(CreateExperiment.newBuilder()
                .setName("conf-exp-loc-" + suffix).setArtifactLocation("mlflow-artifacts:/custom-" + suffix).build());
        assertThat(client.getExperiment(withLocation).getArtifactLocation()).isEqualTo("mlflow-artifacts:/custom-" + suffix);

        assertThat(client.getExperimentByName("conf-exp-" + suffix)).map(Experiment::getExperimentId).contains(id);
        assertThat(client.getExperimentByName("no-such-experiment-" + suffix)).isEmpty();

        client.renameExperiment(id, "conf-exp-renamed-" + suffix);
        assertThat(client.getExperiment(id).getName()).isEqualTo("conf-exp-renamed-" + suffix);

        client.setExperimentTag(id, "team", "fraud");
        assertThat(client.getExperiment(id).getTagsList())
                .anySatisfy(t -> assertThat(t.getKey() + "=" + t.getValue()).isEqualTo("team=fraud"));

        client.deleteExperiment(id);
        assertThat(client.getExperiment(id).getLifecycleStage()).isEqualTo("deleted");
        client.restoreExperiment(id);
        assertThat(client.getExperiment(id).getLifecycleStage()).isEqualTo("active");
    }

    @Test
    void defaultExperimentExistsWithIdZero() {
        Experiment defaultExperiment = client.getExperiment("0");
        assertThat(defaultExperiment.getName()).isEqualTo("Default");
        assertThat(client.getExperimentByName("Default")).map(Experiment::getExperimentId).contains("0");
    }

    @Test
    void duplicateExperimentNameIsRejectedWithMlflowsCode() {
        client.createExperiment("conf-dup-" + suffix);
        assertThatThrownBy(() -> client.createExperiment("conf-dup-" + suffix))
                .isInstanceOf(MlflowHttpException.class)
                .satisfies(e -> {
                    MlflowHttpException http = (MlflowHttpException) e;
                    assertThat(http.getStatusCode()).isEqualTo(400);
                    assertThat(http.getBodyMessage()).contains("RESOURCE_ALREADY_EXISTS");
                });
    }

    @Test
    void searchExperimentsFiltersAndPages() {
        for (int i = 0; i < 5; i++) {
            client.createExperiment("conf-search-" + suffix + "-" + i);
        }
        ExperimentsPage page = client.searchExperiments("name LIKE 'conf-search-" + suffix + "%'",
                ViewType.ACTIVE_ONLY, 2, List.of("name ASC"));
        List<String> names = new ArrayList<>();
        while (true) {
            page.getItems().forEach(e -> names.add(e.getName()));
            if (!page.hasNextPage()) {
                break;
            }
            assertThat(page.getItems()).hasSize(2);
            page = (ExperimentsPage) page.getNextPage();
        }
        assertThat(names).containsExactly("conf-search-" + suffix + "-0", "conf-search-" + suffix + "-1",
                "conf-search-" + suffix + "-2", "conf-search-" + suffix + "-3", "conf-search-" + suffix + "-4");
        assertThat(client.searchExperiments("name = 'conf-search-" + suffix + "-3'").getItems())
                .extracting(Experiment::getName).containsExactly("conf-search-" + suffix + "-3");
        assertThat(client.searchExperiments().getItems()).isNotEmpty();
    }

    @Test
    void runLifecycleThroughTheClient() {
        String experimentId = client.createExperiment("conf-runs-" + suffix);
        RunInfo info = client.createRun(experimentId);
        assertThat(info.getExperimentId()).isEqualTo(experimentId);
        assertThat(info.getStatus()).isEqualTo(RunStatus.RUNNING);
        assertThat(info.getRunName()).isNotBlank();
        assertThat(info.getArtifactUri()).isEqualTo("mlflow-artifacts:/" + experimentId + "/" + info.getRunId() + "/artifacts");

        RunInfo named = client.createRun(CreateRun.newBuilder().setExperimentId(experimentId).setRunName("baseline")
                .setUserId("alice").setStartTime(1_700_000_000_000L)
                .addTags(RunTag.newBuilder().setKey("stage").setValue("dev")).build());
        Run fetched = client.getRun(named.getRunId());
        assertThat(fetched.getInfo().getRunName()).isEqualTo("baseline");
        assertThat(fetched.getInfo().getUserId()).isEqualTo("alice");
        assertThat(fetched.getInfo().getStartTime()).isEqualTo(1_700_000_000_000L);
        assertThat(tags(fetched)).containsEntry("stage", "dev").containsEntry("mlflow.runName", "baseline");

        RunInfo inDefault = client.createRun();
        assertThat(inDefault.getExperimentId()).isEqualTo("0");

        client.setTerminated(info.getRunId());
        assertThat(client.getRun(info.getRunId()).getInfo().getStatus()).isEqualTo(RunStatus.FINISHED);
        assertThat(client.getRun(info.getRunId()).getInfo().getEndTime()).isPositive();
        client.setTerminated(named.getRunId(), RunStatus.FAILED);
        assertThat(client.getRun(named.getRunId()).getInfo().getStatus()).isEqualTo(RunStatus.FAILED);
        client.setTerminated(inDefault.getRunId(), RunStatus.KILLED, 1_800_000_000_000L);
        assertThat(client.getRun(inDefault.getRunId()).getInfo().getEndTime()).isEqualTo(1_800_000_000_000L);

        client.deleteRun(info.getRunId());
        assertThat(client.getRun(info.getRunId()).getInfo().getLifecycleStage()).isEqualTo("deleted");
        assertThat(client.listRunInfos(experimentId)).extracting(RunInfo::getRunId).doesNotContain(info.getRunId());
        client.restoreRun(info.getRunId());
        assertThat(client.getRun(info.getRunId()).getInfo().getLifecycleStage()).isEqualTo("active");
        assertThat(client.listRunInfos(experimentId)).extracting(RunInfo::getRunId)
                .containsExactlyInAnyOrder(info.getRunId(), named.getRunId());
    }

    @Test
    void loggedParamsMetricsAndTagsComeBack() {
        String runId = client.createRun(client.createExperiment("conf-log-" + suffix)).getRunId();
        client.logParam(runId, "lr", "0.01");
        client.logMetric(runId, "loss", 0.5);
        client.logMetric(runId, "loss", 0.25, 1_700_000_000_100L, 1);
        client.logMetric(runId, "loss", 0.75, 1_700_000_000_050L, 0);
        client.setTag(runId, "owner", "bob");
        client.setTag(runId, "temp", "x");
        client.deleteTag(runId, "temp");

        Run run = client.getRun(runId);
        assertThat(run.getData().getParamsList()).extracting(Param::getKey, Param::getValue)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("lr", "0.01"));
        // The latest value is the one at the largest step.
        assertThat(run.getData().getMetricsList()).singleElement().satisfies(m -> {
            assertThat(m.getKey()).isEqualTo("loss");
            assertThat(m.getValue()).isEqualTo(0.25);
            assertThat(m.getStep()).isEqualTo(1);
        });
        assertThat(tags(run)).containsEntry("owner", "bob").doesNotContainKey("temp");

        List<Metric> history = client.getMetricHistory(runId, "loss");
        assertThat(history).extracting(Metric::getStep).containsExactly(0L, 0L, 1L);
        assertThat(history).extracting(Metric::getValue).contains(0.5, 0.75, 0.25);
    }

    @Test
    void logBatchWritesEverythingAndNonFiniteValuesRoundTrip() {
        String runId = client.createRun(client.createExperiment("conf-batch-" + suffix)).getRunId();
        long now = System.currentTimeMillis();
        client.logBatch(runId,
                List.of(metric("nan", Double.NaN, now, 0), metric("inf", Double.POSITIVE_INFINITY, now, 0),
                        metric("ninf", Double.NEGATIVE_INFINITY, now, 0), metric("acc", 0.9, now, 3)),
                List.of(Param.newBuilder().setKey("depth").setValue("6").build(),
                        Param.newBuilder().setKey("optimizer").setValue("adam").build()),
                List.of(RunTag.newBuilder().setKey("mlflow.note.content").setValue("batch").build()));
        Run run = client.getRun(runId);
        Map<String, Double> metrics = run.getData().getMetricsList().stream()
                .collect(Collectors.toMap(Metric::getKey, Metric::getValue));
        assertThat(metrics.get("nan")).isNaN();
        assertThat(metrics.get("inf")).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(metrics.get("ninf")).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(metrics.get("acc")).isEqualTo(0.9);
        assertThat(run.getData().getParamsList()).hasSize(2);
        assertThat(tags(run)).containsEntry("mlflow.note.content", "batch");
        assertThat(client.getMetricHistory(runId, "nan")).singleElement()
                .satisfies(m -> assertThat(m.getValue()).isNaN());
    }

    @Test
    void changingAParamIsRejectedAndTheBatchLeavesNothingBehind() {
        String runId = client.createRun(client.createExperiment("conf-param-" + suffix)).getRunId();
        client.logParam(runId, "lr", "0.1");
        client.logParam(runId, "lr", "0.1");
        assertThatThrownBy(() -> client.logBatch(runId, List.of(metric("m", 1, 1, 0)),
                List.of(Param.newBuilder().setKey("lr").setValue("0.2").build()), List.of()))
                .isInstanceOf(MlflowHttpException.class)
                .hasMessageContaining("INVALID_PARAMETER_VALUE");
        Run run = client.getRun(runId);
        assertThat(run.getData().getMetricsList()).isEmpty();
        assertThat(run.getData().getParamsList()).extracting(Param::getValue).containsExactly("0.1");
    }

    @Test
    void searchRunsThroughEveryClientOverload() {
        String experimentId = client.createExperiment("conf-search-runs-" + suffix);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String runId = client.createRun(experimentId).getRunId();
            client.logMetric(runId, "acc", i / 10.0);
            client.logParam(runId, "model", i % 2 == 0 ? "tree" : "linear");
            ids.add(runId);
        }
        List<String> exp = List.of(experimentId);
        assertThat(client.searchRuns(exp, "metrics.acc >= 0.2")).extracting(RunInfo::getRunId)
                .containsExactlyInAnyOrder(ids.get(2), ids.get(3), ids.get(4));
        assertThat(client.searchRuns(exp, "params.model = 'linear'", ViewType.ACTIVE_ONLY)).extracting(RunInfo::getRunId)
                .containsExactlyInAnyOrder(ids.get(1), ids.get(3));

        RunsPage first = client.searchRuns(exp, "", ViewType.ACTIVE_ONLY, 2, List.of("metrics.acc DESC"));
        List<String> ordered = new ArrayList<>();
        org.mlflow.tracking.Page<Run> page = first;
        while (true) {
            page.getItems().forEach(r -> ordered.add(r.getInfo().getRunId()));
            if (!page.hasNextPage()) {
                break;
            }
            page = page.getNextPage();
        }
        assertThat(ordered).containsExactly(ids.get(4), ids.get(3), ids.get(2), ids.get(1), ids.get(0));

        RunsPage second = client.searchRuns(exp, "metrics.acc < 0.3", ViewType.ACTIVE_ONLY, 10,
                List.of("metrics.acc ASC"), null);
        assertThat(second.getItems()).extracting(r -> r.getInfo().getRunId()).containsExactly(ids.get(0), ids.get(1), ids.get(2));

        client.deleteRun(ids.get(0));
        assertThat(client.searchRuns(exp, "", ViewType.DELETED_ONLY)).extracting(RunInfo::getRunId)
                .containsExactly(ids.get(0));
        assertThat(client.searchRuns(exp, "", ViewType.ALL)).hasSize(5);
    }

    @Test
    void rawSendMethodsReachEndpointsTheClientHasNoMethodFor() {
        String runId = client.createRun(client.createExperiment("conf-raw-" + suffix)).getRunId();
        String response = client.sendPost("runs/log-inputs", "{\"run_id\": \"" + runId + "\", \"datasets\": [{"
                + "\"tags\": [{\"key\": \"mlflow.data.context\", \"value\": \"training\"}], \"dataset\": {"
                + "\"name\": \"churn\", \"digest\": \"abc123\", \"source_type\": \"local\", \"source\": \"/data/churn.csv\"}}]}");
        assertThat(response).contains("{");
        Run run = client.getRun(runId);
        assertThat(run.getInputs().getDatasetInputsList()).singleElement().satisfies(input -> {
            assertThat(input.getDataset().getName()).isEqualTo("churn");
            assertThat(input.getDataset().getDigest()).isEqualTo("abc123");
            assertThat(input.getTags(0).getValue()).isEqualTo("training");
        });
        assertThat(client.sendGet("experiments/get?experiment_id=0")).contains("\"Default\"");
    }

    @Test
    void unknownIdsSurfaceAs404() {
        assertThatThrownBy(() -> client.getRun("0123456789abcdef0123456789abcdef"))
                .isInstanceOf(MlflowHttpException.class)
                .satisfies(e -> assertThat(((MlflowHttpException) e).getStatusCode()).isEqualTo(404));
        assertThatThrownBy(() -> client.getExperiment("987654321"))
                .isInstanceOf(MlflowHttpException.class)
                .satisfies(e -> assertThat(((MlflowHttpException) e).getStatusCode()).isEqualTo(404));
    }

    private static Metric metric(String key, double value, long timestamp, long step) {
        return Metric.newBuilder().setKey(key).setValue(value).setTimestamp(timestamp).setStep(step).build();
    }

    private static Map<String, String> tags(Run run) {
        return run.getData().getTagsList().stream().collect(Collectors.toMap(RunTag::getKey, RunTag::getValue));
    }
}
