"""The HTTP service under 16 concurrent clients against raw CTranslate2 on the same sentences.

Both sides translate the same sentences with the same synthetic transformer-base model
(6+6 layers, d_model 512, ffn 2048, 32k vocabulary, int8, random weights), the same beam
and the same forced output length (``min/max_decoding_length``), so they do the same
decoding work:

  (a) raw ``ctranslate2.Translator.translate_batch`` over every sentence at once,
      pre-tokenised, at the best batch size and thread split of a short grid search
      (benchmarks/throughput.py's);
  (b) ``translator serve`` (gunicorn, one gthread worker, 16 threads, its default
      CTranslate2 threads) with 16 client threads, each sending single-article requests
      (``POST /v1/translate``, source given, JSON back) one after the other over a
      keep-alive connection. One server per ``--batch-wait-ms`` value: 0 is no
      micro-batching, N batches the sentences of concurrent requests arriving within N ms.

The server gets the forced lengths through the ``decode_options`` setting (a benchmarking
knob) and runs without Apertium and without a glossary (``--glossary`` to add the default
one), like the pipeline in benchmarks/throughput.py. Raw runs alternate with service runs
and each service run is compared with the raw runs just before and after it (machines
here are shared: absolute speeds drift by 2x within minutes); the median of those paired
ratios is reported, with the best run's throughput and latencies.

Prints sentences/s, p50/p95 request latency and (b)/(a) (target >= 0.8).

    python benchmarks/service.py                          # 16 clients x 4 articles x 15 sentences
    python benchmarks/service.py --batch-wait-ms 0 5 20   # compare micro-batching windows
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path


sys.path.insert(0, str(Path(__file__).resolve().parent))
from throughput import (base_model, best_raw_settings, make_documents, raw_runner,  # noqa: E402
                        timed)

from translator.segment import segment  # noqa: E402
from translator.settings import Settings  # noqa: E402

SENTENCES_PER_ARTICLE = 15


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """A `translator serve` process on the benchmark model."""

    def __init__(self, root: Path, package_dir: Path, length: int, beam: int, batch_wait_ms: float,
                 threads: int, glossary: bool):
        models = root / "models"
        models.mkdir(parents=True)
        (models / package_dir.name).symlink_to(package_dir)
        self.port = free_port()
        self.label = f"batching {batch_wait_ms:g} ms" if batch_wait_ms else "batching off"
        env = {**os.environ,
               "TRANSLATOR_MODELS_DIR": str(models),
               "TRANSLATOR_ARGOS_PACKAGES_DIR": str(root / "argos"),
               "TRANSLATOR_DB_PATH": str(root / "translator.db"),
               "TRANSLATOR_JOBS_DIR": str(root / "jobs"),
               "TRANSLATOR_APERTIUM": "false",
               "TRANSLATOR_GLOSSARY": "default" if glossary else "none",
               "TRANSLATOR_BEAM_SIZE": str(beam),
               "TRANSLATOR_BATCH_WAIT_MS": str(batch_wait_ms),
               "TRANSLATOR_DECODE_OPTIONS": json.dumps({"min_decoding_length": length,
                                                        "max_decoding_length": length})}
        self.log = open(root / "server.log", "wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "translator", "serve", "--port", str(self.port),
             "--workers", "1", "--threads", str(threads)],
            env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self.log_path = root / "server.log"

    def wait_ready(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit("server exited:\n" + self.log_path.read_text())
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/health/ready")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise SystemExit("server not ready:\n" + self.log_path.read_text())

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


def run_clients(port: int, per_client: list[list[str]]) -> tuple[float, list[float]]:
    """Every client sends its articles one by one; (wall seconds, request latencies)."""
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    start_gate = threading.Barrier(len(per_client) + 1)

    def client(articles: list[str]) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        start_gate.wait()
        for article in articles:
            body = json.dumps({"text": article, "source": "fr", "target": "en"})
            started = time.perf_counter()
            conn.request("POST", "/v1/translate", body, {"Content-Type": "application/json"})
            response = conn.getresponse()
            payload = response.read()
            elapsed = time.perf_counter() - started
            with lock:
                if response.status != 200:
                    failures.append(payload[:200].decode(errors="replace"))
                latencies.append(elapsed)
        conn.close()

    threads = [threading.Thread(target=client, args=(articles,)) for articles in per_client]
    for t in threads:
        t.start()
    start_gate.wait()
    started = time.perf_counter()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    if failures:
        raise SystemExit(f"{len(failures)} requests failed, e.g. {failures[0]}")
    return wall, latencies


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--articles", type=int, default=4, help="articles per client")
    parser.add_argument("--length", type=int, default=32, help="forced output length in tokens")
    parser.add_argument("--beam", type=int, default=Settings().beam_size)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--threads", type=int, default=16, help="server threads")
    parser.add_argument("--batch-wait-ms", type=float, nargs="+", default=[0.0, 20.0],
                        help="one server per value (0: no micro-batching)")
    parser.add_argument("--glossary", action="store_true", help="apply the default glossary")
    args = parser.parse_args(argv)

    package_dir, package, sp = base_model()

    count = args.clients * args.articles * SENTENCES_PER_ARTICLE
    articles = make_documents(count)
    sentences = [s.text for doc in articles for s in segment(doc, "fr")]
    assert len(sentences) == count and len(articles) == args.clients * args.articles
    per_client = [articles[i::args.clients] for i in range(args.clients)]
    tokens = sp.encode(sentences, out_type=str)
    print(f"{count} sentences in {len(articles)} articles ({SENTENCES_PER_ARTICLE} sentences each), "
          f"{args.clients} clients, {sum(map(len, tokens)) / len(tokens):.1f} source tokens per sentence, "
          f"{args.length} output tokens forced, beam {args.beam}, {os.cpu_count()} cores", flush=True)

    inter, intra, batch = best_raw_settings(package.model_dir, tokens, args.length, args.beam)
    print(f"best raw settings: inter_threads={inter} intra_threads={intra} max_batch_size={batch} tokens")
    raw = raw_runner(package.model_dir, tokens, args.length, args.beam, inter, intra, batch)

    # a SIGTERM (timeout, kill) unwinds through the finally below, which stops the servers
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    workdir = Path(tempfile.mkdtemp(prefix="translator-bench-"))
    servers: list[Server] = []
    try:
        for i, wait in enumerate(args.batch_wait_ms):
            servers.append(Server(workdir / f"server{i}", package_dir, args.length, args.beam, wait,
                                  args.threads, args.glossary))
        for server in servers:
            server.wait_ready()
            run_clients(server.port, [[a] for a in articles[: args.clients]])  # warm-up
        # raw, server 1, raw, server 2, raw, ...: each service run is compared with the raw
        # runs just before and after it, so drift on a shared machine cancels out.
        raw_times = [timed(raw)]
        runs: dict[str, list[tuple[float, list[float], float]]] = {s.label: [] for s in servers}
        for round_ in range(args.rounds):
            for server in servers:
                wall, latencies = run_clients(server.port, per_client)
                raw_times.append(timed(raw))
                baseline = (raw_times[-2] + raw_times[-1]) / 2
                runs[server.label].append((wall, latencies, baseline / wall))
                print(f"  round {round_ + 1}, {server.label}: {count / wall:.1f} sentences/s, "
                      f"raw around it {count / raw_times[-2]:.1f} and {count / raw_times[-1]:.1f}: "
                      f"ratio {baseline / wall:.2f}", flush=True)
    finally:
        for server in servers:
            server.stop()
        shutil.rmtree(workdir, ignore_errors=True)

    a = count / statistics.median(raw_times)
    print(f"(a) raw translate_batch              {a:8.1f} sentences/s (median of {len(raw_times)} runs)")
    best_ratio = 0.0
    for label, results in runs.items():
        wall, latencies, _ = min(results, key=lambda r: r[0])
        ratio = statistics.median(r[2] for r in results)
        best_ratio = max(best_ratio, ratio)
        print(f"(b) service, {label:<22} {count / wall:8.1f} sentences/s   "
              f"{len(latencies) / wall:5.2f} requests/s   p50 {percentile(latencies, 50) * 1000:6.0f} ms   "
              f"p95 {percentile(latencies, 95) * 1000:6.0f} ms   (b)/(a) paired = {ratio:.2f}")
    print(f"best (b)/(a) = {best_ratio:.2f}  (target >= 0.8; each service run against the raw runs around it)")
    return 0 if best_ratio >= 0.8 else 1


if __name__ == "__main__":
    sys.exit(main())
