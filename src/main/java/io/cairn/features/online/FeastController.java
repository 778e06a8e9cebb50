package io.cairn.features.online;

import io.cairn.features.Materialization;
import io.cairn.features.Timestamps;
import io.cairn.features.online.FeastJson.GetOnlineFeaturesRequest;
import io.cairn.features.online.FeastJson.MaterializeIncrementalRequest;
import io.cairn.features.online.FeastJson.MaterializeRequest;
import io.cairn.features.online.FeastJson.MaterializeResponse;
import io.cairn.features.online.FeastJson.PushRequest;
import io.cairn.features.online.OnlineFeatures.Pushed;
import io.cairn.features.online.OnlineFeatures.Result;
import io.cairn.platform.error.CairnException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * Feast's feature-server HTTP API: {@code /get-online-features}, {@code /push}, {@code /materialize},
 * {@code /materialize-incremental} and {@code /health}, with Feast's request and response JSON.
 */
@RestController
@FeastApi
class FeastController {

    private final OnlineFeatures online;
    private final Materialization materialization;
    private final FeastJson feast;

    FeastController(OnlineFeatures online, Materialization materialization, FeastJson feast) {
        this.online = online;
        this.materialization = materialization;
        this.feast = feast;
    }

    /**
     * The read path of online serving. The answer is computed before anything is written, so errors still leave as
     * Feast's {@code {"detail"}}.
     */
    @PostMapping(value = "/get-online-features", consumes = MediaType.APPLICATION_JSON_VALUE)
    void get(HttpServletRequest request, HttpServletResponse response) throws IOException {
        GetOnlineFeaturesRequest read = feast.readGet(request.getInputStream());
        Result result = online.get(read.features(), read.entities(), Boolean.TRUE.equals(read.full_feature_names()));
        ByteArrayOutputStream body = new ByteArrayOutputStream(256 + 64 * result.columns().size()
                * (result.columns().isEmpty() ? 1 : result.columns().get(0).values().size()));
        feast.writeGet(body, result);
        response.setStatus(200);
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        response.setContentLength(body.size());
        body.writeTo(response.getOutputStream());
    }

    @PostMapping("/push")
    Pushed push(@RequestBody PushRequest request) {
        return online.push(request.push_source_name(), request.df(), request.to());
    }

    @PostMapping("/materialize")
    MaterializeResponse materialize(@RequestBody MaterializeRequest request) {
        return new MaterializeResponse(materialization.materialize(request.feature_views(),
                time("start_ts", request.start_ts()), time("end_ts", request.end_ts())));
    }

    @PostMapping("/materialize-incremental")
    MaterializeResponse materializeIncremental(@RequestBody MaterializeIncrementalRequest request) {
        return new MaterializeResponse(materialization.materializeIncremental(request.feature_views(),
                time("end_ts", request.end_ts())));
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
