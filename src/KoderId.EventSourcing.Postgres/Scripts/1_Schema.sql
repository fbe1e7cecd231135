-- The event log. position is assigned by the writer (head + 1) while it holds the append advisory lock, so
-- it is dense and commits in order: a gap means a deleted row, which the hash-chain verifier reports.
-- data is TEXT, not jsonb: the hash chain covers the exact text, and jsonb would reformat it.
-- See docs/adr/0003-postgres-ordering.md.
CREATE TABLE IF NOT EXISTS events (
    position        BIGINT  NOT NULL,
    stream_id       TEXT    NOT NULL,
    stream_version  BIGINT  NOT NULL,
    tenant_id       TEXT    NOT NULL,
    event_type      TEXT    NOT NULL,
    data            TEXT    NOT NULL,
    event_id        UUID    NOT NULL,
    created_at      BIGINT  NOT NULL,
    actor           TEXT,
    client_ip       TEXT,
    user_agent      TEXT,
    correlation_id  TEXT,
    causation_id    TEXT,
    hash            BYTEA   NOT NULL,
    CONSTRAINT events_pkey PRIMARY KEY (position),
    CONSTRAINT events_stream_version_key UNIQUE (stream_id, stream_version)
);

CREATE TABLE IF NOT EXISTS streams (
    stream_id  TEXT    NOT NULL,
    tenant_id  TEXT    NOT NULL,
    version    BIGINT  NOT NULL,
    CONSTRAINT streams_pkey PRIMARY KEY (stream_id)
);

CREATE TABLE IF NOT EXISTS unique_claims (
    tenant_id  TEXT NOT NULL,
    scope      TEXT NOT NULL,
    value      TEXT NOT NULL,
    stream_id  TEXT NOT NULL,
    CONSTRAINT unique_claims_pkey PRIMARY KEY (tenant_id, scope, value)
);

CREATE TABLE IF NOT EXISTS log_head (
    id        INTEGER NOT NULL,
    position  BIGINT  NOT NULL,
    hash      BYTEA   NOT NULL,
    CONSTRAINT log_head_pkey PRIMARY KEY (id),
    CONSTRAINT log_head_single_row CHECK (id = 1)
);

-- Crypto-shredding keys live outside the log: deleting a row erases that subject's personal data.
CREATE TABLE IF NOT EXISTS subject_keys (
    tenant_id   TEXT    NOT NULL,
    subject_id  TEXT    NOT NULL,
    key         BYTEA   NOT NULL,
    created_at  BIGINT  NOT NULL,
    CONSTRAINT subject_keys_pkey PRIMARY KEY (tenant_id, subject_id)
);

-- Sealed (AES-256-GCM) private halves of the OIDC signing keys; key.rotated.v1 names a row, never holds it.
CREATE TABLE IF NOT EXISTS signing_key_material (
    tenant_id   TEXT    NOT NULL,
    key_ref     TEXT    NOT NULL,
    sealed_key  BYTEA   NOT NULL,
    created_at  BIGINT  NOT NULL,
    CONSTRAINT signing_key_material_pkey PRIMARY KEY (tenant_id, key_ref)
);
