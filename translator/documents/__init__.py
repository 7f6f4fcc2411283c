"""Documents translated in their own format: plain text, HTML, Word (.docx), OpenDocument
(.odt), PowerPoint (.pptx).

Each format module reads a document into the texts to translate, hands them all at once
to a ``translate`` callable (texts in, their translations out, in order) and writes the
same document back with the translations in place: paragraphs, headings, lists, tables,
and inline bold/italic/links kept on the right words (see :mod:`translator.formats.markup`;
an inline mark that cannot be placed stays around its whole paragraph, with a warning).
The caller's callable is where the aligned results are kept, so they come alongside: it
is called with the document's texts first, then with the pieces that place inline marks
(a :class:`~translator.formats.markup.MarkProbes`: no part of the document, no result of
their own); :func:`attach_warnings` puts the document's warnings on those results.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Callable

from ..errors import InputError

__all__ = ["FORMATS", "TranslatedDocument", "UnsupportedDocument", "BadDocument",
           "available_formats", "attach_warnings", "document_format", "document_text",
           "translate_document"]

Translate = Callable[[list[str]], list[str]]

#: extension -> media type of the formats translated in their own format
FORMATS = {
    ".txt": "text/plain; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}


class UnsupportedDocument(InputError):
    code = "unsupported_document"


class BadDocument(InputError):
    code = "bad_document"


@dataclass
class TranslatedDocument:
    data: bytes
    media_type: str
    warnings: list[str] = field(default_factory=list)


#: formats that need a library of the ``docs`` extra
LIBRARIES = {".docx": ("docx", "python-docx"), ".odt": ("lxml", "lxml"),
             ".pptx": ("pptx", "python-pptx")}


def available_formats() -> list[str]:
    """The extensions translated here: every format whose library is installed."""
    from importlib.util import find_spec

    return [suffix for suffix in FORMATS
            if suffix not in LIBRARIES or find_spec(LIBRARIES[suffix][0]) is not None]


def document_format(filename: str) -> str:
    """The format (extension) of ``filename``; raises when it is not one translated here."""
    suffix = PurePath(filename or "").suffix.lower()
    if suffix not in FORMATS:
        raise UnsupportedDocument(
            f"Invalid request: file format not supported ({suffix or 'no extension'}); "
            f"supported: {', '.join(available_formats())}", field="file",
            supported=available_formats())
    if suffix not in available_formats():
        package = LIBRARIES[suffix][1]
        raise UnsupportedDocument(
            f"{suffix} documents need {package}, which is not installed on this server "
            "(pip install 'translator[docs]')", field="file", supported=available_formats())
    return suffix


#: most bytes the parts of a .docx or .odt may unpack to (a zip bomb is refused unread)
MAX_UNPACKED_BYTES = 256 * 1024 * 1024
ZIPPED = (".docx", ".odt", ".pptx")


def check_package(data: bytes, suffix: str) -> None:
    """A .docx or .odt must be a zip whose parts unpack to at most :data:`MAX_UNPACKED_BYTES`."""
    import io
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            unpacked = sum(info.file_size for info in package.infolist())
    except (zipfile.BadZipFile, ValueError) as exc:
        raise BadDocument(f"the file is not a readable {suffix} document: {exc}",
                          field="file") from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise BadDocument(f"the {suffix} document unpacks to {unpacked} bytes; the limit is "
                          f"{MAX_UNPACKED_BYTES}", field="file", limit=MAX_UNPACKED_BYTES)


#: the time written on every member of a package rewritten by :func:`steady_package`
PACKAGE_TIME = (1980, 1, 1, 0, 0, 0)


def steady_package(data: bytes) -> bytes:
    """A zip package (a .docx or .pptx python-docx or python-pptx saved, with the current
    time on each member) with :data:`PACKAGE_TIME` on every member instead: the same
    translation gives the same bytes (a batch job resumed later writes what it wrote)."""
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            steady = zipfile.ZipInfo(info.filename, PACKAGE_TIME)
            steady.compress_type, steady.external_attr = info.compress_type, info.external_attr
            target.writestr(steady, source.read(info))
    return out.getvalue()


def open_package(load: Callable, data: bytes, what: str, not_found: tuple = ()):
    """``load`` (python-docx's ``Document``, python-pptx's ``Presentation``) over ``data``;
    a file it cannot read is one :class:`BadDocument` naming ``what``."""
    import io
    import zipfile

    try:
        return load(io.BytesIO(data))
    except (*not_found, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise BadDocument(f"the file is not a readable {what}: {exc}", field="file") from None
    except Exception as exc:  # lxml's XMLSyntaxError and friends: a corrupt part
        raise BadDocument(f"the file is not a readable {what}: {type(exc).__name__}",
                          field="file") from None


def translate_document(filename: str, data: bytes, translate: Translate) -> TranslatedDocument:
    """``data`` (a document named ``filename``) translated in its own format."""
    suffix = document_format(filename)
    if suffix in ZIPPED:
        check_package(data, suffix)
    if suffix == ".txt":
        from .text import translate_text as run
    elif suffix in (".html", ".htm"):
        from .htmldoc import translate_html_document as run
    elif suffix == ".docx":
        from .docx import translate_docx as run
    elif suffix == ".pptx":
        from .pptx import translate_pptx as run
    else:
        from .odt import translate_odt as run
    out, warnings = run(data, translate)
    return TranslatedDocument(out, FORMATS[suffix], warnings)


def attach_warnings(results: list, warnings: list[str]) -> None:
    """The document's ``warnings`` onto its aligned ``results`` (the texts it sent, in
    order): a warning about one block (an inline mark kept around it) onto that block's
    result, any other onto the first result."""
    for warning in warnings:
        block = getattr(warning, "block", None)
        owner = next((r for r in results if block is not None and r.source_text.strip() == block),
                     results[0] if results else None)
        if owner is not None and str(warning) not in owner.warnings:
            owner.warnings.append(str(warning))


def document_text(filename: str, data: bytes) -> str:
    """The text of a document as a batch job reads it: its paragraphs (headings, list
    items, table cells, slides' text) in reading order, a blank line between them."""
    paragraphs: list[str] = []

    def read(texts: list[str]) -> list[str]:
        if not paragraphs:  # the first call holds the paragraphs; a second, marked words
            paragraphs.extend(texts)
        return list(texts)

    translate_document(filename, data, read)
    return "\n\n".join(text.strip() for text in paragraphs if text.strip())


def decode_text(data: bytes, what: str = "file") -> str:
    """A text document's UTF-8 (a byte-order mark is dropped); one clear error otherwise."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadDocument(f"the {what} is not UTF-8 text (byte {exc.start})", field="file") from None
