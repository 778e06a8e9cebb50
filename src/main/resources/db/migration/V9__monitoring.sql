-- Monitoring (issue #15), first part: what monitoring knows of logged predictions, and the ground truth.

-- Filled from serving's PredictionsLogged event, never from prediction_log: monitoring's own index of predictions,
-- so labels are matched (by prediction id, or by the request id a client sent) without reading serving's table.
CREATE TABLE monitored_predictions (
    prediction_id uuid PRIMARY KEY,
    deployment    text             NOT NULL,
    model         text             NOT NULL,
    version       integer          NOT NULL,
    alias         text             NOT NULL,
    request_id    text,
    row_count     integer          NOT NULL,
    latency_ms    double precision NOT NULL,
    predicted_at  timestamptz      NOT NULL
);

CREATE INDEX monitored_predictions_window ON monitored_predictions (deployment, predicted_at);
CREATE INDEX monitored_predictions_request ON monitored_predictions (deployment, request_id, predicted_at)
    WHERE request_id IS NOT NULL;

-- The current label of each labelled prediction row. value_text is the label as sent (a class label, or a number's
-- text); value_number is set when the label is a number (regression targets, integer classes). No foreign key to
-- monitored_predictions: a load only inserts labels it has just matched there, in the same transaction, and the
-- per-row check of the key took 15.6 s of a 500,000-label load against 6.4 s without it (docs/benchmarks.md).
CREATE TABLE ground_truth (
    prediction_id uuid        NOT NULL,
    row_index     integer     NOT NULL CHECK (row_index >= 0),
    deployment    text        NOT NULL,
    value_text    text        NOT NULL,
    value_number  double precision,
    labelled_at   timestamptz NOT NULL,
    labelled_by   text        NOT NULL,
    PRIMARY KEY (prediction_id, row_index)
);

-- Labels that were replaced by a later one, as they were.
CREATE TABLE ground_truth_history (
    prediction_id uuid        NOT NULL,
    row_index     integer     NOT NULL,
    deployment    text        NOT NULL,
    value_text    text        NOT NULL,
    value_number  double precision,
    labelled_at   timestamptz NOT NULL,
    labelled_by   text        NOT NULL,
    replaced_at   timestamptz NOT NULL
);

CREATE INDEX ground_truth_history_prediction ON ground_truth_history (prediction_id, row_index);
