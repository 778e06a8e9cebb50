package io.cairn.features.api;

import io.cairn.features.Entity;
import io.cairn.features.EntityDefinition;
import io.cairn.features.FeatureDefinitions;
import io.cairn.features.FeatureView;
import io.cairn.features.FeatureViewDefinition;
import io.cairn.features.Stored;
import io.cairn.platform.error.CairnApi;
import io.cairn.platform.security.Access;
import io.cairn.platform.security.Permission;
import io.cairn.platform.security.ResourceType;
import jakarta.validation.Valid;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code /api/v1/entities} and {@code /api/v1/feature-views}: define (idempotent PUT), read, list and delete. */
@RestController
@CairnApi
@RequestMapping("/api/v1")
class DefinitionController {

    private final FeatureDefinitions definitions;
    private final Access access;

    DefinitionController(FeatureDefinitions definitions, Access access) {
        this.definitions = definitions;
        this.access = access;
    }

    /** The list of entities. */
    record EntityList(List<Entity> entities) {
    }

    /** The list of feature views. */
    record FeatureViewList(List<FeatureView> feature_views) {
    }

    @PutMapping("/entities/{name}")
    ResponseEntity<Entity> putEntity(@PathVariable String name, @Valid @RequestBody EntityDefinition body) {
        // Changing an existing entity needs EDIT, checked before the body is validated so a caller without it learns
        // nothing from validation errors; the service checks again under its lock.
        if (access.enabled() && definitions.entities().stream().anyMatch(e -> e.name().equals(name))) {
            access.require(ResourceType.ENTITY, name, Permission.EDIT);
        }
        return respond(definitions.putEntity(name, body));
    }

    @GetMapping("/entities/{name}")
    Entity getEntity(@PathVariable String name) {
        access.require(ResourceType.ENTITY, name, Permission.READ);
        return definitions.entity(name);
    }

    @GetMapping("/entities")
    EntityList listEntities() {
        return new EntityList(access.readable(ResourceType.ENTITY, definitions.entities(), Entity::name));
    }

    @DeleteMapping("/entities/{name}")
    ResponseEntity<Void> deleteEntity(@PathVariable String name) {
        definitions.deleteEntity(name);
        return ResponseEntity.noContent().build();
    }

    @PutMapping("/feature-views/{name}")
    ResponseEntity<FeatureView> putView(@PathVariable String name, @Valid @RequestBody FeatureViewDefinition body) {
        if (access.enabled() && definitions.views().stream().anyMatch(v -> v.name().equals(name))) {
            access.require(ResourceType.FEATURE_VIEW, name, Permission.EDIT);
        }
        return respond(definitions.putView(name, body));
    }

    @GetMapping("/feature-views/{name}")
    FeatureView getView(@PathVariable String name) {
        access.require(ResourceType.FEATURE_VIEW, name, Permission.READ);
        return definitions.view(name);
    }

    @GetMapping("/feature-views")
    FeatureViewList listViews() {
        return new FeatureViewList(access.readable(ResourceType.FEATURE_VIEW, definitions.views(), FeatureView::name));
    }

    @DeleteMapping("/feature-views/{name}")
    ResponseEntity<Void> deleteView(@PathVariable String name) {
        definitions.deleteView(name);
        return ResponseEntity.noContent().build();
    }

    private static <T> ResponseEntity<T> respond(Stored<T> stored) {
        return ResponseEntity.status(stored.created() ? HttpStatus.CREATED : HttpStatus.OK).body(stored.value());
    }
}
