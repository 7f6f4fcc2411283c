"""Micro-batching: sentences of concurrent requests translated in one engine batch.

With gunicorn threads, concurrent requests call the same engine. Each request's
sentences are few (one article), so each batch is small; CTranslate2 decodes larger
batches, sorted by length, more efficiently. Sharing a batch shares nothing else:
engines translate each sentence of a batch on its own (tests/test_isolation.py), so no
word of one client's text can reach another's. :class:`BatchingEngine` wraps an engine:
the first caller of a language pair opens a batch and waits ``wait`` seconds for
others to add their sentences; then the batch is translated once and every caller
gets its own outputs. At most ``max_inflight`` batches run at a time: while they do,
new callers keep joining the open batch, so under load batches grow by themselves
("collect while busy") and at low load a request waits only ``wait``. Enabled by
``settings.batch_wait_ms``; benchmarks/service.py measures what it brings.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field

from ..engines.base import CancelSignal, Engine, EngineOutput, Pair, cancel_signal, cancellable
from ..errors import Cancelled

MAX_SENTENCES = 2048
MAX_INFLIGHT = 2


@dataclass
class _Job:
    sentences: list[str]
    cancelled: CancelSignal | None = None  # its request's signal
    outputs: list[EngineOutput] | None = None
    error: BaseException | None = None


@dataclass
class _Batch:
    jobs: list[_Job] = field(default_factory=list)
    sentences: int = 0
    closed: bool = False
    done: threading.Event = field(default_factory=threading.Event)


class BatchingEngine(Engine):
    """An engine whose concurrent callers share batches; otherwise the wrapped engine."""

    def __init__(self, inner: Engine, wait: float, max_sentences: int = MAX_SENTENCES,
                 max_inflight: int = MAX_INFLIGHT):
        self.inner = inner
        self.kind = inner.kind
        self.cost = inner.cost
        self.wait = wait
        self.max_sentences = max_sentences
        self.max_inflight = max_inflight
        self._inflight = 0
        self._open: dict[tuple[str, str], _Batch] = {}
        self._cond = threading.Condition()

    @property
    def name(self) -> str:
        return self.inner.name

    def pairs(self) -> set[Pair]:
        return self.inner.pairs()

    def describe(self) -> dict:
        return self.inner.describe()

    def signature(self) -> str:
        return self.inner.signature()

    @property
    def loaded(self) -> bool:
        return self.inner.loaded

    def load(self) -> None:
        self.inner.load()

    def close(self) -> None:
        self.inner.close()

    def hypotheses(self, sentences: list[str], source: str, target: str,
                   count: int) -> list[list[str]]:
        # Alternatives are asked for rarely and decode wider beams: not worth sharing batches.
        return self.inner.hypotheses(sentences, source, target, count)

    def check(self, sentence: str, source: str, target: str) -> EngineOutput:
        # A readiness check must not wait for, or join, the batches of requests.
        return self.inner.check(sentence, source, target)

    def translate(self, sentences: list[str], source: str, target: str) -> list[EngineOutput]:
        if not sentences:
            return []
        job = _Job(list(sentences), cancel_signal())
        batch, leader = self._join(job, (source, target))
        if leader:
            self._run(batch, source, target)
        else:
            batch.done.wait()
        if job.error is not None:
            raise job.error
        return job.outputs

    def _join(self, job: _Job, key: tuple[str, str]) -> tuple[_Batch, bool]:
        with self._cond:
            batch = self._open.get(key)
            leader = batch is None
            if leader:
                batch = self._open[key] = _Batch()
            batch.jobs.append(job)
            batch.sentences += len(job.sentences)
            if batch.sentences >= self.max_sentences:
                self._close(key, batch)
            if leader:
                deadline = time.monotonic() + self.wait
                while True:
                    remaining = deadline - time.monotonic()
                    if (batch.closed or remaining <= 0) and self._inflight < self.max_inflight:
                        break
                    self._cond.wait(remaining if remaining > 0 and not batch.closed else None)
                self._close(key, batch)
                self._inflight += 1
        return batch, leader

    def _close(self, key: tuple[str, str], batch: _Batch) -> None:
        batch.closed = True
        if self._open.get(key) is batch:
            del self._open[key]
        self._cond.notify_all()

    def _finished(self) -> None:
        with self._cond:
            self._inflight -= 1
            self._cond.notify_all()

    def _run(self, batch: _Batch, source: str, target: str) -> None:
        try:
            merged = [s for job in batch.jobs for s in job.sentences]
            try:
                # The leader's own signal must not stop the others' sentences.
                with cancellable(_everyone_gone(batch.jobs)):
                    outputs = self.inner.translate(merged, source, target)
            except Cancelled:
                raise
            except Exception:
                if len(batch.jobs) == 1:
                    raise
                self._run_each(batch.jobs, source, target)  # one bad job must not fail the others
                return
            start = 0
            for job in batch.jobs:
                job.outputs = outputs[start:start + len(job.sentences)]
                start += len(job.sentences)
        except BaseException as exc:
            for job in batch.jobs:
                job.error = exc
        finally:
            self._finished()
            batch.done.set()

    def _run_each(self, jobs: list[_Job], source: str, target: str) -> None:
        for job in jobs:
            try:
                with cancellable(job.cancelled):
                    job.outputs = self.inner.translate(job.sentences, source, target)
            except Exception as exc:
                job.error = exc


class _AllSet:
    def __init__(self, signals: list[CancelSignal]):
        self.signals = signals

    def is_set(self) -> bool:
        return all(signal.is_set() for signal in self.signals)


def _everyone_gone(jobs: list[_Job]) -> CancelSignal | None:
    """The signal that a batch is wanted by none of its requests (None: one cannot say)."""
    signals = [job.cancelled for job in jobs]
    if any(signal is None for signal in signals):
        return None
    return signals[0] if len(signals) == 1 else _AllSet(signals)


def batched(engine: Engine, wait: float) -> Engine:
    """``engine`` wrapped for micro-batching, with one batch in flight per core (CTranslate2
    has one replica per core by default; Apertium runs one process per batch)."""
    return BatchingEngine(engine, wait, max_inflight=os.cpu_count() or 1)
