"""Word documents (.docx, read and written with python-docx and its lxml tree).

Every paragraph of the body, tables included, is translated in place: its paragraph
properties (heading and list styles, numbering) stay, its runs are rebuilt from the
translation with the formatting (``w:rPr``) of the words they translate, and links stay
links (``w:hyperlink``, same target). Paragraphs holding fields, drawings or other
objects are left untranslated with a warning rather than lose them.
"""

from __future__ import annotations

import copy
import io

from . import Translate, open_package
from .runs import Piece, translate_paragraphs

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


def _q(name: str) -> str:
    return f"{{{_W}}}{name}"


# run children that are text; anything else in a run (a drawing, a field) is an object
_TEXT_PARTS = {_q("t"): None, _q("tab"): "\t", _q("br"): "\n", _q("cr"): "\n",
               _q("noBreakHyphen"): "\u2011", _q("softHyphen"): "\u00ad"}
_KEPT = {_q("pPr"), _q("proofErr"), _q("bookmarkStart"), _q("bookmarkEnd"), _q("lastRenderedPageBreak")}


def _open(data: bytes):
    from docx import Document
    from docx.opc.exceptions import PackageNotFoundError

    return open_package(Document, data, ".docx document", (PackageNotFoundError,))


def _run_text(run) -> str | None:
    """The run's text, or None when it holds something that is not text."""
    out = []
    for child in run:
        if child.tag == _q("rPr"):
            continue
        if child.tag not in _TEXT_PARTS:
            return None
        out.append(child.text or "" if child.tag == _q("t") else _TEXT_PARTS[child.tag])
    return "".join(out)


def _read(paragraph, formats: list, links: list):
    """The paragraph's pieces, or None when it holds objects (left as it is)."""
    pieces = []
    for child in paragraph:
        if child.tag in _KEPT:
            continue
        runs, link = [child], None
        if child.tag == _q("hyperlink"):
            runs, link = list(child), len(links)
            links.append(child)
        for run in runs:
            if run.tag in _KEPT:
                continue
            text = _run_text(run) if run.tag == _q("r") else None
            if text is None:
                return None
            rpr = run.find(_q("rPr"))
            key = _format_key(rpr)
            fmt = next((i for i, (k, _) in enumerate(formats) if k == key), None)
            if fmt is None:
                fmt = len(formats)
                formats.append((key, rpr))
            pieces.append(Piece(text, fmt, link))
    return pieces


def _format_key(rpr) -> bytes:
    from lxml import etree

    return b"" if rpr is None else etree.tostring(rpr, method="c14n")


def _new_run(piece: Piece, formats: list):
    from lxml import etree

    run = etree.Element(_q("r"))
    rpr = formats[piece.fmt][1] if piece.fmt is not None else None
    if rpr is not None:
        run.append(copy.deepcopy(rpr))
    for i, line in enumerate(piece.text.split("\n")):
        if i:
            etree.SubElement(run, _q("br"))
        t = etree.SubElement(run, _q("t"))
        t.text = line
        t.set(_XML_SPACE, "preserve")
    return run


def _write(paragraph, pieces: list[Piece], formats: list, links: list) -> None:
    from lxml import etree

    for child in list(paragraph):
        if child.tag not in _KEPT or child.tag == _q("proofErr"):
            paragraph.remove(child)
    open_link, open_index = None, None
    for piece in pieces:
        if piece.link is None:
            paragraph.append(_new_run(piece, formats))
            open_link = None
            continue
        if open_link is None or open_index != piece.link:
            source = links[piece.link]
            open_link = etree.SubElement(paragraph, _q("hyperlink"), dict(source.attrib))
            open_index = piece.link
        open_link.append(_new_run(piece, formats))


def translate_docx(data: bytes, translate: Translate) -> tuple[bytes, list[str]]:
    document = _open(data)
    formats: list = []
    links: list = []
    found, warnings = [], []
    for number, paragraph in enumerate(document.element.body.iter(_q("p"))):
        pieces = _read(paragraph, formats, links)
        if pieces is None:
            warnings.append(f"paragraph {number + 1} holds an object (field, drawing): "
                            "left untranslated")
        elif any(p.text.strip() for p in pieces):
            found.append((paragraph, pieces))
    translated, notes = translate_paragraphs([pieces for _, pieces in found], translate)
    for (paragraph, _), pieces in zip(found, translated):
        _write(paragraph, pieces, formats, links)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue(), warnings + notes
