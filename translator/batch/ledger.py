"""The job ledger: one SQLite file in the output folder recording every article's state.

It is the single source of truth of a batch job. A run scans the inputs into it
(``pending`` articles keep their text, compressed), translates pending articles in
chunks, and commits each chunk's records and new segment translations in one
transaction; the output files are rendered from it once every article is done or
failed. A crash, ``kill -9`` or Ctrl-C loses at most the chunk in flight, and the
next run picks up from the last commit.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from ..errors import TranslatorError
from ..pipeline import SentenceTranslation
from ..store.db import Database, StoreError, now

LEDGER_NAME = "ledger.sqlite"
LEDGER_VERSION = 2

SCHEMA = """
CREATE TABLE IF NOT EXISTS job (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS articles (
    key        TEXT PRIMARY KEY,
    seq        INTEGER NOT NULL,
    scan       INTEGER NOT NULL,
    chunk      INTEGER NOT NULL DEFAULT 0,
    id         TEXT NOT NULL,
    input      TEXT NOT NULL,
    digest     TEXT,
    state      TEXT NOT NULL CHECK (state IN ('pending', 'done', 'failed')),
    text       BLOB,
    record     BLOB,
    sentences  INTEGER NOT NULL DEFAULT 0,
    error_code TEXT,
    error      TEXT,
    attempts   INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS articles_state_seq ON articles (state, seq);

CREATE TABLE IF NOT EXISTS segments (
    source_lang TEXT NOT NULL,
    target_lang TEXT NOT NULL,
    source      TEXT NOT NULL,
    translation TEXT NOT NULL,
    PRIMARY KEY (source_lang, target_lang, source)
) WITHOUT ROWID;
"""

# SQLite's default limit on host parameters is 32766 (999 before 3.32): stay well below.
_CHUNK = 500


def digest(text: str) -> str:
    """The fingerprint that tells a changed article from one already translated."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def pack(text: str) -> bytes:
    return zlib.compress(text.encode("utf-8"), 6)


def unpack(blob: bytes) -> str:
    return zlib.decompress(blob).decode("utf-8")


class LedgerMismatch(TranslatorError):
    """The output folder holds a job made with other settings than this run's."""

    code = "job_mismatch"
    http_status = 409
    exit_code = 2


class Chunker:
    """Cuts the job's articles, in input order, into chunks of about ``chars`` characters
    (at most ``articles`` articles). Chunks are cut by position among every article of the
    job, done or not, so a resumed run translates exactly the chunks an uninterrupted run
    would have: the same sentences reach the engine together, whatever engine it is."""

    def __init__(self, chars: int, articles: int, first: int | None = None):
        self.chars, self.articles = max(1, chars), max(1, articles)
        # the first chunks ramp up (first, 2 x first, 4 x first... articles), so a job
        # shows progress and its first results at once
        self.cap = min(self.articles, max(1, first)) if first else self.articles
        self.number = self.filled = self.count = 0

    def place(self, chars: int) -> int:
        """The chunk of the next article, ``chars`` long."""
        if self.filled >= self.chars or self.count >= self.cap:
            self.number, self.filled, self.count = self.number + 1, 0, 0
            self.cap = min(self.articles, self.cap * 2)
        self.filled += chars
        self.count += 1
        return self.number


@dataclass(frozen=True)
class Counts:
    """How many articles are in each state, and the sentences of the done ones."""

    pending: int = 0
    done: int = 0
    failed: int = 0
    sentences: int = 0

    @property
    def total(self) -> int:
        return self.pending + self.done + self.failed

    def to_dict(self) -> dict:
        return {"total": self.total, "done": self.done, "failed": self.failed,
                "pending": self.pending, "sentences": self.sentences}


@dataclass(frozen=True)
class Failure:
    key: str
    id: str
    input: str
    code: str
    message: str
    attempts: int

    def to_dict(self) -> dict:
        return {"id": self.id, "input": self.input,
                "error": {"code": self.code, "message": self.message}}


class Ledger:
    """The ledger file of one job (``DIR/ledger.sqlite``)."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.db = Database(self.path, schema=SCHEMA, version=LEDGER_VERSION)
        columns = {row["name"] for row in self.db.query("PRAGMA table_info(articles)")}
        if "chunk" not in columns:  # a ledger of version 1: its job is refused by claim()
            with self.db.transaction() as conn:
                conn.execute("ALTER TABLE articles ADD COLUMN chunk INTEGER NOT NULL DEFAULT 0")

    @classmethod
    def in_folder(cls, folder: Path | str) -> "Ledger":
        return cls(Path(folder) / LEDGER_NAME)

    def close(self) -> None:
        self.db.close()

    # -- the job's identity ---------------------------------------------------

    def params(self) -> dict[str, str]:
        return {row["name"]: json.loads(row["value"]) for row in self.db.query("SELECT * FROM job")}

    def claim(self, identity: dict, *, restart: bool = False) -> dict:
        """Bind the ledger to a job ``identity`` (target, source, glossary, models...).

        A new ledger takes it; an existing one must match it, or ``restart`` discards
        what the ledger holds. Returns the stored parameters (with ``created``).
        """
        identity = json.loads(json.dumps(identity, sort_keys=True))  # as stored: tuples -> lists
        stored = self.params()
        stored_identity = stored.get("identity")
        if stored_identity is not None and stored_identity != identity and not restart:
            raise LedgerMismatch(_mismatch_message(self.path.parent, stored_identity, identity))
        if stored_identity != identity or restart:
            with self.db.transaction() as conn:
                if stored_identity is not None:
                    conn.execute("DELETE FROM articles")
                    conn.execute("DELETE FROM segments")
                    conn.execute("DELETE FROM job")
                self._set(conn, identity=identity, created=now(), scan=0)
            stored = self.params()
        return stored

    @staticmethod
    def _set(conn: sqlite3.Connection, **values) -> None:
        conn.executemany("INSERT INTO job (name, value) VALUES (?, ?) ON CONFLICT (name) "
                         "DO UPDATE SET value = excluded.value",
                         [(name, json.dumps(value, sort_keys=True)) for name, value in values.items()])

    def set(self, **values) -> None:
        """Store job-level values (state, timings) in their own transaction."""
        with self.db.transaction() as conn:
            self._set(conn, **values)

    # -- scanning -------------------------------------------------------------

    def begin_scan(self) -> int:
        """A new scan generation: articles it does not see again are dropped at its end."""
        scan = int(self.params().get("scan", 0)) + 1
        self.set(scan=scan)
        return scan

    def record_scan(self, scan: int, articles: Iterable, chunks: Chunker, *,
                    retry_failed: bool = False) -> list[str]:
        """Upsert scanned articles (``inputs.Article``) in input order; return notes on
        articles seen twice. Done articles whose text is unchanged stay done; failed ones
        stay failed unless ``retry_failed`` or their text changed. ``chunks`` places each
        article in its chunk, by its position among all the job's articles."""
        notes: list[str] = []
        batch: list = []
        seq = self._next_seq(scan)
        for article in articles:
            batch.append(article)
            if len(batch) >= _CHUNK:
                seq = self._upsert(scan, seq, batch, retry_failed, notes, chunks)
                batch = []
        if batch:
            self._upsert(scan, seq, batch, retry_failed, notes, chunks)
        return notes

    def _next_seq(self, scan: int) -> int:
        row = self.db.query("SELECT max(seq) AS seq FROM articles WHERE scan = ?", (scan,))[0]
        return (row["seq"] or 0) + 1

    def _upsert(self, scan: int, seq: int, articles: list, retry_failed: bool,
                notes: list[str], chunks: Chunker) -> int:
        keys = [a.key for a in articles]
        with self.db.transaction() as conn:
            marks = ",".join("?" * len(keys))
            known = {row["key"]: row for row in conn.execute(
                f"SELECT key, scan, digest, state, error_code, input FROM articles "
                f"WHERE key IN ({marks})", keys)}
            stamp = now()
            for article in articles:
                old = known.get(article.key)
                if old is not None and old["scan"] == scan:
                    notes.append(f"{article.input}: the same article as {old['input']}; read once")
                    continue
                chunk = chunks.place(len(article.text) if article.error is None else 0)
                conn.execute(*self._upsert_statement(article, old, scan, seq, chunk,
                                                     retry_failed, stamp))
                known[article.key] = {"scan": scan, "input": article.input}
                seq += 1
        return seq

    @staticmethod
    def _upsert_statement(article, old, scan: int, seq: int, chunk: int, retry_failed: bool,
                          stamp: str):
        if article.error is not None:
            return ("INSERT INTO articles (key, seq, scan, chunk, id, input, digest, state, text, "
                    "record, sentences, error_code, error, attempts, updated_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, NULL, 'failed', NULL, NULL, 0, ?, ?, 1, ?) "
                    "ON CONFLICT (key) DO UPDATE SET seq = excluded.seq, scan = excluded.scan, "
                    "chunk = excluded.chunk, id = excluded.id, input = excluded.input, "
                    "digest = NULL, state = 'failed', "
                    "text = NULL, record = NULL, sentences = 0, error_code = excluded.error_code, "
                    "error = excluded.error, attempts = articles.attempts + 1, "
                    "updated_at = excluded.updated_at",
                    (article.key, seq, scan, chunk, article.id, article.input,
                     article.error.code, str(article.error), stamp))
        fingerprint = digest(article.text)
        keep = (old is not None and old["digest"] == fingerprint
                and (old["state"] == "done" or (old["state"] == "failed" and not retry_failed)))
        if keep:
            return ("UPDATE articles SET seq = ?, scan = ?, chunk = ?, id = ?, input = ? "
                    "WHERE key = ?", (seq, scan, chunk, article.id, article.input, article.key))
        return ("INSERT INTO articles (key, seq, scan, chunk, id, input, digest, state, text, "
                "record, sentences, error_code, error, attempts, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, NULL, 0, NULL, NULL, 0, ?) "
                "ON CONFLICT (key) DO UPDATE SET seq = excluded.seq, scan = excluded.scan, "
                "chunk = excluded.chunk, id = excluded.id, input = excluded.input, "
                "digest = excluded.digest, "
                "state = 'pending', text = excluded.text, record = NULL, sentences = 0, "
                "error_code = NULL, error = NULL, updated_at = excluded.updated_at",
                (article.key, seq, scan, chunk, article.id, article.input, fingerprint,
                 pack(article.text), stamp))

    def end_scan(self, scan: int) -> int:
        """Drop the articles this scan did not see (inputs removed since); return how many."""
        with self.db.transaction() as conn:
            return conn.execute("DELETE FROM articles WHERE scan != ?", (scan,)).rowcount

    # -- translating ----------------------------------------------------------

    def pending(self, after: int = 0, limit: int = _CHUNK) -> list[tuple[str, int, int, str]]:
        """(key, seq, chunk, text) of pending articles after position ``after``, in input order."""
        rows = self.db.query("SELECT key, seq, chunk, text FROM articles WHERE state = 'pending' "
                             "AND seq > ? ORDER BY seq LIMIT ?", (after, limit))
        return [(row["key"], row["seq"], row["chunk"], unpack(row["text"])) for row in rows]

    def commit(self, done: dict[str, tuple[str, int]], failed: dict[str, TranslatorError],
               segments: dict[tuple[str, str], dict[str, SentenceTranslation]]) -> None:
        """One chunk's outcome in one transaction: records of done articles
        (key -> (JSON record, sentences)), failures, and the new segment translations."""
        stamp = now()
        with self.db.transaction() as conn:
            conn.executemany(
                "UPDATE articles SET state = 'done', record = ?, sentences = ?, text = NULL, "
                "error_code = NULL, error = NULL, attempts = attempts + 1, updated_at = ? "
                "WHERE key = ?",
                [(pack(record), sentences, stamp, key) for key, (record, sentences) in done.items()])
            conn.executemany(
                "UPDATE articles SET state = 'failed', error_code = ?, error = ?, "
                "attempts = attempts + 1, updated_at = ? WHERE key = ?",
                [(error.code, str(error), stamp, key) for key, error in failed.items()])
            conn.executemany(
                "INSERT OR IGNORE INTO segments (source_lang, target_lang, source, translation) "
                "VALUES (?, ?, ?, ?)",
                [(source, target, sentence, json.dumps(list(done_), ensure_ascii=False))
                 for (source, target), items in segments.items()
                 for sentence, done_ in items.items()])

    def segments(self, source: str, target: str, sentences: list[str]
                 ) -> dict[str, SentenceTranslation]:
        found: dict[str, SentenceTranslation] = {}
        for start in range(0, len(sentences), _CHUNK):
            chunk = sentences[start:start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            for row in self.db.query(
                    f"SELECT source, translation FROM segments WHERE source_lang = ? AND "
                    f"target_lang = ? AND source IN ({marks})", (source, target, *chunk)):
                found[row["source"]] = SentenceTranslation(*json.loads(row["translation"]))
        return found

    # -- reading back ---------------------------------------------------------

    def counts(self) -> Counts:
        values = {"pending": 0, "done": 0, "failed": 0, "sentences": 0}
        for row in self.db.query("SELECT state, count(*) AS n, sum(sentences) AS s "
                                 "FROM articles GROUP BY state"):
            values[row["state"]] = row["n"]
            if row["state"] == "done":
                values["sentences"] = row["s"] or 0
        return Counts(**values)

    def records(self) -> Iterator[tuple[str, str, dict]]:
        """(id, input, result) of every done article, in input order."""
        cursor = self.db.connection().execute(
            "SELECT id, input, record FROM articles WHERE state = 'done' ORDER BY seq")
        try:
            for row in cursor:
                yield row["id"], row["input"], json.loads(unpack(row["record"]))
        except sqlite3.Error as exc:
            raise StoreError(f"cannot read the ledger {self.path}: {exc}") from None
        finally:
            cursor.close()

    def done_record(self, key: str) -> tuple[str, dict] | None:
        """(digest of the text, result) of the article ``key`` when it is done; else None."""
        rows = self.db.query("SELECT digest, record FROM articles WHERE key = ? AND "
                             "state = 'done'", (key,))
        return (rows[0]["digest"], json.loads(unpack(rows[0]["record"]))) if rows else None

    def failures(self, limit: int | None = None) -> list[Failure]:
        rows = self.db.query("SELECT key, id, input, error_code, error, attempts FROM articles "
                             "WHERE state = 'failed' ORDER BY seq"
                             + (" LIMIT ?" if limit is not None else ""),
                             (limit,) if limit is not None else ())
        return [Failure(row["key"], row["id"], row["input"], row["error_code"] or "error",
                        row["error"] or "", row["attempts"]) for row in rows]


def _mismatch_message(folder: Path, stored: dict, wanted: dict) -> str:
    differences = [f"{name} {wanted.get(name)!r}, not {stored.get(name)!r}"
                   for name in sorted(set(stored) | set(wanted))
                   if stored.get(name) != wanted.get(name)]
    return (f"{folder} holds a job made with other settings ({'; '.join(differences[:3])}): "
            "use another --out folder, or --restart to discard that job")
