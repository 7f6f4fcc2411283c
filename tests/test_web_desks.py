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
