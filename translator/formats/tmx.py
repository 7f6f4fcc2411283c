"""TMX 1.4b: translation memory exchange, read by every CAT tool.

One writer for anything that pairs source and target segments (a translation
result, an alignment, reviewed segments): callers turn their data into
:class:`Unit` objects.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Iterable

from .. import __version__

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@dataclass
class Unit:
    """One translation unit: a source segment, its target, and optional properties."""

    source: str
    target: str
    note: str | None = None
    props: dict[str, str] = field(default_factory=dict)


def tmx_document(units: Iterable[Unit], source_lang: str, target_lang: str,
                 created: datetime | None = None) -> str:
    """A TMX 1.4b document (UTF-8 XML text) holding ``units``."""
    stamp = (created or datetime.now(timezone.utc)).strftime("%Y%m%dT%H%M%SZ")
    root = ET.Element("tmx", version="1.4")
    ET.SubElement(root, "header", {
        "creationtool": "newsroom-translator", "creationtoolversion": __version__,
        "segtype": "sentence", "o-tmf": "newsroom-translator", "adminlang": "en",
        "srclang": source_lang, "datatype": "plaintext", "creationdate": stamp})
    body = ET.SubElement(root, "body")
    for unit in units:
        tu = ET.SubElement(body, "tu")
        if unit.note:
            ET.SubElement(tu, "note").text = unit.note
        for name, value in unit.props.items():
            ET.SubElement(tu, "prop", type=name).text = str(value)
        for lang, text in ((source_lang, unit.source), (target_lang, unit.target)):
            tuv = ET.SubElement(tu, "tuv", {XML_LANG: lang})
            ET.SubElement(tuv, "seg").text = _xml_safe(text)
    ET.indent(root)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<!DOCTYPE tmx SYSTEM "tmx14.dtd">\n' + ET.tostring(root, encoding="unicode") + "\n")


def result_to_tmx(result) -> str:
    """A :class:`~translator.result.TranslationResult` as TMX, one unit per segment."""
    units = [Unit(seg.source, seg.target,
                  props={"x-segment": str(seg.index), "x-paragraph": str(seg.paragraph),
                         "x-origin": seg.origin})
             for seg in result.segments]
    return tmx_document(units, result.source_lang, result.target_lang)


def _xml_safe(text: str) -> str:
    # XML 1.0 cannot carry most C0 control characters, even escaped.
    return "".join(ch for ch in text if ch in "\t\n\r" or ord(ch) >= 0x20)
