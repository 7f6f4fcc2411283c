"""Rendering results in the format a client asked for (``format`` or the Accept header)."""

from __future__ import annotations

from flask import Response, current_app, request

from ..formats.html import results_to_html
from ..formats.tmx import result_to_tmx, segment_unit, tmx_document
from ..formats.writers import to_text, to_tsv
from ..formats.xliff import results_to_xliff
from ..result import TranslationResult
from .errors import InvalidField, NotAcceptable
from .security import CSP_DOCUMENT

MEDIA_TYPES = {
    "json": "application/json",
    "tmx": "application/x-tmx+xml",
    "xliff": "application/xliff+xml",
    "tsv": "text/tab-separated-values",
    "html": "text/html",
    "text": "text/plain",
}
EXTENSIONS = {"json": "json", "tmx": "tmx", "xliff": "xlf", "tsv": "tsv", "html": "html",
              "text": "txt"}
# formats that hold several documents; the others take one text
MULTI_DOCUMENT = {"json", "tmx", "xliff", "html"}


def negotiate(explicit: str | None) -> str:
    """The format: ``explicit`` if given, else the best match of the Accept header, else JSON."""
    if explicit:
        return explicit
    accept = request.accept_mimetypes
    if not accept:
        return "json"
    best = accept.best_match(list(MEDIA_TYPES.values()))
    if best is None:
        raise NotAcceptable(f"none of the formats matches Accept: {request.headers.get('Accept')}; "
                            f"available: {', '.join(MEDIA_TYPES.values())}")
    return next(name for name, media in MEDIA_TYPES.items() if media == best)


def _tmx(results: list[TranslationResult]) -> str:
    if len(results) == 1:
        return result_to_tmx(results[0])
    pairs = {(r.source_lang, r.target_lang) for r in results}
    if len(pairs) > 1:
        raise InvalidField("TMX of several texts needs one language pair; these are in "
                           + ", ".join(sorted(f"{s}-{t}" for s, t in pairs)), field="format")
    units = [segment_unit(seg.to_dict(), document=str(n))
             for n, result in enumerate(results) for seg in result.segments]
    return tmx_document(units, results[0].source_lang, results[0].target_lang)


def render_body(results: list[TranslationResult], fmt: str, is_list: bool) -> str | dict:
    """The body of ``results`` in ``fmt``: a dict for JSON, text otherwise."""
    if fmt == "json":
        return {"results": [r.to_dict() for r in results]} if is_list else results[0].to_dict()
    if is_list and fmt not in MULTI_DOCUMENT:
        raise InvalidField(f"format {fmt!r} takes one text; send a string, or use "
                           f"{', '.join(sorted(MULTI_DOCUMENT))} for a list", field="format")
    if fmt == "tmx":
        return _tmx(results)
    if fmt == "xliff":
        return results_to_xliff(results)
    if fmt == "html":
        return results_to_html(results)
    return to_tsv(results[0]) if fmt == "tsv" else to_text(results[0])


def respond(results: list[TranslationResult], fmt: str, is_list: bool = False,
            filename: str | None = None) -> Response:
    """A response holding ``results`` in ``fmt`` (an attachment when ``filename`` is given)."""
    body = render_body(results, fmt, is_list)
    if isinstance(body, dict):
        response = current_app.json.response(body)
    else:
        response = Response(body, content_type=f"{MEDIA_TYPES[fmt]}; charset=utf-8")
    if fmt == "html":
        response.headers["Content-Security-Policy"] = CSP_DOCUMENT
    if filename:
        response.headers["Content-Disposition"] = (
            f'attachment; filename="{filename}.{EXTENSIONS[fmt]}"')
    return response


def respond_alignment(alignment, fmt: str) -> Response:
    """An alignment as JSON, TSV or TMX."""
    if fmt == "json":
        return current_app.json.response(alignment.to_dict())
    from ..align import render_alignment

    return Response(render_alignment(alignment, fmt),
                    content_type=f"{MEDIA_TYPES[fmt]}; charset=utf-8")
