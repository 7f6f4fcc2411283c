"""Rendering results in the format a client asked for (``format`` or the Accept header)."""

from __future__ import annotations

from flask import Response, current_app, request

from ..formats import registry
from ..result import TranslationResult
from .errors import InvalidField, NotAcceptable
from .security import CSP_DOCUMENT

#: the formats of translation results on the API (``format``, ``?format=``, Accept)
RESULT_FORMATS = registry.names("result", web=True)
#: those that hold several documents; the others take one text
MULTI_DOCUMENT = tuple(name for name in RESULT_FORMATS if registry.FORMATS[name].multi)


def negotiate(explicit: str | None, subject: str = "result") -> str:
    """The format: ``explicit`` if given, else the best match of the Accept header among
    the formats of ``subject``, else JSON."""
    if explicit:
        return explicit
    accept = request.accept_mimetypes
    if not accept:
        return "json"
    offered = registry.media_types(subject)
    best = accept.best_match(list(offered.values()))
    if best is None:
        raise NotAcceptable(f"none of the formats matches Accept: {request.headers.get('Accept')}; "
                            f"available: {', '.join(offered.values())}")
    return next(name for name, media in offered.items() if media == best)


def render_body(results: list[TranslationResult], fmt: str, is_list: bool) -> str | dict:
    """The body of ``results`` in ``fmt``: a dict for JSON, text otherwise."""
    if fmt == "json":
        return {"results": [r.to_dict() for r in results]} if is_list else results[0].to_dict()
    if is_list and fmt not in MULTI_DOCUMENT:
        raise InvalidField(f"format {fmt!r} takes one text; send a string, or use "
                           f"{', '.join(sorted(MULTI_DOCUMENT))} for a list", field="format")
    form = registry.FORMATS[fmt]
    if form.multi:
        return form.write("results", results)
    return form.write("result", results[0])


def respond(results: list[TranslationResult], fmt: str, is_list: bool = False,
            filename: str | None = None) -> Response:
    """A response holding ``results`` in ``fmt`` (an attachment when ``filename`` is given)."""
    body = render_body(results, fmt, is_list)
    if isinstance(body, dict):
        response = current_app.json.response(body)
    else:
        response = Response(body, content_type=f"{registry.FORMATS[fmt].media_type}; charset=utf-8")
    if fmt == "html":
        response.headers["Content-Security-Policy"] = CSP_DOCUMENT
    if filename:
        response.headers["Content-Disposition"] = (
            f'attachment; filename="{filename}.{registry.FORMATS[fmt].extension}"')
    return response


def respond_alignment(alignment, fmt: str) -> Response:
    """An alignment in one of the web's alignment formats (JSON, TSV, TMX)."""
    if fmt == "json":
        return current_app.json.response(alignment.to_dict())
    form = registry.FORMATS[fmt]
    return Response(form.write("alignment", alignment),
                    content_type=f"{form.media_type}; charset=utf-8")
