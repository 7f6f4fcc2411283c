"""Errors of the HTTP layer and the one place every error becomes a response.

Every error a client can cause is a :class:`~translator.errors.TranslatorError`
(the pipeline's own, or one below) or a werkzeug ``HTTPException`` (unknown URL,
wrong method, body too large). :func:`error_body` maps both to one JSON shape::

    {"error": {"code": "unknown_language", "message": "...", "details": {...}}}

Anything else is a bug: it is logged with its traceback and the client gets a
500 ``internal_error`` naming the request id, never the traceback.
"""

from __future__ import annotations

import logging
import uuid

from flask import Flask, g, make_response, render_template, request
from werkzeug.exceptions import HTTPException, PreconditionFailed

from ..errors import InputError, TranslatorError
from .files import redacted_path

log = logging.getLogger("translator.web")


class InvalidJSON(InputError):
    code = "invalid_json"


class InvalidBody(InputError):
    code = "invalid_body"


class MissingField(InputError):
    code = "missing_field"


class InvalidField(InputError):
    code = "invalid_field"


class UnknownField(InputError):
    code = "unknown_field"


class NotAcceptable(InputError):
    code = "not_acceptable"
    http_status = 406


class ApiKeyRequired(TranslatorError):
    code = "api_key_required"
    http_status = 401


class InvalidApiKey(TranslatorError):
    code = "invalid_api_key"
    http_status = 403


class Forbidden(TranslatorError):
    code = "forbidden"
    http_status = 403


class RateLimited(TranslatorError):
    code = "rate_limited"
    http_status = 429


class NotReady(TranslatorError):
    code = "not_ready"
    http_status = 503


# werkzeug's HTTP errors -> stable codes
HTTP_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    412: "precondition_failed",
    413: "request_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}

HTTP_MESSAGES = {
    404: "no such endpoint: {path}",
    405: "{method} is not allowed on {path}",
}


def request_id() -> str:
    """This request's id (logged with errors, sent back as X-Request-Id)."""
    if "request_id" not in g:
        g.request_id = uuid.uuid4().hex[:12]
    return g.request_id


# Failures of the server's own parts: their messages name files and commands, so the
# client gets what failed and the request id; the message goes to the log.
PUBLIC_MESSAGES = {
    "store_unavailable": "the service's database could not be read or written",
    "engine_error": "a translation engine failed",
    "index_unavailable": "the model index could not be reached",
}


def logged_path() -> str:
    """The request's path as the service log may keep it: a download's capability left out,
    as in the access log (a failed download must not write the key to its file)."""
    return redacted_path(request.path)


def public_error(exc: TranslatorError) -> TranslatorError:
    """``exc`` as a client may see it: a server-side failure's message replaced by what
    failed and the request id (logged here with the full message)."""
    public = PUBLIC_MESSAGES.get(exc.code)
    if public is None:
        return exc
    rid = request_id()
    log.error("request %s %s %s: %s: %s", rid, request.method, logged_path(), exc.code, exc.message)
    safe = type(exc)(f"{public} (request {rid}; the details are in the server log)",
                     request_id=rid, **{k: v for k, v in exc.details.items() if k in ("model", "route")})
    return safe


def error_body(exc: BaseException) -> tuple[int, dict]:
    """(HTTP status, JSON body) of any exception: the one mapping of errors to responses."""
    if isinstance(exc, TranslatorError):
        return exc.http_status, public_error(exc).to_dict()
    if isinstance(exc, HTTPException):
        status = exc.code or 500
        if status == 413:
            message, details = too_large()
        else:
            template = HTTP_MESSAGES.get(status)
            message = (template.format(path=request.path, method=request.method) if template
                       else exc.description or exc.name)
            details = {}
        body = {"code": HTTP_CODES.get(status, f"http_{status}"), "message": message}
        if details:
            body["details"] = details
        return status, {"error": body}
    return 500, {"error": {"code": "internal_error",
                           "message": f"internal error (request {request_id()}); it was logged",
                           "details": {"request_id": request_id()}}}


def too_large() -> tuple[str, dict]:
    """What a 413 of werkzeug's says: the body over ``max_content_length``, or, for a body
    within it, a form over its limits (werkzeug raises the same error for both)."""
    limit, size = request.max_content_length, request.content_length
    if limit and (size is None or size > limit):
        return f"request body is larger than the limit of {limit} bytes", {"limit": limit}
    if request.mimetype in ("multipart/form-data", "application/x-www-form-urlencoded"):
        parts, field = request.max_form_parts, request.max_form_memory_size
        return (f"the form is too large: more than {parts} parts, or a field that is not a "
                f"file over {field} bytes", {"max_form_parts": parts, "max_field_bytes": field})
    return "request body is too large", {}


def wants_html() -> bool:
    """A browser navigating to a page (not the API) gets an HTML error page."""
    if request.path.startswith(("/v1/", "/translate", "/detect", "/languages", "/health",
                                "/frontend", "/suggest", "/spec", "/download_file")):
        return False
    if request.blueprint == "review" and request.method != "GET":
        return False
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "text/html"


def error_headers(exc: BaseException, status: int) -> dict:
    """Headers that go with an error response (Allow, Retry-After); logs unexpected errors
    and cancelled work."""
    if getattr(exc, "code", None) == "cancelled":
        log.info("request %s %s %s: %s", request_id(), request.method, logged_path(), exc)
    if status >= 500 and not isinstance(exc, (TranslatorError, HTTPException)):
        log.error("request %s %s %s failed", request_id(), request.method, logged_path(),
                  exc_info=exc)
    headers = {}
    if isinstance(exc, HTTPException) and status == 405 and getattr(exc, "valid_methods", None):
        headers["Allow"] = ", ".join(exc.valid_methods)
    if isinstance(exc, TranslatorError) and exc.details.get("retry_after"):
        headers["Retry-After"] = str(exc.details["retry_after"])
    return headers


def handle_exception(exc: BaseException):
    """The app's error handler: JSON for the API, an HTML page for a browser, and
    LibreTranslate's shape on its paths (unknown method or sub-path included)."""
    from .libre import is_libre_path, libre_error

    if is_libre_path(request.path):
        return libre_error(exc)
    status, body = error_body(exc)
    headers = error_headers(exc, status)
    if wants_html():
        page = render_template("error.html", status=status, error=body["error"])
        return page, status, headers
    return body, status, headers


def precondition_failed(response):
    """after_request: a download answered 412 by werkzeug's conditional ``send_file`` (an
    ``If-Match`` that does not match) carries the error, as every error, not the file."""
    if response.status_code != 412 or response.mimetype == "application/json":
        return response
    response.close()
    return make_response(handle_exception(PreconditionFailed()))


def register(app: Flask) -> None:
    """The error handler; :func:`precondition_failed` is registered by the app factory after
    the hooks whose headers every response gets (after_request hooks run last first)."""
    app.register_error_handler(Exception, handle_exception)
