package io.cairn.tracking.mlflow;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.cairn.platform.error.CairnException;
import io.cairn.tracking.Dataset;
import io.cairn.tracking.DatasetInput;
import io.cairn.tracking.Experiment;
import io.cairn.tracking.Metric;
import io.cairn.tracking.Run;
import io.cairn.tracking.RunInfo;
import io.cairn.tracking.ViewType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * MLflow's tracking messages as JSON records. Component names are the proto's snake_case field names, so the
 * records read like service.proto; int64 fields accept numbers or quoted numbers, doubles also "NaN"/"Infinity".
 */
final class TrackingMessages {

    private TrackingMessages() {
    }

    // ---- shared pieces -----------------------------------------------------------------------------------------

    record KeyValue(String key, String value) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record MetricJson(String key, Double value, Long timestamp, Long step) {
        static MetricJson of(Metric m) {
            return new MetricJson(m.key(), m.value(), m.timestamp(), m.step());
        }

        Metric toMetric(String path) {
            if (key == null || key.isEmpty()) {
                throw CairnException.invalid("Missing value for required parameter '" + path + ".key'.");
            }
            if (value == null) {
                throw CairnException.invalid("Missing value for required parameter '" + path + ".value'. "
                        + "Please specify value as a valid double (64-bit floating point).");
            }
            if (timestamp == null) {
                throw CairnException.invalid("Missing value for required parameter '" + path + ".timestamp'.");
            }
            if (timestamp < 0) {
                throw CairnException.invalid("Invalid value " + timestamp + " for parameter '" + path
                        + ".timestamp' supplied: Timestamp must be a nonnegative long (64-bit integer).");
            }
            return new Metric(key, value, timestamp, step == null ? 0 : step);
        }
    }

    static List<KeyValue> keyValues(Map<String, String> map) {
        return map.entrySet().stream().map(e -> new KeyValue(e.getKey(), e.getValue())).toList();
    }

    static Map<String, String> map(List<KeyValue> list, String field) {
        Map<String, String> out = new LinkedHashMap<>();
        if (list != null) {
            for (KeyValue kv : list) {
                if (kv == null || kv.key() == null) {
                    throw CairnException.invalid("Missing value for required parameter '" + field + "[].key'.");
                }
                out.put(kv.key(), kv.value() == null ? "" : kv.value());
            }
        }
        return out;
    }

    static ViewType viewType(String value, String field) {
        if (value == null || value.isEmpty()) {
            return ViewType.ACTIVE_ONLY;
        }
        return switch (value) {
            case "ACTIVE_ONLY", "1" -> ViewType.ACTIVE_ONLY;
            case "DELETED_ONLY", "2" -> ViewType.DELETED_ONLY;
            case "ALL", "3" -> ViewType.ALL;
            default -> throw CairnException.invalid("Invalid value \"" + value + "\" for parameter '" + field
                    + "' supplied: use ACTIVE_ONLY, DELETED_ONLY or ALL.");
        };
    }

    static String runId(String runId, String runUuid) {
        return runId != null && !runId.isEmpty() ? runId : runUuid;
    }

    // ---- experiments -------------------------------------------------------------------------------------------

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record ExperimentJson(String experiment_id, String name, String artifact_location, String lifecycle_stage,
                          Long last_update_time, Long creation_time, List<KeyValue> tags) {
        static ExperimentJson of(Experiment e) {
            return new ExperimentJson(e.experimentId(), e.name(), e.artifactLocation(), e.lifecycleStage(),
                    e.lastUpdateTime(), e.creationTime(), keyValues(e.tags()));
        }
    }

    record CreateExperiment(String name, String artifact_location, List<KeyValue> tags) {
    }

    record CreateExperimentResponse(String experiment_id) {
    }

    record GetExperimentResponse(ExperimentJson experiment) {
    }

    record SearchExperiments(Integer max_results, String page_token, String filter, List<String> order_by,
                             String view_type) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record SearchExperimentsResponse(List<ExperimentJson> experiments, String next_page_token) {
    }

    record ExperimentId(String experiment_id) {
    }

    record UpdateExperiment(String experiment_id, String new_name) {
    }

    record ExperimentTag(String experiment_id, String key, String value) {
    }

    // ---- runs --------------------------------------------------------------------------------------------------

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record RunInfoJson(String run_id, String run_uuid, String run_name, String experiment_id, String user_id,
                       String status, Long start_time, Long end_time, String artifact_uri, String lifecycle_stage) {
        static RunInfoJson of(RunInfo r) {
            return new RunInfoJson(r.runId(), r.runId(), r.runName(), r.experimentId(), r.userId(), r.status(),
                    r.startTime(), r.endTime(), r.artifactUri(), r.lifecycleStage());
        }
    }

    record RunDataJson(List<MetricJson> metrics, List<KeyValue> params, List<KeyValue> tags) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record DatasetJson(String name, String digest, String source_type, String source, String schema, String profile) {
        Dataset toDataset() {
            return new Dataset(name, digest, source_type, source, schema, profile);
        }
    }

    record DatasetInputJson(List<KeyValue> tags, DatasetJson dataset) {
        static DatasetInputJson of(DatasetInput in) {
            Dataset d = in.dataset();
            return new DatasetInputJson(keyValues(in.tags()), new DatasetJson(d.name(), d.digest(), d.sourceType(),
                    d.source(), d.schema(), d.profile()));
        }

        DatasetInput toInput() {
            return new DatasetInput(map(tags, "datasets[].tags"), dataset == null ? null : dataset.toDataset());
        }
    }

    record RunInputsJson(List<DatasetInputJson> dataset_inputs) {
    }

    record RunJson(RunInfoJson info, RunDataJson data, RunInputsJson inputs) {
        static RunJson of(Run run) {
            return new RunJson(RunInfoJson.of(run.info()),
                    new RunDataJson(run.latestMetrics().stream().map(MetricJson::of).toList(), keyValues(run.params()),
                            keyValues(run.tags())),
                    new RunInputsJson(run.inputs().stream().map(DatasetInputJson::of).toList()));
        }
    }

    record CreateRun(String experiment_id, String user_id, String run_name, Long start_time, List<KeyValue> tags) {
    }

    record RunResponse(RunJson run) {
    }

    record UpdateRun(String run_id, String run_uuid, String status, Long end_time, String run_name) {
    }

    record UpdateRunResponse(RunInfoJson run_info) {
    }

    record RunIdRequest(String run_id, String run_uuid) {
    }

    record SearchRuns(List<String> experiment_ids, String filter, String run_view_type, Integer max_results,
                      List<String> order_by, String page_token) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record SearchRunsResponse(List<RunJson> runs, String next_page_token) {
    }

    record LogMetric(String run_id, String run_uuid, String key, Double value, Long timestamp, Long step) {
    }

    record LogParam(String run_id, String run_uuid, String key, String value) {
    }

    record SetTag(String run_id, String run_uuid, String key, String value) {
    }

    record DeleteTag(String run_id, String key) {
    }

    record LogBatch(String run_id, List<MetricJson> metrics, List<KeyValue> params, List<KeyValue> tags) {
    }

    record LogInputs(String run_id, List<DatasetInputJson> datasets) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record MetricHistoryResponse(List<MetricJson> metrics, String next_page_token) {
    }
}
