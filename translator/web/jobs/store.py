"""The job folders under ``jobs_dir``: one job.json each, written atomically, shared by
every process of the service (the layout is in the package docstring)."""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timezone
from pathlib import Path

from ...archive import ARCHIVE_SUFFIXES
from ...batch.ledger import LEDGER_NAME
from ...batch.outputs import write_atomically
from ...fsutil import held_elsewhere
from ...errors import TranslatorError
from ...store.db import StoreError

ID_PATTERN = re.compile(r"^[0-9a-f]{16}$")
JOB_FILE = "job.json"
PROGRESS_FILE = "progress.json"
TXT_ZIP = "translations.zip"
#: the archive's documents (.docx, .odt, .pptx, .html) in their own format, zipped when done
DOCUMENTS_ZIP = "documents.zip"
#: An upload that has not finished after this long was cut off with its worker.
STALE_INCOMING_SECONDS = 24 * 3600


class JobNotFound(TranslatorError):
    code = "job_not_found"
    http_status = 404


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
    desk: str = "default"  # the desk that submitted it: no other desk sees it (admins do)
    documents: int | None = None  # documents written back in their own format (when done)

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
    return held_elsewhere(folder / "out" / (LEDGER_NAME + ".lock"))


def remove_if_idle(folder: Path) -> None:
    if not ledger_busy(folder):
        shutil.rmtree(folder, ignore_errors=True)
