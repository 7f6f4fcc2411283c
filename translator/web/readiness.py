"""Readiness that checks the engines: one short sentence through every engine step.

Loaded models are not enough: an Apertium mode removed under a running server, or a
model that loads but fails to decode, left ``/health/ready`` at 200 while every request
of that pair failed. :class:`EngineChecks` translates one test sentence per engine step
that some route uses (fr->es on Apertium, each CTranslate2 model's pair), at start and
then every ``ready_check_seconds`` in a background thread; readiness reads the last
results, so answering it costs nothing.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

log = logging.getLogger("translator.web")

#: a short sentence per source language; any other language gets the fallback
SENTENCES = {"fr": "Le chat dort.", "en": "The cat sleeps.", "es": "El gato duerme.",
             "ca": "El gat dorm.", "pt": "O gato dorme.", "it": "Il gatto dorme.",
             "de": "Die Katze schläft.", "vi": "Con mèo ngủ.", "gl": "O gato dorme."}
FALLBACK = "1, 2, 3."


@dataclass(frozen=True)
class StepCheck:
    """The last check of one engine step."""

    engine: str
    kind: str
    source: str
    target: str
    ok: bool
    error: str | None
    checked_at: float
    seconds: float

    @property
    def pair(self) -> str:
        return f"{self.source}-{self.target}"

    def to_dict(self, routes: list[str]) -> dict:
        out = {"engine": self.kind, "model": self.engine, "step": self.pair, "ok": self.ok,
               "routes": routes}
        if self.error:
            out["error"] = self.error
        return out


class EngineChecks:
    """Checks every engine step of a pipeline's routes, now and periodically."""

    def __init__(self, pipeline, interval: float):
        self.pipeline = pipeline
        self.interval = interval
        self._results: dict[tuple[str, str, str], StepCheck] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._steps: dict | None = None

    def steps(self) -> dict[tuple[str, str, str], tuple[object, list[str]]]:
        """{(engine name, source, target): (engine, the routes through that step)}; the
        routes are fixed for the life of the process, so this is computed once."""
        if self._steps is None:
            out: dict[tuple[str, str, str], tuple[object, list[str]]] = {}
            for route in self.pipeline.router.routes():
                for step in route.steps:
                    key = (step.engine.name, step.source, step.target)
                    out.setdefault(key, (step.engine, []))[1].append(f"{route.source}-{route.target}")
            self._steps = out
        return self._steps

    def run(self) -> list[StepCheck]:
        """Check every step once (in turn: a check is a sentence, the engines are warm)."""
        results = []
        for (name, source, target), (engine, _) in self.steps().items():
            started = time.perf_counter()
            error = None
            try:
                output = engine.check(SENTENCES.get(source, FALLBACK), source, target)
                if not output.text.strip():
                    error = "the test sentence came back empty"
            except Exception as exc:  # any failure of an engine is what this reports
                code = getattr(exc, "code", type(exc).__name__)
                log.error("readiness: %s %s-%s failed: %s", name, source, target,
                          getattr(exc, "message", exc))
                error = f"translating a test sentence failed ({code}; details in the server log)"
            results.append(StepCheck(name, engine.kind, source, target, error is None, error,
                                     time.time(), round(time.perf_counter() - started, 3)))
        with self._lock:
            self._results = {(r.engine, r.source, r.target): r for r in results}
        return results

    def start(self) -> None:
        """Re-check every ``interval`` seconds in the background (never when 0)."""
        if self.interval <= 0 or self._thread is not None:
            return
        self._thread = threading.Thread(target=self._loop, name="translator-ready", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.run()
            except Exception:  # the routes themselves could not be listed: keep trying
                log.exception("readiness: checking the engines failed")

    def stop(self) -> None:
        self._stop.set()

    def report(self) -> tuple[bool, dict]:
        """(every step works, details): the broken steps and the routes they break."""
        with self._lock:
            results = dict(self._results)
        routes = {key: routes for key, (_, routes) in self.steps().items()}
        checks = [r.to_dict(routes.get(key, [])) for key, r in sorted(results.items())]
        broken = [c for c in checks if not c["ok"]]
        details = {"checks": checks}
        if broken:
            details["broken"] = sorted({route for c in broken for route in c["routes"]})
        last = max((r.checked_at for r in results.values()), default=None)
        if last is not None:
            details["checked"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(last))
        return not broken, details
