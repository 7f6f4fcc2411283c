"""What a client sees of a job: its status JSON, links, and its result and failures files."""

from __future__ import annotations

from pathlib import Path

from ...batch.ledger import Counts
from ...batch.outputs import FAILURES_NAME, JSONL_NAME, TMX_NAME
from ...errors import TranslatorError
from ...formats import registry
from .store import DOCUMENTS_ZIP, TXT_ZIP, Job, JobStore

LIST_LIMIT = 50
MAX_LIST_LIMIT = 200
RESULT_FILES = {"jsonl": JSONL_NAME, "tmx": TMX_NAME}


class JobNotDone(TranslatorError):
    """The job has no result (yet): queued, running, failed or cancelled."""

    code = "job_not_done"
    http_status = 409


class NoDocuments(TranslatorError):
    """A done job none of whose articles was a document to write back in its own format."""

    code = "documents_not_found"
    http_status = 404


def job_links(job: Job) -> dict:
    base = f"/v1/jobs/{job.id}"
    links = {"self": base, "result": base + "/result", "failures": base + "/failures"}
    if job.state == "done" and job.documents:
        links["documents"] = base + "/documents"
    return links


def job_status(store: JobStore, job: Job) -> dict:
    """The JSON of ``GET /v1/jobs/<id>``: the request, state, counts, speed, first failures."""
    progress = store.progress(job)
    counts = progress.get("counts") or Counts().to_dict()
    finished = counts["done"] + counts["failed"]
    running = job.state == "running"
    return {
        "id": job.id, "state": job.state, "desk": job.desk,
        "created": job.created, "started": job.started, "finished": job.finished,
        "target": job.target, "source": job.source,
        "glossary": job.glossary.split("/", 1)[-1] if job.glossary else job.glossary,
        "format": job.format, "filename": job.filename, "size": job.size,
        "counts": counts,
        "documents": job.documents if job.state == "done" else None,
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
        return (store.root / job.id / TXT_ZIP, registry.FORMATS["txt"].media_type,
                f"{job.label}.{job.target}.zip")
    return (store.out_dir(job) / RESULT_FILES[job.format], registry.FORMATS[job.format].media_type,
            f"{job.label}.{job.target}.{job.format}")


def documents_file(store: JobStore, job: Job) -> tuple[Path, str]:
    """(path, download name) of the zip of a done job's documents in their own format;
    JobNotDone before, NoDocuments for a job that had none (or whose documents all failed:
    see its failures)."""
    require_done(job, "documents")
    path = store.root / job.id / DOCUMENTS_ZIP
    if not job.documents or not path.exists():
        raise NoDocuments(f"job {job.id} wrote no document in its own format: its articles "
                          "were plain text, or every document failed (see its failures)",
                          id=job.id)
    return path, f"{job.label}.{job.target}.documents.zip"


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
