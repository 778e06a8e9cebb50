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

-- One row per prediction, written in batches off the request path. inputs holds the request's tensors (V2 JSON
-- form), entity_keys the entities of a prediction by entity key; outputs the tensors returned.
CREATE TABLE prediction_log (
    id          uuid PRIMARY KEY,
    deployment  text             NOT NULL,
    model       text             NOT NULL,
    version     integer          NOT NULL,
    alias       text             NOT NULL,
    request_id  text,
    inputs      jsonb,
    entity_keys jsonb,
    outputs     jsonb            NOT NULL,
    latency_ms  double precision NOT NULL,
    created_at  timestamptz      NOT NULL
);

CREATE INDEX prediction_log_deployment_created ON prediction_log (deployment, created_at);
