"""Running a batch job: scan the inputs into the ledger, translate pending articles in
chunks, write the outputs once every article is done or failed.

A reader thread reads and prepares (detects, segments) the pending articles chunk by
chunk. The driver plans each chunk: the distinct sentences that neither the ledger nor an
earlier chunk of this run has, per language (a dateline, a byline reaches the engine
once per job). An executor does that engine work: a thread of this process
(:class:`~.work.LocalExecutor`) or actors on a Ray cluster (:mod:`.cluster`). The
driver assembles each chunk's articles from their sentences' translations and commits
them, whole, in chunk order, so an interrupted job resumes where it stopped.

The output is the same bytes however the job runs, even on an engine whose output
shifts with its batch (CTranslate2 pads a batch to its longest sentence, which moves
scores in the last digits): chunks are cut by position among all the job's articles
(the ledger's ``chunk``), a chunk's engine batches are its planned sentences, which
depend only on the chunks before it, and every executor sends them to the engines as
they are, with the driver's batch layout (``Settings.split``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import queue
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Sequence

from .. import languages
from ..errors import InputError, TranslatorError, UnsupportedPair
from ..fsutil import Busy, locked
from ..pipeline import (AUTO, DEFAULT, Pipeline, PreparedDocument, SentenceTranslation,
                        models_signature)
from .inputs import Article, iter_articles, iter_documents
from .ledger import LEDGER_NAME, Chunker, Counts, Ledger
from .outputs import FORMATS, SUMMARY_NAME, write_atomically, write_outputs
from .progress import NullProgress, Progress
from .quality import JobQuality
from .work import Failure, LocalExecutor, SentenceFailed, Todo, Work

#: A chunk also closes at this many articles (its size in characters is the setting
#: ``batch_chunk_chars``: big enough for the engine's length-sorted batches, small
#: enough that an interrupted run loses little).
CHUNK_ARTICLES = 200
#: The first chunk's articles; each next chunk may hold twice as many, up to the size
#: above: a job shows progress (and its first results) within seconds.
FIRST_CHUNK_ARTICLES = 1


class JobBusy(InputError):
    """Another process is running the job in this output folder."""

    code = "job_busy"
    http_status = 409


class InternalError(TranslatorError):
    """An unexpected failure on one article, recorded so the rest of the job goes on."""

    code = "internal_error"


@dataclass
class Summary:
    """What a run did: the job's counts, this run's work and speed, the outputs written,
    and once the job is complete its quality (confidence, words left untranslated)."""

    counts: Counts
    seconds: float
    articles_this_run: int
    sentences_this_run: int
    outputs: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    interrupted: bool = False
    quality: JobQuality | None = None
    #: seconds this run's driver spent reading and preparing articles (its reader
    #: thread), planning chunks, and assembling and committing them (``commits``
    #: transactions): what bounds how many Ray actors one driver can feed
    #: (benchmarks/batch.py --ray)
    prepare_seconds: float = 0.0
    plan_seconds: float = 0.0
    commit_seconds: float = 0.0
    commits: int = 0
    #: seconds spent joining or starting Ray before the run (:meth:`BatchJob.connect_ray`)
    ray_seconds: float | None = None
    #: documents written back in their own format, and those that could not be
    documents: int | None = None
    document_failures: int = 0

    @property
    def complete(self) -> bool:
        return self.counts.pending == 0 and not self.interrupted

    @property
    def rate(self) -> float:
        """Sentences per second translated by this run."""
        return self.sentences_this_run / self.seconds if self.seconds > 0 else 0.0

    def to_dict(self) -> dict:
        return {"complete": self.complete, "articles": self.counts.to_dict(),
                "this_run": {"articles": self.articles_this_run,
                             "sentences": self.sentences_this_run,
                             "seconds": round(self.seconds, 2),
                             "sentences_per_second": round(self.rate, 2),
                             **({"ray_ready_seconds": round(self.ray_seconds, 2)}
                                if self.ray_seconds is not None else {})},
                "outputs": self.outputs, "skipped": self.skipped,
                **({"documents": {"written": self.documents, "failed": self.document_failures}}
                   if self.documents is not None else {}),
                **({"quality": self.quality.to_dict()} if self.quality is not None else {})}

    def lines(self) -> list[str]:
        c = self.counts
        state = ("done" if self.complete else
                 "interrupted" if self.interrupted else "incomplete")
        ray = f"Ray ready in {self.ray_seconds:.1f} s; " if self.ray_seconds is not None else ""
        lines = [f"batch {state}: {c.done} of {c.total} articles translated, {c.failed} failed, "
                 f"{c.pending} pending; {c.sentences} sentences",
                 f"this run: {ray}{self.articles_this_run} articles, {self.sentences_this_run} "
                 f"sentences in {self.seconds:.1f} s ({self.rate:.1f} sentences/s)"]
        if self.quality is not None:
            lines += self.quality.lines()
        if self.documents is not None:
            lines.append(f"{self.documents} documents written back in their own format"
                         + (f", {self.document_failures} failed (failures.jsonl)"
                            if self.document_failures else ""))
        lines += [f"wrote {path}" for path in self.outputs]
        return lines


@dataclass
class _Chunk:
    number: int  # the ledger's chunk
    order: int = 0  # its place among this run's chunks
    docs: list[tuple[str, PreparedDocument]] = field(default_factory=list)
    failed: dict[str, TranslatorError] = field(default_factory=dict)
    # the plan (BatchJob._plan): translations known before the engine, the engine's todo,
    # and sentences an earlier chunk of this run translates
    known: dict[tuple[str, str], SentenceTranslation] = field(default_factory=dict)
    todo: Todo = field(default_factory=dict)
    later: set[tuple[str, str]] = field(default_factory=set)


class _LedgerCache:
    """The pipeline's ``SegmentCache`` seam over the ledger, read-only: the plan asks it
    which sentences earlier chunks translated; commits write the new ones."""

    def __init__(self, ledger: Ledger):
        self.ledger = ledger

    def get(self, source: str, target: str, sentences: list[str]) -> dict[str, SentenceTranslation]:
        return self.ledger.segments(source, target, sentences)

    def put(self, source: str, target: str, translations) -> None:  # pragma: no cover
        raise AssertionError("a batch plan never translates")


@dataclass
class _DriverTime:
    prepare: float = 0.0
    plan: float = 0.0
    commit: float = 0.0
    commits: int = 0


class _Tally:
    """This run's counts, updated by the driver as it commits, reported to ``progress``
    article by article."""

    def __init__(self, progress: Progress):
        self.progress = progress
        self.lock = threading.Lock()
        self.articles = self.sentences = 0

    def add(self, keys: Sequence[str], done: dict[str, tuple[str, int]], failed: dict) -> None:
        """A commit of ``done`` and ``failed``: one advance per article, in ``keys``' order."""
        with self.lock:
            for key in keys:
                sentences = done[key][1] if key in done else 0
                self.articles += 1
                self.sentences += sentences
                self.progress.advance(done=int(key in done), failed=int(key not in done),
                                      sentences=sentences)


class BatchJob:
    """One job: its output folder (which holds the ledger), target language and glossary.

    ``glossary``: the pipeline's own (``DEFAULT``), another :class:`Glossary`, or None.
    ``relabel`` rewrites article ids and inputs shown in outputs (the service hides the
    folder an uploaded archive is stored in). ``pause`` is called before each chunk goes
    to the engine in this process (the service waits there while interactive requests
    run). ``ray`` runs the engine work on a Ray cluster (:class:`.cluster.RayOptions`)
    instead of this process; the output is the same. ``documents``: the inputs that are
    documents (.docx, .odt, .pptx, .html) are also written back in their own format
    under ``documents/`` (:mod:`.documents`).
    """

    def __init__(self, out_dir: Path | str, pipeline: Pipeline, *, target: str,
                 source: str = AUTO, glossary=DEFAULT, fmt: str = "jsonl",
                 chunk_chars: int | None = None,
                 relabel: Callable[[str], str] | None = None,
                 pause: Callable[[], None] | None = None, ray=None,
                 documents: bool = False):
        if fmt not in FORMATS:
            raise InputError(f"unknown output format {fmt!r} (choose from {', '.join(FORMATS)})")
        self.out_dir = Path(out_dir)
        self.pipeline = pipeline
        self.target = languages.canonical(target)
        self.source = AUTO if source in (None, "", AUTO) else languages.canonical(source)
        if self.source != AUTO and self.source != self.target:
            pipeline.route(self.source, self.target)  # an unsupported pair fails the whole job
        elif not pipeline.router.sources(self.target):
            # no language at all reaches the target: refused before any article is read
            raise UnsupportedPair(
                f"nothing can be translated into {languages.name(self.target)} ({self.target}): "
                f"no installed engine or route leads to it; targets: "
                f"{', '.join(sorted({t for s in pipeline.languages() for t in pipeline.router.targets(s)})) or 'none'}")
        self.glossary = pipeline.glossary if glossary is DEFAULT else glossary
        self.fmt = fmt
        self.chunk_chars = chunk_chars or pipeline.settings.batch_chunk_chars
        self.relabel = relabel or (lambda text: text)
        self.pause = pause
        self.ray = ray
        self.ray_seconds: float | None = None
        self.documents = documents

    def connect_ray(self) -> None:
        """Join (or start) the job's Ray cluster now, before :meth:`run` (the CLI does it
        on its main thread); the seconds it took are in the summary, apart from the run's."""
        from .cluster import connect

        started = time.monotonic()
        connect(self.ray.address)
        self.ray_seconds = time.monotonic() - started

    def identity(self) -> dict:
        """What the job's output depends on; a ledger made with another identity is refused."""
        return {"target": self.target, "source": self.source,
                "glossary": (f"{self.glossary.name}@{self.glossary.digest()}"
                             if self.glossary is not None else None),
                "models": models_signature(self.pipeline.engines),
                "settings": self.pipeline.settings.signature(),
                # the sentences batched together: an engine may pad a batch (see the top)
                "chunks": {"chars": self.chunk_chars, "articles": CHUNK_ARTICLES,
                           "first": FIRST_CHUNK_ARTICLES}}

    # -- running --------------------------------------------------------------

    def run(self, inputs: Sequence[str], *, retry_failed: bool = False, restart: bool = False,
            progress: Progress | None = None, stop: threading.Event | None = None) -> Summary:
        """Scan ``inputs``, translate what is pending, write outputs when nothing is left.

        ``stop`` ends the run after the chunks in flight (which are then not committed).
        """
        progress = progress or NullProgress()
        stop = stop or threading.Event()
        started = time.monotonic()
        skipped: list[str] = []
        scanned = self._articles(inputs, skipped)  # a bad INPUT fails here, before any write
        self._make_out_dir()
        with self._lock():
            ledger = Ledger.in_folder(self.out_dir)
            try:
                params = ledger.claim(self.identity(), restart=restart)
                progress.scanning()
                scan = ledger.begin_scan()
                skipped += ledger.record_scan(scan, scanned,
                                              Chunker(self.chunk_chars, CHUNK_ARTICLES,
                                                      FIRST_CHUNK_ARTICLES),
                                              retry_failed=retry_failed)
                ledger.end_scan(scan)
                counts = ledger.counts()
                progress.start(counts)
                timer = _DriverTime()
                articles, sentences = self._translate(ledger, progress, stop, timer)
                counts = ledger.counts()
                summary = Summary(counts, time.monotonic() - started, articles, sentences,
                                  skipped=[self.relabel(note) for note in skipped],
                                  interrupted=stop.is_set(), prepare_seconds=timer.prepare,
                                  plan_seconds=timer.plan, commit_seconds=timer.commit,
                                  commits=timer.commits, ray_seconds=self.ray_seconds)
                documents = None
                if summary.complete:
                    documents = self._write_documents(ledger, inputs, stop, summary)
                if summary.complete:
                    summary.quality = JobQuality()
                    summary.outputs = [str(p) for p in write_outputs(
                        ledger, self.out_dir, self.fmt, created=params["created"],
                        observe=summary.quality.add,
                        more_failures=documents.failures if documents else ())]
                    if documents and documents.folder is not None:
                        summary.outputs.append(str(documents.folder))
                    summary.outputs.append(str(self._write_summary(summary)))
                return summary
            finally:
                progress.close()
                ledger.close()

    def _write_documents(self, ledger: Ledger, inputs: Sequence[str], stop: threading.Event,
                         summary: Summary):
        """The documents among ``inputs`` written back in their own format (when asked);
        a stop on the way leaves the run interrupted, without outputs."""
        if not self.documents:
            return None
        from .documents import write_documents
        from ..messages import os_reason
        from .outputs import OutputError

        sources = (dataclasses.replace(a, key=self.relabel(a.key), id=self.relabel(a.id),
                                       input=self.relabel(a.input))
                   for a in iter_documents(inputs, max_chars=self.pipeline.settings.max_chars,
                                           exclude=[self.out_dir]))
        try:
            documents = write_documents(ledger, self.out_dir, sources, self.pipeline,
                                        self.target, self.glossary, stop)
        except OSError as exc:
            raise OutputError(f"cannot write the documents in {self.out_dir}: {os_reason(exc)}; the "
                              "translations are kept in the ledger: run the same command "
                              "again once this is fixed") from None
        summary.interrupted = documents.interrupted
        if documents.written or documents.failures:  # a job of texts alone says nothing
            summary.documents = documents.written
            summary.document_failures = len(documents.failures)
        return documents

    def _make_out_dir(self) -> None:
        try:
            self.out_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(f"cannot create the output folder {self.out_dir}: "
                             f"{exc.strerror or exc}") from None
        if not os.access(self.out_dir, os.W_OK):
            raise InputError(f"cannot write to the output folder {self.out_dir}")

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        """An exclusive lock on the job folder, released by the OS if the process dies."""
        try:
            with locked(self.out_dir / (LEDGER_NAME + ".lock")):
                yield
        except Busy:
            raise JobBusy(f"another batch is running in {self.out_dir}; wait for it to "
                          "finish or stop it") from None

    def _articles(self, inputs: Sequence[str], skipped: list[str]) -> Iterator[Article]:
        """The inputs' articles, read lazily; the INPUTs themselves are checked at once."""
        articles = iter_articles(inputs, max_chars=self.pipeline.settings.max_chars,
                                 exclude=[self.out_dir], skipped=skipped)
        # Keys are relabelled too: a job folder that moves (the service's jobs_dir on
        # another mount) must not look like new articles.
        return (dataclasses.replace(a, key=self.relabel(a.key), id=self.relabel(a.id),
                                    input=self.relabel(a.input))
                for a in articles)

    def _translate(self, ledger: Ledger, progress: Progress, stop: threading.Event,
                   timer: "_DriverTime") -> tuple[int, int]:
        """Translate pending chunks until none is left or ``stop``; (articles, sentences).

        The reader thread prepares chunks, at most the executor's capacity ahead of the
        last commit (so an archive of any size is never held in memory); the driver (this
        thread) plans each chunk, hands its todo to the executor and commits chunks in
        order as their work comes back.
        """
        events: queue.Queue = queue.Queue()
        halt = threading.Event()
        halted = lambda: stop.is_set() or halt.is_set()  # noqa: E731
        executor = self._executor(lambda order, outcome: events.put(("work", order, outcome)))
        slots = threading.Semaphore(executor.capacity + 1)  # chunks prepared, not committed
        reader = threading.Thread(target=self._prepare_chunks,
                                  args=(ledger, events, slots, halted, timer),
                                  name="batch-prepare", daemon=True)
        tally = _Tally(progress)
        cache = _LedgerCache(ledger)
        owners: dict[tuple[str, str], int] = {}  # sentences claimed by uncommitted chunks
        failures: dict[tuple[str, str], Failure] = {}  # sentences the engines failed on
        planned: dict[int, _Chunk] = {}
        outcomes: dict[int, Work] = {}
        following, read_all = 0, False
        reader.start()
        try:
            while not (read_all and not planned) and not stop.is_set():
                try:
                    event = events.get(timeout=0.1)
                except queue.Empty:
                    continue
                if event[0] == "chunk":
                    chunk = event[1]
                    tick = time.perf_counter()
                    self._plan(chunk, cache, owners, failures)
                    timer.plan += time.perf_counter() - tick
                    planned[chunk.order] = chunk
                    if any(chunk.todo.values()):
                        executor.submit(chunk.order, chunk.todo)
                    else:
                        events.put(("work", chunk.order, Work()))
                elif event[0] == "end":
                    read_all = True
                elif event[0] == "error":
                    raise event[1]
                else:
                    _, order, outcome = event
                    if isinstance(outcome, BaseException):
                        raise outcome
                    outcomes[order] = outcome
                    while following in outcomes and not stop.is_set():
                        chunk = planned.pop(following)
                        tick = time.perf_counter()
                        self._commit(ledger, chunk, outcomes.pop(following), owners, failures,
                                     tally)
                        timer.commit += time.perf_counter() - tick
                        timer.commits += 1
                        following += 1
                        slots.release()
        finally:
            halt.set()
            executor.close()
            for _ in range(executor.capacity + 2):  # unblock a reader waiting for a slot
                slots.release()
            reader.join(timeout=5)
        return tally.articles, tally.sentences

    def _executor(self, deliver):
        if self.ray is not None:
            from .cluster import RayExecutor

            return RayExecutor(self.ray, self.pipeline, self.target, self.glossary, deliver)
        return LocalExecutor(self.pipeline, self.target, self.glossary, deliver, self.pause)

    def _plan(self, chunk: _Chunk, cache: _LedgerCache, owners: dict, failures: dict) -> None:
        """What the chunk needs from the engines: its distinct sentences that neither the
        ledger nor an earlier chunk of this run (``owners``) has; it owns those now."""
        known, todo = self.pipeline.plan([doc for _, doc in chunk.docs], self.target, cache,
                                         self.pipeline.memory)
        chunk.known = known
        for lang, sentences in todo.items():
            mine = []
            for sentence in sentences:
                key = (lang, sentence)
                if key in owners or key in failures:
                    chunk.later.add(key)
                else:
                    owners[key] = chunk.order
                    mine.append(sentence)
            if mine:
                chunk.todo[lang] = mine

    def _commit(self, ledger: Ledger, chunk: _Chunk, work: Work, owners: dict, failures: dict,
                tally: "_Tally") -> None:
        """Assemble the chunk's articles from their sentences' translations and commit
        them, with the chunk's new sentences, in one transaction."""
        translations = dict(chunk.known)
        for lang, items in work.translations.items():
            translations.update(((lang, s), done) for s, done in items.items())
        for lang, items in work.failed.items():
            failures.update(((lang, s), failure) for s, failure in items.items())
        later: dict[str, list[str]] = {}
        for lang, sentence in chunk.later:  # committed by earlier chunks (or failed there)
            if (lang, sentence) not in failures:
                later.setdefault(lang, []).append(sentence)
        for lang, sentences in later.items():
            translations.update(((lang, s), done) for s, done in
                                ledger.segments(lang, self.target, sentences).items())
        done: dict[str, tuple[str, int]] = {}
        failed = dict(chunk.failed)
        for key, doc in chunk.docs:
            try:
                failure = next((failures[(lang, s.text)]
                                for s, lang in zip(doc.sentences, doc.sentence_langs)
                                if (lang, s.text) in failures), None)
                if failure is not None:
                    failed[key] = SentenceFailed(failure)
                    continue
                result = self.pipeline.assemble(doc, self.target, translations, self.glossary)
                done[key] = (self._record(result), len(result.segments))
            except TranslatorError as exc:
                failed[key] = exc
            except Exception as exc:  # a bug must not sink the other articles
                failed[key] = InternalError(f"{type(exc).__name__}: {exc}")
        ledger.commit(done, failed, {(lang, self.target): items
                                     for lang, items in work.translations.items()})
        for lang, sentences in chunk.todo.items():
            for sentence in sentences:
                owners.pop((lang, sentence), None)
        tally.add([key for key, _ in chunk.docs] + list(chunk.failed), done, failed)

    def _prepare_chunks(self, ledger: Ledger, events: queue.Queue, slots: threading.Semaphore,
                        halted: Callable[[], bool], timer: "_DriverTime") -> None:
        """Reader thread: pending articles, detected and segmented, handed over in chunks,
        each once a slot is free (a chunk committed)."""
        def hand_over(chunk: _Chunk) -> bool:
            while not slots.acquire(timeout=0.1):
                if halted():
                    return False
            if halted():
                return False
            events.put(("chunk", chunk))
            return True

        try:
            after, order = 0, 0
            chunk: _Chunk | None = None
            while not halted():
                rows = ledger.pending(after)
                if not rows:
                    break
                for key, seq, number, text in rows:
                    if halted():
                        break
                    after = seq
                    if chunk is not None and chunk.number != number:
                        if not hand_over(chunk):
                            return
                        order += 1
                        chunk = None
                    if chunk is None:
                        chunk = _Chunk(number, order)
                    tick = time.perf_counter()
                    try:
                        chunk.docs.append((key, self.pipeline.prepare(text, self.target,
                                                                      self.source)))
                    except TranslatorError as exc:
                        chunk.failed[key] = exc
                    except Exception as exc:  # a bug must not sink the other articles
                        chunk.failed[key] = InternalError(f"{type(exc).__name__}: {exc}")
                    timer.prepare += time.perf_counter() - tick
            if chunk is not None and not halted() and not hand_over(chunk):
                return
            events.put(("end",))
        except BaseException as exc:  # the ledger became unreadable: end the run with it
            events.put(("error", exc))
        finally:
            ledger.db.close_thread()

    @staticmethod
    def _record(result) -> str:
        """One output line: the article's id and input, then the API's result without
        timings (they differ from run to run; the output must not)."""
        data = result.to_dict()
        data.pop("timings", None)
        return json.dumps(data, ensure_ascii=False)

    def _write_summary(self, summary: Summary) -> Path:
        path = self.out_dir / SUMMARY_NAME
        write_atomically(path, json.dumps(summary.to_dict(), ensure_ascii=False, indent=2) + "\n")
        return path
