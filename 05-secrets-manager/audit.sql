-- The audit table of module 05, and the only right its application user gets: INSERT.
-- The app cannot read, change or delete past rows, so a stolen app password cannot erase its tracks.
-- Run as a database owner; then give keysafe_audit the password stored in the secret
-- AUDIT_DB_SECRET_ID ({"username":"keysafe_audit","password":"..."}), see README.md.
CREATE TABLE ask_audit (
    asked_at          timestamptz NOT NULL DEFAULT now(),
    key_fingerprint   text        NOT NULL,  -- ...abcd: tells keys apart, useless to an attacker
    exit_code         integer     NOT NULL,  -- 0 answered; 3 key refused; 4 rate-limited; 5 upstream failed
    prompt_tokens     integer,
    completion_tokens integer,
    total_tokens      integer,
    prompt            text                   -- the question, only with AUDIT_RECORD_PROMPTS=true
);
CREATE ROLE keysafe_audit LOGIN;
GRANT INSERT ON ask_audit TO keysafe_audit;
