"""The one small interface every translation engine implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import Iterator, Protocol

Pair = tuple[str, str]


class CancelSignal(Protocol):
    """Anything that says whether the work is still wanted (``threading.Event`` does)."""

    def is_set(self) -> bool: ...


# The signal of the request a thread is translating for: engines that can stop in the
# middle of a batch read it (see cancellable), others need not know.
_CANCEL: ContextVar[CancelSignal | None] = ContextVar("translator_cancel", default=None)


@contextmanager
def cancellable(signal: CancelSignal | None) -> Iterator[None]:
    """Engine calls made within may stop early, raising ``Cancelled``, once ``signal`` is
    set (Apertium kills its pipelines in the middle of a batch); None: no one may stop them."""
    token = _CANCEL.set(signal)
    try:
        yield
    finally:
        _CANCEL.reset(token)


def cancel_signal() -> CancelSignal | None:
    """The signal of the work the calling thread does (see :func:`cancellable`)."""
    return _CANCEL.get()


@dataclass(frozen=True)
class Leftover:
    """A word the engine left untranslated: ``text[start:end]`` of its output.

    ``kind`` says why (Apertium's marks): ``unknown`` (not in the dictionary, ``*``),
    ``generation`` (no form could be generated, ``#``), ``transfer`` (``@``).
    ``step`` is the step of a route that left it (0 for a single engine).
    """

    start: int
    end: int
    kind: str = "unknown"
    step: int = 0


@dataclass(frozen=True)
class EngineOutput:
    """One sentence's translation: the text, the words left untranslated in it, and
    the engine's own confidence in [0, 1] (None when the engine gives none)."""

    text: str
    leftovers: tuple[Leftover, ...] = ()
    score: float | None = None

    def edited(self, text: str) -> "EngineOutput":
        """This output after ``text`` replaced its text (the glossary rewrote a name, fixed
        an article): each leftover moves with its word; one whose word was edited is gone."""
        from ..spans import follow_edit

        moved = follow_edit(self.text, text, [(lo.start, lo.end) for lo in self.leftovers])
        return EngineOutput(text, tuple(replace(lo, start=span[0], end=span[1])
                                        for lo, span in zip(self.leftovers, moved) if span),
                            self.score)


class Engine(ABC):
    """Translates batches of sentences for the language pairs it serves.

    Engines are created once and shared: ``translate`` must be safe to call from
    several threads. Sentences come in without newlines; the i-th output is the
    translation of the i-th input, always, with as many outputs as inputs, and it
    depends on that input alone, never on the other sentences of the batch.
    """

    #: short engine family name shown in routes: "ctranslate2", "apertium"
    kind: str = ""
    #: relative cost used to choose among routes; lower is preferred
    cost: float = 1.0

    @property
    @abstractmethod
    def name(self) -> str:
        """A name unique among loaded engines (e.g. the package name)."""

    @abstractmethod
    def pairs(self) -> set[Pair]:
        """The (source, target) canonical language pairs this engine serves directly."""

    @abstractmethod
    def translate(self, sentences: list[str], source: str, target: str) -> list[EngineOutput]:
        """Translate ``sentences`` from ``source`` to ``target``; one output per input."""

    def translate_batch(self, sentences: list[str], source: str, target: str) -> list[str]:
        """The translations' texts alone."""
        return [output.text for output in self.translate(sentences, source, target)]

    def hypotheses(self, sentences: list[str], source: str, target: str,
                   count: int) -> list[list[str]]:
        """Up to ``count`` distinct translations of each sentence, best first. Engines that
        produce one answer (Apertium) give just that one: they have no alternatives."""
        return [[text] for text in self.translate_batch(sentences, source, target)]

    def check(self, sentence: str, source: str, target: str) -> EngineOutput:
        """Translate one test sentence as a request would (readiness checks); raises when
        the pair is broken. Engines whose installation can change under a running process
        also check it here."""
        return self.translate([sentence], source, target)[0]

    def describe(self) -> dict:
        """What this engine is, for `/v1/languages`, `translator languages` and result signatures."""
        return {"name": self.name, "engine": self.kind,
                "pairs": sorted(f"{s}-{t}" for s, t in self.pairs())}

    def signature(self) -> str:
        """``kind:name@version``: what a result, a batch job or a Ray actor records of this
        engine (``@version`` when the engine has one)."""
        version = self.describe().get("version")
        return f"{self.kind}:{self.name}" + (f"@{version}" if version else "")

    def load(self) -> None:
        """Load what the engine needs now rather than on its first use (the service does it
        at start). Engines with nothing to load keep this no-op."""

    @property
    def loaded(self) -> bool:
        """Whether :meth:`load` has nothing left to do."""
        return True

    def close(self) -> None:
        """Release resources (loaded models, processes)."""
