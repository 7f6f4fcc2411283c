"""Request bodies turned into small request objects, with one error per mistake.

A JSON body is first checked against its schema in the OpenAPI document
(:func:`.bodies.check_body`: fields, types, enums, sizes of lists, blank texts); what
is left here is what no schema can say: language codes, text sizes against the
settings, encodings, terms that look like markup. Each endpoint's body becomes a frozen
dataclass, naming the field in every error (``details.field``), so the views only deal
with valid requests.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from urllib.parse import unquote_to_bytes

from flask import request
from werkzeug.sansio.multipart import Data, Epilogue, Field, File, MultipartDecoder, NeedData

from .. import languages
from ..errors import EmptyInput, InputTooLarge, InvalidEncoding, UnknownLanguage
from ..formats import registry
from .bodies import check_body, json_type
from .errors import InvalidBody, InvalidField, InvalidJSON, UnknownField

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
        raise InvalidBody(f"request body must be a JSON object, not {json_type(body)}")
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


def language_field(value: str, name: str, allow_auto: bool = False) -> str:
    """A canonical language code (or ``auto``), naming the field when it is unknown."""
    if allow_auto and value.strip().lower() in ("", AUTO):
        return AUTO
    try:
        return languages.canonical(value)
    except UnknownLanguage:
        raise UnknownLanguage(f"unknown language code {value!r} in field {name!r}",
                              field=name, code=value) from None


def text_value(value: str, name: str, max_chars: int) -> str:
    """One document: within the size limit, and not blank (a form's text; a JSON body's
    blank text is refused by its schema)."""
    if len(value) > max_chars:
        raise InputTooLarge(f"{name} has {len(value)} characters; the limit is {max_chars}",
                            field=name, limit=max_chars, size=len(value))
    if not value.strip():
        raise EmptyInput(f"{name} is empty", field=name)
    return value


def format_value(value: str | None, formats=FORMATS) -> str | None:
    """``?format=``, which no body schema covers (any case)."""
    if value is None:
        return None
    if value.lower() not in formats:
        raise InvalidField(f"field 'format' must be one of {', '.join(formats)}", field="format")
    return value.lower()


def translate_request(body: dict, max_chars: int) -> TranslateRequest:
    """Validate a ``/v1/translate`` body (``format`` may also come as a query parameter)."""
    undetectable = check_body("TranslateRequest", body)
    text = body["text"]
    is_list = isinstance(text, list)
    texts = tuple(text_value(t, f"text[{i}]" if is_list else "text", max_chars)
                  for i, t in enumerate(text if is_list else [text]))
    target = language_field(body["target"], "target")
    source = language_field(body.get("source", AUTO), "source", allow_auto=True)
    fmt = body.get("format") or format_value(request.args.get("format"))
    terms = terms_field(body.get("terms", []))
    if undetectable:
        raise undetectable
    return TranslateRequest(texts, target, source, fmt, is_list, body.get("glossary"), terms)


def terms_field(terms: list[dict]) -> tuple[tuple[str, str], ...]:
    """Inline terms, literal text: no markup, control characters or regular expressions."""
    from ..glossary.rules import term_problem

    out = []
    for i, term in enumerate(terms):
        for side in ("source", "target"):
            problem = term_problem(term[side])
            if problem:
                raise InvalidField(f"terms[{i}].{side}: {problem}", field=f"terms[{i}].{side}")
        out.append((term["source"].strip(), term["target"].strip()))
    return tuple(out)


def detect_request(body: dict, max_chars: int) -> DetectRequest:
    undetectable = check_body("DetectRequest", body)
    text = text_value(body["text"], "text", max_chars)
    target = body.get("target")
    target = None if target is None else language_field(target, "target")
    if undetectable:
        raise undetectable
    return DetectRequest(text, target, body.get("routable", True))


ALIGN_FORMATS = registry.names("alignment", web=True)


def align_request(body: dict, max_chars: int) -> AlignRequest:
    """Validate a ``/v1/align`` body: two texts, their languages (or auto), MT similarity."""
    check_body("AlignRequest", body)
    source_text = text_value(body["source_text"], "source_text", max_chars)
    target_text = text_value(body["target_text"], "target_text", max_chars)
    source = language_field(body.get("source", AUTO), "source", allow_auto=True)
    target = language_field(body.get("target", AUTO), "target", allow_auto=True)
    fmt = body.get("format") or format_value(request.args.get("format"), ALIGN_FORMATS)
    return AlignRequest(source_text, target_text, source, target, body.get("mt", "auto"), fmt)


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
            if isinstance(event, (Field, File)) and not event.name:  # werkzeug would key it None
                raise UnknownField("a part of the form has no name; give each part one "
                                   "(Content-Disposition: form-data; name=...)", field="")
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
    except UnicodeDecodeError as exc:
        # a part's headers: its field name or its file name (werkzeug would drop the part)
        field = part_name(exc.object)
        raise InvalidEncoding(f"the headers of form field {field!r} (its name or file name) "
                              "are not UTF-8", field=field) from None
    except ValueError:
        return  # a malformed form: werkzeug's parser says so when the view reads it


def part_name(headers: bytes) -> str:
    """The field name a multipart part's raw headers give, as far as it can be read."""
    found = re.search(rb'[;\s]name="([^"]*)"', headers)
    return found.group(1).decode("utf-8", "replace") if found else "?"
