package io.cairn.serving.deployments;

import io.cairn.serving.DeploymentView;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import io.cairn.platform.error.CairnApi;
import io.cairn.platform.error.CairnException;
import io.cairn.platform.security.Access;
import io.cairn.platform.security.Permission;
import io.cairn.platform.security.ResourceType;
import jakarta.validation.Valid;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/** {@code /api/v1/deployments}: define, read, list and delete deployments; predict by entity key. */
@RestController
@CairnApi
@RequestMapping("/api/v1/deployments")
class DeploymentController {

    private final Deployments deployments;
    private final EntityPredictions predictions;
    private final Access access;

    DeploymentController(Deployments deployments, EntityPredictions predictions, Access access) {
        this.deployments = deployments;
        this.predictions = predictions;
        this.access = access;
    }

    record DeploymentList(List<DeploymentView> deployments) {
    }

    /** The body of a prediction by entity key. */
    record PredictRequest(Map<String, List<JsonNode>> entities, JsonNode parameters,
                          @JsonAnySetter Map<String, Object> unknown) {
    }

    @PutMapping("/{name}")
    ResponseEntity<DeploymentView> put(@PathVariable String name, @Valid @RequestBody DeploymentRequest body) {
        if (access.enabled() && deployments.list().stream().anyMatch(d -> d.name().equals(name))) {
            // Before validation, so a caller without EDIT learns nothing from it; Deployments checks again under lock.
            access.require(ResourceType.DEPLOYMENT, name, Permission.EDIT);
        }
        Deployments.Put put = deployments.put(name, body);
        return ResponseEntity.status(put.created() ? HttpStatus.CREATED : HttpStatus.OK).body(put.deployment());
    }

    @GetMapping("/{name}")
    DeploymentView get(@PathVariable String name) {
        access.require(ResourceType.DEPLOYMENT, name, Permission.READ);
        return deployments.get(name);
    }

    @GetMapping
    DeploymentList list() {
        return new DeploymentList(access.readable(ResourceType.DEPLOYMENT, deployments.list(), DeploymentView::name));
    }

    @DeleteMapping("/{name}")
    ResponseEntity<Void> delete(@PathVariable String name) {
        deployments.delete(name);
        return ResponseEntity.noContent().build();
    }

    @PostMapping("/{name}/predict")
    ResponseEntity<EntityPredictions.Prediction> predict(@PathVariable String name, @RequestBody PredictRequest body) {
        // Inferring needs READ on the deployment; the online features it reads also need READ on their views.
        access.require(ResourceType.DEPLOYMENT, name, Permission.READ);
        if (body.unknown() != null && !body.unknown().isEmpty()) {
            throw CairnException.invalid("Unknown field(s) " + new TreeSet<>(body.unknown().keySet())
                    + "; send {\"entities\": {\"<join key>\": [values...]}} and optionally \"parameters\".");
        }
        EntityPredictions.Prediction prediction = predictions.predict(name, body.entities(),
                EntityPredictions.tags(body.parameters()));
        return ResponseEntity.ok()
                .header("X-Cairn-Model-Version", prediction.model_version())
                .header("X-Cairn-Prediction-Id", prediction.prediction_id())
                .body(prediction);
    }
}
