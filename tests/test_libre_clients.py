"""LibreTranslate's API as its clients see it, against a real `translator serve` (gunicorn)
with API keys off and on: every row of issue 12's table as raw HTTP (the bytes a client
sends, form bodies with CRLF included), then real clients from PyPI and npm, unchanged:
libretranslatepy, deep-translator, libretranslate-aio (Python) and the `libretranslate`
npm package (run by the machine's node from tests/js/, installed there by `npm ci`).

Both servers start once for the module (each test runs with keys off and on); the
app's logic that needs no server is tested in-process in tests/test_libre.py."""

from __future__ import annotations

import http.client
import json
import shutil
import subprocess
import uuid
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlencode, urlsplit

import pytest

from test_serve import Server
from test_web import needs_apertium
from translator.store import Store

JS = Path(__file__).resolve().parent / "js"
FORM = "application/x-www-form-urlencoded"


class Served(NamedTuple):
    server: Server
    key: str  # desk sport
    required: bool  # api_keys_required
    other_key: str  # desk politique


@pytest.fixture(scope="module", params=["keys-off", "keys-on"])
def served(request, tmp_path_factory, argos_fr_en):
    """The server of this module, keys required or not; suggestions on."""
    required = request.param == "keys-on"
    root = tmp_path_factory.mktemp(request.param)
    server = Server(root, argos_fr_en, env={"TRANSLATOR_API_KEYS_REQUIRED": str(required).lower(),
                                            "TRANSLATOR_SUGGESTIONS": "true",
                                            "TRANSLATOR_FILES_DIR": str(root / "files")})
    store = Store(server.db_path)
    key, _ = store.keys.create("client-tests", desk="sport")
    other_key, _ = store.keys.create("politique-1", desk="politique")
    store.close()
    server.wait_ready()
    yield Served(server, key, required, other_key)
    assert server.stop() == 0


# -- raw HTTP -----------------------------------------------------------------------------

class Reply(NamedTuple):
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def json(self):
        assert self.headers.get_content_type() == "application/json", (self.status, self.body)
        return json.loads(self.body)


def send(served: Served, method: str, path: str, body: bytes = b"",
         headers: dict | None = None) -> Reply:
    """One request, with exactly these body bytes (http.client adds only Host,
    Accept-Encoding and Content-Length)."""
    connection = http.client.HTTPConnection("127.0.0.1", served.server.port, timeout=60)
    try:
        connection.request(method, path, body=body or None, headers=headers or {})
        response = connection.getresponse()
        return Reply(response.status, response.headers, response.read())
    finally:
        connection.close()


def post_json(served: Served, path: str, payload: dict, keyed: bool = True) -> Reply:
    """A JSON body as LibreTranslate clients send it, the key as its ``api_key``."""
    payload = {**payload, "api_key": served.key} if keyed else payload
    return send(served, "POST", path, json.dumps(payload).encode(),
                {"Content-Type": "application/json"})


def post_form(served: Served, path: str, fields: dict | list, keyed: bool = True) -> Reply:
    """An urlencoded form as a browser sends it (a list of pairs repeats a name)."""
    pairs = list(fields.items()) if isinstance(fields, dict) else list(fields)
    pairs += [("api_key", served.key)] if keyed else []
    return send(served, "POST", path, urlencode(pairs).encode(), {"Content-Type": FORM})


def multipart(fields: dict, files: dict) -> tuple[bytes, str]:
    """A multipart/form-data body, every line ended by CRLF as the RFC (and browsers) say;
    ``files`` maps a field to (file name, bytes)."""
    boundary = "----libre" + uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
             + value.encode() + b"\r\n" for name, value in fields.items()]
    parts += [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
              f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
              + data + b"\r\n" for name, (filename, data) in files.items()]
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def post_multipart(served: Served, path: str, fields: dict, files: dict | None = None,
                   keyed: bool = True) -> Reply:
    fields = {**fields, "api_key": served.key} if keyed else fields
    body, content_type = multipart(fields, files or {})
    return send(served, "POST", path, body, {"Content-Type": content_type})


def libre_error(reply: Reply, status: int, code: str | None = None) -> str:
    """The reply is LibreTranslate's error shape with ``status``; returns the message."""
    body = reply.json()
    assert reply.status == status, body
    assert isinstance(body["error"], str) and body["error"], body
    if code:
        assert body["code"] == code, body
    return body["error"]


SLEEPS = {"q": "Le chat dort.", "source": "fr", "target": "en"}


# -- keys: /languages, /frontend/settings, /spec open; api_key in the query string ---------

def test_languages_settings_and_spec_need_no_key(served):
    languages = send(served, "GET", "/languages")
    assert languages.status == 200
    assert "en" in next(lang for lang in languages.json() if lang["code"] == "fr")["targets"]
    assert send(served, "POST", "/languages").status == 200
    settings = send(served, "GET", "/frontend/settings")
    assert settings.status == 200 and settings.json()["keyRequired"] is served.required
    assert settings.json()["charLimit"] == 5000
    assert send(served, "GET", "/spec").json()["swagger"] == "2.0"
    keyless = post_form(served, "/translate", SLEEPS, keyed=False)
    if served.required:
        message = libre_error(keyless, 401, "api_key_required")
        assert "'api_key'" in message  # the LibreTranslate way is named first
    else:
        assert keyless.status == 200 and keyless.json() == {"translatedText": "Le chat dort."}


def test_api_key_in_the_query_string_is_read(served):
    form = urlencode(SLEEPS).encode()
    ok = send(served, "POST", f"/translate?api_key={served.key}", form, {"Content-Type": FORM})
    assert ok.status == 200 and ok.json() == {"translatedText": "Le chat dort."}
    json_ok = send(served, "POST", f"/translate?api_key={served.key}", json.dumps(SLEEPS).encode(),
                   {"Content-Type": "application/json"})
    assert json_ok.status == 200 and json_ok.json() == {"translatedText": "Le chat dort."}
    # a bogus key is refused wherever it is sent, keys required or not
    libre_error(send(served, "POST", "/translate?api_key=trk_bogus", form, {"Content-Type": FORM}),
                403, "invalid_api_key")
    libre_error(post_form(served, "/translate", {**SLEEPS, "api_key": "trk_bogus"}, keyed=False),
                403, "invalid_api_key")
    libre_error(post_json(served, "/detect", {"q": "Le chat dort.", "api_key": "trk_bogus"},
                          keyed=False), 403, "invalid_api_key")


# -- alternatives ---------------------------------------------------------------------------

def test_alternatives_come_from_the_engine_hypotheses(served):
    body = post_json(served, "/translate", {"q": "Le chat dort sur le canapé.", "source": "fr",
                                            "target": "en", "alternatives": 3}).json()
    alternatives = body["alternatives"]
    assert 1 <= len(alternatives) <= 3, body
    assert body["translatedText"] not in alternatives
    assert len(set(alternatives)) == len(alternatives)
    many = post_json(served, "/translate", {"q": ["Le chat dort.", "2024"], "source": "fr",
                                            "target": "en", "alternatives": "2"}).json()
    assert len(many["alternatives"]) == 2 and many["alternatives"][1] == []
    assert "alternatives" not in post_json(served, "/translate", SLEEPS).json()


@pytest.mark.parametrize("value", ["abc", "1.5", 2.5, True, [1], 11])
def test_alternatives_that_are_not_a_small_integer_are_refused(served, value):
    message = libre_error(post_json(served, "/translate", {**SLEEPS, "alternatives": value}), 400)
    assert "alternatives" in message


def test_alternatives_in_a_form_abc_refused_and_negative_counts_as_none(served):
    assert "alternatives" in libre_error(post_form(served, "/translate", {
        **SLEEPS, "alternatives": "abc"}), 400)
    none = post_form(served, "/translate", {**SLEEPS, "alternatives": "-1"})
    assert none.status == 200 and none.json() == {"translatedText": "Le chat dort."}


@needs_apertium
def test_an_engine_without_hypotheses_gives_no_alternatives(served):
    """fr->es has no model on this server: Apertium serves it."""
    body = post_json(served, "/translate", {"q": "Le chat dort.", "source": "fr", "target": "es",
                                            "alternatives": 3}).json()
    assert body["alternatives"] == [] and body["translatedText"] == "El gato duerme."


# -- limits and text without letters ---------------------------------------------------------

def test_over_the_character_limit_is_a_400(served):
    message = libre_error(post_json(served, "/translate", {"q": "x" * 5001, "source": "fr",
                                                           "target": "en"}), 400, "input_too_large")
    assert message == "Invalid request: request (5001) exceeds text limit (5000)"


@pytest.mark.parametrize("text", ["😀😀", "2024", "12:30 — 14:00"])
def test_text_without_letters_comes_back_with_confidence_zero(served, text):
    reply = post_json(served, "/translate", {"q": text, "source": "auto", "target": "en"})
    assert reply.status == 200
    assert reply.json() == {"translatedText": text,
                            "detectedLanguage": {"confidence": 0.0, "language": "en"}}


def test_short_text_in_a_language_without_a_route_is_an_explicit_error(served):
    message = libre_error(post_json(served, "/translate", {
        "q": "Xin chào các bạn.", "source": "auto", "target": "en"}), 400, "undetectable_language")
    assert "Vietnamese" in message and "source" in message
    # with the source said, the caller gets what the routes can do (here: no vi route)
    libre_error(post_json(served, "/translate", {
        "q": "Xin chào các bạn.", "source": "vi", "target": "en"}), 400)


# -- /translate_file, /download_file, /suggest, /spec exist ------------------------------------

def test_spec_lists_the_endpoints(served):
    spec = send(served, "GET", "/spec").json()
    assert spec["swagger"] == "2.0"
    assert {"/translate", "/translate_file", "/detect", "/languages", "/suggest",
            "/frontend/settings", "/download_file/{filename}"} <= set(spec["paths"])


def test_translate_file_then_download_file(served):
    upload = post_multipart(served, "/translate_file", {"source": "fr", "target": "en"},
                            {"file": ("note.txt", "Le chat dort.".encode())})
    assert upload.status == 200, upload.body
    url = upload.json()["translatedFileUrl"]
    assert url.startswith(served.server.url + "/download_file/") and url.endswith("note.txt")
    download = send(served, "GET", urlsplit(url).path)  # no key needed, as in LibreTranslate
    assert download.status == 200 and download.body == "Le chat dort.".encode()
    assert 'filename=note.txt' in download.headers["Content-Disposition"]
    if served.required:
        libre_error(post_multipart(served, "/translate_file", {"target": "en"},
                                   {"file": ("note.txt", b"Le chat dort.")}, keyed=False),
                    401, "api_key_required")


def test_a_suggestion_is_a_reviewed_segment_of_the_keys_desk(served):
    sentence = {"q": "Le gardien arrête le penalty à la dernière minute.", "source": "fr",
                "target": "en"}
    suggested = "The goalkeeper saves the penalty in the last minute."
    reply = post_form(served, "/suggest", {**sentence, "s": suggested})
    assert reply.status == 200 and reply.json() == {"success": True}
    assert post_json(served, "/translate", sentence).json()["translatedText"] == suggested
    theirs = post_json(served, "/translate", {**sentence, "api_key": served.other_key}, keyed=False)
    assert theirs.json()["translatedText"] == sentence["q"]  # another desk: the engine's
    segment = send(served, "POST", "/v1/translate", json.dumps(
        {"text": sentence["q"], "source": "fr", "target": "en"}).encode(),
        {"Content-Type": "application/json", "X-API-Key": served.key}).json()["segments"][0]
    assert segment["origin"] == "memory" and segment["target"] == suggested
    if served.required:
        libre_error(post_form(served, "/suggest", {**sentence, "s": "x"}, keyed=False), 401,
                    "api_key_required")


# -- error shape ------------------------------------------------------------------------------

@pytest.mark.parametrize("keyed", [True, False])
def test_errors_of_libretranslate_paths_use_its_shape_404_and_405_included(served, keyed):
    key = {"X-API-Key": served.key} if keyed else {}
    libre_error(send(served, "GET", "/translate", headers=key), 405, "method_not_allowed")
    libre_error(send(served, "GET", "/detect", headers=key), 405)
    libre_error(send(served, "GET", "/download_file/0123.txt", headers=key), 404, "file_not_found")
    libre_error(send(served, "GET", "/translate/more", headers=key), 404, "not_found")
    # a body that is no JSON is said to be so, before any key is looked for in it
    libre_error(send(served, "POST", "/translate", b"{oops",
                     {"Content-Type": "application/json", **key}), 400, "invalid_json")
    # the /v1 API keeps its richer errors
    v1 = send(served, "POST", "/v1/translate", json.dumps({"text": "Le chat dort."}).encode(),
              {"Content-Type": "application/json", **key})
    code = "missing_field" if keyed or not served.required else "api_key_required"
    assert v1.status == (400 if code == "missing_field" else 401)
    assert v1.json()["error"]["code"] == code
    if code == "api_key_required":  # /v1 names its own ways, not api_key
        assert "api_key" not in v1.json()["error"]["message"]
    assert send(served, "GET", "/v1/nothing", headers=key).json()["error"]["code"] == "not_found"


# -- detect, target, html, CRLF ---------------------------------------------------------------

def test_detect_with_a_list_weighs_every_item(served):
    detected = post_json(served, "/detect", {"q": ["2024", "Le président a parlé aux journalistes "
                                                           "ce matin à Paris."]}).json()
    assert detected[0]["language"] == "fr" and detected[0]["confidence"] > 50
    assert post_json(served, "/detect", {"q": "😀"}).json() == [{"confidence": 0.0,
                                                                  "language": "en"}]


def test_missing_target_is_named(served):
    message = libre_error(post_form(served, "/translate", {"q": "Le chat dort.", "source": "fr"}),
                          400, "missing_field")
    assert message == "Invalid request: missing target parameter"


@needs_apertium
def test_html_tags_stay_around_their_words(served):
    """Apertium's spa-eng reorders `gato negro`: the tag follows its word. (fr->en on this
    server is the copy model; the French example through the Apertium pivot is in
    tests/test_libre.py, in-process.)"""
    spanish = {"q": "<p>El <b>gato</b> negro duerme.</p>", "source": "es", "target": "en"}
    body = post_json(served, "/translate", {**spanish, "format": "html"}).json()
    assert body["translatedText"] == "<p>The black <b>cat</b> sleeps.</p>"
    french = post_form(served, "/translate", {"q": "<p>Le <b>chat</b> noir dort.</p>",
                                              "source": "fr", "target": "en", "format": "html"})
    french = french.json()
    assert french["translatedText"] == "<p>Le <b>chat</b> noir dort.</p>"  # the copy model


def test_html_attributes_scripts_and_entities_are_untouched(served):
    q = ('<p class="x" title="Le chat">Le chat <a href="/chat?a=1&amp;b=2">dort</a> &amp; '
         'r&ecirc;ve.</p><script>var s = "<b>chat</b>";</script><!-- le chat -->')
    body = post_json(served, "/translate", {"q": q, "source": "fr", "target": "en",
                                            "format": "html"}).json()
    assert body["translatedText"] == q  # the copy model: every byte where it was


def test_form_bodies_have_crlf_turned_into_lf(served):
    # a browser sends a textarea's line ends as CRLF: %0D%0A in an urlencoded form
    form = send(served, "POST", "/translate", b"q=Le+chien+dort.%0D%0ALe+chien+joue.&source=fr"
                b"&target=en&api_key=" + served.key.encode(), {"Content-Type": FORM})
    assert form.json()["translatedText"] == "Le chien dort.\nLe chien joue."
    listed = post_form(served, "/translate", [("q", "Le chien dort.\r\n"), ("q", "Le chien joue."),
                                              ("source", "fr"), ("target", "en")])
    assert listed.json()["translatedText"] == ["Le chien dort.\n", "Le chien joue."]
    parts = post_multipart(served, "/translate", {"q": "Le chien dort.\r\nLe chien joue.\r",
                                                  "source": "fr", "target": "en"})
    assert parts.json()["translatedText"] == "Le chien dort.\nLe chien joue.\n"
    # JSON keeps what it says, as in LibreTranslate
    body = post_json(served, "/translate", {"q": "Le chien dort.\r\nLe chien joue.", "source": "fr",
                                            "target": "en"}).json()
    assert "\r\n" in body["translatedText"]


# -- real clients, unchanged ---------------------------------------------------------------

def test_libretranslatepy(served):
    from libretranslatepy import LibreTranslateAPI

    server, key, required, _ = served
    client = LibreTranslateAPI(server.url, api_key=key)
    assert client.translate("Le chat dort.", "fr", "en") == "Le chat dort."
    assert client.translate("Le chien joue dans le jardin.", "auto", "en") == \
        "Le chien joue dans le jardin."
    assert client.detect("Le président a parlé aux journalistes ce matin.")[0]["language"] == "fr"
    assert "en" in next(lang for lang in LibreTranslateAPI(server.url).languages()
                        if lang["code"] == "fr")["targets"]  # no key needed to list languages
    if required:
        with pytest.raises(Exception):  # the client raises on the 401
            LibreTranslateAPI(server.url).translate("Le chat dort.", "fr", "en")


def test_deep_translator(served):
    from deep_translator import LibreTranslator

    server, key, _, _ = served
    # deep-translator sends its key in the query string, and needs one even when the server
    # does not: with keys optional a valid key is accepted, a bogus one refused (403)
    translator = LibreTranslator(source="fr", target="en", api_key=key, custom_url=server.url + "/")
    assert translator.translate("Le chat dort sur le canapé.") == "Le chat dort sur le canapé."
    assert translator.translate_batch(["Le chat dort.", "Le chien joue."]) == \
        ["Le chat dort.", "Le chien joue."]
    from deep_translator.exceptions import AuthorizationException

    with pytest.raises(AuthorizationException):
        LibreTranslator(source="fr", target="en", api_key="trk_bogus",
                        custom_url=server.url + "/").translate("Le chat dort.")


def test_libretranslate_aio(served, tmp_path):
    import httpx
    from libretranslate_aio import LibreTranslate

    server, key, required, _ = served
    with LibreTranslate(server.url, api_key=key) as client:
        assert client.health()
        settings = client.frontend_settings()
        assert settings.key_required is required and settings.suggestions
        assert ".docx" in settings.supported_files_format
        done = client.translate("Le chat dort sur le canapé.", "fr", "en", alternatives=2)
        assert done.translated_text == "Le chat dort sur le canapé."
        assert done.alternatives and done.translated_text not in done.alternatives
        many = client.translate(["Le chat dort.", "Le chien joue."], "auto", "en")
        assert many.translated_text == ["Le chat dort.", "Le chien joue."]
        assert [d.language for d in many.detected_language] == ["fr", "fr"]
        assert client.detect("Le président a parlé aux journalistes ce matin.")[0].language == "fr"
        assert any(lang.code == "fr" for lang in client.languages())
        assert client.suggest("Le joueur marque.", "The player scores.", "fr", "en")
        assert client.translate("Le joueur marque.", "fr", "en").translated_text == "The player scores."
        note = tmp_path / "note.txt"
        note.write_text("Le chat dort.\nLe chien joue.\n", encoding="utf-8")
        url = client.translate_file(note, "fr", "en").translated_file_url
    assert url.startswith(server.url + "/download_file/") and url.endswith("note.txt")
    assert httpx.get(url).text == "Le chat dort.\nLe chien joue.\n"


def run_node(calls: list[dict]) -> list:
    node = shutil.which("node")
    assert node, "node is needed for the npm client test"
    assert (JS / "node_modules" / "libretranslate").is_dir(), \
        "run `npm ci` in tests/js to install the npm client"
    done = subprocess.run([node, str(JS / "libretranslate_client.js"), json.dumps(calls)],
                          capture_output=True, text=True, timeout=60, cwd=JS)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_libretranslate_npm_client(served):
    server, key, required, _ = served
    call = {"query": "Le chat dort.", "source": "fr", "target": "en", "apiurl": server.url}
    with_key, auto, keyless = run_node([{**call, "apiKey": key},
                                        {**call, "source": "auto", "apiKey": key}, call])
    assert with_key == "Le chat dort." and auto == "Le chat dort."
    # without a key the client gets the error body and returns its translatedText: nothing
    assert keyless is None if required else keyless == "Le chat dort."
