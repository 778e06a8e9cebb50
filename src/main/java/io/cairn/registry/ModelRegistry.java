package io.cairn.registry;

import io.cairn.platform.error.CairnException;
import io.cairn.platform.search.OrderBy;
import io.cairn.platform.search.Page;
import io.cairn.platform.search.PageToken;
import io.cairn.platform.search.SearchSyntax;
import io.cairn.platform.security.Access;
import io.cairn.platform.security.ResourceType;
import io.cairn.registry.store.ModelVersionStore;
import io.cairn.registry.store.RegisteredModelStore;
import io.cairn.registry.store.RegisteredModelStore.ModelRow;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Registered models: create, find, rename, describe, tag, alias, delete. Every change is audited. */
@Service
public class ModelRegistry {

    static final String MODEL = "registered_model";

    private final RegisteredModelStore models;
    private final ModelVersionStore versions;
    private final RegistryViews views;
    private final RegistryChanges changes;
    private final Clock clock;
    private final Access access;

    ModelRegistry(RegisteredModelStore models, ModelVersionStore versions, RegistryViews views, RegistryChanges changes,
                  Clock clock, Access access) {
        this.models = models;
        this.versions = versions;
        this.views = views;
        this.changes = changes;
        this.clock = clock;
        this.access = access;
    }

    @Transactional
    public RegisteredModel create(String name, String description, Map<String, String> tags) {
        RegistryLimits.modelName(name);
        RegistryLimits.description(description);
        tags.forEach(RegistryLimits::tag);
        models.insert(name, description, clock.millis());
        tags.forEach((k, v) -> models.setTag(name, k, v));
        RegisteredModel created = get(name);
        changes.audited(MODEL, name, "create", null, created);
        access.grantCreator(ResourceType.REGISTERED_MODEL, name);
        return created;
    }

    @Transactional(readOnly = true)
    public RegisteredModel get(String name) {
        RegistryLimits.modelName(name);
        return views.models(List.of(models.find(name).orElseThrow(() -> notFound(name)))).get(0);
    }

    @Transactional
    public RegisteredModel rename(String name, String newName) {
        RegistryLimits.modelName(newName);
        RegisteredModel before = lockAndGet(name);
        models.rename(name, newName, clock.millis());
        RegisteredModel after = get(newName);
        changes.audited(MODEL, name, "rename", before, after);
        access.renamed(ResourceType.REGISTERED_MODEL, name, newName);
        changes.event(RegistryEvent.Type.MODEL_RENAMED, newName, null, null, null, null);
        return after;
    }

    @Transactional
    public RegisteredModel updateDescription(String name, String description) {
        RegistryLimits.description(description);
        RegisteredModel before = lockAndGet(name);
        models.updateDescription(name, description, clock.millis());
        RegisteredModel after = get(name);
        changes.audited(MODEL, name, "update", before, after);
        return after;
    }

    @Transactional
    public void delete(String name) {
        RegisteredModel before = lockAndGet(name);
        models.delete(name);
        changes.audited(MODEL, name, "delete", before, null);
        access.forget(ResourceType.REGISTERED_MODEL, name);
        changes.event(RegistryEvent.Type.MODEL_DELETED, name, null, null, null, null);
    }

    @Transactional(readOnly = true)
    public Page<RegisteredModel> search(String filter, List<String> orderBy, Integer maxResults, String pageToken) {
        int limit = RegistryLimits.maxResults(maxResults, RegistryLimits.SEARCH_MODELS_DEFAULT, RegistryLimits.SEARCH_MODELS_MAX);
        int offset = PageToken.offset(pageToken);
        List<OrderBy> order = orderBy == null ? List.of() : orderBy.stream().map(SearchSyntax::parseOrderBy).toList();
        List<ModelRow> rows = models.search(SearchSyntax.parseFilter(filter), order, limit, offset);
        boolean more = rows.size() > limit;
        List<ModelRow> page = more ? rows.subList(0, limit) : rows;
        return new Page<>(views.models(page), PageToken.next(offset, page.size(), more));
    }

    @Transactional
    public void setTag(String name, String key, String value) {
        RegistryLimits.tag(key, value);
        RegisteredModel before = lockAndGet(name);
        models.setTag(name, key, value);
        models.touch(name, clock.millis());
        changes.audited(MODEL, name, "set_tag", before.tags(), get(name).tags());
    }

    @Transactional
    public void deleteTag(String name, String key) {
        RegisteredModel before = lockAndGet(name);
        if (!models.deleteTag(name, key)) {
            throw CairnException.notFound("Registered model tag with name=" + key + " not found for model " + name + ".");
        }
        models.touch(name, clock.millis());
        changes.audited(MODEL, name, "delete_tag", before.tags(), get(name).tags());
    }

    /** Points the alias at the version; announces the move to serving, here and on other replicas. */
    @Transactional
    public void setAlias(String name, String alias, String version) {
        RegistryLimits.alias(alias);
        int number = RegistryLimits.version(version);
        lockAndGet(name);
        versions.find(name, number).orElseThrow(() -> ModelVersions.notFound(name, number));
        Integer previous = models.setAlias(name, alias, number).orElse(null);
        models.touch(name, clock.millis());
        changes.audited("model_alias", name + "@" + alias, "set_alias", previous == null ? null : Map.of("version", previous),
                Map.of("version", number));
        changes.event(RegistryEvent.Type.ALIAS_SET, name, alias, number, previous, null);
    }

    @Transactional
    public void deleteAlias(String name, String alias) {
        RegistryLimits.alias(alias);
        lockAndGet(name);
        Integer previous = models.deleteAlias(name, alias).orElseThrow(() ->
                CairnException.notFound("Registered model alias " + alias + " not found for model " + name + "."));
        models.touch(name, clock.millis());
        changes.audited("model_alias", name + "@" + alias, "delete_alias", Map.of("version", previous), null);
        changes.event(RegistryEvent.Type.ALIAS_DELETED, name, alias, null, previous, null);
    }

    /** The version an alias points to. */
    @Transactional(readOnly = true)
    public ModelVersion byAlias(String name, String alias) {
        RegistryLimits.modelName(name);
        RegistryLimits.alias(alias);
        models.find(name).orElseThrow(() -> notFound(name));
        int version = models.aliasTarget(name, alias).orElseThrow(() ->
                CairnException.notFound("Registered model alias " + alias + " not found for model " + name + "."));
        return views.versions(List.of(versions.find(name, version).orElseThrow())).get(0);
    }

    private RegisteredModel lockAndGet(String name) {
        RegistryLimits.modelName(name);
        models.lock(name).orElseThrow(() -> notFound(name));
        return get(name);
    }

    static CairnException notFound(String name) {
        return CairnException.notFound("Registered Model with name=" + name + " not found");
    }
}
