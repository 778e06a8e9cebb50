-- Guarded canaries (issue #15): a canary's guard, and each replica's request outcomes per deployment, version and
-- minute, so the guard compares error rates across every replica rather than the one it runs on.
ALTER TABLE deployments ADD COLUMN canary_guard jsonb;

-- Counts are added (never overwritten): each replica adds what it counted since its last flush.
CREATE TABLE serving_outcomes (
    deployment   text        NOT NULL,
    version      integer     NOT NULL,
    minute       timestamptz NOT NULL,
    succeeded    bigint      NOT NULL,
    failed       bigint      NOT NULL,
    PRIMARY KEY (deployment, minute, version)
);
