-- Experiment tracking: experiments, runs, params, tags, metric history, dataset inputs.
-- Times are epoch milliseconds (MLflow's unit) stored as bigint.

CREATE SEQUENCE experiment_id_seq START WITH 1;

CREATE TABLE experiments (
    experiment_id     bigint PRIMARY KEY,
    name              varchar(500) NOT NULL,
    artifact_location text         NOT NULL,
    lifecycle_stage   varchar(16)  NOT NULL DEFAULT 'active' CHECK (lifecycle_stage IN ('active', 'deleted')),
    creation_time     bigint       NOT NULL,
    last_update_time  bigint       NOT NULL,
    CONSTRAINT experiments_name_unique UNIQUE (name)
);

ALTER SEQUENCE experiment_id_seq OWNED BY experiments.experiment_id;

INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time)
VALUES (0, 'Default', 'mlflow-artifacts:/0', 'active',
        (extract(epoch from now()) * 1000)::bigint, (extract(epoch from now()) * 1000)::bigint);

CREATE TABLE experiment_tags (
    experiment_id bigint       NOT NULL REFERENCES experiments (experiment_id),
    key           varchar(250) NOT NULL,
    value         text         NOT NULL,
    PRIMARY KEY (experiment_id, key)
);

CREATE TABLE runs (
    run_id          varchar(32)  PRIMARY KEY,
    experiment_id   bigint       NOT NULL REFERENCES experiments (experiment_id),
    run_name        varchar(250) NOT NULL,
    user_id         varchar(256),
    status          varchar(16)  NOT NULL CHECK (status IN ('RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED')),
    start_time      bigint,
    end_time        bigint,
    artifact_uri    text         NOT NULL,
    lifecycle_stage varchar(16)  NOT NULL DEFAULT 'active' CHECK (lifecycle_stage IN ('active', 'deleted')),
    deleted_time    bigint
);

CREATE INDEX runs_by_experiment ON runs (experiment_id, start_time DESC, run_id);

CREATE TABLE run_params (
    run_id varchar(32)   NOT NULL REFERENCES runs (run_id),
    key    varchar(250)  NOT NULL,
    value  varchar(6000) NOT NULL,
    PRIMARY KEY (run_id, key)
);

CREATE INDEX run_params_by_key ON run_params (key, value);

CREATE TABLE run_tags (
    run_id varchar(32)  NOT NULL REFERENCES runs (run_id),
    key    varchar(250) NOT NULL,
    value  text         NOT NULL,
    PRIMARY KEY (run_id, key)
);

CREATE INDEX run_tags_by_key ON run_tags (key, value);

-- Append-only: every logged point is kept. No foreign key, so bulk COPY stays cheap; the service checks the run.
CREATE TABLE metric_history (
    run_id    varchar(32)      NOT NULL,
    key       varchar(250)     NOT NULL,
    value     double precision NOT NULL,
    timestamp bigint           NOT NULL,
    step      bigint           NOT NULL
);

CREATE INDEX metric_history_by_run_key ON metric_history (run_id, key, step, timestamp);

-- The value MLflow reports per key: largest step, then latest timestamp, then largest value.
CREATE TABLE latest_metrics (
    run_id    varchar(32)      NOT NULL REFERENCES runs (run_id),
    key       varchar(250)     NOT NULL,
    value     double precision NOT NULL,
    timestamp bigint           NOT NULL,
    step      bigint           NOT NULL,
    PRIMARY KEY (run_id, key)
);

CREATE INDEX latest_metrics_by_key_value ON latest_metrics (key, value);

CREATE TABLE datasets (
    dataset_id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    experiment_id bigint        NOT NULL REFERENCES experiments (experiment_id),
    name          varchar(500)  NOT NULL,
    digest        varchar(36)   NOT NULL,
    source_type   varchar(36)   NOT NULL,
    source        text          NOT NULL,
    schema        text,
    profile       text,
    CONSTRAINT datasets_unique UNIQUE (experiment_id, name, digest)
);

CREATE TABLE run_inputs (
    run_id     varchar(32) NOT NULL REFERENCES runs (run_id),
    dataset_id bigint      NOT NULL REFERENCES datasets (dataset_id),
    tags       jsonb       NOT NULL DEFAULT '[]',
    PRIMARY KEY (run_id, dataset_id)
);
