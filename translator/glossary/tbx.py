"""TBX term bases, read: TBX-Basic / TBX v2 ``martif`` (``termEntry/langSet/tig|ntig/term``)
and TBX v3 ``tbx`` (``conceptEntry/langSec/termSec/term``).

Read with :mod:`defusedxml`: entity declarations and external references are refused,
and a document type declaration only when it is a bare DTD file name
(``TBXBasiccoreStructV02.dtd``), which is never opened. The file is parsed as a stream,
entry by entry, so a large term base never sits in memory as a tree. A term marked
``preferredTerm`` comes first; the others are variants. (Written TBX is TBX-Basic v2:
:func:`translator.glossary.writers.write_tbx`.)
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from .. import languages
from ..errors import GlossaryError
from .model import TYPES, Entry
from .rules import (BAD_ID, CONTROL_CHARS, MAX_PROBLEMS, normal_term, raise_problems,
                    same_everywhere, slug, term_problem)
from .tables import TRUE_WORDS


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



def parse_tbx(data: bytes, filename: str) -> list[Entry]:
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
            entry_id = slug(base) or "entry"
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
        raise_problems(problems, f"; see translator glossary check {filename}")
    return entries



def _text(element) -> str:
    return " ".join("".join(element.itertext()).split())



def _tbx_entry(element, where: str, lines: dict, filename: str):
    entry_id = (element.get("id") or "").strip()
    if entry_id and (BAD_ID.search(entry_id) or len(entry_id) > 200):
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
            dnt = _text(child).lower() in TRUE_WORDS
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
    if CONTROL_CHARS.search(note):
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
        term = normal_term(_text(term_el))
        problem = term_problem(term)
        if problem:
            return (), f"{where}: {problem}"
        (preferred if status.startswith("preferred") else others).append(term)
    if not preferred and not others:  # <langSet><term>...</term></langSet>, loosely written
        for term_el in (c for c in lang_set if _local(c.tag) == "term"):
            term = normal_term(_text(term_el))
            problem = term_problem(term)
            if problem:
                return (), f"{where}: {problem}"
            others.append(term)
    return tuple(dict.fromkeys(preferred + others)), None
