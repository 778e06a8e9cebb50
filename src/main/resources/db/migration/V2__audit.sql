-- The audit trail of registry and model-card changes (and later of other capabilities): append-only.
CREATE TABLE audit_log (
    event_id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    occurred_at timestamptz  NOT NULL DEFAULT clock_timestamp(),
    actor       varchar(256) NOT NULL,
    entity_type varchar(64)  NOT NULL,
    entity_id   text         NOT NULL,
    action      varchar(64)  NOT NULL,
    before      jsonb,
    after       jsonb
);

CREATE INDEX audit_log_by_entity ON audit_log (entity_type, entity_id, event_id);
CREATE INDEX audit_log_by_time ON audit_log (occurred_at);

CREATE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP;
END;
$$;

CREATE TRIGGER audit_log_append_only
    BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only();
