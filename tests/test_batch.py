"""Batch jobs end to end: real CTranslate2 (the copy model), a real ledger, real files.

The copy model translates a sentence into itself, so a record's target can be checked
against its source; the default news glossary still renders names ("Corée du Nord" ->
"North Korea"), as it would with a real model.
"""

from __future__ import annotations

import contextlib
import fcntl
import io
import json
import random
import shutil
import threading
import time
from pathlib import Path

import pytest

from translator.batch import BatchJob, JobBusy, LedgerMismatch
from translator.batch.ledger import Ledger
from translator.batch.outputs import text_path
from translator.batch.progress import LogProgress, Progress
from translator.engines.apertium import ApertiumEngine
from translator.engines.base import Engine
from translator.errors import EngineError, UnsupportedPair
from translator.pipeline import Pipeline
from translator.settings import Settings

DATELINE = "HANOÏ (SGGP) – Le ministère a publié un communiqué ce matin."
BYLINE = "Par Minh Anh, correspondant à Hanoï."


def article(n: int) -> str:
    """A French article: a shared dateline and byline around sentences of its own."""
    return (f"{DATELINE} Le port numéro {n} a reçu {n * 3} navires cette semaine.\n\n"
            f"Les autorités de la province {n} ont annoncé de nouvelles mesures. "
            f"La Corée du Nord a salué la décision numéro {n}.\n\n{BYLINE}\n")


@pytest.fixture(scope="module")
def settings(tmp_path_factory, argos_fr_en):
    root = tmp_path_factory.mktemp("batch")
    models = root / "models"
    shutil.copytree(argos_fr_en, models / "translate-fr_en")
    # Small chunks: several commits even for a few articles.
    return Settings(models_dir=models, argos_packages_dir=root / "argos", apertium=False,
                    batch_chunk_chars=1_500)


@pytest.fixture(scope="module")
def pipeline(settings):
    pipeline = Pipeline.from_settings(settings)
    yield pipeline
    pipeline.close()


def write_articles(folder: Path, count: int, start: int = 0) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(start, start + count):
        (folder / f"a{n:03d}.txt").write_text(article(n), encoding="utf-8")
    return folder


def records(out: Path, name: str = "translations.jsonl") -> list[dict]:
    return [json.loads(line) for line in (out / name).read_text(encoding="utf-8").splitlines()]


class StopAfter(Progress):
    """Sets the run's stop event after ``chunks`` commits: an interruption at a known point."""

    def __init__(self, stop: threading.Event, chunks: int):
        self.stop, self.left = stop, chunks

    def advance(self, *, done, failed, sentences):
        self.left -= 1
        if self.left <= 0:
            self.stop.set()


class Counting(Engine):
    """Wraps a real engine and records every sentence it is asked to translate."""

    def __init__(self, inner: Engine):
        self.inner, self.kind, self.cost = inner, inner.kind, inner.cost
        self.seen: list[str] = []
        self.calls: list[tuple] = []  # (source, target, sentences) of every batch, in order

    @property
    def name(self):
        return self.inner.name

    def pairs(self):
        return self.inner.pairs()

    def describe(self):
        return self.inner.describe()

    def translate(self, sentences, source, target):
        self.seen += sentences
        self.calls.append((source, target, tuple(sentences)))
        return self.inner.translate(sentences, source, target)

    def close(self):
        self.inner.close()  # the pipeline closes what it holds: the real engine's processes


class Failing(Counting):
    """A real engine that fails on any batch holding a sentence with the word PANNE."""

    def translate(self, sentences, source, target):
        if any("PANNE" in s for s in sentences):
            raise EngineError("the engine crashed on this batch")
        return super().translate(sentences, source, target)


def test_a_folder_becomes_one_record_per_article_in_input_order(tmp_path, pipeline):
    inputs = write_articles(tmp_path / "in", 12)
    summary = BatchJob(tmp_path / "out", pipeline, target="en").run([str(inputs)])
    assert summary.complete and summary.counts.done == 12 and summary.counts.failed == 0
    lines = records(tmp_path / "out")
    assert [r["id"] for r in lines] == [str(inputs / f"a{n:03d}.txt") for n in range(12)]
    first = lines[0]
    assert first["source_lang"] == "fr" and first["target_lang"] == "en"
    assert first["source_text"] == article(0)
    # The copy model keeps the sentence; the glossary renders the name.
    assert "North Korea" in first["target_text"] and "Corée du Nord" not in first["target_text"]
    for seg in first["segments"]:
        assert first["source_text"][slice(*seg["source_span"])] == seg["source"]
        assert first["target_text"][slice(*seg["target_span"])] == seg["target"]
    assert "timings" not in first  # they change from run to run; the output must not
    assert summary.counts.sentences == sum(len(r["segments"]) for r in lines)
    written = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert written["complete"] and written["articles"]["done"] == 12
    assert not (tmp_path / "out" / "failures.jsonl").exists()
    folder_mode = (tmp_path / "out").stat().st_mode & 0o777
    for name in ("translations.jsonl", "summary.json"):  # not private like a temporary file
        assert (tmp_path / "out" / name).stat().st_mode & 0o777 == folder_mode & 0o666


def test_an_interrupted_job_resumes_to_the_same_bytes(tmp_path, pipeline):
    inputs = write_articles(tmp_path / "in", 20)
    BatchJob(tmp_path / "full", pipeline, target="en").run([str(inputs)])
    expected = (tmp_path / "full" / "translations.jsonl").read_bytes()

    stop = threading.Event()
    first = BatchJob(tmp_path / "out", pipeline, target="en").run(
        [str(inputs)], progress=StopAfter(stop, 2), stop=stop)
    assert first.interrupted and not first.complete
    assert 0 < first.counts.done < 20
    assert not (tmp_path / "out" / "translations.jsonl").exists()  # no output that looks complete

    second = BatchJob(tmp_path / "out", pipeline, target="en").run([str(inputs)])
    assert second.complete
    assert second.articles_this_run == 20 - first.counts.done  # finished ones are not redone
    assert (tmp_path / "out" / "translations.jsonl").read_bytes() == expected


def mixed_articles(folder: Path, count: int) -> Path:
    """Articles of real sentences (the sample, the news set, headlines without a full stop),
    drawn at random: each sentence meets other neighbours in every article and chunk."""
    from test_isolation import HEADLINE, POOL

    rng = random.Random(5)
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        paragraphs = [" ".join(rng.sample(POOL, rng.randint(1, 4))) for _ in range(rng.randint(1, 3))]
        if n % 3 == 0:
            paragraphs.insert(0, HEADLINE)
        (folder / f"m{n:03d}.txt").write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
    return folder


def engine_settings(engine: str, root: Path, argos_random: Path) -> Settings:
    """Small chunks on Apertium, or on the random-weights CTranslate2 model (whose scores
    move with its batch's padding: only chunks cut by position, and batched alike wherever
    they run, keep a job's bytes)."""
    if engine == "apertium":
        if not ApertiumEngine.available():
            pytest.skip("apertium not installed")
        return Settings(models_dir=root / "none", argos_packages_dir=root / "argos",
                        batch_chunk_chars=1_200)
    shutil.copytree(argos_random, root / "models" / "translate-fr_en")
    return Settings(models_dir=root / "models", argos_packages_dir=root / "argos", apertium=False,
                    batch_chunk_chars=1_200, decode_options='{"max_decoding_length": 10}')


@pytest.fixture(scope="module", params=["ctranslate2-random", "apertium"])
def any_engine_settings(request, tmp_path_factory, argos_random):
    return engine_settings(request.param, tmp_path_factory.mktemp("resume"), argos_random)


@pytest.fixture(scope="module")
def uninterrupted(any_engine_settings, tmp_path_factory):
    """Per engine: the mixed articles, the engines, and what the uninterrupted job wrote
    and sent the engine: the same for every stop point, so run once.

    The engines (a loaded model, warm Apertium pipelines) are shared by every run; each
    run still has a pipeline of its own (``Pipeline.from_settings``), so nothing a run
    keeps in memory reaches the next one but what the ledger holds. What an engine
    gives a sentence does not depend on what it translated before (test_isolation.py)."""
    from translator.pipeline import load_engines

    root = tmp_path_factory.mktemp("resume-full")
    inputs = mixed_articles(root / "in", 30)
    shared = {engine.name: engine for engine in load_engines(any_engine_settings)}

    def pipeline_counting():
        engines: list[Counting] = []

        def wrap(engine: Engine) -> Counting:
            engine.close()  # a new run's engine, never used: the shared one stands in for it
            engines.append(Counting(shared[engine.name]))
            return engines[-1]

        return Pipeline.from_settings(any_engine_settings, wrap=wrap), engines

    full, full_engines = pipeline_counting()
    BatchJob(root / "full", full, target="en", source="fr").run([str(inputs)])
    try:
        yield (inputs, pipeline_counting, (root / "full" / "translations.jsonl").read_bytes(),
               [call for e in full_engines for call in e.calls])
    finally:
        for engine in shared.values():  # the runs' pipelines hold nothing else to close
            engine.close()


@pytest.mark.parametrize("stop_after", [1, 2, 5])
def test_a_job_stopped_anywhere_resumes_to_the_same_engine_batches_and_bytes(
        tmp_path, uninterrupted, stop_after):
    inputs, pipeline_counting, expected, expected_calls = uninterrupted

    stop = threading.Event()
    first, _ = pipeline_counting()
    run = BatchJob(tmp_path / "out", first, target="en", source="fr").run(
        [str(inputs)], progress=StopAfter(stop, stop_after), stop=stop)
    assert run.interrupted and 0 < run.counts.done < 30
    resumed, resumed_engines = pipeline_counting()
    BatchJob(tmp_path / "out", resumed, target="en", source="fr").run([str(inputs)])
    calls = [call for e in resumed_engines for call in e.calls]
    # The resumed run sends the engine exactly the batches the uninterrupted run sent for
    # the same chunks: its last ones.
    assert calls and calls == expected_calls[len(expected_calls) - len(calls):]
    assert (tmp_path / "out" / "translations.jsonl").read_bytes() == expected


def test_a_stopped_job_leaves_no_apertium_process_once_its_pipeline_is_closed(tmp_path,
                                                                            monkeypatch):
    """Stopped (Ctrl-C; a service job stopped or deleted), a run returns while its engine
    thread is still in a chunk, and the caller closes its pipeline at once (the CLI does).
    The chunk in flight is cancelled and the chunks waiting are dropped: no Apertium process
    is left running in the closed engines (the chunk went on, starting new ones)."""
    from translator.engines import apertium

    if not ApertiumEngine.available():
        pytest.skip("apertium not installed")
    started, batches, stop, closed = [], [], threading.Event(), threading.Event()

    class Held(apertium._Pipeline):
        """A real pipeline; the job is stopped while the second batch is in the engine,
        which goes on only once the job's pipeline is closed."""

        def __init__(self, *args):
            super().__init__(*args)
            started.append(self)

        def translate(self, units, cancelled=None):
            batches.append(len(units))
            if len(batches) == 2:
                stop.set()
                closed.wait(10)
            return super().translate(units, cancelled)

    monkeypatch.setattr(apertium, "_Pipeline", Held)
    inputs = write_articles(tmp_path / "in", 12)
    pipeline = Pipeline.from_settings(Settings(models_dir=tmp_path / "models",
                                               argos_packages_dir=tmp_path / "argos",
                                               batch_chunk_chars=1_500))
    run = BatchJob(tmp_path / "out", pipeline, target="en", source="fr").run([str(inputs)],
                                                                             stop=stop)
    pipeline.close()
    closed.set()
    for thread in threading.enumerate():
        if thread.name == "batch-engine":
            thread.join(10)
    assert run.interrupted and len(batches) >= 2
    assert [p.proc.poll() is None for p in started] == [False] * len(started)


def test_running_again_translates_nothing_and_rewrites_the_same_output(tmp_path, pipeline):
    inputs = write_articles(tmp_path / "in", 5)
    job = BatchJob(tmp_path / "out", pipeline, target="en")
    job.run([str(inputs)])
    before = (tmp_path / "out" / "translations.jsonl").read_bytes()
    again = job.run([str(inputs)])
    assert again.articles_this_run == 0 and again.counts.done == 5
    assert (tmp_path / "out" / "translations.jsonl").read_bytes() == before


def test_repeated_sentences_go_to_the_engine_once_per_job(tmp_path, settings):
    engines: list[Counting] = []
    pipeline = Pipeline.from_settings(settings, wrap=lambda e: engines.append(Counting(e)) or engines[-1])
    inputs = write_articles(tmp_path / "in", 10)
    BatchJob(tmp_path / "out", pipeline, target="en").run([str(inputs)])
    seen = engines[0].seen
    # Once per job: a chunk leaves to the chunk before it what that one translates.
    assert seen.count(BYLINE) == 1
    assert sum(s.startswith("HANOÏ (SGGP)") for s in seen) == 1
    lines = records(tmp_path / "out")
    assert sum(len(line["segments"]) for line in lines) == 50
    assert len({json.dumps(line["segments"][0]) for line in lines}) == 1  # identical each time

    # New articles in the same job: the byline and dateline come from the ledger.
    engines[0].seen.clear()
    write_articles(inputs, 5, start=10)
    BatchJob(tmp_path / "out", pipeline, target="en").run([str(inputs)])
    assert BYLINE not in engines[0].seen
    assert not any(s.startswith("HANOÏ (SGGP)") for s in engines[0].seen)
    # Three sentences of its own per article, and the protected pass of the one with a name.
    assert len(engines[0].seen) == 5 * 3 + 5


def test_failures_are_recorded_and_the_job_goes_on(tmp_path, settings):
    pipeline = Pipeline.from_settings(settings, wrap=Failing)
    inputs = write_articles(tmp_path / "in", 6)
    (inputs / "b-latin1.txt").write_bytes("Le café est fermé.".encode("latin-1"))
    (inputs / "b-empty.txt").write_text("  \n", encoding="utf-8")
    (inputs / "b-crash.txt").write_text("La PANNE du réseau a duré une heure.", encoding="utf-8")
    (inputs / "b-german.txt").write_text(
        "Die Bundesregierung hat heute in Berlin neue Maßnahmen für die Wirtschaft angekündigt, "
        "nachdem die Zahlen des Statistischen Bundesamtes veröffentlicht wurden.", encoding="utf-8")
    summary = BatchJob(tmp_path / "out", pipeline, target="en").run([str(inputs)])
    assert summary.complete and summary.counts.done == 6 and summary.counts.failed == 4
    failures = {Path(json.loads(line)["id"]).name: json.loads(line)["error"]
                for line in (tmp_path / "out" / "failures.jsonl").read_text().splitlines()}
    assert failures["b-latin1.txt"]["code"] == "invalid_encoding"
    assert failures["b-empty.txt"]["code"] == "empty_input"
    assert failures["b-crash.txt"] == {"code": "engine_error",
                                       "message": "the engine crashed on this batch"}
    assert failures["b-german.txt"]["code"] in ("unsupported_pair", "undetectable_language")
    assert len(records(tmp_path / "out")) == 6

    # A plain re-run keeps the failures; --retry-failed tries them again.
    fixed = Pipeline.from_settings(settings)
    (inputs / "b-latin1.txt").write_text("Le café est fermé.", encoding="utf-8")
    again = BatchJob(tmp_path / "out", fixed, target="en").run([str(inputs)])
    assert again.counts.failed == 3  # the fixed file is new text: translated; the crash is kept
    retried = BatchJob(tmp_path / "out", fixed, target="en").run([str(inputs)], retry_failed=True)
    assert retried.counts.failed == 2 and retried.counts.done == 8
    assert [Path(r["id"]).name for r in records(tmp_path / "out")][:2] == ["a000.txt", "a001.txt"]


def test_edited_and_removed_articles_follow_the_inputs(tmp_path, pipeline):
    inputs = write_articles(tmp_path / "in", 4)
    job = BatchJob(tmp_path / "out", pipeline, target="en")
    job.run([str(inputs)])
    (inputs / "a001.txt").write_text("Un texte tout à fait nouveau pour cet article.", encoding="utf-8")
    (inputs / "a003.txt").unlink()
    summary = job.run([str(inputs)])
    assert summary.articles_this_run == 1
    lines = records(tmp_path / "out")
    assert [Path(r["id"]).name for r in lines] == ["a000.txt", "a001.txt", "a002.txt"]
    assert lines[1]["source_text"].startswith("Un texte tout à fait nouveau")


def test_a_folder_holding_another_job_is_refused_unless_restarted(tmp_path, pipeline):
    inputs = write_articles(tmp_path / "in", 2)
    BatchJob(tmp_path / "out", pipeline, target="en").run([str(inputs)])
    with pytest.raises(LedgerMismatch, match="--restart"):
        BatchJob(tmp_path / "out", pipeline, target="en", source="fr").run([str(inputs)])
    summary = BatchJob(tmp_path / "out", pipeline, target="en", source="fr").run(
        [str(inputs)], restart=True)
    assert summary.articles_this_run == 2


def test_a_job_folder_is_run_by_one_process_at_a_time(tmp_path, pipeline):
    inputs = write_articles(tmp_path / "in", 1)
    out = tmp_path / "out"
    out.mkdir()
    with open(out / "ledger.sqlite.lock", "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(JobBusy, match="another batch is running"):
            BatchJob(out, pipeline, target="en").run([str(inputs)])


def test_tmx_output_holds_every_segment_with_its_article(tmp_path, pipeline):
    from lxml import etree

    inputs = write_articles(tmp_path / "in", 3)
    BatchJob(tmp_path / "out", pipeline, target="en", fmt="tmx").run([str(inputs)])
    tree = etree.parse(str(tmp_path / "out" / "translations.tmx"))
    units = tree.findall(".//tu")
    assert tree.find("header").get("srclang") == "*all*"
    documents = [u.find("prop[@type='x-document']").text for u in units]
    assert documents == sorted(documents) and len(set(documents)) == 3
    ledger = Ledger.in_folder(tmp_path / "out")
    assert len(units) == ledger.counts().sentences
    ledger.close()
    lang = "{http://www.w3.org/XML/1998/namespace}lang"
    assert [tuv.get(lang) for tuv in units[0].findall("tuv")] == ["fr", "en"]


def test_txt_output_is_one_file_per_article(tmp_path, pipeline):
    inputs = write_articles(tmp_path / "in", 2)
    BatchJob(tmp_path / "out", pipeline, target="en", fmt="txt").run([str(inputs)])
    files = sorted(p.relative_to(tmp_path / "out" / "txt").as_posix()
                   for p in (tmp_path / "out" / "txt").rglob("*.txt"))
    assert [f.rsplit("/", 1)[-1] for f in files] == ["a000.en.txt", "a001.en.txt"]
    out_mode = (tmp_path / "out").stat().st_mode & 0o777
    assert (tmp_path / "out" / "txt").stat().st_mode & 0o777 == out_mode
    assert "North Korea" in (tmp_path / "out" / "txt" / files[0]).read_text(encoding="utf-8")


def test_text_paths_never_leave_the_output_folder():
    used: set[str] = set()
    assert text_path("news.zip:2024/a.txt", "en", used) == "news.zip/2024/a.en.txt"
    assert text_path("/abs/../../etc/passwd", "en", used) == "abs/etc/passwd.en.txt"
    assert text_path("feed.jsonl#42", "en", used) == "feed.jsonl/42.en.txt"
    assert text_path("news.zip:2024/A.txt", "en", used) == "news.zip/2024/2~A.en.txt"
    assert text_path("..", "en", used) == "article.en.txt"


def test_log_progress_prints_rates_and_eta(tmp_path, pipeline, capsys):
    import io

    stream = io.StringIO()
    inputs = write_articles(tmp_path / "in", 4)
    BatchJob(tmp_path / "out", pipeline, target="en").run(
        [str(inputs)], progress=LogProgress(stream, every=0))
    lines = stream.getvalue().splitlines()
    assert lines[0] == "batch: reading inputs"
    assert lines[1] == "batch: 4 articles, 0 already translated, 0 failed, 4 to translate"
    assert lines[-1].startswith("batch: 4/4 articles (100%)")
    assert "sentences/s" in lines[-1] and "ETA" in lines[-1]


def test_an_output_that_cannot_be_written_is_a_clear_error_and_nothing_is_lost(tmp_path, pipeline):
    from translator.batch.outputs import OutputError

    inputs = write_articles(tmp_path / "in", 3)
    (tmp_path / "out" / "translations.jsonl").mkdir(parents=True)  # in the way, even for root
    with pytest.raises(OutputError, match="cannot write the outputs in .*run the same command"):
        BatchJob(tmp_path / "out", pipeline, target="en").run([str(inputs)])
    assert not list((tmp_path / "out").glob(".*.tmp"))
    (tmp_path / "out" / "translations.jsonl").rmdir()
    again = BatchJob(tmp_path / "out", pipeline, target="en").run([str(inputs)])
    assert again.articles_this_run == 0 and again.complete  # written from the ledger
    assert len(records(tmp_path / "out")) == 3


def test_a_job_waits_at_its_pause_before_each_chunk(tmp_path, pipeline):
    inputs = write_articles(tmp_path / "in", 8)
    gate, paused = threading.Event(), threading.Event()
    calls: list[int] = []

    def pause():
        calls.append(1)
        paused.set()
        assert gate.wait(10)  # the service holds jobs here while requests run

    job = BatchJob(tmp_path / "out", pipeline, target="en", pause=pause)
    ran = threading.Thread(target=lambda: calls.append(job.run([str(inputs)]).counts.done))
    ran.start()
    assert paused.wait(10)
    time.sleep(0.2)  # time enough for a job that did not wait to commit its first chunk
    ledger = Ledger.in_folder(tmp_path / "out")
    assert ledger.counts().done == 0  # held before its first chunk
    ledger.close()
    gate.set()
    ran.join(30)
    assert calls[-1] == 8 and len(calls) - 1 >= 2  # one pause per chunk (1,500 characters each)


# -- the job's quality: confidence and words left untranslated ----------------------------

def test_job_quality_streams_records_and_keeps_only_the_worst_articles():
    from translator.batch.quality import JobQuality

    tally = JobQuality(top=2, review_first=3)
    for n in range(2000):
        confidence = 1.0 if n % 2 else round(0.5 + (n % 7) / 20, 3)
        words = [{"word": "fermement", "language": "fr"}] * (n % 3) + \
                [{"word": "oponían", "language": "es"}] * (n % 2) + [{"word": f"w{n}", "language": "fr"}]
        tally.add(f"a{n}", {"segments": [{"source": "x" * 10, "confidence": confidence,
                                          "untranslated": words},
                                         {"source": "y" * 30, "confidence": 1.0, "untranslated": []}]})
    data = tally.to_dict()
    assert data["segments"] == 4000 and data["min_confidence"] == 0.5
    assert data["untranslated"] == sum(n % 3 + n % 2 + 1 for n in range(2000))
    assert data["top_untranslated"] == [
        {"word": "fermement", "language": "fr", "count": sum(n % 3 for n in range(2000))},
        {"word": "oponían", "language": "es", "count": 1000}]
    # The three least trusted articles (0.5 weighed with a 1.0 segment three times as long),
    # the earliest first among equals; never more than asked, whatever the job's size.
    assert data["review_first"] == [{"id": "a0", "confidence": 0.875},
                                    {"id": "a14", "confidence": 0.875},
                                    {"id": "a28", "confidence": 0.875}]
    assert len(tally._worst) == 3
    # Records written before segments were rated: nothing to say, nothing invented.
    old = JobQuality()
    old.add("a", {"segments": [{"source": "Le chat.", "target": "The cat."}]})
    assert old.to_dict()["confidence"] is None and old.lines() == []


@pytest.fixture(scope="module")
def apertium_pipeline(tmp_path_factory):
    from translator.engines.apertium import ApertiumEngine

    if not ApertiumEngine.available():
        pytest.skip("apertium not installed")
    root = tmp_path_factory.mktemp("batch-apertium")
    pipeline = Pipeline.from_settings(Settings(models_dir=root / "models",
                                               argos_packages_dir=root / "argos"))
    yield pipeline
    pipeline.close()


def test_summary_counts_what_apertium_left_untranslated_from_the_committed_records(
        tmp_path, apertium_pipeline):
    from collections import Counter

    from lxml import etree

    from translator.batch.outputs import write_outputs

    sample = (Path(__file__).resolve().parent.parent / "examples" / "sggp-putin-dprk.fr.txt")
    paragraphs = [p for p in sample.read_text(encoding="utf-8").splitlines() if len(p) > 80]
    inputs = tmp_path / "in"
    inputs.mkdir()
    for n, paragraph in enumerate(paragraphs + paragraphs[:3]):  # some words left twice
        (inputs / f"p{n:02d}.txt").write_text(paragraph, encoding="utf-8")
    summary = BatchJob(tmp_path / "out", apertium_pipeline, target="en", source="fr").run(
        [str(inputs)])
    lines = records(tmp_path / "out")
    left = Counter((e["word"], e["language"]) for r in lines for s in r["segments"]
                   for e in s["untranslated"])
    # the source's and the pivot's words; English ones only as generation errors ("give")
    assert {"fr", "es"} <= {language for _, language in left} <= {"fr", "es", "en"}
    rated = [(s["confidence"], max(1, len(s["source"]))) for r in lines for s in r["segments"]]

    written = json.loads((tmp_path / "out" / "summary.json").read_text())["quality"]
    assert written == summary.quality.to_dict()
    assert written["untranslated"] == sum(left.values())
    assert written["segments"] == len(rated) == summary.counts.sentences
    assert written["confidence"] == round(sum(c * w for c, w in rated) / sum(w for _, w in rated), 3)
    assert written["min_confidence"] == min(c for c, _ in rated)
    expected = sorted(left.items(), key=lambda item: (-item[1], item[0]))[:20]
    assert [(w["word"], w["language"], w["count"]) for w in written["top_untranslated"]] == \
        [(word, language, n) for (word, language), n in expected]
    assert written["top_untranslated"][0]["count"] >= 2
    worst = [r["quality"]["confidence"] for r in lines if r["quality"]["confidence"] < 1]
    assert [a["confidence"] for a in written["review_first"]] == sorted(worst)[:10]

    end = summary.lines()
    assert any(line.startswith(f"confidence {written['confidence']:.2f} (mean over "
                               f"{len(rated)} segments), lowest") for line in end)
    top = written["top_untranslated"][0]
    assert any(line.startswith(f"most frequent untranslated: {top['word']} ({top['language']}) "
                               f"{top['count']}, ") for line in end)

    # The batch TMX, rendered from the same ledger, carries them per unit.
    ledger = Ledger.in_folder(tmp_path / "out")
    try:
        write_outputs(ledger, tmp_path / "out", "tmx", created="2026-01-01T00:00:00Z")
    finally:
        ledger.close()
    tmx = etree.parse(str(tmp_path / "out" / "translations.tmx"))
    props = Counter((p["word"], p["language"]) for p in
                    (json.loads(e.text) for e in tmx.iterfind(".//prop[@type='x-untranslated']")))
    assert props == left
    assert len(tmx.findall(".//prop[@type='x-confidence']")) == len(rated)


class CommitRecorder(Progress):
    """Each advance's articles and sentences, and how many articles the ledger of ``out``
    held as committed at that moment (read through its own connection)."""

    def __init__(self, out: Path):
        self.ledger, self.calls = out / "ledger.sqlite", []

    def advance(self, *, done: int, failed: int, sentences: int) -> None:
        import sqlite3

        with contextlib.closing(sqlite3.connect(f"file:{self.ledger}?mode=ro", uri=True)) as db:
            (committed,), = db.execute("SELECT count(*) FROM articles WHERE state != 'pending'")
        self.calls.append((done + failed, sentences, committed))


def test_progress_moves_from_the_first_article(tmp_path, pipeline):
    """Chunks ramp up (1, 2, 4... articles): a small job's bar moves at once, not at its
    end, one article at a time as each chunk's articles are committed."""
    inputs = write_articles(tmp_path / "in", 9)
    recorder = CommitRecorder(tmp_path / "out")
    BatchJob(tmp_path / "out", pipeline, target="en").run([str(inputs)], progress=recorder)
    assert [articles for articles, _, _ in recorder.calls] == [1] * 9
    assert [committed for _, _, committed in recorder.calls] == [1, 3, 3, 7, 7, 7, 7, 9, 9]


def test_a_target_no_route_reaches_is_refused_before_any_article_is_read(tmp_path, pipeline):
    with pytest.raises(UnsupportedPair, match=r"nothing can be translated into German \(de\): "
                                              r"no installed engine or route leads to it; "
                                              r"targets: en"):
        BatchJob(tmp_path / "out", pipeline, target="de")
    assert not (tmp_path / "out").exists()


# --------------------------------------------------------------------------- documents


@pytest.fixture(scope="module")
def counting_apertium(tmp_path_factory):
    """Apertium alone (fr->es->en), every engine batch recorded."""
    if not ApertiumEngine.available():
        pytest.skip("apertium not installed")
    root = tmp_path_factory.mktemp("batch-documents")
    engines: list[Counting] = []

    def wrap(engine: Engine) -> Counting:
        engines.append(Counting(engine))
        return engines[-1]

    pipeline = Pipeline.from_settings(Settings(models_dir=root / "models",
                                               argos_packages_dir=root / "argos"), wrap=wrap)
    yield pipeline, engines
    pipeline.close()


def engine_calls(engines: list[Counting]) -> list[tuple]:
    return [call for engine in engines for call in engine.calls]


PAGE = ('<!DOCTYPE html><html><head><title>Le chat</title></head><body>'
        '<h1 class="t">Le chat noir</h1><p>Le <b>chat</b> noir dort.</p>'
        '<table><tr><td>Le chien</td><td>La maison</td></tr></table></body></html>')


def write_documents(folder: Path) -> Path:
    """The test documents of tests/test_documents.py (headings, a list, a table, bold and
    italic runs, a link), a page, a note, a name the glossary renders, and a broken .docx."""
    from docx import Document
    from test_documents import write_docx, write_odt

    folder.mkdir(parents=True)
    write_docx(folder / "a.docx")
    write_odt(folder / "b.odt")
    (folder / "c.html").write_text(PAGE, encoding="utf-8")
    named = Document()
    named.add_paragraph("La Corée du Nord a salué la décision.")
    named.save(folder / "d.docx")
    (folder / "e.txt").write_text("Le chat noir dort.\n\nLe chien dort.\n", encoding="utf-8")
    (folder / "f.docx").write_bytes(b"PK\x03\x04 not a zip at all")
    return folder


def documents_of(out: Path) -> dict[str, bytes]:
    folder = out / "documents"
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def test_documents_come_back_in_their_own_format_with_the_jobs_translations(
        tmp_path, counting_apertium):
    """A batch over .docx/.odt/.html writes each back in its own format (structure and
    marks read back with python-docx and odfpy), from the same translations as the aligned
    results (no sentence reaches the engine twice), glossary applied; a broken .docx fails
    alone; a .txt is not written again (its translation is --format txt)."""
    import zipfile

    from docx import Document
    from test_documents import EXPECTED_DOCX, EXPECTED_ODT, read_docx, read_odt

    from translator.documents import PACKAGE_TIME

    pipeline, engines = counting_apertium
    inputs = write_documents(tmp_path / "in")
    before = len(engine_calls(engines))
    summary = BatchJob(tmp_path / "out", pipeline, target="en", source="fr",
                       documents=True).run([str(inputs)])
    assert summary.complete and summary.counts.done == 5 and summary.documents == 4
    written = documents_of(tmp_path / "out")
    prefix = text_path(str(inputs / "a.docx"), "en", set()).rsplit("/", 1)[0]
    assert sorted(written) == [f"{prefix}/{name}" for name in
                               ("a.en.docx", "b.en.odt", "c.en.html", "d.en.docx")]
    assert read_docx(written[f"{prefix}/a.en.docx"]) == EXPECTED_DOCX
    assert read_odt(written[f"{prefix}/b.en.odt"]) == EXPECTED_ODT
    assert written[f"{prefix}/c.en.html"].decode() == (
        '<!DOCTYPE html><html><head><title>Le chat</title></head><body>'
        '<h1 class="t">The black cat</h1><p>The black <b>cat</b> sleeps.</p>'
        '<table><tr><td>The dog</td><td>The house</td></tr></table></body></html>')
    named = Document(io.BytesIO(written[f"{prefix}/d.en.docx"])).paragraphs[0].text
    lines = {Path(r["id"]).name: r for r in records(tmp_path / "out")}
    assert "North Korea" in named and named == lines["d.docx"]["target_text"]
    for name in ("a.en.docx", "d.en.docx"):  # the same bytes whenever it is written
        with zipfile.ZipFile(io.BytesIO(written[f"{prefix}/{name}"])) as package:
            assert {info.date_time for info in package.infolist()} == {PACKAGE_TIME}
    failures = [json.loads(line) for line in
                (tmp_path / "out" / "failures.jsonl").read_text().splitlines()]
    assert [(Path(f["id"]).name, f["error"]["code"]) for f in failures] == [("f.docx", "bad_document")]
    # Only what the aligned results do not hold went to the engine again: the pieces that
    # place the marks and the page's table cells (one paragraph of the article, two blocks).
    sent = [(s, t, sentence) for s, t, batch in engine_calls(engines)[before:] for sentence in batch]
    assert len(sent) == len(set(sent))
    assert ("fr", "es", "Le chien") in sent and ("fr", "es", "Le chien La maison") in sent


def test_an_interrupted_job_writes_the_same_documents(tmp_path, counting_apertium):
    """Stopped after its first chunk and resumed, a job writes byte-identical documents;
    run again once done, it writes them again from the ledger alone (no engine call)."""
    pipeline, engines = counting_apertium
    inputs = write_documents(tmp_path / "in")
    BatchJob(tmp_path / "full", pipeline, target="en", source="fr",
             documents=True).run([str(inputs)])
    expected = documents_of(tmp_path / "full")
    stop = threading.Event()
    run = BatchJob(tmp_path / "out", pipeline, target="en", source="fr", documents=True).run(
        [str(inputs)], progress=StopAfter(stop, 1), stop=stop)
    assert run.interrupted and not (tmp_path / "out" / "documents").exists()
    BatchJob(tmp_path / "out", pipeline, target="en", source="fr",
             documents=True).run([str(inputs)])
    assert documents_of(tmp_path / "out") == expected and len(expected) == 4
    before = len(engine_calls(engines))
    again = BatchJob(tmp_path / "full", pipeline, target="en", source="fr",
                     documents=True).run([str(inputs)])
    assert again.documents == 4 and engine_calls(engines)[before:] == []
    assert documents_of(tmp_path / "full") == expected


class EditAtTheEnd(Progress):
    """Rewrites ``path`` once every article of the job is committed: after the job translated
    it, before its document is written back (documents are rendered once the job is done)."""

    def __init__(self, path: Path, articles: int):
        self.path, self.left = path, articles

    def advance(self, *, done, failed, sentences):
        self.left -= done + failed
        if self.left <= 0:
            from docx import Document

            edited = Document()
            edited.add_paragraph("Un tout autre texte.")
            edited.save(self.path)


def test_a_document_changed_before_it_is_written_back_fails_alone(tmp_path, counting_apertium):
    """The document read again to be written back is not the one the job translated: it is
    listed in failures.jsonl as a document output (document_changed), never written from
    the other text's translation; the other documents are written and the job says so."""
    pipeline, _ = counting_apertium
    inputs = write_documents(tmp_path / "in")
    articles = 6  # a, b, c, d, e translated; the broken f.docx fails at the scan
    run = BatchJob(tmp_path / "out", pipeline, target="en", source="fr", documents=True).run(
        [str(inputs)], progress=EditAtTheEnd(inputs / "d.docx", articles - 1))
    assert run.documents == 3 and run.document_failures == 1
    written = documents_of(tmp_path / "out")
    assert not any(name.endswith("d.en.docx") for name in written) and len(written) == 3
    failures = [json.loads(line) for line in
                (tmp_path / "out" / "failures.jsonl").read_text().splitlines()]
    changed = [f for f in failures if f.get("output") == "document"]
    assert [(Path(f["id"]).name, f["error"]["code"]) for f in changed] == [
        ("d.docx", "document_changed")]


def test_batch_cli_writes_documents_unless_told_not_to(tmp_path, warm_apertium):
    import zipfile

    from cli_runner import run_cli
    from test_documents import EXPECTED_DOCX, read_docx, write_docx

    if not ApertiumEngine.available():
        pytest.skip("apertium not installed")
    (tmp_path / "in").mkdir()
    write_docx(tmp_path / "in" / "a.docx")
    with zipfile.ZipFile(tmp_path / "in" / "news.zip", "w") as archive:  # members too
        archive.write(tmp_path / "in" / "a.docx", "2024/b.docx")
    common = ("--to", "en", "--from", "fr", "--progress", "none",
              "--models-dir", tmp_path / "models")
    done = run_cli("batch", "in", "--out", "out", *common, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out" / "documents" / "in" / "a.en.docx").is_file()
    member = tmp_path / "out" / "documents" / "in" / "news.zip" / "2024" / "b.en.docx"
    assert read_docx(member.read_bytes()) == EXPECTED_DOCX
    assert b"2 documents written back in their own format" in done.stdout
    plain = run_cli("batch", "in", "--out", "plain", "--no-documents", *common, cwd=tmp_path)
    assert plain.returncode == 0, plain.stderr
    assert not (tmp_path / "plain" / "documents").exists()
    assert (tmp_path / "plain" / "translations.jsonl").is_file()
