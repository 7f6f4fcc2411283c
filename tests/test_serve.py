"""`translator serve` as a user runs it: a real gunicorn process on a free port, real HTTP,
a real LibreTranslate client, and a worker killed mid-service."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from test_web import tmx_is_valid, web_settings, xliff_is_valid


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http(method: str, url: str, body: dict | bytes | None = None, headers: dict | None = None,
         timeout: float = 60):
    """(status, headers, body bytes) of one request; HTTP errors are returned, not raised."""
    data = json.dumps(body).encode() if isinstance(body, dict) else body
    request = urllib.request.Request(url, data=data, method=method, headers={
        "Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


class Server:
    """A `translator serve` subprocess and its base URL."""

    def __init__(self, tmp_path: Path, package: Path, *extra: str, env: dict | None = None):
        settings = web_settings(tmp_path, package)
        self.db_path = settings.db_path
        config = tmp_path / "translator.toml"
        config.write_text('max_chars = 5000\nmax_request_bytes = 65536\nworker_threads = 2\n',
                          encoding="utf-8")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        environment = {**os.environ, "TRANSLATOR_MODELS_DIR": str(settings.models_dir),
                       "TRANSLATOR_ARGOS_PACKAGES_DIR": str(settings.argos_packages_dir),
                       "TRANSLATOR_GLOSSARY_DB": str(settings.glossary_db), **(env or {})}
        self.log = open(tmp_path / "server.log", "wb")
        # flags beat the config file, which beats the environment
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "translator", "serve", "--config", str(config),
             "--host", "127.0.0.1", "--port", str(self.port), "--db-path", str(self.db_path),
             "--threads", "4", *extra],
            env=environment, stdout=self.log, stderr=subprocess.STDOUT)
        self.log_path = tmp_path / "server.log"

    def wait_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.log_path.read_text()
            try:
                if http("GET", self.url + "/health/ready", timeout=5)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise AssertionError("server never became ready:\n" + self.log_path.read_text())

    def workers(self) -> list[int]:
        """Live child processes of the gunicorn master (from /proc: no procps needed)."""
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.proc.pid and fields[0] != "Z":
                children.append(int(stat.parent.name))
        return children

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        return self.proc.returncode


@pytest.fixture(scope="module")
def server(tmp_path_factory, argos_fr_en):
    server = Server(tmp_path_factory.mktemp("serve"), argos_fr_en)
    server.wait_ready()
    yield server
    assert server.stop() == 0


def test_translate_over_real_http(server):
    status, headers, body = http("POST", server.url + "/v1/translate",
                                 {"text": "Le chat dort. Le chien joue.", "target": "en"})
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    result = json.loads(body)
    assert [s["target"] for s in result["segments"]] == ["Le chat dort.", "Le chien joue."]
    assert result["detection"]["language"] == "fr"
    status, headers, body = http("POST", server.url + "/v1/translate",
                                 {"text": "Le chat dort.", "source": "fr", "target": "en"},
                                 headers={"Accept": "application/x-tmx+xml"})
    assert status == 200 and headers["Content-Type"].startswith("application/x-tmx+xml")
    tmx_is_valid(body.decode())
    status, _, body = http("POST", server.url + "/v1/translate?format=xliff",
                           {"text": "Le chat dort.", "source": "fr", "target": "en"})
    xliff_is_valid(body.decode())


def test_settings_come_from_file_and_flags(server):
    status, _, body = http("POST", server.url + "/v1/translate", {"text": "x" * 5001, "target": "en"})
    assert status == 413 and json.loads(body)["error"]["code"] == "input_too_large"
    assert "Using worker: gthread" in server.log_path.read_text()


def test_bad_input_over_http_is_a_json_error(server):
    status, headers, body = http("POST", server.url + "/v1/translate", b"{oops")
    assert status == 400 and json.loads(body)["error"]["code"] == "invalid_json"
    status, _, body = http("POST", server.url + "/v1/translate", b"x" * (65 * 1024))
    assert status == 413 and json.loads(body)["error"]["code"] == "request_too_large"


def test_a_libretranslate_client_works_unchanged(server):
    from libretranslatepy import LibreTranslateAPI

    client = LibreTranslateAPI(server.url)
    assert client.translate("Le chat dort.", "fr", "en") == "Le chat dort."
    assert client.translate("Le chien joue dans le jardin.", "auto", "en") == "Le chien joue dans le jardin."
    assert client.detect("Le président a parlé aux journalistes ce matin.")[0]["language"] == "fr"
    assert "en" in next(lang for lang in client.languages() if lang["code"] == "fr")["targets"]


def test_concurrent_requests_each_get_their_own_translation(server):
    results, errors = {}, []

    def client(n):
        text = " ".join(f"Phrase {n} numéro {i} du client." for i in range(5))
        try:
            status, _, body = http("POST", server.url + "/v1/translate",
                                   {"text": text, "source": "fr", "target": "en"})
            results[n] = (status, text, json.loads(body))
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    for status, text, result in results.values():
        assert status == 200 and result["target_text"] == text


def test_a_killed_worker_is_replaced_and_reviewed_segments_survive(server):
    form = urllib.parse.urlencode({"text": "Le navire est arrivé au port.", "source": "fr",
                                   "target": "en"}).encode()
    request = urllib.request.Request(server.url + "/review", data=form, method="POST")
    with urllib.request.urlopen(request, timeout=60) as response:  # follows the 303
        doc_url = response.url
    status, _, _ = http("PUT", doc_url + "/segments/0", {"target": "The ship reached port.",
                                                         "reviewed": True})
    assert status == 200
    [worker] = server.workers()
    os.kill(worker, signal.SIGKILL)  # a crash: the worker dies without cleanup
    deadline = time.monotonic() + 60
    while not (server.workers() and server.workers() != [worker]):
        assert time.monotonic() < deadline, "gunicorn did not replace the worker"
        time.sleep(0.1)
    server.wait_ready()
    status, _, body = http("POST", server.url + "/v1/translate",
                           {"text": "Le navire est arrivé au port.", "source": "fr", "target": "en"})
    result = json.loads(body)
    assert status == 200 and result["segments"][0]["origin"] == "memory"
    assert result["target_text"] == "The ship reached port."


def test_bad_settings_fail_fast_with_one_line(tmp_path, argos_fr_en):
    server = Server(tmp_path, argos_fr_en, env={"TRANSLATOR_DECODE_OPTIONS": "[1, 2"})
    assert server.proc.wait(timeout=60) == 2
    server.log.close()
    output = server.log_path.read_text().strip().splitlines()
    assert output == [output[-1]] and output[0].startswith("translator: error: decode_options")


def test_access_log_lines_carry_the_request_id(server):
    status, headers, _ = http("GET", server.url + "/v1/languages")
    assert status == 200
    request_id = headers["X-Request-Id"]
    deadline = time.monotonic() + 10
    while True:
        lines = [line for line in server.log_path.read_text().splitlines() if request_id in line]
        if lines:
            break
        assert time.monotonic() < deadline, "no access log line with the request id"
        time.sleep(0.05)
    assert '"GET /v1/languages HTTP/1.1" 200' in lines[0] and lines[0].endswith(request_id)


def test_access_log_leaves_out_download_capabilities_and_keys(server):
    boundary = "b0undary"
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="target"\r\n\r\nen\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="source"\r\n\r\nfr\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="note.txt"\r\n'
            f'Content-Type: text/plain\r\n\r\nLe chat dort.\r\n--{boundary}--\r\n').encode()
    status, _, reply = http("POST", server.url + "/translate_file", body,
                            {"Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert status == 200, reply
    path = "/download_file/" + json.loads(reply)["translatedFileUrl"].rsplit("/", 1)[1]
    capability = path.rsplit("/", 1)[1].split(".", 1)[0]
    status, refused_headers, refused = http("GET", server.url + path + "?api_key=trk_not_logged")
    assert status == 403, refused  # a key that is sent is checked (this one is unknown)
    status, headers, data = http("GET", server.url + path)
    assert (status, data) == (200, b"Le chat dort.")
    request_id = headers["X-Request-Id"]
    deadline = time.monotonic() + 10
    # each line is written once its response is sent, by the thread that served it: the
    # first request's line may come after the second's
    while not all(rid in server.log_path.read_text()
                  for rid in (request_id, refused_headers["X-Request-Id"])):
        assert time.monotonic() < deadline, "no access log line for the downloads"
        time.sleep(0.05)
    log = server.log_path.read_text()
    assert capability not in log and "trk_not_logged" not in log
    assert "Le chat dort" not in log and "The cat sleeps" not in log  # nor the file's text
    line = next(line for line in log.splitlines() if request_id in line)
    assert '"GET /download_file/<capability>.note.txt HTTP/1.1" 200' in line
    assert "/download_file/<capability>.note.txt?api_key=<redacted>" in log
