"""The LibreTranslate-compatible API behaves as LibreTranslate's own code (libretranslate/app.py)
defines it: one test per row of issue 12's table, through the real app (copy model on
CTranslate2, real Apertium, real SQLite)."""

from __future__ import annotations

import io

import pytest

from test_web import needs_apertium, ready_app, wait_ready, web_settings
from translator.web import create_app


@pytest.fixture(scope="module")
def app(tmp_path_factory, argos_fr_en):
    with ready_app(web_settings(tmp_path_factory.mktemp("libre"), argos_fr_en,
                                suggestions=True)) as app:
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="module")
def locked(tmp_path_factory, argos_fr_en):
    """Keys required; one key of desk ``sport``."""
    app = create_app(web_settings(tmp_path_factory.mktemp("libre-keys"), argos_fr_en,
                                  api_keys_required=True, suggestions=True))
    wait_ready(app.test_client())
    key, _ = app.extensions["translator"].store.keys.create("sport-1", desk="sport")
    yield app, key
    app.extensions["translator"].close()


@pytest.fixture(scope="module")
def apertium_app(tmp_path_factory):
    """Apertium alone (no model): fr->en goes fr->es->en."""
    with ready_app(web_settings(tmp_path_factory.mktemp("libre-apertium"))) as app:
        yield app


def is_libre_error(response, status: int, code: str | None = None) -> str:
    """The response is LibreTranslate's error shape with ``status``; returns the message."""
    body = response.get_json()
    assert response.status_code == status, body
    assert isinstance(body["error"], str) and body["error"], body
    if code:
        assert body["code"] == code
    return body["error"]


# -- keys ---------------------------------------------------------------------------------

def test_languages_and_frontend_settings_need_no_key_when_keys_are_required(locked):
    app, _ = locked
    client = app.test_client()
    assert client.get("/languages").status_code == 200
    settings = client.get("/frontend/settings")
    assert settings.status_code == 200 and settings.get_json()["keyRequired"] is True
    assert client.get("/spec").status_code == 200
    is_libre_error(client.post("/translate", data={"q": "Le chat dort.", "target": "en"}), 401,
                   "api_key_required")


def test_api_key_in_the_query_string_is_read(locked, client):
    app, key = locked
    locked_client = app.test_client()
    ok = locked_client.post(f"/translate?api_key={key}",
                            data={"q": "Le chat dort.", "source": "fr", "target": "en"})
    assert ok.status_code == 200 and ok.get_json()["translatedText"] == "Le chat dort."
    json_ok = locked_client.post(f"/translate?api_key={key}",
                                 json={"q": "Le chat dort.", "source": "fr", "target": "en"})
    assert json_ok.status_code == 200
    is_libre_error(locked_client.post("/translate?api_key=trk_bogus", data={
        "q": "Le chat dort.", "source": "fr", "target": "en"}), 403, "invalid_api_key")
    # keys optional: a bogus key is still refused, wherever it is sent
    is_libre_error(client.post("/translate?api_key=trk_bogus", data={
        "q": "Le chat dort.", "source": "fr", "target": "en"}), 403, "invalid_api_key")
    is_libre_error(client.post("/detect", json={"q": "Le chat dort.", "api_key": "trk_bogus"}),
                   403, "invalid_api_key")


# -- alternatives -------------------------------------------------------------------------

def test_alternatives_come_from_the_engine_hypotheses(client):
    body = client.post("/translate", json={"q": "Le chat dort sur le canapé.", "source": "fr",
                                           "target": "en", "alternatives": 3}).get_json()
    alternatives = body["alternatives"]
    assert 1 <= len(alternatives) <= 3, body
    assert body["translatedText"] not in alternatives
    assert len(set(alternatives)) == len(alternatives)
    many = client.post("/translate", json={"q": ["Le chat dort.", "2024"], "source": "fr",
                                           "target": "en", "alternatives": "2"}).get_json()
    assert len(many["alternatives"]) == 2 and many["alternatives"][1] == []
    assert "alternatives" not in client.post("/translate", json={
        "q": "Le chat dort.", "source": "fr", "target": "en"}).get_json()


@pytest.mark.parametrize("value", ["\x1c2", "2\x1f", " \r\n00000000002\x1d", "+2"])
def test_digits_between_any_spaces_the_document_allows_are_a_count(client, value):
    """The document's spaces are str.strip()'s, which int() alone does not all accept
    (U+001C to U+001F gave a 500)."""
    response = client.post("/translate", json={"q": "Le chat dort.", "source": "fr",
                                               "target": "en", "alternatives": value})
    assert response.status_code == 200, response.get_json()
    assert len(response.get_json()["alternatives"]) <= 2


@pytest.mark.parametrize("value", ["abc", "1.5", 2.5, True, [1], 11])
def test_alternatives_that_are_not_a_small_integer_are_refused(client, value):
    message = is_libre_error(client.post("/translate", json={
        "q": "Le chat dort.", "source": "fr", "target": "en", "alternatives": value}), 400)
    assert "alternatives" in message


def test_negative_alternatives_count_as_none_like_libretranslate(client):
    body = client.post("/translate", data={"q": "Le chat dort.", "source": "fr", "target": "en",
                                           "alternatives": "-1"}).get_json()
    assert body == {"translatedText": "Le chat dort."}


@needs_apertium
def test_an_engine_without_hypotheses_gives_no_alternatives(apertium_app):
    body = apertium_app.test_client().post("/translate", json={
        "q": "Le chat dort.", "source": "fr", "target": "es", "alternatives": 3}).get_json()
    assert body["alternatives"] == [] and body["translatedText"]


# -- limits and text without letters -------------------------------------------------------

def test_over_the_character_limit_is_a_400(client):
    message = is_libre_error(client.post("/translate", json={"q": "x" * 5001, "source": "fr",
                                                             "target": "en"}), 400, "input_too_large")
    assert message == "Invalid request: request (5001) exceeds text limit (5000)"


@pytest.mark.parametrize("text", ["😀😀", "2024", "12:30 — 14:00"])
def test_text_without_letters_comes_back_with_confidence_zero(client, text):
    response = client.post("/translate", json={"q": text, "source": "auto", "target": "en"})
    assert response.status_code == 200
    assert response.get_json() == {"translatedText": text,
                                   "detectedLanguage": {"confidence": 0.0, "language": "en"}}


def test_short_text_in_a_language_without_a_route_is_an_explicit_error(client):
    message = is_libre_error(client.post("/translate", json={
        "q": "Xin chào các bạn.", "source": "auto", "target": "en"}), 400, "undetectable_language")
    assert "Vietnamese" in message and "source" in message
    # with the source said, the caller gets what the routes can do (here: no vi route)
    is_libre_error(client.post("/translate", json={
        "q": "Xin chào các bạn.", "source": "vi", "target": "en"}), 400)


# -- the other endpoints exist ---------------------------------------------------------------

def test_suggest_spec_and_file_endpoints_exist(client):
    spec = client.get("/spec").get_json()
    assert spec["swagger"] == "2.0"
    assert {"/translate", "/translate_file", "/detect", "/languages", "/suggest",
            "/frontend/settings", "/download_file/{filename}"} <= set(spec["paths"])
    upload = client.post("/translate_file", data={
        "file": (io.BytesIO("Le chat dort.".encode()), "note.txt"), "source": "fr", "target": "en"})
    assert upload.status_code == 200, upload.get_json()
    url = upload.get_json()["translatedFileUrl"]
    download = client.get(url.split("localhost", 1)[1])
    assert download.status_code == 200 and download.data == "Le chat dort.".encode()
    assert 'filename=note.txt' in download.headers["Content-Disposition"]
    assert client.post("/suggest", data={"q": "Le chat dort.", "s": "The cat sleeps.",
                                         "source": "fr", "target": "en"}).get_json() == {"success": True}


# -- error shape ------------------------------------------------------------------------------

def test_errors_of_libretranslate_paths_use_its_shape_404_and_405_included(client):
    is_libre_error(client.get("/translate"), 405, "method_not_allowed")
    is_libre_error(client.get("/detect"), 405)
    is_libre_error(client.get("/download_file/0123.txt"), 404, "file_not_found")
    is_libre_error(client.get("/translate/more"), 404, "not_found")
    is_libre_error(client.post("/translate", data=b"{oops", content_type="application/json"), 400,
                   "invalid_json")
    # the /v1 API keeps its richer errors
    v1 = client.post("/v1/translate", json={"text": "Le chat dort."})
    assert v1.status_code == 400 and v1.get_json()["error"]["code"] == "missing_field"
    assert client.get("/v1/nothing").get_json()["error"]["code"] == "not_found"


# -- detect, target, html, CRLF ---------------------------------------------------------------

def test_detect_with_a_list_weighs_every_item(client):
    detected = client.post("/detect", json={"q": ["2024", "Le président a parlé aux journalistes "
                                                          "ce matin à Paris."]}).get_json()
    assert detected[0]["language"] == "fr" and detected[0]["confidence"] > 50
    assert client.post("/detect", json={"q": "😀"}).get_json() == [{"confidence": 0.0,
                                                                      "language": "en"}]


def test_missing_target_is_named(client):
    message = is_libre_error(client.post("/translate", data={"q": "Le chat dort.", "source": "fr"}),
                             400, "missing_field")
    assert message == "Invalid request: missing target parameter"


@needs_apertium
def test_html_tags_stay_around_their_words(apertium_app):
    client = apertium_app.test_client()
    body = client.post("/translate", json={"q": "<p>Le <b>chat</b> noir dort.</p>", "source": "fr",
                                           "target": "en", "format": "html"}).get_json()
    assert body["translatedText"] == "<p>The black <b>cat</b> sleeps.</p>"


def test_html_attributes_scripts_and_entities_are_untouched(client):
    q = ('<p class="x" title="Le chat">Le chat <a href="/chat?a=1&amp;b=2">dort</a> &amp; '
         'r&ecirc;ve.</p><script>var s = "<b>chat</b>";</script><!-- le chat -->')
    body = client.post("/translate", json={"q": q, "source": "fr", "target": "en",
                                           "format": "html"}).get_json()
    assert body["translatedText"] == q  # the copy model: every byte where it was


def test_form_bodies_have_crlf_turned_into_lf(client):
    form = client.post("/translate", data={"q": "Le chien dort.\r\nLe chien joue.", "source": "fr",
                                           "target": "en"}).get_json()
    assert form["translatedText"] == "Le chien dort.\nLe chien joue."
    listed = client.post("/translate", data={"q": ["Le chien dort.\r\n", "Le chien joue."],
                                             "source": "fr", "target": "en"}).get_json()
    assert listed["translatedText"] == ["Le chien dort.\n", "Le chien joue."]
    # JSON keeps what it says, as in LibreTranslate
    body = client.post("/translate", json={"q": "Le chien dort.\r\nLe chien joue.", "source": "fr",
                                           "target": "en"}).get_json()
    assert "\r\n" in body["translatedText"]


# -- /suggest feeds the translation memory ------------------------------------------------------

def test_a_suggestion_is_a_reviewed_segment_of_the_keys_desk(locked):
    app, key = locked
    client = app.test_client()
    other, _ = app.extensions["translator"].store.keys.create("politique-1", desk="politique")
    sentence = {"q": "Le joueur marque un but.", "source": "fr", "target": "en"}
    assert client.post("/suggest", data={**sentence, "s": "The player scores a goal.",
                                         "api_key": key}).get_json() == {"success": True}
    mine = client.post("/translate", json={**sentence, "api_key": key}).get_json()
    assert mine["translatedText"] == "The player scores a goal."
    theirs = client.post("/translate", json={**sentence, "api_key": other}).get_json()
    assert theirs["translatedText"] == "Le joueur marque un but."  # another desk: the engine's
    segment = client.post("/v1/translate", json={"text": sentence["q"], "source": "fr",
                                                 "target": "en"},
                          headers={"X-API-Key": key}).get_json()["segments"][0]
    assert segment["origin"] == "memory"
    is_libre_error(client.post("/suggest", data={**sentence, "s": "x"}), 401, "api_key_required")


@pytest.mark.parametrize("form, code", [
    ({"s": "The cat.", "source": "fr", "target": "en"}, "missing_field"),
    ({"q": "Le chat.", "source": "fr", "target": "en"}, "missing_field"),
    ({"q": "Le chat.", "s": "The cat.", "target": "en"}, "missing_field"),
    ({"q": "Le chat.", "s": "The cat.", "source": "fr", "target": "xx"}, "unknown_language"),
    ({"q": "Le chat dort. Il rêve.", "s": "The cat sleeps.", "source": "fr", "target": "en"},
     "invalid_field"),
])
def test_bad_suggestions_are_refused_and_store_nothing(app, client, form, code):
    memory = app.extensions["translator"].store.memory
    before = memory.count()
    is_libre_error(client.post("/suggest", data=form), 400, code)
    assert memory.count() == before


def test_suggestions_are_refused_when_the_setting_is_off(tmp_path, argos_fr_en):
    app = create_app(web_settings(tmp_path, argos_fr_en), load_models=False)
    try:
        client = app.test_client()
        assert client.get("/frontend/settings").get_json()["suggestions"] is False
        message = is_libre_error(client.post("/suggest", data={
            "q": "Le chat.", "s": "The cat.", "source": "fr", "target": "en"}), 403,
            "suggestions_disabled")
        assert message == "Suggestions are disabled on this server."
        assert app.extensions["translator"].store.memory.count() == 0
    finally:
        app.extensions["translator"].close()


# -- /translate_file and /download_file: bad input ------------------------------------------

@pytest.mark.parametrize("data, status, code", [
    ({"source": "fr", "target": "en"}, 400, "missing_field"),
    ({"file": (io.BytesIO(b"Le chat."), ""), "target": "en"}, 400, "missing_field"),
    ({"file": (io.BytesIO(b"Le chat."), "a.txt")}, 400, "missing_field"),
    ({"file": (io.BytesIO(b"Le chat."), "a.pdf"), "target": "en"}, 400, "unsupported_document"),
    ({"file": (io.BytesIO(b"Le chat \xff."), "a.txt"), "target": "en"}, 400, "bad_document"),
    ({"file": (io.BytesIO(b"PK\x03\x04 not a zip"), "a.docx"), "target": "en"}, 400, "bad_document"),
    ({"file": (io.BytesIO(b"<office>"), "a.odt"), "target": "en"}, 400, "bad_document"),
])
def test_bad_files_get_a_clear_error(client, data, status, code):
    is_libre_error(client.post("/translate_file", data=data), status, code)


@pytest.mark.parametrize("name", ["../translator.db", "..%2F..%2Fetc%2Fpasswd", "x" * 32 + ".txt",
                                  ".incoming-abc"])
def test_download_names_outside_the_files_are_not_found(client, name):
    assert client.get(f"/download_file/{name}").status_code == 404


def test_files_translation_can_be_turned_off(tmp_path, argos_fr_en):
    app = create_app(web_settings(tmp_path, argos_fr_en, files_translation=False), load_models=False)
    try:
        client = app.test_client()
        assert client.get("/frontend/settings").get_json()["supportedFilesFormat"] == []
        is_libre_error(client.post("/translate_file", data={
            "file": (io.BytesIO(b"Le chat."), "a.txt"), "target": "en"}), 403, "files_disabled")
    finally:
        app.extensions["translator"].close()


def test_v1_says_when_a_short_text_looks_like_a_language_without_a_route(client):
    result = client.post("/v1/translate", json={"text": "Xin chào các bạn.", "target": "en"}).get_json()
    assert any("looks like Vietnamese (vi" in w and "send source" in w for w in result["warnings"])
    sure = client.post("/v1/translate", json={"text": "Le chat dort sur le canapé du salon.",
                                              "target": "en"}).get_json()
    assert not any("looks like" in w for w in sure["warnings"])
