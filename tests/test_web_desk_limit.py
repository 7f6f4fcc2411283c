"""A desk's concurrent translations are limited (setting desk_concurrency): real threads,
real Apertium, two desks."""

from __future__ import annotations

import threading

import pytest

from conftest import APERTIUM_MODES, apertium_modes
from test_web import wait_ready, web_settings
from translator.engines.apertium import ApertiumEngine
from translator.web import create_app

pytestmark = pytest.mark.skipif(not ApertiumEngine.available(), reason="apertium not installed")


def test_a_desk_over_its_concurrency_gets_429_and_other_desks_do_not(tmp_path):
    data = apertium_modes(tmp_path / "apertium", APERTIUM_MODES)
    app = create_app(web_settings(tmp_path, apertium_data=str(data), api_keys_required=True,
                                  desk_concurrency=1, batch_wait_ms=0, ready_check_seconds=0,
                                  max_chars=200_000, max_request_bytes=1024 * 1024), run_jobs=False)
    try:
        wait_ready(app.test_client())
        keys = app.extensions["translator"].store.keys
        sports = {"X-API-Key": keys.create("sports-1", desk="sports")[0]}
        politics = {"X-API-Key": keys.create("politics-1", desk="politics")[0]}
        requests = app.extensions["translator"].requests
        long_text = " ".join(f"Le match numéro {i} commence ce soir au stade." for i in range(1500))
        answers = {}

        def long_request():
            answers["long"] = app.test_client().post(
                "/v1/translate", json={"text": long_text, "source": "fr", "target": "en"},
                headers=sports)

        worker = threading.Thread(target=long_request)
        worker.start()
        while requests.wait_quiet(0):  # until it runs
            pass
        short = {"text": "Le chat dort.", "source": "fr", "target": "en"}
        busy = app.test_client().post("/v1/translate", json=short, headers=sports)
        other = app.test_client().post("/v1/translate", json=short, headers=politics)
        libre = app.test_client().post("/translate", json={"q": "Le chat dort.", "source": "fr",
                                                          "target": "en"}, headers=sports)
        still_running = not requests.wait_quiet(0)
        worker.join()
        assert still_running, "the long request ended too soon for this test to mean anything"
        assert busy.status_code == 429 and busy.headers["Retry-After"] == "1"
        assert busy.get_json()["error"]["code"] == "desk_busy"
        assert libre.status_code == 429 and libre.get_json()["code"] == "desk_busy"
        assert other.status_code == 200
        assert answers["long"].status_code == 200
        assert app.test_client().post("/v1/translate", json=short, headers=sports).status_code == 200
    finally:
        app.extensions["translator"].close()
