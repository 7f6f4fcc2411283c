"""Request bodies validated into small request objects, with one error per mistake.

Each endpoint turns its JSON body into a frozen dataclass here, naming the field
in every error (``details.field``), so the views only deal with valid requests.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from urllib.parse import unquote_to_bytes

from flask import request
from werkzeug.sansio.multipart import Data, Epilogue, Field, File, MultipartDecoder, NeedData

from .. import languages
from ..formats import registry
from ..errors import EmptyInput, InputTooLarge, InvalidEncoding, UnknownLanguage
from .errors import InvalidBody, InvalidField, InvalidJSON, MissingField, UnknownField

AUTO = "auto"
FORMATS = registry.names("result", web=True)


@dataclass(frozen=True)
class TranslateRequest:
    """A validated ``POST /v1/translate``: texts in, one target language."""

    texts: tuple[str, ...]
    target: str
    source: str = AUTO
    format: str | None = None
    is_list: bool = False
    glossary: str | None = None  # a stored glossary's name, or "none" for no glossary at all
    terms: tuple[tuple[str, str], ...] = ()  # inline (source, target) terms, over the glossary


@dataclass(frozen=True)
class AlignRequest:
    """A validated ``POST /v1/align``: an existing translation and its original."""

    source_text: str
    target_text: str
    source: str = AUTO
    target: str = AUTO
    mt: str = "auto"
    format: str | None = None


@dataclass(frozen=True)
class DetectRequest:
    text: str
    target: str | None = None
    routable: bool = True


#: deepest nesting of arrays and objects a request body may have (ours need 4)
MAX_JSON_DEPTH = 32


def json_body() -> dict:
    """The request body as a JSON object (whatever the Content-Type says)."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        raise InvalidBody("request body is empty; send a JSON object "
                          "(Content-Type: application/json)")
    body = parse_json(raw)
    if not isinstance(body, dict):
        raise InvalidBody(f"request body must be a JSON object, not {_json_type(body)}")
    return body


def parse_json(raw: bytes):
    """A JSON request body: UTF-8, at most :data:`MAX_JSON_DEPTH` deep, and every string
    Unicode text (no lone surrogate escapes, which no UTF-8 store or output can hold)."""
    try:
        text = raw.decode("utf-8-sig")  # JSON over HTTP is UTF-8 (RFC 8259)
    except UnicodeDecodeError as exc:
        raise InvalidEncoding(f"request body is not valid UTF-8 (byte {exc.start})") from None
    try:
        body = json.loads(text)
    except RecursionError:
        raise InvalidJSON(f"request body is nested deeper than {MAX_JSON_DEPTH} levels",
                          limit=MAX_JSON_DEPTH) from None
    except ValueError as exc:
        raise InvalidJSON(f"request body is not valid JSON: {exc}") from None
    _check_json_values(body)
    return body


def _check_json_values(body) -> None:
    # Iterative, so that a deep body cannot exhaust the stack here either.
    stack = [(body, "body", 0)]
    while stack:
        value, where, depth = stack.pop()
        if isinstance(value, str):
            _check_scalar_values(value, where)
        elif isinstance(value, (dict, list)):
            if depth >= MAX_JSON_DEPTH:
                raise InvalidJSON(f"request body is nested deeper than {MAX_JSON_DEPTH} levels",
                                  limit=MAX_JSON_DEPTH)
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                inner = f"{where}.{key}" if isinstance(key, str) else f"{where}[{key}]"
                if isinstance(key, str):
                    _check_scalar_values(key, f"a key of {where}")
                stack.append((item, inner, depth + 1))


_SURROGATE = re.compile("[\ud800-\udfff]")


def _check_scalar_values(text: str, where: str) -> None:
    found = _SURROGATE.search(text)
    if found:
        field = where.removeprefix("body.") if where.startswith("body.") else where
        raise InvalidEncoding(
            f"{field} holds a lone surrogate escape (\\u{ord(found.group()):04x}) at "
            f"character {found.start()}: not a Unicode character", field=field.split(".")[0].split("[")[0])


def check_form_encoding() -> None:
    """Refuse a query string or url-encoded form whose percent-escapes are not UTF-8
    (werkzeug would otherwise keep ``%FF`` as literal text)."""
    sources = [("query string", request.query_string)]
    if request.mimetype == "application/x-www-form-urlencoded":
        sources.append(("form", request.get_data(cache=True)))
    elif request.mimetype == "multipart/form-data" and not request.path.startswith("/v1/jobs"):
        _check_multipart_fields()  # (a job's upload streams to disk; its fields are checked there)
    for where, raw in sources:
        for pair in raw.split(b"&"):
            name, _, value = pair.partition(b"=")
            for part in (name, value):
                try:
                    unquote_to_bytes(part.replace(b"+", b" ")).decode("utf-8")
                except UnicodeDecodeError as exc:
                    field = unquote_to_bytes(name).decode("utf-8", "replace")
                    raise InvalidEncoding(f"{where} field {field!r} is not UTF-8 "
                                          f"(byte {exc.start} of its value)", field=field) from None


def _json_type(value) -> str:
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean",
            int: "a number", float: "a number", type(None): "null"}.get(type(value), "a value")


def check_fields(body: dict, allowed: tuple[str, ...], required: tuple[str, ...] = ()) -> None:
    """Refuse fields outside ``allowed``, a missing (or null) ``required`` field, and null
    in an optional field (leave it out instead: null is no value the OpenAPI document
    allows). A handler may then read its required fields directly."""
    unknown = sorted(set(body) - set(allowed))
    if unknown:
        raise UnknownField(f"unknown field {unknown[0]!r}; fields: {', '.join(allowed)}",
                           field=unknown[0])
    for name in required:
        if body.get(name) is None:
            raise MissingField(f"field {name!r} is required", field=name)
    for name in allowed:
        if name in body and body[name] is None:
            raise InvalidField(f"field {name!r} must not be null; leave it out for its default",
                               field=name)


def required(body: dict, name: str):
    if body.get(name) is None:
        raise MissingField(f"field {name!r} is required", field=name)
    return body[name]


def bool_field(body: dict, name: str, default: bool) -> bool:
    value = body.get(name, default)
    if not isinstance(value, bool):
        raise InvalidField(f"field {name!r} must be true or false, not {_json_type(value)}",
                           field=name)
    return value


def language_field(value, name: str, allow_auto: bool = False) -> str:
    """A canonical language code (or ``auto``), naming the field when it is unknown."""
    if not isinstance(value, str):
        raise InvalidField(f"field {name!r} must be a language code string, "
                           f"not {_json_type(value)}", field=name)
    if allow_auto and value.strip().lower() in ("", AUTO):
        return AUTO
    try:
        return languages.canonical(value)
    except UnknownLanguage:
        raise UnknownLanguage(f"unknown language code {value!r} in field {name!r}",
                              field=name, code=value) from None


def text_value(value, name: str, max_chars: int) -> str:
    """One document: a non-empty string within the size limit."""
    if not isinstance(value, str):
        raise InvalidField(f"field {name!r} must be a string, not {_json_type(value)}", field=name)
    if len(value) > max_chars:
        raise InputTooLarge(f"{name} has {len(value)} characters; the limit is {max_chars}",
                            field=name, limit=max_chars, size=len(value))
    if not value.strip():
        raise EmptyInput(f"{name} is empty", field=name)
    return value


def texts_field(body: dict, name: str, max_chars: int) -> tuple[tuple[str, ...], bool]:
    """``text``: one string or a non-empty list of strings -> (texts, was a list)."""
    value = required(body, name)
    if isinstance(value, list):
        if not value:
            raise EmptyInput(f"field {name!r} is an empty list", field=name)
        return tuple(text_value(v, f"{name}[{i}]", max_chars) for i, v in enumerate(value)), True
    if not isinstance(value, str):
        raise InvalidField(f"field {name!r} must be a string or a list of strings, "
                           f"not {_json_type(value)}", field=name)
    return (text_value(value, name, max_chars),), False


def format_value(value, name: str = "format") -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or value.lower() not in FORMATS:
        raise InvalidField(f"field {name!r} must be one of {', '.join(FORMATS)}", field=name)
    return value.lower()


def translate_request(body: dict, max_chars: int) -> TranslateRequest:
    """Validate a ``/v1/translate`` body (``format`` may also come as a query parameter)."""
    check_fields(body, ("text", "source", "target", "format", "glossary", "terms"),
                 required=("text", "target"))
    texts, is_list = texts_field(body, "text", max_chars)
    target = language_field(required(body, "target"), "target")
    source = language_field(body.get("source", AUTO), "source", allow_auto=True)
    fmt = format_value(body.get("format", request.args.get("format")))
    glossary = body.get("glossary")
    if glossary is not None and not isinstance(glossary, str):
        raise InvalidField(f"field 'glossary' must be a string, not {_json_type(glossary)}",
                           field="glossary")
    return TranslateRequest(texts, target, source, fmt, is_list, glossary, terms_field(body))


MAX_INLINE_TERMS = 1000


def terms_field(body: dict) -> tuple[tuple[str, str], ...]:
    """Inline terms: a list of {"source": ..., "target": ...}, literal text (no markup)."""
    from ..glossary.rules import term_problem

    terms = body.get("terms", [])
    if not isinstance(terms, list) or len(terms) > MAX_INLINE_TERMS:
        raise InvalidField(f"field 'terms' must be a list of at most {MAX_INLINE_TERMS} "
                           '{"source": ..., "target": ...} objects', field="terms")
    out = []
    for i, term in enumerate(terms):
        if not isinstance(term, dict) or set(term) != {"source", "target"}:
            raise InvalidField(f"terms[{i}] must be an object with exactly 'source' and 'target'",
                               field="terms")
        for side in ("source", "target"):
            value = term[side]
            problem = (f"must be a string, not {_json_type(value)}" if not isinstance(value, str)
                       else term_problem(value))
            if problem:
                raise InvalidField(f"terms[{i}].{side}: {problem}", field="terms")
        out.append((term["source"].strip(), term["target"].strip()))
    return tuple(out)


def detect_request(body: dict, max_chars: int) -> DetectRequest:
    check_fields(body, ("text", "target", "routable"), required=("text",))
    text = text_value(required(body, "text"), "text", max_chars)
    target = body.get("target")
    return DetectRequest(text, None if target is None else language_field(target, "target"),
                         bool_field(body, "routable", True))


ALIGN_FORMATS = registry.names("alignment", web=True)
MT_MODES = ("auto", "on", "off")


def align_request(body: dict, max_chars: int) -> AlignRequest:
    """Validate a ``/v1/align`` body: two texts, their languages (or auto), MT similarity."""
    check_fields(body, ("source_text", "target_text", "source", "target", "mt", "format"),
                 required=("source_text", "target_text"))
    source_text = text_value(required(body, "source_text"), "source_text", max_chars)
    target_text = text_value(required(body, "target_text"), "target_text", max_chars)
    source = language_field(body.get("source", AUTO), "source", allow_auto=True)
    target = language_field(body.get("target", AUTO), "target", allow_auto=True)
    mt = body.get("mt", "auto")
    if mt not in MT_MODES:
        raise InvalidField(f"field 'mt' must be one of {', '.join(MT_MODES)}", field="mt")
    fmt = body.get("format", request.args.get("format"))
    if fmt is not None and fmt not in ALIGN_FORMATS:
        raise InvalidField(f"field 'format' must be one of {', '.join(ALIGN_FORMATS)}", field="format")
    return AlignRequest(source_text, target_text, source, target, mt, fmt)


def _check_multipart_fields() -> None:
    """The text fields of a multipart form (not its files) must be UTF-8: werkzeug would
    replace bad bytes with U+FFFD and translate that."""
    boundary = request.mimetype_params.get("boundary", "").encode("latin-1", "replace")
    if not boundary:
        return  # werkzeug refuses the form itself
    decoder = MultipartDecoder(boundary)
    decoder.receive_data(request.get_data(cache=True))  # within max_request_bytes
    decoder.receive_data(None)
    name, parts = None, []
    try:
        event = decoder.next_event()
        while not isinstance(event, (Epilogue, NeedData)):
            if isinstance(event, Field):
                name, parts = event.name, []
            elif isinstance(event, File):
                name = None
            elif isinstance(event, Data) and name is not None:
                parts.append(event.data)
                if not event.more_data:
                    try:
                        b"".join(parts).decode("utf-8")
                    except UnicodeDecodeError as exc:
                        raise InvalidEncoding(f"form field {name!r} is not UTF-8 (byte {exc.start} "
                                              "of its value)", field=name) from None
            event = decoder.next_event()
    except ValueError:
        return  # a malformed form: werkzeug's parser says so when the view reads it
