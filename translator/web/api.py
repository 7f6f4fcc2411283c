"""The versioned JSON API (``/v1``) and the health checks."""

from __future__ import annotations

from flask import Blueprint, current_app

from .. import __version__
from .errors import NotAcceptable, NotReady
from .openapi import openapi_document
from .output import negotiate, respond, respond_alignment
from .security import guard
from .validation import ALIGN_FORMATS, align_request, detect_request, json_body, translate_request

api = Blueprint("api", __name__, url_prefix="/v1")
health = Blueprint("health", __name__)


def service():
    return current_app.extensions["translator"]


@api.before_request
def _guard():
    guard()


@api.post("/translate")
def translate():
    """Translate one text or a list; the aligned result in the requested format."""
    svc = service()
    req = translate_request(json_body(), svc.settings.max_chars)
    fmt = negotiate(req.format)
    return respond(svc.translate(req), fmt, req.is_list)


@api.post("/align")
def align():
    """Align an existing translation with its original: beads with scores, flagged when unsure."""
    svc = service()
    req = align_request(json_body(), svc.settings.max_chars)
    fmt = negotiate(req.format)
    if fmt not in ALIGN_FORMATS:
        raise NotAcceptable(f"alignments come as {', '.join(ALIGN_FORMATS)}, not {fmt}")
    return respond_alignment(svc.align(req), fmt)


@api.post("/detect")
def detect():
    svc = service()
    return svc.detect(detect_request(json_body(), svc.settings.max_chars))


@api.get("/languages")
def languages():
    return service().languages()


@api.get("/openapi.json")
def openapi():
    return openapi_document()


@health.get("/health")
def liveness():
    """The process answers (models may still be loading)."""
    return {"status": "ok", "version": __version__}


@health.get("/health/ready")
def readiness():
    """Ready once every model is loaded: 200, else 503 with the models' state."""
    ready, details = service().readiness()
    if not ready:
        raise NotReady("models are not loaded yet" if "load_error" not in details
                       else f"loading models failed: {details['load_error']}", **details)
    return {"status": "ready", "version": __version__, **details}
