-- The proxy's shared state, for PROXY_STORE=postgres. Flyway applies this once per database, at
-- the start of the first instance (later instances find it applied). Never edit an applied
-- migration: add V2__..., V3__... beside it.

-- Client tokens: the SHA-256 of each secret, never the secret itself.
CREATE TABLE client_tokens (
    id          TEXT PRIMARY KEY,
    name        TEXT        NOT NULL,
    token_hash  TEXT        NOT NULL UNIQUE,
    fingerprint TEXT        NOT NULL,
    models      TEXT[]      NOT NULL,
    rpm         INTEGER     NOT NULL,
    max_tokens  INTEGER     NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL,
    revoked     BOOLEAN     NOT NULL DEFAULT FALSE,
    kind        TEXT        NOT NULL
);

-- One budget per token, in nano-dollars. The reserve statement only adds when the sum stays
-- within the limit; the CHECK is a second guard the database itself keeps.
CREATE TABLE budgets (
    token_id          TEXT PRIMARY KEY REFERENCES client_tokens (id),
    limit_nano_usd    BIGINT NOT NULL,
    spent_nano_usd    BIGINT NOT NULL DEFAULT 0,
    reserved_nano_usd BIGINT NOT NULL DEFAULT 0,
    CHECK (spent_nano_usd + reserved_nano_usd <= limit_nano_usd)
);

-- Every request that went upstream, as billed.
CREATE TABLE usage_ledger (
    id                BIGSERIAL PRIMARY KEY,
    token_id          TEXT        NOT NULL,
    at                TIMESTAMPTZ NOT NULL,
    route             TEXT        NOT NULL,
    model             TEXT        NOT NULL,
    status            INTEGER     NOT NULL,
    prompt_tokens     BIGINT      NOT NULL,
    completion_tokens BIGINT      NOT NULL,
    cost_nano_usd     BIGINT      NOT NULL
);
CREATE INDEX usage_ledger_token ON usage_ledger (token_id);

-- Admin actions and refused admin attempts, with fingerprints only.
CREATE TABLE audit_log (
    id          BIGSERIAL PRIMARY KEY,
    at          TIMESTAMPTZ NOT NULL,
    action      TEXT        NOT NULL,
    subject     TEXT        NOT NULL,
    fingerprint TEXT        NOT NULL,
    detail      TEXT        NOT NULL,
    remote      TEXT        NOT NULL
);

-- Bucket4j's rate-limit buckets (its PostgreSQL backend, select-for-update): one row per bucket,
-- the bucket's state serialised by Bucket4j, and when an idle bucket may be deleted.
CREATE TABLE rate_buckets (
    id         TEXT PRIMARY KEY,
    state      BYTEA,
    expires_at BIGINT
);
