"""TMX 1.4b: translation memory exchange, read by every CAT tool.

One writer for anything that pairs source and target segments (a translation
result, an alignment, reviewed segments): callers turn their data into
:class:`Unit` objects.
"""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Iterable, TextIO

from .. import __version__
from . import xmlchars
from .registry import MixedLanguagePairs
from .marks import leftovers

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@dataclass
class Unit:
    """One translation unit: a source segment, its target, and optional properties."""

    source: str
    target: str
    note: str | None = None
    props: dict[str, str] = field(default_factory=dict)
    source_lang: str | None = None  # when units of one document differ (a batch of articles)
    target_lang: str | None = None
    #: props whose type repeats (one ``x-untranslated`` per word), written after ``props``
    more_props: list[tuple[str, str]] = field(default_factory=list)


def tmx_document(units: Iterable[Unit], source_lang: str, target_lang: str,
                 created: datetime | None = None) -> str:
    """A TMX 1.4b document (UTF-8 XML text) holding ``units``."""
    stream = io.StringIO()
    write_tmx(stream, units, source_lang, target_lang, created)
    return stream.getvalue()


def write_tmx(stream: TextIO, units: Iterable[Unit], source_lang: str, target_lang: str,
              created: datetime | None = None) -> None:
    """Write a TMX 1.4b document unit by unit (an archive's units need not fit in memory).
    ``source_lang`` may be ``*all*`` when units carry their own languages."""
    stamp = (created or datetime.now(timezone.utc)).strftime("%Y%m%dT%H%M%SZ")
    header = ET.Element("header", {
        "creationtool": "newsroom-translator", "creationtoolversion": __version__,
        "segtype": "sentence", "o-tmf": "newsroom-translator", "adminlang": "en",
        "srclang": source_lang, "datatype": "plaintext", "creationdate": stamp})
    stream.write('<?xml version="1.0" encoding="UTF-8"?>\n'
                 '<!DOCTYPE tmx SYSTEM "tmx14.dtd">\n<tmx version="1.4">\n  '
                 + ET.tostring(header, encoding="unicode") + "\n  <body>\n")
    for unit in units:
        tu = _tu(unit, source_lang, target_lang)
        ET.indent(tu, space="  ", level=2)
        stream.write("    " + ET.tostring(tu, encoding="unicode") + "\n")
    stream.write("  </body>\n</tmx>\n")


def _tu(unit: Unit, source_lang: str, target_lang: str) -> ET.Element:
    """One ``<tu>``; characters XML cannot carry are left out, and a note says which."""
    tu = ET.Element("tu")
    lost: list[str] = []
    note = ET.SubElement(tu, "note") if unit.note else None
    if note is not None:
        note.text = _xml_safe(unit.note, lost)
    for name, value in [*unit.props.items(), *unit.more_props]:
        ET.SubElement(tu, "prop", type=_xml_safe(name, lost)).text = _xml_safe(str(value), lost)
    for lang, text in ((unit.source_lang or source_lang, unit.source),
                       (unit.target_lang or target_lang, unit.target)):
        tuv = ET.SubElement(tu, "tuv", {XML_LANG: _xml_safe(lang, lost)})
        ET.SubElement(tuv, "seg").text = _xml_safe(text, lost)
    if lost:
        warning = ET.Element("note")
        warning.text = xmlchars.warning(lost)
        tu.insert(1 if note is not None else 0, warning)
    return tu


def segment_unit(seg: dict, *, document: str | None = None, source_lang: str | None = None,
                 target_lang: str | None = None) -> Unit:
    """One segment of an aligned result (as in its JSON) as a unit: ``x-document`` (when
    given), ``x-segment``, ``x-paragraph``, ``x-origin``, ``x-confidence`` (when rated),
    then one ``x-untranslated`` per word left untranslated, holding its JSON entry (only
    where its span still holds it, as every writer marks them)."""
    props = {} if document is None else {"x-document": document}
    props.update({"x-segment": str(seg["index"]), "x-paragraph": str(seg["paragraph"]),
                  "x-origin": seg.get("origin", "engine")})
    if seg.get("confidence") is not None:
        props["x-confidence"] = str(seg["confidence"])
    words = [("x-untranslated", json.dumps(entry, ensure_ascii=False))
             for _, _, entry in leftovers(seg["target"], seg.get("untranslated"))]
    return Unit(seg["source"], seg["target"], props=props, more_props=words,
                source_lang=source_lang, target_lang=target_lang)


def result_to_tmx(result) -> str:
    """A :class:`~translator.result.TranslationResult` as TMX, one unit per segment."""
    units = [segment_unit(seg.to_dict()) for seg in result.segments]
    return tmx_document(units, result.source_lang, result.target_lang)


def results_to_tmx(results) -> str:
    """Several results in one TMX (one ``x-document`` per result): they must share one
    language pair."""
    if len(results) == 1:
        return result_to_tmx(results[0])
    pairs = {(r.source_lang, r.target_lang) for r in results}
    if len(pairs) > 1:
        raise MixedLanguagePairs("TMX of several texts needs one language pair; these are in "
                                 + ", ".join(sorted(f"{s}-{t}" for s, t in pairs)), field="format")
    units = [segment_unit(seg.to_dict(), document=str(n))
             for n, result in enumerate(results) for seg in result.segments]
    return tmx_document(units, results[0].source_lang, results[0].target_lang)


def _xml_safe(text: str, lost: list[str]) -> str:
    """``text`` without what XML 1.0 forbids; what was left out is added to ``lost``."""
    found = xmlchars.dropped(text)
    if not found:
        return text
    lost += found
    return xmlchars.xml_text(text)
