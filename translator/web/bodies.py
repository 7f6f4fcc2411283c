"""Request bodies checked against the OpenAPI document's own request schemas.

What a JSON body (or a LibreTranslate form) may hold is stated once, in the component
schemas of :mod:`.openapi` that ``/v1/openapi.json`` serves: one Draft 2020-12 validator
per schema, built on first use, resolves their ``$ref``s through a ``referencing``
registry over that document. The most relevant error (jsonschema's ``best_match``, an
unknown field first, then a missing one, then a null) becomes one error of the
service's, naming the field as a JSON path (``terms[3].target``, ``text[2]``):
``unknown_field``, ``missing_field``, ``empty_input``, ``invalid_field``; the
LibreTranslate endpoints word it as LibreTranslate does (``Invalid request: missing q
parameter``).

What no schema can say (a language code nobody knows, a text over ``max_chars``, a term
that looks like markup) is :mod:`.validation`'s. One thing the schemas do say is answered
as the pipeline answers it, after those checks: a text whose language is to be detected
needs a letter (``422 undetectable_language``, see :func:`check_body`).

Speed: jsonschema walks a body in Python, about 20 µs per inline term (20 ms for a body of
1000 terms, a third of that request). The Rust ``jsonschema_rs`` validator of the same
schema over the same document says "valid" in 0.1 ms, so a valid body (nearly every
body) costs that; jsonschema stays the judge of the rest and words their errors. The two
agree on the tests' tables and generated bodies (``tests/test_web_request_schemas.py``);
where they might not, only the fast "valid" is skipped: jsonschema decides.

A refused body with an array over its ``maxItems`` (5001 ``pairs``, 1001 ``terms``) is not
walked item by item to say so: the Rust validator finds the array (one it misses is
walked whole), jsonschema walks the rest and the array's first ``minItems`` items, and
adds its maxItems error, the error the whole walk would rank first (the notes before
:func:`schema_errors` say why, and when an array is walked whole). Measured with
:func:`check_body`, median of 7: 3.5 ms instead of 110 ms to refuse 5001 pairs, 1.1 ms
instead of 26 ms for 1001 terms.
"""

from __future__ import annotations

from functools import cache

import jsonschema_rs
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match, relevance
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from ..errors import EmptyInput, TranslatorError, UndetectableLanguage
from .errors import InvalidField, MissingField, UnknownField
from .openapi import LETTER, REF, SCHEMAS, TEXT, openapi_document

#: where the registry holds the served document (the $refs in it are relative to it)
DOCUMENT = "urn:newsroom-translator:openapi"
# patterns that mean "not blank" (a blank string failing them is empty, not malformed)
_CONTENT = (TEXT["pattern"], LETTER)


@cache
def document() -> dict:
    """The OpenAPI document as served (its component schemas are :data:`.openapi.SCHEMAS`
    itself, not a copy)."""
    return openapi_document()


@cache
def registry() -> Registry:
    """The served OpenAPI document as the one resource every ``$ref`` resolves in."""
    return Registry().with_resource(DOCUMENT, Resource(document(), DRAFT202012))


@cache
def validator(name: str) -> Draft202012Validator:
    """The validator of the component schema ``name`` (one per schema, built once)."""
    if name not in SCHEMAS:
        raise KeyError(f"no component schema {name!r} in the OpenAPI document")
    return Draft202012Validator({"$ref": DOCUMENT + REF + name}, registry=registry())


@cache
def fast_validator(name: str):
    """The Rust validator of the same schema, over the same document: a quick "valid"."""
    validator(name)  # the same KeyError for a name the document does not have
    return jsonschema_rs.Draft202012Validator(
        {"$ref": DOCUMENT + REF + name}, registry=jsonschema_rs.Registry([(DOCUMENT, document())]))


def check_body(name: str, body, libre: bool = False) -> TranslatorError | None:
    """Check ``body`` against the component schema ``name``: raise its most relevant
    mistake as the service's error (LibreTranslate's words with ``libre``). A body whose
    only mistake is a text without a letter where the language is to be detected is
    not refused here: that error is returned, for the caller to raise once its own
    checks (sizes, language codes) have passed, as the pipeline would have answered."""
    try:
        if fast_validator(name).is_valid(body):
            return None
        too_long = over_max_items(name, body)
    except (ValueError, TypeError, OverflowError):  # a value it cannot convert: ask jsonschema
        too_long = []
    return judge(name, schema_errors(name, body, too_long), libre)


def judge(name: str, errors: list, libre: bool = False) -> TranslatorError | None:
    """Raise the most relevant of jsonschema's ``errors`` of a body of ``name`` as the
    service's error; return it when every error is a text without a letter (see
    :func:`check_body`); None for no error."""
    if not errors:
        return None
    root, key = SCHEMAS[name], _ranking(name)
    structural = [error for error in errors if not needs_letter(most_relevant([error], key))]
    if structural:
        raise problem(most_relevant(structural, key), root, libre)
    return problem(most_relevant(errors, key), root, libre)


def most_relevant(errors, key=relevance) -> ValidationError:
    """jsonschema's ``best_match``, which stops in a ``oneOf`` whose best errors tie; when
    they tie within one branch (``""`` is both too short and blank for a text), that
    branch is the answer and the descent goes on in it."""
    error = best_match(errors, key=key)
    while error.context:
        ranked = sorted(error.context, key=relevance)
        best = ranked[0]
        if any(relevance(other) == relevance(best)
               and other.relative_schema_path[0] != best.relative_schema_path[0]
               for other in ranked[1:]):
            break  # two branches fit as badly: the keyword's own error says what is expected
        error = best
    return error


@cache
def _ranking(name: str):
    """jsonschema's relevance after the service's order for the body's own fields: an
    unknown field, then a missing one, then a null, then the fields in the schema's
    order. (Within ``oneOf``, best_match picks the branch by relevance alone.) An error
    inside a field ranks below that field's own: :func:`schema_errors` counts on it."""
    names = list(SCHEMAS[name].get("properties", {}))

    def key(error: ValidationError) -> tuple:
        if error.parent is not None:
            return (0, 0, 0, *relevance(error))
        path = error.path
        if not path:
            first = {"additionalProperties": 3, "required": 2}.get(error.validator, 0)
        else:
            first = 1 if len(path) == 1 and error.instance is None else 0
        order = -names.index(path[0]) if path and path[0] in names else -len(names)
        return (first, -len(path), order, *relevance(error))
    return key


def needs_letter(error: ValidationError) -> bool:
    """A text that is there, not blank, but has no letter to detect its language by."""
    return (error.validator == "pattern" and error.validator_value == LETTER
            and isinstance(error.instance, str) and bool(error.instance.strip()))


# -- an array over its maxItems: its items are not walked ----------------------------------
#
# jsonschema finds every error of a body, so a list of 5001 pairs costs a walk of 5001
# items (0.1-0.3 s) to answer "pairs: too many". No error inside those items can be the
# answer: _ranking ranks first an unknown, missing or null field of the body itself (not
# an error inside a field), then the shallower error, so each error inside the array
# ranks below the array's own maxItems error; best_match takes the first error of the
# highest rank, and taking away errors ranked below another one leaves the same winner.
# That holds while nothing else looks into the array's items: not an anyOf, oneOf, not or
# if over it (whether a oneOf fails depends on them, and its answer is the deepest error
# of its branches), nor uniqueItems or contains (one error for all the items). The schema
# shows it (cuttable: field by field down to the array); where it does not, the array is
# walked whole, as is every array without maxItems.

#: what a schema may say besides what it checks
_NOTES = frozenset({"title", "description", "default", "examples", "$comment", "deprecated",
                    "readOnly", "writeOnly"})
#: an array whose items are checked one at a time, each by ``items``, and nothing else
_ARRAY = _NOTES | {"type", "items", "minItems", "maxItems"}
#: an object on the way to such an array (``additionalProperties`` is not for a field
#: ``properties`` names; ``required`` and the counts look at what fields there are)
_OBJECT = _NOTES | {"type", "properties", "required", "additionalProperties",
                    "minProperties", "maxProperties"}
#: keywords whose subschemas apply to the same object (they must not look at the field)
_IN_PLACE = ("allOf", "anyOf", "oneOf", "not", "if", "then", "else")


def schema_errors(name: str, body, too_long=()) -> list[ValidationError]:
    """jsonschema's errors of ``body`` (``validator(name).iter_errors``), but without those
    inside an array over its ``maxItems`` that cannot be the most relevant: ``too_long``
    holds the paths of such arrays (as the Rust validator reports them); each one the
    schema shows safe to cut is walked as its first ``minItems`` items, and its own
    maxItems error, jsonschema's, is added. The most relevant error is the same as with
    the whole walk (see the notes above); the others are not all there. An error found
    in a copy made on the way to a cut array is about the body's own value there."""
    errors, walked, copies = [], body, {}
    for path in sorted(too_long, key=len):  # an outer array first: what it drops is not looked for
        array = _at(walked, path)
        cut = cuttable(name, tuple(step if isinstance(step, str) else 0 for step in path)) \
            if isinstance(array, list) else None
        if cut is None or len(array) <= cut[0]["maxItems"]:
            continue
        schema, schema_path = cut
        walked = _replaced(walked, path, array[:schema.get("minItems", 0)], copies)  # no minItems error
        errors += _too_many(array, schema, path, schema_path)
    found = list(validator(name).iter_errors(walked))
    if copies:
        _put_back(found, copies)
    return found + errors


def over_max_items(name: str, body) -> list[list]:
    """The paths of the arrays of ``body`` over their ``maxItems``, as the Rust validator
    finds them (in Rust: milliseconds where jsonschema takes a tenth of a second)."""
    return [error.instance_path for error in fast_validator(name).iter_errors(body)
            if isinstance(error.kind, jsonschema_rs.ValidationErrorKind.MaxItems)]


def _too_many(array: list, schema: dict, path, schema_path) -> list[ValidationError]:
    """jsonschema's maxItems error of ``array`` as the whole walk would have it."""
    errors = list(Draft202012Validator({"maxItems": schema["maxItems"]}).iter_errors(array))
    for error in errors:
        error.schema = schema
        error.relative_path.extendleft(reversed(path))
        error.relative_schema_path.extendleft(reversed(schema_path))
    return errors


@cache
def cuttable(name: str, path: tuple) -> tuple[dict, list] | None:
    """The schema and schema path of the array at ``path`` (an item's index as 0) of a
    body of schema ``name`` when nothing but its own ``items`` looks at its items, and it
    has a ``maxItems`` that a cut to its ``minItems`` keeps; None when that is not shown."""
    schema, schema_path = SCHEMAS[name], []
    for step in path:
        schema = _followed(schema)
        if isinstance(step, str):
            if not _plain(schema, _OBJECT | set(_IN_PLACE)) or step not in schema.get("properties", {}) \
                    or any(_looks_at(sub, step) for sub in _subschemas(schema)):
                return None
            schema, schema_path = schema["properties"][step], [*schema_path, "properties", step]
        elif _plain_array(schema):
            schema, schema_path = schema.get("items", True), [*schema_path, "items"]
        else:
            return None
    schema = _followed(schema)
    if not _plain_array(schema) or not isinstance(schema.get("maxItems"), int):
        return None
    least = schema.get("minItems", 0)
    return (schema, schema_path) if isinstance(least, int) and least <= schema["maxItems"] else None


def _plain(schema, keywords) -> bool:
    return isinstance(schema, dict) and set(schema) <= keywords


def _plain_array(schema) -> bool:
    return (_plain(schema, _ARRAY) and schema.get("type") == "array"
            and isinstance(schema.get("items", True), (dict, bool)) and schema.get("items") is not False)


def _subschemas(schema: dict) -> list:
    """The subschemas of ``schema`` that apply to the instance it applies to."""
    found = []
    for keyword in _IN_PLACE:
        if keyword in schema:
            value = schema[keyword]
            found += value if isinstance(value, list) else [value]
    return found


def _looks_at(schema, field: str, depth: int = 0) -> bool:
    """Whether ``schema``, applied to an object, may look at what its ``field`` holds: yes
    unless it only looks at which fields there are, at other fields, or through
    subschemas that do not."""
    if isinstance(schema, bool):
        return False
    if depth > 20 or not _plain(schema, _NOTES | {"type", "properties", "required", "minProperties",
                                                  "maxProperties", "$ref", *_IN_PLACE}):
        return True
    subschemas = _subschemas(schema) + ([_lookup(schema["$ref"])] if "$ref" in schema else [])
    return field in schema.get("properties", {}) or any(
        _looks_at(sub, field, depth + 1) for sub in subschemas)


def _followed(schema):
    """``schema`` after the ``$ref``s that stand alone in it (None for one beside checks)."""
    for _ in range(20):
        if not isinstance(schema, dict) or "$ref" not in schema:
            return schema
        if not _plain(schema, _NOTES | {"$ref"}):
            return None
        schema = _lookup(schema["$ref"])
    return None


def _lookup(ref: str):
    return registry().resolver(DOCUMENT).lookup(ref).contents


def _at(value, path):
    """What ``value`` holds at ``path``, or None where it holds nothing."""
    for step in path:
        if isinstance(value, dict) and isinstance(step, str) and step in value \
                or isinstance(value, list) and isinstance(step, int) and 0 <= step < len(value):
            value = value[step]
        else:
            return None
    return value


def _replaced(value, path, new, copies: dict):
    """A copy of ``value`` with ``new`` at ``path``: only the containers on the way are
    copied, and ``copies`` maps each copy's id to (the copy, what it stands for)."""
    copy = new if not path else value.copy()
    copies[id(copy)] = copy, copies.get(id(value), (value, value))[1]  # the copy kept: its id stays its
    if path:
        copy[path[0]] = _replaced(value[path[0]], path[1:], new, copies)
    return copy


def _put_back(errors, copies: dict) -> None:
    """Errors found in copies made by :func:`_replaced` about what the body holds there."""
    for error in errors:
        if id(error.instance) in copies:
            error.instance = copies[id(error.instance)][1]
        _put_back(error.context, copies)


# -- one error of the service's per mistake ---------------------------------------------

def field_path(path) -> str:
    """A JSON path as the service names fields: ``terms[3].target``, ``text[2]``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out if path else "body"


def json_type(value) -> str:
    """What a JSON value is, in words (``an array``, ``null``)."""
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean",
            int: "a number", float: "a number", type(None): "null"}.get(type(value), "a value")


_TYPES = {"string": "a string", "boolean": "true or false", "integer": "an integer",
          "number": "a number", "object": "an object", "array": "a list", "null": "null"}
_PLURALS = {"string": "strings", "boolean": "booleans", "integer": "integers",
            "number": "numbers", "object": "objects", "array": "lists"}


def describe(schema) -> str:
    """What ``schema`` expects, in words: ``a string or a list of strings``."""
    if not isinstance(schema, dict):
        return "a valid value"
    if "title" in schema:
        return schema["title"]
    if "$ref" in schema:
        return describe(registry().resolver(DOCUMENT).lookup(schema["$ref"]).contents)
    if "enum" in schema:
        return "one of " + ", ".join(str(v) for v in schema["enum"] if v not in ("", None))
    if "const" in schema:
        return repr(schema["const"])
    for keyword in ("oneOf", "anyOf"):
        if keyword in schema:
            return " or ".join(describe(branch) for branch in schema[keyword])
    types = schema.get("type", [])
    words = []
    for name in [types] if isinstance(types, str) else types:
        items = schema.get("items", {})
        if name == "array" and isinstance(items, dict) and isinstance(items.get("type"), str):
            words.append(f"a list of {_PLURALS.get(items['type'], 'items')}")
        else:
            words.append(_TYPES.get(name, name))
    return " or ".join(words) or "a valid value"


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def problem(error: ValidationError, root: dict, libre: bool = False) -> TranslatorError:
    """The service's error for one schema error of a body whose schema is ``root``."""
    path, value, keyword = list(error.absolute_path), error.instance, error.validator
    field = field_path(path)
    own = len(path) == 1  # a field of the body itself, not inside one
    say = _Libre(field, own) if libre else _V1(field)
    if keyword == "additionalProperties":
        known = list(error.schema.get("properties", {}))
        name = sorted(k for k in value if k not in known)[0]
        return say.unknown(name, known, top=not path)
    if keyword == "required":
        name = next(n for n in error.validator_value if n not in value)
        return say.missing(field_path([*path, name]), top=not path)
    if value is None and own:
        if path[0] in root.get("required", ()):
            return say.missing(field, top=True)
        return say.null()
    if _empty(error):
        return say.empty(value, top=own)
    if needs_letter(error):
        return UndetectableLanguage(f"cannot detect the language of {field}: it has no letters "
                                    "(only digits, punctuation or symbols)", field=field)
    if keyword in ("type", "oneOf", "anyOf", "pattern"):
        return say.expected(describe(error.schema), value, keyword)
    if keyword in ("enum", "const"):
        choices = error.validator_value if keyword == "enum" else [error.validator_value]
        return say.choice([c for c in choices if c not in ("", None)], value)
    if keyword in ("maxItems", "minItems", "maxLength", "minLength", "maxProperties"):
        return say.count(keyword, error.validator_value, error.schema, len(value))
    if keyword in ("maximum", "minimum", "exclusiveMaximum", "exclusiveMinimum"):
        return say.bound(keyword, error.validator_value)
    return say.other(error.message)


def _empty(error: ValidationError) -> bool:
    """Nothing where something is needed: ``""``, blank text, ``[]``, ``{}``."""
    value = error.instance
    if error.validator in ("minLength", "minItems", "minProperties"):
        return len(value) == 0
    return (error.validator == "pattern" and error.validator_value in _CONTENT
            and isinstance(value, str) and not value.strip())


_UNITS = {"maxItems": "items", "minItems": "items", "maxLength": "characters",
          "minLength": "characters", "maxProperties": "fields"}


class _V1:
    """The /v1 API's words: ``field 'terms[3].target' must be a string, not null``."""

    def __init__(self, field: str):
        self.field = field

    def unknown(self, name: str, known: list[str], top: bool) -> TranslatorError:
        fields = ", ".join(known)
        if top:
            return UnknownField(f"unknown field {name!r}; fields: {fields}", field=name)
        field = f"{self.field}.{name}"
        return InvalidField(f"unknown field {field!r}; fields of {self.field}: {fields}", field=field)

    def missing(self, field: str, top: bool) -> TranslatorError:
        if top:
            return MissingField(f"field {field!r} is required", field=field)
        return InvalidField(f"field {field!r} is required", field=field)

    def null(self) -> TranslatorError:
        return InvalidField(f"field {self.field!r} must not be null; leave it out for its default",
                            field=self.field)

    def empty(self, value, top: bool) -> TranslatorError:
        if isinstance(value, str):
            return EmptyInput(f"{self.field} is empty", field=self.field)
        what = "list" if isinstance(value, list) else "object"
        return EmptyInput(f"field {self.field!r} is an empty {what}", field=self.field)

    def expected(self, expected: str, value, keyword: str) -> TranslatorError:
        got = _short(value) if keyword == "pattern" else json_type(value)
        return InvalidField(f"field {self.field!r} must be {expected}, not {got}", field=self.field)

    def choice(self, choices: list, value) -> TranslatorError:
        return InvalidField(f"field {self.field!r} must be one of {', '.join(map(str, choices))}",
                            field=self.field)

    def count(self, keyword: str, limit: int, schema: dict, size: int) -> TranslatorError:
        unit = _UNITS[keyword]
        if keyword.startswith("max"):
            message = f"field {self.field!r} has {size} {unit}; at most {limit}"
        elif schema.get("maxItems") == limit:
            message = f"field {self.field!r} must hold exactly {limit} {unit}, not {size}"
        else:
            message = f"field {self.field!r} has {size} {unit}; at least {limit}"
        return InvalidField(message, field=self.field, limit=limit, size=size)

    def bound(self, keyword: str, limit) -> TranslatorError:
        words = {"maximum": "at most", "minimum": "at least", "exclusiveMaximum": "below",
                 "exclusiveMinimum": "above"}[keyword]
        return InvalidField(f"field {self.field!r} must be {words} {limit}", field=self.field,
                            limit=limit)

    def other(self, message: str) -> TranslatorError:
        return InvalidField(f"field {self.field!r} is not valid: {message[:200]}", field=self.field)


class _Libre:
    """LibreTranslate's words: ``Invalid request: missing q parameter``."""

    def __init__(self, field: str, own: bool):
        self.field = field
        self.label = f"{field} parameter" if own else field

    def unknown(self, name: str, known: list[str], top: bool) -> TranslatorError:
        return InvalidField(f"Invalid request: unknown parameter {name!r}", field=name)

    def missing(self, field: str, top: bool) -> TranslatorError:
        return MissingField(f"Invalid request: missing {field} parameter", field=field)

    def null(self) -> TranslatorError:
        return self.missing(self.field, True)

    def empty(self, value, top: bool) -> TranslatorError:
        if top and (value == "" or value == []):  # LibreTranslate: `if not q`
            return self.missing(self.field, True)
        return EmptyInput(f"Invalid request: {self.field} is empty", field=self.field)

    def expected(self, expected: str, value, keyword: str) -> TranslatorError:
        got = _short(value) if keyword == "pattern" else json_type(value)
        return InvalidField(f"Invalid request: {self.label} must be {expected}, not {got}",
                            field=self.field)

    def choice(self, choices: list, value) -> TranslatorError:
        return InvalidField(f"{value} {self.field} is not supported", field=self.field)

    def count(self, keyword: str, limit: int, schema: dict, size: int) -> TranslatorError:
        words = "at most" if keyword.startswith("max") else "at least"
        return InvalidField(f"Invalid request: {self.label} has {size} {_UNITS[keyword]}; "
                            f"{words} {limit}", field=self.field, limit=limit, size=size)

    def bound(self, keyword: str, limit) -> TranslatorError:
        sign = {"maximum": "<=", "minimum": ">=", "exclusiveMaximum": "<",
                "exclusiveMinimum": ">"}[keyword]
        return InvalidField(f"Invalid request: {self.label} must be {sign} {limit}",
                            field=self.field, limit=limit)

    def other(self, message: str) -> TranslatorError:
        return InvalidField(f"Invalid request: {self.label} is not valid: {message[:200]}",
                            field=self.field)
