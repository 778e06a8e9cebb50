-- Training-serving skew (issue #15): a sample of predictions by entity key (cairn.monitoring.skew-sample-rate) with
-- the feature values that were served; the skew job recomputes them with a point-in-time training-set query at the
-- prediction's time and keeps each comparison.
CREATE TABLE skew_samples (
    prediction_id uuid PRIMARY KEY,
    deployment    text               NOT NULL,
    version       integer            NOT NULL,
    predicted_at  timestamptz        NOT NULL,
    feature_refs  text[]             NOT NULL,
    entity_keys   jsonb              NOT NULL,
    served        double precision[] NOT NULL,
    checked_at    timestamptz
);

CREATE INDEX skew_samples_pending ON skew_samples (predicted_at) WHERE checked_at IS NULL;

-- One served feature value of a sampled row against its offline value (null: the offline store had none).
CREATE TABLE skew_results (
    prediction_id uuid             NOT NULL,
    row_index     integer          NOT NULL,
    feature       text             NOT NULL,
    deployment    text             NOT NULL,
    predicted_at  timestamptz      NOT NULL,
    entity_key    jsonb            NOT NULL,
    served        double precision,
    offline       double precision,
    PRIMARY KEY (prediction_id, row_index, feature)
);

CREATE INDEX skew_results_window ON skew_results (deployment, predicted_at);
