"""Batch translation of archives: inputs, the job ledger, the runner, outputs, progress.

``BatchJob(out_dir, pipeline, target=...).run(inputs)`` is what ``translator batch``
and the service's ``/v1/jobs`` both call; see docs/batch.md.
"""

from .ledger import Counts, Ledger, LedgerMismatch
from .outputs import FORMATS
from .runner import BatchJob, JobBusy, Summary

__all__ = ["BatchJob", "Summary", "Ledger", "Counts", "LedgerMismatch", "JobBusy", "FORMATS"]
