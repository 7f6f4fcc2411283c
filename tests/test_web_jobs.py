"""Batch jobs over HTTP (``/v1/jobs``) through the real app: archives uploaded, translated
by the job runner thread with the copy model, results downloaded; every response checked
against the OpenAPI document. The last test kills a real gunicorn server mid-job and
checks that the restarted server finishes it with every article exactly once."""

from __future__ import annotations

import io
import json
import os
import signal
import tarfile
import time
import zipfile
from pathlib import Path

import pytest

from test_serve import Server, http
from test_web import openapi_caller, tmx_is_valid, wait_ready, web_settings
from translator.web import create_app

JOB = "/v1/jobs/{job_id}"


def article(i: int, sentences: int = 2) -> str:
    return " ".join(f"Le journaliste {i} a écrit la phrase {j} hier soir." for j in range(sentences))


def zip_bytes(members: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in members.items():
            zf.writestr(name, text)
    return buf.getvalue()


def tar_gz_bytes(members: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tf:
        for name, text in members.items():
            data = text.encode("utf-8")
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def records(body: bytes) -> list[dict]:
    return [json.loads(line) for line in body.decode("utf-8").splitlines()]


# -- fixtures ---------------------------------------------------------------------------

def make_app(root: Path, package: Path, **overrides):
    """An app whose job runner polls fast; ``run_jobs=False`` leaves jobs queued."""
    run_jobs = overrides.pop("run_jobs", True)
    settings = web_settings(root, package, jobs_dir=root / "jobs", batch_chunk_chars=2000,
                            **overrides)
    app = create_app(settings, run_jobs=run_jobs)
    app.extensions["translator"].runner.poll = 0.1
    wait_ready(app.test_client())
    return app


@pytest.fixture(scope="module")
def app(tmp_path_factory, argos_fr_en):
    app = make_app(tmp_path_factory.mktemp("jobs"), argos_fr_en, max_upload_bytes=256 * 1024)
    yield app
    app.extensions["translator"].close()


@pytest.fixture(scope="module")
def openapi(app):
    return app.test_client().get("/v1/openapi.json").get_json()


@pytest.fixture
def call(app, openapi):
    return openapi_caller(app.test_client(), openapi)


def submit_multipart(call, archive: bytes, filename: str, **fields):
    return call("POST", "/v1/jobs", content_type="multipart/form-data",
                data={"archive": (io.BytesIO(archive), filename), **fields})


def wait_finished(call, job_id: str, timeout: float = 30.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        status = call("GET", f"/v1/jobs/{job_id}", path=JOB).get_json()
        if status["state"] not in ("queued", "running"):
            return status
        assert time.monotonic() < deadline, f"job still {status['state']}: {status}"
        time.sleep(0.05)


# -- submitting and downloading -----------------------------------------------------------

def test_multipart_zip_is_translated_one_record_per_article_in_archive_order(call, app):
    members = {f"2024/{name}.txt": article(i) for i, name in enumerate(["a", "b", "c", "d"])}
    response = submit_multipart(call, zip_bytes(members), "Dépêches du jour.zip", target="en")
    assert response.status_code == 202, response.get_json()
    job = response.get_json()
    assert job["state"] == "queued" and response.headers["Location"] == f"/v1/jobs/{job['id']}"
    assert job["filename"] == "Dépêches_du_jour.zip" and job["source"] == "auto"

    status = wait_finished(call, job["id"])
    assert status["state"] == "done" and status["progress"] == 1.0 and status["error"] is None
    assert status["counts"] == {"total": 4, "done": 4, "failed": 0, "pending": 0, "sentences": 8}
    assert status["started"] and status["finished"] and status["failures"] == []

    result = call("GET", status["links"]["result"], path=JOB + "/result")
    assert result.status_code == 200 and result.mimetype == "application/x-ndjson"
    assert "filename*=UTF-8''D%C3%A9p%C3%AAches_du_jour.en.jsonl" in result.headers["Content-Disposition"]
    lines = records(result.data)
    assert [r["id"] for r in lines] == [f"Dépêches_du_jour.zip:{name}" for name in members]
    for line, text in zip(lines, members.values()):
        assert line["source_text"] == line["target_text"] == text  # the copy model
        assert line["target_lang"] == "en" and line["source_lang"] == "fr"
    assert str(app.extensions["translator"].settings.jobs_dir) not in result.data.decode()
    failures = call("GET", status["links"]["failures"], path=JOB + "/failures")
    assert failures.status_code == 200 and failures.data == b""
    listed = call("GET", "/v1/jobs").get_json()["jobs"]
    assert listed[0]["id"] == job["id"]


def test_raw_tar_gz_body_as_tmx_keeps_tar_order(call):
    members = {"z-last-by-name.txt": article(1), "a-first-by-name.txt": article(2)}
    response = call("POST", "/v1/jobs?target=en&source=fr&format=tmx&filename=feed.tgz",
                    data=tar_gz_bytes(members), content_type="application/gzip")
    assert response.status_code == 202, response.get_json()
    status = wait_finished(call, response.get_json()["id"])
    assert status["state"] == "done" and status["counts"]["done"] == 2
    assert status["filename"] == "feed.tgz"
    result = call("GET", status["links"]["result"], path=JOB + "/result")
    assert result.mimetype == "application/x-tmx+xml"
    doc = tmx_is_valid(result.data.decode("utf-8"))
    documents = [prop.text for prop in doc.iter("prop") if prop.get("type") == "x-document"]
    assert documents == ["feed.tgz:z-last-by-name.txt"] * 2 + ["feed.tgz:a-first-by-name.txt"] * 2


def test_raw_zip_body_as_txt_gives_a_zip_of_texts(call):
    members = {"news/one.txt": article(1), "news/two.html": f"<p>{article(2)}</p>"}
    response = call("POST", "/v1/jobs?target=en&format=txt", data=zip_bytes(members),
                    content_type="application/zip",
                    headers={"Content-Disposition": 'attachment; filename="../../etc/wire.zip"'})
    assert response.status_code == 202 and response.get_json()["filename"] == "wire.zip"
    status = wait_finished(call, response.get_json()["id"])
    result = call("GET", status["links"]["result"], path=JOB + "/result")
    assert result.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(result.data)) as zf:
        assert sorted(zf.namelist()) == ["wire.zip/news/one.en.txt", "wire.zip/news/two.en.txt"]
        assert zf.read("wire.zip/news/one.en.txt").decode() == article(1) + "\n"


def docx_bytes(*paragraphs: tuple[str, str]) -> bytes:
    """A .docx whose paragraphs are (plain words, bold words)."""
    from docx import Document

    doc = Document()
    for plain, bold in paragraphs:
        paragraph = doc.add_paragraph(plain)
        paragraph.add_run(bold).bold = True
    data = io.BytesIO()
    doc.save(data)
    return data.getvalue()


def test_documents_of_the_archive_come_back_in_their_own_format(call, app):
    """As `translator batch` writes them under OUT/documents: each document member
    (.docx, .html) rendered with the job's own translations, in a zip under its path in
    the archive; plain texts are not documents."""
    from docx import Document

    members = {"desk/a.docx": docx_bytes(("Le journaliste a écrit ", "la phrase."),
                                         ("Il est parti ", "hier soir.")),
               "desk/b.html": f"<html><body><h1>Titre</h1><p>{article(2)}</p></body></html>",
               "desk/c.txt": article(3)}
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    response = submit_multipart(call, archive.getvalue(), "wire.zip", target="en", source="fr")
    assert response.status_code == 202, response.get_json()
    status = wait_finished(call, response.get_json()["id"])
    assert (status["state"], status["counts"]["done"], status["documents"]) == ("done", 3, 2)

    documents = call("GET", status["links"]["documents"], path=JOB + "/documents")
    assert documents.status_code == 200 and documents.mimetype == "application/zip"
    assert 'filename=wire.en.documents.zip' in documents.headers["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(documents.data)) as zf:
        docx_name, html_name = "wire.zip/desk/a.en.docx", "wire.zip/desk/b.en.html"
        assert sorted(zf.namelist()) == [docx_name, html_name]  # named as OUT/documents names them
        translated = Document(io.BytesIO(zf.read(docx_name)))
        html = zf.read(html_name).decode("utf-8")
    # the copy model: the same words, each paragraph's bold run still on its own words
    assert [p.text for p in translated.paragraphs] == ["Le journaliste a écrit la phrase.",
                                                       "Il est parti hier soir."]
    assert [[r.text for r in p.runs if r.bold] for p in translated.paragraphs] == [
        ["la phrase."], ["hier soir."]]
    assert "<h1>Titre</h1>" in html and article(2) in html

    texts_only = submit_multipart(call, zip_bytes({"a.txt": article(1)}), "plain.zip", target="en")
    plain = wait_finished(call, texts_only.get_json()["id"])
    assert plain["state"] == "done" and plain["documents"] is None
    assert "documents" not in plain["links"]
    missing = call("GET", f"/v1/jobs/{plain['id']}/documents", path=JOB + "/documents")
    assert error_of(missing) == (404, "documents_not_found")


# -- bad uploads --------------------------------------------------------------------------

def error_of(response) -> tuple[int, str]:
    return response.status_code, response.get_json()["error"]["code"]


def test_uploads_that_are_not_readable_archives_are_refused(call, app):
    jobs_dir = app.extensions["translator"].settings.jobs_dir
    before = sorted(os.listdir(jobs_dir))
    text = submit_multipart(call, b"Le chat dort.", "news.zip", target="en")
    assert error_of(text) == (400, "bad_archive")
    truncated = zip_bytes({"a.txt": article(1)})[:40]
    assert error_of(call("POST", "/v1/jobs?target=en", data=truncated,
                         content_type="application/zip")) == (400, "bad_archive")
    fake_gzip = b"\x1f\x8b" + b"not really gzip" * 10
    assert error_of(call("POST", "/v1/jobs?target=en", data=fake_gzip,
                         content_type="application/gzip")) == (400, "bad_archive")
    empty = call("POST", "/v1/jobs?target=en", data=zip_bytes({}), content_type="application/zip")
    assert error_of(empty) == (400, "bad_archive") and "no files" in empty.get_json()["error"]["message"]
    assert error_of(call("POST", "/v1/jobs?target=en", data=b"{}",
                         content_type="application/json")) == (415, "unsupported_media_type")
    missing = call("POST", "/v1/jobs", content_type="multipart/form-data", data={"target": "en"})
    assert error_of(missing) == (400, "missing_field")
    assert sorted(os.listdir(jobs_dir)) == before  # nothing half-received is left behind


def test_a_path_traversal_member_fails_alone_and_the_job_finishes(call):
    archive = zip_bytes({"a.txt": article(1), "../../evil.txt": article(2), "b.txt": article(3)})
    status = wait_finished(call, submit_multipart(call, archive, "news.zip", target="en")
                           .get_json()["id"])
    assert status["state"] == "done"
    assert status["counts"] | {"sentences": 0} == {"total": 3, "done": 2, "failed": 1, "pending": 0,
                                                   "sentences": 0}
    [failure] = status["failures"]
    assert failure["id"] == "news.zip:../../evil.txt" and failure["error"]["code"] == "bad_archive"
    assert [r["id"] for r in records(call("GET", status["links"]["result"],
                                          path=JOB + "/result").data)] == ["news.zip:a.txt",
                                                                           "news.zip:b.txt"]
    failures = records(call("GET", status["links"]["failures"], path=JOB + "/failures").data)
    assert [f["id"] for f in failures] == ["news.zip:../../evil.txt"]


def test_a_jsonl_line_that_is_not_an_article_fails_alone_as_bad_input(call):
    """docs/api.md: bad_input is, in a job's failures, an article that cannot be read for
    another reason than the other codes (here a JSONL line that is not JSON)."""
    lines = f'{{"id": "a", "text": "{article(1)}"}}\n{{not json\n'
    status = wait_finished(call, submit_multipart(call, zip_bytes({"feed.jsonl": lines}), "news.zip",
                                                  target="en").get_json()["id"])
    assert (status["state"], status["counts"]["done"], status["counts"]["failed"]) == ("done", 1, 1)
    [failure] = status["failures"]
    assert failure["error"]["code"] == "bad_input" and "line 2: not valid JSON" in failure["error"]["message"]


@pytest.mark.parametrize("fields, status, code, field", [
    ({"target": "xx"}, 400, "unknown_language", "target"),
    ({"target": "en", "source": "klingon"}, 400, "unknown_language", "source"),
    ({"target": "en", "source": "vi"}, 422, "unsupported_pair", None),
    ({"target": "ja"}, 422, "unsupported_pair", None),
    ({}, 400, "missing_field", "target"),
    ({"target": "en", "format": "docx"}, 400, "invalid_field", "format"),
    ({"target": "en", "glossary": "no-such-glossary"}, 404, "glossary_not_found", None),
    ({"target": "en", "priority": "high"}, 400, "unknown_field", "priority"),
])
def test_bad_job_fields_get_specific_errors(call, fields, status, code, field):
    for response in (submit_multipart(call, zip_bytes({"a.txt": article(1)}), "a.zip", **fields),
                     call("POST", "/v1/jobs", query_string=fields,
                          data=zip_bytes({"a.txt": article(1)}), content_type="application/zip")):
        assert error_of(response) == (status, code), response.get_json()
        if field:
            assert response.get_json()["error"]["details"]["field"] == field


def test_the_upload_limit_is_max_upload_bytes_not_max_request_bytes(call):
    # web_settings sets max_request_bytes to 64 KiB; the module's max_upload_bytes is 256 KiB.
    # A photo the job skips (not an article) makes the archive big and the job small.
    big = zip_bytes({"a.txt": article(1), "photo.jpg": os.urandom(120 * 1024)})
    assert 64 * 1024 < len(big) < 256 * 1024
    accepted = call("POST", "/v1/jobs?target=en&source=fr", data=big, content_type="application/zip")
    assert accepted.status_code == 202
    too_big = big + b"\0" * (256 * 1024)
    for response in (call("POST", "/v1/jobs?target=en", data=too_big, content_type="application/zip"),
                     submit_multipart(call, too_big, "big.zip", target="en")):
        assert error_of(response) == (413, "request_too_large")
        assert response.get_json()["error"]["details"]["limit"] == 256 * 1024
    small = call("POST", "/v1/translate", data=b"x" * (65 * 1024), content_type="application/json")
    assert error_of(small) == (413, "request_too_large")  # other routes keep their limit
    wait_finished(call, accepted.get_json()["id"])


@pytest.mark.parametrize("job_id", ["0123456789abcdef", "XYZ", "0123456789ABCDEF", "..%2F..",
                                    "0123456789abcdef0"])
def test_unknown_or_malformed_job_ids_are_404(call, job_id):
    for method, suffix in (("GET", ""), ("GET", "/result"), ("GET", "/failures"), ("DELETE", "")):
        response = call(method, f"/v1/jobs/{job_id}{suffix}", path=JOB + suffix)
        assert response.status_code == 404
        assert response.get_json()["error"]["code"] in ("job_not_found", "not_found")


# -- not done, cancelled, restarted ------------------------------------------------------

def test_result_before_done_is_409_and_a_queued_job_runs_after_a_restart(tmp_path, argos_fr_en):
    first = make_app(tmp_path, argos_fr_en, run_jobs=False)
    call = openapi_caller(first.test_client(), first.test_client().get("/v1/openapi.json").get_json())
    job_id = submit_multipart(call, zip_bytes({"a.txt": article(1)}), "a.zip",
                              target="en").get_json()["id"]
    time.sleep(0.3)
    assert call("GET", f"/v1/jobs/{job_id}", path=JOB).get_json()["state"] == "queued"
    for suffix in ("/result", "/failures", "/documents"):
        early = call("GET", f"/v1/jobs/{job_id}{suffix}", path=JOB + suffix)
        assert error_of(early) == (409, "job_not_done")
        assert "queued" in early.get_json()["error"]["message"]
    doomed = submit_multipart(call, zip_bytes({"b.txt": article(2)}), "b.zip", target="en")
    assert call("DELETE", f"/v1/jobs/{doomed.get_json()['id']}", path=JOB).status_code == 204
    assert not (tmp_path / "jobs" / doomed.get_json()["id"]).exists()
    first.extensions["translator"].close()

    second = make_app(tmp_path, argos_fr_en)  # the same jobs_dir: the queued job is picked up
    try:
        call = openapi_caller(second.test_client(), second.test_client().get("/v1/openapi.json").get_json())
        assert wait_finished(call, job_id)["state"] == "done"
        assert [j["id"] for j in call("GET", "/v1/jobs").get_json()["jobs"]] == [job_id]
    finally:
        second.extensions["translator"].close()


def test_a_job_left_by_another_setup_starts_over_with_the_current_one(tmp_path, argos_fr_en):
    from translator.batch import Ledger

    first = make_app(tmp_path, argos_fr_en, run_jobs=False)
    call = openapi_caller(first.test_client(), first.test_client().get("/v1/openapi.json").get_json())
    job_id = submit_multipart(call, zip_bytes({"a.txt": article(1), "b.txt": article(2)}),
                              "a.zip", target="en").get_json()["id"]
    first.extensions["translator"].close()
    # As if the job ran before the operator changed the glossary, then the server stopped.
    ledger = Ledger.in_folder(tmp_path / "jobs" / job_id / "out")
    ledger.claim({"target": "en", "glossary": "older@000000000000"})
    ledger.close()

    second = make_app(tmp_path, argos_fr_en)
    try:
        call = openapi_caller(second.test_client(), second.test_client().get("/v1/openapi.json").get_json())
        status = wait_finished(call, job_id)
        assert status["state"] == "done" and status["counts"]["done"] == 2, status
        body = call("GET", f"/v1/jobs/{job_id}/result", path=JOB + "/result").data
        assert [r["id"] for r in records(body)] == ["a.zip:a.txt", "a.zip:b.txt"]
    finally:
        second.extensions["translator"].close()


def test_one_process_runs_jobs_and_another_takes_over_when_it_stops(tmp_path, argos_fr_en):
    apps = [create_app(web_settings(tmp_path / name, argos_fr_en, jobs_dir=tmp_path / "jobs"),
                       load_models=False, run_jobs=False) for name in ("a", "b")]
    runners = [app.extensions["translator"].runner for app in apps]
    for runner in runners:
        runner.poll = runner.lock_retry = 0.1
        runner.start()
    call = openapi_caller(apps[1].test_client(), apps[1].test_client().get("/v1/openapi.json").get_json())
    try:
        deadline = time.monotonic() + 10
        while not any(runner.active for runner in runners):
            assert time.monotonic() < deadline
            time.sleep(0.02)
        time.sleep(0.3)
        first = 0 if runners[0].active else 1
        assert not runners[1 - first].active
        apps[first].extensions["translator"].close()  # its lock is released, as when a worker dies
        job = submit_multipart(call, zip_bytes({"a.txt": article(1)}), "a.zip", target="en")
        assert wait_finished(call, job.get_json()["id"])["state"] == "done"
        assert runners[1 - first].active
    finally:
        for app in apps:
            app.extensions["translator"].close()


def test_api_keys_guard_jobs_before_the_upload_is_read(tmp_path, argos_fr_en):
    app = create_app(web_settings(tmp_path, argos_fr_en, jobs_dir=tmp_path / "jobs",
                                  api_keys_required=True), load_models=False, run_jobs=False)
    try:
        client = app.test_client()
        archive = zip_bytes({"a.txt": article(1)})
        response = client.post("/v1/jobs?target=en", data=archive, content_type="application/zip")
        assert error_of(response) == (401, "api_key_required")
        assert error_of(client.get("/v1/jobs")) == (401, "api_key_required")
        key, _ = app.extensions["translator"].store.keys.create("desk")
        accepted = client.post("/v1/jobs?target=en", data=archive, content_type="application/zip",
                               headers={"X-API-Key": key})
        assert accepted.status_code == 202
    finally:
        app.extensions["translator"].close()


def test_deleting_a_running_job_stops_it_and_removes_its_files(call, app):
    jobs_dir = app.extensions["translator"].settings.jobs_dir
    archive = zip_bytes({f"a{i:03d}.txt": article(i, 15) for i in range(150)})
    job_id = submit_multipart(call, archive, "big.zip", target="en", source="fr").get_json()["id"]
    deadline = time.monotonic() + 20
    while call("GET", f"/v1/jobs/{job_id}", path=JOB).get_json()["counts"]["done"] == 0:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    assert call("DELETE", f"/v1/jobs/{job_id}", path=JOB).status_code == 204
    assert error_of(call("GET", f"/v1/jobs/{job_id}", path=JOB)) == (404, "job_not_found")
    while list((jobs_dir / ".trash").iterdir()):
        assert time.monotonic() < deadline, "the cancelled job kept running"
        time.sleep(0.05)
    assert job_id not in os.listdir(jobs_dir)
    after = submit_multipart(call, zip_bytes({"a.txt": article(1)}), "a.zip", target="en")
    assert wait_finished(call, after.get_json()["id"])["state"] == "done"  # the runner goes on


# -- a real server killed mid-job ---------------------------------------------------------

def test_a_job_survives_a_killed_server_with_every_article_once(tmp_path, argos_fr_en):
    env = {"TRANSLATOR_JOBS_DIR": str(tmp_path / "jobs"), "TRANSLATOR_BATCH_CHUNK_CHARS": "3000"}
    count = 120
    names = [f"2024/a{i:04d}.txt" for i in range(count)]
    archive = zip_bytes({**{name: article(i, 15) for i, name in enumerate(names)},
                         "photos/cover.jpg": os.urandom(70 * 1024)})
    assert len(archive) > 65536  # over the server's max_request_bytes: the upload limit applies
    server = Server(tmp_path, argos_fr_en, env=env)
    try:
        server.wait_ready()
        status, headers, body = http("POST", server.url + "/v1/jobs?target=en&source=fr&filename=wire.zip",
                                     archive, headers={"Content-Type": "application/zip"})
        assert status == 202, body
        location = headers["Location"]
        deadline = time.monotonic() + 30
        while True:
            job = json.loads(http("GET", server.url + location)[2])
            assert job["state"] in ("queued", "running"), job
            if job["counts"]["done"]:
                break
            assert time.monotonic() < deadline, job
            time.sleep(0.02)
        for pid in [server.proc.pid, *server.workers()]:  # a crash: nobody cleans up
            os.kill(pid, signal.SIGKILL)
        server.proc.wait()
    finally:
        server.stop()
    assert 0 < job["counts"]["done"] < count

    server = Server(tmp_path, argos_fr_en, env=env)
    try:
        server.wait_ready()
        deadline = time.monotonic() + 45
        while (job := json.loads(http("GET", server.url + location)[2]))["state"] in ("queued", "running"):
            assert time.monotonic() < deadline, job
            time.sleep(0.1)
        assert job["state"] == "done", job
        assert job["counts"] == {"total": count, "done": count, "failed": 0, "pending": 0,
                                 "sentences": 15 * count}
        status, _, body = http("GET", server.url + job["links"]["result"])
        assert status == 200
        lines = records(body)
        assert [line["id"] for line in lines] == [f"wire.zip:{name}" for name in names]
        assert all(line["target_text"] == article(i, 15) for i, line in enumerate(lines))
    finally:
        assert server.stop() == 0


def test_jobs_give_way_to_interactive_requests():
    import threading

    from translator.web.service import InteractiveRequests

    requests = InteractiveRequests()
    assert requests.wait_quiet(0)  # nothing running: a job goes on at once
    entered, leave = threading.Event(), threading.Event()

    def request():
        with requests.running():
            entered.set()
            leave.wait(10)

    worker = threading.Thread(target=request)
    worker.start()
    entered.wait(10)
    started = time.monotonic()
    assert not requests.wait_quiet(0.2)  # a request runs: the job waits, but not for ever
    assert time.monotonic() - started >= 0.2
    threading.Timer(0.1, leave.set).start()
    assert requests.wait_quiet(5)  # woken when the request ends
    worker.join()
