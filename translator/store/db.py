"""Opening the SQLite file: WAL mode, one connection per thread, writes in transactions."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from ..errors import TranslatorError
from .typography import index_words, typography_key

SCHEMA_VERSION = 4

#: the desk of data stored before desks existed, of keys made without --desk, and of
#: requests without a key
DEFAULT_DESK = "default"
#: the desk of the newsroom-wide translation memory (no key belongs to it)
NEWSROOM = "*"

# Concordance on the target side: a full-text index of tm_key(target) of its own, so the
# fuzzy lookups' index (the sources) stays as it was. Contentless: it holds the keys of
# the targets, not the text the memory table keeps.
MEMORY_TARGETS = """
CREATE VIRTUAL TABLE IF NOT EXISTS memory_targets USING fts5(
    target, content='', tokenize='unicode61 remove_diacritics 2');
CREATE TRIGGER IF NOT EXISTS memory_targets_add AFTER INSERT ON memory BEGIN
    INSERT INTO memory_targets (rowid, target) VALUES (new.id, tm_key(new.target));
END;
CREATE TRIGGER IF NOT EXISTS memory_targets_remove AFTER DELETE ON memory BEGIN
    INSERT INTO memory_targets (memory_targets, rowid, target)
        VALUES ('delete', old.id, tm_key(old.target));
END;
CREATE TRIGGER IF NOT EXISTS memory_targets_change AFTER UPDATE OF target ON memory BEGIN
    INSERT INTO memory_targets (memory_targets, rowid, target)
        VALUES ('delete', old.id, tm_key(old.target));
    INSERT INTO memory_targets (rowid, target) VALUES (new.id, tm_key(new.target));
END
"""

MEMORY_TABLE = """
CREATE TABLE IF NOT EXISTS memory (
    id          INTEGER PRIMARY KEY,
    desk        TEXT NOT NULL,
    source_lang TEXT NOT NULL,
    target_lang TEXT NOT NULL,
    source      TEXT NOT NULL,
    target      TEXT NOT NULL,
    key         TEXT NOT NULL,  -- typography_key(source): what exact lookups compare
    document_id TEXT,
    created_by  TEXT,           -- who wrote it: an API key's name, or a note on its origin
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    UNIQUE (desk, source_lang, target_lang, source)
);
CREATE INDEX IF NOT EXISTS memory_key ON memory (source_lang, target_lang, key);
-- Fuzzy candidates: a full-text index of the keys (external content: the text stays in
-- memory), kept in step by triggers.
CREATE VIRTUAL TABLE IF NOT EXISTS memory_words USING fts5(
    key, content='memory', content_rowid='id', tokenize='unicode61 remove_diacritics 2');
-- How many entries hold each word (FTS5's own counts, fts5vocab, are a scan): which
-- words of a sentence are rare enough to look up. tm_words() is index_words() as JSON.
CREATE TABLE IF NOT EXISTS memory_word_counts (
    word    TEXT PRIMARY KEY,
    entries INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS memory_words_add AFTER INSERT ON memory BEGIN
    INSERT INTO memory_words (rowid, key) VALUES (new.id, new.key);
    INSERT INTO memory_word_counts (word, entries) SELECT value, 1 FROM json_each(tm_words(new.key))
        WHERE true ON CONFLICT (word) DO UPDATE SET entries = entries + 1;
END;
CREATE TRIGGER IF NOT EXISTS memory_words_remove AFTER DELETE ON memory BEGIN
    INSERT INTO memory_words (memory_words, rowid, key) VALUES ('delete', old.id, old.key);
    UPDATE memory_word_counts SET entries = entries - 1
        WHERE word IN (SELECT value FROM json_each(tm_words(old.key)));
END;
CREATE TRIGGER IF NOT EXISTS memory_words_change AFTER UPDATE OF key ON memory BEGIN
    INSERT INTO memory_words (memory_words, rowid, key) VALUES ('delete', old.id, old.key);
    INSERT INTO memory_words (rowid, key) VALUES (new.id, new.key);
    UPDATE memory_word_counts SET entries = entries - 1
        WHERE word IN (SELECT value FROM json_each(tm_words(old.key)));
    INSERT INTO memory_word_counts (word, entries) SELECT value, 1 FROM json_each(tm_words(new.key))
        WHERE true ON CONFLICT (word) DO UPDATE SET entries = entries + 1;
END
"""

SCHEMA = MEMORY_TABLE + ";" + MEMORY_TARGETS + """;

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
    copied_from INTEGER,  -- the segment whose review this repeat received; NULL: a person's
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
"""

# Version n -> n + 1, run in the transaction that opens an older file, before SCHEMA.
MIGRATIONS = {
    # 1 -> 2: desks. Everything stored so far belongs to the implicit desk.
    1: """
ALTER TABLE api_keys ADD COLUMN desk TEXT NOT NULL DEFAULT 'default';
ALTER TABLE api_keys ADD COLUMN role TEXT NOT NULL DEFAULT 'member';
ALTER TABLE documents ADD COLUMN desk TEXT NOT NULL DEFAULT 'default';
CREATE TABLE memory_v2 (
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
INSERT INTO memory_v2 SELECT 'default', source_lang, target_lang, source, target, document_id,
    created_at, updated_at FROM memory;
DROP TABLE memory;
ALTER TABLE memory_v2 RENAME TO memory
""",
    # 2 -> 3: typography-blind keys, a full-text index for fuzzy matches, who wrote an
    # entry. Keys are computed by the tm_key() function every connection registers.
    2: """
ALTER TABLE memory RENAME TO memory_v2;
""" + MEMORY_TABLE + """;
INSERT INTO memory (desk, source_lang, target_lang, source, target, key, document_id,
    created_at, updated_at) SELECT desk, source_lang, target_lang, source, target,
    tm_key(source), document_id, created_at, updated_at FROM memory_v2;
DROP TABLE memory_v2
""",
    # 3 -> 4: concordance on the targets too; repeats that follow the review they received.
    3: MEMORY_TARGETS + """;
INSERT INTO memory_targets (rowid, target) SELECT id, tm_key(target) FROM memory;
ALTER TABLE reviews ADD COLUMN copied_from INTEGER
""",
}


@dataclass(frozen=True)
class Access:
    """Who asks: the desk a request acts for, and what its key may do beyond that desk."""

    desk: str = DEFAULT_DESK
    admin: bool = False
    memory_writer: bool = False  # its reviews also go to the newsroom-wide memory
    name: str | None = None  # the API key's name, when a key was sent: who wrote a review

    def sees(self, desk: str) -> bool:
        """Whether this requester may see (and change) what ``desk`` stored."""
        return self.admin or desk == self.desk

    @property
    def who(self) -> str:
        """Who this is, as a memory entry records it."""
        return self.name or f"desk {self.desk} (no key)"


#: the operator (CLI, library): every desk, and the newsroom-wide memory
OPERATOR = Access(DEFAULT_DESK, admin=True, memory_writer=True)


class StoreError(TranslatorError):
    """The database cannot be opened, read or written (disk full, permissions, corrupt file)."""

    code = "store_unavailable"
    http_status = 503
    exit_code = 6

    def __init__(self, message: str, reason: str = "", **details):
        super().__init__(message, **details)
        #: what failed, without the file's path (SQLite's or the system's own words)
        self.reason = reason or message


def statements(script: str) -> list[str]:
    """The SQL statements of ``script``, split on the semicolons that end one (not those
    inside a trigger's body)."""
    out, buffer = [], ""
    for piece in script.split(";"):
        buffer += piece + ";"
        if sqlite3.complete_statement(buffer):
            if buffer.strip(" \n\t;"):
                out.append(buffer)
            buffer = ""
    if buffer.strip(" \n\t;"):
        out.append(buffer)
    return out


def now() -> str:
    """UTC timestamp stored in every table (ISO 8601, seconds)."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class Database:
    """One SQLite file (the service's tables unless ``schema`` says otherwise).
    Connections are per thread (and per process: gunicorn forks).

    Opening sets the file up at ``version``: a new file gets ``schema``; an older one is
    first brought up to it by ``migrations`` (version n -> n + 1), in the same transaction.
    The version is recorded in ``PRAGMA user_version``, or with ``version_table`` in a
    one-row table of that name (where earlier releases of a file kept it; the file is then
    new for this schema until that table exists). ``reapply_schema=False`` runs ``schema`` only
    when the file is new or older, so opening a current file is a read and takes no write
    lock; by default it runs at every opening (its ``IF NOT EXISTS`` statements add what a
    release added without a new version)."""

    def __init__(self, path: Path | str, *, schema: str = SCHEMA, version: int = SCHEMA_VERSION,
                 migrations: dict[int, str] | None = None, version_table: str | None = None,
                 reapply_schema: bool = True):
        self.path = Path(path).expanduser()
        self._local = threading.local()
        self._connections: list[tuple[threading.Thread, sqlite3.Connection]] = []
        self._lock = threading.Lock()
        if version_table is not None and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", version_table):
            raise ValueError(f"bad version table name {version_table!r}")
        self._version_table = version_table
        if migrations is None and schema is SCHEMA:
            migrations = MIGRATIONS
        try:
            self._open(schema, int(version), migrations or {}, reapply_schema)
        except BaseException:
            self.close()  # nothing stays open of a file that could not be opened
            raise

    def _open(self, schema: str, version: int, migrations: dict[int, str], reapply: bool) -> None:
        if not reapply:
            try:
                current = self._stored_version(self.connection()) == version
            except sqlite3.Error as exc:
                raise StoreError(f"cannot read the database {self.path}: {exc}",
                                 str(exc)) from None
            if current:
                return
        # Foreign keys are off while a migration rebuilds tables, as SQLite's procedure for
        # schema changes says: dropping a table that others reference would delete their
        # rows (ON DELETE CASCADE). The pragma does nothing inside a transaction.
        self._pragma("foreign_keys = OFF")
        with self.transaction() as conn:
            self._migrate(conn, migrations, version)
            for statement in statements(schema):
                conn.execute(statement)
            self._record_version(conn, version)
        self._pragma("foreign_keys = ON")

    def _pragma(self, setting: str) -> None:
        try:
            self.connection().execute(f"PRAGMA {setting}")
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the database {self.path}: {exc}", str(exc)) from None

    def _stored_version(self, conn: sqlite3.Connection) -> int | None:
        """The schema version the file records; None when it holds nothing of this schema
        yet (no table at all; with ``version_table``, not that table)."""
        table = self._version_table
        if table is None:
            if conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table'").fetchone() is None:
                return None
            return conn.execute("PRAGMA user_version").fetchone()[0]
        if conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                        (table,)).fetchone() is None:
            return None
        return conn.execute(f'SELECT coalesce(max(version), 0) FROM "{table}"').fetchone()[0]

    def _record_version(self, conn: sqlite3.Connection, version: int) -> None:
        table = self._version_table
        if table is None:
            conn.execute(f"PRAGMA user_version = {version}")
            return
        conn.execute(f'CREATE TABLE IF NOT EXISTS "{table}" (version INTEGER NOT NULL)')
        conn.execute(f'DELETE FROM "{table}"')
        conn.execute(f'INSERT INTO "{table}" (version) VALUES (?)', (version,))

    def _migrate(self, conn: sqlite3.Connection, migrations: dict[int, str], version: int) -> None:
        """Bring a file made by an older release up to ``version``, in place (inside the
        opening transaction: a failed migration leaves the file as it was)."""
        if not migrations:
            return
        found = self._stored_version(conn)
        if found is None:  # a new file: the schema makes it
            return
        if found > version:
            raise StoreError(f"the database {self.path} has schema {found}; this release reads "
                             f"schema {version} (upgrade the translator)",
                             f"schema {found} is newer than this release's {version}; "
                             "upgrade the translator")
        for step in range(found, version):
            for statement in statements(migrations.get(step, "")):
                conn.execute(statement)

    def _connect(self) -> sqlite3.Connection:
        conn = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=30.0, isolation_level=None,
                                   check_same_thread=False)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode = WAL")
            # FULL: a committed review survives a power cut, not only a crashed process.
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.create_function("tm_key", 1, typography_key, deterministic=True)
            conn.create_function("tm_words", 1, lambda key: json.dumps(index_words(key)),
                                 deterministic=True)
        except (sqlite3.Error, OSError) as exc:
            if conn is not None:
                conn.close()
            raise StoreError(f"cannot open the database {self.path}: {exc}", str(exc)) from None
        with self._lock:
            # Threads come and go (a development server starts one per request): close the
            # connections of finished threads rather than keep them open forever.
            alive = []
            for thread, other in self._connections:
                if thread.is_alive():
                    alive.append((thread, other))
                else:
                    other.close()
            alive.append((threading.current_thread(), conn))
            self._connections = alive
        return conn

    def connection(self) -> sqlite3.Connection:
        """This thread's connection, opened on first use."""
        pid = os.getpid()
        if getattr(self._local, "pid", None) != pid:
            self._local.conn = self._connect()
            self._local.pid = pid
        return self._local.conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction (``BEGIN IMMEDIATE``): committed whole or not at all."""
        conn = self.connection()
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise StoreError(f"cannot write to the database {self.path}: {exc}", str(exc)) from None
        try:
            yield conn
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            self._rollback(conn)
            raise StoreError(f"cannot write to the database {self.path}: {exc}", str(exc)) from None
        except BaseException:
            self._rollback(conn)
            raise

    @staticmethod
    def _rollback(conn: sqlite3.Connection) -> None:
        if conn.in_transaction:
            conn.execute("ROLLBACK")

    def query(self, sql: str, params=()) -> list[sqlite3.Row]:
        """Rows of a read-only statement."""
        try:
            return self.connection().execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise StoreError(f"cannot read the database {self.path}: {exc}", str(exc)) from None

    def close_thread(self) -> None:
        """Close this thread's connection (a worker thread that is about to end)."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            return
        with self._lock:
            self._connections = [(t, c) for t, c in self._connections if c is not conn]
        conn.close()
        del self._local.conn, self._local.pid

    def close(self) -> None:
        with self._lock:
            for _, conn in self._connections:
                try:
                    conn.close()
                except sqlite3.Error:
                    pass
            self._connections.clear()
        self._local = threading.local()
