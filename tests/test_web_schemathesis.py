"""Schemathesis against the served OpenAPI document (issue 15): generated requests for every
operation that a test can run quickly (bounded examples), checking that none gets a 5xx and
that every response matches the document (status, media type, JSON schema), and that
schema-invalid requests are refused."""

from __future__ import annotations

import pytest
import schemathesis  # the test extra: a missing install must fail, not skip
from hypothesis import HealthCheck, given, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (content_type_conformance,  # noqa: E402
                                               negative_data_rejection,
                                               response_schema_conformance,
                                               status_code_conformance)

from test_web import ready_app, web_settings  # noqa: E402

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance, negative_data_rejection]


@pytest.fixture(scope="module")
def app(tmp_path_factory, argos_fr_en):
    with ready_app(web_settings(tmp_path_factory.mktemp("schemathesis"), argos_fr_en,
                                batch_wait_ms=0, ready_check_seconds=0), run_jobs=False) as app:
        yield app


def operations(app) -> list:
    """Every operation of the document but the jobs (archives, tested in test_web_jobs.py)."""
    schema = schemathesis.openapi.from_wsgi("/v1/openapi.json", app)
    found = [result.ok() for result in schema.get_all_operations()]
    return [op for op in found if not op.path.startswith("/v1/jobs")]


def test_no_5xx_and_responses_match_the_openapi_document(app):
    # Driven by hand rather than by schemathesis' pytest plugin, which this pytest breaks.
    ops = operations(app)
    assert {"/v1/translate", "/v1/align", "/translate", "/detect"} <= {op.path for op in ops}
    for op in ops:
        @given(case=op.as_strategy())
        @settings(max_examples=25, deadline=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        def check(case):
            case.call_and_validate(checks=CHECKS)

        check()
