"""Request bodies against the OpenAPI document (issue 14): the service checks every JSON
body (and LibreTranslate's forms) with the document's own request schemas, so

- a body the document refuses is a 400 naming, in ``details.field``, a field the schema
  complains about (422 ``undetectable_language`` when the only complaint is a text with
  no letter whose language was to be detected);
- a body the document accepts is refused only for what no schema says: a language code
  nobody knows, a text over ``max_chars``, a term that looks like markup...

Tables of known cases first (with bodies over an array's ``maxItems``, whose items the
service does not walk: the same error as a whole walk), then generated bodies
(schemathesis, from the served document) for every operation that takes JSON."""

from __future__ import annotations

import json
import re

import jsonschema
import pytest
import schemathesis
from hypothesis import HealthCheck, assume, given, settings, strategies as st
from schemathesis.generation.modes import GenerationMode

from test_web import check_openapi, openapi_caller, ready_app, web_settings
from translator.errors import TranslatorError
from translator.web import bodies, openapi as openapi_module

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
#: codes of a body the schema refuses
STRUCTURAL = {"missing_field", "unknown_field", "invalid_field", "empty_input"}
#: codes of the checks no schema states (a body the schema accepts may get these)
SEMANTIC = {"unknown_language", "input_too_large", "unsupported_pair", "undetectable_language",
            "glossary_not_found", "document_not_found", "segment_not_found", "bad_glossary",
            "invalid_encoding"}
#: fields the remaining semantic checks name with invalid_field, by operation: terms that
#: look like markup and a format a list cannot take, a glossary entry's rules and language
#: codes, the same language twice (a text over max_chars is 413 input_too_large)
SEMANTIC_FIELDS = {"/v1/translate": r"terms\[\d+\]\.(source|target)|format",
                   "/v1/glossaries/{name}": r"entries\[\d+\](\.terms\..*)?",
                   "/align/memory": "target_lang",
                   "/suggest": None}  # LibreTranslate's shape names no field: the same
#                                       language twice, sentences that do not pair


@pytest.fixture(scope="module")
def app(tmp_path_factory, argos_fr_en):
    with ready_app(web_settings(tmp_path_factory.mktemp("request-schemas"), argos_fr_en,
                                suggestions=True, batch_wait_ms=0, max_request_bytes=4 << 20,
                                ready_check_seconds=0),
                   run_jobs=False) as app:
        yield app


@pytest.fixture(scope="module")
def openapi(app):
    return app.test_client().get("/v1/openapi.json").get_json()


@pytest.fixture
def client(app):
    return app.test_client()


def request_schema(openapi: dict, method: str, path: str, media: str = JSON) -> dict:
    return openapi["paths"][path][method.lower()]["requestBody"]["content"][media]["schema"]


_validators: dict = {}


def schema_errors(openapi: dict, method: str, path: str, body, media: str = JSON) -> list:
    """The errors of ``body`` by the served document alone (not the server's validator)."""
    key = (id(openapi), method, path, media)
    if key not in _validators:  # one per operation (the document outlives it: kept with it)
        _validators[key] = openapi, jsonschema.Draft202012Validator(
            {**request_schema(openapi, method, path, media), "components": openapi["components"]})
    return list(_validators[key][1].iter_errors(body))


def engines_agree(openapi: dict, method: str, path: str, body, media: str = JSON) -> None:
    """The service's quick Rust check says "valid" exactly when jsonschema does."""
    name = request_schema(openapi, method, path, media)["$ref"].rsplit("/", 1)[1]
    try:
        fast = bodies.fast_validator(name).is_valid(body)
    except (ValueError, TypeError, OverflowError):
        return  # the service asks jsonschema then
    assert fast == bodies.validator(name).is_valid(body), (name, body)


def named_fields(errors) -> set[str]:
    """Every field the schema errors name, as JSON paths (``terms[3].target``): where
    each error is, the missing or unknown property it names, in every oneOf branch."""
    out = set()
    for error in errors:
        path = list(error.absolute_path)
        out.add(bodies.field_path(path))
        if error.validator == "required":
            out |= {bodies.field_path([*path, name]) for name in error.validator_value}
        if error.validator == "additionalProperties":
            out |= {bodies.field_path([*path, name]) for name in error.instance}
        out |= named_fields(error.context)
    return out


def needs_a_letter_only(errors) -> bool:
    """Every complaint is a text without a letter (the detection's 422)."""
    return all(bodies.needs_letter(bodies.most_relevant([error])) for error in errors)


# -- known cases ---------------------------------------------------------------------------

T, A, D = "/v1/translate", "/v1/align", "/v1/detect"
G, GP = "/v1/glossaries/tables?format=json&replace=true", "/v1/glossaries/{name}"
R, RP = "/review/nodoc/segments/0", "/review/{doc_id}/segments/{index}"
M = "/align/memory"
OK_T = {"text": "Le chat dort.", "source": "fr", "target": "en"}
OK_A = {"source_text": "Le chat dort.", "target_text": "The cat sleeps."}
ENTRY = {"terms": {"fr": ["chat"], "en": ["cat"]}}
OK_M = {"source_lang": "fr", "target_lang": "en", "source_name": "a", "target_name": "b",
        "pairs": [["Le chat.", "The cat."]]}

REFUSED = [
    # (method, url, documented path, body, status, code, field)
    ("POST", T, T, {"target": "en"}, 400, "missing_field", "text"),
    ("POST", T, T, {**OK_T, "text": None}, 400, "missing_field", "text"),
    ("POST", T, T, {**OK_T, "text": 42}, 400, "invalid_field", "text"),
    ("POST", T, T, {**OK_T, "text": ["ok", 3]}, 400, "invalid_field", "text[1]"),
    ("POST", T, T, {**OK_T, "text": ["ok", " "]}, 400, "empty_input", "text[1]"),
    ("POST", T, T, {**OK_T, "text": []}, 400, "empty_input", "text"),
    ("POST", T, T, {**OK_T, "target": ""}, 400, "empty_input", "target"),
    ("POST", T, T, {**OK_T, "format": "JSON"}, 400, "invalid_field", "format"),
    ("POST", T, T, {**OK_T, "format": None}, 400, "invalid_field", "format"),
    ("POST", T, T, {**OK_T, "colour": "red", "text": 5}, 400, "unknown_field", "colour"),
    ("POST", T, T, {**OK_T, "terms": [{"source": "a", "target": "b"}] * 3 +
                    [{"source": "chien", "target": None}]}, 400, "invalid_field", "terms[3].target"),
    ("POST", T, T, {**OK_T, "terms": [{"source": "chat"}]}, 400, "invalid_field", "terms[0].target"),
    ("POST", T, T, {**OK_T, "terms": [{"source": "a", "target": "b", "x": 1}]}, 400,
     "invalid_field", "terms[0].x"),
    ("POST", T, T, {**OK_T, "terms": [{"source": "a", "target": "b"}] *
                    (openapi_module.MAX_INLINE_TERMS + 1)}, 400, "invalid_field", "terms"),
    ("POST", T, T, {"text": "12345", "target": "en"}, 422, "undetectable_language", "text"),
    ("POST", T, T, {"text": ["Le chat dort.", "0"], "source": " Auto ", "target": "en"}, 422,
     "undetectable_language", "text[1]"),
    ("POST", A, A, {"target_text": "x"}, 400, "missing_field", "source_text"),
    ("POST", A, A, {**OK_A, "mt": "maybe"}, 400, "invalid_field", "mt"),
    ("POST", A, A, {**OK_A, "format": "xliff"}, 400, "invalid_field", "format"),
    ("POST", A, A, {**OK_A, "target_text": "  "}, 400, "empty_input", "target_text"),
    ("POST", A, A, {**OK_A, "extra": 1}, 400, "unknown_field", "extra"),
    ("POST", D, D, {"text": "Bonjour", "routable": "yes"}, 400, "invalid_field", "routable"),
    ("POST", D, D, {"text": ["Bonjour"]}, 400, "invalid_field", "text"),
    ("POST", D, D, {"text": "Bonjour", "target": ""}, 400, "empty_input", "target"),
    ("POST", D, D, {"text": "2024 !"}, 422, "undetectable_language", "text"),
    ("PUT", G, GP, {}, 400, "missing_field", "entries"),
    ("PUT", G, GP, {"entries": [ENTRY], "name": "x"}, 400, "unknown_field", "name"),
    ("PUT", G, GP, {"entries": [{**ENTRY, "dnt": "false"}]}, 400, "invalid_field", "entries[0].dnt"),
    ("PUT", G, GP, {"entries": [ENTRY, {"id": "b"}]}, 400, "invalid_field", "entries[1].terms"),
    ("PUT", G, GP, {"entries": [{"terms": {"fr": [], "en": ["cat"]}}]}, 400, "empty_input",
     "entries[0].terms.fr"),
    ("PUT", G, GP, {"entries": [{**ENTRY, "type": "animal"}]}, 400, "invalid_field", "entries[0].type"),
    ("PUT", G, GP, {"entries": [{**ENTRY, "Note": "x"}]}, 400, "invalid_field", "entries[0].Note"),
    ("PUT", R, RP, {"reviewed": True}, 400, "missing_field", "target"),
    ("PUT", R, RP, {"target": 3}, 400, "invalid_field", "target"),
    ("PUT", R, RP, {"target": "x", "reviewed": None}, 400, "invalid_field", "reviewed"),
    ("POST", M, M, {"pairs": []}, 400, "missing_field", "source_lang"),
    ("POST", M, M, {**OK_M, "pairs": [["a", "b"], 3]}, 400, "invalid_field", "pairs[1]"),
    ("POST", M, M, {**OK_M, "pairs": [["a"]]}, 400, "invalid_field", "pairs[0]"),
    ("POST", M, M, {**OK_M, "pairs": [["a", " "]]}, 400, "empty_input", "pairs[0][1]"),
    ("POST", M, M, {**OK_M, "pairs": [["a", "b"]] * (openapi_module.MAX_PAIRS + 1)}, 400,
     "invalid_field", "pairs"),
    ("POST", M, M, {**OK_M, "source_name": "n" * (openapi_module.MAX_NAME + 1)}, 400,
     "invalid_field", "source_name"),
]


@pytest.mark.parametrize("method, url, path, body, status, code, field", REFUSED)
def test_a_body_the_document_refuses_is_refused_naming_the_field(
        client, openapi, method, url, path, body, status, code, field):
    errors = schema_errors(openapi, method, path, body)
    assert errors, "the document accepts this body"
    engines_agree(openapi, method, path, body)
    assert field in named_fields(errors)
    response = client.open(url, method=method, json=body)
    error = response.get_json()["error"]
    assert (response.status_code, error["code"], error["details"]["field"]) == (status, code, field), error
    assert error["message"] and (field in error["message"] or code == "unknown_field")
    check_openapi(openapi, path, method, response.status_code, response.mimetype, response.get_json())


LIBRE_REFUSED = [
    # (path, media, body, code, message)
    ("/translate", JSON, {"target": "en"}, "missing_field", "Invalid request: missing q parameter"),
    ("/translate", FORM, {"q": "", "target": "en"}, "missing_field", "Invalid request: missing q parameter"),
    ("/translate", JSON, {"q": [], "target": "en"}, "missing_field", "Invalid request: missing q parameter"),
    ("/translate", JSON, {"q": "x", "target": None}, "missing_field",
     "Invalid request: missing target parameter"),
    ("/translate", FORM, {"q": "x", "target": ""}, "missing_field",
     "Invalid request: missing target parameter"),
    ("/translate", JSON, {"q": ["a", 5], "target": "en"}, "invalid_field",
     "Invalid request: q[1] must be a string, not a number"),
    ("/translate", JSON, {"q": "x", "target": "en", "format": "pdf"}, "invalid_field",
     "pdf format is not supported"),
    ("/translate", FORM, {"q": "x", "target": "en", "alternatives": "11"}, "invalid_field",
     "Invalid request: alternatives parameter must be an integer, at most 10, not '11'"),
    ("/translate", JSON, {"q": "x", "target": "en", "alternatives": 11}, "invalid_field",
     "Invalid request: alternatives parameter must be <= 10"),
    ("/translate", JSON, {"q": "x", "target": "en", "alternatives": True}, "invalid_field",
     "Invalid request: alternatives parameter must be an integer, at most 10, not a boolean"),
    ("/detect", JSON, {"q": " "}, "empty_input", "Invalid request: q is empty"),
    ("/detect", FORM, {}, "missing_field", "Invalid request: missing q parameter"),
    ("/suggest", JSON, {"q": "Le chat.", "s": "The cat.", "source": "fr", "target": 5},
     "invalid_field", "Invalid request: target parameter must be a string, not a number"),
    ("/suggest", FORM, {"q": "Le chat.", "s": "", "source": "fr", "target": "en"},
     "missing_field", "Invalid request: missing s parameter"),
]


@pytest.mark.parametrize("path, media, body, code, message", LIBRE_REFUSED)
def test_libretranslate_bodies_the_document_refuses_keep_its_error_shape(
        client, openapi, path, media, body, code, message):
    assert schema_errors(openapi, "POST", path, body, media)
    engines_agree(openapi, "POST", path, body, media)
    response = client.post(path, **({"json": body} if media == JSON else {"data": body}))
    assert response.status_code == 400
    assert response.get_json() == {"error": message, "code": code}


ACCEPTED = [
    # (method, url, documented path, body, status, code, field): the schema says yes,
    # what no schema says says no
    ("POST", T, T, {**OK_T, "target": "klingon"}, 400, "unknown_language", "target"),
    ("POST", T, T, {**OK_T, "text": "x" * 5001}, 413, "input_too_large", "text"),
    ("POST", T, T, {**OK_T, "target": "vi"}, 422, "unsupported_pair", None),
    ("POST", T, T, {**OK_T, "glossary": "nope"}, 404, "glossary_not_found", None),
    ("POST", T, T, {**OK_T, "terms": [{"source": "<b>chat</b>", "target": "cat"}]}, 400,
     "invalid_field", "terms[0].source"),
    ("POST", T, T, {"text": "€€€", "target": "en"}, 422, "undetectable_language", None),
    ("POST", T, T, {"text": ["Le chat.", "Le chien."], "source": "fr", "target": "en",
                    "format": "tsv"}, 400, "invalid_field", "format"),
    ("POST", A, A, {**OK_A, "source": "zz"}, 400, "unknown_language", "source"),
    ("POST", D, D, {"text": "Bonjour", "target": "zz"}, 400, "unknown_language", "target"),
    ("PUT", G, GP, {"entries": [{"terms": {"xx": ["chat"], "en": ["cat"]}}]}, 400,
     "invalid_field", "entries[0].terms.xx"),
    ("PUT", G, GP, {"entries": [{"terms": {"fr": ["chat"], "FR": ["minou"], "en": ["cat"]}}]}, 400,
     "invalid_field", "entries[0].terms.FR"),
    ("PUT", R, RP, {"target": "x"}, 404, "document_not_found", None),
    ("POST", M, M, {**OK_M, "target_lang": "fr"}, 400, "invalid_field", "target_lang"),
    ("POST", M, M, {**OK_M, "source_lang": "xx"}, 400, "unknown_language", "source_lang"),
    ("POST", M, M, {**OK_M, "pairs": [["a", "b" * 5001]]}, 413, "input_too_large", "pairs[0][1]"),
]


@pytest.mark.parametrize("method, url, path, body, status, code, field", ACCEPTED)
def test_a_body_the_document_accepts_is_refused_only_for_what_no_schema_says(
        client, openapi, method, url, path, body, status, code, field):
    assert not schema_errors(openapi, method, path, body)
    engines_agree(openapi, method, path, body)
    response = client.open(url, method=method, json=body)
    error = response.get_json()["error"]
    assert (response.status_code, error["code"]) == (status, code), error
    if field:
        assert error["details"]["field"] == field


def test_null_and_empty_optional_libretranslate_parameters_are_their_defaults(client, openapi):
    for media in (JSON, FORM):
        body = {"q": "Le chat dort.", "source": "", "target": "en", "format": "",
                "alternatives": ""}
        if media == JSON:
            body |= {"source": None, "format": None, "alternatives": None, "api_key": None}
        assert not schema_errors(openapi, "POST", "/translate", body, media)
        response = client.post("/translate", **({"json": body} if media == JSON else {"data": body}))
        assert response.status_code == 200, response.get_json()
        assert response.get_json()["translatedText"] == "Le chat dort."


# -- an array over its maxItems ---------------------------------------------------------------
# Its items are not walked (bodies.schema_errors): the answer must be the whole walk's.

PAIR, TERM = ["a", "b"], {"source": "a", "target": "b"}
PAIRS, TERMS = openapi_module.MAX_PAIRS, openapi_module.MAX_INLINE_TERMS
OVER_MAX_ITEMS = [
    # (method, url, schema, body, field the whole walk names), errors in items before and
    # after where the array is cut (its minItems), and beside it
    ("POST", M, "AlignMemoryRequest", {**OK_M, "pairs": [["a", 5]] + [PAIR] * PAIRS}, "pairs"),
    ("POST", M, "AlignMemoryRequest",
     {**OK_M, "pairs": [PAIR] * 3 + [["a"], [" ", "b"]] + [PAIR] * PAIRS + [3, ["a", "b", "c"]]}, "pairs"),
    ("POST", M, "AlignMemoryRequest", {**OK_M, "source_name": "", "pairs": [[5]] + [PAIR] * PAIRS + [[5]]},
     "source_name"),
    ("POST", M, "AlignMemoryRequest", {**OK_M, "target_lang": None, "pairs": [PAIR] * (PAIRS + 1)},
     "target_lang"),
    # an array over its maxItems inside one: the shallower wins, wherever the deeper are
    ("POST", M, "AlignMemoryRequest", {**OK_M, "pairs": [["a", 5], ["a", "b", 3, 4]]}, "pairs[1]"),
    ("POST", M, "AlignMemoryRequest", {**OK_M, "pairs": [["a", "b", "c"]] * 2 + [PAIR] * PAIRS}, "pairs"),
    ("POST", T, "TranslateRequest", {**OK_T, "terms": [{"source": "a"}] + [TERM] * TERMS}, "terms"),
    ("POST", T, "TranslateRequest", {**OK_T, "terms": [TERM] * (TERMS + 1) + [{"source": ""}]}, "terms"),
    ("POST", T, "TranslateRequest", {**OK_T, "text": ["Le chat.", 5], "terms": [7] * (TERMS + 1)},
     "text[1]"),
    ("POST", T, "TranslateRequest", {"text": "12345", "target": "en", "terms": [TERM] * (TERMS + 1)},
     "terms"),
    ("POST", T, "TranslateRequest", {**OK_T, "colour": "red", "terms": [TERM] * (TERMS + 2)}, "colour"),
]


def whole_walk(name: str, body) -> TranslatorError:
    """The service's error for ``body`` from every error jsonschema finds in it."""
    with pytest.raises(TranslatorError) as raised:
        bodies.judge(name, list(bodies.validator(name).iter_errors(body)))
    return raised.value


@pytest.mark.parametrize("method, url, name, body, field", OVER_MAX_ITEMS)
def test_a_body_over_max_items_gets_the_error_the_whole_walk_ranks_first(
        client, method, url, name, body, field):
    expected = whole_walk(name, body)
    assert expected.details["field"] == field
    assert bodies.over_max_items(name, body)  # the Rust validator finds the array: it is cut
    response = client.open(url, method=method, json=body)
    assert (response.status_code, response.get_json()) == (expected.http_status, expected.to_dict())


def test_the_items_of_an_array_over_max_items_are_not_walked():
    name, body = "AlignMemoryRequest", {**OK_M, "pairs": [["", 5]] * (PAIRS + 1)}  # 3 errors a pair
    errors = bodies.schema_errors(name, body, bodies.over_max_items(name, body))
    # its maxItems error, and those of the one pair its minItems keeps
    assert sorted(bodies.field_path(error.absolute_path) for error in errors) == \
        ["pairs", "pairs[0][0]", "pairs[0][0]", "pairs[0][1]"]
    assert errors[-1].instance is body["pairs"]


@pytest.mark.parametrize("url, body, field", [
    (T, {**OK_T, "text": ["Le chat."] * 9000 + [5]}, "text[9000]"),
    (G, {"entries": [ENTRY] * 3000 + [{"id": "b"}]}, "entries[3000].terms"),
    (M, {**OK_M, "pairs": [PAIR] * (PAIRS - 1) + [["a", 5]]}, "pairs[4999][1]"),
])
def test_an_array_within_its_limits_is_walked_to_its_last_item(client, url, body, field):
    response = client.open(url, method="PUT" if url == G else "POST", json=body)
    error = response.get_json()["error"]
    assert (response.status_code, error["code"], error["details"]["field"]) == (400, "invalid_field", field)


ARRAY = {"type": "array", "maxItems": 2, "items": {"type": "string"}}
#: (schema of an object whose field "a" holds ["x", "y", "z", 5], is it cut?)
CUTS = [
    ({"type": "object", "properties": {"a": ARRAY}}, True),
    ({"type": "object", "properties": {"a": ARRAY, "b": {"type": "string"}},
      "if": {"properties": {"b": {"const": "x"}}}, "then": {"required": ["b"]}}, True),
    ({"properties": {"a": ARRAY}, "if": {"properties": {"a": {"maxItems": 3}}},
      "then": {"required": ["b"]}}, False),
    ({"properties": {"a": {"oneOf": [ARRAY, {"type": "null"}]}}}, False),  # a[3] wins there
    ({"properties": {"a": {"anyOf": [ARRAY, {"type": "null"}]}}}, False),
    ({"properties": {"a": ARRAY}, "anyOf": [{"properties": {"a": {"maxItems": 9}}}]}, False),
    ({"properties": {"a": ARRAY}, "allOf": [{"additionalProperties": {"type": "array"}}]}, False),
    ({"properties": {"a": ARRAY}, "patternProperties": {"^a": {"maxItems": 1}}}, False),
    ({"properties": {"a": {**ARRAY, "uniqueItems": True}}}, False),
    ({"properties": {"a": {**ARRAY, "contains": {"type": "integer"}}}}, False),
    ({"properties": {"a": {**ARRAY, "prefixItems": [{"type": "integer"}]}}}, False),
    ({"properties": {"a": {**ARRAY, "minItems": 3}}}, False),  # the cut would be too short
    ({"properties": {"a": {"type": "array", "items": {"type": "string"}}}}, False),  # no maxItems
]


@pytest.mark.parametrize("index", range(len(CUTS)))
def test_an_array_is_cut_only_where_the_schema_shows_its_items_cannot_win(monkeypatch, index):
    schema, cut = CUTS[index]
    name = f"CutCase{index}"
    monkeypatch.setitem(openapi_module.SCHEMAS, name, schema)
    body = {"a": ["x", "y", "z", 5]}
    try:
        assert (bodies.cuttable(name, ("a",)) is not None) == cut
        expected = list(bodies.validator(name).iter_errors(body))
        # as if the Rust validator had found "a" too long, whatever the schema around it
        found = bodies.schema_errors(name, body, [["a"]])
        assert len(found) < len(expected) if cut else len(found) == len(expected)
        best, whole = (bodies.most_relevant(errors, bodies._ranking(name)) for errors in (found, expected))
        assert (best.validator, list(best.absolute_path), list(best.absolute_schema_path),
                best.instance, best.message, best.schema) == \
            (whole.validator, list(whole.absolute_path), list(whole.absolute_schema_path),
             whole.instance, whole.message, whole.schema)
        assert best.instance is whole.instance
    finally:
        for function in (bodies.validator, bodies.fast_validator, bodies.cuttable, bodies._ranking):
            function.cache_clear()  # nothing of the test's schema stays


def test_the_documents_arrays_with_a_max_items_are_cut():
    pairs = openapi_module.SCHEMAS["AlignMemoryRequest"]["properties"]["pairs"]
    assert bodies.cuttable("AlignMemoryRequest", ("pairs",)) == (pairs, ["properties", "pairs"])
    assert bodies.cuttable("AlignMemoryRequest", ("pairs", 0)) == (
        pairs["items"], ["properties", "pairs", "items"])
    assert bodies.cuttable("TranslateRequest", ("terms",))[0]["maxItems"] == TERMS
    assert bodies.cuttable("TranslateRequest", ("text",)) is None  # a oneOf, without maxItems


# -- the validators are the document's ---------------------------------------------------------

def test_one_validator_per_schema_over_the_served_document(openapi):
    assert bodies.validator("TranslateRequest") is bodies.validator("TranslateRequest")
    assert bodies.fast_validator("TranslateRequest") is bodies.fast_validator("TranslateRequest")
    resolved = bodies.registry().resolver(bodies.DOCUMENT).lookup(
        "#/components/schemas/TranslateRequest").contents
    assert resolved is openapi_module.SCHEMAS["TranslateRequest"]  # the same object, not a copy
    assert openapi["components"]["schemas"] == json.loads(json.dumps(openapi_module.SCHEMAS))
    for build in (bodies.validator, bodies.fast_validator):
        with pytest.raises(KeyError):
            build("NoSuchSchema")


def json_operations(openapi: dict) -> dict[tuple[str, str], str]:
    """(method, path) -> component name of every operation taking a JSON body."""
    out = {}
    for path, item in openapi["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            schema = operation.get("requestBody", {}).get("content", {}).get(JSON, {}).get("schema")
            if schema is not None:
                out[method.upper(), path] = schema.get("$ref", "").removeprefix("#/components/schemas/")
    return out


GENERATED = {("POST", T): {}, ("POST", A): {}, ("POST", D): {},
             ("PUT", GP): {"path_parameters": {"name": "generated"}, "query": {"format": "json"}},
             ("PUT", RP): {"path_parameters": {"doc_id": "nodoc", "index": 0}},
             ("POST", M): {}, ("POST", "/translate"): {}, ("POST", "/detect"): {},
             ("POST", "/suggest"): {}}
#: what the generated cases have besides their body: only the body is sent (to the URL of
#: GENERATED), so every other parameter is given, and a negative case always breaks its body
PINNED = {("POST", T): {"query": {"format": "json"}}, ("POST", A): {"query": {"format": "json"}}}


def _strategy(operations, mode, method: str, path: str, media: str = JSON):
    return operations[method, path].as_strategy(
        mode, media_type=media, **GENERATED[method, path], **PINNED.get((method, path), {}))


def test_every_json_body_is_a_component_schema_and_is_tested_here(openapi):
    operations = json_operations(openapi)
    assert all(name in openapi_module.SCHEMAS for name in operations.values()), operations
    assert set(operations) == set(GENERATED)


def test_the_test_helper_refuses_a_success_for_a_body_the_document_refuses(openapi):
    with pytest.raises(AssertionError, match="refuses"):
        check_openapi(openapi, D, "POST", 200, JSON, {}, (JSON, {"text": "Bonjour", "x": 1}))


# -- generated bodies -------------------------------------------------------------------------

def _url(path: str, options: dict) -> str:
    url = path
    for name, value in options.get("path_parameters", {}).items():
        url = url.replace("{" + name + "}", str(value))
    query = options.get("query")
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _send(client, method: str, url: str, body):
    text = json.dumps(body, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: refused before any schema (test_web_hardening)
        assume(False)
    return client.open(url, method=method, data=text.encode("utf-8"), content_type=JSON)


def _without_keys(body):
    # an api_key in a body is checked before it (403 for an unknown one)
    return {k: v for k, v in body.items() if k not in ("api_key", "apiKey")} \
        if isinstance(body, dict) else body


@pytest.fixture(scope="module")
def operations(app):
    schema = schemathesis.openapi.from_wsgi("/v1/openapi.json", app)
    found = [result.ok() for result in schema.get_all_operations()]
    return {(op.method.upper(), op.path): op for op in found}


def _error(response) -> tuple[str, str | None]:
    body = response.get_json()
    if isinstance(body.get("error"), str):  # LibreTranslate's shape
        return body["code"], None
    return body["error"]["code"], body["error"].get("details", {}).get("field")


@pytest.mark.parametrize("method, path", list(GENERATED))
def test_generated_bodies_the_document_refuses_are_refused_naming_a_field_it_names(
        app, openapi, operations, method, path):
    url = _url(path, GENERATED[method, path])
    strategy = _strategy(operations, GenerationMode.NEGATIVE, method, path)

    @given(case=strategy)
    @settings(max_examples=40, deadline=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    def check(case):
        body = _without_keys(case.body)
        assume(isinstance(body, dict))
        errors = schema_errors(openapi, method, path, body)
        assume(errors)  # the case broke something else than the body
        engines_agree(openapi, method, path, body)
        response = _send(app.test_client(), method, url, body)
        assert response.status_code < 500
        code, field = _error(response)
        if needs_a_letter_only(errors):
            assert code in SEMANTIC, response.get_json()
            return
        assert (response.status_code, code in STRUCTURAL) == (400, True), (body, response.get_json())
        if field is not None or not path.startswith(("/translate", "/detect", "/suggest")):
            assert field in named_fields(errors), (body, response.get_json())

    check()


LANGUAGE_FIELDS = ("source", "target", "source_lang", "target_lang")


def _semantic_field(path: str, code: str, field: str | None) -> bool:
    """An invalid_field of one of the checks no schema states."""
    if code != "invalid_field" or path not in SEMANTIC_FIELDS:
        return False
    pattern = SEMANTIC_FIELDS[path]
    return field is None if pattern is None else bool(field and re.fullmatch(pattern, field, re.DOTALL))


def _known_languages(body, languages: list):
    """``body`` with some of its language codes replaced by known ones (``fr``, ``auto``):
    random strings alone would only ever test unknown_language."""
    if not isinstance(body, dict):
        return body
    return {**body, **{name: code for name, code in zip(LANGUAGE_FIELDS, languages)
                       if code is not None and isinstance(body.get(name), str)}}


@pytest.mark.parametrize("method, path", list(GENERATED))
def test_generated_bodies_the_document_accepts_are_refused_for_no_structural_reason(
        app, openapi, operations, method, path):
    url = _url(path, GENERATED[method, path])
    strategy = _strategy(operations, GenerationMode.POSITIVE, method, path)

    @given(case=strategy, languages=st.lists(st.sampled_from(["fr", "en", "auto", None]),
                                             min_size=4, max_size=4))
    @settings(max_examples=30, deadline=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    def check(case, languages):
        body = _known_languages(_without_keys(case.body), languages)
        assume(not schema_errors(openapi, method, path, body))
        engines_agree(openapi, method, path, body)
        response = _send(app.test_client(), method, url, body)
        assert response.status_code < 500, response.get_data(as_text=True)[:300]
        if response.status_code >= 400:
            code, field = _error(response)
            assert code in SEMANTIC or _semantic_field(path, code, field), (body, response.get_json())
        app.test_client().delete("/v1/glossaries/generated")

    check()


LIBRE = ["/translate", "/detect", "/suggest"]


@pytest.mark.parametrize("path", LIBRE)
def test_generated_forms_the_document_accepts_are_refused_for_no_structural_reason(
        app, openapi, operations, path):
    strategy = _strategy(operations, GenerationMode.POSITIVE, "POST", path, FORM)

    @given(case=strategy, languages=st.lists(st.sampled_from(["fr", "en", "auto", None]),
                                             min_size=4, max_size=4))
    @settings(max_examples=30, deadline=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    def check(case, languages):
        body = _known_languages(_without_keys(case.body), languages)
        assume(isinstance(body, dict))
        # as a form carries it: text, a repeated field for a list, nothing for null
        form = {name: value if isinstance(value, list) else str(value)
                for name, value in body.items() if value is not None}
        assume(all(isinstance(v, str) for value in form.values()
                   for v in (value if isinstance(value, list) else [value])))
        assume(not schema_errors(openapi, "POST", path, form, FORM))
        engines_agree(openapi, "POST", path, form, FORM)
        try:
            encoded = {k: v.encode("utf-8") if isinstance(v, str) else [x.encode("utf-8") for x in v]
                       for k, v in form.items()}
        except UnicodeEncodeError:
            assume(False)
        response = app.test_client().post(path, data=encoded)
        assert response.status_code < 500, response.get_data(as_text=True)[:300]
        if response.status_code >= 400:
            code, field = _error(response)
            assert code in SEMANTIC or _semantic_field(path, code, field), (form, response.get_json())

    check()


# -- the tests' own helper ----------------------------------------------------------------

def test_successful_requests_through_the_helper_are_checked_against_the_document(client, openapi):
    call = openapi_caller(client, openapi)
    assert call("POST", T, json=OK_T).status_code == 200
    assert call("POST", "/translate", data={"q": ["Le chat.", "Le chien."], "source": "fr",
                                            "target": "en", "alternatives": "2"}).status_code == 200
