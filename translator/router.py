"""Routes: which engines, in which order, translate a language pair.

A route is one direct step when an engine serves the pair, otherwise a chain of
steps through pivot languages (fr->es->en on Apertium, vi->en->fr on two models).
The cheapest route wins: CTranslate2 models over Apertium, fewer steps over more.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

from .engines.base import Engine
from .errors import UnsupportedPair

MAX_STEPS = 3


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

    def translate(self, sentences: list[str]) -> list[str]:
        """Run ``sentences`` through every step, each step as one batch."""
        for step in self.steps:
            sentences = step.engine.translate_batch(sentences, step.source, step.target)
        return sentences

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

    def __init__(self, engines: list[Engine], prefer: str = "auto", pivot: str = "en"):
        self.engines = list(engines)
        self.prefer = prefer
        self.pivot = pivot
        self._edges: dict[str, list[tuple[str, Engine]]] = {}
        for engine in self.engines:
            for source, target in sorted(engine.pairs()):
                self._edges.setdefault(source, []).append((target, engine))
        self._cache: dict[tuple[str, str], Route | None] = {}

    def _step_cost(self, engine: Engine, via: str, target: str) -> float:
        cost = engine.cost
        if self.prefer not in ("auto", "") and engine.kind != self.prefer:
            cost += 10.0
        if via != target and via != self.pivot:
            cost += 0.01  # among equal routes, pivot through the configured language
        return cost

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
        # Dijkstra over languages; ties broken by fewer steps then by order of insertion.
        counter = 0
        queue = [(0.0, 0, counter, source, ())]
        best: dict[str, float] = {}
        while queue:
            cost, nsteps, _, lang, steps = heapq.heappop(queue)
            if lang == target and steps:
                return Route(source, target, steps)
            if best.get(lang, float("inf")) <= cost or nsteps >= MAX_STEPS:
                continue
            best[lang] = cost
            for nxt, engine in self._edges.get(lang, []):
                if nxt == source or any(s.target == nxt for s in steps):
                    continue
                counter += 1
                step_cost = self._step_cost(engine, nxt, target)
                heapq.heappush(queue, (cost + step_cost, nsteps + 1, counter, nxt,
                                       steps + (Step(engine, lang, nxt),)))
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
