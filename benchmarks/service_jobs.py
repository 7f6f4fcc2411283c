"""Latency of single-article requests to the service while a batch job runs in it.

A `translator serve` process on the synthetic transformer-base model (forced output
length, the default glossary, 20 ms micro-batching) answers --requests single-article
``/v1/translate`` requests one after another: first idle, then while a ``/v1/jobs``
archive of --articles articles is being translated by the same process. The same archive
also runs alone first. Prints the latencies and the job's rates, so the cost of sharing
the engine is a measured figure.

    python benchmarks/service_jobs.py                 # 150-article job, 6 requests each way
    python benchmarks/service_jobs.py --articles 60 --requests 4
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from batch import make_articles, write_archive  # noqa: E402
from service import Server  # noqa: E402
from throughput import base_model  # noqa: E402


def request(port: int, method: str, path: str, body: bytes | None = None,
            headers: dict | None = None) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    conn.request(method, path, body, headers or {})
    response = conn.getresponse()
    payload = response.read()
    conn.close()
    return response.status, payload


def latencies(port: int, articles: list[str]) -> list[float]:
    """Seconds for each article, sent one after the other (one newsroom client)."""
    out = []
    for article in articles:
        body = json.dumps({"text": article, "source": "fr", "target": "en"}).encode()
        started = time.perf_counter()
        status, payload = request(port, "POST", "/v1/translate", body,
                                  {"Content-Type": "application/json"})
        if status != 200:
            raise SystemExit(f"translate failed: {status} {payload[:200]!r}")
        out.append(time.perf_counter() - started)
    return out


def job_status(port: int, job_id: str) -> dict:
    return json.loads(request(port, "GET", f"/v1/jobs/{job_id}")[1])


def submit(port: int, archive: Path) -> str:
    status, payload = request(port, "POST", "/v1/jobs?target=en&source=fr", archive.read_bytes(),
                              {"Content-Type": "application/zip"})
    if status != 202:
        raise SystemExit(f"job refused: {status} {payload[:200]!r}")
    return json.loads(payload)["id"]


def wait_done(port: int, job_id: str) -> dict:
    while (status := job_status(port, job_id))["state"] in ("queued", "running"):
        time.sleep(0.5)
    return status


def seconds_between(start: str, end: str) -> float:
    parse = lambda stamp: datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ")  # noqa: E731
    return (parse(end) - parse(start)).total_seconds()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=150, help="articles in the job")
    parser.add_argument("--requests", type=int, default=6, help="single-article requests each way")
    parser.add_argument("--length", type=int, default=32, help="forced output length in tokens")
    parser.add_argument("--batch-wait-ms", type=float, default=20.0,
                        help="the server's micro-batching wait (0: off)")
    args = parser.parse_args(argv)

    package_dir, _, _ = base_model()
    work = Path(tempfile.mkdtemp(prefix="service-jobs-"))
    archive = write_archive(make_articles(args.articles, seed=1), work / "archive.zip")
    singles = make_articles(2 * args.requests, seed=2)
    server = Server(work / "server", package_dir, args.length, 2, args.batch_wait_ms, 16,
                    glossary=True)
    try:
        server.wait_ready()
        latencies(server.port, singles[:1])  # warm-up
        idle = latencies(server.port, singles[:args.requests])

        alone = wait_done(server.port, submit(server.port, archive))
        job_id = submit(server.port, archive)
        while job_status(server.port, job_id)["counts"]["done"] == 0:
            time.sleep(0.2)  # the job is translating (its first chunk committed)
        busy = latencies(server.port, singles[args.requests:])
        during = job_status(server.port, job_id)
        still_running = during["state"] == "running"
        while (status := job_status(server.port, job_id))["state"] == "running":
            time.sleep(1)
    finally:
        server.stop()

    def describe(values: list[float]) -> str:
        return (f"median {statistics.median(values):5.2f} s, max {max(values):5.2f} s "
                f"({', '.join(f'{v:.2f}' for v in values)})")

    print(f"{args.requests} single-article requests (13 sentences each), one after another:")
    print(f"  idle service:            {describe(idle)}")
    print(f"  while a job translates:  {describe(busy)}"
          + ("" if still_running else "  (the job ended during these requests)"))
    print(f"  median slowdown: {statistics.median(busy) / statistics.median(idle):.1f}x")
    seconds = seconds_between(alone["started"], alone["finished"])
    print(f"a job alone: {alone['counts']['sentences']} sentences in {seconds:.1f} s "
          f"({alone['counts']['sentences'] / seconds:.1f} sentences/s, scan and outputs included)")
    print(f"the job with the requests: state {status['state']}, rate while they ran "
          f"{during.get('rate')} sentences/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
