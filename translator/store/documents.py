"""Review documents: a translated article kept with the reviewer's edits.

A document is stored once as its aligned result (JSON); edits live in ``reviews``,
one row per segment. Marking a segment reviewed writes the review and the
translation memory entry in one transaction, so a crash never leaves one without
the other.

A document belongs to the desk that created it: another desk asking for it gets
:class:`DocumentNotFound`, as for an id that does not exist, so ids leak nothing.
A reviewed segment goes to its document's desk memory, and to the newsroom-wide one
when the reviewer may write it (an admin or memory writer).
"""

from __future__ import annotations

import json
import re
import secrets
import sqlite3
from dataclasses import dataclass, field, replace

from ..errors import TranslatorError
from ..quality import CERTAIN
from ..result import Segment, TranslationResult
from ..spans import follow_edit
from .db import NEWSROOM, OPERATOR, Access, Database, now
from .memory import TranslationMemory
from .typography import typography_key

TITLE_CHARS = 80


class DocumentNotFound(TranslatorError):
    code = "document_not_found"
    http_status = 404
    exit_code = 2


class SegmentNotFound(TranslatorError):
    code = "segment_not_found"
    http_status = 404
    exit_code = 2


@dataclass
class ReviewDocument:
    """A stored document: its result with the edits applied, and which segments are reviewed."""

    id: str
    title: str
    created_at: str
    result: TranslationResult
    reviewed: set[int]
    edited: set[int]
    desk: str = "default"
    #: repeats holding a copy of another segment's review: {repeat: the segment copied}
    copies: dict[int, int] = field(default_factory=dict)
    #: the result as translated, before any edit (what "back to the machine" means)
    machine: TranslationResult | None = None


def apply_targets(result: TranslationResult, targets: dict[int, tuple[str, str]]) -> TranslationResult:
    """A copy of ``result`` with new target texts ``{index: (text, origin)}``.

    The target text is rebuilt from the source's separators, as the pipeline builds
    it, so every target span stays exact. See :func:`edited` for what a changed
    segment keeps: its glossary terms, the words left untranslated, the confidence.
    """
    segments, out = [], []
    offset = position = 0
    for seg in result.segments:
        separator = result.source_text[position:seg.source_span[0]]
        out.append(separator)
        offset += len(separator)
        if seg.index in targets:
            seg = edited(seg, *targets[seg.index])
        segments.append(replace(seg, target_span=(offset, offset + len(seg.target))))
        out.append(seg.target)
        offset += len(seg.target)
        position = seg.source_span[1]
    out.append(result.source_text[position:])
    return replace(result, segments=segments, target_text="".join(out))


def edited(seg: Segment, text: str, origin: str) -> Segment:
    """The machine's segment after a person saved ``text`` for it: each word left
    untranslated moves with its word (one the person changed is gone), each glossary term
    stays with its target span where the text still holds its rendering (a warning says
    which ones it lost), and a reviewed segment is certain (someone vouched for it) where
    an edited one keeps the machine's confidence."""
    moved = follow_edit(seg.target, text, [tuple(u["target_span"]) for u in seg.untranslated])
    untranslated = [{**u, "target_span": list(span)}
                    for u, span in zip(seg.untranslated, moved) if span is not None]
    terms, lost = terms_after_edit(seg, text)
    kept = [w for w in seg.warnings if not _TERM_WARNING.match(w)]
    return replace(seg, target=text, origin=origin, terms=terms,
                   warnings=kept + [term_warning(t) for t in lost],
                   untranslated=untranslated,
                   confidence=CERTAIN if origin == "reviewed" else seg.confidence)


#: the warning a segment carries for a glossary term its target does not render
_TERM_WARNING = re.compile(r"^glossary: .* not rendered$", re.S)


def term_warning(term: dict) -> str:
    return f"glossary: {term.get('source')!r} -> {term.get('target')!r} not rendered"


def terms_after_edit(seg: Segment, text: str) -> tuple[list[dict], list[dict]]:
    """The segment's terms with their target spans in ``text`` (an edit of its target),
    and the terms whose rendering ``text`` no longer holds (their span is ``[-1, -1]``).

    A span the edit left alone moves with its words; otherwise the rendering is looked
    for anew (the reviewer may have moved it), never inside a span already given."""
    spans = [tuple(t.get("target_span") or (-1, -1)) for t in seg.terms]
    valid = [s if 0 <= s[0] < s[1] <= len(seg.target) else (0, 0) for s in spans]
    moved = follow_edit(seg.target, text, valid)
    taken: list[tuple[int, int]] = []
    placed: list[tuple[int, int] | None] = []
    for term, span in zip(seg.terms, moved):
        rendering = str(term.get("target") or "")
        ok = span is not None and span[1] > span[0] and text[span[0]:span[1]] == rendering
        placed.append(tuple(span) if ok else None)
        if ok:
            taken.append(tuple(span))
    terms, lost = [], []
    for term, span in zip(seg.terms, placed):
        rendering = str(term.get("target") or "")
        if span is None and rendering:
            span = _free_occurrence(text, rendering, taken)
            if span is not None:
                taken.append(span)
        updated = {**term, "target_span": list(span) if span else [-1, -1]}
        terms.append(updated)
        if span is None:
            lost.append(updated)
    return terms, lost


def _free_occurrence(text: str, word: str, taken: list[tuple[int, int]]) -> tuple[int, int] | None:
    start = text.find(word)
    while start >= 0:
        end = start + len(word)
        if all(end <= s or start >= e for s, e in taken):
            return start, end
        start = text.find(word, start + 1)
    return None


def _title(text: str) -> str:
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return first if len(first) <= TITLE_CHARS else first[:TITLE_CHARS - 1].rstrip() + "…"


class Documents:
    """Store, read and review documents."""

    def __init__(self, db: Database, memory: TranslationMemory):
        self.db = db
        self.memory = memory

    def create(self, result: TranslationResult, title: str | None = None,
               desk: str = OPERATOR.desk) -> str:
        """Store a translated document of ``desk``; returns its id (random, unguessable)."""
        doc_id = secrets.token_urlsafe(12)
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT INTO documents (id, title, source_lang, target_lang, result, created_at, "
                "desk) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (doc_id, title or _title(result.source_text), result.source_lang,
                 result.target_lang, json.dumps(result.to_dict(), ensure_ascii=False), now(), desk))
        return doc_id

    def get(self, doc_id: str, access: Access = OPERATOR) -> ReviewDocument:
        """The document with every saved edit applied; not found for another desk."""
        rows = self.db.query("SELECT * FROM documents WHERE id = ?", (doc_id,))
        if not rows or not access.sees(rows[0]["desk"]):
            raise DocumentNotFound(f"no document {doc_id!r}", document=doc_id)
        row = rows[0]
        result = TranslationResult.from_dict(json.loads(row["result"]))
        reviews = self.db.query("SELECT segment, target, reviewed, copied_from FROM reviews "
                                "WHERE document_id = ?", (doc_id,))
        targets = {r["segment"]: (r["target"], "reviewed" if r["reviewed"] else "edited")
                   for r in reviews}
        return ReviewDocument(doc_id, row["title"], row["created_at"],
                              apply_targets(result, targets),
                              {r["segment"] for r in reviews if r["reviewed"]},
                              {r["segment"] for r in reviews}, row["desk"],
                              {r["segment"]: r["copied_from"] for r in reviews
                               if r["copied_from"] is not None}, result)

    def recent(self, limit: int = 20, access: Access = OPERATOR) -> list[dict]:
        """Newest documents ``access`` sees: id, title, languages, creation time, desk,
        reviewed count."""
        where, params = ("", ()) if access.admin else ("WHERE d.desk = ? ", (access.desk,))
        rows = self.db.query(
            "SELECT d.id, d.title, d.source_lang, d.target_lang, d.created_at, d.desk, "
            "(SELECT count(*) FROM reviews r WHERE r.document_id = d.id AND r.reviewed) AS reviewed "
            f"FROM documents d {where}ORDER BY d.created_at DESC, d.rowid DESC LIMIT ?",
            (*params, limit))
        return [dict(r) for r in rows]

    def restore(self, doc_id: str, index: int,
                access: Access = OPERATOR) -> tuple[Segment, list[int]]:
        """Drop the reviewer's text of one segment: it is the machine's translation again
        (not reviewed), and so are the repeats that only held a copy of its review (their
        indexes are returned). The memory keeps what was reviewed: a person vouched for it
        once."""
        document = self._document(doc_id, index, access)
        followers = self._followers(document, index, reviewed=False)
        with self.db.transaction() as conn:
            self._drop(conn, doc_id, [index, *followers])
        return self.get(doc_id, access).result.segments[index], followers

    def _document(self, doc_id: str, index: int, access: Access) -> ReviewDocument:
        document = self.get(doc_id, access)
        if not 0 <= index < len(document.result.segments):
            raise SegmentNotFound(f"document {doc_id!r} has no segment {index}",
                                  document=doc_id, segment=index)
        return document

    @staticmethod
    def _followers(document: ReviewDocument, index: int, reviewed: bool) -> list[int]:
        """The repeats of segment ``index`` (same source, typography aside) that a save of it
        reaches: those holding a copy of its review, and, when it is saved as reviewed, those
        nobody touched and those holding another repeat's review. Never a repeat a person
        saved (its text is theirs)."""
        seg = document.result.segments[index]
        key = typography_key(seg.source)
        out = []
        for other in document.result.segments:
            if (other.index == index or other.source_lang != seg.source_lang
                    or typography_key(other.source) != key):
                continue
            copied = document.copies.get(other.index)
            if copied == index or (reviewed and (other.index not in document.edited
                                                 or copied is not None)):
                out.append(other.index)
        return out

    @staticmethod
    def _drop(conn: sqlite3.Connection, doc_id: str, numbers: list[int]) -> None:
        conn.executemany("DELETE FROM reviews WHERE document_id = ? AND segment = ?",
                         [(doc_id, number) for number in numbers])

    def delete(self, doc_id: str, access: Access = OPERATOR) -> None:
        """Delete a document and its edits (not found for another desk). Memory entries
        reviewed in it stay; their provenance no longer names it."""
        self.get(doc_id, access)
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM reviews WHERE document_id = ?", (doc_id,))
            conn.execute("DELETE FROM documents WHERE id = ?", (doc_id,))

    def titles(self, ids: set[str], access: Access = OPERATOR) -> dict[str, str]:
        """The titles of the documents among ``ids`` that ``access`` sees (a memory entry's
        provenance: another desk's document stays unnamed)."""
        if not ids:
            return {}
        rows = self.db.query(f"SELECT id, title, desk FROM documents WHERE id IN "
                             f"({','.join('?' * len(ids))})", tuple(ids))
        return {r["id"]: r["title"] for r in rows if access.sees(r["desk"])}

    def save_segment(self, doc_id: str, index: int, target: str, reviewed: bool,
                     access: Access = OPERATOR) -> Segment:
        """Save a reviewer's target for one segment; a reviewed one also goes to the
        document's desk memory (and the newsroom's when ``access`` may write it), and to
        the segment's repeats in the document (see :meth:`save`)."""
        return self.save(doc_id, index, target, reviewed, access)[0]

    def save(self, doc_id: str, index: int, target: str, reviewed: bool,
             access: Access = OPERATOR) -> tuple[Segment, list[int]]:
        """:meth:`save_segment`, and the indexes of the repeats it reached, in the same
        transaction (see :meth:`_followers`): a segment saved as reviewed gives its text to
        every other segment of the document with the same source (typography aside) that
        nobody touched yet, saved as reviewed too; those copies then follow the segment's
        later saves until a person edits them.

        A segment saved not reviewed with the machine's own text (un-reviewed after being
        approved unchanged) is the machine's again: its origin (``engine``, ``memory``...),
        not ``edited``."""
        document = self._document(doc_id, index, access)
        seg = document.result.segments[index]
        followers = self._followers(document, index, reviewed)
        as_machine = not reviewed and target == document.machine.segments[index].target
        stamp = now()
        with self.db.transaction() as conn:
            if as_machine:
                self._drop(conn, doc_id, [index, *followers])
            for number in [] if as_machine else [index, *followers]:
                conn.execute(
                    "INSERT INTO reviews (document_id, segment, target, reviewed, updated_at, "
                    "copied_from) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (document_id, segment) "
                    "DO UPDATE SET target = excluded.target, reviewed = excluded.reviewed, "
                    "updated_at = excluded.updated_at, copied_from = excluded.copied_from",
                    (doc_id, number, target, int(reviewed), stamp,
                     None if number == index else index))
            if reviewed:
                desks = [document.desk] + ([NEWSROOM] if access.memory_writer else [])
                for desk in desks:
                    self.memory.put(conn, seg.source_lang, document.result.target_lang,
                                    seg.source, target, doc_id, desk, by=access.who)
        return self.get(doc_id, access).result.segments[index], followers
