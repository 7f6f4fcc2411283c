"""Batch jobs over HTTP: uploaded archives translated in the background, surviving restarts.

A job is a folder under ``jobs_dir`` named by its id, self-contained::

    <id>/job.json           what was asked and the job's state (rewritten atomically)
    <id>/progress.json      counts, rate, ETA and first failures, written by the runner
    <id>/input/<name>       the uploaded archive (its sanitised name shows in article ids)
    <id>/out/               the BatchJob folder: ledger, translations, failures.jsonl
    <id>/translations.zip   txt jobs: the out/txt folder, zipped when the job is done
    <id>/documents.zip      the archive's documents in their own format (out/documents),
                            zipped when the job is done

An upload is received into ``.incoming-*`` and renamed into place, so a job folder
always holds its job.json; a deleted job is renamed into ``.trash/`` and removed once
no runner holds its ledger. One process at a time runs jobs (``runner.lock``), oldest
first; a job left queued or running by a process that died is taken up again, and
:class:`~translator.batch.BatchJob` resumes it from its ledger.

Modules: :mod:`.store` the job folders, :mod:`.upload` receiving ``POST /v1/jobs``,
:mod:`.status` what a client sees of a job, :mod:`.runner` the background runner.
"""

from __future__ import annotations

from .runner import JobProgress, JobRunner
from .status import (LIST_LIMIT, MAX_LIST_LIMIT, JobNotDone, NoDocuments, documents_file,
                     failures_file, job_status, result_file)
from .store import Job, JobNotFound, JobStore
from .upload import UnsupportedMediaType, submit

__all__ = ["Job", "JobStore", "JobRunner", "JobProgress", "JobNotFound", "JobNotDone",
           "NoDocuments", "UnsupportedMediaType", "job_status", "result_file", "documents_file",
           "failures_file", "submit", "LIST_LIMIT", "MAX_LIST_LIMIT"]
