"""The engine work of a batch chunk, wherever it runs: in this process, or on a Ray actor.

The driver plans each chunk (:meth:`Pipeline.plan`): the distinct sentences that no
earlier chunk of the job has, per language. That plan, a :data:`Todo`, is all an
executor sees; it sends each language's list to the engines as one batch, so a chunk's
engine batches are the same whichever executor runs it, and the driver assembles and
commits the articles in order.
"""

from __future__ import annotations

import queue
import threading
from dataclasses import dataclass, field
from typing import Callable, NamedTuple

from ..engines.base import cancellable
from ..errors import Cancelled, TranslatorError
from ..pipeline import Pipeline, SentenceTranslation

#: language -> the distinct sentences of a chunk left for the engines (one batch each)
Todo = dict[str, list[str]]


class Failure(NamedTuple):
    """Why a sentence could not be translated; plain data, so it crosses processes."""

    code: str
    message: str

    @classmethod
    def of(cls, exc: BaseException) -> "Failure":
        if isinstance(exc, TranslatorError):
            return cls(exc.code, str(exc))
        return cls("internal_error", f"{type(exc).__name__}: {exc}")


class SentenceFailed(TranslatorError):
    """An article failed because the engines failed on one of its sentences."""

    def __init__(self, failure: Failure):
        super().__init__(failure.message)
        self.code = failure.code


@dataclass
class Work:
    """What the engines made of a :data:`Todo`: per language, each sentence's translation
    or its failure."""

    translations: dict[str, dict[str, SentenceTranslation]] = field(default_factory=dict)
    failed: dict[str, dict[str, Failure]] = field(default_factory=dict)

    def add(self, other: "Work") -> None:
        for lang, items in other.translations.items():
            self.translations.setdefault(lang, {}).update(items)
        for lang, items in other.failed.items():
            self.failed.setdefault(lang, {}).update(items)

    @property
    def sentences(self) -> int:
        return sum(len(items) for items in self.translations.values())


def sentences_of(todo: Todo) -> int:
    return sum(len(sentences) for sentences in todo.values())


def halves(todo: Todo) -> list[Todo]:
    """``todo`` cut in two (by sentences, each language's order kept): how a chunk that
    keeps killing its worker is narrowed down to the sentence that does it."""
    flat = [(lang, s) for lang, sentences in todo.items() for s in sentences]
    half = len(flat) // 2
    parts: list[Todo] = [{}, {}]
    for index, (lang, sentence) in enumerate(flat):
        parts[index >= half].setdefault(lang, []).append(sentence)
    return [part for part in parts if part]


def translate_todo(pipeline: Pipeline, todo: Todo, target: str, glossary) -> Work:
    """Each language's sentences through its route as one batch. When the engine fails,
    the batch is halved until the sentences that cause it are found: one bad sentence
    costs its neighbours nothing."""
    work = Work()
    for lang, sentences in todo.items():
        pending = [sentences]
        while pending:
            part = pending.pop()
            if not part:
                continue
            try:
                done = pipeline.translate_sentences(lang, target, part, glossary)
            except Cancelled:
                raise  # the chunk is not wanted any more: no halves to try
            except Exception as exc:
                if len(part) == 1:
                    work.failed.setdefault(lang, {})[part[0]] = Failure.of(exc)
                else:
                    half = len(part) // 2
                    pending += [part[half:], part[:half]]
                continue
            work.translations.setdefault(lang, {}).update(done)
    return work


#: what an executor hands back for a chunk: its work, or an error that ends the run
Deliver = Callable[[int, "Work | BaseException"], None]


class LocalExecutor:
    """The engine work on one thread of this process, chunk after chunk in the order
    submitted. The engine uses every core itself (CTranslate2's replicas, Apertium's
    pipelines); the driver reads the next chunk and commits the last one meanwhile."""

    #: chunks submitted and not yet committed: one translating, one waiting its turn
    capacity = 2

    def __init__(self, pipeline: Pipeline, target: str, glossary, deliver: Deliver,
                 pause: Callable[[], None] | None = None):
        self.pipeline, self.target, self.glossary = pipeline, target, glossary
        self.deliver, self.pause = deliver, pause
        self.queue: queue.Queue = queue.Queue()
        self.stopped = threading.Event()  # closed: no chunk is wanted any more
        self.thread = threading.Thread(target=self._run, name="batch-engine", daemon=True)
        self.thread.start()

    def submit(self, order: int, todo: Todo) -> None:
        self.queue.put((order, todo))

    def _run(self) -> None:
        while True:
            item = self.queue.get()
            if item is None or self.stopped.is_set():
                return  # the chunks still waiting are dropped
            order, todo = item
            try:
                if self.pause is not None:
                    self.pause()
                if self.stopped.is_set():
                    return
                with cancellable(self.stopped):
                    outcome: Work | BaseException = translate_todo(self.pipeline, todo,
                                                                   self.target, self.glossary)
            except BaseException as exc:  # noqa: BLE001 - handed to the driver, which raises it
                outcome = exc
            self.deliver(order, outcome)

    def close(self) -> None:
        """Take no more work: the chunks waiting are dropped and the one in the engine is
        cancelled (Apertium stops within its batch, its pipeline killed; work on other
        engines ends on its own), so that nothing goes on starting Apertium processes once
        the caller closes its pipeline (the CLI does as soon as a stopped run returns)."""
        self.stopped.set()
        self.queue.put(None)
