package io.cairn.features.api;

import io.cairn.features.FeatureIngestion;
import io.cairn.features.FeatureIngestion.Ingested;
import io.cairn.platform.error.CairnApi;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code POST /api/v1/feature-views/{name}/rows}: JSON or CSV rows into the offline store, streamed, all or nothing. */
@RestController
@CairnApi
class FeatureRowsController {

    private final FeatureIngestion ingestion;

    FeatureRowsController(FeatureIngestion ingestion) {
        this.ingestion = ingestion;
    }

    @PostMapping(path = "/api/v1/feature-views/{name}/rows", consumes = "application/json")
    Ingested json(@PathVariable String name, HttpServletRequest request) throws IOException {
        return ingestion.ingestJson(name, request.getInputStream());
    }

    @PostMapping(path = "/api/v1/feature-views/{name}/rows", consumes = "text/csv")
    Ingested csv(@PathVariable String name, HttpServletRequest request) throws IOException {
        return ingestion.ingestCsv(name, request.getInputStream());
    }
}
