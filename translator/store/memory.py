"""Translation memory: reviewed translations, reused for the same source sentence and
offered as fuzzy matches for similar ones.

Implements the pipeline's ``TranslationMemory`` protocol: segments it answers come
out of the pipeline with origin ``memory`` instead of going through an engine. The
exact lookup is blind to typography (:func:`typography_key`: curly or straight quotes,
no-break spaces, dashes...).

Each desk has its own memory, and the newsroom has one (desk ``*``) that every desk
reads and only admins and memory writers write, so that one desk's reviews can never
put words in another desk's translations. A desk's own entry wins over the
newsroom's. :meth:`TranslationMemory.lookup` without a desk reads the newsroom's alone
(batch jobs, the library); :meth:`TranslationMemory.for_desk` is the view a request
of a desk translates with.

Fuzzy matches (:meth:`TranslationMemory.fuzzy`) take two steps, so that they stay fast
with millions of entries: candidates from SQLite's full-text index (FTS5) on the
*rarest* words of the sentence only (a word found in a few entries says much, ``de``
says nothing and would cost a scan of most of the index), best first by BM25; then
rapidfuzz scores each candidate's source against the sentence.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

from .db import NEWSROOM, Database, now
from .typography import index_words, typography_key

# SQLite's default limit on host parameters is 32766 (999 before 3.32): stay well below.
_CHUNK = 500
#: the candidates' entries to read at most, summed over the words searched: past it, the
#: more common words are left out (the rarest word is always searched)
POSTINGS_BUDGET = 3_000
#: at most this many of a sentence's words are searched
SEARCH_WORDS = 5
#: candidates scored with rapidfuzz
CANDIDATES = 30
#: fuzzy matches below this similarity (percent) are not offered
MIN_SIMILARITY = 50


@dataclass
class Match:
    """One memory entry offered for a sentence: how similar its source is, what differs,
    and where it came from."""

    source: str
    target: str
    similarity: int  # percent; 100 for the same sentence (typography aside)
    desk: str
    document_id: str | None
    created_by: str | None
    updated_at: str
    id: int = 0
    diff: list[list[str]] = field(default_factory=list)  # [op, text]: equal, insert, delete
    #: a concordance's: the side that holds the phrase (``source``, ``target`` or ``both``)
    matched: str | None = None

    def to_dict(self) -> dict:
        out = {"id": self.id, "source": self.source, "target": self.target,
               "similarity": self.similarity, "diff": self.diff, "desk": self.desk,
               "document_id": self.document_id, "created_by": self.created_by,
               "updated_at": self.updated_at}
        if self.matched:
            out["matched"] = self.matched
        return out


def source_diff(sentence: str, stored: str) -> list[list[str]]:
    """How the stored source differs from ``sentence``, word by word: ``equal`` pieces,
    ``delete`` (in the sentence, not in the stored source) and ``insert`` (only in the
    stored source), so a translator sees what to change in the match's target."""
    from rapidfuzz.distance import Levenshtein

    a, b = _pieces(sentence), _pieces(stored)
    out: list[list[str]] = []
    for op in Levenshtein.opcodes(a, b):
        if op.tag == "equal":
            out.append(["equal", "".join(a[op.src_start:op.src_end])])
            continue
        if op.src_end > op.src_start:
            out.append(["delete", "".join(a[op.src_start:op.src_end])])
        if op.dest_end > op.dest_start:
            out.append(["insert", "".join(b[op.dest_start:op.dest_end])])
    merged: list[list[str]] = []
    for op, text in out:
        if merged and merged[-1][0] == op:
            merged[-1][1] += text
        else:
            merged.append([op, text])
    return merged


def _pieces(text: str) -> list[str]:
    import re

    return re.findall(r"\w+|\s+|[^\w\s]", text)


def _one_per_source(matches: list[Match]) -> list[Match]:
    """The first of the matches with one source: a review written to the desk's memory and
    the newsroom's is one match (the desk's own, when sorted first), not two."""
    seen, out = set(), []
    for match in matches:
        if match.source not in seen:
            seen.add(match.source)
            out.append(match)
    return out


class TranslationMemory:
    """Memory keyed by (desk, source language, target language, source sentence)."""

    def __init__(self, db: Database):
        self.db = db

    @staticmethod
    def _desks(desk: str | None) -> list[str]:
        return [NEWSROOM] if desk in (None, NEWSROOM) else [NEWSROOM, desk]

    def lookup(self, source: str, target: str, sentences: list[str],
               desk: str | None = None) -> dict[str, str]:
        """The stored translation of each sentence that has one (typography aside):
        ``desk``'s own, else the newsroom's."""
        desks = self._desks(desk)
        by_key: dict[str, list[str]] = {}
        for sentence in dict.fromkeys(sentences):
            by_key.setdefault(typography_key(sentence), []).append(sentence)
        keys = list(by_key)
        found: dict[str, str] = {}
        for start in range(0, len(keys), _CHUNK):
            chunk = keys[start:start + _CHUNK]
            rows = self.db.query(
                f"SELECT desk, source, target, key FROM memory WHERE source_lang = ? AND "
                f"target_lang = ? AND key IN ({','.join('?' * len(chunk))}) "
                f"AND desk IN ({','.join('?' * len(desks))})",
                (source, target, *chunk, *desks))
            # the newsroom's first, so that the desk's own entry overwrites it; among
            # variants of one key, the entry written with the sentence's own typography
            for row in sorted(rows, key=lambda r: r["desk"] != NEWSROOM):
                for sentence in by_key[row["key"]]:
                    if sentence not in found or row["source"] == sentence:
                        found[sentence] = row["target"]
        return found

    def fuzzy(self, source: str, target: str, sentence: str, desk: str | None = None,
              limit: int = 5, min_similarity: int = MIN_SIMILARITY) -> list[Match]:
        """The stored entries whose source is most like ``sentence`` (similarity in percent,
        best first; the desk's own before the newsroom's at equal similarity)."""
        from rapidfuzz import fuzz

        key = typography_key(sentence)
        ids = self._candidates(source, target, key, self._desks(desk))
        if not ids:
            return []
        rows = self.db.query(
            f"SELECT id, desk, source, target, key, document_id, created_by, updated_at "
            f"FROM memory WHERE id IN ({','.join('?' * len(ids))})", ids)
        matches = []
        for row in rows:
            similarity = 100 if row["key"] == key else min(99, round(fuzz.ratio(key, row["key"])))
            if similarity >= min_similarity:
                matches.append(Match(row["source"], row["target"], similarity, row["desk"],
                                     row["document_id"], row["created_by"], row["updated_at"],
                                     row["id"]))
        matches = _one_per_source(sorted(matches, key=lambda m: (-m.similarity, m.desk == NEWSROOM)))
        for match in matches[:limit]:
            match.diff = source_diff(sentence, match.source)
        return matches[:limit]

    def _candidates(self, source: str, target: str, key: str, desks: list[str]) -> list[int]:
        words = index_words(key)
        if not words:
            return []
        counts = {row["word"]: row["entries"] for row in self.db.query(
            f"SELECT word, entries FROM memory_word_counts WHERE entries > 0 AND word IN "
            f"({','.join('?' * len(words))})", words)}
        chosen, spent = [], 0
        for word in sorted(counts, key=counts.get):
            if chosen and (spent + counts[word] > POSTINGS_BUDGET or len(chosen) >= SEARCH_WORDS):
                break
            chosen.append(word)
            spent += counts[word]
        if not chosen:
            return []
        query = " OR ".join('"' + word.replace('"', '""') + '"' for word in chosen)
        rows = self.db.query(
            "SELECT m.id FROM memory_words w JOIN memory m ON m.id = w.rowid "
            "WHERE memory_words MATCH ? AND m.source_lang = ? AND m.target_lang = ? "
            f"AND m.desk IN ({','.join('?' * len(desks))}) ORDER BY w.rank LIMIT ?",
            (query, source, target, *desks, CANDIDATES))
        return [row["id"] for row in rows]

    def concordance(self, source: str, target: str, phrase: str, desk: str | None = None,
                    limit: int = 20) -> list[Match]:
        """Entries whose source or target holds ``phrase`` (its words in that order, case,
        accents and typography aside), newest first: how a phrase was translated before, or
        where a rendering was used. Each says which side held it (``Match.matched``)."""
        words = index_words(typography_key(phrase))
        if not words:
            return []
        desks = self._desks(desk)
        query = '"' + " ".join(word.replace('"', '""') for word in words) + '"'
        found: dict[int, Match] = {}
        # one search a side, each on its own full-text index: the sources' (the fuzzy
        # lookups' index) and the targets' (memory_targets)
        for side, index in (("source", "memory_words"), ("target", "memory_targets")):
            rows = self.db.query(
                "SELECT m.id, m.desk, m.source, m.target, m.document_id, m.created_by, "
                f"m.updated_at FROM {index} w JOIN memory m ON m.id = w.rowid "
                f"WHERE {index} MATCH ? AND m.source_lang = ? AND m.target_lang = ? "
                f"AND m.desk IN ({','.join('?' * len(desks))}) "
                "ORDER BY m.updated_at DESC, m.id DESC LIMIT ?",
                (query, source, target, *desks, 2 * limit))
            for r in rows:
                if r["id"] in found:
                    found[r["id"]].matched = "both"
                    continue
                found[r["id"]] = Match(r["source"], r["target"], 0, r["desk"], r["document_id"],
                                       r["created_by"], r["updated_at"], r["id"], matched=side)
        newest = sorted(found.values(), key=lambda m: (m.updated_at, m.id), reverse=True)
        return _one_per_source(sorted(newest, key=lambda m: m.desk == NEWSROOM))[:limit]

    def for_desk(self, desk: str) -> "DeskMemory":
        """What a request of ``desk`` translates with: its desk's memory over the newsroom's."""
        return DeskMemory(self, desk)

    def add(self, source_lang: str, target_lang: str, source: str, target: str,
            document_id: str | None = None, desk: str = NEWSROOM, by: str | None = None) -> None:
        """Store (or replace) the translation of one sentence, in its own transaction."""
        with self.db.transaction() as conn:
            self.put(conn, source_lang, target_lang, source, target, document_id, desk, by=by)

    @staticmethod
    def put(conn: sqlite3.Connection, source_lang: str, target_lang: str, source: str,
            target: str, document_id: str | None = None, desk: str = NEWSROOM, *,
            by: str | None = None) -> None:
        """Store one translation in ``desk``'s memory inside the caller's transaction."""
        stamp = now()
        conn.execute(
            "INSERT INTO memory (desk, source_lang, target_lang, source, target, key, "
            "document_id, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (desk, source_lang, target_lang, source) DO UPDATE SET "
            "target = excluded.target, document_id = excluded.document_id, "
            "created_by = excluded.created_by, updated_at = excluded.updated_at",
            (desk, source_lang, target_lang, source, target, typography_key(source),
             document_id, by, stamp, stamp))

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

    def fuzzy(self, source: str, target: str, sentence: str, limit: int = 5) -> list[Match]:
        return self.memory.fuzzy(source, target, sentence, self.desk, limit)
