"""Glossary tables: ``.tsv`` (tab-separated) and ``.csv`` (comma- or semicolon-separated,
with the ``csv`` module's quoting), multi-language or pair files.

Tables are UTF-8 (a BOM is skipped). Lines starting with ``#`` are comments, blank lines
are skipped. The first other line is the header naming the columns:

* language codes (``en``, ``fr``, ``vi``, any spelling :func:`translator.languages.canonical`
  knows, except ``id``, which names the id column: write Indonesian ``ind``), one column
  per language, in any number; each cell holds the preferred term first, then variants
  separated by ``" | "`` (variants are recognised in a source, never produced); an empty
  cell means the entry has no term in that language;
* or ``source`` and ``target``: a *pair file*, whose languages come from the file name
  (``fr-en.tsv``, ``news.fr-en.csv``). A header naming exactly two languages (``fr  en``) is
  a pair file too. In a pair file both terms are required (unless the row is do-not-translate);
* optional ``id`` (generated from the English or first term when absent), ``type`` (one of
  :data:`~translator.glossary.model.TYPES`, ``other`` when empty), ``note`` and ``dnt``
  (``true``/``false``). Without a ``dnt`` value, a row whose term is one and the same in
  every language it fills (at least two: ``BBC  BBC  BBC``) is do-not-translate; a row
  listing the same variants everywhere (``TASS | Tass``) is not: ``Tass`` becomes ``TASS``.

Every problem is reported as ``file:line: problem`` in a :class:`GlossaryError` (all of
them in ``details["problems"]``, the first in the message): a missing or bad header, a
wrong number of columns, an empty term or variant, control characters, terms that look
like markup or regular expressions, unknown languages or types.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from .. import languages
from ..errors import GlossaryError
from .model import TYPES, Entry
from .rules import (BAD_ID, CONTROL_CHARS, MAX_PROBLEMS, parse_cell, raise_problems,
                    same_everywhere, slug)


_META = {"id": "id", "type": "type", "note": "note", "notes": "note", "dnt": "dnt",
         "do-not-translate": "dnt", "do_not_translate": "dnt", "source": "source",
         "target": "target"}

TRUE_WORDS = {"true", "yes", "y", "1", "x", "dnt"}

_FALSE = {"false", "no", "n", "0", ""}

_PAIR_NAME = re.compile(r"(?:^|[._])([A-Za-z]{2,3}(?:_[A-Za-z]{4})?)[-_]([A-Za-z]{2,3}(?:_[A-Za-z]{4})?)$")



def _table_rows(text: str, csv_mode: bool, filename: str):
    """(line number, cells) of every non-blank, non-comment line."""
    if not csv_mode:
        for number, line in enumerate(text.split("\n"), 1):
            if line.endswith("\r"):
                line = line[:-1]
            if not line.strip() or line.startswith("#"):
                continue
            yield number, line.split("\t")
        return
    first = next((l for l in text.split("\n") if l.strip() and not l.startswith("#")), "")
    delimiter = ";" if ";" in first and "," not in first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    last = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise GlossaryError(f"{filename}:{reader.line_num}: bad CSV: {exc}") from None
        start, last = last + 1, reader.line_num
        if not cells or not any(c.strip() for c in cells) or cells[0].startswith("#"):
            continue
        yield start, cells



def _pair_from_name(filename: str) -> tuple[str, str] | None:
    stem = Path(filename).stem
    found = _PAIR_NAME.search(stem)
    if not found:
        return None
    pair = tuple(languages.maybe_canonical(code) for code in found.groups())
    return pair if None not in pair and pair[0] != pair[1] else None  # type: ignore[return-value]



def _read_header(number: int, cells: list[str], filename: str):
    """Column roles: ("id"|"type"|"note"|"dnt", None) or ("lang", code)."""
    where = f"{filename}:{number}"
    columns: list[tuple[str, str | None]] = []
    seen: set = set()
    for cell in cells:
        label = cell.strip()
        key = label.lower()
        if not label:
            raise GlossaryError(f"{where}: empty column name in the header")
        if key in _META:
            role = (_META[key], None)
        else:
            code = languages.maybe_canonical(label)
            if code is None:
                raise GlossaryError(
                    f"{where}: unknown language code {label!r} in the header (the first line "
                    "names the columns: id, type, language codes such as en fr vi, note; or "
                    "source, target)")
            role = ("lang", code)
        if role in seen:
            raise GlossaryError(f"{where}: column {label!r} appears twice in the header")
        seen.add(role)
        columns.append(role)
    roles = [r for r, _ in columns]
    if ("source" in roles) != ("target" in roles):
        raise GlossaryError(f"{where}: a pair file's header needs both source and target")
    if "source" in roles:
        if "lang" in roles:
            raise GlossaryError(f"{where}: use either source/target or language codes, not both")
        pair = _pair_from_name(filename)
        if pair is None:
            raise GlossaryError(f"{where}: a source/target file needs its languages in its name "
                                f"(fr-en.tsv) or language codes in the header (fr, en)")
        columns = [("lang", pair[0]) if r == "source" else ("lang", pair[1]) if r == "target"
                   else (r, c) for r, c in columns]
    if not any(r == "lang" for r, _ in columns):
        raise GlossaryError(f"{where}: the header names no language column")
    return columns



def parse_table(text: str, filename: str, csv_mode: bool) -> list[Entry]:
    rows = _table_rows(text, csv_mode, filename)
    header = next(rows, None)
    if header is None:
        raise GlossaryError(f"{filename}:1: empty file: no header line (id, type, en, fr, vi, note)")
    columns = _read_header(header[0], header[1], filename)
    names = ", ".join(c or r for r, c in columns)
    langs = [c for r, c in columns if r == "lang"]
    pair = len(langs) == 2
    index = {r: i for i, (r, _) in enumerate(columns) if r != "lang"}
    lang_index = [(i, c) for i, (r, c) in enumerate(columns) if r == "lang"]
    stem = Path(filename).stem
    entries: list[Entry] = []
    problems: list[str] = []
    ids: set[str] = set()
    for number, cells in rows:
        where = f"{filename}:{number}"
        if len(problems) >= MAX_PROBLEMS:
            break
        if len(cells) != len(columns):
            problems.append(f"{where}: expected {len(columns)} columns ({names}), found {len(cells)}")
            continue
        entry, problem = _row(cells, index, lang_index, pair, where)
        if problem:
            problems.append(f"{where}: {problem}")
            continue
        entry_id = entry.id
        if not entry_id:
            base = entry.preferred("en") or next(iter(entry.terms.values()))[0]
            entry_id = slug(base) or f"{slug(stem) or 'entry'}-{number}"
            if entry_id in ids:
                entry_id = f"{entry_id}-{number}"
        ids.add(entry_id)
        entries.append(Entry(entry_id, entry.terms, entry.type, entry.note, entry.dnt, where))
    if problems:
        raise_problems(problems, f"; see translator glossary check {filename}")
    return entries



def _row(cells, index, lang_index, pair: bool, where: str):
    """One table row -> (Entry without origin, None) or (None, problem)."""
    terms: dict[str, tuple[str, ...]] = {}
    for i, lang in lang_index:
        forms, problem = parse_cell(cells[i])
        if problem:
            return None, f"{lang}: {problem}"
        if forms:
            terms[lang] = forms
    if not terms:
        return None, "no term in any language"
    entry_id = cells[index["id"]].strip() if "id" in index else ""
    if entry_id and (BAD_ID.search(entry_id) or len(entry_id) > 200):
        return None, f"bad id {entry_id!r}: no spaces or control characters, at most 200 characters"
    kind = cells[index["type"]].strip().lower() if "type" in index else ""
    kind = kind or "other"
    if kind not in TYPES:
        return None, f"unknown type {kind!r} (one of {', '.join(TYPES)})"
    note = " ".join(cells[index["note"]].split()) if "note" in index else ""
    if CONTROL_CHARS.search(note):
        return None, "control character in the note"
    dnt = None
    if "dnt" in index:
        flag = cells[index["dnt"]].strip().lower()
        if flag in TRUE_WORDS:
            dnt = True
        elif flag in _FALSE:
            dnt = False if flag else None
        else:
            return None, f"dnt must be true or false, not {cells[index['dnt']].strip()!r}"
    if dnt is None:
        dnt = same_everywhere(terms)
    if pair and not dnt:
        for i, lang in lang_index:
            if lang not in terms:
                return None, f"empty {lang} term"
    if not dnt and len(terms) < 2 and len(lang_index) < 3:
        return None, "a term in one language only: add its translation or mark it dnt"
    return Entry(entry_id, terms, kind, note, dnt), None
