"""Translation memory: reviewed translations, reused for identical source sentences.

Implements the pipeline's ``TranslationMemory`` protocol: segments it answers come
out of the pipeline with origin ``memory`` instead of going through an engine.
"""

from __future__ import annotations

import sqlite3

from .db import Database, now

# SQLite's default limit on host parameters is 32766 (999 before 3.32): stay well below.
_CHUNK = 500


class TranslationMemory:
    """Exact-match memory keyed by (source language, target language, source sentence)."""

    def __init__(self, db: Database):
        self.db = db

    def lookup(self, source: str, target: str, sentences: list[str]) -> dict[str, str]:
        """The stored translation of each sentence that has one."""
        found: dict[str, str] = {}
        unique = list(dict.fromkeys(sentences))
        for start in range(0, len(unique), _CHUNK):
            chunk = unique[start:start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            rows = self.db.query(
                f"SELECT source, target FROM memory WHERE source_lang = ? AND target_lang = ? "
                f"AND source IN ({marks})", (source, target, *chunk))
            found.update((row["source"], row["target"]) for row in rows)
        return found

    def add(self, source_lang: str, target_lang: str, source: str, target: str,
            document_id: str | None = None) -> None:
        """Store (or replace) the translation of one sentence, in its own transaction."""
        with self.db.transaction() as conn:
            self.put(conn, source_lang, target_lang, source, target, document_id)

    @staticmethod
    def put(conn: sqlite3.Connection, source_lang: str, target_lang: str, source: str,
            target: str, document_id: str | None = None) -> None:
        """Store one translation inside the caller's transaction."""
        stamp = now()
        conn.execute(
            "INSERT INTO memory (source_lang, target_lang, source, target, document_id, "
            "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (source_lang, target_lang, source) DO UPDATE SET "
            "target = excluded.target, document_id = excluded.document_id, "
            "updated_at = excluded.updated_at",
            (source_lang, target_lang, source, target, document_id, stamp, stamp))

    def count(self) -> int:
        return self.db.query("SELECT count(*) AS n FROM memory")[0]["n"]
