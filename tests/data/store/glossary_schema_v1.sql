CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS glossaries (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    languages TEXT NOT NULL DEFAULT '[]',
    source TEXT NOT NULL DEFAULT '',
    created TEXT NOT NULL,
    updated TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS entries (
    glossary INTEGER NOT NULL REFERENCES glossaries(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    entry_id TEXT NOT NULL,
    type TEXT NOT NULL,
    terms TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    dnt INTEGER NOT NULL DEFAULT 0,
    origin TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (glossary, entry_id)
);
CREATE INDEX IF NOT EXISTS entries_order ON entries (glossary, position);
