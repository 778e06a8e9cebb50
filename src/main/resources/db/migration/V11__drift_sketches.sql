-- Monitoring (issue #15), drift: sketches of live inputs and outputs, per deployment, model version and time bucket
-- (cairn.monitoring.sketch-interval), one row per replica that served in the bucket; a replica rewrites its own row
-- with its whole sketch for the bucket so far, and readers merge the rows of a range. No prediction is decoded to
-- answer a drift query.
CREATE TABLE drift_sketches (
    deployment   text        NOT NULL,
    bucket_start timestamptz NOT NULL,
    version      integer     NOT NULL,
    replica      uuid        NOT NULL,
    model        text        NOT NULL,
    row_count    bigint      NOT NULL,
    sketches     bytea       NOT NULL,
    updated_at   timestamptz NOT NULL,
    PRIMARY KEY (deployment, bucket_start, version, replica)
);

-- A deployment's monitoring settings: the training set drift is measured against (instead of the one on the
-- version's lineage) and the drift rule.
CREATE TABLE monitoring_settings (
    deployment             text        PRIMARY KEY,
    reference_training_set text,
    drift_rule             jsonb,
    updated_at             timestamptz NOT NULL,
    updated_by             text        NOT NULL
);

-- Sketches of a saved training set's columns, built once (on first use) by whichever replica needs them: a saved set
-- never changes, so neither do they.
CREATE TABLE reference_sketches (
    training_set_id text        PRIMARY KEY,
    sketches        bytea       NOT NULL,
    built_at        timestamptz NOT NULL
);
