"""Translation memories in and out as TMX 1.4b (what every CAT tool exchanges).

Import reads a whole file before writing anything and stores it in one transaction: a
file that is not TMX, or not well-formed, stores nothing and says where it broke.
Translation units with fewer than two languages, or an empty side, are skipped and
counted. Each entry records where it came from (``created_by``: ``tmx:FILE``, or the
unit's ``creationid``).
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from .. import languages
from ..errors import InputError
from ..formats import xmlchars
from .db import NEWSROOM, OPERATOR, Access, now
from .memory import TranslationMemory

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
#: the most translation units one import may hold (a newsroom's archive is split)
MAX_UNITS = 2_000_000


class BadTmx(InputError):
    """A file that is not a readable TMX document."""

    code = "bad_tmx"


@dataclass
class ImportReport:
    stored: int
    skipped: int
    pairs: dict[str, int]

    def to_dict(self) -> dict:
        return {"stored": self.stored, "skipped": self.skipped, "pairs": self.pairs}


def read_tmx(data: bytes, name: str = "the file") -> tuple[list[tuple[str, str, str, str, str | None]], int]:
    """The (source language, target language, source, target, creationid) pairs of a TMX
    document and how many units were skipped. Raises :class:`BadTmx` naming the line."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                             load_dtd=False, remove_comments=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise BadTmx(f"{name} is not well-formed XML (line {exc.lineno}: {exc.msg})",
                     line=exc.lineno) from None
    if root.tag != "tmx" or root.find("body") is None:
        raise BadTmx(f"{name} is not TMX (its root is <{root.tag}>, not <tmx> with a <body>)")
    header = root.find("header")
    srclang = header.get("srclang", "") if header is not None else ""
    default_source = languages.maybe_canonical(srclang) if srclang.lower() != "*all*" else None
    pairs, skipped, units = [], 0, 0
    for tu in root.find("body").iter("tu"):
        units += 1
        if units > MAX_UNITS:
            raise BadTmx(f"{name} has more than {MAX_UNITS:,} translation units: split it")
        sides = {}
        for tuv in tu.findall("tuv"):
            lang = languages.maybe_canonical(tuv.get(XML_LANG) or tuv.get("lang") or "")
            seg = tuv.find("seg")
            text = "".join(seg.itertext()).strip() if seg is not None else ""
            if lang and text and lang not in sides:
                sides[lang] = text
        source = languages.maybe_canonical(tu.get("srclang", "")) or default_source
        if source not in sides:
            source = next(iter(sides), None)
        targets = [lang for lang in sides if lang != source]
        if source is None or not targets:
            skipped += 1
            continue
        for target in targets:
            pairs.append((source, target, sides[source], sides[target], tu.get("creationid")))
    return pairs, skipped


def import_tmx(memory: TranslationMemory, data: bytes, desk: str, name: str = "the file",
               by: str | None = None) -> ImportReport:
    """Store every pair of a TMX file in ``desk``'s memory, all or nothing."""
    pairs, skipped = read_tmx(data, name)
    counts: dict[str, int] = {}
    with memory.db.transaction() as conn:
        for source, target, text, translation, creator in pairs:
            memory.put(conn, source, target, text, translation, None, desk,
                       by=creator or by or f"tmx:{name}")
            counts[f"{source}-{target}"] = counts.get(f"{source}-{target}", 0) + 1
    return ImportReport(len(pairs), skipped, counts)


def export_tmx(memory: TranslationMemory, desk: str, source: str | None = None,
               target: str | None = None, reader: Access = OPERATOR) -> bytes:
    """``desk``'s memory (not the newsroom's, unless ``desk`` is it) as a TMX 1.4b file.
    A newsroom entry's writer (``creationid``) is kept only for readers who see the
    document it was approved from (admins: all), as ``/v1/memory`` does."""
    where, params = ["m.desk = ?"], [desk]
    if source:
        where.append("m.source_lang = ?")
        params.append(source)
    if target:
        where.append("m.target_lang = ?")
        params.append(target)
    rows = memory.db.query(
        "SELECT m.desk, m.source_lang, m.target_lang, m.source, m.target, m.created_by, "
        "m.updated_at, d.desk AS document_desk FROM memory m LEFT JOIN documents d "
        f"ON d.id = m.document_id WHERE {' AND '.join(where)} ORDER BY m.id", params)
    root = etree.Element("tmx", version="1.4")
    etree.SubElement(root, "header", creationtool="newsroom-translator", creationtoolversion="1",
                     segtype="sentence", adminlang="en", datatype="plaintext",
                     srclang=source or "*all*", **{"o-tmf": "newsroom-translator"},
                     creationdate=_tmx_date(now()))
    body = etree.SubElement(root, "body")
    for row in rows:
        hidden = row["desk"] == NEWSROOM and not (
            reader.admin or (row["document_desk"] and reader.sees(row["document_desk"])))
        _unit(body, row, None if hidden else row["created_by"])
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _unit(body: etree._Element, row, writer: str | None) -> None:
    """One entry as a ``<tu>``. What XML 1.0 cannot carry (a review or a suggestion may hold
    U+FFFE or a control character) is left out, and a note on the unit says which, as the
    TMX writer of results does (:mod:`translator.formats.tmx`)."""
    tu = etree.SubElement(body, "tu", srclang=row["source_lang"],
                          changedate=_tmx_date(row["updated_at"]))
    lost = [ch for text in (writer or "", row["source"], row["target"])
            for ch in xmlchars.dropped(text)]
    if lost:
        etree.SubElement(tu, "note").text = xmlchars.warning(lost)
    if writer and xmlchars.xml_text(writer):
        tu.set("creationid", xmlchars.xml_text(writer))
    for lang, text in ((row["source_lang"], row["source"]), (row["target_lang"], row["target"])):
        tuv = etree.SubElement(tu, "tuv", {XML_LANG: lang})
        etree.SubElement(tuv, "seg").text = xmlchars.xml_text(text)


def _tmx_date(stamp: str) -> str:
    """ISO 8601 as TMX writes it: 20261202T013500Z."""
    return stamp.replace("-", "").replace(":", "")


__all__ = ["BadTmx", "ImportReport", "read_tmx", "import_tmx", "export_tmx", "NEWSROOM"]
