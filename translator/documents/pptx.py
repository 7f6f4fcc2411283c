"""PowerPoint presentations (.pptx, read and written with python-pptx and its lxml tree).

Every paragraph (``a:p``) of every slide's shapes, grouped shapes and tables included, is
translated in place: its paragraph properties (level, bullets, alignment) stay, its runs
are rebuilt with the properties (``a:rPr``: bold, italic, size, a link's ``a:hlinkClick``)
of the words they translate. Paragraphs holding a field (a slide number, a date) are left
untranslated with a warning. Speaker notes are translated too.
"""

from __future__ import annotations

import copy
import io

from . import Translate, open_package
from .runs import Piece, translate_paragraphs

_A = "http://schemas.openxmlformats.org/drawingml/2006/main"


def _q(name: str) -> str:
    return f"{{{_A}}}{name}"


def _open(data: bytes):
    from pptx import Presentation
    from pptx.exc import PackageNotFoundError

    return open_package(Presentation, data, ".pptx presentation", (PackageNotFoundError,))


def _trees(presentation):
    """The shape trees of every slide and of its notes."""
    for slide in presentation.slides:
        yield slide.shapes._spTree
        if slide.has_notes_slide:
            yield slide.notes_slide.shapes._spTree


def _format_key(rpr) -> bytes:
    from lxml import etree

    return b"" if rpr is None else etree.tostring(rpr, method="c14n")


def _read(paragraph, formats: list) -> list[Piece] | None:
    pieces = []
    for child in paragraph:
        if child.tag in (_q("pPr"), _q("endParaRPr")):
            continue
        if child.tag not in (_q("r"), _q("br")):
            return None  # a field (a:fld) or another object
        rpr = child.find(_q("rPr"))
        key = _format_key(rpr)
        fmt = next((i for i, (k, _) in enumerate(formats) if k == key), None)
        if fmt is None:
            fmt = len(formats)
            formats.append((key, rpr))
        text = "\n" if child.tag == _q("br") else "".join(t.text or "" for t in child.iter(_q("t")))
        pieces.append(Piece(text, fmt))
    return pieces


def _new_elements(piece: Piece, formats: list) -> list:
    from lxml import etree

    rpr = formats[piece.fmt][1] if piece.fmt is not None else None
    out = []
    for i, line in enumerate(piece.text.split("\n")):
        if i:
            br = etree.Element(_q("br"))
            if rpr is not None:
                br.append(copy.deepcopy(rpr))
            out.append(br)
        if line:
            run = etree.Element(_q("r"))
            if rpr is not None:
                run.append(copy.deepcopy(rpr))
            etree.SubElement(run, _q("t")).text = line
            out.append(run)
    return out


def _write(paragraph, pieces: list[Piece], formats: list) -> None:
    for child in list(paragraph):
        if child.tag in (_q("r"), _q("br")):
            paragraph.remove(child)
    end = paragraph.find(_q("endParaRPr"))
    for piece in pieces:
        for element in _new_elements(piece, formats):
            if end is not None:
                end.addprevious(element)
            else:
                paragraph.append(element)


def translate_pptx(data: bytes, translate: Translate) -> tuple[bytes, list[str]]:
    presentation = _open(data)
    formats: list = []
    found, warnings = [], []
    for tree in _trees(presentation):
        for paragraph in tree.iter(_q("p")):
            pieces = _read(paragraph, formats)
            if pieces is None:
                warnings.append(f"a paragraph holding a field ({''.join(paragraph.itertext())[:40]!r}) "
                                "was left untranslated")
            elif any(p.text.strip() for p in pieces):
                found.append((paragraph, pieces))
    translated, notes = translate_paragraphs([pieces for _, pieces in found], translate)
    for (paragraph, _), pieces in zip(found, translated):
        _write(paragraph, pieces, formats)
    out = io.BytesIO()
    presentation.save(out)
    return out.getvalue(), warnings + notes
