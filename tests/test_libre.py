"""The LibreTranslate-compatible API's logic, in-process through the real app (copy model on
CTranslate2, real Apertium, real SQLite): bad input, settings, the HTML pivot case.
Every row of issue 12's table is a test against a real server, keys off and on, in
tests/test_libre_clients.py."""

from __future__ import annotations

import io

import pytest

from test_web import needs_apertium, ready_app, web_settings
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


# -- alternatives -------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["\x1c2", "2\x1f", " \r\n00000000002\x1d", "+2"])
def test_digits_between_any_spaces_the_document_allows_are_a_count(client, value):
    """The document's spaces are str.strip()'s, which int() alone does not all accept
    (U+001C to U+001F gave a 500)."""
    response = client.post("/translate", json={"q": "Le chat dort.", "source": "fr",
                                               "target": "en", "alternatives": value})
    assert response.status_code == 200, response.get_json()
    assert len(response.get_json()["alternatives"]) <= 2


# -- html --------------------------------------------------------------------------------------

@needs_apertium
def test_html_tags_stay_around_their_words_through_a_pivot(apertium_app):
    """fr->en through Apertium's fr-es and spa-eng (the real server of
    tests/test_libre_clients.py has a model for fr->en: its row test is Spanish)."""
    client = apertium_app.test_client()
    body = client.post("/translate", json={"q": "<p>Le <b>chat</b> noir dort.</p>", "source": "fr",
                                           "target": "en", "format": "html"}).get_json()
    assert body["translatedText"] == "<p>The black <b>cat</b> sleeps.</p>"


# -- /suggest: bad input and the setting --------------------------------------------------------

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


# -- short texts in a language with no route (issue 12) -------------------------------------

SHORT_NO_ROUTE = [("Guten Morgen", {"de"}), ("Danke schön", {"de"}), ("Die Katze schläft.", {"de"}),
                  ("Dobrý den", {"cs", "sk"}), ("Kde je nádraží?", {"cs", "sk"}),
                  ("Xin chào các bạn.", {"vi"}), ("Cảm ơn", {"vi"}),
                  ("Dzień dobry", {"pl"}), ("Cześć wszystkim", {"pl"})]
SHORT_ROUTED = [("Bonjour à tous.", "fr"), ("Le président parle.", "fr"), ("Merci beaucoup.", "fr"),
                ("Good morning", "en"), ("The cat sleeps.", "en"),
                ("Buenos días", "es"), ("El gato duerme.", "es"), ("Muchas gracias", "es")]


@needs_apertium
@pytest.mark.parametrize("text, likely", SHORT_NO_ROUTE)
def test_a_short_text_with_no_route_is_an_explicit_answer_not_a_translation(apertium_app, text,
                                                                           likely):
    """"Guten Morgen" was French at 57 % (among the routable languages) and came back
    unchanged with a 200; German has 44 % among every language, French 2 %."""
    client = apertium_app.test_client()
    message = is_libre_error(client.post("/translate", json={"q": text, "source": "auto",
                                                             "target": "en"}),
                             400, "undetectable_language")
    assert any(f"({code}, " in message for code in likely), message
    result = client.post("/v1/translate", json={"text": text, "target": "en"}).get_json()
    assert any("looks like" in w and "no route to en" in w and "send source" in w
               for w in result["warnings"]), result["warnings"]


@needs_apertium
@pytest.mark.parametrize("text, language", SHORT_ROUTED)
def test_a_short_text_with_a_route_is_translated_without_a_warning(apertium_app, text, language):
    client = apertium_app.test_client()
    target = "fr" if language == "en" else "en"
    libre = client.post("/translate", json={"q": text, "source": "auto", "target": target})
    body = libre.get_json()
    assert libre.status_code == 200, body
    assert body["detectedLanguage"]["language"] == language
    assert body["translatedText"] != text
    result = client.post("/v1/translate", json={"text": text, "target": target}).get_json()
    assert result["source_lang"] == language and result["warnings"] == [], result
