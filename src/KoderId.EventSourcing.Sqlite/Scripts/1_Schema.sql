-- The event log. position is assigned by the writer (head + 1) under SQLite's single-writer lock, so it is
-- dense: a gap means a deleted row, which the hash-chain verifier reports.
CREATE TABLE IF NOT EXISTS events (
    position        INTEGER PRIMARY KEY,
    stream_id       TEXT    NOT NULL,
    stream_version  INTEGER NOT NULL,
    tenant_id       TEXT    NOT NULL,
    event_type      TEXT    NOT NULL,
    data            TEXT    NOT NULL,
    event_id        TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    actor           TEXT,
    client_ip       TEXT,
    user_agent      TEXT,
    correlation_id  TEXT,
    causation_id    TEXT,
    hash            BLOB    NOT NULL,
    UNIQUE (stream_id, stream_version)
);

CREATE TABLE IF NOT EXISTS streams (
    stream_id  TEXT PRIMARY KEY,
    tenant_id  TEXT    NOT NULL,
    version    INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS unique_claims (
    tenant_id  TEXT NOT NULL,
    scope      TEXT NOT NULL,
    value      TEXT NOT NULL,
    stream_id  TEXT NOT NULL,
    PRIMARY KEY (tenant_id, scope, value)
);

CREATE TABLE IF NOT EXISTS log_head (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    position  INTEGER NOT NULL,
    hash      BLOB    NOT NULL
);

-- Crypto-shredding keys live outside the log: deleting a row erases that subject's personal data.
CREATE TABLE IF NOT EXISTS subject_keys (
    tenant_id   TEXT    NOT NULL,
    subject_id  TEXT    NOT NULL,
    key         BLOB    NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, subject_id)
);

-- Sealed (AES-256-GCM) private halves of the OIDC signing keys; key.rotated.v1 names a row, never holds it.
CREATE TABLE IF NOT EXISTS signing_key_material (
    tenant_id   TEXT    NOT NULL,
    key_ref     TEXT    NOT NULL,
    sealed_key  BLOB    NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, key_ref)
);
