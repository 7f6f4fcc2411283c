"""Running a batch job: scan the inputs into the ledger, translate pending articles in
chunks, write the outputs once every article is done or failed.

Articles are read and prepared (detected, segmented) on one thread while two
translator threads take chunks in turn; sentences of every article in a chunk go to
the engine together, and a sentence translated once in the job (a dateline, a byline)
is reused from the ledger. Each chunk is committed whole, so an interrupted job
resumes where it stopped and ends with the same output as an uninterrupted run.

That holds whatever the engine, even one whose output shifts with its batch (CTranslate2
pads a batch to its longest sentence, which moves scores in the last digits): chunks are
cut by position among all the job's articles (the ledger's ``chunk``), and chunks go to
the engine, and are committed, one after the other in that order. So each chunk sends
the engine exactly the sentences no earlier chunk had, in a resumed run as in an
uninterrupted one; only assembling and committing overlap the next chunk's translation.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import json
import os
import queue
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Sequence

from .. import languages
from ..errors import InputError, TranslatorError
from ..pipeline import AUTO, DEFAULT, Pipeline, PreparedDocument, SentenceTranslation
from ..result import TranslationResult
from ..store.db import StoreError
from .inputs import Article, iter_articles
from .ledger import LEDGER_NAME, Chunker, Counts, Ledger
from .outputs import FORMATS, SUMMARY_NAME, write_atomically, write_outputs
from .progress import NullProgress, Progress
from .quality import JobQuality

#: A chunk also closes at this many articles (its size in characters is the setting
#: ``batch_chunk_chars``: big enough for the engine's length-sorted batches, small
#: enough that an interrupted run loses little).
CHUNK_ARTICLES = 200
#: Chunks translated at once (see ``BatchJob._translate``).
TRANSLATORS = 2


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
                             "sentences_per_second": round(self.rate, 2)},
                "outputs": self.outputs, "skipped": self.skipped,
                **({"quality": self.quality.to_dict()} if self.quality is not None else {})}

    def lines(self) -> list[str]:
        c = self.counts
        state = ("done" if self.complete else
                 "interrupted" if self.interrupted else "incomplete")
        lines = [f"batch {state}: {c.done} of {c.total} articles translated, {c.failed} failed, "
                 f"{c.pending} pending; {c.sentences} sentences",
                 f"this run: {self.articles_this_run} articles, {self.sentences_this_run} "
                 f"sentences in {self.seconds:.1f} s ({self.rate:.1f} sentences/s)"]
        if self.quality is not None:
            lines += self.quality.lines()
        lines += [f"wrote {path}" for path in self.outputs]
        return lines


@dataclass
class _Chunk:
    number: int  # the ledger's chunk
    order: int = 0  # its place among this run's chunks: its turn
    docs: list[tuple[str, PreparedDocument]] = field(default_factory=list)
    failed: dict[str, TranslatorError] = field(default_factory=dict)


class _Turns:
    """Chunks take their turn in order (of ``_Chunk.order``); waiting gives up when halted."""

    def __init__(self, halted: Callable[[], bool]):
        self.halted = halted
        self.next = 0
        self.cond = threading.Condition()

    @contextlib.contextmanager
    def turn(self, order: int) -> Iterator[bool]:
        """Yields True once it is ``order``'s turn, False if the run was halted meanwhile."""
        with self.cond:
            while self.next != order and not self.halted():
                self.cond.wait(0.1)
            mine = self.next == order
        try:
            yield mine and not self.halted()
        finally:
            if mine:
                with self.cond:
                    self.next += 1
                    self.cond.notify_all()


class _SegmentCache:
    """The job's translated sentences for the pipeline's ``SegmentCache`` seam: the ledger,
    plus what chunks in flight translated since its last commit (so a concurrent chunk
    sees a new byline at once). Each chunk works through its own :meth:`view`."""

    def __init__(self, ledger: Ledger):
        self.ledger = ledger
        self.lock = threading.Lock()
        self.fresh: dict[tuple[str, str], dict[str, SentenceTranslation]] = {}

    def view(self) -> "_ChunkCache":
        return _ChunkCache(self)

    def forget(self, made: dict[tuple[str, str], dict[str, SentenceTranslation]]) -> None:
        """Drop a chunk's translations once they are committed (the ledger answers now)."""
        with self.lock:
            for pair, items in made.items():
                fresh = self.fresh.get(pair, {})
                for sentence in items:
                    fresh.pop(sentence, None)


class _ChunkCache:
    """One chunk's access to the job's cache; keeps what the chunk translated for its commit."""

    def __init__(self, shared: _SegmentCache):
        self.shared = shared
        self.made: dict[tuple[str, str], dict[str, SentenceTranslation]] = {}

    def get(self, source: str, target: str, sentences: list[str]) -> dict[str, SentenceTranslation]:
        with self.shared.lock:
            fresh = self.shared.fresh.get((source, target), {})
            found = {s: fresh[s] for s in sentences if s in fresh}
        missing = [s for s in sentences if s not in found]
        if missing:
            found.update(self.shared.ledger.segments(source, target, missing))
        return found

    def put(self, source: str, target: str, translations: dict[str, SentenceTranslation]) -> None:
        self.made.setdefault((source, target), {}).update(translations)
        with self.shared.lock:
            self.shared.fresh.setdefault((source, target), {}).update(translations)


class _Tally:
    """This run's counts, updated by the translator threads, reported to ``progress``."""

    def __init__(self, progress: Progress):
        self.progress = progress
        self.lock = threading.Lock()
        self.articles = self.sentences = 0

    def add(self, done: dict[str, tuple[str, int]], failed: dict) -> None:
        sentences = sum(n for _, n in done.values())
        with self.lock:
            self.articles += len(done) + len(failed)
            self.sentences += sentences
            self.progress.advance(done=len(done), failed=len(failed), sentences=sentences)


class BatchJob:
    """One job: its output folder (which holds the ledger), target language and glossary.

    ``glossary``: the pipeline's own (``DEFAULT``), another :class:`Glossary`, or None.
    ``relabel`` rewrites article ids and inputs shown in outputs (the service hides the
    folder an uploaded archive is stored in). ``pause`` is called before each chunk goes
    to the engine (the service waits there while interactive requests run).
    """

    def __init__(self, out_dir: Path | str, pipeline: Pipeline, *, target: str,
                 source: str = AUTO, glossary=DEFAULT, fmt: str = "jsonl",
                 chunk_chars: int | None = None,
                 relabel: Callable[[str], str] | None = None,
                 pause: Callable[[], None] | None = None, translators: int = TRANSLATORS):
        if fmt not in FORMATS:
            raise InputError(f"unknown output format {fmt!r} (choose from {', '.join(FORMATS)})")
        self.out_dir = Path(out_dir)
        self.pipeline = pipeline
        self.target = languages.canonical(target)
        self.source = AUTO if source in (None, "", AUTO) else languages.canonical(source)
        if self.source != AUTO and self.source != self.target:
            pipeline.route(self.source, self.target)  # an unsupported pair fails the whole job
        self.glossary = pipeline.glossary if glossary is DEFAULT else glossary
        self.fmt = fmt
        self.chunk_chars = chunk_chars or pipeline.settings.batch_chunk_chars
        self.relabel = relabel or (lambda text: text)
        self.pause = pause
        self.translators = translators

    def identity(self) -> dict:
        """What the job's output depends on; a ledger made with another identity is refused."""
        return {"target": self.target, "source": self.source,
                "glossary": (f"{self.glossary.name}@{self.glossary.digest()}"
                             if self.glossary is not None else None),
                "models": sorted(f"{e.kind}:{e.name}" + (f"@{v}" if (v := e.describe().get("version"))
                                                         else "")
                                 for e in self.pipeline.engines),
                "settings": self.pipeline.settings.signature(),
                # the sentences batched together: an engine may pad a batch (see the top)
                "chunks": {"chars": self.chunk_chars, "articles": CHUNK_ARTICLES}}

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
                                              Chunker(self.chunk_chars, CHUNK_ARTICLES),
                                              retry_failed=retry_failed)
                ledger.end_scan(scan)
                counts = ledger.counts()
                progress.start(counts)
                articles, sentences = self._translate(ledger, progress, stop)
                counts = ledger.counts()
                summary = Summary(counts, time.monotonic() - started, articles, sentences,
                                  skipped=[self.relabel(note) for note in skipped],
                                  interrupted=stop.is_set())
                if summary.complete:
                    summary.quality = JobQuality()
                    summary.outputs = [str(p) for p in write_outputs(
                        ledger, self.out_dir, self.fmt, created=params["created"],
                        observe=summary.quality.add)]
                    summary.outputs.append(str(self._write_summary(summary)))
                return summary
            finally:
                progress.close()
                ledger.close()

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
        with open(self.out_dir / (LEDGER_NAME + ".lock"), "a") as held:
            try:
                fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise JobBusy(f"another batch is running in {self.out_dir}; wait for it to "
                              "finish or stop it") from None
            try:
                yield
            finally:
                fcntl.flock(held, fcntl.LOCK_UN)

    def _articles(self, inputs: Sequence[str], skipped: list[str]) -> Iterator[Article]:
        """The inputs' articles, read lazily; the INPUTs themselves are checked at once."""
        articles = iter_articles(inputs, max_chars=self.pipeline.settings.max_chars,
                                 exclude=[self.out_dir], skipped=skipped)
        # Keys are relabelled too: a job folder that moves (the service's jobs_dir on
        # another mount) must not look like new articles.
        return (dataclasses.replace(a, key=self.relabel(a.key), id=self.relabel(a.id),
                                    input=self.relabel(a.input))
                for a in articles)

    def _translate(self, ledger: Ledger, progress: Progress, stop: threading.Event
                   ) -> tuple[int, int]:
        """Translate pending chunks until none is left or ``stop``; (articles, sentences).

        Two translator threads take chunks in turn: while one assembles and commits its
        chunk (Python work), the other's chunk keeps the engine busy, so the engine never
        waits for the end of a chunk.
        """
        chunks: queue.Queue = queue.Queue(maxsize=1)
        halt = threading.Event()  # every thread stops on ``stop``, or when one fails
        halted = lambda: stop.is_set() or halt.is_set()  # noqa: E731
        reader = threading.Thread(target=self._prepare_chunks, args=(ledger, chunks, halted),
                                  name="batch-prepare", daemon=True)
        cache = _SegmentCache(ledger)
        tally = _Tally(progress)
        errors: list[BaseException] = []
        turns = (_Turns(halted), _Turns(halted))  # to the engine, to the ledger

        def translate() -> None:
            try:
                self._translate_chunks(ledger, chunks, cache, tally, stop, halted, turns)
            except BaseException as exc:
                errors.append(exc)
                halt.set()
            finally:
                ledger.db.close_thread()

        workers = [threading.Thread(target=translate, name=f"batch-translate-{n}", daemon=True)
                   for n in range(self.translators)]
        reader.start()
        for worker in workers:
            worker.start()
        try:
            for worker in workers:
                worker.join()
        finally:
            halt.set()
            while reader.is_alive():  # unblock a reader waiting to hand over a chunk
                try:
                    chunks.get(timeout=0.1)
                except queue.Empty:
                    pass
        if errors:
            raise errors[0]
        return tally.articles, tally.sentences

    def _translate_chunks(self, ledger: Ledger, chunks: queue.Queue, cache: _SegmentCache,
                          tally: "_Tally", stop: threading.Event, halted: Callable[[], bool],
                          turns: tuple["_Turns", "_Turns"]) -> None:
        """One translator thread: chunks from the reader, translated and committed, each
        in its turn (the engine's, then the ledger's)."""
        to_engine, to_ledger = turns
        while not halted():
            item = chunks.get()
            if item is None:
                chunks.put(None)  # the other translator thread ends too
                return
            if isinstance(item, BaseException):
                raise item
            view = cache.view()
            with to_engine.turn(item.order) as mine:
                if not mine:
                    return
                if self.pause is not None:
                    self.pause()
                results, failed = self._translate_chunk(item, view)
            done = {key: (self._record(result), len(result.segments))
                    for key, result in results.items()}
            failed = {**item.failed, **failed}
            with to_ledger.turn(item.order) as mine:
                if not mine or stop.is_set():
                    return  # the chunk is dropped, not committed: the next run redoes it
                ledger.commit(done, failed, view.made)
                cache.forget(view.made)
            tally.add(done, failed)

    def _prepare_chunks(self, ledger: Ledger, chunks: queue.Queue,
                        halted: Callable[[], bool]) -> None:
        """Reader thread: pending articles, detected and segmented, handed over in chunks."""
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
                        chunks.put(chunk)
                        order += 1
                        chunk = None
                    if chunk is None:
                        chunk = _Chunk(number, order)
                    try:
                        chunk.docs.append((key, self.pipeline.prepare(text, self.target,
                                                                      self.source)))
                    except TranslatorError as exc:
                        chunk.failed[key] = exc
                    except Exception as exc:  # a bug must not sink the other articles
                        chunk.failed[key] = InternalError(f"{type(exc).__name__}: {exc}")
            if chunk is not None and not halted():
                chunks.put(chunk)
            chunks.put(None)
        except BaseException as exc:  # the ledger became unreadable: end the run with it
            chunks.put(exc)
        finally:
            ledger.db.close_thread()

    def _translate_chunk(self, chunk: _Chunk, cache: _ChunkCache
                         ) -> tuple[dict[str, "TranslationResult"], dict[str, TranslatorError]]:
        """Results of the chunk's articles; an engine failure is narrowed down by halving
        the chunk until the articles that cause it are found."""
        done: dict[str, TranslationResult] = {}
        failed: dict[str, TranslatorError] = {}
        pending = [chunk.docs]
        while pending:
            docs = pending.pop()
            if not docs:
                continue
            try:
                results = self.pipeline.translate_prepared([doc for _, doc in docs], self.target,
                                                           self.glossary, cache=cache)
            except StoreError:
                raise
            except Exception as exc:
                if len(docs) == 1:
                    failed[docs[0][0]] = (exc if isinstance(exc, TranslatorError)
                                          else InternalError(f"{type(exc).__name__}: {exc}"))
                else:
                    half = len(docs) // 2
                    pending += [docs[half:], docs[:half]]
                continue
            done.update((key, result) for (key, _), result in zip(docs, results))
        return done, failed

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
