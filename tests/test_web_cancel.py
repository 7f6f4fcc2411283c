"""A request whose client hangs up stops its engine work (issue 15): a real server on
loopback (werkzeug's, in a thread), real Apertium, a raw socket closed mid-translation."""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
import urllib.request

import pytest
from werkzeug.serving import make_server

from test_web import web_settings
from translator.engines.apertium import ApertiumEngine
from translator.web import create_app

pytestmark = pytest.mark.skipif(not ApertiumEngine.available(), reason="apertium not installed")


@pytest.fixture
def server(tmp_path):
    app = create_app(web_settings(tmp_path, max_chars=200_000, max_request_bytes=4 * 1024 * 1024,
                                  batch_wait_ms=0, ready_check_seconds=0), run_jobs=False)
    http = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{http.server_port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(url + "/health/ready") as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        assert time.monotonic() < deadline, "never ready"
        time.sleep(0.1)
    yield app, http.server_port
    http.shutdown()
    app.extensions["translator"].close()


def post(port: int, body: dict) -> socket.socket:
    data = json.dumps(body, ensure_ascii=False).encode()
    sock = socket.create_connection(("127.0.0.1", port))
    sock.sendall(b"POST /v1/translate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                 + f"Content-Length: {len(data)}\r\n\r\n".encode() + data)
    return sock


def test_engine_work_stops_within_a_chunk_of_the_client_hanging_up(server, caplog):
    app, port = server
    requests = app.extensions["translator"].requests
    # 4,000 distinct sentences: several seconds of Apertium fr->es->en on two cores.
    texts = [" ".join(f"Le chat numéro {n * 100 + i} dort sur le canapé du salon."
                      for i in range(100)) for n in range(40)]
    started = time.monotonic()
    with caplog.at_level(logging.INFO, logger="translator.web"):
        sock = post(port, {"text": texts, "source": "fr", "target": "en"})
        while requests.wait_quiet(0):  # until the request is being translated
            assert time.monotonic() - started < 30
            time.sleep(0.01)
        time.sleep(1.0)  # well into the engine work
        assert not requests.wait_quiet(0), "the request ended before the client hung up"
        sock.close()
        hung_up = time.monotonic()
        assert requests.wait_quiet(5.0)
        stopped = time.monotonic() - hung_up
        # the error handler logs once the engine work has ended: wait for its line
        deadline = time.monotonic() + 5
        while not (cancelled := [r.getMessage() for r in caplog.records
                                 if "stopped after" in r.getMessage()]):
            assert time.monotonic() < deadline, [r.getMessage() for r in caplog.records]
            time.sleep(0.01)
    # The log line says the work stopped before its end; the wait is one chunk in progress:
    # hundredths of a second on a quiet machine (docs/api.md), above a second on a loaded
    # one running two test workers (1.2 s measured): the whole request is tens of chunks.
    assert stopped < 3.0, f"the engine went on for {stopped:.2f} s after the client left"
    print(f"\nstopped {stopped:.3f} s after the hang-up; {cancelled[0]}")


def test_a_client_that_stays_gets_its_answer(server):
    _, port = server
    texts = [" ".join(f"Le chien numéro {n * 100 + i} joue." for i in range(100)) for n in range(3)]
    sock = post(port, {"text": texts, "source": "fr", "target": "en"})
    with sock, sock.makefile("rb") as answer:
        status = answer.readline()
        assert b" 200 " in status, status
        headers = list(iter(answer.readline, b"\r\n"))
        length = next(int(line.split(b":")[1]) for line in headers
                      if line.lower().startswith(b"content-length"))
        results = json.loads(answer.read(length))["results"]
    assert len(results) == 3 and all(len(r["segments"]) == 100 for r in results)
