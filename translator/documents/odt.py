"""OpenDocument text (.odt): lxml over the package's ``content.xml``.

Every ``text:p`` and ``text:h`` (in lists and tables too) is translated in place: its style
(heading level, list, table cell) stays, its spans (``text:span``, with their character
style) are rebuilt around the words they translate, and links (``text:a``) stay links.
Paragraphs holding frames, notes, fields or other objects are left untranslated with a
warning. The other parts of the package are copied as they are, ``mimetype`` first.
"""

from __future__ import annotations

import io
import zipfile

from . import BadDocument, Translate
from .runs import Piece, translate_paragraphs

_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_MIMETYPE = b"application/vnd.oasis.opendocument.text"


def _q(name: str) -> str:
    return f"{{{_TEXT}}}{name}"


_SPACE_LIKE = {_q("s"): " ", _q("tab"): "\t", _q("line-break"): "\n"}
_IGNORED = {_q("soft-page-break"), _q("bookmark"), _q("bookmark-start"), _q("bookmark-end")}


def _parser():
    from lxml import etree

    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def _read_package(data: bytes) -> tuple[zipfile.ZipFile, object]:
    from lxml import etree

    try:
        package = zipfile.ZipFile(io.BytesIO(data))
        if package.read("mimetype").strip() != _MIMETYPE:
            raise BadDocument("the file is not an OpenDocument text (.odt): its mimetype is "
                              "not application/vnd.oasis.opendocument.text", field="file")
        content = etree.fromstring(package.read("content.xml"), _parser())
    except BadDocument:
        raise
    except (zipfile.BadZipFile, KeyError, etree.XMLSyntaxError, ValueError) as exc:
        raise BadDocument(f"the file is not a readable .odt document: {exc}", field="file") from None
    return package, content


def _space(element) -> str:
    if element.tag == _q("s"):
        return " " * int(element.get(_q("c"), "1") or 1)
    return _SPACE_LIKE[element.tag]


def _walk(element, fmt, link, styles: list, links: list, pieces: list) -> bool:
    """Append the pieces of ``element``'s content; False when it holds an object."""
    if element.text:
        pieces.append(Piece(element.text, fmt, link))
    for child in element:
        if child.tag in _SPACE_LIKE:
            pieces.append(Piece(_space(child), fmt, link))
        elif child.tag == _q("span"):
            style = child.get(_q("style-name"))
            if style not in styles:
                styles.append(style)
            if not _walk(child, styles.index(style), link, styles, links, pieces):
                return False
        elif child.tag == _q("a"):
            links.append(child)
            if not _walk(child, fmt, len(links) - 1, styles, links, pieces):
                return False
        elif child.tag not in _IGNORED:
            return False
        if child.tail:
            pieces.append(Piece(child.tail, fmt, link))
    return True


def _element(parent, tag: str, attrib: dict | None = None):
    from lxml import etree

    return etree.SubElement(parent, tag, attrib or {})


def _add_text(parent, text: str) -> None:
    """``text`` at the end of ``parent``, line breaks and tabs as their elements."""
    for i, line in enumerate(text.split("\n")):
        if i:
            _element(parent, _q("line-break"))
        for j, part in enumerate(line.split("\t")):
            if j:
                _element(parent, _q("tab"))
            if not part:
                continue
            if len(parent):
                parent[-1].tail = (parent[-1].tail or "") + part
            else:
                parent.text = (parent.text or "") + part


def _write(paragraph, pieces: list[Piece], styles: list, links: list) -> None:
    for child in list(paragraph):
        if child.tag not in _IGNORED:
            paragraph.remove(child)
        else:
            child.tail = None
    paragraph.text = None
    link_element, link_index = None, None
    for piece in pieces:
        parent = paragraph
        if piece.link is not None:
            if link_element is None or link_index != piece.link:
                link_element = _element(paragraph, _q("a"), dict(links[piece.link].attrib))
                link_index = piece.link
            parent = link_element
        else:
            link_element = None
        if piece.fmt is not None and styles[piece.fmt] is not None:
            parent = _element(parent, _q("span"), {_q("style-name"): styles[piece.fmt]})
        _add_text(parent, piece.text)


def translate_odt(data: bytes, translate: Translate) -> tuple[bytes, list[str]]:
    from lxml import etree

    package, content = _read_package(data)
    styles: list = [None]  # index 0: the paragraph's own style, no span
    links: list = []
    found, warnings = [], []
    body = content.find(f"{{{_OFFICE}}}body")
    paragraphs = [] if body is None else [e for e in body.iter(_q("p"), _q("h"))]
    for number, paragraph in enumerate(paragraphs):
        pieces: list[Piece] = []
        if not _walk(paragraph, 0, None, styles, links, pieces):
            warnings.append(f"paragraph {number + 1} holds an object (frame, note, field): "
                            "left untranslated")
        elif any(p.text.strip() for p in pieces):
            found.append((paragraph, pieces))
    translated, notes = translate_paragraphs([pieces for _, pieces in found], translate)
    for (paragraph, _), pieces in zip(found, translated):
        _write(paragraph, pieces, styles, links)
    return _write_package(package, etree.tostring(content, xml_declaration=True,
                                                  encoding="UTF-8")), warnings + notes


def _write_package(package: zipfile.ZipFile, content: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        target.writestr(zipfile.ZipInfo("mimetype"), _MIMETYPE, compress_type=zipfile.ZIP_STORED)
        for info in package.infolist():
            if info.filename == "mimetype":
                continue
            data = content if info.filename == "content.xml" else package.read(info.filename)
            target.writestr(info, data)
    return out.getvalue()

