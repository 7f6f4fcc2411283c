"""The error table of docs/api.md (``## Errors``) against the code.

The codes come from the code, not from a list kept here: every subclass of
``TranslatorError`` in the translator package (each of its modules imported), werkzeug's
HTTP errors as ``translator.web.errors`` maps them, and its answer to an unexpected
exception. Each must have a row with the status the code gives it, unless ``LEFT_OUT``
says why no HTTP response carries it; each code of the table must be one of them. So a
new error class without a row fails here. The rows' claims that no other test checks are
tried at the end through the test client."""

from __future__ import annotations

import importlib
import io
import pkgutil
import re
import time
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.exceptions import default_exceptions

import translator
from test_web_jobs import make_app, zip_bytes
from translator.errors import TranslatorError
from translator.web import errors as web_errors

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "api.md"

#: codes of error classes that no HTTP response carries, and why
LEFT_OUT = {
    "translator_error": "TranslatorError is never raised itself; batch's SentenceFailed "
                        "takes its sentence's failure code, in a job's failures",
    "language_error": "LanguageError is never raised itself, only its subclasses",
    "bad_setting": "settings are read at start: `translator serve` exits with it",
    "unknown_format": "formats.registry.get is the CLI's: the service checks format names "
                      "itself (invalid_field)",
    "model_error": "`translator models` (installing, removing, the package index)",
    "bad_model_package": "`translator models`; the service skips a broken package at start",
    "model_not_found": "`translator models`",
    "model_exists": "`translator models`",
    "index_unavailable": "`translator models` (the package index)",
    "job_busy": "the job runner waits and tries again (another process runs the job)",
    "job_mismatch": "the job runner starts the job over with the current setup",
    "output_unwritable": "ends a job: its `error` in GET /v1/jobs/ID, not a response status",
    "cluster_unavailable": "ends a job: its `error` in GET /v1/jobs/ID, not a response status",
    "document_changed": "`translator batch` writing documents back: a failure in "
                        "failures.jsonl",
}
#: the modules that may raise the model errors (none of them serves a request)
MODEL_MODULES = ("translator/models/", "translator/packages.py")


def error_classes() -> set[type]:
    """Every TranslatorError class of the translator package."""
    for module in pkgutil.walk_packages(translator.__path__, "translator."):
        if not module.name.endswith("__main__"):  # importing it runs the CLI
            importlib.import_module(module.name)
    found, todo = set(), [TranslatorError]
    while todo:
        cls = todo.pop()
        if cls.__module__.startswith("translator"):  # not a test's own subclass
            found.add(cls)
            todo.extend(cls.__subclasses__())
    return found


def http_answers() -> dict[str, set[int]]:
    """code -> statuses of werkzeug's errors the service maps and of an unexpected error,
    as error_body answers them."""
    answers: dict[str, set[int]] = {}
    with Flask(__name__).test_request_context("/v1/translate", method="POST"):
        for exc in [default_exceptions[status]() for status in web_errors.HTTP_CODES] + [
                RuntimeError("a bug")]:
            status, body = web_errors.error_body(exc)
            answers.setdefault(body["error"]["code"], set()).add(status)
    return answers


def answered() -> dict[str, set[int]]:
    """code -> HTTP statuses of every code the service can answer."""
    answers = http_answers()
    for cls in error_classes():
        if cls.code not in LEFT_OUT:
            answers.setdefault(cls.code, set()).add(cls.http_status)
    return answers


def documented() -> dict[str, int]:
    """code -> status of the rows of docs/api.md's error table."""
    section = DOCS.read_text(encoding="utf-8").split("\n## Errors\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ")]
    assert rows[0] == "| status | code | when |", rows[0]
    codes: dict[str, int] = {}
    for row in rows[1:]:
        status, names = row.split("|")[1:3]
        assert re.findall(r"`([a-z0-9_]+)`", names), row
        for name in re.findall(r"`([a-z0-9_]+)`", names):
            assert name not in codes, f"{name} has two rows"
            codes[name] = int(status)
    return codes


def test_every_code_the_service_answers_has_a_row_with_its_status():
    table, answers = documented(), answered()
    assert {"invalid_json", "internal_error", "not_found", "job_not_found"} <= set(answers)
    missing = {code: sorted(s) for code, s in answers.items() if code not in table}
    assert not missing, f"codes without a row in docs/api.md#errors: {missing}"
    wrong = {code: (table[code], sorted(s)) for code, s in answers.items() if {table[code]} != s}
    assert not wrong, f"(status in the table, statuses in the code): {wrong}"


def test_every_code_of_the_table_is_one_the_service_answers():
    answers = answered()
    for code, status in documented().items():
        if code in answers:
            continue
        # werkzeug's errors the service does not name: http_STATUS (error_body's fallback)
        fallback = re.fullmatch(r"http_(\d{3})", code)
        assert fallback, f"{code}: no error class or mapping of the code answers it"
        assert int(fallback[1]) == status and status not in web_errors.HTTP_CODES
        with Flask(__name__).test_request_context("/v1/jobs/x/result"):
            got, body = web_errors.error_body(default_exceptions[status]())
        assert (got, body["error"]["code"]) == (status, code)


def test_codes_left_out_are_defined_and_in_no_row():
    codes = {cls.code for cls in error_classes()}
    assert set(LEFT_OUT) <= codes, f"left out but no class has it: {set(LEFT_OUT) - codes}"
    assert not set(LEFT_OUT) & set(documented())
    assert not set(LEFT_OUT) & set(http_answers())


def raise_sites(name: str) -> set[str]:
    """The source files of the translator package that raise ``name(...)``."""
    pattern = re.compile(rf"raise {name}\(")
    return {path.relative_to(ROOT).as_posix() for path in (ROOT / "translator").rglob("*.py")
            if pattern.search(path.read_text(encoding="utf-8"))}


def test_what_left_out_says_of_the_sources_holds():
    assert raise_sites("TranslatorError") == raise_sites("LanguageError") == set()
    for name in ("ModelError", "BadModelPackage", "ModelNotFound", "ModelExists",
                 "IndexUnavailable"):
        assert raise_sites(name)
        assert all(site.startswith(MODEL_MODULES) for site in raise_sites(name)), name
    assert raise_sites("UnknownFormat") == {"translator/formats/registry.py"}
    web = [path.read_text(encoding="utf-8") for path in (ROOT / "translator/web").rglob("*.py")]
    assert not any("registry.get(" in source for source in web)


# -- the rows' claims that no other test checks ---------------------------------------------

@pytest.fixture(scope="module")
def app(tmp_path_factory, argos_fr_en):
    app = make_app(tmp_path_factory.mktemp("errors"), argos_fr_en)
    yield app
    app.extensions["translator"].close()


@pytest.fixture
def client(app):
    return app.test_client()


def test_a_text_over_max_chars_names_its_field_limit_and_size(client):
    response = client.post("/v1/translate", json={"text": "x" * 5001, "source": "fr", "target": "en"})
    assert response.status_code == 413
    assert response.get_json()["error"]["details"] == {"field": "text", "limit": 5000, "size": 5001}


@pytest.mark.parametrize("fmt, name", [("xliff", "XLIFF"), ("tmx", "TMX")])
def test_texts_in_two_language_pairs_refuse_a_one_pair_format_naming_the_format(client, fmt, name):
    """docs/api.md: TMX and XLIFF of a list need one language pair (invalid_field)."""
    texts = ["Le chat dort sur le canapé.", "The cat sleeps on the sofa and the dog plays."]
    response = client.post("/v1/translate", json={"text": texts, "target": "en", "format": fmt})
    error = response.get_json()["error"]
    assert (response.status_code, error["code"], error["details"]["field"]) == (400, "invalid_field", "format")
    assert f"{name} " in error["message"] and "one language pair" in error["message"]


def test_a_cross_site_write_on_the_alignment_page_is_forbidden(client):
    pairs = {"source_lang": "fr", "target_lang": "en", "source_name": "a", "target_name": "b",
             "pairs": [["Le chat.", "The cat."]]}
    response = client.post("/align/memory", json=pairs, headers={"Origin": "https://evil.example"})
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"
    assert client.post("/align/memory", json=pairs).status_code == 200


def test_a_download_whose_if_match_fails_is_412_with_the_error_not_the_file(client):
    """werkzeug's conditional send_file answered 412 with the whole file as its body."""
    upload = client.post("/translate_file", data={"file": (io.BytesIO(b"Le chat dort."), "a.txt"),
                                                  "source": "fr", "target": "en"})
    url = upload.get_json()["translatedFileUrl"].removeprefix("http://localhost")
    with client.get(url) as whole:
        etag = whole.headers["ETag"]
    with client.get(url, headers={"If-Match": etag}) as matched:
        assert (matched.status_code, matched.data) == (200, b"Le chat dort.")
    with client.get(url, headers={"If-Match": '"another"'}) as refused:
        assert refused.status_code == 412
        assert refused.get_json()["code"] == "precondition_failed"  # LibreTranslate's shape
        assert b"chat" not in refused.data and refused.headers["X-Request-Id"]


def test_a_range_past_the_end_of_a_download_is_http_416(client):
    upload = client.post("/translate_file", data={"file": (io.BytesIO(b"Le chat dort."), "a.txt"),
                                                  "source": "fr", "target": "en"})
    url = upload.get_json()["translatedFileUrl"].removeprefix("http://localhost")
    with client.get(url, headers={"Range": "bytes=0-1"}) as partial:
        assert partial.status_code == 206
    libre = client.get(url, headers={"Range": "bytes=999999-"})
    assert (libre.status_code, libre.get_json()["code"]) == (416, "http_416")

    job = client.post("/v1/jobs", content_type="multipart/form-data", data={
        "archive": (io.BytesIO(zip_bytes({"a.txt": "Le chat dort."})), "a.zip"),
        "source": "fr", "target": "en"}).get_json()
    deadline = time.monotonic() + 30
    while client.get(f"/v1/jobs/{job['id']}").get_json()["state"] != "done":
        assert time.monotonic() < deadline, "the job never finished"
        time.sleep(0.05)
    result = client.get(f"/v1/jobs/{job['id']}/result", headers={"Range": "bytes=999999-"})
    assert result.status_code == 416
    assert result.get_json()["error"]["code"] == "http_416"
