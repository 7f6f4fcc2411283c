"""XLIFF 2.1: the bilingual exchange format of CAT tools, with glossary terms marked.

Layout: one ``<file>`` per document, one ``<unit>`` per paragraph, one ``<segment>``
per aligned sentence (``<ignorable>`` keeps the spaces between sentences). A
segment's state says where its target came from: ``translated`` (engine, memory,
passthrough, a draft edit; the origin is in ``subState``) or ``reviewed``.

Glossary terms applied to a segment (``seg.terms`` entries with ``source``,
``target``, ``source_span`` and ``target_span`` relative to the segment) are marked
``<mrk type="term">`` on both sides and listed in the unit with the XLIFF glossary
module (``gls:glossEntry`` pointing at the source mark). Characters XML cannot
carry become ``<cp hex="..."/>`` in source and target, as the core specification
prescribes (U+FFFD in notes and glossary entries, which take no markup).

Quality goes in the unit's notes, one per fact, each saying its segment, as warnings
do: ``category="untranslated"`` for each word an engine left untranslated and
``category="confidence"`` for each rated segment, both ``appliesTo="target"``. The
text is for translators; the same facts are attributes of this tool's namespace
(``nt:segment``, ``nt:word``, ``nt:start``/``nt:end`` offsets in the segment's target,
``nt:kind``, ``nt:language``, ``nt:step``, ``nt:confidence``) for programs, as XLIFF
allows on notes. The file's notes carry the document's confidence the same way.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from itertools import groupby
from typing import Iterable, Sequence

from .. import quality
from ..errors import InputError
from . import xmlchars
from .registry import MixedLanguagePairs
from .marks import KINDS, confidence_text, is_pivot, leftovers, marked_count

XLIFF_NS = "urn:oasis:names:tc:xliff:document:2.0"  # XLIFF 2.1 keeps the 2.0 core namespace
GLS_NS = "urn:oasis:names:tc:xliff:glossary:2.0"
NT_NS = "urn:newsroom-translator:xliff:quality"  # extension attributes on notes
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
SUBSTATE_PREFIX = "newsroom"

# origin of a segment's target -> XLIFF state
STATES = {"reviewed": "reviewed"}
DEFAULT_STATE = "translated"

_NOT_XML = xmlchars.NOT_XML

__all__ = ["XLIFF_NS", "GLS_NS", "NT_NS", "result_to_xliff", "results_to_xliff"]


# Names are written with their prefixes and the namespaces declared on the root:
# ElementTree cannot serialise a default namespace with unprefixed attributes.
def _x(tag: str) -> str:
    return tag


def _g(tag: str) -> str:
    return f"gls:{tag}"


def _append_text(parent: ET.Element, last: ET.Element | None, text: str) -> ET.Element | None:
    """Append ``text`` after ``last`` (or as ``parent``'s text); returns the new last child."""
    for i, piece in enumerate(_NOT_XML.split(text)):
        if not piece:
            continue
        if i % 2:  # a character XML cannot carry
            last = ET.SubElement(parent, _x("cp"), hex=f"{ord(piece):04X}")
        elif last is None:
            parent.text = (parent.text or "") + piece
        else:
            last.tail = (last.tail or "") + piece
    return last


def _plain(text: str) -> str:
    """Text for elements that take no inline markup (notes, glossary terms)."""
    return _NOT_XML.sub("\ufffd", text)


def _valid_span(span, length: int) -> tuple[int, int] | None:
    if (isinstance(span, (list, tuple)) and len(span) == 2
            and all(isinstance(v, int) and not isinstance(v, bool) for v in span)
            and 0 <= span[0] < span[1] <= length):
        return span[0], span[1]
    return None


def term_marks(seg, side: str) -> list[tuple[int, int, int]]:
    """(start, end, term number) of the segment's terms on ``side``, sorted, non-overlapping."""
    text = seg.source if side == "source" else seg.target
    marks = []
    for number, term in enumerate(seg.terms):
        span = _valid_span(term.get(f"{side}_span") if isinstance(term, dict) else None, len(text))
        if span:
            marks.append((*span, number))
    kept, end = [], 0
    for mark in sorted(marks):
        if mark[0] >= end:
            kept.append(mark)
            end = mark[1]
    return kept


def _mark_id(seg, number: int) -> str:
    return f"t{seg.index}_{number}"


def _inline(parent: ET.Element, seg, side: str) -> None:
    text = seg.source if side == "source" else seg.target
    last, position = None, 0
    for start, end, number in term_marks(seg, side):
        last = _append_text(parent, last, text[position:start])
        mrk = ET.SubElement(parent, _x("mrk"), id=_mark_id(seg, number), type="term")
        _append_text(mrk, None, text[start:end])
        last, position = mrk, end
    _append_text(parent, last, text[position:])


def _glossary(unit: ET.Element, segments: Sequence) -> None:
    entries = []
    for seg in segments:
        marked = {number for _, _, number in term_marks(seg, "source")}
        for number, term in enumerate(seg.terms):
            if number in marked:
                entries.append((seg, number, term))
    if not entries:
        return
    glossary = ET.SubElement(unit, _g("glossary"))
    for seg, number, term in entries:
        entry = ET.SubElement(glossary, _g("glossEntry"), ref=f"#{_mark_id(seg, number)}")
        attrs = {"source": str(term["glossary"])} if term.get("glossary") else {}
        ET.SubElement(entry, _g("term"), attrs).text = _plain(str(term.get("source", "")))
        if term.get("target") is not None:
            ET.SubElement(entry, _g("translation")).text = _plain(str(term["target"]))


# A note: its attributes (category, appliesTo, nt:...) and its text.
Note = tuple[dict[str, str], str]


def _notes(parent: ET.Element, notes: list[Note]) -> None:
    if not notes:
        return
    element = ET.SubElement(parent, _x("notes"))
    for attrs, text in notes:
        ET.SubElement(element, _x("note"), {name: _plain(value) for name, value in attrs.items()}
                      ).text = _plain(text)


def _warning(text: str, applies_to: str | None = None) -> Note:
    return ({"category": "warning", **({"appliesTo": applies_to} if applies_to else {})}, text)


def _segment_notes(seg) -> list[Note]:
    """A segment's warnings, the words left untranslated in it, and its confidence."""
    label = f"segment {seg.index + 1}"
    notes = [_warning(f"{label}: {w}", "target") for w in seg.warnings]
    for start, end, entry in leftovers(seg.target, seg.untranslated):
        kind = str(entry.get("kind") or "unknown")
        language = str(entry.get("language") or "")
        origin = f"{language}, left by a pivot step" if is_pivot(entry) else language
        notes.append(({"category": "untranslated", "appliesTo": "target",
                       "nt:segment": f"s{seg.index}", "nt:word": entry["word"],
                       "nt:start": str(start), "nt:end": str(end), "nt:kind": kind,
                       "nt:language": language, "nt:step": str(entry.get("step", 0))},
                      f"{label}: '{entry['word']}' left untranslated "
                      f"({KINDS.get(kind, kind)}; {origin})"))
    if seg.confidence is not None:
        notes.append(({"category": "confidence", "appliesTo": "target",
                       "nt:segment": f"s{seg.index}", "nt:confidence": str(seg.confidence)},
                      f"{label}: confidence {confidence_text(seg.confidence)}"))
    return notes


def _document_notes(result) -> list[Note]:
    notes = [_warning(w) for w in result.warnings]
    summary = quality.summary(result.segments)
    words = marked_count(result.segments)  # the words noted in the units, as the notes say
    if summary["confidence"] is not None:
        notes.append(({"category": "confidence", "nt:confidence": str(summary["confidence"]),
                       "nt:minConfidence": str(summary["min_confidence"]),
                       "nt:untranslated": str(words)},
                      f"document: confidence {confidence_text(summary['confidence'])}, lowest "
                      f"{confidence_text(summary['min_confidence'])}; "
                      f"{words} words left untranslated"))
    return notes


def _unit(file: ET.Element, result, paragraph: int, segments: list) -> None:
    unit = ET.SubElement(file, _x("unit"), id=f"u{paragraph}")
    _glossary(unit, segments)
    _notes(unit, [note for seg in segments for note in _segment_notes(seg)])
    previous_end = None
    for seg in segments:
        if previous_end is not None and seg.source_span[0] > previous_end:
            ignorable = ET.SubElement(unit, _x("ignorable"), id=f"i{seg.index}")
            space = result.source_text[previous_end:seg.source_span[0]]
            _append_text(ET.SubElement(ignorable, _x("source")), None, space)
            _append_text(ET.SubElement(ignorable, _x("target")), None, space)
        state = STATES.get(seg.origin, DEFAULT_STATE)
        element = ET.SubElement(unit, _x("segment"), id=f"s{seg.index}", state=state,
                                subState=f"{SUBSTATE_PREFIX}:{seg.origin}")
        _inline(ET.SubElement(element, _x("source")), seg, "source")
        _inline(ET.SubElement(element, _x("target")), seg, "target")
        previous_end = seg.source_span[1]


# Elements holding only other elements; inline content (source, target, note, term)
# is never indented: its whitespace is text.
_STRUCTURE = {"xliff", "file", "unit", "segment", "ignorable", "notes", "gls:glossary",
              "gls:glossEntry"}


def _indent(element: ET.Element, level: int = 0) -> None:
    if element.tag not in _STRUCTURE or not len(element):
        return
    inner = "\n" + "  " * (level + 1)
    element.text = inner
    for child in element:
        _indent(child, level + 1)
        child.tail = inner
    element[-1].tail = "\n" + "  " * level


def results_to_xliff(results: Iterable) -> str:
    """An XLIFF 2.1 document holding translation results, one ``<file>`` each.

    Every result must share the source and target languages (XLIFF has one pair).
    """
    results = list(results)
    if not results:
        raise InputError("nothing to write: no document")
    pairs = sorted({(r.source_lang, r.target_lang) for r in results})
    if len(pairs) > 1:
        raise MixedLanguagePairs("XLIFF holds one language pair; these documents are in "
                                 + ", ".join(f"{s}-{t}" for s, t in pairs)
                                 + ": export them separately", field="format")
    source_lang, target_lang = pairs[0]
    root = ET.Element(_x("xliff"), {"xmlns": XLIFF_NS, "xmlns:gls": GLS_NS, "xmlns:nt": NT_NS,
                                     "version": "2.1", "srcLang": source_lang,
                                     "trgLang": target_lang})
    for number, result in enumerate(results, 1):
        file = ET.SubElement(root, _x("file"), {"id": f"f{number}", XML_SPACE: "preserve"})
        _notes(file, _document_notes(result))
        for paragraph, segments in groupby(result.segments, key=lambda s: s.paragraph):
            _unit(file, result, paragraph, list(segments))
    _indent(root)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            + ET.tostring(root, encoding="unicode") + "\n")


def result_to_xliff(result) -> str:
    """One :class:`~translator.result.TranslationResult` as an XLIFF 2.1 document."""
    return results_to_xliff([result])
