-- Reservations that cannot leak, spike counts shared by every instance, and retention. Applied
-- once per database by Flyway, after V1 (never edited once applied: add V3__... beside it).

-- One row per request in flight: its reservation of a token's budget, and when it lapses. The
-- amount is also in budgets.reserved_nano_usd (reserve adds to both in one statement, settle takes
-- from both). A request that could not settle (the database dropped mid-request) leaves its row;
-- the sweeper releases rows whose expiry has passed, when no request can still be running.
CREATE TABLE reservations (
    request_id TEXT PRIMARY KEY,
    token_id   TEXT        NOT NULL REFERENCES budgets (token_id),
    nano_usd   BIGINT      NOT NULL CHECK (nano_usd >= 0),
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX reservations_expiry ON reservations (expires_at);

-- Counts kept across instances: reservations the sweeper released.
CREATE TABLE store_counters (
    name  TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);
INSERT INTO store_counters (name, value) VALUES ('reservations_released', 0);

-- Requests per token per minute, counted by every instance, for the spike monitor; alerted marks
-- the one instance that raised the minute's alert. Rows older than the monitor looks back are deleted.
CREATE TABLE request_minutes (
    token_id TEXT    NOT NULL,
    minute   BIGINT  NOT NULL,
    requests BIGINT  NOT NULL,
    alerted  BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (token_id, minute)
);
CREATE INDEX request_minutes_minute ON request_minutes (minute);

-- Retention (PROXY_LEDGER_RETENTION_DAYS, PROXY_AUDIT_RETENTION_DAYS) deletes the oldest rows in
-- small batches; these indexes find them without a scan of the table.
CREATE INDEX usage_ledger_at ON usage_ledger (at);
CREATE INDEX audit_log_at ON audit_log (at);
