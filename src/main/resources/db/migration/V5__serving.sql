-- Serving: deployments, shared by every replica (each one loads what this table and the registry's aliases say),
-- and the prediction log that monitoring reads.

CREATE TABLE deployments (
    name               text PRIMARY KEY,
    model              text        NOT NULL,
    alias              text        NOT NULL,
    canary_alias       text,
    canary_percent     integer     NOT NULL DEFAULT 0 CHECK (canary_percent BETWEEN 0 AND 100),
    device             text        NOT NULL DEFAULT 'auto' CHECK (device IN ('auto', 'cpu', 'cuda')),
    max_batch_size     integer     NOT NULL DEFAULT 1 CHECK (max_batch_size >= 1),
    max_queue_delay_ms integer     NOT NULL DEFAULT 0 CHECK (max_queue_delay_ms >= 0),
    stale_features     text        NOT NULL DEFAULT 'reject' CHECK (stale_features IN ('reject', 'accept')),
    -- Bumped by every change of the definition; replicas reload a deployment whose revision they have not loaded.
    revision           bigint      NOT NULL DEFAULT 1,
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL,
    CHECK (canary_alias IS NULL OR canary_alias <> alias)
);

-- One row per prediction, written in batches off the request path. inputs holds the request's tensors (the V2 JSON
-- form), entity_keys the entities of a prediction by entity key, outputs the tensors returned. The id is a
-- time-ordered UUID (version 7), so the primary key grows at its right edge like the table.
-- Tensors are json, not jsonb: the log is written far more often than read, storing json text is several times
-- cheaper than converting it to jsonb, and readers can cast (inputs::jsonb). Large tensors are compressed with lz4
-- where the server supports it (about twice as fast as the default pglz).
CREATE TABLE prediction_log (
    id          uuid PRIMARY KEY,
    deployment  text             NOT NULL,
    model       text             NOT NULL,
    version     integer          NOT NULL,
    alias       text             NOT NULL,
    request_id  text,
    inputs      json,
    entity_keys jsonb,
    outputs     json             NOT NULL,
    latency_ms  double precision NOT NULL,
    created_at  timestamptz      NOT NULL
);

CREATE INDEX prediction_log_deployment_created ON prediction_log (deployment, created_at);

DO $$
BEGIN
    ALTER TABLE prediction_log ALTER COLUMN inputs SET COMPRESSION lz4, ALTER COLUMN outputs SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported OR invalid_parameter_value THEN
    RAISE NOTICE 'PostgreSQL without lz4: prediction_log tensors keep the default compression';
END;
$$;
