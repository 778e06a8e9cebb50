-- Monitoring (issue #15), second part: what each logged prediction answered, row by row, so quality is computed from
-- monitoring's own table. Arrays hold one element per prediction row (row_count of them); features holds the rows of
-- the model's one 2-D numeric input flattened row-major (feature_count per row), when inputs were logged.
ALTER TABLE monitored_predictions
    ADD COLUMN task          text,
    ADD COLUMN scores        double precision[],
    ADD COLUMN predicted     text[],
    ADD COLUMN feature_count integer,
    ADD COLUMN features      double precision[],
    ADD COLUMN tags          jsonb;
