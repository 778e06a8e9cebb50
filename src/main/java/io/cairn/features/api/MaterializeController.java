package io.cairn.features.api;

import io.cairn.features.Materialization;
import io.cairn.features.Materialization.Materialized;
import io.cairn.features.Timestamps;
import io.cairn.platform.error.CairnApi;
import io.cairn.platform.error.CairnException;
import java.time.Instant;
import java.util.List;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** {@code POST /api/v1/materialize} and {@code /api/v1/materialize-incremental}: offline store to online store. */
@RestController
@CairnApi
class MaterializeController {

    private final Materialization materialization;

    MaterializeController(Materialization materialization) {
        this.materialization = materialization;
    }

    /** Views to copy (all online views when empty) and the window of event times, both ends included. */
    record MaterializeRequest(List<String> feature_views, String start, String end) {
    }

    /** Views to copy (all online views when empty) from where each left off up to {@code end} (default: now). */
    record IncrementalRequest(List<String> feature_views, String end) {
    }

    /** What each view's run did. */
    record MaterializeResponse(List<Materialized> feature_views) {
    }

    @PostMapping("/api/v1/materialize")
    MaterializeResponse materialize(@RequestBody MaterializeRequest request) {
        return new MaterializeResponse(materialization.materialize(request.feature_views(),
                time("start", request.start()), time("end", request.end())));
    }

    @PostMapping("/api/v1/materialize-incremental")
    MaterializeResponse incremental(@RequestBody IncrementalRequest request) {
        return new MaterializeResponse(materialization.materializeIncremental(request.feature_views(),
                time("end", request.end())));
    }

    private static Instant time(String field, String value) {
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
