"""Batch jobs over HTTP: uploaded archives translated in the background, surviving restarts.

A job is a folder under ``jobs_dir`` named by its id, self-contained::

    <id>/job.json           what was asked and the job's state (rewritten atomically)
    <id>/progress.json      counts, rate, ETA and first failures, written by the runner
    <id>/input/<name>       the uploaded archive (its sanitised name shows in article ids)
    <id>/out/               the BatchJob folder: ledger, translations, failures.jsonl
    <id>/translations.zip   txt jobs: the out/txt folder, zipped when the job is done

An upload is received into ``.incoming-*`` and renamed into place, so a job folder
always holds its job.json; a deleted job is renamed into ``.trash/`` and removed once
no runner holds its ledger. One process at a time runs jobs (``runner.lock``), oldest
first; a job left queued or running by a process that died is taken up again, and
:class:`~translator.batch.BatchJob` resumes it from its ledger.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import re
import secrets
import shutil
import tempfile
import threading
import time
import zipfile
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timezone
from pathlib import Path

from flask import request
from werkzeug.formparser import FormDataParser
from werkzeug.http import parse_options_header

from ..archive import ARCHIVE_SUFFIXES, open_archive
from ..batch import FORMATS, BatchJob, JobBusy
from ..batch.ledger import LEDGER_NAME, Counts, Ledger
from ..batch.outputs import FAILURES_NAME, JSONL_NAME, TMX_NAME, TXT_DIR, write_atomically
from ..batch.progress import Progress, Rates
from ..errors import BadArchive, InputError, TranslatorError, UnsupportedPair
from ..store.db import StoreError
from .errors import InvalidField, MissingField, UnknownField
from .validation import AUTO, language_field

__all__ = ["Job", "JobStore", "JobRunner", "JobProgress", "JobNotFound", "JobNotDone",
           "UnsupportedMediaType", "job_status", "result_file", "submit", "STATES"]

log = logging.getLogger("translator.web")

STATES = ("queued", "running", "done", "failed", "cancelled")
UNFINISHED = ("queued", "running")
ID_PATTERN = re.compile(r"^[0-9a-f]{16}$")
FIELDS = ("target", "source", "glossary", "format", "filename")
RAW_TYPES = ("application/zip", "application/x-zip-compressed", "application/gzip",
             "application/x-gzip", "application/x-tar+gzip", "application/x-gtar",
             "application/x-compressed-tar", "application/x-tgz", "application/octet-stream")
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
GZIP_MAGIC = b"\x1f\x8b"
MAX_FAILURES_SHOWN = 10
LIST_LIMIT = 50
MAX_LIST_LIMIT = 200
JOB_FILE = "job.json"
PROGRESS_FILE = "progress.json"
TXT_ZIP = "translations.zip"
RESULT_FILES = {"jsonl": JSONL_NAME, "tmx": TMX_NAME}
#: An upload that has not finished after this long was cut off with its worker.
STALE_INCOMING_SECONDS = 24 * 3600


class JobNotFound(TranslatorError):
    code = "job_not_found"
    http_status = 404


class JobNotDone(TranslatorError):
    """The job has no result (yet): queued, running, failed or cancelled."""

    code = "job_not_done"
    http_status = 409


class UnsupportedMediaType(InputError):
    code = "unsupported_media_type"
    http_status = 415


def stamp() -> str:
    """UTC time with milliseconds: jobs created in the same second still sort in order."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


@dataclass
class Job:
    """One job's job.json: the request, and where the job stands."""

    id: str
    created: str
    target: str
    source: str
    glossary: str | None
    format: str
    filename: str
    size: int
    state: str = "queued"
    started: str | None = None
    finished: str | None = None
    error: dict | None = None

    @classmethod
    def from_dict(cls, data: dict) -> "Job":
        return cls(**{name: data.get(name) for name in cls.__dataclass_fields__
                      if name in data})

    @property
    def label(self) -> str:
        """The upload's name without its archive suffix (``news.zip`` -> ``news``)."""
        lower = self.filename.lower()
        suffix = next((s for s in ARCHIVE_SUFFIXES if lower.endswith(s)), "")
        return self.filename[:len(self.filename) - len(suffix)] or "translations"


# -- the jobs folder -----------------------------------------------------------------------

class JobStore:
    """The job folders under ``root``; every process of the service shares them."""

    def __init__(self, root: Path | str):
        self.root = Path(root).expanduser().resolve()

    def ensure(self) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create the jobs folder: {exc.strerror or exc}") from None

    def folder(self, job_id: str) -> Path:
        """The folder of a well-formed id (existing or not); malformed ids are not found."""
        if not isinstance(job_id, str) or not ID_PATTERN.match(job_id):
            raise JobNotFound(f"no job {job_id!r}", id=str(job_id)[:64])
        return self.root / job_id

    def out_dir(self, job: Job) -> Path:
        return self.root / job.id / "out"

    def archive(self, job: Job) -> Path:
        return self.root / job.id / "input" / job.filename

    # -- reading ----------------------------------------------------------------

    def get(self, job_id: str) -> Job:
        try:
            return Job.from_dict(json.loads((self.folder(job_id) / JOB_FILE).read_text("utf-8")))
        except (FileNotFoundError, NotADirectoryError):
            raise JobNotFound(f"no job {job_id!r}", id=job_id) from None

    def ids(self) -> list[str]:
        try:
            return [entry.name for entry in os.scandir(self.root)
                    if ID_PATTERN.match(entry.name) and entry.is_dir()]
        except FileNotFoundError:
            return []

    def jobs(self, skip: set[str] = frozenset()) -> list[Job]:
        """Every job (but ``skip``), oldest first; one deleted meanwhile is left out."""
        found = []
        for job_id in self.ids():
            if job_id in skip:
                continue
            try:
                found.append(self.get(job_id))
            except (JobNotFound, ValueError, TypeError):
                continue  # deleted meanwhile, or a ghost folder the sweep removes
        return sorted(found, key=lambda job: (job.created, job.id))

    def progress(self, job: Job) -> dict:
        try:
            return json.loads((self.root / job.id / PROGRESS_FILE).read_text("utf-8"))
        except (FileNotFoundError, NotADirectoryError, ValueError):
            return {}

    # -- writing ----------------------------------------------------------------

    def save(self, job: Job) -> bool:
        """Rewrite job.json; False when the job was deleted meanwhile."""
        return self._write(job.id, JOB_FILE, asdict(job))

    def save_progress(self, job_id: str, data: dict) -> bool:
        return self._write(job_id, PROGRESS_FILE, data)

    def _write(self, job_id: str, name: str, data: dict) -> bool:
        folder = self.root / job_id
        if not (folder / JOB_FILE).exists():
            return False
        try:
            write_atomically(folder / name, json.dumps(data, ensure_ascii=False, indent=1) + "\n")
        except (FileNotFoundError, NotADirectoryError):
            return False
        return True

    def incoming(self) -> Path:
        """A private folder for an upload in progress (invisible as a job)."""
        self.ensure()
        try:
            return Path(tempfile.mkdtemp(prefix=".incoming-", dir=self.root))
        except OSError as exc:
            raise StoreError(f"cannot store the upload: {exc.strerror or exc}") from None

    def publish(self, incoming: Path, job: Job) -> Job:
        """Write job.json into ``incoming`` and rename it into place: the job appears whole."""
        write_atomically(incoming / JOB_FILE, json.dumps(asdict(job), ensure_ascii=False,
                                                         indent=1) + "\n")
        os.rename(incoming, self.root / job.id)
        return job

    def delete(self, job_id: str) -> None:
        """Mark the job cancelled (a runner watching it stops), move it to the trash and
        remove it unless a runner still holds its ledger (the runner's sweep does it then)."""
        job = self.get(job_id)
        self.save(replace(job, state="cancelled", finished=stamp()))
        trash = self.root / ".trash"
        trash.mkdir(exist_ok=True)
        target = trash / f"{job_id}-{secrets.token_hex(4)}"
        try:
            os.rename(self.root / job_id, target)
        except FileNotFoundError:
            raise JobNotFound(f"no job {job_id!r}", id=job_id) from None
        remove_if_idle(target)

    def sweep(self) -> None:
        """Remove what deletions and crashes left: trash, stale uploads, folders without
        job.json, jobs cancelled before they could be moved."""
        for path in (self.root / ".trash").glob("*"):
            remove_if_idle(path)
        for path in self.root.glob(".incoming-*"):
            if _age(path) > STALE_INCOMING_SECONDS:
                shutil.rmtree(path, ignore_errors=True)
        for job_id in self.ids():
            folder = self.root / job_id
            if not (folder / JOB_FILE).exists():
                remove_if_idle(folder)
        for job in self.jobs():
            if job.state == "cancelled":
                try:
                    self.delete(job.id)
                except JobNotFound:
                    pass


def _age(path: Path) -> float:
    try:
        return time.time() - path.stat().st_mtime
    except OSError:
        return 0.0


def ledger_busy(folder: Path) -> bool:
    """True while some process runs the BatchJob of a job ``folder`` (holds its ledger lock)."""
    try:
        handle = open(folder / "out" / (LEDGER_NAME + ".lock"), "rb")
    except (FileNotFoundError, NotADirectoryError):
        return False
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
        return False


def remove_if_idle(folder: Path) -> None:
    if not ledger_busy(folder):
        shutil.rmtree(folder, ignore_errors=True)


# -- what a client sees ----------------------------------------------------------------------

def job_links(job: Job) -> dict:
    base = f"/v1/jobs/{job.id}"
    return {"self": base, "result": base + "/result", "failures": base + "/failures"}


def job_status(store: JobStore, job: Job) -> dict:
    """The JSON of ``GET /v1/jobs/<id>``: the request, state, counts, speed, first failures."""
    progress = store.progress(job)
    counts = progress.get("counts") or Counts().to_dict()
    finished = counts["done"] + counts["failed"]
    running = job.state == "running"
    return {
        "id": job.id, "state": job.state,
        "created": job.created, "started": job.started, "finished": job.finished,
        "target": job.target, "source": job.source, "glossary": job.glossary,
        "format": job.format, "filename": job.filename, "size": job.size,
        "counts": counts,
        "progress": 1.0 if job.state == "done" else
        round(finished / counts["total"], 4) if counts["total"] else 0.0,
        "rate": progress.get("rate") if running else None,
        "eta_seconds": progress.get("eta_seconds") if running else None,
        "failures": progress.get("failures", []),
        "error": job.error,
        "links": job_links(job),
    }


def result_file(store: JobStore, job: Job) -> tuple[Path, str, str]:
    """(path, media type, download name) of a done job's result; JobNotDone otherwise."""
    require_done(job, "result")
    if job.format == "txt":
        return store.root / job.id / TXT_ZIP, "application/zip", f"{job.label}.{job.target}.zip"
    media = "application/x-ndjson" if job.format == "jsonl" else "application/x-tmx+xml"
    return (store.out_dir(job) / RESULT_FILES[job.format], media,
            f"{job.label}.{job.target}.{job.format}")


def failures_file(store: JobStore, job: Job) -> Path | None:
    """The failures.jsonl of a done job, None when no article failed; JobNotDone before."""
    require_done(job, "failures list")
    path = store.out_dir(job) / FAILURES_NAME
    return path if path.exists() else None


def require_done(job: Job, what: str) -> None:
    if job.state == "done":
        return
    reason = {"queued": "it is queued", "running": "it is still running",
              "failed": f"it failed: {(job.error or {}).get('message', 'see error')}",
              "cancelled": "it was cancelled"}.get(job.state, job.state)
    raise JobNotDone(f"job {job.id} has no {what}: {reason}", id=job.id, state=job.state)


# -- receiving a job --------------------------------------------------------------------------

def submit(service) -> Job:
    """Receive ``POST /v1/jobs`` (multipart with an ``archive`` file, or the archive as the
    body with fields as query parameters), validate it and publish the job, queued."""
    store: JobStore = service.jobs
    request.max_content_length = service.settings.max_upload_bytes
    multipart = request.mimetype == "multipart/form-data"
    if not multipart and request.mimetype not in RAW_TYPES:
        raise UnsupportedMediaType(
            "send the archive as multipart/form-data (file field 'archive') or as the body "
            f"with Content-Type application/zip or application/gzip, not "
            f"{request.mimetype or 'no Content-Type'}", content_type=request.mimetype)
    fields = request.args.to_dict()
    # A raw body's fields are all in the URL: refuse bad ones before reading the body.
    params = None if multipart else job_params(fields, service)
    incoming = store.incoming()
    try:
        if multipart:
            form, upload, upload_name = _receive_multipart(incoming)
            fields.update(form)
            params = job_params(fields, service)
        else:
            upload, upload_name = _receive_raw(incoming), _disposition_filename()
        name, size = _place_archive(incoming, upload, fields.get("filename") or upload_name)
        job = Job(id=secrets.token_hex(8), created=stamp(), filename=name, size=size, **params)
        return store.publish(incoming, job)
    except OSError as exc:  # disk full, permissions: the server's problem, not the client's
        shutil.rmtree(incoming, ignore_errors=True)
        raise StoreError(f"cannot store the upload: {exc.strerror or exc}") from None
    except BaseException:
        shutil.rmtree(incoming, ignore_errors=True)
        raise


def job_params(fields: dict, service) -> dict:
    """target, source, glossary, format of a job, checked like ``/v1/translate`` checks them."""
    unknown = sorted(set(fields) - set(FIELDS))
    if unknown:
        raise UnknownField(f"unknown field {unknown[0]!r}; fields: {', '.join(FIELDS)}",
                           field=unknown[0])
    if not fields.get("target"):
        raise MissingField("field 'target' is required", field="target")
    target = language_field(fields["target"], "target")
    source = language_field(fields.get("source", AUTO), "source", allow_auto=True)
    check_route(service.pipeline, source, target)
    glossary = fields.get("glossary") or None
    service.named_glossary(glossary)  # an unknown stored name is refused now, not later
    fmt = fields.get("format") or "jsonl"
    if fmt not in FORMATS:
        raise InvalidField(f"field 'format' must be one of {', '.join(FORMATS)}", field="format")
    return {"target": target, "source": source, "glossary": glossary, "format": fmt}


def check_route(pipeline, source: str, target: str) -> None:
    """Refuse a pair no route serves (with ``auto``: a target nothing translates to)."""
    if source == target:
        return
    if source != AUTO:
        pipeline.route(source, target)
    elif not pipeline.router.sources(target):
        raise UnsupportedPair(f"nothing can be translated to {target}; languages: "
                              f"{', '.join(pipeline.languages()) or 'none'}",
                              source=source, target=target)


def _receive_multipart(incoming: Path) -> tuple[dict, Path, str | None]:
    """Stream the form's files into ``incoming``; (text fields, the archive part, its name)."""
    parts: list = []

    def stream_factory(total_content_length, content_type, filename, content_length=None):
        handle = open(incoming / f"part-{len(parts)}", "wb+")
        parts.append(handle)
        return handle

    parser = FormDataParser(stream_factory=stream_factory, max_form_memory_size=64 * 1024,
                            max_form_parts=100)
    try:
        _, form, files = parser.parse(request.stream, request.mimetype, request.content_length,
                                      request.mimetype_params)
    finally:
        for handle in parts:
            handle.close()
    others = sorted(set(files) - {"archive"})
    if others:
        raise UnknownField(f"unknown file field {others[0]!r}; send the archive as 'archive'",
                           field=others[0])
    uploads = files.getlist("archive")
    if not uploads:
        raise MissingField("file field 'archive' is required (a .zip or .tar.gz)", field="archive")
    if len(uploads) > 1:
        raise InvalidField("send one archive per job", field="archive")
    return form.to_dict(), Path(uploads[0].stream.name), uploads[0].filename


def _receive_raw(incoming: Path) -> Path:
    """Stream the request body into ``incoming`` (its size bounded by max_content_length)."""
    path = incoming / "body"
    with open(path, "wb") as out:
        shutil.copyfileobj(request.stream, out, 1024 * 1024)
    return path


def _disposition_filename() -> str | None:
    """The archive's name from a raw body's Content-Disposition header, if any."""
    _, options = parse_options_header(request.headers.get("Content-Disposition", ""))
    return options.get("filename")


def _place_archive(incoming: Path, upload: Path, raw_name: str | None) -> tuple[str, int]:
    """Check the upload is a readable archive; move it to ``input/`` under a safe name
    ending in the suffix its content calls for. Returns (name, size)."""
    size = upload.stat().st_size
    if size == 0:
        raise BadArchive("the upload is empty; send a .zip or .tar.gz archive", field="archive")
    with open(upload, "rb") as handle:
        magic = handle.read(4)
    if magic.startswith(ZIP_MAGIC):
        kind = ".zip"
    elif magic.startswith(GZIP_MAGIC):
        kind = ".tar.gz"
    else:
        raise BadArchive("the upload is not a .zip or .tar.gz archive", field="archive")
    name = archive_name(raw_name, kind)
    (incoming / "input").mkdir()
    path = incoming / "input" / name
    os.rename(upload, path)
    with open_archive(path, label=name) as archive:
        if not any(True for _ in archive.members()):
            raise BadArchive(f"{name}: the archive holds no files", field="archive")
    return name, size


_UNSAFE_NAME = re.compile(r"[^\w.\-]+")


def archive_name(raw: str | None, kind: str) -> str:
    """A safe file name for the upload (no folders, no odd characters) ending in ``kind``,
    or in .tgz when a gzip upload was named so."""
    base = re.split(r"[\\/]", raw or "")[-1]
    base = _UNSAFE_NAME.sub("_", base).strip("._")[:100]
    lower = base.lower()
    if kind == ".tar.gz" and lower.endswith((".tar.gz", ".tgz")):
        return base
    if kind == ".zip" and lower.endswith(".zip"):
        return base
    for suffix in ARCHIVE_SUFFIXES:
        if lower.endswith(suffix):
            base = base[:-len(suffix)]
            break
    return (base or "upload") + kind


# -- running jobs -----------------------------------------------------------------------------

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
        self._lock_file = None
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
        if self._lock_file is not None:
            self._lock_file.close()
            self._lock_file = None

    @property
    def active(self) -> bool:
        """This process holds the runner lock."""
        return self._lock_file is not None

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
        if self._lock_file is not None:
            return True
        self.store.ensure()
        handle = open(self.store.root / "runner.lock", "a")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        self._lock_file = handle
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
            summary = self._batch(job).run([str(self.store.archive(job))],
                                           progress=JobProgress(self.store, job), stop=stop)
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
            self._finish(job, "done")
        elif not stop.is_set():
            self._finish(job, "failed", {"code": "internal_error", "message":
                                         f"the run ended with {summary.counts.pending} "
                                         "articles pending"})

    def _batch(self, job: Job) -> BatchJob:
        prefix = str(self.store.archive(job).parent) + os.sep
        return BatchJob(self.store.out_dir(job), self.service.pipeline, target=job.target,
                        source=job.source, glossary=self.service.named_glossary(job.glossary),
                        fmt=job.format, relabel=lambda text: text.replace(prefix, ""))

    def _finish(self, job: Job, state: str, error: dict | None = None) -> None:
        current = self.store.get(job.id)
        if current.state == "cancelled":
            return
        self.store.save(replace(current, state=state, finished=stamp(), error=error))
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
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle, zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as zf:
            for file in sorted(p for p in folder.rglob("*") if p.is_file()):
                zf.write(file, file.relative_to(folder).as_posix())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path

