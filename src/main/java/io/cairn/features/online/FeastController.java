package io.cairn.features.online;

import io.cairn.features.Materialization;
import io.cairn.features.Materialization.Materialized;
import io.cairn.features.Timestamps;
import io.cairn.features.online.OnlineFeatures.Column;
import io.cairn.features.online.OnlineFeatures.Pushed;
import io.cairn.features.online.OnlineFeatures.Result;
import io.cairn.platform.error.CairnException;
import io.cairn.platform.error.FeastApi;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/**
 * Feast's feature-server HTTP API: {@code /get-online-features}, {@code /push}, {@code /materialize},
 * {@code /materialize-incremental} and {@code /health}, with Feast's request and response JSON.
 */
@RestController
@FeastApi
class FeastController {

    private final OnlineFeatures online;
    private final Materialization materialization;

    FeastController(OnlineFeatures online, Materialization materialization) {
        this.online = online;
        this.materialization = materialization;
    }

    /** Feast's read request; {@code feature_service} is not supported here. */
    record GetOnlineFeaturesRequest(List<String> features, String feature_service, Map<String, List<JsonNode>> entities,
                                    Boolean full_feature_names) {
    }

    record Metadata(List<String> feature_names) {
    }

    record FeatureVector(List<Object> values, List<String> statuses, List<String> event_timestamps) {
    }

    record GetOnlineFeaturesResponse(Metadata metadata, List<FeatureVector> results) {
    }

    record PushRequest(String push_source_name, Map<String, JsonNode> df, String to, Boolean allow_registry_cache) {
    }

    record MaterializeRequest(String start_ts, String end_ts, List<String> feature_views) {
    }

    record MaterializeIncrementalRequest(String end_ts, List<String> feature_views) {
    }

    @PostMapping("/get-online-features")
    GetOnlineFeaturesResponse get(@RequestBody GetOnlineFeaturesRequest request) {
        if (request.feature_service() != null && (request.features() == null || request.features().isEmpty())) {
            throw CairnException.invalid("Feature services are not supported; list the features as "
                    + "<feature view>:<feature> in 'features'.");
        }
        Result result = online.get(request.features(), request.entities(),
                Boolean.TRUE.equals(request.full_feature_names()));
        return new GetOnlineFeaturesResponse(new Metadata(result.featureNames()),
                result.columns().stream().map(FeastController::vector).toList());
    }

    private static FeatureVector vector(Column c) {
        return new FeatureVector(c.values(), c.statuses(), c.event_timestamps());
    }

    @PostMapping("/push")
    Pushed push(@RequestBody PushRequest request) {
        return online.push(request.push_source_name(), request.df(), request.to());
    }

    @PostMapping("/materialize")
    List<Materialized> materialize(@RequestBody MaterializeRequest request) {
        return materialization.materialize(request.feature_views(), time("start_ts", request.start_ts()),
                time("end_ts", request.end_ts()));
    }

    @PostMapping("/materialize-incremental")
    List<Materialized> materializeIncremental(@RequestBody MaterializeIncrementalRequest request) {
        return materialization.materializeIncremental(request.feature_views(), time("end_ts", request.end_ts()));
    }

    @GetMapping("/health")
    Map<String, String> health() {
        return Map.of("status", "ok");
    }

    static Instant time(String field, String value) {
        if (value == null) {
            return null;
        }
        try {
            return Timestamps.parse(value);
        } catch (IllegalArgumentException e) {
            throw CairnException.invalid("Invalid '" + field + "': " + e.getMessage() + ".");
        }
    }
}
