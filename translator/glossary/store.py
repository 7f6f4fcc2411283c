"""Named glossaries in SQLite, and how a glossary named on the command line is found.

:class:`GlossaryStore` keeps glossaries by desk and name (``[A-Za-z0-9_.-]{1,64}``, unique
within a desk; the CLI's desk is ``default``) in one SQLite file (setting ``glossary_db``),
opened as the service's store is (:class:`translator.store.db.Database`: WAL mode, foreign
keys, one connection per thread, a schema version; a file of schema 1 is migrated in place).
Every change is one transaction: a failing import or edit leaves the previous version as it was.
Entries keep their order (a later entry wins a source form, as in files) and where
they were read from (``origin``, for error messages).

:func:`open_glossary` resolves what a user names: ``default`` (every file of
``glossary_dir``), a path to a file or folder, a stored name, or a file of
``glossary_dir`` by its stem (``news``). :func:`default_glossary` is the glossary the
pipeline applies by default (setting ``glossary``; ``none`` for none).
"""

from __future__ import annotations

import json
import re
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from ..errors import GlossaryError, GlossaryExists, GlossaryNotFound, GlossaryStoreUnavailable
from ..store.db import Database, StoreError
from . import files, rules
from .model import Entry, Glossary

SCHEMA_VERSION = 2
#: the desk of glossaries stored before desks, and of the CLI (see translator.store.keys)
DEFAULT_DESK = "default"
NAME = re.compile(r"[A-Za-z0-9_.-]{1,64}")
DEFAULT_NAME = "default"  # every file of glossary_dir
NO_GLOSSARY = ("", "none")
RESERVED = (DEFAULT_NAME, "none")

# The version is kept in the table schema_version (Database's version_table), where every
# release has looked for it.
_SCHEMA = """
CREATE TABLE IF NOT EXISTS glossaries (
    id INTEGER PRIMARY KEY,
    desk TEXT NOT NULL DEFAULT 'default',
    name TEXT NOT NULL,
    languages TEXT NOT NULL DEFAULT '[]',
    source TEXT NOT NULL DEFAULT '',
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    UNIQUE (desk, name)
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
"""

# Schema 1 -> 2: names unique per desk, not in the whole file (a desk must not learn that
# another desk has a name by being refused it). Ids are kept, so entries stay attached.
_MIGRATE_1 = """
CREATE TABLE glossaries_v2 (
    id INTEGER PRIMARY KEY,
    desk TEXT NOT NULL DEFAULT 'default',
    name TEXT NOT NULL,
    languages TEXT NOT NULL DEFAULT '[]',
    source TEXT NOT NULL DEFAULT '',
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    UNIQUE (desk, name)
);
INSERT INTO glossaries_v2 (id, desk, name, languages, source, created, updated)
    SELECT id, 'default', name, languages, source, created, updated FROM glossaries;
DROP TABLE glossaries;
ALTER TABLE glossaries_v2 RENAME TO glossaries
"""
_MIGRATIONS = {1: _MIGRATE_1}


@dataclass(frozen=True)
class GlossaryInfo:
    name: str
    entries: int
    languages: list[str]
    updated: str
    source: str = ""
    warnings: tuple[str, ...] = ()  # what put() accepted: duplicate rows, accepted conflicts
    desk: str = DEFAULT_DESK

    def to_dict(self) -> dict:
        return {"name": self.name, "desk": self.desk, "entries": self.entries,
                "languages": self.languages, "updated": self.updated, "source": self.source,
                "warnings": list(self.warnings)}


def check_name(name: str) -> str:
    if not isinstance(name, str) or not NAME.fullmatch(name):
        raise GlossaryError(f"bad glossary name {name!r}: 1-64 letters, digits, '_', '.' or '-'")
    if name.lower() in RESERVED:
        raise GlossaryError(f"glossary name {name!r} is reserved")
    return name


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def _refuse(problems: list, what: str) -> None:
    lines = [str(p) for p in problems]
    more = len(lines) - 1
    raise GlossaryError(
        f"{what}: {lines[0]}" + (f" (and {more} more)" if more else "")
        + "; fix the glossary or accept the conflicts (--accept-conflicts)", problems=lines)


class GlossaryStore:
    """Named glossaries in one SQLite file. Safe to share between threads and processes:
    the file is opened on first use (reading a missing file creates nothing), with one
    connection per thread; :meth:`close` closes them (so does dropping the store)."""

    def __init__(self, path: str | Path):
        self.path = Path(path).expanduser()  # the file Database opens
        self._db: Database | None = None
        self._lock = threading.Lock()

    def close(self) -> None:
        """Close the connections; the next call opens the file again (checking its schema)."""
        with self._lock:
            db, self._db = self._db, None
        if db is not None:
            db.close()

    def __enter__(self) -> "GlossaryStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- the database ---------------------------------------------------------

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """The store's failures (a file that is not SQLite, unreadable, a newer schema, disk
        full) as glossary errors naming the file."""
        try:
            yield
        except StoreError as exc:
            raise GlossaryStoreUnavailable(
                f"{self.path}: glossary database error ({exc.reason})") from None

    def _database(self) -> Database:
        """The file, opened (created, migrated) on first use."""
        with self._lock:
            if self._db is None:
                self._db = Database(self.path, schema=_SCHEMA, version=SCHEMA_VERSION,
                                    migrations=_MIGRATIONS, version_table="schema_version",
                                    reapply_schema=False)
            return self._db

    def _rows(self, sql: str, params=()) -> list:
        """Rows of one read (one statement: one consistent view); none when the file does
        not exist."""
        if not self.path.exists():
            return []
        with self._errors():
            return self._database().query(sql, params)

    @contextmanager
    def _transaction(self) -> Iterator:
        """A write transaction, committed when the block ends, rolled back when it raises."""
        with self._errors():
            with self._database().transaction() as conn:
                yield conn

    # -- queries --------------------------------------------------------------

    def list(self, desk: str | None = DEFAULT_DESK) -> list[GlossaryInfo]:
        """The glossaries of ``desk`` (None: of every desk): name, number of entries,
        languages, last update."""
        where, params = ("", ()) if desk is None else ("WHERE g.desk = ? ", (desk,))
        rows = self._rows(
            "SELECT g.name, count(e.entry_id), g.languages, g.updated, g.source, g.desk "
            f"FROM glossaries g LEFT JOIN entries e ON e.glossary = g.id {where}"
            "GROUP BY g.id ORDER BY g.name, g.desk", params)
        return [GlossaryInfo(name, count, json.loads(langs), updated, source, desk=owner)
                for name, count, langs, updated, source, owner in rows]

    def names(self, desk: str | None = DEFAULT_DESK) -> list[str]:
        return [info.name for info in self.list(desk)]

    def desks(self, name: str) -> list[str]:
        """The desks that have a glossary ``name`` (for an admin naming one)."""
        return sorted({info.desk for info in self.list(None) if info.name == name})

    def exists(self, name: str, desk: str = DEFAULT_DESK) -> bool:
        return bool(self._rows("SELECT 1 FROM glossaries WHERE desk = ? AND name = ?",
                               (desk, name)))

    def _not_found(self, name: str, desk: str = DEFAULT_DESK) -> GlossaryNotFound:
        names = self.names(desk)  # only this desk's: other desks' names are theirs
        listing = ", ".join(names) if names else "none stored"
        return GlossaryNotFound(f"no glossary named {name!r} (stored: {listing})",
                                name=name, available=names)

    def get(self, name: str, desk: str = DEFAULT_DESK) -> Glossary:
        """The stored glossary ``name`` of ``desk``; :class:`GlossaryNotFound` names the
        desk's stored ones."""
        # One statement: the glossary and its entries as one version (a row of NULLs: none).
        rows = self._rows(
            "SELECT e.entry_id, e.type, e.terms, e.note, e.dnt, e.origin FROM glossaries g "
            "LEFT JOIN entries e ON e.glossary = g.id WHERE g.desk = ? AND g.name = ? "
            "ORDER BY e.position", (desk, name))
        if not rows:
            raise self._not_found(name, desk)
        entries = [Entry(entry_id, {lang: tuple(forms) for lang, forms in json.loads(terms)},
                         kind, note, bool(dnt), origin)
                   for entry_id, kind, terms, note, dnt, origin in rows if entry_id is not None]
        return Glossary(name, entries)

    def info(self, name: str, desk: str = DEFAULT_DESK) -> GlossaryInfo:
        for info in self.list(desk):
            if info.name == name:
                return info
        raise self._not_found(name, desk)

    # -- changes --------------------------------------------------------------

    @staticmethod
    def _validate(entries: Iterable[Entry]) -> None:
        found = []
        for entry in entries:
            where = entry.origin or f"entry {entry.id!r}"
            found += [f"{where}: {problem}" for problem in rules.validate_entry(entry)]
            if len(found) >= rules.MAX_PROBLEMS:
                break
        if found:
            more = len(found) - 1
            raise GlossaryError(found[0] + (f" (and {more} more)" if more else ""),
                                problems=found)

    def put(self, name: str, glossary: Glossary, replace: bool = False,
            accept_conflicts: bool = False, source: str = "", desk: str = DEFAULT_DESK
            ) -> GlossaryInfo:
        """Store ``glossary`` as ``name`` in one transaction.

        Refused (nothing changed) when ``name`` exists and not ``replace``
        (:class:`GlossaryExists`), when an entry is invalid, or when :func:`rules.check`
        finds conflicts or duplicate ids and not ``accept_conflicts``; with it, a later
        entry with the same id replaces the earlier one. Duplicate rows are kept
        (warnings, see :func:`rules.problems`).
        """
        check_name(name)
        self._validate(glossary.entries)
        found = rules.problems(glossary)
        blocking = [p for p in found if p.severity == "error"]
        if blocking and not accept_conflicts:
            _refuse(blocking, f"glossary {name!r} not stored")
        last = {entry.id: i for i, entry in enumerate(glossary.entries)}  # a later id wins
        entries = [e for i, e in enumerate(glossary.entries) if last[e.id] == i]
        langs = sorted({lang for entry in entries for lang in entry.terms})
        now = _now()
        with self._transaction() as conn:
            row = conn.execute("SELECT id, created FROM glossaries WHERE desk = ? AND name = ?",
                               (desk, name)).fetchone()
            if row is not None and not replace:
                raise GlossaryExists(f"glossary {name!r} exists; replace it with --replace",
                                     name=name)
            if row is not None:
                conn.execute("DELETE FROM entries WHERE glossary = ?", (row[0],))
                conn.execute("UPDATE glossaries SET languages = ?, source = ?, updated = ? "
                             "WHERE id = ?", (json.dumps(langs), source, now, row[0]))
                key = row[0]
            else:
                key = conn.execute(
                    "INSERT INTO glossaries (desk, name, languages, source, created, updated) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (desk, name, json.dumps(langs), source, now, now)).lastrowid
            conn.executemany(
                "INSERT INTO entries (glossary, position, entry_id, type, terms, note, dnt, origin) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                ((key, position, e.id, e.type, _terms_json(e), e.note, int(e.dnt), e.origin)
                 for position, e in enumerate(entries)))
        return GlossaryInfo(name, len(entries), langs, now, source, tuple(map(str, found)), desk)

    def delete(self, name: str, desk: str = DEFAULT_DESK) -> None:
        if not self.path.exists():
            raise self._not_found(name, desk)
        with self._transaction() as conn:
            deleted = conn.execute("DELETE FROM glossaries WHERE desk = ? AND name = ?",
                                   (desk, name)).rowcount
        if not deleted:
            raise self._not_found(name, desk)

    def add_entries(self, name: str, entries: Iterable[Entry], replace: bool = False,
                    accept_conflicts: bool = False, desk: str = DEFAULT_DESK) -> GlossaryInfo:
        """Add entries to a stored glossary (at its end); an id already there is refused
        unless ``replace`` (the entry keeps its place). New conflicts are refused unless
        ``accept_conflicts``."""
        entries = list(entries)
        self._validate(entries)
        new_ids = [e.id for e in entries]
        if len(set(new_ids)) != len(new_ids):
            raise GlossaryError("the same id appears twice among the new entries")
        current = self.get(name, desk)
        present = {e.id for e in current.entries}
        clash = [i for i in new_ids if i in present]
        if clash and not replace:
            raise GlossaryExists(f"glossary {name!r} already has an entry {clash[0]!r}; "
                                 "replace it explicitly", name=name, id=clash[0])
        replaced = {e.id: e for e in entries if e.id in present}
        combined = [replaced.get(e.id, e) for e in current.entries] + \
                   [e for e in entries if e.id not in present]
        if not accept_conflicts:
            before = {str(p) for p in rules.errors(current)}
            fresh = [p for p in rules.errors(Glossary(name, combined)) if str(p) not in before]
            if fresh:
                _refuse(fresh, f"entries not added to {name!r}")
        langs = sorted({lang for entry in combined for lang in entry.terms})
        now = _now()
        with self._transaction() as conn:
            row = conn.execute("SELECT id FROM glossaries WHERE desk = ? AND name = ?",
                               (desk, name)).fetchone()
            if row is None:
                raise self._not_found(name, desk)
            key = row[0]
            end = conn.execute("SELECT coalesce(max(position), -1) FROM entries WHERE glossary = ?",
                               (key,)).fetchone()[0]
            for e in entries:
                if e.id in present:
                    conn.execute("UPDATE entries SET type = ?, terms = ?, note = ?, dnt = ?, "
                                 "origin = ? WHERE glossary = ? AND entry_id = ?",
                                 (e.type, _terms_json(e), e.note, int(e.dnt), e.origin, key, e.id))
                else:
                    end += 1
                    conn.execute("INSERT INTO entries (glossary, position, entry_id, type, terms, "
                                 "note, dnt, origin) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                                 (key, end, e.id, e.type, _terms_json(e), e.note, int(e.dnt),
                                  e.origin))
            conn.execute("UPDATE glossaries SET languages = ?, updated = ? WHERE id = ?",
                         (json.dumps(langs), now, key))
        return self.info(name, desk)

    def remove_entry(self, name: str, entry_id: str, desk: str = DEFAULT_DESK) -> None:
        if not self.path.exists():
            raise self._not_found(name, desk)
        with self._transaction() as conn:
            row = conn.execute("SELECT id FROM glossaries WHERE desk = ? AND name = ?",
                               (desk, name)).fetchone()
            if row is None:
                raise self._not_found(name, desk)
            gone = conn.execute("DELETE FROM entries WHERE glossary = ? AND entry_id = ?",
                                (row[0], entry_id)).rowcount
            if not gone:
                raise GlossaryNotFound(f"glossary {name!r} has no entry {entry_id!r}",
                                       name=name, id=entry_id)
            langs = sorted({lang for (terms,) in conn.execute(
                "SELECT terms FROM entries WHERE glossary = ?", (row[0],))
                for lang, _ in json.loads(terms)})
            conn.execute("UPDATE glossaries SET languages = ?, updated = ? WHERE id = ?",
                         (json.dumps(langs), _now(), row[0]))


def _terms_json(entry: Entry) -> str:
    # A list of pairs keeps the languages in their order.
    return json.dumps([[lang, list(forms)] for lang, forms in entry.terms.items()],
                      ensure_ascii=False)


# --------------------------------------------------------------------------- resolution


def _looks_like_path(spec: str) -> bool:
    return "/" in spec or "\\" in spec or Path(spec).suffix.lower() in files.EXTENSIONS


def open_glossary(spec: str, settings, store: GlossaryStore | None = None) -> Glossary:
    """The glossary a user names, looked up in this order: ``default`` (the files of
    ``glossary_dir``), an existing file or folder, a stored name, a file of
    ``glossary_dir`` by stem (``news``)."""
    store = store or GlossaryStore(settings.glossary_db)
    glossary_dir = Path(settings.glossary_dir)
    if spec == DEFAULT_NAME:
        return files.load_directory(glossary_dir, DEFAULT_NAME)
    path = Path(spec).expanduser()
    if path.is_dir():
        return files.load_directory(path, path.name or DEFAULT_NAME)
    if path.is_file():
        return files.read_glossary(path)
    if NAME.fullmatch(spec) and store.exists(spec):
        return store.get(spec)
    if _looks_like_path(spec):
        return files.read_glossary(path)  # GlossaryNotFound: no such file
    for candidate in files.glossary_files(glossary_dir):
        if candidate.stem == spec:
            return files.read_glossary(candidate)
    stored = store.names()
    shipped = [p.stem for p in files.glossary_files(glossary_dir)]
    raise GlossaryNotFound(
        f"no glossary named {spec!r} (stored: {', '.join(stored) or 'none'}; files in "
        f"{glossary_dir}: {', '.join(shipped) or 'none'})", name=spec, available=stored + shipped)


def default_glossary(settings) -> Glossary | None:
    """What the pipeline applies by default (setting ``glossary``): None when it is empty or
    ``none``, or when ``default`` finds no file in ``glossary_dir``."""
    spec = (settings.glossary or "").strip()
    if spec.lower() in NO_GLOSSARY:
        return None
    glossary = open_glossary(spec, settings)
    return glossary if glossary.entries else None


__all__ = ["DEFAULT_NAME", "GlossaryInfo", "GlossaryStore", "check_name", "default_glossary",
           "open_glossary"]
