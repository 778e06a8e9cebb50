-- Scheduled materialization: a feature view may carry a schedule (an interval or a cron expression); the job that
-- runs materialize-incremental on one replica (ShedLock) finds due views by next_run_at and keeps the latest run's
-- outcome here, which the API and the Prometheus gauges read.
CREATE TABLE feature_view_schedules (
    view_id           bigint      PRIMARY KEY REFERENCES feature_views (view_id) ON DELETE CASCADE,
    schedule          text        NOT NULL,
    next_run_at       timestamptz NOT NULL,
    last_started_at   timestamptz,
    last_duration_ms  bigint,
    last_entities     bigint,
    last_rows_written bigint,
    last_error        text,
    runs              bigint      NOT NULL DEFAULT 0,
    failures          bigint      NOT NULL DEFAULT 0
);

CREATE INDEX feature_view_schedules_due ON feature_view_schedules (next_run_at);
