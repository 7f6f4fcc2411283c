"""LibreTranslate-compatible endpoints, so its clients work unchanged.

``/translate``, ``/detect``, ``/languages``, ``/frontend/settings``, ``/suggest``,
``/spec``, and (in :mod:`.libre_files`) ``/translate_file`` and ``/download_file``,
with LibreTranslate's parameter names (form, query string or JSON; ``api_key`` read
like it reads it), statuses and error shape ``{"error": "message"}`` (our stable code
is kept alongside as ``code``). Its code (``libretranslate/app.py``) is the reference;
docs/api.md lists what differs and why.
"""

from __future__ import annotations

from flask import Blueprint, current_app, request

from .. import languages as lang_names
from ..errors import UndetectableLanguage
from ..formats.markup import translate_html
from .alternatives import alternatives as text_alternatives
from .bodies import check_body
from .disconnect import ClientGone
from .errors import InvalidField, error_body, error_headers
from .security import access, guard
from .validation import AUTO, TranslateRequest, language_field, parse_json, text_value

libre = Blueprint("libre", __name__)

#: LibreTranslate reports confidence in percent
PERCENT = 100.0
#: endpoints LibreTranslate serves without a key and without a rate limit
OPEN_ENDPOINTS = ("libre.languages", "libre.frontend_settings", "libre.spec",
                  "libre.download_file")
#: paths of the LibreTranslate API: their errors, 404 and 405 included, use its shape
PATHS = ("/translate", "/translate_file", "/download_file", "/detect", "/languages",
         "/frontend/settings", "/suggest", "/spec")


def service():
    return current_app.extensions["translator"]


def is_libre_path(path: str) -> bool:
    """A path of LibreTranslate's API (whose errors take its shape)."""
    return any(path == p or path.startswith(p + "/") for p in PATHS)


@libre.before_request
def _guard():
    if request.endpoint in OPEN_ENDPOINTS:
        return
    guard(libre=True)


def libre_error(exc) -> tuple[dict, int, dict]:
    """Any error as LibreTranslate answers it: ``{"error": message}``, 400 for bad requests."""
    status, body = error_body(exc)
    headers = error_headers(exc, status)
    error = body["error"]
    message = error["message"]
    details = error.get("details", {})
    if "max_form_parts" in details:  # a form over its limits, not a body over its size
        message, status = f"Invalid request: {message}", 400
    elif error["code"] in ("input_too_large", "request_too_large"):
        unit = details.get("unit") or ("bytes" if error["code"] == "request_too_large" else "characters")
        size = details.get("size", "body") if unit in ("characters", "bytes") \
            else f"{details.get('size')} {unit}"
        what = "text" if unit == "characters" else unit[:-1]  # "sentence limit", "byte limit"
        message = f"Invalid request: request ({size}) exceeds {what} limit ({details.get('limit')})"
        status = 400
    # LibreTranslate answers 400 for unsupported languages and other unprocessable input
    status = 400 if status == 422 else status
    return {"error": message, "code": error["code"]}, status, headers


libre.register_error_handler(Exception, libre_error)


def params(schema: str) -> dict:
    """Request parameters from a JSON body, or from the form and query string (a repeated
    ``q`` is a list), checked against the OpenAPI document's ``schema``; form text has its
    CRLF line ends turned into LF, as LibreTranslate does."""
    if request.is_json:
        values = parse_json(request.get_data(cache=True))
        if not isinstance(values, dict):
            raise InvalidField("Invalid JSON format: the body must be an object", field="body")
    else:
        values = request.values.to_dict()
        many = request.values.getlist("q")
        if len(many) > 1:
            values["q"] = many
        if "q" in values:
            values["q"] = _lf(values["q"])
    check_body(schema, values, libre=True)
    return values


def _lf(value):
    if isinstance(value, list):
        return [_lf(v) for v in value]
    return value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value


def texts_param(value: str | list[str], max_chars: int) -> tuple[list[str], bool]:
    if isinstance(value, list):
        return [text_value(v, f"q[{i}]", max_chars) for i, v in enumerate(value)], True
    return [text_value(value, "q", max_chars)], False


def alternatives_param(value: int | float | str | None) -> int:
    """LibreTranslate's ``alternatives`` (the schema allows a number or its digits, at most
    ``MAX_ALTERNATIVES``): negative counts as 0, empty as absent."""
    if value is None or isinstance(value, str) and not value.strip():
        return 0
    return max(0, int(value.strip() if isinstance(value, str) else value))


def _detected(detection: dict | None) -> dict:
    detection = detection or {"language": "", "confidence": 0.0}
    return {"confidence": round(detection["confidence"] * PERCENT, 2),
            "language": detection["language"]}


def _has_letters(text: str) -> bool:
    return any(ch.isalpha() for ch in text)


def source_language(svc, text: str, target: str) -> dict:
    """The detected source of ``text``. Too little evidence is refused: when the text
    looks like a language that has no route to ``target`` (a short Vietnamese greeting with
    no Vietnamese model), the routable language that is merely closest is no answer, so
    no translation is given in it."""
    found = svc.pipeline.detect(text, target)
    anywhere = svc.unroutable_look(text, target, found)
    if anywhere is not None:
        closest, chance = anywhere.alternatives[0] if anywhere.alternatives else ("", 0.0)
        raise UndetectableLanguage(
            f"the text looks like {lang_names.name(anywhere.language)} ({anywhere.language}, "
            f"{anywhere.confidence * PERCENT:.0f}%), which cannot be translated to {target} here; "
            f"the closest language that can, {closest}, has only {chance * PERCENT:.0f}%: "
            "send source to translate anyway",
            detected=anywhere.language, confidence=round(anywhere.confidence, 4),
            closest=closest)
    return found.to_dict()


@libre.post("/translate")
def translate():
    svc = service()
    p = params("LibreTranslateRequest")
    texts, is_list = texts_param(p["q"], svc.settings.max_chars)
    source = language_field(p.get("source") or AUTO, "source", allow_auto=True)
    target = language_field(p["target"], "target")
    fmt = p.get("format") or "text"
    count = alternatives_param(p.get("alternatives"))
    body = _translate(svc, texts, source, target, fmt, count)
    if not is_list:
        body = {key: value[0] for key, value in body.items()}
    return body


def _translate(svc, texts: list[str], source: str, target: str, fmt: str, count: int) -> dict:
    """LibreTranslate's answer for a list of texts: every value is a list, one per text.
    With ``auto``, each text is detected on its own (a list may mix languages)."""
    translatable = [i for i, t in enumerate(texts) if _has_letters(t)]
    outputs = list(texts)  # text without letters comes back as it is, like LibreTranslate's
    detections = [{"language": "en", "confidence": 0.0} for _ in texts]
    others: list[list[str]] = [[] for _ in texts]
    for i in translatable:
        if source == AUTO:
            detections[i] = source_language(svc, texts[i], target)
    if translatable:
        wanted = [texts[i] for i in translatable]
        sources = [detections[i]["language"] if source == AUTO else source for i in translatable]
        if fmt == "html":
            done = [_translate_html(svc, t, s, target) for t, s in zip(wanted, sources)]
        else:
            results = svc.translate(TranslateRequest(tuple(wanted), target, source), access(),
                                    ClientGone.of(request.environ))
            done = [r.target_text for r in results]
            for i, result in zip(translatable, results):
                if source == AUTO and result.detection:
                    detections[i] = result.detection
                if count:
                    others[i] = text_alternatives(svc.pipeline, result, count)
        for i, text in zip(translatable, done):
            outputs[i] = text
    body: dict = {"translatedText": outputs}
    if source == AUTO:
        body["detectedLanguage"] = [_detected(d) for d in detections]
    if count:
        body["alternatives"] = others
    return body


def _translate_html(svc, markup: str, source: str, target: str) -> str:
    def engine(texts: list[str]) -> list[str]:
        keep = [i for i, t in enumerate(texts) if _has_letters(t)]
        results = svc.translate(TranslateRequest(tuple(texts[i] for i in keep), target, source),
                                access())
        out = list(texts)
        for i, result in zip(keep, results):
            out[i] = result.target_text
        return out

    return translate_html(markup, engine)[0]


@libre.post("/detect")
def detect():
    svc = service()
    texts, _ = texts_param(params("LibreDetectRequest")["q"], svc.settings.max_chars)
    text = "\n".join(texts)  # every item weighs, by its letters
    if not _has_letters(text):
        return [{"confidence": 0.0, "language": "en"}]
    detection = svc.pipeline.detect(text)
    candidates = [(detection.language, detection.confidence), *detection.alternatives]
    return [{"confidence": round(p_ * PERCENT, 2), "language": code} for code, p_ in candidates]


@libre.route("/languages", methods=["GET", "POST"])
def languages():
    return [{"code": lang["code"], "name": lang["name"], "targets": lang["targets"]}
            for lang in service().languages()["languages"]]


@libre.get("/frontend/settings")
def frontend_settings():
    settings = service().settings
    from ..documents import available_formats

    return {"charLimit": settings.max_chars, "frontendTimeout": 500,
            "apiKeys": settings.api_keys_required, "keyRequired": settings.api_keys_required,
            "suggestions": settings.suggestions, "filesTranslation": settings.files_translation,
            "supportedFilesFormat": available_formats() if settings.files_translation else [],
            "language": {"source": {"code": "auto", "name": "Auto Detect"},
                         "target": {"code": "en", "name": lang_names.name("en")}}}


@libre.post("/suggest")
def suggest():
    """A suggested translation, stored as a reviewed segment of the key's desk."""
    from .suggestions import add_suggestion

    svc = service()
    if not svc.settings.suggestions:
        raise SuggestionsDisabled("Suggestions are disabled on this server.")
    add_suggestion(svc, access(), params("LibreSuggestRequest"))
    return {"success": True}


@libre.get("/spec")
def spec():
    from .libre_spec import swagger_document

    return swagger_document(service().settings)


class SuggestionsDisabled(InvalidField):
    code = "suggestions_disabled"
    http_status = 403


from . import libre_files  # noqa: E402,F401  (its routes are on this blueprint)
