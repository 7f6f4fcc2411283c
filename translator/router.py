"""Routes: which engines, in which order, translate a language pair.

A route is one direct step when an engine serves the pair, otherwise a chain of
steps through pivot languages (fr->es->en on Apertium, vi->en->fr on two models).
The cheapest route wins: CTranslate2 models over Apertium, fewer steps over more.
Routes of equal cost are told apart by a declared order of pivot languages (setting
``pivot``), never by the order in which engines list their pairs: installing another
Apertium pair must not change the route of a pair it does not improve.
"""

from __future__ import annotations

import heapq
import re
from dataclasses import dataclass, replace
from itertools import count
from typing import Sequence

from .engines.base import Engine, EngineOutput, Leftover
from .errors import UnsupportedPair

MAX_STEPS = 3
# Pivots in order of preference among routes of equal cost: English first (most models
# pivot through it), then Spanish (Apertium's widest set of pairs).
PIVOTS = ("en", "es")
# Measured per direction on Apertium (benchmarks/pivot_quality.py, docs/ARCHITECTURE.md):
# fr->en is clearly better through Spanish, en->fr through Catalan.
PAIR_PIVOTS: dict[tuple[str, str], tuple[str, ...]] = {
    ("fr", "en"): ("es", "ca"),
    ("en", "fr"): ("ca", "es"),
}


@dataclass(frozen=True)
class Step:
    engine: Engine
    source: str
    target: str

    def to_dict(self) -> dict:
        return {"engine": self.engine.kind, "model": self.engine.name,
                "source": self.source, "target": self.target}


@dataclass(frozen=True)
class Route:
    source: str
    target: str
    steps: tuple[Step, ...]

    @property
    def cost(self) -> float:
        return sum(step.engine.cost for step in self.steps)

    @property
    def pivots(self) -> list[str]:
        return [step.target for step in self.steps[:-1]]

    def translate(self, sentences: list[str]) -> list[EngineOutput]:
        """Run ``sentences`` through every step, each step as one batch. A word a step
        left untranslated is followed to the end and credited to the first step that
        left it (a French word Apertium's fr->es did not know is still in the English)."""
        outputs = [EngineOutput(sentence) for sentence in sentences]
        for index, step in enumerate(self.steps):
            fresh = step.engine.translate([o.text for o in outputs], step.source, step.target)
            outputs = [_follow(before, after, index) for before, after in zip(outputs, fresh)]
        return outputs

    def describe(self) -> str:
        """``fr -> es (apertium) -> en (apertium)``."""
        parts = [self.source]
        for step in self.steps:
            parts.append(f"{step.target} ({step.engine.kind}:{step.engine.name})")
        return " -> ".join(parts)

    def to_dict(self) -> dict:
        return {"source": self.source, "target": self.target, "pivots": self.pivots,
                "steps": [step.to_dict() for step in self.steps]}


class Router:
    """Finds the best route for a pair among a fixed set of engines."""

    def __init__(self, engines: list[Engine], prefer: str = "auto",
                 pivots: Sequence[str] = PIVOTS,
                 pair_pivots: dict[tuple[str, str], Sequence[str]] | None = None):
        self.engines = list(engines)
        self.prefer = prefer
        self.pivots = tuple(pivots)
        self.pair_pivots = {**PAIR_PIVOTS, **{pair: tuple(order) for pair, order
                                              in (pair_pivots or {}).items()}}
        self._edges: dict[str, list[tuple[str, Engine]]] = {}
        for engine in self.engines:
            for source, target in sorted(engine.pairs()):
                self._edges.setdefault(source, []).append((target, engine))
        self._cache: dict[tuple[str, str], Route | None] = {}

    def _step_cost(self, engine: Engine) -> float:
        cost = engine.cost
        if self.prefer not in ("auto", "") and engine.kind != self.prefer:
            cost += 10.0
        return cost

    def pivot_order(self, source: str, target: str) -> tuple[str, ...]:
        """The declared pivot order for a pair: its own (measured or set), then the general one."""
        return tuple(dict.fromkeys(self.pair_pivots.get((source, target), ()) + self.pivots))

    @staticmethod
    def _rank(pivot: str, order: tuple[str, ...]) -> tuple[int, str]:
        """A pivot's place in ``order``; unlisted pivots after, alphabetically."""
        if pivot in order:
            return order.index(pivot), ""
        return len(order), pivot

    def find(self, source: str, target: str) -> Route | None:
        """The cheapest route from ``source`` to ``target``, or None."""
        key = (source, target)
        if key not in self._cache:
            self._cache[key] = self._search(source, target)
        return self._cache[key]

    def route(self, source: str, target: str) -> Route:
        """Like :meth:`find`, raising :class:`UnsupportedPair` naming what is available."""
        found = self.find(source, target)
        if found is None:
            raise UnsupportedPair(
                f"no route from {source} to {target}; available targets from {source}: "
                f"{', '.join(self.targets(source)) or 'none'}",
                source=source, target=target)
        return found

    def _search(self, source: str, target: str) -> Route | None:
        # Dijkstra over languages. Equal costs: fewer steps, then the declared pivot
        # order, then the engines' names; never the order engines were listed in.
        pivots = self.pivot_order(source, target)
        order = count()
        queue = [(0.0, 0, (), next(order), source, ())]
        best: dict[str, float] = {}
        while queue:
            cost, nsteps, ranks, _, lang, steps = heapq.heappop(queue)
            if lang == target and steps:
                return Route(source, target, steps)
            if best.get(lang, float("inf")) <= cost or nsteps >= MAX_STEPS:
                continue
            best[lang] = cost
            for nxt, engine in self._edges.get(lang, []):
                if nxt == source or any(s.target == nxt for s in steps):
                    continue
                rank = () if nxt == target else (self._rank(nxt, pivots),)
                heapq.heappush(queue, (cost + self._step_cost(engine), nsteps + 1,
                                       ranks + rank + ((0, engine.kind + ":" + engine.name),),
                                       next(order), nxt, steps + (Step(engine, lang, nxt),)))
        return None

    def languages(self) -> set[str]:
        return {lang for engine in self.engines for pair in engine.pairs() for lang in pair}

    def targets(self, source: str) -> list[str]:
        return sorted(t for t in self.languages() if t != source and self.find(source, t))

    def sources(self, target: str) -> list[str]:
        return sorted(s for s in self.languages() if s != target and self.find(s, target))

    def routes(self) -> list[Route]:
        """Every routable pair among the known languages."""
        langs = sorted(self.languages())
        return [r for s in langs for t in langs if s != t and (r := self.find(s, t))]


def _follow(before: EngineOutput, after: EngineOutput, step: int) -> EngineOutput:
    """``after`` (step ``step``'s translation of ``before.text``) with every leftover
    credited to the first step that left it, and the steps' scores multiplied."""
    earlier = {}
    for lo in before.leftovers:
        earlier.setdefault(before.text[lo.start:lo.end], lo)
    leftovers = []
    for lo in after.leftovers:
        first = earlier.get(after.text[lo.start:lo.end])
        leftovers.append(replace(lo, kind=first.kind, step=first.step) if first
                         else replace(lo, step=step))
    # A word the step passed through without a mark (a neural model copies what it
    # cannot translate) is still untranslated.
    for word, first in earlier.items():
        for m in re.finditer(r"(?<!\w)" + re.escape(word) + r"(?!\w)", after.text):
            if not any(lo.start < m.end() and m.start() < lo.end for lo in leftovers):
                leftovers.append(Leftover(m.start(), m.end(), first.kind, first.step))
    scores = [s for s in (before.score, after.score) if s is not None]
    score = None if not scores else scores[0] * (scores[1] if len(scores) > 1 else 1.0)
    return EngineOutput(after.text, tuple(sorted(leftovers, key=lambda lo: lo.start)), score)
