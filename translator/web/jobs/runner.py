"""Running jobs in the background: one process at a time holds ``runner.lock`` and runs
the oldest unfinished job as a :class:`~translator.batch.BatchJob`, writing its progress."""

from __future__ import annotations

import logging
import os
import threading
import time
import zipfile
from dataclasses import replace
from pathlib import Path

from ...batch import BatchJob, JobBusy, LedgerMismatch
from ...batch.cluster import RayOptions
from ...batch.ledger import LEDGER_NAME, Counts, Ledger
from ...batch.documents import DOCUMENTS_DIR
from ...batch.outputs import TXT_DIR
from ...batch.progress import Progress, Rates
from ...errors import TranslatorError
from ...fsutil import Busy, atomic_file, try_lock, unlock
from .store import DOCUMENTS_ZIP, TXT_ZIP, Job, JobNotFound, JobStore, stamp

log = logging.getLogger("translator.web")

UNFINISHED = ("queued", "running")
#: Longest a job waits for interactive requests to end before its next chunk (seconds):
#: requests come first, but a steady stream of them must not stall a job for good.
PAUSE_LIMIT = 5.0
MAX_FAILURES_SHOWN = 10


class JobProgress(Progress):
    """Writes a job's counts, rate, ETA and first failures to its progress.json, so that
    every worker process can answer ``GET /v1/jobs/<id>``."""

    #: At most one write per interval while chunks commit (the last one always lands).
    every = 0.5

    def __init__(self, store: JobStore, job: Job):
        self.store, self.job = store, job
        self.counts = Counts()
        self.rates = Rates()
        self.failures: list[dict] = []
        self.written = 0.0

    # scanning() is left silent: a resumed job keeps showing its last counts meanwhile.

    def start(self, counts: Counts) -> None:
        self.counts = counts
        self.rates.start(counts)
        self._read_failures()
        self._write()

    def advance(self, *, done: int, failed: int, sentences: int) -> None:
        c = self.counts
        self.counts = Counts(pending=max(0, c.pending - done - failed), done=c.done + done,
                             failed=c.failed + failed, sentences=c.sentences + sentences)
        self.rates.advance(done, failed, sentences)
        if failed:
            self._read_failures()
        if time.monotonic() - self.written >= self.every:
            self._write()

    def close(self) -> None:
        self._write()

    def _read_failures(self) -> None:
        """The first failures, from the ledger (the runner's process holds it)."""
        if len(self.failures) >= MAX_FAILURES_SHOWN or not self.counts.failed:
            return
        folder = self.store.out_dir(self.job)
        if not (folder / LEDGER_NAME).exists():  # never recreate a deleted job's folder
            return
        ledger = Ledger.in_folder(folder)
        try:
            self.failures = [f.to_dict() for f in ledger.failures(MAX_FAILURES_SHOWN)]
        finally:
            ledger.close()

    def _write(self) -> None:
        self.written = time.monotonic()
        eta = self.rates.eta()
        self.store.save_progress(self.job.id, {
            "counts": self.counts.to_dict(),
            "rate": round(self.rates.per_second()[1], 2),
            "eta_seconds": round(eta, 1) if eta is not None else None,
            "failures": self.failures,
            "updated": stamp(),
        })


class JobRunner:
    """The worker's job thread. It runs only while it holds ``runner.lock`` (one process at
    a time, released by the OS when that process dies) and runs one job at a time."""

    def __init__(self, service, *, poll: float = 1.0, lock_retry: float = 3.0,
                 watch: float = 0.5):
        self.service = service
        self.store: JobStore = service.jobs
        self.poll, self.lock_retry, self.watch = poll, lock_retry, watch
        self._thread: threading.Thread | None = None
        self._shutdown = threading.Event()
        self._wake = threading.Event()
        self._holding = False  # the runner lock (its descriptor: None without flock)
        self._lock_fd: int | None = None
        self._current: tuple[str, threading.Event] | None = None
        self._finished: set[str] = set()  # done or failed: never runnable again
        self._busy_until: dict[str, float] = {}

    def start(self) -> None:
        """Start the thread (once)."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="translator-jobs",
                                            daemon=True)
            self._thread.start()

    def wake(self) -> None:
        """A job was submitted here: look now rather than at the next poll."""
        self._wake.set()

    def cancel(self, job_id: str) -> None:
        """Stop the job at once if this process runs it (others notice its job.json)."""
        current = self._current
        if current and current[0] == job_id:
            current[1].set()

    def stop(self, timeout: float = 10.0) -> None:
        """End the thread after the chunk in flight; the job stays unfinished, to resume."""
        self._shutdown.set()
        self._wake.set()
        if self._current:
            self._current[1].set()
        if self._thread is not None:
            self._thread.join(timeout)
        if self._holding:
            unlock(self._lock_fd)
            self._holding, self._lock_fd = False, None

    @property
    def active(self) -> bool:
        """This process holds the runner lock."""
        return self._holding

    # -- the loop ---------------------------------------------------------------

    def _loop(self) -> None:
        self.service.wait_loaded()
        while not self._shutdown.is_set():
            try:
                if not self._hold_lock():
                    self._shutdown.wait(self.lock_retry)
                    continue
                job = self._next()
                if job is None:
                    self._wake.wait(self.poll)
                    self._wake.clear()
                    continue
                self._run(job)
            except Exception:  # the thread must outlive any one failure
                log.exception("the job runner failed; retrying")
                self._shutdown.wait(self.poll)

    def _hold_lock(self) -> bool:
        """Take ``runner.lock`` (non-blocking) and keep it; sweep what others left."""
        if self._holding:
            return True
        self.store.ensure()
        try:
            self._lock_fd = try_lock(self.store.root / "runner.lock")
        except Busy:
            return False
        self._holding = True
        log.info("running batch jobs from %s (pid %d)", self.store.root, os.getpid())
        self.store.sweep()
        return True

    def _next(self) -> Job | None:
        """The oldest queued or unfinished job, skipping one another process keeps busy."""
        now = time.monotonic()
        for job in self.store.jobs(skip=self._finished):
            if job.state in ("done", "failed"):
                self._finished.add(job.id)
            elif job.state in UNFINISHED and self._busy_until.get(job.id, 0) <= now:
                return job
        return None

    def _run(self, job: Job) -> None:
        stop = threading.Event()
        self._current = (job.id, stop)
        watching = threading.Event()
        watcher = threading.Thread(target=self._watch, args=(job.id, stop, watching),
                                   name="translator-job-watch", daemon=True)
        watcher.start()
        try:
            if self.store.save(replace(job, state="running", started=job.started or stamp())):
                self._execute(self.store.get(job.id), stop)
        except JobNotFound:
            pass  # deleted meanwhile
        finally:
            watching.set()
            watcher.join()
            self._current = None
            self.store.sweep()

    def _execute(self, job: Job, stop: threading.Event) -> None:
        """Run the BatchJob and record how it ended; an interrupted job stays running."""
        try:
            summary = self._resume(job, stop)
        except JobBusy:
            self._busy_until[job.id] = time.monotonic() + 30  # a CLI run on the folder?
            return
        except TranslatorError as exc:
            return self._finish(job, "failed", exc.to_dict()["error"])
        except Exception as exc:
            if self._gone(job.id):
                return
            log.exception("batch job %s failed", job.id)
            return self._finish(job, "failed", {"code": "internal_error",
                                                "message": f"{type(exc).__name__}: {exc}"})
        if summary.complete:
            if job.format == "txt":
                zip_folder(self.store.out_dir(job) / TXT_DIR, self.store.root / job.id / TXT_ZIP)
            if summary.documents:
                zip_folder(self.store.out_dir(job) / DOCUMENTS_DIR,
                           self.store.root / job.id / DOCUMENTS_ZIP)
            self._finish(job, "done", documents=summary.documents)
        elif not stop.is_set():
            self._finish(job, "failed", {"code": "internal_error", "message":
                                         f"the run ended with {summary.counts.pending} "
                                         "articles pending"})

    def _resume(self, job: Job, stop: threading.Event):
        """Run (or resume) the job. A job interrupted while the operator changed the
        glossary or the models starts over with them: its output must come from one setup."""
        batch, inputs = self._batch(job), [str(self.store.archive(job))]
        try:
            return batch.run(inputs, progress=JobProgress(self.store, job), stop=stop)
        except LedgerMismatch as exc:
            log.warning("batch job %s starts over: %s", job.id, exc.message)
            return batch.run(inputs, progress=JobProgress(self.store, job), stop=stop,
                             restart=True)

    def _batch(self, job: Job) -> BatchJob:
        prefix = str(self.store.archive(job).parent) + os.sep
        return BatchJob(self.store.out_dir(job), self.service.pipeline, target=job.target,
                        source=job.source, glossary=self.service.named_glossary(job.glossary),
                        fmt=job.format, relabel=lambda text: text.replace(prefix, ""),
                        chunk_chars=self.service.settings.jobs_chunk_chars,
                        pause=lambda: self.service.requests.wait_quiet(PAUSE_LIMIT),
                        ray=RayOptions.from_settings(self.service.settings), documents=True)

    def _finish(self, job: Job, state: str, error: dict | None = None,
                documents: int | None = None) -> None:
        current = self.store.get(job.id)
        if current.state == "cancelled":
            return
        self.store.save(replace(current, state=state, finished=stamp(), error=error,
                                documents=documents))
        self._finished.add(job.id)
        log.info("batch job %s %s", job.id, state)

    def _watch(self, job_id: str, stop: threading.Event, done: threading.Event) -> None:
        """Set ``stop`` when the job is deleted (by a request to any process)."""
        while not done.wait(self.watch):
            if self._gone(job_id):
                stop.set()
                return

    def _gone(self, job_id: str) -> bool:
        try:
            return self.store.get(job_id).state == "cancelled"
        except (JobNotFound, ValueError):
            return True


def zip_folder(folder: Path, path: Path) -> Path:
    """Zip ``folder``'s files (paths relative to it) into ``path``, atomically."""
    with atomic_file(path, "wb") as handle, zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as zf:
        for file in sorted(p for p in folder.rglob("*") if p.is_file()):
            zf.write(file, file.relative_to(folder).as_posix())
    return path

