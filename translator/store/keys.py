"""API keys: random tokens shown once, stored as SHA-256 hashes, each belonging to a desk.

A key's desk owns what the key stores (jobs, review documents, glossaries, its desk's
translation memory); its role says what more it may do: ``member`` (its desk only),
``memory-writer`` (its reviews also go to the newsroom-wide memory) or ``admin`` (every
desk's data, and the newsroom-wide memory).

Keys are 32 random bytes, so a fast hash is enough: there is nothing to brute-force
that a slow password hash would protect, and every request checks one.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import sqlite3
from dataclasses import dataclass

from ..errors import InputError
from .db import DEFAULT_DESK, Database, StoreError, now

KEY_PREFIX = "trk_"
ROLES = ("member", "memory-writer", "admin")
DESK_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,31}")


def check_desk(desk: str) -> str:
    """A desk name: 1-32 lowercase letters, digits, '_' or '-'."""
    if not isinstance(desk, str) or not DESK_NAME.fullmatch(desk):
        raise InputError(f"bad desk name {desk!r}: 1-32 lowercase letters, digits, '_' or '-'")
    return desk


@dataclass(frozen=True)
class ApiKey:
    """A stored key (never the key itself)."""

    id: int
    name: str
    rate_limit: int | None
    created_at: str
    revoked_at: str | None
    desk: str = DEFAULT_DESK
    role: str = "member"

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    @property
    def admin(self) -> bool:
        return self.role == "admin"

    @property
    def memory_writer(self) -> bool:
        """Its reviews go to the newsroom-wide memory too."""
        return self.role in ("admin", "memory-writer")

    def to_dict(self) -> dict:
        return {"name": self.name, "desk": self.desk, "role": self.role,
                "rate_limit": self.rate_limit, "created_at": self.created_at,
                "revoked_at": self.revoked_at}


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _row_to_key(row) -> ApiKey:
    return ApiKey(row["id"], row["name"], row["rate_limit"], row["created_at"], row["revoked_at"],
                  row["desk"], row["role"])


class ApiKeys:
    """Create, check, list and revoke API keys."""

    def __init__(self, db: Database):
        self.db = db

    def create(self, name: str, rate_limit: int | None = None, desk: str = DEFAULT_DESK,
               role: str = "member") -> tuple[str, ApiKey]:
        """A new key named ``name`` of ``desk`` with ``role``: returns (the key, shown only
        now; its record)."""
        name = (name or "").strip()
        if not name:
            raise InputError("an API key needs a name")
        if rate_limit is not None and rate_limit < 0:
            raise InputError("rate limit must be 0 (unlimited) or more requests per minute")
        check_desk(desk)
        if role not in ROLES:
            raise InputError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
        key = KEY_PREFIX + secrets.token_urlsafe(32)
        try:
            with self.db.transaction() as conn:
                conn.execute("INSERT INTO api_keys (name, key_hash, rate_limit, created_at, desk, "
                             "role) VALUES (?, ?, ?, ?, ?, ?)",
                             (name, hash_key(key), rate_limit, now(), desk, role))
        except StoreError as exc:
            if "UNIQUE" in exc.message:
                raise InputError(f"an API key named {name!r} already exists") from None
            raise
        return key, self.get(name)

    def get(self, name: str) -> ApiKey | None:
        rows = self.db.query("SELECT * FROM api_keys WHERE name = ?", (name,))
        return _row_to_key(rows[0]) if rows else None

    def check(self, key: str) -> ApiKey | None:
        """The active key record matching ``key``, or None."""
        if not key:
            return None
        rows = self.db.query("SELECT * FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL",
                             (hash_key(key),))
        return _row_to_key(rows[0]) if rows else None

    def list(self) -> list[ApiKey]:
        return [_row_to_key(r) for r in self.db.query("SELECT * FROM api_keys ORDER BY id")]

    def revoke(self, name: str) -> ApiKey:
        """Revoke the key named ``name`` (kept for the record)."""
        with self.db.transaction() as conn:
            cursor: sqlite3.Cursor = conn.execute(
                "UPDATE api_keys SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL",
                (now(), name))
            changed = cursor.rowcount
        if not changed:
            raise InputError(f"no active API key named {name!r}")
        return self.get(name)
