"""Per-request work limits (issue 15): characters over all texts and sentences, refused
before any translation, in the API's shape and in LibreTranslate's."""

from __future__ import annotations

import time

import pytest

from test_web import ready_app, web_settings
from translator.web import create_app

SENTENCE = "Le chat dort sur le canapé. "


@pytest.fixture(scope="module")
def app(tmp_path_factory, argos_fr_en):
    with ready_app(web_settings(tmp_path_factory.mktemp("limits"), argos_fr_en, max_chars=5000,
                                max_request_chars=8000, max_request_sentences=20)) as app:
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


def test_characters_over_all_texts_are_limited(client):
    texts = ["x" * 4000 + " Le chat dort.", "y" * 4000 + " Le chien joue."]
    response = client.post("/v1/translate", json={"text": texts, "source": "fr", "target": "en"})
    assert response.status_code == 413
    assert response.get_json()["error"] == {
        "code": "input_too_large",
        "message": "the texts hold 8029 characters; the limit is 8000 per request",
        "details": {"field": "text", "limit": 8000, "size": 8029, "unit": "characters"}}
    libre = client.post("/translate", json={"q": texts, "source": "fr", "target": "en"})
    assert libre.status_code == 400  # as LibreTranslate answers its character limit
    assert libre.get_json() == {"error": "Invalid request: request (8029) exceeds text limit (8000)",
                                "code": "input_too_large"}


def test_sentences_over_all_texts_are_limited(client):
    texts = [SENTENCE * 11, SENTENCE * 10]
    response = client.post("/v1/translate", json={"text": texts, "source": "fr", "target": "en"})
    assert response.status_code == 413
    error = response.get_json()["error"]
    assert error["code"] == "input_too_large" and error["details"]["unit"] == "sentences"
    assert error["details"]["size"] == 21 and error["details"]["limit"] == 20
    libre = client.post("/translate", data={"q": SENTENCE * 21, "source": "fr", "target": "en"})
    assert libre.get_json() == {"error": "Invalid request: request (21 sentences) exceeds "
                                         "sentence limit (20)", "code": "input_too_large"}
    page = client.post("/review", data={"text": SENTENCE * 21, "source": "fr", "target": "en"})
    assert page.status_code == 413 and "limit is 20" in page.get_data(as_text=True)
    ok = client.post("/v1/translate", json={"text": [SENTENCE * 10, SENTENCE * 10], "source": "fr",
                                            "target": "en"})
    assert ok.status_code == 200


def test_a_38_megabyte_list_is_refused_at_once(tmp_path, argos_fr_en):
    # The defaults: 4 MiB bodies, 200,000 characters a text, 400,000 a request.
    app = create_app(web_settings(tmp_path, argos_fr_en, max_chars=200_000,
                                  max_request_bytes=4 * 1024 * 1024), load_models=False)
    try:
        texts = [(SENTENCE * 7000)[:190_000] for _ in range(20)]  # 3.8 MB, ~135,000 sentences
        started = time.perf_counter()
        response = app.test_client().post("/v1/translate", json={"text": texts, "source": "fr",
                                                                 "target": "en"})
        elapsed = time.perf_counter() - started
        assert response.status_code == 413
        assert response.get_json()["error"]["details"]["unit"] == "characters"
        assert elapsed < 5, elapsed  # refused before any segmentation or translation
    finally:
        app.extensions["translator"].close()


@pytest.mark.parametrize("path", ["/v1/translate", "/v1/jobs", "/translate_file"])
def test_a_small_form_of_too_many_parts_says_so_not_that_the_body_is_too_large(client, path):
    """werkzeug answers a form of over 1000 parts with the 413 of a body over its size; the
    message said "larger than the limit of N bytes" of a body of 100 kB. (LibreTranslate's
    /translate takes 64 kB: such a form is over it, and is told so.)"""
    response = client.post(path, data={f"f{i}": "x" for i in range(1001)},
                           content_type="multipart/form-data")
    body = response.get_json()
    if path.startswith("/v1/"):
        assert (response.status_code, body["error"]["code"]) == (413, "request_too_large")
        assert body["error"]["details"]["max_form_parts"] == 1000
        message = body["error"]["message"]
    else:  # LibreTranslate's shape and status
        assert (response.status_code, body["code"]) == (400, "request_too_large")
        message = body["error"]
    assert "more than 1000 parts" in message and "bytes" in message
    assert "body is larger" not in message and "exceeds byte limit" not in message
