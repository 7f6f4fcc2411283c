-- The schema of the release with desks, before fuzzy memory (schema version 2).
CREATE TABLE IF NOT EXISTS memory (
    desk        TEXT NOT NULL,
    source_lang TEXT NOT NULL,
    target_lang TEXT NOT NULL,
    source      TEXT NOT NULL,
    target      TEXT NOT NULL,
    document_id TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (desk, source_lang, target_lang, source)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS documents (
    id          TEXT PRIMARY KEY,
    title       TEXT NOT NULL,
    source_lang TEXT NOT NULL,
    target_lang TEXT NOT NULL,
    result      TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    desk        TEXT NOT NULL DEFAULT 'default'
);
CREATE INDEX IF NOT EXISTS documents_created ON documents (created_at);
CREATE INDEX IF NOT EXISTS documents_desk ON documents (desk, created_at);

CREATE TABLE IF NOT EXISTS reviews (
    document_id TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    segment     INTEGER NOT NULL,
    target      TEXT NOT NULL,
    reviewed    INTEGER NOT NULL,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (document_id, segment)
);

CREATE TABLE IF NOT EXISTS api_keys (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    key_hash    TEXT NOT NULL UNIQUE,
    rate_limit  INTEGER,
    created_at  TEXT NOT NULL,
    revoked_at  TEXT,
    desk        TEXT NOT NULL DEFAULT 'default',
    role        TEXT NOT NULL DEFAULT 'member'
);
