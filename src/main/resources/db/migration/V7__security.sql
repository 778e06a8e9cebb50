-- Users, API tokens and permissions (io.cairn.platform.security). MLflow's auth app keeps one table per resource
-- kind; one table keyed by resource type serves every kind Cairn has (experiments, registered models, feature views,
-- entities, deployments, training sets) with the same checks.
CREATE TABLE users (
    user_id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username      varchar(256) NOT NULL UNIQUE,
    -- Spring Security's DelegatingPasswordEncoder format ({bcrypt}...); null for users who only sign in with OIDC.
    password_hash text,
    is_admin      boolean      NOT NULL DEFAULT false,
    created_at    timestamptz  NOT NULL DEFAULT now()
);

CREATE TABLE api_tokens (
    token_id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id      bigint       NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    name         varchar(256) NOT NULL,
    -- SHA-256 of the token: the token itself is shown once, at creation, and never stored.
    digest       bytea        NOT NULL UNIQUE,
    created_at   timestamptz  NOT NULL DEFAULT now(),
    expires_at   timestamptz,
    revoked_at   timestamptz
);

CREATE INDEX api_tokens_by_user ON api_tokens (user_id, token_id);

CREATE TABLE permissions (
    resource_type varchar(32) NOT NULL,
    resource_id   text        NOT NULL,
    user_id       bigint      NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    permission    varchar(16) NOT NULL CHECK (permission IN ('READ', 'EDIT', 'MANAGE', 'NO_PERMISSIONS')),
    PRIMARY KEY (resource_type, resource_id, user_id)
);

CREATE INDEX permissions_by_user ON permissions (user_id, resource_type);

-- Failed-login throttling, Bucket4j's JDBC layout: one bucket per user name and per client address.
CREATE TABLE login_throttle (
    id         varchar(300) PRIMARY KEY,
    state      bytea,
    expires_at bigint
);
