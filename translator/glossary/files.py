"""Term bases on disk: TSV/CSV tables (multi-language or pair files) and TBX, read and written.

Tables (``.tsv``, tab-separated; ``.csv``, comma- or semicolon-separated with the ``csv``
module's quoting) are UTF-8 (a BOM is skipped). Lines starting with ``#`` are comments,
blank lines are skipped. The first other line is the header naming the columns:

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
like markup or regular expressions (terms are matched literally), unknown languages or
types, bytes that are not UTF-8.

TBX (TBX-Basic / TBX v2 ``martif``: ``termEntry/langSet/tig|ntig/term``; TBX v3 ``tbx``:
``conceptEntry/langSec/termSec/term``) is read with :mod:`defusedxml`: entity declarations
and external references are refused, and a document type declaration only when it is a
bare DTD file name (``TBXBasiccoreStructV02.dtd``), which is never opened. A term marked
``preferredTerm`` comes first; the others are variants. Written TBX is TBX-Basic v2.

:func:`check` finds what a parser cannot see row by row: the same source form mapped to
different target terms in one language pair (a conflict), duplicate ids (errors), and
duplicate rows (warnings).

:func:`load_directory` reads every table and TBX file directly in a folder (not in
sub-folders such as ``curated/``, which feed a generated file), in file-name order, as
one glossary. **Later files override earlier ones**: when two files give the same
source form, the matcher keeps the later file's entry, so ``zz-local.tsv`` can correct
``news.tsv``; within one file, likewise, a later row wins.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import re
import unicodedata
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr as _quoteattr

from .. import languages
from ..formats.xmlchars import xml_text
from ..errors import GlossaryError, GlossaryNotFound
from ..fsutil import atomic_write
from .match import Rendering, _short_form, token_keys
from .model import TYPES, Entry, Glossary

EXTENSIONS = (".tsv", ".csv", ".tbx")
FORMATS = ("tsv", "csv", "tbx", "json")
MAX_TERM_CHARS = 256
MAX_PROBLEMS = 1000  # stop collecting after this many (a wrong file has one per line)

_META = {"id": "id", "type": "type", "note": "note", "notes": "note", "dnt": "dnt",
         "do-not-translate": "dnt", "do_not_translate": "dnt", "source": "source",
         "target": "target"}
_TRUE = {"true", "yes", "y", "1", "x", "dnt"}
_FALSE = {"false", "no", "n", "0", ""}
_WORD = re.compile(r"\w")
_WORDS = re.compile(r"\w+")
# Anything that may need a closer look; most terms never match it.
_SUSPECT = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b\u2028\u2029\ufeff<&\\{}^$\[\]|]|\.[*+?]|\(\?")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b\u2028\u2029\ufeff]")
_MARKUP = re.compile(r"<[A-Za-z/!?]|&(?:[A-Za-z]+|#\d+|#x[0-9A-Fa-f]+);")
_REGEX = re.compile(r"[\\{}^$\[\]]|\.[*+?]|\(\?")
_VARIANTS = re.compile(r"\s*\|\s*")
_BAD_SEPARATOR = re.compile(r"\S\||\|\S")
_PAIR_NAME = re.compile(r"(?:^|[._])([A-Za-z]{2,3}(?:_[A-Za-z]{4})?)[-_]([A-Za-z]{2,3}(?:_[A-Za-z]{4})?)$")
_ID_BAD = re.compile(r"[\s\x00-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class Problem:
    """One problem of a glossary, where it is (``file:line``), and whether it blocks an import."""

    origin: str
    message: str
    severity: str = "error"  # error | warning

    def __str__(self) -> str:
        where = f"{self.origin}: " if self.origin else ""
        return f"{where}{'warning: ' if self.severity == 'warning' else ''}{self.message}"


def _raise(problems: list[str], hint: str = "") -> None:
    first = problems[0]
    more = len(problems) - 1
    suffix = f" (and {more} more problem{'s' if more > 1 else ''}{hint})" if more else ""
    raise GlossaryError(first + suffix, problems=problems)


# --------------------------------------------------------------------------- terms


def term_problem(term: str) -> str | None:
    """Why ``term`` cannot be a glossary term, or None when it can."""
    if not term:
        return "empty term"
    if _SUSPECT.search(term):
        bad = _CONTROL.search(term)
        if bad:
            return f"control character U+{ord(bad.group()):04X} in {term!r}"
        if _MARKUP.search(term):
            return f"{term!r} looks like markup; terms are plain text"
        if _REGEX.search(term):
            return f"{term!r} looks like a regular expression; terms are matched literally"
        if "|" in term:
            return f"{term!r}: separate variants with ' | ' (space, pipe, space)"
    if not _WORD.search(term):
        return f"{term!r} has no letters or digits"
    if len(term) > MAX_TERM_CHARS:
        return f"term of {len(term)} characters (at most {MAX_TERM_CHARS}): {term[:40]!r}..."
    return None


def _normal(term: str) -> str:
    term = term.strip()
    return term if unicodedata.is_normalized("NFC", term) else unicodedata.normalize("NFC", term)


def parse_cell(cell: str) -> tuple[tuple[str, ...], str | None]:
    """A table cell -> (terms, problem): preferred term, then variants split on ``" | "``."""
    cell = cell.strip()
    if not cell:
        return (), None
    items = _VARIANTS.split(cell) if "|" in cell else [cell]
    if len(items) > 1:
        if any(not item for item in items):
            return (), f"empty item in the variant list {cell!r}"
        if _BAD_SEPARATOR.search(cell):
            return (), f"{cell!r}: separate variants with ' | ' (space, pipe, space)"
    terms: list[str] = []
    for item in items:
        item = _normal(item)
        problem = term_problem(item)
        if problem:
            return (), problem
        if item not in terms:
            terms.append(item)
    return tuple(terms), None


def validate_entry(entry: Entry) -> list[str]:
    """Problems of one entry built in code (HTTP, store): the rules files are held to."""
    problems = []
    if not isinstance(entry.id, str) or not entry.id or _ID_BAD.search(entry.id) \
            or len(entry.id) > 200:
        problems.append(f"bad id {entry.id!r}: 1-200 characters, no spaces or control characters")
    if entry.type not in TYPES:
        problems.append(f"unknown type {entry.type!r} (one of {', '.join(TYPES)})")
    if not entry.terms:
        problems.append(f"entry {entry.id!r} has no terms")
    for lang, forms in entry.terms.items():
        if languages.maybe_canonical(lang) != lang:
            problems.append(f"{lang!r} is not a canonical language code "
                            f"({languages.maybe_canonical(lang) or 'unknown'})")
        if isinstance(forms, str) or not forms:
            problems.append(f"entry {entry.id!r}: {lang} needs a tuple of terms")
            continue
        for form in forms:
            problem = term_problem(form) if isinstance(form, str) else f"{form!r} is not text"
            if problem:
                problems.append(problem)
    if _CONTROL.search(entry.note or ""):
        problems.append("control character in the note")
    if not entry.dnt and len(entry.terms) < 2:
        problems.append(f"entry {entry.id!r} has terms in one language only and is not "
                        "do-not-translate")
    return problems


def same_everywhere(terms: dict[str, tuple[str, ...]]) -> bool:
    """The implicit do-not-translate rule: one and the same term in every language given
    (at least two). A row that lists variants (``TASS | Tass`` everywhere) is not
    do-not-translate: its variants are rendered as the preferred term."""
    values = list(terms.values())
    if len(values) < 2 or len(values[0]) != 1:
        return False
    return values.count(values[0]) == len(values)


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60]


# --------------------------------------------------------------------------- reading


def read_glossary(path: str | os.PathLike, name: str | None = None) -> Glossary:
    """Read a ``.tsv``, ``.csv`` or ``.tbx`` file (by extension; anything else is read as TSV)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise GlossaryNotFound(f"{path}: no such file", path=str(path)) from None
    except IsADirectoryError:
        raise GlossaryError(f"{path}: is a directory") from None
    except PermissionError:
        raise GlossaryError(f"{path}: permission denied") from None
    return read_bytes(data, str(path), name=name)


def read_bytes(data: bytes, filename: str, name: str | None = None) -> Glossary:
    """Read a glossary from bytes; ``filename`` gives the format (extension), the pair
    languages of a pair file and the ``file`` of error messages."""
    name = name or Path(filename).stem
    ext = Path(filename).suffix.lower()
    try:
        if ext == ".tbx" or (ext not in (".tsv", ".csv")
                             and data.lstrip()[:5] in (b"<?xml", b"<mart", b"<tbx ")):
            return Glossary(name, _parse_tbx(data, filename))
        text = _decode(data, filename)
        return Glossary(name, _parse_table(text, filename, csv_mode=ext == ".csv"))
    except GlossaryError as exc:  # every problem of the content is listed in details
        exc.details.setdefault("problems", [exc.message])
        raise


def _decode(data: bytes, filename: str) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise GlossaryError(f"{filename}:1: UTF-16 text; save the file as UTF-8")
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise GlossaryError(f"{filename}:{line}: not valid UTF-8 (byte 0x{data[exc.start]:02x} "
                            f"at offset {exc.start}); save the file as UTF-8") from None


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


def _parse_table(text: str, filename: str, csv_mode: bool) -> list[Entry]:
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
            entry_id = _slug(base) or f"{_slug(stem) or 'entry'}-{number}"
            if entry_id in ids:
                entry_id = f"{entry_id}-{number}"
        ids.add(entry_id)
        entries.append(Entry(entry_id, entry.terms, entry.type, entry.note, entry.dnt, where))
    if problems:
        _raise(problems, f"; see translator glossary check {filename}")
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
    if entry_id and (_ID_BAD.search(entry_id) or len(entry_id) > 200):
        return None, f"bad id {entry_id!r}: no spaces or control characters, at most 200 characters"
    kind = cells[index["type"]].strip().lower() if "type" in index else ""
    kind = kind or "other"
    if kind not in TYPES:
        return None, f"unknown type {kind!r} (one of {', '.join(TYPES)})"
    note = " ".join(cells[index["note"]].split()) if "note" in index else ""
    if _CONTROL.search(note):
        return None, "control character in the note"
    dnt = None
    if "dnt" in index:
        flag = cells[index["dnt"]].strip().lower()
        if flag in _TRUE:
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


# --------------------------------------------------------------------------- TBX


try:  # defusedxml: the XML parser that refuses entities and external references
    from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
    from defusedxml.ElementTree import DefusedXMLParser as _SafeBase
except ImportError:  # pragma: no cover - a dependency; refuse TBX rather than parse unsafely
    _SafeBase = None

_BARE_DTD = re.compile(r"^[A-Za-z0-9_.-]+\.dtd$")
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_LINE_TAGS = {"termEntry", "conceptEntry", "langSet", "langSec", "term"}


if _SafeBase is not None:
    class _TBXParser(_SafeBase):
        """defusedxml with one allowance: ``<!DOCTYPE martif SYSTEM "TBXcoreStructV02.dtd">``.

        The DTD is named, never read (ElementTree loads no external DTD); a DOCTYPE with an
        internal subset, a path or a URL is refused.
        """

        def __init__(self, target):
            super().__init__(target=target, forbid_dtd=True, forbid_entities=True,
                             forbid_external=True)

        def defused_start_doctype_decl(self, name, sysid, pubid, has_internal_subset):
            if has_internal_subset or (sysid and not _BARE_DTD.match(sysid)):
                raise DTDForbidden(name, sysid, pubid)


_ENTRY_TAGS = ("termEntry", "conceptEntry")
_LOCAL: dict[str, str] = {}


def _local(tag) -> str:
    """``{urn:iso:std:iso:30042:ed-2}termSec`` -> ``termSec`` (cached: called per element)."""
    try:
        return _LOCAL[tag]
    except KeyError:
        name = tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""
        if len(_LOCAL) < 10_000:
            _LOCAL[tag] = name
        return name
    except TypeError:  # comments and processing instructions
        return ""


class _StreamTarget:
    """ElementTree's tree builder that hands over each entry as soon as it is complete
    (then drops it, so a large file never sits in memory as a tree) and remembers the
    line where entries, languages and terms start."""

    def __init__(self, on_entry):
        self.builder = ET.TreeBuilder()
        self.lines: dict[int, int] = {}
        self.parser = None
        self.root_tag = None
        self.on_entry = on_entry

    def start(self, tag, attrib):
        element = self.builder.start(tag, attrib)
        name = _local(tag)
        if self.root_tag is None:
            self.root_tag = name
        if name in _LINE_TAGS and self.parser is not None:
            self.lines[id(element)] = self.parser.parser.CurrentLineNumber
        return element

    def end(self, tag):
        element = self.builder.end(tag)
        if _local(tag) in _ENTRY_TAGS:
            self.on_entry(element, self.lines)
            for sub in element.iter():
                self.lines.pop(id(sub), None)
            element.clear()
        return element

    def data(self, data):
        self.builder.data(data)

    def close(self):
        return self.builder.close()


def _parse_tbx(data: bytes, filename: str) -> list[Entry]:
    if _SafeBase is None:  # pragma: no cover
        raise GlossaryError(f"{filename}: reading TBX needs the defusedxml package")
    entries: list[Entry] = []
    problems: list[str] = []
    ids: set[str] = set()

    def on_entry(element, lines) -> None:
        if len(problems) >= MAX_PROBLEMS:
            return
        where = f"{filename}:{lines.get(id(element), 1)}"
        entry, problem = _tbx_entry(element, where, lines, filename)
        if problem:
            problems.append(problem)
            return
        entry_id = entry.id
        if not entry_id or entry_id in ids:
            base = entry.preferred("en") or next(iter(entry.terms.values()))[0]
            entry_id = _slug(base) or "entry"
            if entry_id in ids:
                entry_id = f"{entry_id}-{where.rsplit(':', 1)[1]}"
        ids.add(entry_id)
        entries.append(Entry(entry_id, entry.terms, entry.type, entry.note, entry.dnt, where))

    target = _StreamTarget(on_entry)
    parser = _TBXParser(target)
    target.parser = parser
    try:
        parser.feed(data)
        parser.close()
    except DTDForbidden:
        raise GlossaryError(f"{filename}:{parser.parser.CurrentLineNumber}: refused: a document "
                            "type declaration with an internal subset or an external DTD") from None
    except EntitiesForbidden as exc:
        raise GlossaryError(f"{filename}:{parser.parser.CurrentLineNumber}: refused: entity "
                            f"declaration {exc.name!r} (entities are not allowed)") from None
    except ExternalReferenceForbidden:
        raise GlossaryError(f"{filename}:{parser.parser.CurrentLineNumber}: refused: external "
                            "reference") from None
    except ET.ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else 1
        message = str(exc).split(": line")[0]
        raise GlossaryError(f"{filename}:{line}: not well-formed XML ({message})") from None
    except (ValueError, LookupError) as exc:  # unknown encoding declarations and the like
        raise GlossaryError(f"{filename}:1: cannot read the XML: {exc}") from None
    if target.root_tag not in ("martif", "tbx"):
        raise GlossaryError(f"{filename}:1: not a TBX file (root element <{target.root_tag}>, "
                            "expected <martif> or <tbx>)")
    if problems:
        _raise(problems, f"; see translator glossary check {filename}")
    return entries


def _text(element) -> str:
    return " ".join("".join(element.itertext()).split())


def _tbx_entry(element, where: str, lines: dict, filename: str):
    entry_id = (element.get("id") or "").strip()
    if entry_id and (_ID_BAD.search(entry_id) or len(entry_id) > 200):
        return None, f"{where}: bad id {entry_id!r}"
    kind, notes, dnt = "other", [], None
    terms: dict[str, tuple[str, ...]] = {}
    for child in element:
        tag = _local(child.tag)
        kind_attr = child.get("type", "")
        if tag in ("descrip", "admin") and kind_attr in ("subjectField", "conceptType", "entryType"):
            value = _text(child)
            if value.lower() in TYPES:
                kind = value.lower()
            elif value:
                notes.append(value)
        elif tag in ("descrip", "admin", "termNote") and kind_attr in ("doNotTranslate", "dnt"):
            dnt = _text(child).lower() in _TRUE
        elif tag == "note" or (tag == "descrip" and kind_attr == "definition"):
            if _text(child):
                notes.append(_text(child))
        elif tag in ("langSet", "langSec"):
            lang_where = f"{filename}:{lines.get(id(child), where.rsplit(':', 1)[1])}"
            code = child.get(_XML_LANG) or child.get("lang") or ""
            lang = languages.maybe_canonical(code)
            if lang is None:
                return None, f"{lang_where}: unknown language code {code!r}"
            forms, problem = _tbx_terms(child, lang_where)
            if problem:
                return None, problem
            terms[lang] = tuple(dict.fromkeys(terms.get(lang, ()) + forms))
    terms = {lang: forms for lang, forms in terms.items() if forms}
    if not terms:
        return None, f"{where}: entry {entry_id or ''} has no term".replace("  ", " ")
    if dnt is None:
        dnt = same_everywhere(terms)
    note = "; ".join(notes)
    if _CONTROL.search(note):
        return None, f"{where}: control character in a note"
    return Entry(entry_id, terms, kind, note, dnt), None


def _tbx_terms(lang_set, where: str):
    """Terms of a langSet/langSec in document order, the one marked preferred first."""
    preferred, others = [], []
    for holder in lang_set.iter():
        if _local(holder.tag) not in ("tig", "ntig", "termSec", "termGrp"):
            continue
        term_el = status_el = None
        for child in holder:
            name = _local(child.tag)
            if name == "term":
                term_el = child
            elif name == "termNote" and child.get("type") in ("normativeAuthorization",
                                                                "administrativeStatus"):
                status_el = child
        if term_el is None:
            continue
        status = (status_el.text or "").strip().lower() if status_el is not None else ""
        term = _normal(_text(term_el))
        problem = term_problem(term)
        if problem:
            return (), f"{where}: {problem}"
        (preferred if status.startswith("preferred") else others).append(term)
    if not preferred and not others:  # <langSet><term>...</term></langSet>, loosely written
        for term_el in (c for c in lang_set if _local(c.tag) == "term"):
            term = _normal(_text(term_el))
            problem = term_problem(term)
            if problem:
                return (), f"{where}: {problem}"
            others.append(term)
    return tuple(dict.fromkeys(preferred + others)), None


# --------------------------------------------------------------------------- writing


def _ordered_languages(glossary: Glossary) -> list[str]:
    found = glossary.languages()
    first = [lang for lang in ("en", "fr", "vi") if lang in found]
    return first + sorted(found - set(first))


def _select(glossary: Glossary, langs: list[str] | None):
    langs = langs or _ordered_languages(glossary)
    entries = [e for e in glossary.entries if any(lang in e.terms for lang in langs)]
    return langs, entries


def _auto_dnt(entry: Entry, langs: list[str]) -> bool:
    return same_everywhere({lang: entry.terms[lang] for lang in langs if lang in entry.terms})


def _table(glossary: Glossary, langs: list[str] | None):
    langs, entries = _select(glossary, langs)
    with_dnt = any(e.dnt != _auto_dnt(e, langs) for e in entries)
    header = ["id", "type", *langs, *(["dnt"] if with_dnt else []), "note"]
    rows = []
    for e in entries:
        row = [e.id, e.type, *(" | ".join(e.terms.get(lang, ())) for lang in langs)]
        if with_dnt:
            row.append("true" if e.dnt else "false")
        row.append(" ".join(e.note.split()))
        rows.append(row)
    return header, rows


def write_tsv(glossary: Glossary, langs: list[str] | None = None) -> str:
    """The glossary as a multi-language TSV (``id type en fr vi [dnt] note``), readable back."""
    header, rows = _table(glossary, langs)
    lines = [f"# {glossary.name}: {len(rows)} entries", "\t".join(header)]
    lines += ["\t".join(row) for row in rows]
    return "\n".join(lines) + "\n"


def write_csv(glossary: Glossary, langs: list[str] | None = None) -> str:
    header, rows = _table(glossary, langs)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def _esc(text: str) -> str:
    """Text for TBX: escaped, without the characters XML 1.0 forbids (nothing of a valid
    glossary is lost: terms cannot hold them; a note or id could)."""
    return escape(xml_text(text))


def quoteattr(text: str) -> str:
    return _quoteattr(xml_text(text))


def write_tbx(glossary: Glossary, langs: list[str] | None = None) -> str:
    """TBX-Basic (v2, ``martif``): one ``termEntry`` per entry, the preferred term marked."""
    langs, entries = _select(glossary, langs)
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n'
           '<martif type="TBX-Basic" xml:lang="en">\n'
           '  <martifHeader>\n'
           '    <fileDesc>\n'
           f'      <sourceDesc><p>{_esc(glossary.name)}: {len(entries)} entries</p></sourceDesc>\n'
           '    </fileDesc>\n'
           '    <encodingDesc><p type="XCSURI">TBXBasicXCSV02.xcs</p></encodingDesc>\n'
           '  </martifHeader>\n'
           '  <text>\n'
           '    <body>\n']
    for entry in entries:
        out.append(f'      <termEntry id={quoteattr(entry.id)}>\n'
                   f'        <descrip type="subjectField">{_esc(entry.type)}</descrip>\n')
        if entry.dnt != _auto_dnt(entry, langs):
            out.append(f'        <admin type="doNotTranslate">{str(entry.dnt).lower()}</admin>\n')
        if entry.note:
            out.append(f'        <note>{_esc(entry.note)}</note>\n')
        for lang in langs:
            forms = entry.terms.get(lang)
            if not forms:
                continue
            out.append(f'        <langSet xml:lang="{lang}">\n')
            for rank, form in enumerate(forms):
                status = "preferredTerm" if rank == 0 else "admittedTerm"
                out.append(f'          <tig>\n'
                           f'            <term>{_esc(form)}</term>\n'
                           f'            <termNote type="normativeAuthorization">{status}</termNote>\n'
                           f'          </tig>\n')
            out.append('        </langSet>\n')
        out.append('      </termEntry>\n')
    out.append('    </body>\n  </text>\n</martif>\n')
    return "".join(out)


def write_json(glossary: Glossary, langs: list[str] | None = None) -> str:
    langs, entries = _select(glossary, langs)
    items = []
    for entry in entries:
        item = entry.to_dict()
        item["terms"] = {lang: list(entry.terms[lang]) for lang in langs if lang in entry.terms}
        items.append(item)
    return json.dumps({"name": glossary.name, "languages": langs, "entries": items},
                      ensure_ascii=False, indent=2) + "\n"


_WRITERS = {"tsv": write_tsv, "csv": write_csv, "tbx": write_tbx, "json": write_json}


def dumps(glossary: Glossary, fmt: str = "tsv", langs: list[str] | None = None) -> str:
    """The glossary in ``fmt`` (tsv, csv, tbx, json), optionally restricted to ``langs``."""
    if fmt not in _WRITERS:
        raise GlossaryError(f"unknown glossary format {fmt!r} (one of {', '.join(_WRITERS)})")
    return _WRITERS[fmt](glossary, langs)


def format_for(path: str | os.PathLike, default: str = "tsv") -> str:
    ext = Path(path).suffix.lower().lstrip(".")
    return ext if ext in _WRITERS else default


def save(glossary: Glossary, path: str | os.PathLike, fmt: str | None = None,
         langs: list[str] | None = None) -> Path:
    """Write atomically (a temporary file renamed over ``path``)."""
    path = Path(path)
    text = dumps(glossary, fmt or format_for(path), langs)
    path.parent.mkdir(parents=True, exist_ok=True)
    return atomic_write(path, text)


# --------------------------------------------------------------------------- directory


def glossary_files(directory: str | os.PathLike) -> list[Path]:
    """The glossary files directly in ``directory`` (not sub-folders), in name order."""
    directory = Path(directory)
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.iterdir()
                  if p.suffix.lower() in EXTENSIONS and p.is_file() and not p.name.startswith("."))


def load_directory(directory: str | os.PathLike, name: str = "default") -> Glossary:
    """Every glossary file of ``directory`` merged, later files overriding earlier ones."""
    entries: list[Entry] = []
    for path in glossary_files(directory):
        entries.extend(read_glossary(path).entries)
    return Glossary(name, entries)


# --------------------------------------------------------------------------- checks


def _rendering(entry: Entry, form: str, source: str, target: str) -> str | None:
    """What the matcher renders ``form`` as for the pair (None: the entry has no target)."""
    if entry.dnt:
        return form
    preferred = entry.preferred(target)
    if not preferred:
        return None
    rendering = _short_form(entry, Rendering(entry, preferred), form, source, target)
    return rendering.target


def _conflicts(entries: list[Entry], source: str, targets: list[str]) -> list[Problem]:
    """Source forms that can match the same text (the matcher's keys without the marks
    that restrict capitals: ``Kim Jong-un`` and ``Kim Jong Un`` both match "Kim Jong Un")
    claimed by several entries whose renderings differ in one of the target languages."""
    claims: dict[tuple, list[tuple[str, Entry]]] = {}
    for entry in entries:
        for form in entry.terms.get(source, ()):
            keys = tuple(token_keys(t, source)[0] for t in _WORDS.findall(form))
            if keys:
                claims.setdefault(keys, []).append((form, entry))
    found = []
    for claimants in claims.values():
        if len(claimants) < 2 or all(e is claimants[0][1] for _, e in claimants):
            continue
        for target in targets:
            first = None
            for form, entry in claimants:
                target_term = _rendering(entry, form, source, target)
                if target_term is None:
                    continue
                if first is None:
                    first = (form, target_term, entry)
                    continue
                old_form, old_target, old_entry = first
                if old_entry is entry or old_target == target_term:
                    continue
                found.append(Problem(
                    entry.origin or entry.id,
                    f"conflict in {source}-{target}: {form!r} -> {target_term!r} (id {entry.id}), "
                    f"but {old_form!r} -> {old_target!r} (id {old_entry.id}"
                    f"{', ' + old_entry.origin if old_entry.origin else ''}); keep one, or make "
                    "the forms variants of one entry"))
    return found


def problems(glossary: Glossary) -> list[Problem]:
    """Conflicts and duplicate ids (errors), duplicate rows (warnings), in entry order."""
    found: list[Problem] = []
    by_content: dict = {}
    by_id: dict[str, Entry] = {}
    for entry in glossary.entries:
        content = (tuple(sorted(entry.terms.items())), entry.dnt)
        twin = by_content.get(content)
        if twin is not None:
            found.append(Problem(entry.origin or entry.id,
                                 f"duplicate of {twin.origin or 'id ' + twin.id} "
                                 f"(id {entry.id})", "warning"))
        else:
            by_content[content] = entry
        other = by_id.get(entry.id)
        if other is not None and (tuple(sorted(other.terms.items())), other.dnt) != content:
            found.append(Problem(entry.origin or entry.id,
                                 f"duplicate id {entry.id!r} (also {other.origin or 'earlier'}) "
                                 "with other terms"))
        by_id.setdefault(entry.id, entry)
    langs = sorted(glossary.languages())
    for source in langs:
        found.extend(_conflicts(glossary.entries, source, [t for t in langs if t != source]))
    return found


def check(glossary: Glossary) -> list[str]:
    """Every problem as one ``file:line: ...`` line (warnings say ``warning:``)."""
    return [str(p) for p in problems(glossary)]


def errors(glossary: Glossary) -> list[Problem]:
    return [p for p in problems(glossary) if p.severity == "error"]


__all__ = ["EXTENSIONS", "FORMATS", "Problem", "check", "dumps", "errors", "format_for",
           "glossary_files", "load_directory", "parse_cell", "problems", "read_bytes",
           "read_glossary", "save", "term_problem", "validate_entry", "write_csv", "write_json",
           "write_tbx", "write_tsv"]
