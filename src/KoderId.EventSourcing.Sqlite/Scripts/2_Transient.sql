-- Short-lived state outside the log (ADR 0006): authentication flows, failed-attempt counters, challenges.
-- Every row expires; expired rows read as absent and the purge loop deletes them by expires_at.
CREATE TABLE IF NOT EXISTS transient_entries (
    tenant_id   TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    key         TEXT    NOT NULL,
    value       BLOB    NOT NULL,
    version     INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, kind, key)
);

CREATE INDEX IF NOT EXISTS transient_entries_expires_at ON transient_entries (expires_at);
