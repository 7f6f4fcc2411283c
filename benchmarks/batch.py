"""Throughput of a batch job against raw CTranslate2 and argostranslate's decoding pattern.

An archive of generated news articles (a shared dateline, a byline from a small
desk, sentences of their own) is translated fr -> en with the synthetic
transformer-base model (6+6 layers, d_model 512, ffn 2048, 32k vocabulary, int8,
random weights) and the same forced output length everywhere:

  (b) the batch job, as ``translator batch`` runs it (``BatchJob.run``): reading the
      zip, detection, segmentation, the default glossary, the ledger and its commits,
      the output file; the engine loaded beforehand, as for (a) and (c);
  (a) raw ``translate_batch`` on every sentence of the archive, pre-tokenised, at the
      best settings of a short grid search; (a') the same on the distinct sentences only,
      so the batch's reuse of repeated lines does not count in its favour;
  (c) argostranslate's pattern: one ``translate_batch`` per paragraph,
      ``max_batch_size=32, batch_type="tokens"``, beam 4, its default threads (measured
      on the first 200 sentences: it is slow).

Prints sentences/s (every sentence of the archive counted for each) and the ratios
(b)/(a) and (b)/(a') (target >= 0.9), (b)/(c) (target >= 5).

    python benchmarks/batch.py                  # 200 articles, about 1,400 sentences
    python benchmarks/batch.py --articles 60    # quicker
    python benchmarks/batch.py --cli            # also time the real command, start-up included
    python benchmarks/batch.py --ray            # the Ray path (1 and 2 actors) against the local
                                                # job, on the base model and on Apertium

With ``--ray``: a Ray started on this machine (loopback), actors of one CPU each. Each
round runs, in turn, the local job, the Ray path with 1 actor and with 2 actors, and a
Ray Data variant with 2 actors (``RayDataJob`` below, benchmark only: every chunk read
and planned first, ``ray.data.from_items`` over the plans, ``map_batches`` on an actor
pool holding one pipeline each, the same in-order commit), on the same archive, actor
start-up (model load) included. Prints each one's median sentences/s and the spread,
the ratios to the local job (target: 2 actors >= 0.9 of local), whether every round of
every path wrote the local job's bytes, the driver's own work (reading and preparing,
planning, assembling and committing) in sentences/s: how many sentences per second one
driver can feed to a cluster, and the commit step alone (commits/s, articles/s and
sentences/s of the ledger transactions). Ray Data needs pandas and pyarrow
(``pip install 'ray[data]'``); without them that variant is skipped.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path


sys.path.insert(0, str(Path(__file__).resolve().parent))
from throughput import (WORDS, argos_runner, base_model, best_raw_settings,  # noqa: E402
                        raw_runner, timed)

from translator.batch import BatchJob  # noqa: E402
from translator.pipeline import Pipeline  # noqa: E402
from translator.settings import Settings  # noqa: E402

DATELINE = "Hanoï (SGGP) – Le ministère a publié un communiqué ce matin."
REPORTERS = ("Minh Anh", "Thu Hà", "Quốc Bảo", "Lan Phương", "Đức Huy")


def make_articles(count: int, seed: int = 0) -> list[str]:
    """Articles of three paragraphs: dateline + 4 sentences, 5 sentences, 2 sentences + byline."""
    rng = random.Random(seed)
    seen: set[str] = set()

    def sentence() -> str:
        while True:
            text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 24))).capitalize() + "."
            if text not in seen:
                seen.add(text)
                return text

    articles = []
    for _ in range(count):
        byline = f"Par {rng.choice(REPORTERS)}, correspondant."
        paragraphs = [" ".join([DATELINE] + [sentence() for _ in range(4)]),
                      " ".join(sentence() for _ in range(5)),
                      " ".join([sentence(), sentence(), byline])]
        articles.append("\n\n".join(paragraphs) + "\n")
    return articles


def write_archive(articles: list[str], path: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for n, text in enumerate(articles):
            zf.writestr(f"desk/{n // 50:02d}/article-{n:05d}.txt", text)
    return path


def batch_settings(models: Path, length: int, beam: int) -> Settings:
    # Defaults everywhere else (threads, batch tokens, chunk size, the default glossary).
    return Settings(models_dir=models, argos_packages_dir=models.parent / "argos",
                    apertium=False, beam_size=beam,
                    decode_options=json.dumps({"min_decoding_length": length,
                                               "max_decoding_length": length}))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--length", type=int, default=32, help="forced output length in tokens")
    parser.add_argument("--beam", type=int, default=Settings().beam_size)
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds of (a) and (b)")
    parser.add_argument("--argos-sentences", type=int, default=200,
                        help="sentences the argostranslate pattern's rate is measured on")
    parser.add_argument("--cli", action="store_true", help="also time `translator batch` end to end")
    parser.add_argument("--ray", action="store_true",
                        help="compare the Ray path (1 and 2 actors) with the local job instead")
    parser.add_argument("--engines", default="base,apertium",
                        help="with --ray: base (the base model), apertium, or both (default)")
    args = parser.parse_args(argv)
    if args.ray:
        return ray_main(args)

    package_dir, package, sp = base_model()

    work = Path(tempfile.mkdtemp(prefix="batch-bench-"))
    models = work / "models"
    models.mkdir()
    (models / "base-fr_en").symlink_to(package_dir, target_is_directory=True)
    archive = write_archive(make_articles(args.articles), work / "archive.zip")
    settings = batch_settings(models, args.length, args.beam)
    pipeline = Pipeline.from_settings(settings)
    for engine in pipeline.engines:
        engine.load()

    rounds = iter(range(1_000))

    def run_batch() -> Path:
        out = work / f"out-{next(rounds)}"
        summary = BatchJob(out, pipeline, target="en").run([str(archive)])
        assert summary.complete and summary.counts.failed == 0, summary.lines()
        return out

    # A first run gives the sentences as the batch segments them (and warms caches).
    first = run_batch()
    records = [json.loads(line) for line in (first / "translations.jsonl").read_text().splitlines()]
    paragraphs: list[list[str]] = []
    for record in records:
        last = None
        for seg in record["segments"]:
            if seg["paragraph"] != last:
                paragraphs.append([])
                last = seg["paragraph"]
            paragraphs[-1].append(seg["source"])
    sentences = [s for p in paragraphs for s in p]
    distinct = list(dict.fromkeys(sentences))
    tokens = sp.encode(sentences, out_type=str)
    distinct_tokens = sp.encode(distinct, out_type=str)
    n = len(sentences)
    print(f"{args.articles} articles, {n} sentences ({len(distinct)} distinct), "
          f"{sum(map(len, tokens)) / n:.1f} source tokens each, {args.length} output tokens "
          f"forced, beam {args.beam}, {os.cpu_count()} cores")
    print(f"batch settings: inter_threads,intra_threads={settings.threads()} "
          f"max_batch_tokens={settings.max_batch_tokens} chunk={settings.batch_chunk_chars} chars")

    inter, intra, size = best_raw_settings(package.model_dir, tokens, args.length, args.beam)
    print(f"best raw settings: inter_threads={inter} intra_threads={intra} max_batch_size={size} tokens")
    raw_all = raw_runner(package.model_dir, tokens, args.length, args.beam, inter, intra, size)
    raw_distinct = raw_runner(package.model_dir, distinct_tokens, args.length, args.beam,
                              inter, intra, size)

    batch_times, raw_times, distinct_times = [], [], []
    for _ in range(args.rounds):  # alternate, so drift on a noisy machine hits every side
        raw_times.append(timed(raw_all))
        batch_times.append(timed(run_batch))
        distinct_times.append(timed(raw_distinct))

    # argostranslate's pattern is slow (one sentence per batch): its rate is measured on
    # the first paragraphs, about --argos-sentences sentences.
    sample, count = [], 0
    for paragraph in paragraphs:
        if count >= args.argos_sentences:
            break
        sample.append(paragraph)
        count += len(paragraph)
    argos_time = timed(argos_runner(package.model_dir, sp, sample, args.length))

    a, a2 = n / min(raw_times), n / min(distinct_times)
    b, c = n / min(batch_times), count / argos_time
    print(f"(a)  raw translate_batch, every sentence    {a:8.1f} sentences/s")
    print(f"(a') raw translate_batch, distinct only     {a2:8.1f} sentences/s (of the archive)")
    print(f"(b)  batch job                              {b:8.1f} sentences/s")
    print(f"(c)  argostranslate pattern                 {c:8.1f} sentences/s")
    print(f"(b)/(a)  = {b / a:.2f}  (target >= 0.9)")
    print(f"(b)/(a') = {b / a2:.2f}  (target >= 0.9: no credit for repeated lines)")
    print(f"(b)/(c)  = {b / c:.2f}  (target >= 5)")

    if args.cli:
        env = {**os.environ, "TRANSLATOR_MODELS_DIR": str(models), "TRANSLATOR_APERTIUM": "false",
               "TRANSLATOR_BEAM_SIZE": str(args.beam), "TRANSLATOR_DECODE_OPTIONS":
               settings.decode_options}
        started = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "translator", "batch", str(archive), "--to",
                               "en", "--out", str(work / "cli"), "--progress", "none"],
                              env=env, capture_output=True, text=True)
        wall = time.perf_counter() - started
        print(f"`translator batch` end to end (start-up and model load included): {wall:.1f} s, "
              f"{n / wall:.1f} sentences/s, exit {proc.returncode}")
    return 0 if b / a2 >= 0.9 and b / c >= 5 else 1


class DataTranslator:
    """Ray Data's actor-pool function: one loaded pipeline; a batch is one planned chunk."""

    def __init__(self, settings: Settings, glossary, target: str):
        self.pipeline = Pipeline.from_settings(settings)
        self.glossary, self.target = glossary, target

    def __call__(self, batch: dict) -> dict:
        import pickle

        import numpy

        from translator.batch.work import translate_todo

        works = [pickle.dumps(translate_todo(self.pipeline, pickle.loads(todo), self.target,
                                             self.glossary)) for todo in batch["todo"]]
        return {"order": batch["order"], "work": numpy.array(works, dtype=object)}


class RayDataJob(BatchJob):
    """The job with its engine work on Ray Data (benchmark only). ``from_items`` needs
    its rows up front, so every chunk is read and planned before the first is translated
    (no backpressure, no overlap of reading and translating); the rows are the plans, one
    per batch (a bigger batch would merge chunks and change CTranslate2's padding)."""

    def __init__(self, *args, actors: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.actors = actors

    def _translate(self, ledger, progress, stop, timer):
        import pickle
        import queue
        import threading

        import ray.data

        from translator.batch.runner import _LedgerCache, _Tally
        from translator.batch.work import Work

        events: queue.Queue = queue.Queue()
        reader = threading.Thread(target=self._prepare_chunks, args=(
            ledger, events, threading.Semaphore(1 << 30), stop.is_set, timer))
        reader.start()
        reader.join()
        cache, owners, failures, tally = _LedgerCache(ledger), {}, {}, _Tally(progress)
        chunks = []
        while (event := events.get())[0] == "chunk":
            tick = time.perf_counter()
            self._plan(event[1], cache, owners, failures)
            timer.plan += time.perf_counter() - tick
            chunks.append(event[1])
        if event[0] == "error":
            raise event[1]
        settings = self.pipeline.settings
        settings = settings.replace(batch_split=settings.split(), inter_threads=1, intra_threads=1)
        rows = [{"order": c.order, "todo": pickle.dumps(c.todo)} for c in chunks
                if any(c.todo.values())]
        results: dict = {}
        following = 0

        def commit_ready() -> None:
            nonlocal following
            while following < len(chunks) and (following in results
                                               or not any(chunks[following].todo.values())):
                tick = time.perf_counter()
                self._commit(ledger, chunks[following], results.pop(following, Work()),
                             owners, failures, tally)
                timer.commit += time.perf_counter() - tick
                timer.commits += 1
                following += 1

        commit_ready()
        if rows:
            dataset = ray.data.from_items(rows).map_batches(
                DataTranslator, fn_constructor_args=(settings, self.glossary, self.target),
                batch_size=1, batch_format="numpy", num_cpus=1,
                compute=ray.data.ActorPoolStrategy(size=self.actors))
            for row in dataset.iter_rows():
                results[int(row["order"])] = pickle.loads(row["work"])
                commit_ready()
        return tally.articles, tally.sentences


def ray_main(args) -> int:
    import hashlib
    import statistics

    from translator.batch.cluster import RayOptions, connect
    from translator.engines.apertium import ApertiumEngine

    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    started = time.perf_counter()
    ray = connect("local")  # a new Ray of this machine, on loopback, as `--ray` alone starts
    print(f"Ray ready in {time.perf_counter() - started:.1f} s")
    try:
        import ray.data

        ray.data.DataContext.get_current().enable_progress_bars = False
        data = True
    except ImportError as exc:
        print(f"no Ray Data variant: {exc}")
        data = False
    work = Path(tempfile.mkdtemp(prefix="batch-ray-bench-"))
    archive = write_archive(make_articles(args.articles), work / "archive.zip")
    package_dir, _, _ = base_model()
    models = work / "models"
    models.mkdir()
    (models / "base-fr_en").symlink_to(package_dir, target_is_directory=True)
    wanted = set(args.engines.split(","))
    engines = {}
    if "base" in wanted:
        engines["base model"] = batch_settings(models, args.length, args.beam)
    if "apertium" in wanted and ApertiumEngine.available():
        engines["apertium"] = Settings(models_dir=work / "none", argos_packages_dir=work / "argos")
    print(f"{args.articles} articles, {os.cpu_count()} cores, {args.rounds} rounds; "
          f"Ray {ray.__version__} on this machine, actors of 1 CPU")
    ok = True
    runs = iter(range(1_000))
    for name, settings in engines.items():
        pipeline = Pipeline.from_settings(settings)
        for engine in pipeline.engines:
            engine.load()
        paths = {"local": None, "ray, 1 actor": RayOptions(actors=1),
                 "ray, 2 actors": RayOptions(actors=2)}
        if data:
            paths["ray data, 2"] = "data"
        rates: dict[str, list[float]] = {path: [] for path in paths}
        driver: dict[str, list[float]] = {path: [] for path in paths}
        commit: dict[str, list[tuple[float, float, float]]] = {path: [] for path in paths}
        outputs: dict[str, list[str]] = {path: [] for path in paths}  # every round's digest
        for _ in range(args.rounds):
            for path, options in paths.items():
                out = work / f"out-{next(runs)}"
                if options == "data":
                    job = RayDataJob(out, pipeline, target="en", actors=2)
                else:
                    job = BatchJob(out, pipeline, target="en", ray=options)
                started = time.perf_counter()
                summary = job.run([str(archive)])
                seconds = time.perf_counter() - started
                assert summary.complete and summary.counts.failed == 0, summary.lines()
                n = summary.sentences_this_run
                rates[path].append(n / seconds)
                outputs[path].append(hashlib.sha256(
                    (out / "translations.jsonl").read_bytes()).hexdigest())
                driver[path].append(n / max(summary.prepare_seconds + summary.plan_seconds
                                            + summary.commit_seconds, 1e-9))
                spent = max(summary.commit_seconds, 1e-9)
                commit[path].append((summary.commits / spent,
                                     summary.articles_this_run / spent, n / spent))
        pipeline.close()
        expected = outputs["local"][0]
        same = all(digest == expected for digests in outputs.values() for digest in digests)
        local = statistics.median(rates["local"])
        print(f"\n{name}: {summary.sentences_this_run} sentences and {summary.commits} commits "
              f"per run; every round of every path wrote the local job's bytes: {same}")
        for path, values in rates.items():
            median = statistics.median(values)
            print(f"  {path:14} {median:8.1f} sentences/s (spread {min(values):.1f}-"
                  f"{max(values):.1f})  ratio to local {median / local:.2f}")
        print("  driver work (read, prepare, plan, assemble, commit), sentences/s of its threads: "
              + ", ".join(f"{path} {statistics.median(v):.0f}" for path, v in driver.items()))
        every = [c for values in commit.values() for c in values]
        print("  commit step alone (assemble + one ledger transaction per chunk), medians over "
              f"every run: {statistics.median(c[0] for c in every):.0f} commits/s, "
              f"{statistics.median(c[1] for c in every):.0f} articles/s, "
              f"{statistics.median(c[2] for c in every):.0f} sentences/s "
              f"(sentences/s spread {min(c[2] for c in every):.0f}-{max(c[2] for c in every):.0f})")
        ok = ok and same and statistics.median(rates["ray, 2 actors"]) >= 0.9 * local
    ray.shutdown()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
