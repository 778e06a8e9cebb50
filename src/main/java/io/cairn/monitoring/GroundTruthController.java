package io.cairn.monitoring;

import io.cairn.platform.error.CairnApi;
import io.cairn.platform.security.Access;
import io.cairn.platform.security.Permission;
import io.cairn.platform.security.ResourceType;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /api/v1/deployments/{name}/ground-truth}: labels for logged predictions, as JSON or, for bulk loads, CSV.
 * Sending labels needs EDIT on the deployment (they change what its quality figures say).
 */
@RestController
@CairnApi
class GroundTruthController {

    private final GroundTruth groundTruth;
    private final Access access;

    GroundTruthController(GroundTruth groundTruth, Access access) {
        this.groundTruth = groundTruth;
        this.access = access;
    }

    @PostMapping(path = "/api/v1/deployments/{name}/ground-truth", consumes = "application/json")
    GroundTruth.Loaded json(@PathVariable String name, HttpServletRequest request) throws IOException {
        access.require(ResourceType.DEPLOYMENT, name, Permission.EDIT);
        return groundTruth.load(name, LabelReader.json(request.getInputStream()));
    }

    @PostMapping(path = "/api/v1/deployments/{name}/ground-truth", consumes = "text/csv")
    GroundTruth.Loaded csv(@PathVariable String name, HttpServletRequest request) throws IOException {
        access.require(ResourceType.DEPLOYMENT, name, Permission.EDIT);
        return groundTruth.load(name, LabelReader.csv(request.getInputStream()));
    }
}
