-- Model registry: registered models, versions, tags, aliases, the change events other replicas follow,
-- and model cards with every revision kept.

CREATE TABLE registered_models (
    name                   varchar(256) PRIMARY KEY,
    creation_timestamp     bigint       NOT NULL,
    last_updated_timestamp bigint       NOT NULL,
    description            text,
    -- Highest version number ever assigned: numbers are never reused, even after a version is deleted.
    last_version           integer      NOT NULL DEFAULT 0
);

CREATE TABLE registered_model_tags (
    name  varchar(256) NOT NULL REFERENCES registered_models (name) ON UPDATE CASCADE ON DELETE CASCADE,
    key   varchar(250) NOT NULL,
    value text         NOT NULL,
    PRIMARY KEY (name, key)
);

CREATE TABLE model_versions (
    name                   varchar(256) NOT NULL REFERENCES registered_models (name) ON UPDATE CASCADE ON DELETE CASCADE,
    version                integer      NOT NULL,
    creation_timestamp     bigint       NOT NULL,
    last_updated_timestamp bigint       NOT NULL,
    description            text,
    user_id                varchar(256),
    current_stage          varchar(20)  NOT NULL DEFAULT 'None',
    source                 text         NOT NULL,
    run_id                 varchar(32),
    run_link               text,
    status                 varchar(20)  NOT NULL DEFAULT 'READY',
    storage_location       text         NOT NULL,
    PRIMARY KEY (name, version)
);

CREATE INDEX model_versions_by_run ON model_versions (run_id);

CREATE TABLE model_version_tags (
    name    varchar(256) NOT NULL,
    version integer      NOT NULL,
    key     varchar(250) NOT NULL,
    value   text         NOT NULL,
    PRIMARY KEY (name, version, key),
    FOREIGN KEY (name, version) REFERENCES model_versions (name, version) ON UPDATE CASCADE ON DELETE CASCADE
);

CREATE TABLE registered_model_aliases (
    name    varchar(256) NOT NULL,
    alias   varchar(255) NOT NULL,
    version integer      NOT NULL,
    PRIMARY KEY (name, alias),
    FOREIGN KEY (name, version) REFERENCES model_versions (name, version) ON UPDATE CASCADE ON DELETE CASCADE
);

-- Alias and stage changes in commit order, so every replica can follow them (serving reloads on them).
CREATE TABLE registry_events (
    event_id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    occurred_at      bigint       NOT NULL,
    type             varchar(32)  NOT NULL,
    name             varchar(256) NOT NULL,
    alias            varchar(255),
    version          integer,
    previous_version integer,
    stage            varchar(20)
);

CREATE TABLE model_card_revisions (
    name       varchar(256) NOT NULL,
    version    integer      NOT NULL,
    revision   integer      NOT NULL,
    card       jsonb        NOT NULL,
    created_at bigint       NOT NULL,
    author     varchar(256) NOT NULL,
    PRIMARY KEY (name, version, revision),
    FOREIGN KEY (name, version) REFERENCES model_versions (name, version) ON UPDATE CASCADE ON DELETE CASCADE
);
