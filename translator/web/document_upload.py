"""Documents sent to the service: ``POST /v1/translate`` with a file (multipart), and the
translation callable ``/translate_file`` shares.

``/v1/translate`` answers the document in its own format (``format=document``, the default;
warnings about inline marks in the ``X-Translator-Warnings`` header, a JSON array), or the
aligned results of the same translation (``format=json``, ``tmx``, ``xliff`` or ``html``),
the glossary applied as for any text.
"""

from __future__ import annotations

import json

from flask import Response, request

from ..documents import attach_warnings, translate_document
from ..formats.markup import MarkProbes
from .errors import InvalidField, MissingField, UnknownField
from .output import MULTI_DOCUMENT, respond
from .security import access
from .validation import AUTO, TranslateRequest, language_field

FIELDS = ("file", "source", "target", "format", "glossary")


def document_translator(svc, source: str, target: str, results: list | None = None,
                        glossary: str | None = None):
    """The ``translate`` callable of a document for this request: the service's translation
    (an auto source detected once, on all the document's texts); each aligned result is
    appended to ``results``."""
    from .libre import source_language

    def translate(texts: list[str]) -> list[str]:
        nonlocal source
        keep = [i for i, t in enumerate(texts) if any(ch.isalpha() for ch in t)]
        if not keep:
            return list(texts)
        if source == AUTO:
            source = source_language(svc, "\n".join(texts[i] for i in keep), target)["language"]
        done = svc.translate(TranslateRequest(tuple(texts[i] for i in keep), target, source,
                                              glossary=glossary), access())
        if results is not None and not isinstance(texts, MarkProbes):
            results.extend(done)  # the pieces that place inline marks are no part of it
        out = list(texts)
        for i, result in zip(keep, done):
            out[i] = result.target_text
        return out
    return translate


def translate_upload(svc) -> Response:
    """``POST /v1/translate`` with a multipart body holding ``file``."""
    unknown = sorted((set(request.form) | set(request.files)) - set(FIELDS))
    if unknown:
        raise UnknownField(f"unknown field {unknown[0]!r}; fields: {', '.join(FIELDS)}",
                           field=unknown[0])
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise MissingField("field 'file' is required: the document, with its file name",
                           field="file")
    if not request.form.get("target"):
        raise MissingField("field 'target' is required", field="target")
    target = language_field(request.form["target"], "target")
    source = language_field(request.form.get("source") or AUTO, "source", allow_auto=True)
    fmt = request.form.get("format") or "document"
    if fmt != "document" and fmt not in MULTI_DOCUMENT:
        raise InvalidField(f"format must be document or one of {', '.join(sorted(MULTI_DOCUMENT))} "
                           f"for a file, not {fmt!r}", field="format")
    results: list = []
    translated = translate_document(upload.filename, upload.read(), document_translator(
        svc, source, target, results, request.form.get("glossary") or None))
    if fmt != "document":
        attach_warnings(results, translated.warnings)
        return respond(results, fmt, is_list=True)
    response = Response(translated.data, content_type=translated.media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{_ascii_name(upload.filename)}"'
    response.headers["X-Translator-Warnings"] = json.dumps(translated.warnings)
    return response


def _ascii_name(name: str) -> str:
    from werkzeug.utils import secure_filename

    return secure_filename(name) or "document"
