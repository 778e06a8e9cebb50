package io.cairn.features.api;

import io.cairn.platform.security.Access;
import io.cairn.platform.security.Permission;
import io.cairn.platform.security.ResourceType;
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
    private final Access access;

    FeatureRowsController(FeatureIngestion ingestion, Access access) {
        this.ingestion = ingestion;
        this.access = access;
    }

    @PostMapping(path = "/api/v1/feature-views/{name}/rows", consumes = "application/json")
    Ingested json(@PathVariable String name, HttpServletRequest request) throws IOException {
        access.require(ResourceType.FEATURE_VIEW, name, Permission.EDIT);
        return ingestion.ingestJson(name, request.getInputStream());
    }

    @PostMapping(path = "/api/v1/feature-views/{name}/rows", consumes = "text/csv")
    Ingested csv(@PathVariable String name, HttpServletRequest request) throws IOException {
        access.require(ResourceType.FEATURE_VIEW, name, Permission.EDIT);
        return ingestion.ingestCsv(name, request.getInputStream());
    }
}
