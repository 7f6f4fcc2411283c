"""Desks through the real app (issue 15): two desks whose keys cannot reach each other's
jobs, review documents, glossaries or translation memory (404, as for what does not
exist), an admin who sees all, and the no-keys mode as it was."""

from __future__ import annotations

import pytest

from test_web import wait_ready, web_settings
from test_web_jobs import zip_bytes
from translator.cli import main as cli_main
from translator.store import Store
from translator.web import create_app

SENTENCE = "Le chat dort sur le canapé."


@pytest.fixture(scope="module")
def desks(tmp_path_factory, argos_fr_en):
    root = tmp_path_factory.mktemp("desks")
    app = create_app(web_settings(root, argos_fr_en, api_keys_required=True, batch_wait_ms=0),
                     run_jobs=False)
    wait_ready(app.test_client())
    keys = app.extensions["translator"].store.keys
    made = {"sports": keys.create("sports-1", desk="sports")[0],
            "politics": keys.create("politics-1", desk="politics")[0],
            "chief": keys.create("chief", desk="news", role="admin")[0],
            "editor": keys.create("editor", desk="news", role="memory-writer")[0]}
    yield app, {who: {"X-API-Key": key} for who, key in made.items()}
    app.extensions["translator"].close()


@pytest.fixture
def client(desks):
    return desks[0].test_client()


@pytest.fixture
def as_(desks):
    return desks[1]


def code_of(response) -> str:
    return response.get_json()["error"]["code"]


def review_document(client, headers, text: str = SENTENCE) -> str:
    response = client.post("/review", data={"text": text, "source": "fr", "target": "en"},
                           headers=headers)
    assert response.status_code == 303, response.get_data(as_text=True)[:300]
    return response.headers["Location"].rsplit("/", 1)[1]


def translate(client, headers, text: str = SENTENCE) -> dict:
    response = client.post("/v1/translate", json={"text": text, "source": "fr", "target": "en"},
                           headers=headers)
    assert response.status_code == 200
    return response.get_json()["segments"][0]


def test_jobs_of_one_desk_are_not_found_by_another(client, as_):
    submitted = client.post("/v1/jobs?target=en&source=fr&filename=wire.zip",
                            data=zip_bytes({"a.txt": SENTENCE}), content_type="application/zip",
                            headers=as_["sports"])
    assert submitted.status_code == 202
    job_id = submitted.get_json()["id"]
    assert submitted.get_json()["desk"] == "sports"
    for url in (f"/v1/jobs/{job_id}", f"/v1/jobs/{job_id}/result", f"/v1/jobs/{job_id}/failures"):
        response = client.get(url, headers=as_["politics"])
        assert (response.status_code, code_of(response)) == (404, "job_not_found"), url
    assert client.get("/v1/jobs/0123456789abcdef", headers=as_["politics"]).get_json() \
        == {"error": {"code": "job_not_found", "message": "no job '0123456789abcdef'",
                      "details": {"id": "0123456789abcdef"}}}  # the same answer as for none
    deleted = client.delete(f"/v1/jobs/{job_id}", headers=as_["politics"])
    assert (deleted.status_code, code_of(deleted)) == (404, "job_not_found")
    assert job_id not in [j["id"] for j in client.get("/v1/jobs", headers=as_["politics"]).get_json()["jobs"]]
    assert client.get(f"/v1/jobs/{job_id}", headers=as_["sports"]).get_json()["state"] == "queued"
    assert job_id in [j["id"] for j in client.get("/v1/jobs", headers=as_["sports"]).get_json()["jobs"]]
    # The admin sees and manages every desk's jobs.
    assert job_id in [j["id"] for j in client.get("/v1/jobs", headers=as_["chief"]).get_json()["jobs"]]
    assert client.get(f"/v1/jobs/{job_id}", headers=as_["chief"]).status_code == 200
    assert client.delete(f"/v1/jobs/{job_id}", headers=as_["chief"]).status_code == 204
    assert client.get(f"/v1/jobs/{job_id}", headers=as_["sports"]).status_code == 404


def test_review_documents_of_one_desk_are_not_found_by_another(client, as_):
    doc_id = review_document(client, as_["sports"], "Match nul au Parc des Princes. Le chat dort.")
    other = as_["politics"]
    for response in (client.get(f"/review/{doc_id}", headers={**other, "Accept": "application/json"}),
                     client.get(f"/review/{doc_id}/export.tmx", headers=other),
                     client.put(f"/review/{doc_id}/segments/0", json={"target": "BOB WAS HERE"},
                                headers=other)):
        assert (response.status_code, code_of(response)) == (404, "document_not_found")
    assert "Match nul" not in client.get("/", headers=other).get_data(as_text=True)
    assert "Match nul" in client.get("/", headers=as_["sports"]).get_data(as_text=True)
    assert "Match nul" in client.get("/", headers=as_["chief"]).get_data(as_text=True)
    assert client.get(f"/review/{doc_id}", headers=as_["sports"]).status_code == 200
    assert client.get(f"/review/{doc_id}", headers=as_["chief"]).status_code == 200
    saved = client.put(f"/review/{doc_id}/segments/0", json={"target": "A draw at the Parc."},
                       headers=as_["sports"])
    assert saved.status_code == 200
    assert client.get(f"/review/{doc_id}/export.text", headers=as_["sports"]).get_data(
        as_text=True).startswith("A draw at the Parc.")


def test_glossaries_of_one_desk_are_not_found_by_another(client, as_):
    entries = {"entries": [{"terms": {"fr": ["canapé"], "en": ["couch"]}}]}
    assert client.put("/v1/glossaries/house?format=json", json=entries,
                      headers=as_["sports"]).status_code == 201
    other = as_["politics"]
    for response in (client.get("/v1/glossaries/house", headers=other),
                     client.get("/v1/glossaries/house?desk=sports", headers=other),
                     client.delete("/v1/glossaries/house", headers=other),
                     client.post("/v1/translate", json={"text": SENTENCE, "target": "en",
                                                        "glossary": "house"}, headers=other)):
        assert (response.status_code, code_of(response)) == (404, "glossary_not_found")
        assert "sports" not in response.get_data(as_text=True)
    assert client.get("/v1/glossaries", headers=other).get_json()["glossaries"] == []
    # Its own glossary of the same name: no conflict tells it the name is taken elsewhere.
    mine = {"entries": [{"terms": {"fr": ["canapé"], "en": ["sofa"]}}]}
    assert client.put("/v1/glossaries/house?format=json", json=mine, headers=other).status_code == 201
    uses = client.post("/v1/translate", json={"text": SENTENCE, "source": "fr", "target": "en",
                                              "glossary": "house"}, headers=other).get_json()
    assert "sofa" in uses["target_text"]
    sports = client.post("/v1/translate", json={"text": SENTENCE, "source": "fr", "target": "en",
                                                "glossary": "house"}, headers=as_["sports"]).get_json()
    assert "couch" in sports["target_text"]
    # The admin sees both, names the desk when the name is ambiguous, and manages them.
    listed = client.get("/v1/glossaries", headers=as_["chief"]).get_json()["glossaries"]
    assert sorted((g["name"], g["desk"]) for g in listed) == [("house", "politics"), ("house", "sports")]
    ambiguous = client.get("/v1/glossaries/house", headers=as_["chief"])
    assert (ambiguous.status_code, code_of(ambiguous)) == (400, "invalid_field")
    chosen = client.get("/v1/glossaries/house?desk=sports", headers=as_["chief"]).get_json()
    assert chosen["entries"][0]["terms"]["en"] == ["couch"]
    assert client.delete("/v1/glossaries/house?desk=politics", headers=as_["chief"]).status_code == 204
    assert client.get("/v1/glossaries/house", headers=other).status_code == 404
    assert client.get("/v1/glossaries/house", headers=as_["sports"]).status_code == 200


def test_a_jobs_glossary_is_its_desks(client, as_, desks):
    entries = {"entries": [{"terms": {"fr": ["canapé"], "en": ["settee"]}}]}
    assert client.put("/v1/glossaries/jobterms?format=json", json=entries,
                      headers=as_["sports"]).status_code == 201
    refused = client.post("/v1/jobs?target=en&source=fr&glossary=jobterms",
                          data=zip_bytes({"a.txt": SENTENCE}), content_type="application/zip",
                          headers=as_["politics"])
    assert (refused.status_code, code_of(refused)) == (404, "glossary_not_found")
    accepted = client.post("/v1/jobs?target=en&source=fr&glossary=jobterms",
                           data=zip_bytes({"a.txt": SENTENCE}), content_type="application/zip",
                           headers=as_["sports"])
    assert accepted.get_json()["glossary"] == "jobterms"
    service = desks[0].extensions["translator"]
    job = service.jobs.get(accepted.get_json()["id"])
    # What the runner resolves when it runs the job (it knows no request, only the job).
    assert job.glossary == "sports/jobterms"
    assert "settee" in str(service.named_glossary(job.glossary).entries)


def test_one_desks_reviews_never_reach_another_desks_translations(client, as_):
    poisoned = "Le président a parlé aux journalistes ce matin."
    doc_id = review_document(client, as_["politics"], poisoned)
    saved = client.put(f"/review/{doc_id}/segments/0", json={"target": "BOB WAS HERE", "reviewed": True},
                       headers=as_["politics"])
    assert saved.status_code == 200
    sports = translate(client, as_["sports"], poisoned)
    assert sports["origin"] == "engine" and sports["target"] != "BOB WAS HERE"
    libre = client.post("/translate", json={"q": poisoned, "source": "fr", "target": "en"},
                        headers=as_["sports"]).get_json()
    assert libre["translatedText"] != "BOB WAS HERE"
    own = translate(client, as_["politics"], poisoned)  # the desk's own memory still serves it
    assert (own["origin"], own["target"]) == ("memory", "BOB WAS HERE")
    # A batch job reads only the newsroom-wide memory.
    assert client.application.extensions["translator"].pipeline.memory.lookup(
        "fr", "en", [poisoned]) == {}


@pytest.mark.parametrize("writer", ["chief", "editor"])
def test_admins_and_memory_writers_write_the_newsroom_memory(client, as_, writer):
    sentence = f"Le chien de {writer} joue dans le jardin."
    doc_id = review_document(client, as_[writer], sentence)
    assert client.put(f"/review/{doc_id}/segments/0", json={"target": f"The approved {writer}."},
                      headers=as_[writer]).status_code == 200
    for desk in ("sports", "politics"):
        seg = translate(client, as_[desk], sentence)
        assert (seg["origin"], seg["target"]) == ("memory", f"The approved {writer}.")


def test_an_admin_reviewing_a_desks_document_approves_it_for_the_newsroom(client, as_):
    sentence = "Le stade est plein ce soir."
    doc_id = review_document(client, as_["sports"], sentence)
    assert client.put(f"/review/{doc_id}/segments/0", json={"target": "The stadium is full tonight."},
                      headers=as_["chief"]).status_code == 200
    seg = translate(client, as_["politics"], sentence)
    assert (seg["origin"], seg["target"]) == ("memory", "The stadium is full tonight.")


def test_deleting_and_restoring_another_desks_document_is_not_found(client, as_):
    doc_id = review_document(client, as_["sports"], "Le gardien est blessé.")
    assert client.put(f"/review/{doc_id}/segments/0", json={"target": "The keeper is hurt."},
                      headers=as_["sports"]).status_code == 200
    for response in (client.delete(f"/review/{doc_id}/segments/0", headers=as_["politics"]),
                     client.post(f"/review/{doc_id}/delete", headers=as_["politics"])):
        assert (response.status_code, code_of(response)) == (404, "document_not_found")
    mine = client.get(f"/review/{doc_id}/export.text", headers=as_["sports"])
    assert mine.get_data(as_text=True).startswith("The keeper is hurt.")  # untouched
    # its own desk restores; the admin deletes
    assert client.delete(f"/review/{doc_id}/segments/0", headers=as_["sports"]).status_code == 200
    assert client.post(f"/review/{doc_id}/delete", headers=as_["chief"]).status_code == 303
    assert client.get(f"/review/{doc_id}", headers=as_["sports"]).status_code == 404


def test_concordance_and_matches_of_another_desks_document_are_not_found(client, as_):
    sentence = "Le buteur marque deux fois."
    doc_id = review_document(client, as_["sports"], sentence)
    assert client.put(f"/review/{doc_id}/segments/0", json={"target": "The striker scores twice."},
                      headers=as_["sports"]).status_code == 200
    urls = (f"/review/{doc_id}/concordance?q=buteur", f"/review/{doc_id}/segments/0/matches")
    for url in urls:
        response = client.get(url, headers=as_["politics"])
        assert (response.status_code, code_of(response)) == (404, "document_not_found"), url
    for who in ("sports", "chief"):
        found = client.get(urls[0], headers=as_[who]).get_json()["entries"]
        assert who == "chief" or [e["target"] for e in found] == ["The striker scores twice."]
        assert client.get(urls[1], headers=as_[who]).status_code == 200
    # politics' own document of the same sentence: sports' review is not among its matches
    theirs = review_document(client, as_["politics"], sentence)
    matches = client.get(f"/review/{theirs}/segments/0/matches", headers=as_["politics"]).get_json()
    assert "The striker scores twice." not in str(matches)


def test_v1_memory_search_and_export_are_the_desks_own(client, as_):
    sentence = "Le club recrute un attaquant."
    doc_id = review_document(client, as_["sports"], sentence)
    assert client.put(f"/review/{doc_id}/segments/0", json={"target": "The club signs a forward."},
                      headers=as_["sports"]).status_code == 200
    search = {"source": "fr", "target": "en", "q": "recrute un attaquant"}
    fuzzy = {"source": "fr", "target": "en", "match": sentence}
    for who, expected in (("sports", ["The club signs a forward."]), ("politics", []),
                          ("chief", [])):  # the admin reads its desk's and the newsroom's
        for query in (search, fuzzy):
            entries = client.get("/v1/memory", query_string=query, headers=as_[who]).get_json()["entries"]
            assert [e["target"] for e in entries] == expected, (who, query)
    for who, url in (("politics", "/v1/memory/export.tmx"),
                     ("politics", "/v1/memory/export.tmx?from=newsroom")):
        exported = client.get(url, headers=as_[who])
        assert exported.status_code == 200 and b"signs a forward" not in exported.data
    assert b"signs a forward" in client.get("/v1/memory/export.tmx", headers=as_["sports"]).data


def test_newsroom_entries_name_their_document_and_writer_only_to_its_desk(client, as_):
    sentence = "Le ministre visite le stade."
    doc_id = review_document(client, as_["sports"], sentence)
    # the admin approves it for the newsroom: every desk reads it, only sports sees whence
    assert client.put(f"/review/{doc_id}/segments/0", json={"target": "The minister visits the stadium."},
                      headers=as_["chief"]).status_code == 200
    query = {"source": "fr", "target": "en", "q": "visite le stade"}
    seen = {who: client.get("/v1/memory", query_string=query, headers=as_[who]).get_json()["entries"]
            for who in ("sports", "politics", "chief")}
    newsroom = {who: next(e for e in entries if e["desk"] == "*") for who, entries in seen.items()
                if any(e["desk"] == "*" for e in entries)}
    assert newsroom["politics"]["target"] == "The minister visits the stadium."
    assert (newsroom["politics"]["document_id"], newsroom["politics"]["created_by"]) == (None, None)
    assert (newsroom["chief"]["document_id"], newsroom["chief"]["created_by"]) == (doc_id, "chief")
    # sports reads its own desk's entry first (same source): its provenance is its own
    assert seen["sports"][0]["document_id"] == doc_id
    theirs = review_document(client, as_["politics"], sentence)
    matches = client.get(f"/review/{theirs}/segments/0/matches", headers=as_["politics"]).get_json()
    assert all(m["created_by"] != "chief" and m["document_id"] != doc_id for m in matches["matches"])
    exported = client.get("/v1/memory/export.tmx?from=newsroom", headers=as_["politics"]).data
    assert b"visits the stadium" in exported and b'creationid="chief"' not in exported
    assert b'creationid="chief"' in client.get("/v1/memory/export.tmx?from=newsroom",
                                               headers=as_["chief"]).data


def test_align_memory_stores_in_the_desks_own_memory(client, as_):
    pair = ["Le gardien de but plonge.", "The goalkeeper dives."]
    stored = client.post("/align/memory", json={
        "source_lang": "fr", "target_lang": "en", "source_name": "a.txt", "target_name": "b.txt",
        "pairs": [pair]}, headers=as_["sports"])
    assert stored.get_json() == {"stored": 1, "desk": "sports", "source": "fr", "target": "en"}
    assert translate(client, as_["sports"], pair[0])["target"] == pair[1]
    theirs = translate(client, as_["politics"], pair[0])
    assert theirs["origin"] == "engine" and theirs["target"] != pair[1]
    query = {"source": "fr", "target": "en", "q": "gardien de but"}
    assert client.get("/v1/memory", query_string=query, headers=as_["politics"]).get_json()["entries"] == []


def test_translated_files_download_by_capability_but_not_with_another_desks_key(client, as_):
    import io

    upload = client.post("/translate_file", data={"source": "fr", "target": "en",
                                                  "file": (io.BytesIO(SENTENCE.encode()), "note.txt")},
                         headers=as_["sports"])
    assert upload.status_code == 200, upload.get_data(as_text=True)
    path = "/download_file/" + upload.get_json()["translatedFileUrl"].rsplit("/", 1)[1]
    with client.get(path) as download:  # closed: send_file holds the file open till then
        assert download.status_code == 200  # no key: the capability, as LibreTranslate
    for headers in (as_["politics"], {}):
        refused = client.get(path + "?api_key=" + as_["politics"]["X-API-Key"], headers=headers)
        assert (refused.status_code, refused.get_json()["code"]) == (404, "file_not_found")
    for who in ("sports", "chief"):
        with client.get(path, headers=as_[who]) as download:
            assert download.status_code == 200
    assert client.get(path, headers={"X-API-Key": "trk_unknown"}).status_code == 403


def test_a_review_memory_export_leaves_out_what_xml_cannot_carry(client, as_):
    from lxml import etree

    doc_id = review_document(client, as_["politics"], "Le chat dort sur le lit.")
    saved = client.put(f"/review/{doc_id}/segments/0", json={"target": "Cat\ufffe\uffff\x01\x0c sleeps"},
                       headers=as_["politics"])
    assert saved.status_code == 200
    exported = client.get("/v1/memory/export.tmx", headers=as_["politics"])
    assert exported.status_code == 200  # was a 500
    unit = next(tu for tu in etree.fromstring(exported.data).iter("tu")
                if "Cat sleeps" in [seg.text for seg in tu.iter("seg")])
    assert unit.find("note").text == ("4 characters XML 1.0 cannot carry left out "
                                      "(U+FFFE, U+FFFF, U+0001, U+000C)")


def test_no_keys_mode_is_one_desk_as_before(tmp_path, argos_fr_en):
    app = create_app(web_settings(tmp_path, argos_fr_en, batch_wait_ms=0), run_jobs=False)
    try:
        wait_ready(app.test_client())
        client = app.test_client()
        doc_id = review_document(client, {})
        assert client.put(f"/review/{doc_id}/segments/0", json={"target": "The cat naps on the sofa."}
                          ).status_code == 200
        seg = translate(client, {})
        assert (seg["origin"], seg["target"]) == ("memory", "The cat naps on the sofa.")
        # reused by batch jobs too, as before desks, with what the migration gave the
        # implicit desk (the reviews of the release before desks)
        service = app.extensions["translator"]
        service.store.memory.add("fr", "en", "Le chien dort.", "The dog naps.", desk="default")
        assert service.pipeline.memory.lookup("fr", "en", [SENTENCE, "Le chien dort."]) == {
            SENTENCE: "The cat naps on the sofa.", "Le chien dort.": "The dog naps."}
        assert client.put("/v1/glossaries/g?format=json", json={"entries": [
            {"terms": {"fr": ["canapé"], "en": ["couch"]}}]}).status_code == 201
        assert [g["name"] for g in client.get("/v1/glossaries").get_json()["glossaries"]] == ["g"]
        assert client.get(f"/review/{doc_id}").status_code == 200
    finally:
        app.extensions["translator"].close()


def test_keys_add_with_desk_and_role_on_the_command_line(tmp_path, capsys):
    db = tmp_path / "t.db"
    assert cli_main(["keys", "add", "night-editor", "--desk", "sports", "--memory-writer",
                     "--db-path", str(db)]) == 0
    assert cli_main(["keys", "add", "boss", "--admin", "--db-path", str(db)]) == 0
    out = capsys.readouterr()
    assert out.out.count("trk_") == 2 and "desk 'sports' (memory-writer)" in out.err
    assert cli_main(["keys", "list", "--db-path", str(db)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[-2:] for line in lines] == [["sports", "memory-writer"], ["default", "admin"]]
    assert cli_main(["keys", "add", "x", "--desk", "Bad Desk", "--db-path", str(db)]) != 0
    store = Store(db)
    assert store.keys.get("x") is None
    store.close()
