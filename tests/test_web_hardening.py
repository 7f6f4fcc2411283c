"""Hostile input through the real app (issue 15): redirects that stay on the site, no 500
from nesting, surrogates or bad form encodings, XML that always parses, error messages
without server details, and an OpenAPI document that agrees with the server."""

from __future__ import annotations

import logging
from urllib.parse import quote, urlsplit

import jsonschema
import pytest

from test_web import openapi_caller, ready_app, tmx_is_valid, web_settings, xliff_is_valid
from translator.web import create_app

NESTED = b"[" * 100_000
SURROGATE = b'"Le chat \\ud800 dort."'


@pytest.fixture(scope="module")
def app(tmp_path_factory, argos_fr_en):
    with ready_app(web_settings(tmp_path_factory.mktemp("hardening"), argos_fr_en,
                                max_request_bytes=4 * 1024 * 1024)) as app:
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="module")
def openapi(app):
    return app.test_client().get("/v1/openapi.json").get_json()


@pytest.fixture
def call(client, openapi):
    return openapi_caller(client, openapi)


@pytest.fixture
def locked_app(tmp_path, argos_fr_en):
    app = create_app(web_settings(tmp_path, argos_fr_en, api_keys_required=True), load_models=False)
    yield app
    app.extensions["translator"].close()


def error_code(response) -> str:
    body = response.get_json()
    return body["code"] if isinstance(body.get("error"), str) else body["error"]["code"]


# -- redirects ---------------------------------------------------------------------------

OTHER_SITES = ["/\t/evil.example", "/%09/evil.example", "//evil.example", "/\\evil.example",
               "/\\/evil.example", "https://evil.example/", "javascript:alert(1)",
               "/\r\nSet-Cookie: a=b", "/%0d%0aSet-Cookie:%20a=b", "/\n/evil.example",
               "/\x0b/evil.example", "/\x7f/evil.example", "\x00/x", " //evil.example",
               "/\u2028/evil.example", "evil.example"]


def assert_same_site(location: str) -> None:
    parts = urlsplit(location)
    assert not parts.scheme and not parts.netloc, location
    assert location.startswith("/") and not location.startswith(("//", "/\\")), location
    assert not any(ord(ch) < 0x20 or ch.isspace() for ch in location), location


@pytest.mark.parametrize("target", OTHER_SITES)
def test_login_never_redirects_to_another_site(client, locked_app, target):
    # quote() decodes once on the server: "/%09/..." arrives as the text "/%09/..." and is
    # refused too, since a browser would decode it on its way to the Location.
    url = "/login?next=" + quote(target, safe="")
    for app_client in (client, locked_app.test_client()):
        response = app_client.get(url)
        assert response.status_code in (200, 302)
        if response.status_code == 302:
            assert_same_site(response.headers["Location"])
            assert response.headers["Location"] == "/"
        else:
            assert 'name="next" value="/"' in response.get_data(as_text=True)


@pytest.mark.parametrize("target", ["/\t/evil.example", "/%0d%0aX:%20y", "//evil.example"])
def test_login_with_a_valid_key_stays_on_the_site(locked_app, target):
    client = locked_app.test_client()
    key, _ = locked_app.extensions["translator"].store.keys.create("desk")
    response = client.post("/login", data={"key": key, "next": target})
    assert response.status_code == 303
    assert response.headers["Location"] == "/"


def test_login_keeps_a_path_of_this_site(locked_app):
    client = locked_app.test_client()
    key, _ = locked_app.extensions["translator"].store.keys.create("desk")
    response = client.post("/login", data={"key": key, "next": "/review/abc?order=confidence&below=70"})
    assert response.headers["Location"] == "/review/abc?order=confidence&below=70"


# -- no 500 from input ---------------------------------------------------------------------

JSON_ENDPOINTS = [("POST", "/v1/translate"), ("POST", "/v1/detect"), ("POST", "/v1/align"),
                  ("PUT", "/v1/glossaries/desk?format=json"), ("PUT", "/review/nodoc/segments/0"),
                  ("POST", "/translate"), ("POST", "/detect")]


@pytest.mark.parametrize("method, url", JSON_ENDPOINTS)
@pytest.mark.parametrize("body", [NESTED, b'{"text": ' + b"[" * 40 + b"]" * 40 + b"}",
                                  b"{" + b'"a":{' * 5000 + b"}" * 5001])
def test_deeply_nested_json_is_a_400_everywhere(client, method, url, body):
    response = client.open(url, method=method, data=body, content_type="application/json")
    assert response.status_code == 400, response.get_data(as_text=True)[:200]
    assert error_code(response) == "invalid_json"


SURROGATE_BODIES = [
    ("/v1/translate", b'{"text": ' + SURROGATE + b', "source": "fr", "target": "en"}', "text"),
    ("/v1/translate", b'{"text": ["Bonjour.", ' + SURROGATE + b'], "source": "fr", "target": "en"}', "text"),
    ("/v1/translate", b'{"text": ' + SURROGATE + b', "source": "fr", "target": "en", "format": "tmx"}',
     "text"),
    ("/v1/translate", b'{"text": "Le chat.", "target": "en", "terms": [{"source": "chat", '
                      b'"target": "\\udfff"}]}', "terms"),
    ("/v1/detect", b'{"text": ' + SURROGATE + b"}", "text"),
    ("/v1/align", b'{"source_text": "Le chat.", "target_text": ' + SURROGATE + b"}", "target_text"),
    ("/translate", b'{"q": ' + SURROGATE + b', "source": "fr", "target": "en"}', "q"),
    ("/translate", b'{"q": ["Bonjour", ' + SURROGATE + b'], "source": "fr", "target": "en"}', "q"),
    ("/detect", b'{"q": ' + SURROGATE + b"}", "q"),
]


@pytest.mark.parametrize("url, body, field", SURROGATE_BODIES)
def test_lone_surrogates_are_an_encoding_error(client, url, body, field):
    response = client.post(url, data=body, content_type="application/json")
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert error_code(response) == "invalid_encoding"
    if not url.startswith("/v1"):
        return
    assert response.get_json()["error"]["details"]["field"] == field


def test_a_valid_surrogate_pair_is_one_character(client):
    response = client.post("/v1/translate", data=b'{"text": "Le chat \\ud83d\\ude00 dort.", '
                           b'"source": "fr", "target": "en"}', content_type="application/json")
    assert response.status_code == 200 and "\U0001F600" in response.get_json()["source_text"]


def test_glossary_put_with_a_surrogate_stores_nothing(client):
    body = (b'{"entries": [{"terms": {"fr": ["Kim Jong Un"], "en": ["Kim Jong \\ud800Un"]}}]}')
    response = client.put("/v1/glossaries/names", data=body, content_type="application/json")
    assert (response.status_code, error_code(response)) == (400, "invalid_encoding")
    assert client.get("/v1/glossaries/names").status_code == 404
    assert client.put("/v1/glossaries/names?format=json", json={"entries": [
        {"terms": {"fr": ["Kim Jong Un"], "en": ["Kim Jong-un"]}}]}).status_code == 201
    again = client.put("/v1/glossaries/names?format=json&replace=true", data=body,
                       content_type="application/json")
    assert again.status_code == 400
    kept = client.get("/v1/glossaries/names").get_json()["entries"]
    assert kept[0]["terms"]["en"] == ["Kim Jong-un"]


@pytest.mark.parametrize("body", [b"q=%FF%FE&source=fr&target=en", b"q=Bonjour&source=fr&target=%C3",
                                  b"q=\xff\xfe&source=fr&target=en", b"q%FF=x&source=fr&target=en"])
def test_libretranslate_form_that_is_not_utf8_is_an_encoding_error(client, body):
    response = client.post("/translate", data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert response.get_json()["code"] == "invalid_encoding"
    assert "UTF-8" in response.get_json()["error"]


def test_query_string_that_is_not_utf8_is_an_encoding_error(client):
    response = client.get("/v1/jobs?limit=%FF")
    assert (response.status_code, error_code(response)) == (400, "invalid_encoding")
    assert client.post("/translate?q=%E9t%E9", data={"source": "fr", "target": "en"}).status_code == 400


def test_review_form_that_is_not_utf8_is_an_encoding_error(client):
    response = client.post("/review", data=b"text=%E9t%E9&target=en",
                           content_type="application/x-www-form-urlencoded",
                           headers={"Accept": "application/json"})
    assert (response.status_code, error_code(response)) == (400, "invalid_encoding")


def test_null_in_an_optional_field_is_refused(call):
    cases = [("/v1/align", {"source_text": "Bonjour.", "target_text": "Hello.", "format": None}),
             ("/v1/translate", {"text": "Bonjour.", "source": "fr", "target": "en", "format": None}),
             ("/v1/translate", {"text": "Bonjour.", "target": "en", "glossary": None}),
             ("/v1/detect", {"text": "Bonjour tout le monde.", "target": None})]
    for url, body in cases:
        response = call("POST", url, json=body)
        assert response.status_code == 400, (url, body)
        null = next(name for name, value in body.items() if value is None)
        assert response.get_json()["error"] == {
            "code": "invalid_field", "details": {"field": null},
            "message": f"field {null!r} must not be null; leave it out for its default"}


# -- XML outputs ---------------------------------------------------------------------------

def test_tmx_leaves_out_what_xml_cannot_carry_and_says_so(call):
    text = "Le chat\ufffe dort.\x01 Le chien\uffff joue."
    response = call("POST", "/v1/translate", json={"text": text, "source": "fr", "target": "en",
                                                   "format": "tmx"})
    assert response.status_code == 200
    doc = tmx_is_valid(response.get_data(as_text=True))
    notes = [note.text for note in doc.iter("note")]
    assert any("U+FFFE" in note and "U+0001" in note for note in notes), notes
    assert any("U+FFFF" in note for note in notes), notes
    segs = ["".join(seg.itertext()) for seg in doc.iter("seg")]
    assert "Le chat dort. Le chien joue." in segs


def test_xliff_escapes_what_xml_cannot_carry(call):
    response = call("POST", "/v1/translate", json={"text": "Le chat\ufffe dort.", "source": "fr",
                                                   "target": "en", "format": "xliff"})
    doc = xliff_is_valid(response.get_data(as_text=True))
    assert 'hex="FFFE"' in response.get_data(as_text=True)
    assert doc is not None


def test_tsv_list_and_review_exports_with_forbidden_characters(client):
    body = {"text": ["Le chat\ufffe dort.", "Le\x02 chien joue."], "source": "fr", "target": "en"}
    response = client.post("/v1/translate?format=tmx", json=body)
    assert response.status_code == 200
    tmx_is_valid(response.get_data(as_text=True))
    glossary = client.put("/v1/glossaries/odd?format=json", json={"entries": [
        {"id": "x\ufffe1", "note": "a\uffffb", "terms": {"fr": ["chat"], "en": ["cat"]}}]})
    assert glossary.status_code == 201, glossary.get_json()
    from lxml import etree

    tbx = client.get("/v1/glossaries/odd?format=tbx")
    assert tbx.status_code == 200
    etree.fromstring(tbx.get_data())


# -- error messages without server details ------------------------------------------------

def test_store_failure_names_no_path_and_logs_it_with_the_request_id(tmp_path, argos_fr_en, caplog):
    app = create_app(web_settings(tmp_path, argos_fr_en), load_models=False)
    service = app.extensions["translator"]
    try:
        db_path = service.settings.db_path
        service.store.db.close()
        for suffix in ("", "-wal", "-shm"):
            path = db_path.with_name(db_path.name + suffix)
            if path.exists():
                path.unlink()
        db_path.mkdir()  # the database's path is now a folder: nothing can open it
        with caplog.at_level(logging.ERROR, logger="translator.web"):
            response = app.test_client().post("/v1/translate", json={
                "text": "Le chat dort.", "source": "fr", "target": "en"})
        assert response.status_code == 503
        error = response.get_json()["error"]
        assert error["code"] == "store_unavailable"
        assert str(tmp_path) not in response.get_data(as_text=True)
        assert "database" in error["message"]
        rid = response.headers["X-Request-Id"]
        assert error["details"] == {"request_id": rid} and rid in error["message"]
        logged = [r.getMessage() for r in caplog.records if rid in r.getMessage()]
        assert logged and str(db_path) in logged[0]
    finally:
        service.close()


# -- the OpenAPI document agrees with the server --------------------------------------------

AGREEMENT = [
    # (method, path, JSON body or form, content type)
    ("POST", "/v1/translate", {"text": "Le chat dort.", "target": ""}, "json"),
    ("POST", "/v1/translate", {"text": "0", "target": "en"}, "json"),
    ("POST", "/v1/translate", {"text": ["Le chat dort.", "0"], "target": "en"}, "json"),
    ("POST", "/v1/translate", {"text": "0", "source": "fr", "target": "en"}, "json"),
    ("POST", "/v1/translate", {"text": "12345 !", "source": "AUTO", "target": "en"}, "json"),
    ("POST", "/v1/translate", {"text": " ", "source": "fr", "target": "en"}, "json"),
    ("POST", "/v1/translate", {"text": "Le chat dort.", "target": "en", "format": None}, "json"),
    ("POST", "/v1/translate", {"text": "Le chat dort.", "source": "fr", "target": "en"}, "json"),
    ("POST", "/v1/detect", {"text": "0"}, "json"),
    ("POST", "/v1/detect", {"text": "Le chat dort sur le canapé."}, "json"),
    ("POST", "/v1/align", {"source_text": "Le chat dort.", "target_text": "The cat sleeps.",
                           "format": None}, "json"),
    ("POST", "/v1/align", {"source_text": "Le chat dort.", "target_text": "0"}, "json"),
    ("POST", "/v1/align", {"source_text": "0", "target_text": "The cat sleeps."}, "json"),
    ("POST", "/v1/align", {"source_text": "Le chat dort.", "target_text": "The cat sleeps."}, "json"),
    ("POST", "/translate", {"q": "", "source": "fr", "target": "en"}, "json"),
    ("POST", "/translate", {"q": "Le chat dort.", "source": "fr", "target": ""}, "json"),
    ("POST", "/translate", {"q": "0", "target": "en"}, "json"),
    ("POST", "/translate", {"q": "Le chat dort.", "source": "fr", "target": "en"}, "form"),
    ("POST", "/detect", {"q": "Le chat dort sur le canapé."}, "form"),
    ("POST", "/detect", {"q": "Le chat dort sur le canapé."}, "json"),
    ("POST", "/detect", {"q": "0"}, "json"),
]


def _schema_accepts(openapi: dict, method: str, path: str, body, kind: str) -> bool:
    media = "application/json" if kind == "json" else "application/x-www-form-urlencoded"
    schema = openapi["paths"][path][method.lower()]["requestBody"]["content"][media]["schema"]
    validator = jsonschema.Draft202012Validator({**schema, "components": openapi["components"]})
    return validator.is_valid(body)


@pytest.mark.parametrize("method, path, body, kind", AGREEMENT)
def test_openapi_request_schemas_agree_with_the_server(call, openapi, method, path, body, kind):
    accepted = _schema_accepts(openapi, method, path, body, kind)
    response = call(method, path, **({"json": body} if kind == "json" else {"data": body}))
    assert response.status_code < 500
    assert accepted == (response.status_code < 300), (accepted, response.get_data(as_text=True)[:300])


# -- fuzzing: whatever the body, never a 5xx ------------------------------------------------

from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

ODD_TEXT = st.text(st.characters(min_codepoint=0, max_codepoint=0x10FFFF, categories=None,
                                 exclude_categories=()), max_size=12)
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(min_value=-10**30, max_value=10**30),
                    st.floats(allow_nan=False), ODD_TEXT,
                    st.sampled_from(["fr", "en", "auto", "", "json", "tmx", "Le chat dort."]))
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3) |
                      st.dictionaries(ODD_TEXT, inner, max_size=3), max_leaves=8)
FIELDS = st.sampled_from(["text", "q", "source", "target", "format", "terms", "glossary",
                          "source_text", "target_text", "mt", "routable", "entries", "reviewed"])
BODIES = st.dictionaries(FIELDS, VALUES, max_size=4)
RAW = st.sampled_from([b"1e999999", b"9" * 5000, b"[" * 3000, b'{"text": "\\udc00"}', b"\x00",
                       b'{"text": "a", "text": 1}', b"-", b'{"q": NaN}', b'"\\ud800"'])
FUZZED = [("POST", "/v1/translate"), ("POST", "/v1/detect"), ("POST", "/v1/align"),
          ("PUT", "/v1/glossaries/fuzz?format=json"), ("POST", "/translate"), ("POST", "/detect")]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(endpoint=st.sampled_from(FUZZED), body=st.one_of(BODIES, VALUES), raw=st.none() | RAW,
       form=st.booleans())
def test_fuzzed_bodies_never_get_a_5xx(client, endpoint, body, raw, form):
    import json as jsonlib

    method, url = endpoint
    if raw is not None:
        kwargs = {"data": raw, "content_type": "application/json"}
    elif form and isinstance(body, dict) and url in ("/translate", "/detect"):
        # a field name is text the client encodes (a lone surrogate cannot be sent: "?")
        kwargs = {"data": {k.encode("utf-8", "replace").decode(): str(v).encode("utf-8", "surrogatepass")
                           for k, v in body.items()}}
    else:
        text = jsonlib.dumps(body, ensure_ascii=True)  # lone surrogates as \\u escapes
        kwargs = {"data": text.encode(), "content_type": "application/json"}
    response = client.open(url, method=method, **kwargs)
    assert response.status_code < 500, response.get_data(as_text=True)[:300]
    client.delete("/v1/glossaries/fuzz")


def test_multipart_form_field_that_is_not_utf8_is_an_encoding_error(client):
    boundary = "xYzZY"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"q\"\r\n\r\n").encode() + \
        b"\xff\xfe chat\r\n" + \
        (f"--{boundary}\r\nContent-Disposition: form-data; name=\"target\"\r\n\r\nen\r\n"
         f"--{boundary}--\r\n").encode()
    response = client.post("/translate", data=body,
                           content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 400
    assert response.get_json() == {"error": "form field 'q' is not UTF-8 (byte 0 of its value)",
                                   "code": "invalid_encoding"}
    # A file's bytes are the file's business (the review page checks an upload itself).
    import io

    upload = client.post("/review", data={"target": "en", "source": "fr",
                                          "file": (io.BytesIO(b"\xff\xfe"), "a.txt")},
                         headers={"Accept": "application/json"})
    assert upload.status_code == 400 and "not UTF-8" in upload.get_data(as_text=True)
    good = client.post("/translate", data={"q": "Le chat dort.", "source": "fr", "target": "en"},
                       content_type="multipart/form-data")
    assert good.status_code == 200


@pytest.mark.parametrize("url, field", [("/translate_file", "file"), ("/v1/translate", "file"),
                                        ("/review", "file"), ("/v1/jobs", "archive")])
def test_multipart_file_name_that_is_not_utf8_is_an_encoding_error(client, url, field):
    # werkzeug dropped the part whose headers it could not decode: "missing file parameter"
    boundary = "xYzZY"
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="target"\r\n\r\nen\r\n'
            f'--{boundary}\r\n').encode() + \
        f'Content-Disposition: form-data; name="{field}"; filename="'.encode() + b"\xe9t\xe9.txt" + \
        f'"\r\nContent-Type: text/plain\r\n\r\nLe chat dort.\r\n--{boundary}--\r\n'.encode()
    response = client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}",
                           headers={"Accept": "application/json"})
    assert (response.status_code, error_code(response)) == (400, "invalid_encoding")
    assert f"form field '{field}' (its name or file name) are not UTF-8" in response.get_data(as_text=True)


def test_control_characters_left_out_of_a_translation_are_said(call):
    # "a\x00b" was "It has b" (Apertium reads a control character as a space), silently.
    text = "Le chat\x00 dort\x07\x00."
    for target in ("es", "en"):  # Apertium; the CTranslate2 test model
        response = call("POST", "/v1/translate", json={"text": text, "source": "fr", "target": target})
        assert response.status_code == 200
        segment = response.get_json()["segments"][0]
        lost = [ch for ch in "\x00\x07" for _ in range(text.count(ch) - segment["target"].count(ch))]
        names = ", ".join(f"U+{ord(ch):04X}" for ch in dict.fromkeys(lost))
        said = [w for w in segment["warnings"] if "control character" in w]
        assert said == [f"{len(lost)} control character{'s' * (len(lost) > 1)} of the source "
                        f"({names}) left out of the translation"][:len(lost)], (target, segment)
        if target == "es":
            assert len(lost) == 3 and segment["target"].startswith("El gato")
    clean = call("POST", "/v1/translate", json={"text": "Le chat dort.", "source": "fr", "target": "es"})
    assert clean.get_json()["segments"][0]["warnings"] == []
