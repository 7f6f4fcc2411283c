"""The service's SQLite store: translation memory, review documents and API keys.

One database file (``settings.db_path``) in WAL mode, so readers never wait for a
writer and a crashed worker loses nothing that was committed. Each table has its
own small module; :class:`Store` opens the file once and hands out the parts.
"""

from __future__ import annotations

from pathlib import Path

from .db import DEFAULT_DESK, NEWSROOM, OPERATOR, Access, Database, StoreError
from .documents import Documents, ReviewDocument, apply_targets
from .keys import ApiKey, ApiKeys
from .memory import TranslationMemory

__all__ = ["Store", "Database", "StoreError", "Access", "OPERATOR", "DEFAULT_DESK", "NEWSROOM", "TranslationMemory", "Documents", "ReviewDocument",
           "apply_targets", "ApiKeys", "ApiKey"]


class Store:
    """The database and its parts; safe to share between threads (one connection per thread)."""

    def __init__(self, path: Path | str):
        self.db = Database(path)
        self.memory = TranslationMemory(self.db)
        self.documents = Documents(self.db, self.memory)
        self.keys = ApiKeys(self.db)

    @classmethod
    def from_settings(cls, settings) -> "Store":
        return cls(settings.db_path)

    def close(self) -> None:
        self.db.close()
