"""Glossaries over HTTP: named glossaries (CRUD), a stored name or inline terms per request."""

import pytest

from test_web import check_alignment, openapi_caller, ready_app, web_settings, xliff_is_valid

TSV = "id\ttype\ten\tfr\nchat\tother\tthe feline\tLe chat\n"


@pytest.fixture(scope="module")
def app(tmp_path_factory, argos_fr_en):
    with ready_app(web_settings(tmp_path_factory.mktemp("web-glossary"), argos_fr_en)) as app:
        yield app


@pytest.fixture
def call(app):
    client = app.test_client()
    return openapi_caller(client, client.get("/v1/openapi.json").get_json())


def test_crud_and_formats(call):
    path = "/v1/glossaries/{name}"
    created = call("PUT", "/v1/glossaries/desk", path=path, data=TSV,
                   content_type="text/tab-separated-values")
    assert created.status_code == 201 and created.get_json()["entries"] == 1
    again = call("PUT", "/v1/glossaries/desk", path=path, data=TSV,
                 content_type="text/tab-separated-values")
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "glossary_exists"
    listed = call("GET", "/v1/glossaries").get_json()
    assert [g["name"] for g in listed["glossaries"]] == ["desk"]
    assert listed["default"]["entries"] > 600  # the shipped news glossary
    entries = call("GET", "/v1/glossaries/desk", path=path).get_json()["entries"]
    assert entries[0]["terms"] == {"en": ["the feline"], "fr": ["Le chat"]}
    tbx = call("GET", "/v1/glossaries/desk?format=tbx", path=path)
    assert tbx.mimetype == "application/x-tbx+xml" and "the feline" in tbx.get_data(as_text=True)
    replaced = call("PUT", "/v1/glossaries/desk?replace=true", path=path,
                    json={"entries": [{"id": "dog", "terms": {"fr": ["Le chien"], "en": ["the hound"]}}]})
    assert replaced.status_code == 200
    assert call("DELETE", "/v1/glossaries/desk", path=path).status_code == 204
    missing = call("GET", "/v1/glossaries/desk", path=path)
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "glossary_not_found"


def test_bad_upload_is_refused_and_the_stored_version_survives(call):
    path = "/v1/glossaries/{name}"
    assert call("PUT", "/v1/glossaries/keep", path=path, data=TSV,
                content_type="text/tab-separated-values").status_code == 201
    bad = call("PUT", "/v1/glossaries/keep?replace=true", path=path,
               data="id\ttype\ten\tfr\nx\tother\t<b>bold</b>\tgras\n",
               content_type="text/tab-separated-values")
    assert bad.status_code == 400 and bad.get_json()["error"]["code"] == "bad_glossary"
    assert "keep.tsv:2" in bad.get_json()["error"]["message"]
    kept = call("GET", "/v1/glossaries/keep", path=path).get_json()["entries"]
    assert kept[0]["terms"]["en"] == ["the feline"]
    call("DELETE", "/v1/glossaries/keep", path=path)


def test_translate_with_a_stored_glossary_and_inline_terms(call):
    call("PUT", "/v1/glossaries/pets", path="/v1/glossaries/{name}", data=TSV,
         content_type="text/tab-separated-values")
    text = "Le chat dort. Le chien joue."
    stored = call("POST", "/v1/translate", json={"text": text, "source": "fr", "target": "en",
                                                 "glossary": "pets"}).get_json()
    assert stored["target_text"] == "The feline dort. Le chien joue."  # sentence start
    assert stored["segments"][0]["terms"][0]["target"] == "The feline"
    check_alignment(stored)
    inline = call("POST", "/v1/translate", json={
        "text": text, "target": "en", "glossary": "pets",
        "terms": [{"source": "Le chien", "target": "the hound"}]}).get_json()
    assert inline["target_text"] == "The feline dort. The hound joue."
    xliff = call("POST", "/v1/translate?format=xliff", json={
        "text": text, "source": "fr", "target": "en", "glossary": "pets"})
    xliff_is_valid(xliff.get_data(as_text=True))
    none = call("POST", "/v1/translate", json={"text": text, "source": "fr", "target": "en",
                                               "glossary": "none"}).get_json()
    assert none["target_text"] == text and none["signature"]["glossary"] is None


@pytest.mark.parametrize("body, code", [
    ({"glossary": "nope"}, "glossary_not_found"),
    ({"glossary": 3}, "invalid_field"),
    ({"terms": "Le chat=cat"}, "invalid_field"),
    ({"terms": [{"source": "<script>x</script>", "target": "y"}]}, "invalid_field"),
    ({"terms": [{"source": "chat"}]}, "invalid_field"),
])
def test_bad_glossary_requests(call, body, code):
    response = call("POST", "/v1/translate", json={"text": "Le chat dort.", "source": "fr",
                                                   "target": "en", **body})
    assert response.status_code in (400, 404)
    assert response.get_json()["error"]["code"] == code


def test_a_broken_glossary_database_is_a_503_that_shows_no_path(tmp_path, argos_fr_en):
    """A server-side failure, as for the service's own store: the client gets what failed
    and a request id, never the file's path (the log has it)."""
    settings = web_settings(tmp_path, argos_fr_en)
    settings.glossary_db.write_bytes(b"this is not a SQLite database" * 100)
    with ready_app(settings) as app:
        client = app.test_client()
        for response in (client.get("/v1/glossaries/news"),
                         client.put("/v1/glossaries/news", data=TSV,
                                    content_type="text/tab-separated-values")):
            error = response.get_json()["error"]
            assert (response.status_code, error["code"]) == (503, "store_unavailable")
            assert str(tmp_path) not in response.get_data(as_text=True)
            assert error["details"]["request_id"] in error["message"]
    assert settings.glossary_db.read_bytes() == b"this is not a SQLite database" * 100
