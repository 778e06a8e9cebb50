-- Feature store: entities, feature views, materialization runs and saved training sets.
-- The rows of each feature view and of each saved training set live in their own typed tables in the schema
-- feature_data, created at run time from the definition (feature_data.view_<id>, feature_data.training_set_<id>);
-- see io.cairn.features.store.FeatureTables for why.

CREATE SCHEMA feature_data;

CREATE TABLE feature_entities (
    name        varchar(128) PRIMARY KEY,
    join_key    varchar(63)  NOT NULL,
    value_type  varchar(16)  NOT NULL,
    description text         NOT NULL DEFAULT '',
    created_at  timestamptz  NOT NULL,
    updated_at  timestamptz  NOT NULL
);

CREATE TABLE feature_views (
    -- Names the view's table; a view deleted and defined again gets a new id, so nothing of the old one
    -- (offline rows, online keys) can leak into the new one.
    view_id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name               varchar(128) NOT NULL UNIQUE,
    -- Random, prefixes the view's keys in the online store: unique across every database sharing one Redis.
    online_key         varchar(32)  NOT NULL UNIQUE,
    -- [{"name": "conv_rate", "type": "FLOAT64"}, ...] in the declared order.
    features           jsonb        NOT NULL,
    ttl_seconds        bigint       NOT NULL CHECK (ttl_seconds >= 0),
    online             boolean      NOT NULL,
    description        text         NOT NULL DEFAULT '',
    tags               jsonb        NOT NULL DEFAULT '{}',
    created_at         timestamptz  NOT NULL,
    updated_at         timestamptz  NOT NULL,
    -- End of the latest materialization window: where materialize-incremental continues.
    materialized_until timestamptz
);

-- The entities a view is keyed by, in order; an entity in use cannot be deleted.
CREATE TABLE feature_view_entities (
    view_id  bigint       NOT NULL REFERENCES feature_views (view_id) ON DELETE CASCADE,
    position integer      NOT NULL,
    entity   varchar(128) NOT NULL REFERENCES feature_entities (name),
    PRIMARY KEY (view_id, position),
    UNIQUE (view_id, entity)
);

CREATE INDEX feature_view_entities_by_entity ON feature_view_entities (entity);

CREATE TABLE feature_view_materializations (
    materialization_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    view_id            bigint      NOT NULL REFERENCES feature_views (view_id) ON DELETE CASCADE,
    start_time         timestamptz NOT NULL,
    end_time           timestamptz NOT NULL,
    entities_written   bigint      NOT NULL,
    finished_at        timestamptz NOT NULL
);

CREATE INDEX feature_view_materializations_by_view ON feature_view_materializations (view_id, materialization_id);

-- Saved training sets: immutable once written.
CREATE TABLE training_sets (
    training_set_id    varchar(32)  PRIMARY KEY,
    name               varchar(128) NOT NULL UNIQUE,
    digest             varchar(64)  NOT NULL,
    row_count          bigint       NOT NULL,
    feature_refs       text[]       NOT NULL,
    full_feature_names boolean      NOT NULL,
    -- [{"name": "driver_id", "type": "INT64"}, ...]: the output columns in order.
    columns            jsonb        NOT NULL,
    -- Earliest and latest entity-row timestamp (null for an empty set).
    start_time         timestamptz,
    end_time           timestamptz,
    created_at         timestamptz  NOT NULL
);

CREATE FUNCTION training_sets_are_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'saved training sets are immutable: % is not allowed', TG_OP;
END;
$$;

CREATE TRIGGER training_sets_immutable
    BEFORE UPDATE ON training_sets
    FOR EACH STATEMENT EXECUTE FUNCTION training_sets_are_immutable();
