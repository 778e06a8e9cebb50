-- Monitoring (issue #15), history: what the evaluation job found for each closed window of each deployment
-- (cairn.monitoring.window), for the dashboard and for alerts. A window is claimed in monitoring_windows before it is
-- evaluated, in the same transaction as its results, so it is evaluated once even if two replicas try.
CREATE TABLE monitoring_windows (
    deployment   text        NOT NULL,
    window_start timestamptz NOT NULL,
    window_end   timestamptz NOT NULL,
    evaluated_at timestamptz NOT NULL,
    PRIMARY KEY (deployment, window_start)
);

-- Quality per window and version, as of the evaluation (labels that arrive later show in GET .../performance).
CREATE TABLE quality_history (
    deployment   text        NOT NULL,
    window_start timestamptz NOT NULL,
    window_end   timestamptz NOT NULL,
    version      integer     NOT NULL,
    alias        text        NOT NULL,
    role         text,
    row_count    bigint      NOT NULL,
    labelled     bigint      NOT NULL,
    scored       bigint      NOT NULL,
    task         text,
    metrics      jsonb,
    PRIMARY KEY (deployment, window_start, version, alias)
);

-- Drift per window and version against the reference training set; features holds each feature's verdict and
-- statistics (the drift answer's features, histograms left out).
CREATE TABLE drift_history (
    deployment      text             NOT NULL,
    window_start    timestamptz      NOT NULL,
    window_end      timestamptz      NOT NULL,
    version         integer          NOT NULL,
    training_set_id text             NOT NULL,
    row_count       bigint           NOT NULL,
    dataset_drifted boolean          NOT NULL,
    share_drifted   double precision NOT NULL,
    features        jsonb            NOT NULL,
    PRIMARY KEY (deployment, window_start, version)
);

-- Thresholds crossed (a window that drifts after one that did not, quality below its minimum, a canary pulled
-- back): also in the audit log, counted in cairn_monitoring_events_total and sent to the webhook when one is set.
CREATE TABLE monitoring_events (
    id           bigserial   PRIMARY KEY,
    deployment   text        NOT NULL,
    kind         text        NOT NULL,
    version      integer,
    window_start timestamptz,
    detail       jsonb       NOT NULL,
    raised_at    timestamptz NOT NULL
);

CREATE INDEX monitoring_events_deployment ON monitoring_events (deployment, raised_at);

-- A deployment's quality threshold ({"metric", "min" | "max"}), for the evaluation job's events.
ALTER TABLE monitoring_settings ADD COLUMN quality_threshold jsonb;
