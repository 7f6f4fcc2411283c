"""Translation memory: reviewed translations, reused for identical source sentences.

Implements the pipeline's ``TranslationMemory`` protocol: segments it answers come
out of the pipeline with origin ``memory`` instead of going through an engine.

Each desk has its own memory, and the newsroom has one (desk ``*``) that every desk
reads and only admins and memory writers write, so that one desk's reviews can never
put words in another desk's translations. A desk's own entry wins over the
newsroom's. :meth:`TranslationMemory.lookup` without a desk reads the newsroom's alone
(batch jobs, the library); :meth:`TranslationMemory.for_desk` is the view a request
of a desk translates with.
"""

from __future__ import annotations

import sqlite3

from .db import NEWSROOM, Database, now

# SQLite's default limit on host parameters is 32766 (999 before 3.32): stay well below.
_CHUNK = 500


class TranslationMemory:
    """Exact-match memory keyed by (desk, source language, target language, source sentence)."""

    def __init__(self, db: Database):
        self.db = db

    def lookup(self, source: str, target: str, sentences: list[str],
               desk: str | None = None) -> dict[str, str]:
        """The stored translation of each sentence that has one: ``desk``'s own, else the
        newsroom's."""
        desks = [NEWSROOM] if desk in (None, NEWSROOM) else [NEWSROOM, desk]
        found: dict[str, str] = {}
        unique = list(dict.fromkeys(sentences))
        for start in range(0, len(unique), _CHUNK):
            chunk = unique[start:start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            rows = self.db.query(
                f"SELECT desk, source, target FROM memory WHERE desk IN ({','.join('?' * len(desks))}) "
                f"AND source_lang = ? AND target_lang = ? AND source IN ({marks})",
                (*desks, source, target, *chunk))
            # the newsroom's first, so that the desk's own entry overwrites it
            for row in sorted(rows, key=lambda r: r["desk"] != NEWSROOM):
                found[row["source"]] = row["target"]
        return found

    def for_desk(self, desk: str) -> "DeskMemory":
        """What a request of ``desk`` translates with: its desk's memory over the newsroom's."""
        return DeskMemory(self, desk)

    def add(self, source_lang: str, target_lang: str, source: str, target: str,
            document_id: str | None = None, desk: str = NEWSROOM) -> None:
        """Store (or replace) the translation of one sentence, in its own transaction."""
        with self.db.transaction() as conn:
            self.put(conn, source_lang, target_lang, source, target, document_id, desk)

    @staticmethod
    def put(conn: sqlite3.Connection, source_lang: str, target_lang: str, source: str,
            target: str, document_id: str | None = None, desk: str = NEWSROOM) -> None:
        """Store one translation in ``desk``'s memory inside the caller's transaction."""
        stamp = now()
        conn.execute(
            "INSERT INTO memory (desk, source_lang, target_lang, source, target, document_id, "
            "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (desk, source_lang, target_lang, source) DO UPDATE SET "
            "target = excluded.target, document_id = excluded.document_id, "
            "updated_at = excluded.updated_at",
            (desk, source_lang, target_lang, source, target, document_id, stamp, stamp))

    def count(self, desk: str | None = None) -> int:
        if desk is None:
            return self.db.query("SELECT count(*) AS n FROM memory")[0]["n"]
        return self.db.query("SELECT count(*) AS n FROM memory WHERE desk = ?", (desk,))[0]["n"]


class DeskMemory:
    """One desk's view of the memory (the pipeline's ``TranslationMemory`` protocol)."""

    def __init__(self, memory: TranslationMemory, desk: str):
        self.memory = memory
        self.desk = desk

    def lookup(self, source: str, target: str, sentences: list[str]) -> dict[str, str]:
        return self.memory.lookup(source, target, sentences, self.desk)
