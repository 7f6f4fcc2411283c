"""Readiness that checks the engines: a real app on real Apertium, whose data folder (a
sandbox of symlinks, as tests/conftest.py makes) loses a mode while the app runs."""

from __future__ import annotations

import logging
import time

import pytest

from conftest import APERTIUM_MODES, apertium_modes
from test_web import web_settings
from translator.engines.apertium import ApertiumEngine
from translator.web import create_app

pytestmark = pytest.mark.skipif(not ApertiumEngine.available(), reason="apertium not installed")


def wait_status(client, status: int, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while True:
        response = client.get("/health/ready")
        if response.status_code == status:
            return response
        assert time.monotonic() < deadline, response.get_json()
        time.sleep(0.05)


@pytest.fixture
def apertium_app(tmp_path):
    data = apertium_modes(tmp_path / "apertium", APERTIUM_MODES)
    app = create_app(web_settings(tmp_path, apertium_data=str(data), ready_check_seconds=0.2,
                                  batch_wait_ms=0))
    yield app, data
    app.extensions["translator"].close()


def test_ready_checks_every_engine_step_and_turns_503_when_a_mode_goes(apertium_app, caplog):
    app, data = apertium_app
    client = app.test_client()
    ready = wait_status(client, 200).get_json()
    steps = {c["step"]: c for c in ready["checks"]}
    assert {"fr-es", "es-fr", "es-en", "en-es"} <= set(steps)
    assert all(c["ok"] and c["engine"] == "apertium" for c in steps.values())
    assert "fr-en" in steps["fr-es"]["routes"] and "fr-es" in steps["fr-es"]["routes"]

    mode = data / "modes" / "fr-es.mode"
    target = mode.readlink()
    mode.unlink()
    broken = wait_status(client, 503).get_json()["error"]
    assert broken["code"] == "not_ready"
    assert "fr-en" in broken["details"]["broken"] and "fr-es" in broken["details"]["broken"]
    assert "en-fr" not in broken["details"]["broken"]  # en->es->fr does not use fr-es
    assert "fr-es (apertium)" in broken["message"]
    assert str(data) not in str(broken)  # the log has the path, the client does not

    # A request that needs a new pipeline of that mode fails, saying what without where.
    app.extensions["translator"].pipeline.engines[0].close()
    with caplog.at_level(logging.ERROR, logger="translator.web"):
        response = client.post("/v1/translate", json={"text": "Le chat dort.", "source": "fr",
                                                      "target": "en"})
    assert response.status_code == 503
    error = response.get_json()["error"]
    assert error["code"] == "engine_error" and error["details"]["request_id"] in error["message"]
    assert "fr-es" not in error["message"] and str(data) not in response.get_data(as_text=True)
    assert any(error["details"]["request_id"] in r.getMessage() and "fr-es" in r.getMessage()
               for r in caplog.records)

    mode.symlink_to(target)  # repaired: ready again at the next check
    assert wait_status(client, 200).get_json()["status"] == "ready"


def test_ready_waits_for_the_first_check(tmp_path):
    data = apertium_modes(tmp_path / "apertium", ("fr-es",))
    app = create_app(web_settings(tmp_path, apertium_data=str(data), ready_check_seconds=0))
    try:
        service = app.extensions["translator"]
        service.wait_loaded(60)
        ready, details = service.readiness()
        assert ready and [c["step"] for c in details["checks"]] == ["fr-es"]
        (data / "modes" / "fr-es.mode").unlink()
        assert service.readiness()[0]  # ready_check_seconds = 0: checked at start only
        assert not any(c.ok for c in service.checks.run())
        assert not service.readiness()[0]
    finally:
        app.extensions["translator"].close()
