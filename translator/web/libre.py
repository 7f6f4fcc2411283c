"""LibreTranslate-compatible endpoints: ``/translate``, ``/detect``, ``/languages``.

Same parameter names (``q``, ``source``, ``target``, ``format``, ``api_key``; form or
JSON) and response shapes as LibreTranslate, so its clients work unchanged. Errors
use LibreTranslate's shape ``{"error": "message"}``, flattened from the service's one
error mapping; the stable code is kept alongside as ``code``.
"""

from __future__ import annotations

import html
import re

from flask import Blueprint, current_app, request

from .. import languages as lang_names
from .disconnect import ClientGone
from .errors import InvalidField, MissingField, error_body, error_headers
from .security import access, guard
from .validation import AUTO, TranslateRequest, language_field, parse_json, text_value

libre = Blueprint("libre", __name__)

# LibreTranslate reports confidence in percent
PERCENT = 100.0
_TAG = re.compile(r"(<!--.*?-->|<[^>]*>)", re.DOTALL)
_RAW_TEXT = re.compile(r"<(script|style)\b", re.IGNORECASE)
_LETTER = re.compile(r"[^\W\d_]")


def service():
    return current_app.extensions["translator"]


@libre.before_request
def _guard():
    guard(libre=True)


@libre.errorhandler(Exception)
def _error(exc):
    status, body = error_body(exc)
    headers = error_headers(exc, status)
    error = body["error"]
    message = error["message"]
    if error["code"] == "input_too_large":  # LibreTranslate's words and status for its limit
        details = error.get("details", {})
        unit = "" if details.get("unit") in (None, "characters") else f" {details['unit']}"
        message = (f"Invalid request: request ({details.get('size')}{unit}) exceeds "
                   f"{'text' if not unit else unit.strip()[:-1]} limit ({details.get('limit')})")
        status = 400
    # LibreTranslate answers 400 for unsupported languages
    status = 400 if status == 422 else status
    return {"error": message, "code": error["code"]}, status, headers


def params() -> dict:
    """Request parameters from a JSON body, or from the form and query string."""
    if request.is_json:
        body = parse_json(request.get_data(cache=True))
        if not isinstance(body, dict):
            raise InvalidField("request body must be a JSON object", field="body")
        return body
    return request.values.to_dict()


def _texts(value, max_chars: int) -> tuple[list[str], bool]:
    if value is None or value == "":
        raise MissingField("Invalid request: missing q parameter", field="q")
    if isinstance(value, list):
        if not value:
            raise MissingField("Invalid request: q is an empty list", field="q")
        return [text_value(v, f"q[{i}]", max_chars) for i, v in enumerate(value)], True
    return [text_value(value, "q", max_chars)], False


def _detected(detection: dict | None) -> dict:
    detection = detection or {"language": "", "confidence": 0.0}
    return {"confidence": round(detection["confidence"] * PERCENT, 2),
            "language": detection["language"]}


@libre.post("/translate")
def translate():
    svc = service()
    p = params()
    texts, is_list = _texts(p.get("q"), svc.settings.max_chars)
    source = language_field(p.get("source") or AUTO, "source", allow_auto=True)
    target = language_field(p.get("target") or "", "target")
    fmt = p.get("format") or "text"
    if fmt not in ("text", "html"):
        raise InvalidField(f"format must be text or html, not {fmt!r}", field="format")
    if fmt == "html":
        outputs, detections = zip(*(_translate_html(svc, t, source, target) for t in texts))
    else:
        results = svc.translate(TranslateRequest(tuple(texts), target, source), access(),
                                ClientGone.of(request.environ))
        outputs = [r.target_text for r in results]
        detections = [r.detection for r in results]
    body: dict = {"translatedText": list(outputs) if is_list else outputs[0]}
    if source == AUTO:
        detected = [_detected(d) for d in detections]
        body["detectedLanguage"] = detected if is_list else detected[0]
    if p.get("alternatives") not in (None, "", 0, "0"):
        body["alternatives"] = [[] for _ in texts] if is_list else []
    return body


def _translate_html(svc, markup: str, source: str, target: str) -> tuple[str, dict | None]:
    """Translate the text between tags, leaving markup (and script/style content) intact."""
    tokens = _TAG.split(markup)
    wanted, raw = [], False
    for i, token in enumerate(tokens):
        if i % 2:
            raw = bool(_RAW_TEXT.match(token)) if not token.startswith("</") else False
        elif not raw and _LETTER.search(token):
            wanted.append(i)
    if not wanted:
        return markup, None
    texts = [html.unescape(tokens[i]) for i in wanted]
    detection = None
    if source == AUTO:
        found = svc.pipeline.detect(" ".join(texts), target)
        detection, source = found.to_dict(), found.language
    results = svc.translate(TranslateRequest(tuple(texts), target, source), access())
    for i, result in zip(wanted, results):
        tokens[i] = html.escape(result.target_text, quote=False)
    return "".join(tokens), detection


@libre.post("/detect")
def detect():
    svc = service()
    p = params()
    texts, _ = _texts(p.get("q"), svc.settings.max_chars)
    detection = svc.pipeline.detect(texts[0])
    candidates = [(detection.language, detection.confidence), *detection.alternatives]
    return [{"confidence": round(p_ * PERCENT, 2), "language": code} for code, p_ in candidates]


@libre.route("/languages", methods=["GET", "POST"])
def languages():
    return [{"code": lang["code"], "name": lang["name"], "targets": lang["targets"]}
            for lang in service().languages()["languages"]]


@libre.get("/frontend/settings")
def frontend_settings():
    svc = service()
    return {"charLimit": svc.settings.max_chars, "frontendTimeout": 500,
            "apiKeys": svc.settings.api_keys_required, "keyRequired": svc.settings.api_keys_required,
            "suggestions": False, "filesTranslation": False, "supportedFilesFormat": [],
            "language": {"source": {"code": "auto", "name": "Auto Detect"},
                         "target": {"code": "en", "name": lang_names.name("en")}}}
