"""The review page's endpoints through the test client: documents, edits, exports, keys."""

from __future__ import annotations

import re

import pytest

from test_web import ready_app, tmx_is_valid, web_settings, xliff_is_valid
from translator.engines.apertium import ApertiumEngine
from translator.web import create_app

ARTICLE = "Le chat dort sur le canapé. Le chien joue.\nLa Russie et la Corée du Nord coopèrent."
# A sentence of examples/sggp-putin-dprk.fr.txt. This app has a model for fr->en only, so
# fr->es is Apertium's, which leaves 'fermement' and 'multipolaire' as they were.
OPPOSE = ("Le président russe a affirmé que la Russie et la Corée du Nord s'opposaient fermement aux "
          "ambitions de l'Occident d'entraver l'établissement d'un ordre mondial multipolaire fondé "
          "sur le respect mutuel.")
needs_apertium = pytest.mark.skipif(not ApertiumEngine.available(), reason="apertium not installed")


@pytest.fixture(scope="module")
def app(tmp_path_factory, argos_fr_en):
    with ready_app(web_settings(tmp_path_factory.mktemp("review"), argos_fr_en)) as app:
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def doc_url(client):
    response = client.post("/review", data={"text": ARTICLE, "source": "auto", "target": "en"})
    assert response.status_code == 303
    return response.headers["Location"]


def test_start_page_lists_languages_and_recent_documents(client, doc_url):
    page = client.get("/").get_data(as_text=True)
    assert '<option value="en" selected>English (en)</option>' in page
    assert f'href="{doc_url}"' in page and "Le chat dort sur le canapé." in page
    assert "script-src 'self'" in client.get("/").headers["Content-Security-Policy"]


def test_review_page_shows_detection_route_terms_and_segments(client, doc_url):
    page = client.get(doc_url).get_data(as_text=True)
    assert "detected French, confidence" in page
    assert page.count('<tr class="seg') == 3
    assert '<mark class="term" title="→ North Korea">Corée du Nord</mark>' in page
    assert 'data-status="engine"' in page


def test_edits_are_validated_and_saved(client, doc_url):
    url = doc_url + "/segments/0"
    cases = [({"reviewed": True}, "missing_field"), ({"target": 3}, "invalid_field"),
             ({"target": "x", "reviewed": "yes"}, "invalid_field"), ({"target": "x", "extra": 1}, "unknown_field")]
    for body, code in cases:
        response = client.put(url, json=body)
        assert (response.status_code, response.get_json()["error"]["code"]) == (400, code)
    assert client.put(doc_url + "/segments/9", json={"target": "x"}).get_json()["error"]["code"] == "segment_not_found"
    missing = client.put("/review/nope/segments/0", json={"target": "x"})
    assert (missing.status_code, missing.get_json()["error"]["code"]) == (404, "document_not_found")
    saved = client.put(url, json={"target": "The cat sleeps on the sofa.", "reviewed": True}).get_json()
    assert saved["reviewed"] and saved["segment"]["origin"] == "reviewed"


def test_a_target_over_max_chars_is_input_too_large_as_every_text(app, client, doc_url):
    # max_chars limits every text the service takes (docs/api.md#errors): a reviewer's
    # target gets the same 413 and details as /v1/translate's text, and nothing is saved.
    limit, url = app.extensions["translator"].settings.max_chars, doc_url + "/segments/0"
    before = client.get(doc_url + "/export.json").get_json()["segments"][0]["target"]
    response = client.put(url, json={"target": "x" * (limit + 1), "reviewed": False})
    assert response.status_code == 413
    assert response.get_json()["error"] == {
        "code": "input_too_large", "message": f"target has {limit + 1} characters; the limit is {limit}",
        "details": {"field": "target", "limit": limit, "size": limit + 1}}
    assert client.get(doc_url + "/export.json").get_json()["segments"][0]["target"] == before
    assert client.put(url, json={"target": "x" * limit, "reviewed": False}).status_code == 200


def test_exports_carry_the_review(client, doc_url):
    client.put(doc_url + "/segments/1", json={"target": "The dog plays.", "reviewed": True})
    tmx = client.get(doc_url + "/export.tmx")
    assert tmx.headers["Content-Disposition"].startswith('attachment; filename="le-chat-dort-sur-le-canape')
    assert "The dog plays." in [seg.text for seg in tmx_is_valid(tmx.get_data(as_text=True)).iter("seg")]
    xliff = xliff_is_valid(client.get(doc_url + "/export.xliff").get_data(as_text=True))
    ns = "{urn:oasis:names:tc:xliff:document:2.0}"
    states = [s.get("state") for s in xliff.iter(ns + "segment")]
    assert states == ["translated", "reviewed", "translated"]
    # glossary terms are marked and listed with the glossary module
    assert xliff.find(f".//{ns}source/{ns}mrk[@type='term']") is not None
    assert xliff.find(".//{urn:oasis:names:tc:xliff:glossary:2.0}glossEntry") is not None
    data = client.get(doc_url + "/export.json").get_json()
    assert data["segments"][1]["target"] == "The dog plays."
    assert data["target_text"][slice(*data["segments"][2]["target_span"])] == data["segments"][2]["target"]
    assert client.get(doc_url + "/export.docx").status_code == 400


def review_of(client, text, target="es") -> str:
    response = client.post("/review", data={"text": text, "source": "fr", "target": target})
    assert response.status_code == 303
    return response.headers["Location"]


@needs_apertium
def test_a_reviewer_fixes_a_word_left_untranslated(client):
    url = review_of(client, OPPOSE)
    page = client.get(url).get_data(as_text=True)
    assert page.count('<mark class="leftover kind-unknown">') == 2
    assert '<mark class="leftover kind-unknown">fermement</mark>' in page
    assert "French · unknown word · step 1 of 1, fr\u00a0→\u00a0es" in page
    machine = client.get(url + "/export.json").get_json()["segments"][0]
    assert 0.8 < machine["confidence"] < 1
    assert f'<span class="value">{int(machine["confidence"] * 100 + 0.5)}%</span>' in page
    assert [lo["word"] for lo in machine["untranslated"]] == ["fermement", "multipolaire"]

    fixed = machine["target"].replace("fermement", "firmemente")
    draft = client.put(url + "/segments/0", json={"target": fixed, "reviewed": False}).get_json()
    draft = draft["segment"]
    [kept] = draft["untranslated"]  # the fixed word is gone; the other moved with its word
    assert kept["word"] == "multipolaire" and fixed[slice(*kept["target_span"])] == "multipolaire"
    assert kept["target_span"][0] == machine["untranslated"][1]["target_span"][0] + 1
    assert draft["confidence"] == machine["confidence"]  # a draft: still the machine's
    reviewed = client.put(url + "/segments/0", json={"target": fixed, "reviewed": True}).get_json()
    assert reviewed["segment"]["untranslated"] == [kept] and reviewed["segment"]["confidence"] == 1.0
    page = client.get(url).get_data(as_text=True)
    assert "fermement</mark>" not in page and ">multipolaire</mark>" in page
    assert '<span class="value">100%</span>' in page
    assert client.get(url + "/export.json").get_json()["quality"]["review_first"] == []


@needs_apertium
def test_words_left_untranslated_are_marked_as_text(client):
    url = review_of(client, 'Le mot <img src=x onerror="alert(1)">zzqx arrive.')
    page = client.get(url).get_data(as_text=True)
    backdrop = page[page.index('<div class="backdrop"'):]
    backdrop = backdrop[:backdrop.index("</div>")]
    assert '&lt;<mark class="leftover kind-unknown">img</mark>' in backdrop
    assert '<mark class="leftover kind-unknown">zzqx</mark>' in backdrop
    assert "<img" not in page and 'data-word="onerror"' in page


def test_unknown_document_is_an_html_page_for_a_browser(client):
    response = client.get("/review/nope", headers={"Accept": "text/html"})
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert "no document &#39;nope&#39;" in response.get_data(as_text=True)


def test_form_errors_come_back_on_the_form_with_the_text_kept(client):
    response = client.post("/review", data={"text": "   ", "target": "en"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="form-error"' in page and "text is empty" in page
    response = client.post("/review", data={"text": "<b>Bonjour</b> tout le monde.", "target": "xx"})
    assert response.status_code == 400
    assert "&lt;b&gt;Bonjour&lt;/b&gt; tout le monde." in response.get_data(as_text=True)


def test_cross_site_writes_are_refused(client, doc_url):
    evil = {"Origin": "https://evil.example"}
    assert client.post("/review", data={"text": ARTICLE, "target": "en"}, headers=evil).status_code == 403
    assert client.put(doc_url + "/segments/0", json={"target": "x"}, headers=evil).status_code == 403
    same = {"Origin": "http://localhost"}
    assert client.put(doc_url + "/segments/0", json={"target": "x"}, headers=same).status_code == 200


def test_page_asks_for_a_key_once_when_keys_are_required(tmp_path, argos_fr_en):
    app = create_app(web_settings(tmp_path, argos_fr_en, api_keys_required=True), load_models=False)
    client = app.test_client()
    key, _ = app.extensions["translator"].store.keys.create("translator-desk")
    assert client.get("/").headers["Location"].startswith("/login")
    assert client.post("/login", data={"key": "wrong", "next": "/"}).status_code == 403
    login = client.post("/login", data={"key": key, "next": "//evil.example/"})
    assert login.status_code == 303 and login.headers["Location"] == "/"  # no open redirect
    cookie = login.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert client.get("/").status_code == 200
    assert client.post("/v1/detect", json={"text": "Bonjour"}).status_code == 401  # the API wants a header
    app.extensions["translator"].close()


def test_memory_matches_of_a_segment_and_their_errors(client, doc_url):
    saved = client.put(f"{doc_url}/segments/0", json={"target": "The cat sleeps on the sofa.",
                                                      "reviewed": True})
    assert saved.status_code == 200 and saved.get_json()["propagated"] == []
    other = client.post("/review", data={"text": "Le chat dort sur le lit.", "target": "en"})
    answer = client.get(f"{other.headers['Location']}/segments/0/matches")
    assert answer.status_code == 200
    best = answer.get_json()["matches"][0]
    assert best["target"] == "The cat sleeps on the sofa." and 50 <= best["similarity"] < 100
    assert best["document_id"] == doc_url.rsplit("/", 1)[1] and best["document_title"]
    for url, code in ((f"{doc_url}/segments/99/matches", "segment_not_found"),
                      ("/review/nope/segments/0/matches", "document_not_found")):
        response = client.get(url)
        assert response.status_code == 404 and response.get_json()["error"]["code"] == code
    assert client.get(f"{doc_url}/segments/-1/matches").status_code == 404


def test_a_file_and_pasted_text_together_are_refused(client):
    from io import BytesIO

    response = client.post("/review", data={"text": "Le texte.", "target": "en",
                                            "file": (BytesIO("Le fichier.".encode()), "a.txt")})
    assert response.status_code == 400
    assert "both a file (a.txt) and pasted text" in response.get_data(as_text=True)


# -- memories from the archive reused, repeats that follow, un-review ---------------------

ARCHIVE_TMX = """<?xml version="1.0" encoding="UTF-8"?>
<tmx version="1.4"><header creationtool="test" creationtoolversion="1" datatype="plaintext"
 segtype="sentence" adminlang="en" srclang="fr" o-tmf="test"/><body>
<tu><tuv xml:lang="fr"><seg>Le ministre des Finances a démissionné hier soir.</seg></tuv>
    <tuv xml:lang="en"><seg>The finance minister resigned last night.</seg></tuv></tu>
<tu><tuv xml:lang="fr"><seg>L’usine de Đà Nẵng emploie trois mille ouvriers depuis mars.</seg></tuv>
    <tuv xml:lang="en"><seg>The Da Nang factory has employed three thousand workers since March.</seg></tuv></tu>
</body></tmx>""".encode()


def test_translations_reuse_imported_and_aligned_memories_exact_and_fuzzy(client):
    imported = client.post("/v1/memory?name=archive-2025.tmx", data=ARCHIVE_TMX,
                           headers={"Content-Type": "application/x-tmx+xml"})
    assert imported.get_json()["stored"] == 2, imported.get_json()
    aligned = client.post("/align/memory", json={
        "source_lang": "fr", "target_lang": "en", "source_name": "crue.fr.txt",
        "target_name": "crue.en.txt",
        "pairs": [["Les pluies ont inondé la province de Quảng Nam cette semaine.",
                   "Rains flooded Quang Nam province this week."]]})
    assert aligned.get_json()["stored"] == 1, aligned.get_json()
    # exact (typography aside: a straight apostrophe where the archive has a curly one)
    # through the service: the memory's words, origin "memory", not the engine's
    text = ("Le ministre des Finances a démissionné hier soir. "
            "L'usine de Đà Nẵng emploie trois mille ouvriers depuis mars.\n"
            "Les pluies ont inondé la province de Quảng Nam cette semaine. Rien de neuf.")
    result = client.post("/v1/translate", json={"text": text, "source": "fr", "target": "en"}).get_json()
    assert [(s["origin"], s["target"]) for s in result["segments"]] == [
        ("memory", "The finance minister resigned last night."),
        ("memory", "The Da Nang factory has employed three thousand workers since March."),
        ("memory", "Rains flooded Quang Nam province this week."),
        ("engine", "Rien de neuf.")]
    # one word changed: fuzzy matches for the segment being reviewed, with where each came from
    created = client.post("/review", data={
        "text": "Le ministre des Finances a démissionné hier matin. "
                "Les pluies ont inondé la province de Quảng Ngãi cette semaine.",
        "source": "fr", "target": "en"})
    doc_url = created.headers["Location"]
    first, second = (client.get(f"{doc_url}/segments/{n}/matches").get_json()["matches"][0]
                     for n in (0, 1))
    assert first["target"] == "The finance minister resigned last night."
    assert 80 <= first["similarity"] < 100 and ["insert", "soir"] in first["diff"]
    assert (first["created_by"], first["document_id"]) == ("tmx:archive-2025.tmx", None)
    assert second["target"] == "Rains flooded Quang Nam province this week."
    assert 80 <= second["similarity"] < 100
    assert second["created_by"] == "align:crue.fr.txt | crue.en.txt"
    page = client.get(doc_url).get_data(as_text=True)
    assert page.count('data-status="engine"') == 2  # offered, not put in the target


def repeats_document(client) -> str:
    created = client.post("/review", data={"source": "fr", "target": "en", "text": (
        "La séance est levée. Le vote aura lieu demain.\n"
        "La séance est levée. Les députés partent.\nLa séance est levée.")})
    return created.headers["Location"]


def statuses(client, doc_url) -> list[tuple[str, str]]:
    data = client.get(doc_url + "/export.json").get_json()
    page = client.get(doc_url).get_data(as_text=True)
    status = re.findall(r'<tr class="seg[^"]*"[^>]*data-status="(\w+)"', page)
    return [(st, seg["target"]) for st, seg in zip(status, data["segments"])]


def test_repeats_that_received_a_review_follow_its_later_edits(client):
    doc_url = repeats_document(client)
    # segment 4 is edited by hand before the review: its text stays the translator's
    client.put(doc_url + "/segments/4", json={"target": "The sitting is closed!", "reviewed": False})
    saved = client.put(doc_url + "/segments/0", json={"target": "The sitting is closed.",
                                                      "reviewed": True}).get_json()
    assert saved["propagated"] == [2]
    assert [(r["index"], r["reviewed"], r["segment"]["target"]) for r in saved["repeats"]] == [
        (2, True, "The sitting is closed.")]
    # the original corrected (still reviewed, as Ctrl+S keeps it): the copy follows
    saved = client.put(doc_url + "/segments/0", json={"target": "The session is closed.",
                                                      "reviewed": True}).get_json()
    assert saved["propagated"] == [2]
    listed = statuses(client, doc_url)
    assert listed[0] == listed[2] == ("reviewed", "The session is closed.")
    assert listed[4] == ("edited", "The sitting is closed!")
    # un-reviewed: the copy is un-reviewed with it; restored: the copy gets its machine text back
    saved = client.put(doc_url + "/segments/0", json={"target": "The session is closed.",
                                                      "reviewed": False}).get_json()
    assert [(r["index"], r["reviewed"]) for r in saved["repeats"]] == [(2, False)]
    assert statuses(client, doc_url)[2] == ("edited", "The session is closed.")
    restored = client.delete(doc_url + "/segments/0").get_json()
    assert restored["propagated"] == [2] and restored["repeats"][0]["segment"]["origin"] == "engine"
    assert statuses(client, doc_url)[2] == ("engine", "La séance est levée.")
    # a copy the translator then edits is theirs: the original's next review leaves it alone
    client.put(doc_url + "/segments/0", json={"target": "Meeting adjourned.", "reviewed": True})
    client.put(doc_url + "/segments/2", json={"target": "Meeting adjourned, at last.", "reviewed": True})
    saved = client.put(doc_url + "/segments/0", json={"target": "The meeting is adjourned.",
                                                      "reviewed": True}).get_json()
    assert saved["propagated"] == []
    assert statuses(client, doc_url)[2] == ("reviewed", "Meeting adjourned, at last.")
    assert statuses(client, doc_url)[4] == ("edited", "The sitting is closed!")


def test_un_reviewing_a_segment_approved_unchanged_gives_back_its_origin(client):
    client.put(repeats_document(client) + "/segments/1",
               json={"target": "The vote will take place tomorrow.", "reviewed": True})
    created = client.post("/review", data={"source": "fr", "target": "en", "text": (
        "Le vote aura lieu demain. Le pont est fermé.")})
    doc_url = created.headers["Location"]
    assert [s for s, _ in statuses(client, doc_url)] == ["memory", "engine"]
    for index, origin in ((0, "memory"), (1, "engine")):
        target = statuses(client, doc_url)[index][1]
        approved = client.put(f"{doc_url}/segments/{index}", json={"target": target, "reviewed": True})
        assert approved.get_json()["reviewed"]
        undone = client.put(f"{doc_url}/segments/{index}",
                            json={"target": target, "reviewed": False}).get_json()
        assert (undone["reviewed"], undone["segment"]["origin"]) == (False, origin)
        assert statuses(client, doc_url)[index] == (origin, target)
    # changed before it was approved: un-reviewed, it is the translator's edit
    client.put(doc_url + "/segments/1", json={"target": "The bridge is shut.", "reviewed": True})
    undone = client.put(doc_url + "/segments/1", json={"target": "The bridge is shut.",
                                                       "reviewed": False}).get_json()
    assert undone["segment"]["origin"] == "edited"
    assert client.get(doc_url).get_data(as_text=True).count('data-status="reviewed"') == 0
