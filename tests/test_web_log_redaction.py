"""A download's capability never reaches the service log, even when the download fails.

The access log leaves it out (tests/test_serve.py); the service's own log names the path of a
request that failed on the server's side (a 503 whose details go to the log, a 500 with its
traceback). Both are tried here on ``/download_file/<capability>``, in-process."""

from __future__ import annotations

import io
import logging

import pytest

from test_web import ready_app, web_settings
from translator.store.db import StoreError
from translator.web import files as files_module


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    with ready_app(web_settings(tmp_path_factory.mktemp("log-redaction"), batch_wait_ms=0,
                                ready_check_seconds=0), run_jobs=False) as app:
        yield app


@pytest.fixture
def download(app):
    """The path of a translated file, and its capability (the random part of its name)."""
    client = app.test_client()
    upload = client.post("/translate_file", data={
        "source": "fr", "target": "es", "file": (io.BytesIO("Le chat dort.".encode()), "note.txt")})
    assert upload.status_code == 200, upload.get_data(as_text=True)
    name = upload.get_json()["translatedFileUrl"].rsplit("/", 1)[1]
    with client.get("/download_file/" + name) as ok:
        assert ok.status_code == 200
    return "/download_file/" + name, name.split(".", 1)[0]


def test_a_download_that_fails_with_the_store_down_logs_no_capability(app, download, caplog,
                                                                      monkeypatch):
    path, capability = download
    keys = app.extensions["translator"].store.keys

    def down(key):
        raise StoreError("database is locked", reason="locked")

    monkeypatch.setattr(keys, "check", down)
    with caplog.at_level(logging.INFO):
        response = app.test_client().get(path + "?api_key=trk_something")
    assert (response.status_code, response.get_json()["code"]) == (503, "store_unavailable")
    assert "/download_file/<capability>.note.txt" in caplog.text  # the failure is logged
    assert capability not in caplog.text


def test_a_download_that_fails_with_a_bug_logs_no_capability(app, download, caplog, monkeypatch):
    path, capability = download

    def broken(self, name, access):
        raise RuntimeError("a bug")

    monkeypatch.setattr(files_module.DocumentFiles, "path", broken)
    with caplog.at_level(logging.INFO):
        response = app.test_client().get(path)
    assert (response.status_code, response.get_json()["code"]) == (500, "internal_error")
    assert "/download_file/<capability>.note.txt failed" in caplog.text
    assert "RuntimeError: a bug" in caplog.text  # the traceback is still there
    assert capability not in caplog.text
