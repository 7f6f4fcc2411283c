"""The HTTP API through the real app: Flask's test client, the copy model on CTranslate2,
real Apertium, a real SQLite file. Every JSON response is checked against the
OpenAPI document the app serves."""

from __future__ import annotations

import contextlib
import json
import shutil
import threading
import time
from pathlib import Path

import jsonschema
import pytest
from lxml import etree

from translator.engines.apertium import ApertiumEngine
from translator.formats import registry
from translator.settings import SETTINGS, Settings
from translator.web import create_app

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "examples" / "sggp-putin-dprk.fr.txt"
SCHEMAS = Path(__file__).resolve().parent / "data" / "schemas"
needs_apertium = pytest.mark.skipif(not ApertiumEngine.available(), reason="apertium not installed")
FRENCH = "Le chat dort sur le canapé. Le chien joue dans le jardin.\n\nLa Russie et la Corée du Nord coopèrent."


# -- helpers shared with test_serve.py and test_browser.py -------------------------------

def web_settings(root: Path, package: Path | None = None, **overrides) -> Settings:
    """Settings of an isolated service under ``root`` (the copy model installed if given)."""
    models = root / "models"
    models.mkdir(parents=True, exist_ok=True)
    if package is not None and not (models / package.name).exists():
        shutil.copytree(package, models / package.name)
    values = dict(models_dir=models, argos_packages_dir=root / "argos", db_path=root / "translator.db",
                  glossary_db=root / "glossaries.db", max_chars=5000, max_request_bytes=64 * 1024)
    values.update(overrides)
    return Settings(**values)


def wait_ready(client, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while client.get("/health/ready").status_code != 200:
        assert time.monotonic() < deadline, "models never became ready"
        time.sleep(0.05)


@contextlib.contextmanager
def ready_app(settings, **options):
    """The app of ``settings``, once its models are loaded and checked; closed after."""
    app = create_app(settings, **options)
    wait_ready(app.test_client())
    try:
        yield app
    finally:
        app.extensions["translator"].close()


def validate_schemas(doc: dict, schema: dict, instance) -> None:
    """Validate ``instance`` against an OpenAPI schema, resolving its component references."""
    jsonschema.Draft202012Validator({**schema, "components": doc["components"]}).validate(instance)


def check_openapi(doc: dict, path: str, method: str, status: int, mimetype: str, body,
                  request=None) -> None:
    """The response is documented for this path, method and status, and matches its schema;
    a request that succeeded (2xx) is one the document accepts: ``request``, (media type,
    body) as sent, matches the operation's request body schema."""
    operation = doc["paths"][path][method.lower()]
    if request is not None and 200 <= status < 300:
        media, sent = request
        documented_request = operation.get("requestBody", {}).get("content", {}).get(media)
        assert documented_request, f"{method} {path} takes no {media} body in the OpenAPI document"
        errors = [error.message for error in jsonschema.Draft202012Validator(
            {**documented_request["schema"], "components": doc["components"]}).iter_errors(sent)]
        assert not errors, f"{method} {path} -> {status} for a body the document refuses: {errors}"
    documented = operation["responses"].get(str(status))
    assert documented, f"{method} {path} -> {status} is not in the OpenAPI document"
    if "content" not in documented:  # 204 No Content
        assert body is None
        return
    assert mimetype in documented["content"], f"{method} {path} -> {status} {mimetype} undocumented"
    if mimetype == "application/json":
        validate_schemas(doc, documented["content"][mimetype]["schema"], body)


def check_alignment(result: dict) -> None:
    for seg in result["segments"]:
        assert result["source_text"][slice(*seg["source_span"])] == seg["source"]
        assert result["target_text"][slice(*seg["target_span"])] == seg["target"]


def tmx_is_valid(text: str):
    doc = etree.fromstring(text.encode("utf-8"))
    dtd = etree.DTD(str(SCHEMAS / "tmx14.dtd"))
    assert dtd.validate(doc), dtd.error_log
    return doc


def xliff_is_valid(text: str):
    """Valid against the XLIFF 2.1 core + glossary schemas, plus the constraints the
    specification states in prose (unique ids, target marks matching source marks)."""
    doc = etree.fromstring(text.encode("utf-8"))
    schema = etree.XMLSchema(etree.parse(str(SCHEMAS / "xliff_2.1_with_glossary.xsd")))
    assert schema.validate(doc), schema.error_log
    assert doc.get("version") == "2.1"
    ns = {"x": "urn:oasis:names:tc:xliff:document:2.0", "g": "urn:oasis:names:tc:xliff:glossary:2.0"}
    for unit in doc.iterfind(".//x:unit", ns):
        ids = [e.get("id") for e in unit.iterfind("x:segment", ns)] + \
              [e.get("id") for e in unit.iterfind("x:ignorable", ns)] + \
              [e.get("id") for e in unit.iterfind(".//x:source/x:mrk", ns)]
        assert len(ids) == len(set(ids)), f"duplicate ids in unit {unit.get('id')}"
        source_marks = {e.get("id") for e in unit.iterfind(".//x:source/x:mrk", ns)}
        assert {e.get("id") for e in unit.iterfind(".//x:target/x:mrk", ns)} <= source_marks
        for entry in unit.iterfind(".//g:glossEntry", ns):
            assert entry.get("ref")[1:] in source_marks
    return doc


# -- fixtures ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def settings(tmp_path_factory, argos_fr_en):
    return web_settings(tmp_path_factory.mktemp("web"), argos_fr_en)


@pytest.fixture(scope="module")
def app(settings):
    with ready_app(settings) as app:
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="module")
def openapi(app):
    return app.test_client().get("/v1/openapi.json").get_json()


def sent_body(kwargs: dict):
    """(media type, body) of a JSON or url-encoded form body the test client is to send
    (a repeated form field as a list), or None (no body, multipart, raw bytes of another
    type)."""
    if "json" in kwargs:
        return "application/json", kwargs["json"]
    data, media = kwargs.get("data"), (kwargs.get("content_type") or "").split(";")[0]
    if media == "application/json" and isinstance(data, (bytes, str)):
        try:
            return media, json.loads(data)
        except ValueError:
            return None
    if isinstance(data, dict) and not media and all(
            isinstance(v, (str, list)) and all(isinstance(x, str) for x in (v if isinstance(v, list) else [v]))
            for v in data.values()):
        return "application/x-www-form-urlencoded", data
    return None


def openapi_caller(client, openapi):
    """Request through the test client; every response is checked against the OpenAPI
    document, and so is the JSON or form body of every request that succeeds. The response
    comes back read whole and closed (its body stays readable)."""
    def request(method, url, path=None, **kwargs):
        with client.open(url, method=method, **kwargs) as response:
            response.get_data()  # before the close: a send_file response holds its file open till then
        body = response.get_json(silent=True) if response.mimetype == "application/json" else None
        check_openapi(openapi, path or url.split("?")[0], method, response.status_code,
                      response.mimetype, body, sent_body(kwargs))
        return response
    return request


@pytest.fixture
def call(client, openapi):
    return openapi_caller(client, openapi)


# -- /v1/translate ----------------------------------------------------------------------

def test_translate_one_text_returns_the_aligned_result(call):
    response = call("POST", "/v1/translate", json={"text": FRENCH, "target": "en"})
    assert response.status_code == 200
    result = response.get_json()
    assert result["source_lang"] == "fr" and result["detection"]["language"] == "fr"
    assert 0.5 < result["detection"]["confidence"] <= 1
    assert result["route"]["steps"][0]["engine"] == "ctranslate2"
    assert [s["source"] for s in result["segments"]] == [
        "Le chat dort sur le canapé.", "Le chien joue dans le jardin.",
        "La Russie et la Corée du Nord coopèrent."]
    assert [s["paragraph"] for s in result["segments"]] == [0, 0, 1]
    first, second, third = result["segments"]
    for seg in (first, second):  # the copy model translates a sentence into itself
        assert seg["target"] == seg["source"] and seg["origin"] == "engine" and seg["terms"] == []
    # The default news glossary renders country names, reported with spans on both sides.
    assert third["target"] == "La Russia et la North Korea coopèrent."
    terms = {(t["source"], t["target"]) for t in third["terms"]}
    assert {("Russie", "Russia"), ("Corée du Nord", "North Korea")} <= terms
    for term in third["terms"]:
        assert third["source"][slice(*term["source_span"])] == term["source"]
        assert third["target"][slice(*term["target_span"])] == term["target"]
    check_alignment(result)
    assert response.headers["X-Request-Id"]


def test_translate_a_list_translates_each_text_with_its_own_alignment(call):
    texts = ["Le chat dort.", "Le chien joue dans le jardin. Il fait beau."]
    response = call("POST", "/v1/translate", json={"text": texts, "source": "fr", "target": "en"})
    assert response.status_code == 200
    results = response.get_json()["results"]
    assert [r["source_text"] for r in results] == texts
    assert results[0]["detection"] is None  # source given
    for result in results:
        check_alignment(result)


@needs_apertium
def test_sample_article_on_apertium_pivots_through_spanish(tmp_path, call, client):
    text = SAMPLE.read_text(encoding="utf-8")
    # fr->en is served by the copy model; en->es goes through Apertium for real.
    response = call("POST", "/v1/translate", json={"text": "The cat is black. The dog is white.",
                                                   "source": "en", "target": "es"})
    assert response.status_code == 200, response.get_json()
    result = response.get_json()
    assert result["target_text"] == "El gato es negro. El perro es blanco."
    assert result["route"]["steps"][0]["engine"] == "apertium"
    check_alignment(result)
    article = call("POST", "/v1/translate", json={"text": text, "target": "es"})
    assert article.status_code == 200
    assert len({s["paragraph"] for s in article.get_json()["segments"]}) == 8
    check_alignment(article.get_json())


# -- formats ----------------------------------------------------------------------------

def test_tmx_and_xliff_are_valid_against_their_schemas(call):
    for fmt, check in (("tmx", tmx_is_valid), ("xliff", xliff_is_valid)):
        response = call("POST", f"/v1/translate?format={fmt}", json={"text": FRENCH, "target": "en"})
        assert response.status_code == 200
        doc = check(response.get_data(as_text=True))
        assert b"Le chat dort sur le canap\xc3\xa9." in etree.tostring(doc, encoding="utf-8")
    tmx = call("POST", "/v1/translate", json={"text": FRENCH, "target": "en", "format": "tmx"})
    assert tmx.mimetype == "application/x-tmx+xml"
    units = tmx_is_valid(tmx.get_data(as_text=True)).findall(".//tu")
    assert len(units) == 3


def test_format_follows_the_accept_header_and_the_parameter_wins(call):
    body = {"text": "Le chat dort.", "source": "fr", "target": "en"}
    cases = {"application/xliff+xml": "application/xliff+xml",
             "text/tab-separated-values": "text/tab-separated-values",
             "text/plain": "text/plain", "text/html": "text/html",
             "application/x-tmx+xml;q=0.5, application/json": "application/json",
             "*/*": "application/json"}
    for accept, expected in cases.items():
        response = call("POST", "/v1/translate", json=body, headers={"Accept": accept})
        assert (response.status_code, response.mimetype) == (200, expected), accept
    response = call("POST", "/v1/translate", json={**body, "format": "tsv"},
                    headers={"Accept": "application/json"})
    assert response.get_data(as_text=True) == (
        "index\tparagraph\tsource\ttarget\tconfidence\tuntranslated\n"
        "0\t0\tLe chat dort.\tLe chat dort.\t1.0\t\n")
    assert call("POST", "/v1/translate", json=body, headers={"Accept": "image/png"}).status_code == 406


def test_lists_take_multi_document_formats_only(call):
    body = {"text": ["Le chat dort.", "Le chien joue."], "source": "fr", "target": "en"}
    xliff = call("POST", "/v1/translate", json={**body, "format": "xliff"})
    assert len(xliff_is_valid(xliff.get_data(as_text=True)).findall(
        "{urn:oasis:names:tc:xliff:document:2.0}file")) == 2
    tmx = call("POST", "/v1/translate", json={**body, "format": "tmx"})
    assert len(tmx_is_valid(tmx.get_data(as_text=True)).findall(".//tu")) == 2
    response = call("POST", "/v1/translate", json={**body, "format": "tsv"})
    assert response.status_code == 400 and response.get_json()["error"]["details"]["field"] == "format"


@pytest.mark.parametrize("name", registry.names("result", web=True))
def test_each_result_format_is_served_as_the_registry_declares_it(call, openapi, name):
    """The registry's record is what the client gets: the format by name or by its media
    type, lists only for multi-document formats, and the OpenAPI enum lists it."""
    form = registry.FORMATS[name]
    body = {"text": "Le chat dort.", "source": "fr", "target": "en"}
    by_name = call("POST", "/v1/translate", json={**body, "format": name})
    by_accept = call("POST", "/v1/translate", json=body, headers={"Accept": form.media_type})
    assert (by_name.status_code, by_name.mimetype) == (200, form.media_type)
    assert by_accept.mimetype == form.media_type
    assert by_name.get_data(as_text=True).count("Le chat dort.") >= (name != "text")
    listed = call("POST", "/v1/translate", json={**body, "text": ["Le chat dort.", "Il pleut."],
                                                 "format": name})
    assert listed.status_code == (200 if form.multi else 400)
    schemas = openapi["components"]["schemas"]
    assert schemas["TranslateRequest"]["properties"]["format"]["enum"] == list(
        registry.names("result", web=True))


@pytest.mark.parametrize("name", registry.names("alignment", web=True))
def test_each_alignment_format_is_served_as_the_registry_declares_it(call, name):
    form = registry.FORMATS[name]
    body = {"source_text": "Le chat dort.", "target_text": "The cat sleeps.", "source": "fr",
            "target": "en", "mt": "off"}
    by_name = call("POST", "/v1/align", json={**body, "format": name})
    by_accept = call("POST", "/v1/align", json=body, headers={"Accept": form.media_type})
    assert (by_name.status_code, by_name.mimetype) == (200, form.media_type)
    assert by_accept.mimetype == form.media_type and "The cat sleeps." in by_accept.get_data(
        as_text=True)
    assert call("POST", "/v1/align", json=body, headers={"Accept": "text/html"}).status_code == 406


def test_hostile_text_is_escaped_in_html_and_well_formed_in_xml(call):
    hostile = 'Le <script>alert("x")</script> & <img src=x onerror=alert(1)> chat\x01 dort.'
    html = call("POST", "/v1/translate", json={"text": hostile, "source": "fr", "target": "en",
                                               "format": "html"})
    page = html.get_data(as_text=True)
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "default-src 'none'" in html.headers["Content-Security-Policy"]
    xliff = call("POST", "/v1/translate", json={"text": hostile, "source": "fr", "target": "en",
                                                "format": "xliff"})
    doc = xliff_is_valid(xliff.get_data(as_text=True))
    assert doc.find(".//{urn:oasis:names:tc:xliff:document:2.0}cp").get("hex") == "0001"
    tmx_is_valid(call("POST", "/v1/translate", json={"text": hostile, "source": "fr", "target": "en",
                                                     "format": "tmx"}).get_data(as_text=True))


@needs_apertium
def test_formats_show_the_words_apertium_left_untranslated_escaped(call):
    text = 'El ministro <script>alert("quorpex")</script> habló con Zorblat.'
    body = {"text": text, "source": "es", "target": "en"}
    result = call("POST", "/v1/translate", json=body).get_json()
    left = [entry for seg in result["segments"] for entry in seg["untranslated"]]
    words = [entry["word"] for entry in left]
    assert {"quorpex", "Zorblat"} <= set(words) and {e["language"] for e in left} == {"es"}
    [segment] = result["segments"]
    assert segment["confidence"] < 1

    page = call("POST", "/v1/translate?format=html", json=body).get_data(as_text=True)
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert ('<mark class="untranslated" lang="es" title="left untranslated: unknown word (es)">'
            'Zorblat</mark>') in page
    assert page.count('<mark class="untranslated"') == len(words)
    assert f'<div class="c" title="confidence">{segment["confidence"]:.2f}</div>' in page

    listed = {**body, "text": [text, "El gato duerme."]}
    tmx = tmx_is_valid(call("POST", "/v1/translate", json={**listed, "format": "tmx"})
                       .get_data(as_text=True))
    first, second = tmx.findall(".//tu")
    assert [json.loads(p.text) for p in first.findall("prop[@type='x-untranslated']")] == left
    assert first.find("prop[@type='x-confidence']").text == str(segment["confidence"])
    assert second.find("prop[@type='x-document']").text == "1"
    assert second.findall("prop[@type='x-untranslated']") == []

    xliff = xliff_is_valid(call("POST", "/v1/translate", json={**listed, "format": "xliff"})
                           .get_data(as_text=True))
    notes = xliff.findall(".//{urn:oasis:names:tc:xliff:document:2.0}note[@category='untranslated']")
    assert [n.get("{urn:newsroom-translator:xliff:quality}word") for n in notes] == words

    tsv = call("POST", "/v1/translate", json={**body, "format": "tsv"}).get_data(as_text=True)
    assert tsv.splitlines()[1].split("\t")[4:] == [str(segment["confidence"]), " ".join(words)]


# -- one error shape --------------------------------------------------------------------

BAD_REQUESTS = [
    # (body bytes or JSON, status, code, field)
    (b"{not json", 400, "invalid_json", None),
    (b"", 400, "invalid_body", None),
    (b"[1, 2]", 400, "invalid_body", None),
    (b'"text"', 400, "invalid_body", None),
    (b"\xff\xfe{}", 400, "invalid_encoding", None),
    ({"target": "en"}, 400, "missing_field", "text"),
    ({"text": "Bonjour."}, 400, "missing_field", "target"),
    ({"text": 42, "target": "en"}, 400, "invalid_field", "text"),
    ({"text": ["ok", 3], "target": "en"}, 400, "invalid_field", "text[1]"),
    ({"text": [], "target": "en"}, 400, "empty_input", "text"),
    ({"text": "   \n", "target": "en"}, 400, "empty_input", "text"),
    ({"text": "Bonjour.", "target": "klingon"}, 400, "unknown_language", "target"),
    ({"text": "Bonjour.", "target": 7}, 400, "invalid_field", "target"),
    ({"text": "Bonjour.", "source": "xx", "target": "en"}, 400, "unknown_language", "source"),
    ({"text": "Bonjour.", "target": "en", "format": "pdf"}, 400, "invalid_field", "format"),
    ({"text": "Bonjour.", "target": "en", "colour": "red"}, 400, "unknown_field", "colour"),
    ({"text": "x" * 5001, "target": "en"}, 413, "input_too_large", "text"),
    ({"text": "Bonjour tout le monde.", "source": "fr", "target": "vi"}, 422, "unsupported_pair", None),
    ({"text": "12345 67890", "target": "en"}, 422, "undetectable_language", None),
    ({"text": "Привет, как дела? Сегодня хорошая погода в Москве.", "target": "en"}, 422,
     "undetectable_language", None),
]


@pytest.mark.parametrize("body, status, code, field", BAD_REQUESTS)
def test_bad_input_gets_one_json_error_shape(call, body, status, code, field):
    kwargs = {"json": body} if isinstance(body, dict) else {"data": body,
                                                          "content_type": "application/json"}
    response = call("POST", "/v1/translate", **kwargs)
    assert response.status_code == status
    error = response.get_json()["error"]
    assert set(response.get_json()) == {"error"} and set(error) <= {"code", "message", "details"}
    assert error["code"] == code and error["message"]
    assert "Traceback" not in error["message"]
    if field:
        assert error["details"]["field"] == field


def test_http_level_errors_share_the_shape(client, openapi):
    too_big = client.post("/v1/translate", data=b"x" * (64 * 1024 + 1), content_type="application/json")
    assert too_big.status_code == 413
    assert too_big.get_json()["error"]["code"] == "request_too_large"
    assert too_big.get_json()["error"]["details"]["limit"] == 64 * 1024
    missing = client.get("/v1/nothing")
    assert (missing.status_code, missing.get_json()["error"]["code"]) == (404, "not_found")
    wrong = client.get("/v1/translate")
    assert (wrong.status_code, wrong.get_json()["error"]["code"]) == (405, "method_not_allowed")
    assert "POST" in wrong.headers["Allow"]
    for response in (too_big, missing, wrong):
        validate_schemas(openapi, {"$ref": "#/components/schemas/Error"}, response.get_json())


def test_a_crash_in_one_request_is_a_500_without_traceback_and_the_next_works(app, client, caplog):
    service = app.extensions["translator"]
    original = service.translate

    def broken(request, access=None, cancelled=None):
        raise ZeroDivisionError("secret internal detail")

    service.translate = broken
    try:
        response = client.post("/v1/translate", json={"text": "Le chat dort.", "target": "en"})
    finally:
        service.translate = original
    assert response.status_code == 500
    error = response.get_json()["error"]
    assert error["code"] == "internal_error" and "secret" not in json.dumps(error)
    assert error["details"]["request_id"] == response.headers["X-Request-Id"]
    assert "ZeroDivisionError" in caplog.text  # logged for the operator
    assert client.post("/v1/translate", json={"text": "Le chat dort.", "target": "en"}).status_code == 200


# -- detect, languages, health, OpenAPI -------------------------------------------------

def test_detect_reports_language_confidence_and_alternatives(call):
    response = call("POST", "/v1/detect", json={"text": "Le président a parlé aux journalistes ce matin."})
    assert response.status_code == 200
    body = response.get_json()
    assert body["language"] == "fr" and body["name"] == "French" and body["routable"] is True
    assert body["confidence"] > 0.8
    bad = call("POST", "/v1/detect", json={"text": "Bonjour", "routable": "yes"})
    assert bad.get_json()["error"] == {"code": "invalid_field", "details": {"field": "routable"},
                                       "message": "field 'routable' must be true or false, not a string"}


def test_languages_lists_pairs_engines_and_no_filesystem_paths(call):
    body = call("GET", "/v1/languages").get_json()
    codes = {lang["code"]: lang for lang in body["languages"]}
    assert "en" in codes["fr"]["targets"]
    assert any(p["source"] == "fr" and p["target"] == "en" and p["steps"][0]["engine"] == "ctranslate2"
               for p in body["pairs"])
    assert "translate-fr_en" in {e["name"] for e in body["engines"]}
    assert "/" not in json.dumps(body["engines"]).replace("fr_en", "")  # no paths leak


def test_health_and_readiness(call):
    assert call("GET", "/health").get_json()["status"] == "ok"
    ready = call("GET", "/health/ready").get_json()
    assert ready["status"] == "ready" and all(m["loaded"] for m in ready["models"])


def test_readiness_is_503_until_models_are_loaded(settings):
    app = create_app(settings, load_models=False)
    response = app.test_client().get("/health/ready")
    assert response.status_code == 503 and response.get_json()["error"]["code"] == "not_ready"
    app.extensions["translator"].close()


def test_openapi_documents_every_api_route(app, openapi):
    jsonschema.Draft202012Validator.check_schema({"$defs": openapi["components"]["schemas"]})
    pages = {"/", "/review", "/review/<doc_id>", "/align", "/login", "/logout",
             "/static/<path:filename>"}
    routes = {rule.rule for rule in app.url_map.iter_rules()} - pages
    documented = {path.replace("{", "<").replace("}", ">").replace("<index>", "<int:index>")
                  for path in openapi["paths"]}
    assert routes == documented


# -- translation memory through the API -------------------------------------------------

def test_reviewed_segment_is_reused_from_memory(app, call, client):
    text = "Les navires sont arrivés au port hier soir. Le ministre a salué l'accord."
    first = client.post("/review", data={"text": text, "source": "fr", "target": "en"})
    assert first.status_code == 303
    doc_url = first.headers["Location"]
    saved = call("PUT", f"{doc_url}/segments/1", path="/review/{doc_id}/segments/{index}",
                 json={"target": "The minister welcomed the agreement.", "reviewed": True})
    assert saved.status_code == 200 and saved.get_json()["progress"] == {"reviewed": 1, "total": 2}
    again = call("POST", "/v1/translate", json={"text": "Le ministre a salué l'accord.",
                                                "source": "fr", "target": "en"}).get_json()
    assert again["segments"][0]["origin"] == "memory"
    assert again["target_text"] == "The minister welcomed the agreement."


# -- LibreTranslate compatibility -------------------------------------------------------

def test_libretranslate_translate_form_and_json(call):
    form = call("POST", "/translate", data={"q": "Le chat dort.", "source": "auto", "target": "en"})
    assert form.status_code == 200
    body = form.get_json()
    assert body["translatedText"] == "Le chat dort."
    assert body["detectedLanguage"]["language"] == "fr" and 0 < body["detectedLanguage"]["confidence"] <= 100
    many = call("POST", "/translate", json={"q": ["Le chat dort.", "Le chien joue."],
                                            "source": "fr", "target": "en"}).get_json()
    assert many == {"translatedText": ["Le chat dort.", "Le chien joue."]}
    html = call("POST", "/translate", json={"q": "<p>Le chat <b>dort</b> &amp; rêve.</p><script>var x;</script>",
                                            "source": "fr", "target": "en", "format": "html"})
    assert html.get_json()["translatedText"] == "<p>Le chat <b>dort</b> &amp; rêve.</p><script>var x;</script>"


def test_libretranslate_detect_and_languages(call):
    detected = call("POST", "/detect", data={"q": "Le président a parlé aux journalistes."}).get_json()
    assert detected[0]["language"] == "fr" and detected[0]["confidence"] > 50
    languages = call("GET", "/languages").get_json()
    assert {"code": "fr", "name": "French"}.items() <= next(l for l in languages if l["code"] == "fr").items()
    assert call("POST", "/languages").status_code == 200


def test_libretranslate_errors_use_its_shape(call):
    missing = call("POST", "/translate", data={"target": "en"})
    assert missing.status_code == 400
    assert missing.get_json() == {"error": "Invalid request: missing q parameter", "code": "missing_field"}
    bad_lang = call("POST", "/translate", data={"q": "Bonjour", "source": "fr", "target": "vi"})
    assert bad_lang.status_code == 400 and bad_lang.get_json()["code"] == "unsupported_pair"


# -- keys, rate limits, CORS ------------------------------------------------------------

@pytest.fixture
def locked_app(tmp_path, argos_fr_en):
    app = create_app(web_settings(tmp_path, argos_fr_en, api_keys_required=True, rate_limit=3,
                                  cors_origins="https://newsroom.example"), load_models=False)
    yield app
    app.extensions["translator"].close()


def test_api_keys_required_missing_wrong_and_right(locked_app):
    client = locked_app.test_client()
    store = locked_app.extensions["translator"].store
    key, _ = store.keys.create("desk", rate_limit=100)
    body = {"text": "Le chat dort.", "source": "fr", "target": "en"}
    missing = client.post("/v1/translate", json=body)
    assert (missing.status_code, missing.get_json()["error"]["code"]) == (401, "api_key_required")
    wrong = client.post("/v1/translate", json=body, headers={"Authorization": "Bearer trk_nope"})
    assert (wrong.status_code, wrong.get_json()["error"]["code"]) == (403, "invalid_api_key")
    assert client.post("/v1/translate", json=body, headers={"Authorization": f"Bearer {key}"}).status_code == 200
    assert client.post("/v1/translate", json=body, headers={"X-API-Key": key}).status_code == 200
    libre = client.post("/translate", data={"q": "Le chat dort.", "source": "fr", "target": "en", "api_key": key})
    assert libre.status_code == 200
    assert client.post("/translate", data={"q": "x", "target": "en"}).get_json()["code"] == "api_key_required"
    assert client.get("/health").status_code == 200  # health needs no key
    page = client.get("/")
    assert page.status_code == 302 and "/login" in page.headers["Location"]
    store.keys.revoke("desk")
    assert client.post("/v1/translate", json=body, headers={"X-API-Key": key}).status_code == 403


def test_rate_limit_per_client_and_per_key(locked_app):
    client = locked_app.test_client()
    store = locked_app.extensions["translator"].store
    slow, _ = store.keys.create("slow")  # the default: 3 per minute
    fast, _ = store.keys.create("fast", rate_limit=0)  # unlimited
    statuses = [client.get("/v1/languages", headers={"X-API-Key": slow}).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = client.get("/v1/languages", headers={"X-API-Key": slow})
    assert limited.get_json()["error"]["code"] == "rate_limited"
    assert 1 <= int(limited.headers["Retry-After"]) <= 20
    assert all(client.get("/v1/languages", headers={"X-API-Key": fast}).status_code == 200
               for _ in range(10))


def test_cors_is_off_by_default_and_follows_the_setting(client, locked_app):
    origin = {"Origin": "https://newsroom.example"}
    assert "Access-Control-Allow-Origin" not in client.get("/v1/languages", headers=origin).headers
    locked = locked_app.test_client()
    preflight = locked.options("/v1/translate", headers={**origin, "Access-Control-Request-Method": "POST"})
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "https://newsroom.example"
    assert "X-API-Key" in preflight.headers["Access-Control-Allow-Headers"]
    other = locked.options("/v1/translate", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers


# -- micro-batching ---------------------------------------------------------------------

def test_batching_engine_merges_concurrent_callers_and_keeps_outputs_apart(argos_fr_en, tmp_path):
    from translator.engines.ctranslate2 import CTranslate2Engine
    from translator.packages import read_package
    from translator.web.batching import BatchingEngine

    engine = CTranslate2Engine(read_package(argos_fr_en), web_settings(tmp_path))
    calls = []
    inner_translate = engine.translate

    def recording(sentences, source, target):
        calls.append(len(sentences))
        return inner_translate(sentences, source, target)

    engine.translate = recording
    batching = BatchingEngine(engine, wait=0.2)
    outputs = {}

    def client(n):
        sentences = [f"Phrase numéro {n} et {i}." for i in range(n + 1)]
        outputs[n] = (sentences, batching.translate_batch(sentences, "fr", "en"))

    threads = [threading.Thread(target=client, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for sentences, translated in outputs.values():
        assert translated == sentences  # copy model: every caller got its own sentences back
    assert sum(calls) == 21 and len(calls) < 6  # merged into fewer engine batches


def test_batching_engine_isolates_a_failing_caller(argos_fr_en, tmp_path):
    from translator.engines.ctranslate2 import CTranslate2Engine
    from translator.errors import EngineError
    from translator.packages import read_package
    from translator.web.batching import BatchingEngine

    batching = BatchingEngine(CTranslate2Engine(read_package(argos_fr_en), web_settings(tmp_path)), 0.2)
    results = {}

    def client(pair):
        try:
            results[pair] = batching.translate_batch(["Le chat dort."], *pair)
        except EngineError as exc:
            results[pair] = exc

    threads = [threading.Thread(target=client, args=(pair,)) for pair in (("fr", "en"), ("fr", "de"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results[("fr", "en")] == ["Le chat dort."]
    assert isinstance(results[("fr", "de")], EngineError)


# -- settings are documented ------------------------------------------------------------

def test_every_service_setting_is_documented_in_docs_api():
    docs = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    service = ["host", "port", "workers", "worker_threads", "timeout", "db_path", "api_keys_required",
               "rate_limit", "cors_origins", "max_request_bytes", "batch_wait_ms", "decode_options"]
    assert set(service) <= {s.name for s in SETTINGS}
    for name in service:
        assert f"`{name}`" in docs, f"setting {name} is not documented in docs/api.md"


def test_batching_engine_collects_callers_while_a_batch_is_running(argos_fr_en, tmp_path):
    from translator.engines.ctranslate2 import CTranslate2Engine
    from translator.packages import read_package
    from translator.web.batching import BatchingEngine

    engine = CTranslate2Engine(read_package(argos_fr_en), web_settings(tmp_path))
    calls = []
    inner_translate = engine.translate

    def slow(sentences, source, target):
        calls.append(len(sentences))
        time.sleep(0.3)  # a long batch: everyone arriving meanwhile waits for the next one
        return inner_translate(sentences, source, target)

    engine.translate = slow
    batching = BatchingEngine(engine, wait=0.0, max_inflight=1)
    threads = [threading.Thread(target=batching.translate_batch, args=([f"Phrase {n}."], "fr", "en"))
               for n in range(6)]
    threads[0].start()
    time.sleep(0.1)
    for t in threads[1:]:
        t.start()
    for t in threads:
        t.join()
    assert calls == [1, 5]


# -- /v1/align ---------------------------------------------------------------------------

ORIGINAL = ("Le président russe est arrivé à Pyongyang mardi. Il a rencontré Kim Jong Un.\n"
            "Les deux pays ont signé un accord de coopération.")
TRANSLATION = ("The Russian president arrived in Pyongyang on Tuesday. He met Kim Jong Un.\n"
               "The two countries signed a cooperation agreement.")


def test_align_an_existing_translation(call):
    response = call("POST", "/v1/align", json={"source_text": ORIGINAL, "target_text": TRANSLATION,
                                              "mt": "off"})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["source_lang"], body["target_lang"]) == ("fr", "en")
    assert [(b["source"], b["target"]) for b in body["beads"]] == [([0], [0]), ([1], [1]), ([2], [2])]
    for bead in body["beads"]:
        assert body["source_text"][slice(*bead["source_span"])] == bead["source_text"]
        assert body["target_text"][slice(*bead["target_span"])] == bead["target_text"]
    tmx = call("POST", "/v1/align?format=tmx", json={"source_text": ORIGINAL, "target_text": TRANSLATION,
                                                    "source": "fr", "target": "en", "mt": "off"})
    assert len(tmx_is_valid(tmx.get_data(as_text=True)).findall(".//tu")) == 3
    with_mt = call("POST", "/v1/align", json={"source_text": ORIGINAL, "target_text": TRANSLATION})
    assert with_mt.status_code == 200 and len(with_mt.get_json()["beads"]) == 3


@pytest.mark.parametrize("body, code, field", [
    ({"target_text": "x"}, "missing_field", "source_text"),
    ({"source_text": "Bonjour.", "target_text": 3}, "invalid_field", "target_text"),
    ({"source_text": "Bonjour.", "target_text": "Hello.", "mt": "maybe"}, "invalid_field", "mt"),
    ({"source_text": "Bonjour.", "target_text": "Hello.", "format": "xliff"}, "invalid_field", "format"),
    ({"source_text": "Bonjour.", "target_text": "Hello.", "target": "zz"}, "unknown_language", "target"),
])
def test_align_bad_input(call, body, code, field):
    response = call("POST", "/v1/align", json=body)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == code
    assert response.get_json()["error"]["details"]["field"] == field
