"""The one small interface every translation engine implements."""

from __future__ import annotations

from abc import ABC, abstractmethod

Pair = tuple[str, str]


class Engine(ABC):
    """Translates batches of sentences for the language pairs it serves.

    Engines are created once and shared: ``translate_batch`` must be safe to call
    from several threads. Sentences come in without newlines; the i-th output is
    the translation of the i-th input, always, with as many outputs as inputs.
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
    def translate_batch(self, sentences: list[str], source: str, target: str) -> list[str]:
        """Translate ``sentences`` from ``source`` to ``target``; one output per input."""

    def describe(self) -> dict:
        """What this engine is, for `/v1/languages`, `translator languages` and result signatures."""
        return {"name": self.name, "engine": self.kind,
                "pairs": sorted(f"{s}-{t}" for s, t in self.pairs())}

    def close(self) -> None:
        """Release resources (loaded models, processes)."""
