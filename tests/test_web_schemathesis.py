"""Schemathesis against the served OpenAPI document (issue 15): generated requests for every
operation (bounded examples, so the file runs in seconds), checking that none gets a 5xx and
that every response matches the document (status, media type, JSON schema); then requests
that break the document (a parameter or a body it refuses) for every operation that takes
one, which must be refused with a 4xx the document describes.

The jobs take generated archives too: random bytes, so they are refused (400 bad_archive,
415 for an unknown media type...); the app runs no job, so one accepted would only queue."""

from __future__ import annotations

from collections import Counter

import pytest
import schemathesis  # the test extra: a missing install must fail, not skip
from hypothesis import HealthCheck, given, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.config import SchemathesisConfig  # noqa: E402
from schemathesis.generation.modes import GenerationMode  # noqa: E402
from schemathesis.specs.openapi.checks import (content_type_conformance,  # noqa: E402
                                               negative_data_rejection,
                                               response_schema_conformance,
                                               status_code_conformance)

from test_web import openapi_caller, ready_app, web_settings  # noqa: E402

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance, negative_data_rejection]
# A request the document refuses must get a 4xx (status_code_conformance: one the operation
# documents). Schemathesis' own list would let a 5xx pass and miss 413, the answer to a body
# that a broken maxItems made larger than the request limit.
CONFIG = SchemathesisConfig.from_dict(
    {"checks": {"negative_data_rejection": {"expected-statuses": ["4xx"]}}})
MULTIPART = "multipart/form-data"
#: examples per operation: few, so that every operation gets both passes within seconds
EXAMPLES = {GenerationMode.POSITIVE: 12, GenerationMode.NEGATIVE: 8}
#: operations whose only inputs are a path parameter and optional query parameters that any
#: string matches: no request breaks their schema (Hypothesis would search for one in vain)
NOTHING_TO_BREAK = {"GET /download_file/{filename}", "POST /review/{doc_id}/delete",
                    "DELETE /v1/glossaries/{name}", "GET /v1/memory/export.tmx"}


@pytest.fixture(scope="module")
def app(tmp_path_factory, argos_fr_en):
    with ready_app(web_settings(tmp_path_factory.mktemp("schemathesis"), argos_fr_en,
                                batch_wait_ms=0, ready_check_seconds=0), run_jobs=False) as app:
        yield app


@pytest.fixture(scope="module")
def operations(app) -> list:
    """Every operation of the served document."""
    schema = schemathesis.openapi.from_wsgi("/v1/openapi.json", app, config=CONFIG)
    return [result.ok() for result in schema.get_all_operations()]


def takes_input(op) -> bool:
    """The operation has parameters or a body."""
    return bool(list(op.iter_parameters())) or bool(op.body)


def any_string_in_the_path(op) -> bool:
    """The operation's only inputs are path parameters of any string, and optional query
    parameters of any string (nothing to break)."""
    return not op.body and all(
        p.definition["schema"] == {"type": "string"}
        and (p.location == "path" or p.location == "query" and not p.is_required)
        for p in op.iter_parameters())


def run(op, mode: GenerationMode) -> Counter:
    """Send ``op``'s generated cases of ``mode``, each checked by CHECKS; the modes of the
    cases sent, counted."""
    sent: Counter = Counter()

    # Driven by hand rather than by schemathesis' pytest plugin, which this pytest breaks.
    @given(case=op.as_strategy(mode))
    @settings(max_examples=EXAMPLES[mode], deadline=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    def check(case):
        sent[case.meta.generation.mode] += 1
        case.call_and_validate(checks=CHECKS)

    check()
    return sent


def test_no_5xx_and_responses_match_the_openapi_document(operations):
    assert {"/v1/translate", "/v1/align", "/translate", "/detect", "/v1/jobs",
            "/v1/jobs/{job_id}", "/v1/jobs/{job_id}/result",
            "/v1/jobs/{job_id}/failures"} <= {op.path for op in operations}
    for op in operations:
        run(op, GenerationMode.POSITIVE)


def test_requests_the_document_refuses_get_a_4xx_it_describes(operations):
    takers = [op for op in operations if takes_input(op)]
    assert NOTHING_TO_BREAK == {op.label for op in takers if any_string_in_the_path(op)}
    assert {"POST /v1/jobs", "GET /v1/jobs", "GET /v1/jobs/{job_id}", "DELETE /v1/jobs/{job_id}",
            "GET /v1/jobs/{job_id}/result", "GET /v1/jobs/{job_id}/failures"} <= {
        op.label for op in takers}
    for op in takers:
        if op.label in NOTHING_TO_BREAK:
            continue
        sent = run(op, GenerationMode.NEGATIVE)
        # the negative check ran: cases that break the document were sent, and only those
        assert sent[GenerationMode.NEGATIVE] > 0 and set(sent) == {GenerationMode.NEGATIVE}, (
            op.label, sent)


# -- what the generated requests found ------------------------------------------------------

@pytest.fixture(scope="module")
def call(app):
    return openapi_caller(app.test_client(), app.test_client().get("/v1/openapi.json").get_json())


def form(*parts: tuple[bytes, bytes]) -> dict:
    """A multipart body of raw (Content-Disposition parameters, content) parts, as the
    test client's keywords: a part may have no name, which no dict of fields can say."""
    body = b"".join(b"--b\r\nContent-Disposition: form-data" + params + b"\r\n\r\n" + content + b"\r\n"
                    for params, content in parts) + b"--b--\r\n"
    return {"data": body, "content_type": "multipart/form-data; boundary=b"}


ARCHIVE_PART = (b'; name="archive"; filename="news.zip"', b"PK\x05\x06" + bytes(18))


@pytest.mark.parametrize("parts", [
    [(b"", b"en"), ARCHIVE_PART],  # a text part without a name
    [(b'; filename="a.zip"', b"PK"), ARCHIVE_PART],  # a file part without a name
    [(b'; filename="a.zip"', b"PK"), (b'; name="extra"; filename="b.zip"', b"PK")],  # was a 500
], ids=["text", "file", "file-and-another"])
def test_a_job_form_part_without_a_name_is_an_unknown_field(call, parts):
    response = call("POST", "/v1/jobs?target=en", **form(*parts))
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.get_json()["error"]["code"] == "unknown_field"
    assert response.get_json()["error"]["details"] == {"field": ""}
    assert "has no name" in response.get_json()["error"]["message"]


@pytest.mark.parametrize("path", ["/v1/translate", "/translate_file"])
def test_a_document_form_part_without_a_name_is_an_unknown_field(call, path):
    """POST /v1/translate sorted the form's field names, None among them (a 500); every
    multipart form but a job's (checked as it streams) is checked once for nameless parts."""
    response = call("POST", path, **form(
        (b"", b"x"), (b'; name="zz"', b"x"), (b'; name="target"', b"en"),
        (b'; name="file"; filename="a.txt"', b"Le chat dort.")))
    assert response.status_code == 400, response.get_data(as_text=True)
    error = response.get_json()
    code = error["code"] if path == "/translate_file" else error["error"]["code"]
    assert code == "unknown_field"


def test_format_is_declared_where_a_glossary_request_reads_it(app, call):
    """DELETE /v1/glossaries/NAME ignores ?format=; the document declared it (with its
    enum) for the whole path, so a DELETE with a format it refuses was accepted."""
    operations = app.test_client().get("/v1/openapi.json").get_json()["paths"]["/v1/glossaries/{name}"]
    declared = {method: {p["name"] for p in operations[method].get("parameters", [])}
                for method in ("get", "put", "delete")}
    assert [p["name"] for p in operations["parameters"]] == ["name"]
    assert declared == {"get": {"format", "desk"}, "put": {"format", "replace", "desk"},
                        "delete": {"desk"}}
    path = "/v1/glossaries/{name}"
    assert call("PUT", "/v1/glossaries/pets?format=tsv&replace=true", path=path,
                data=b"fr\ten\nchat\tcat\n").status_code in (200, 201)
    assert call("GET", "/v1/glossaries/pets?format=xml", path=path).status_code == 400
    assert call("DELETE", "/v1/glossaries/pets?format=xml", path=path).status_code == 204
