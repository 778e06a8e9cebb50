package io.cairn.features;

import io.cairn.features.FeatureViewDefinition.FeatureSpec;
import io.cairn.features.store.DefinitionStore;
import io.cairn.features.store.FeatureTables;
import io.cairn.platform.audit.AuditLog;
import io.cairn.platform.error.CairnException;
import io.cairn.platform.error.ErrorCode;
import io.cairn.platform.security.Access;
import io.cairn.platform.security.Permission;
import io.cairn.platform.security.ResourceType;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Defines, reads and removes entities and feature views. PUT is idempotent; a change that would break stored data
 * (dropping or retyping a feature, changing a view's entities, changing the join key of an entity in use) is refused,
 * adding a feature is not.
 */
@Service
public class FeatureDefinitions {

    private final DefinitionStore store;
    private final FeatureTables tables;
    private final AuditLog audit;
    private final ApplicationEventPublisher events;
    private final Clock clock;
    private final Access access;

    public FeatureDefinitions(DefinitionStore store, FeatureTables tables, AuditLog audit,
                              ApplicationEventPublisher events, Clock clock, Access access) {
        this.store = store;
        this.tables = tables;
        this.audit = audit;
        this.events = events;
        this.clock = clock;
        this.access = access;
    }

    /**
     * Published when a view is created, changed or deleted, so caches of definitions can drop it and a deleted view's
     * online values can be removed.
     */
    public record FeatureViewChanged(String name, String onlineKey, boolean deleted) {
    }

    // ---- entities ----------------------------------------------------------------------------------------------

    @Transactional
    public Stored<Entity> putEntity(String name, EntityDefinition def) {
        Names.object("entity", name);
        Names.noUnknownFields("the entity", def.unknown(), "[join_key, value_type, description]");
        String joinKey = Names.column("join_key", def.join_key());
        ValueType type = valueType("value_type", def.value_type());
        if (!type.isKeyType()) {
            throw CairnException.invalid("Invalid value_type " + type + " for entity '" + name
                    + "': a join key is INT64, INT32 or STRING.");
        }
        String description = def.description() == null ? "" : def.description();
        store.lock("entity", name);
        Instant now = now();
        Entity existing = store.entity(name).orElse(null);
        if (existing == null) {
            Entity created = new Entity(name, joinKey, type, description, now, now);
            store.insertEntity(created);
            audit.record("feature_entity", name, "create", null, created);
            access.grantCreator(ResourceType.ENTITY, name);
            return new Stored<>(created, true);
        }
        access.require(ResourceType.ENTITY, name, Permission.EDIT);
        if (existing.join_key().equals(joinKey) && existing.value_type() == type
                && existing.description().equals(description)) {
            return new Stored<>(existing, false);
        }
        if (!existing.join_key().equals(joinKey) || existing.value_type() != type) {
            List<String> users = store.viewsUsing(name);
            if (!users.isEmpty()) {
                throw new CairnException(ErrorCode.INVALID_STATE, "Cannot change entity '" + name + "' from "
                        + existing.join_key() + " " + existing.value_type() + " to " + joinKey + " " + type
                        + ": feature views " + users + " store rows under that key. Define a new entity instead.");
            }
        }
        Entity updated = new Entity(name, joinKey, type, description, existing.created_at(), now);
        store.updateEntity(updated);
        audit.record("feature_entity", name, "update", existing, updated);
        return new Stored<>(updated, false);
    }

    @Transactional(readOnly = true)
    public Entity entity(String name) {
        return store.entity(name).orElseThrow(() -> CairnException.notFound("Entity '" + name + "' does not exist."));
    }

    @Transactional(readOnly = true)
    public List<Entity> entities() {
        return store.entities();
    }

    @Transactional
    public void deleteEntity(String name) {
        store.lock("entity", name);
        Entity existing = entity(name);
        access.require(ResourceType.ENTITY, name, Permission.MANAGE);
        List<String> users = store.viewsUsing(name);
        if (!users.isEmpty()) {
            throw new CairnException(ErrorCode.INVALID_STATE, "Cannot delete entity '" + name
                    + "': feature views " + users + " are keyed by it. Delete them first.");
        }
        store.deleteEntity(name);
        audit.record("feature_entity", name, "delete", existing, null);
        access.forget(ResourceType.ENTITY, name);
    }

    // ---- feature views -----------------------------------------------------------------------------------------

    @Transactional
    public Stored<FeatureView> putView(String name, FeatureViewDefinition def) {
        Names.object("feature view", name);
        Names.noUnknownFields("the feature view", def.unknown(),
                "[entities, features, ttl_seconds, online, description, tags, schedule]");
        def.features().forEach(f -> Names.noUnknownFields("feature '" + f.name() + "'", f.unknown(), "[name, type]"));
        List<Feature> features = features(name, def.features());
        long ttl = def.ttl_seconds() == null ? 0 : def.ttl_seconds();
        if (ttl < 0) {
            throw CairnException.invalid("Invalid ttl_seconds " + ttl + ": use 0 (no limit) or a positive number.");
        }
        boolean online = def.online() == null || def.online();
        String description = def.description() == null ? "" : def.description();
        Map<String, String> tags = def.tags() == null ? Map.of() : new LinkedHashMap<>(def.tags());
        tags.forEach((k, v) -> {
            if (k == null || k.isBlank() || v == null) {
                throw CairnException.invalid("Invalid tag '" + k + "' of feature view '" + name
                        + "': tags map non-empty names to string values.");
            }
        });
        MaterializationSchedule schedule = def.schedule() == null ? null : MaterializationSchedule.parse(def.schedule());
        if (schedule != null && !online) {
            throw CairnException.invalid("Feature view '" + name + "' has a schedule but online: false; a schedule "
                    + "materializes the view into the online store. Set online to true, or leave schedule out.");
        }
        List<String> entityNames = def.entities();
        if (new HashSet<>(entityNames).size() != entityNames.size()) {
            throw CairnException.invalid("Feature view '" + name + "' names an entity twice: " + entityNames + ".");
        }

        store.lock("feature_view", name);
        FeatureView existing = store.view(name).orElse(null);
        Instant now = now();
        if (existing != null) {
            access.require(ResourceType.FEATURE_VIEW, name, Permission.EDIT);
            return new Stored<>(update(existing, entityNames, features, ttl, online, description, tags, schedule, now),
                    false);
        }
        List<JoinKey> keys = joinKeys(name, entityNames);
        Set<String> keyNames = new HashSet<>();
        keys.forEach(k -> keyNames.add(k.name()));
        for (Feature f : features) {
            if (keyNames.contains(f.name())) {
                throw CairnException.invalid("Feature '" + f.name() + "' of feature view '" + name
                        + "' has the name of a join key; rename it.");
            }
        }
        FeatureView draft = new FeatureView(0, java.util.UUID.randomUUID().toString().replace("-", ""), name,
                List.copyOf(entityNames), keys, features, ttl, online, description, tags, now, now, null, null, null);
        long id = store.insertView(draft);
        if (schedule != null) {
            store.setSchedule(id, schedule.toString(), schedule.nextAfter(now));
        }
        FeatureView created = store.view(name).orElseThrow();
        if (created.viewId() != id) {
            throw new IllegalStateException("feature view " + name + " changed while it was being created");
        }
        tables.create(created);
        audit.record("feature_view", name, "create", null, created);
        access.grantCreator(ResourceType.FEATURE_VIEW, name);
        events.publishEvent(new FeatureViewChanged(name, created.onlineKey(), false));
        return new Stored<>(created, true);
    }

    private FeatureView update(FeatureView existing, List<String> entityNames, List<Feature> features, long ttl,
                               boolean online, String description, Map<String, String> tags,
                               MaterializationSchedule schedule, Instant now) {
        String name = existing.name();
        if (!new HashSet<>(existing.entities()).equals(new HashSet<>(entityNames))) {
            throw new CairnException(ErrorCode.INVALID_STATE, "Cannot change the entities of feature view '" + name
                    + "' from " + existing.entities() + " to " + entityNames + ": its stored rows are keyed by "
                    + existing.entities() + ". Delete the view and define it again, or define a new view.");
        }
        Map<String, Feature> wanted = new LinkedHashMap<>();
        features.forEach(f -> wanted.put(f.name(), f));
        List<String> dropped = new ArrayList<>();
        List<String> retyped = new ArrayList<>();
        for (Feature old : existing.features()) {
            Feature now2 = wanted.get(old.name());
            if (now2 == null) {
                dropped.add(old.name());
            } else if (now2.type() != old.type()) {
                retyped.add(old.name() + " " + old.type() + " -> " + now2.type());
            }
        }
        if (!dropped.isEmpty() || !retyped.isEmpty()) {
            StringBuilder msg = new StringBuilder("Breaking change to feature view '" + name + "' refused:");
            if (!dropped.isEmpty()) {
                msg.append(" it would drop feature(s) ").append(dropped).append(';');
            }
            if (!retyped.isEmpty()) {
                msg.append(" it would retype feature(s) ").append(retyped).append(';');
            }
            msg.append(" stored rows hold these values. Adding features is allowed; for anything else define a new "
                    + "feature view, or delete this one and define it again.");
            throw new CairnException(ErrorCode.INVALID_STATE, msg.toString());
        }
        Set<String> keyNames = new HashSet<>();
        existing.join_keys().forEach(k -> keyNames.add(k.name()));
        Set<String> oldNames = new HashSet<>();
        existing.features().forEach(f -> oldNames.add(f.name()));
        List<Feature> added = new ArrayList<>();
        for (Feature f : features) {
            if (!oldNames.contains(f.name())) {
                if (keyNames.contains(f.name())) {
                    throw CairnException.invalid("Feature '" + f.name() + "' of feature view '" + name
                            + "' has the name of a join key; rename it.");
                }
                added.add(f);
            }
        }
        String scheduleText = schedule == null ? null : schedule.toString();
        boolean scheduleChanged = !java.util.Objects.equals(existing.schedule(), scheduleText);
        if (added.isEmpty() && existing.features().equals(features) && existing.ttl_seconds() == ttl
                && existing.online() == online && existing.description().equals(description)
                && existing.tags().equals(tags) && !scheduleChanged) {
            return existing;
        }
        // The entity order stays as first defined: it is part of how online keys are built.
        FeatureView updated = new FeatureView(existing.viewId(), existing.onlineKey(), name, existing.entities(),
                existing.join_keys(),
                features, ttl, online, description, tags, existing.created_at(), now, existing.materialized_until(),
                null, null);
        store.updateView(updated);
        if (scheduleChanged) {
            // A new schedule counts from now; an unchanged one keeps its next run.
            store.setSchedule(existing.viewId(), scheduleText, schedule == null ? null : schedule.nextAfter(now));
        }
        tables.addFeatures(existing, added);
        updated = store.view(name).orElseThrow();
        audit.record("feature_view", name, "update", existing, updated);
        events.publishEvent(new FeatureViewChanged(name, existing.onlineKey(), false));
        return updated;
    }

    @Transactional(readOnly = true)
    public FeatureView view(String name) {
        return store.view(name).orElseThrow(() -> CairnException.notFound("Feature view '" + name + "' does not exist."));
    }

    @Transactional(readOnly = true)
    public List<FeatureView> views() {
        return store.views();
    }

    /**
     * The named views, in the order given, read with one query.
     *
     * @throws CairnException naming every view that does not exist
     */
    @Transactional(readOnly = true)
    public Map<String, FeatureView> views(List<String> names) {
        List<String> distinct = List.copyOf(new LinkedHashSet<>(names));
        Map<String, FeatureView> found = store.views(distinct);
        List<String> missing = distinct.stream().filter(n -> !found.containsKey(n)).toList();
        if (!missing.isEmpty()) {
            throw CairnException.invalid((missing.size() == 1 ? "Feature view '" + missing.get(0) + "' does not exist"
                    : "Feature views " + missing + " do not exist") + ".");
        }
        Map<String, FeatureView> ordered = new LinkedHashMap<>();
        distinct.forEach(n -> ordered.put(n, found.get(n)));
        return ordered;
    }

    @Transactional
    public void deleteView(String name) {
        store.lock("feature_view", name);
        FeatureView existing = view(name);
        access.require(ResourceType.FEATURE_VIEW, name, Permission.MANAGE);
        tables.drop(existing);
        store.deleteView(existing.viewId());
        audit.record("feature_view", name, "delete", existing, null);
        access.forget(ResourceType.FEATURE_VIEW, name);
        events.publishEvent(new FeatureViewChanged(name, existing.onlineKey(), true));
    }

    // ---- helpers -----------------------------------------------------------------------------------------------

    private List<JoinKey> joinKeys(String view, List<String> entityNames) {
        List<JoinKey> keys = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        List<String> missing = new ArrayList<>();
        for (String entityName : entityNames) {
            Entity e = store.entity(entityName).orElse(null);
            if (e == null) {
                missing.add(entityName);
                continue;
            }
            if (!seen.add(e.join_key())) {
                throw CairnException.invalid("Feature view '" + view + "' has two entities with join key '"
                        + e.join_key() + "'.");
            }
            keys.add(new JoinKey(e.name(), e.join_key(), e.value_type()));
        }
        if (!missing.isEmpty()) {
            throw CairnException.invalid("Feature view '" + view + "' names entities that do not exist: " + missing
                    + ". Define them first with PUT /api/v1/entities/{name}.");
        }
        return List.copyOf(keys);
    }

    private static List<Feature> features(String view, List<FeatureSpec> specs) {
        List<Feature> features = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (FeatureSpec spec : specs) {
            String name = Names.column("feature name", spec.name());
            if (!seen.add(name)) {
                throw CairnException.invalid("Feature view '" + view + "' declares feature '" + name + "' twice.");
            }
            features.add(new Feature(name, valueType("type of feature '" + name + "'", spec.type())));
        }
        return List.copyOf(features);
    }

    private static ValueType valueType(String what, String type) {
        try {
            return ValueType.parse(type);
        } catch (IllegalArgumentException e) {
            throw CairnException.invalid("Invalid " + what + " '" + type + "': use one of "
                    + java.util.Arrays.toString(ValueType.values()) + ".");
        }
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }
}
