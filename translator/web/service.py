"""The service: one pipeline and one store per worker process, shared by its threads.

Views never call the pipeline directly: :meth:`Service.translate` is the one place
a validated request meets the pipeline (where request-level options such as a
glossary plug in).
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from contextlib import contextmanager
from typing import Iterator

from .. import languages as lang_names
from ..glossary import Entry, Glossary
from ..pipeline import AUTO, Pipeline
from ..settings import Settings
from ..errors import GlossaryNotFound, InputTooLarge, TranslatorError
from ..store import DEFAULT_DESK, OPERATOR, Access, Store
from .readiness import EngineChecks
from .validation import AlignRequest, DetectRequest, InvalidField, TranslateRequest

log = logging.getLogger("translator.web")


def build_pipeline(settings: Settings, store: Store) -> Pipeline:
    """The CLI's pipeline, plus the translation memory and, when configured, micro-batching
    of the sentences of concurrent requests.

    Its own memory (what batch jobs read; requests pass their desk's) is the newsroom's;
    without required keys also the implicit desk's, which held every review before desks."""
    from .batching import batched

    wrap = None
    if settings.batch_wait_ms > 0:
        wrap = lambda engine: batched(engine, settings.batch_wait_ms / 1000)  # noqa: E731
    memory = store.memory if settings.api_keys_required else store.memory.for_desk(DEFAULT_DESK)
    return Pipeline.from_settings(settings, memory=memory, wrap=wrap)


#: routable detections below this confidence are checked against every language
DOUBT_BELOW = 0.9


class InteractiveRequests:
    """Translations requested over HTTP and not answered yet: batch jobs give way to them
    between chunks, so a newsroom's request does not queue behind an archive."""

    def __init__(self) -> None:
        self._count = 0
        self._quiet = threading.Condition()

    @contextmanager
    def running(self) -> Iterator[None]:
        with self._quiet:
            self._count += 1
        try:
            yield
        finally:
            with self._quiet:
                self._count -= 1
                if not self._count:
                    self._quiet.notify_all()

    def wait_quiet(self, timeout: float) -> bool:
        """Wait until no request runs, at most ``timeout`` seconds (a job must still move
        under a constant stream of requests); True when it is quiet."""
        with self._quiet:
            return self._quiet.wait_for(lambda: self._count == 0, timeout)


class DeskBusy(TranslatorError):
    """The desk already runs as many translations as ``desk_concurrency`` allows."""

    code = "desk_busy"
    http_status = 429


class DeskSlots:
    """At most ``limit`` translations of one desk at a time in this worker (0: no limit), so
    that one desk's burst cannot hold every thread of the worker."""

    def __init__(self, limit: int):
        self.limit = limit
        self._running: dict[str, int] = {}
        self._lock = threading.Lock()

    @contextmanager
    def slot(self, desk: str) -> Iterator[None]:
        if self.limit <= 0:
            yield
            return
        with self._lock:
            if self._running.get(desk, 0) >= self.limit:
                raise DeskBusy(f"desk {desk!r} already runs {self.limit} translation requests; "
                               "retry when one is done", limit=self.limit, retry_after=1)
            self._running[desk] = self._running.get(desk, 0) + 1
        try:
            yield
        finally:
            with self._lock:
                self._running[desk] -= 1


class Service:
    """What a worker serves with: settings, pipeline, store, and model readiness."""

    def __init__(self, settings: Settings, pipeline: Pipeline, store: Store):
        self.settings = settings
        self.pipeline = pipeline
        self.store = store
        self.started = time.time()
        self._ready = threading.Event()
        self._loading = False
        self._load_error: str | None = None
        self._languages: dict | None = None
        self._runner = None
        self._jobs = None
        self.requests = InteractiveRequests()
        self.checks = EngineChecks(pipeline, settings.ready_check_seconds)
        self.desk_slots = DeskSlots(settings.desk_concurrency)
        self._checked = False

    @classmethod
    def from_settings(cls, settings: Settings) -> "Service":
        store = Store.from_settings(settings)
        return cls(settings, build_pipeline(settings, store), store)

    # -- readiness --------------------------------------------------------------

    def start_loading(self) -> None:
        """Load every model and the detector in the background; readiness reports when done."""
        self._loading = True
        threading.Thread(target=self._load, name="translator-load", daemon=True).start()

    def wait_loaded(self, timeout: float | None = None) -> None:
        """Wait for the background loading, if it was started (it always ends, even failed)."""
        if self._loading:
            self._ready.wait(timeout)

    def _load(self) -> None:
        started = time.perf_counter()
        try:
            for engine in self.pipeline.engines:
                engine.load()
            self.pipeline.detector.detect("Le président a parlé aux journalistes ce matin.")
            self.languages()
            broken = [c for c in self.checks.run() if not c.ok]
            self._checked = True
            self.checks.start()
        except Exception as exc:  # reported by readiness; requests still try lazily
            self._load_error = str(getattr(exc, "message", exc))
            log.error("loading models failed: %s", self._load_error)
        else:
            log.info("models loaded and %s in %.1f s", "checked" if not broken else
                     f"{len(broken)} engine steps broken", time.perf_counter() - started)
        finally:
            self._ready.set()

    def readiness(self) -> tuple[bool, dict]:
        """(ready, details): ready once every model is loaded without error and the last
        check of every engine step translated its test sentence."""
        models = [{"name": e.name, "engine": e.kind, "loaded": e.loaded}
                  for e in self.pipeline.engines]
        ready = self._ready.is_set() and self._load_error is None and all(m["loaded"] for m in models)
        details: dict = {"models": models}
        if self._load_error:
            # The message may name files: the log has it (see _load).
            details["load_error"] = "loading the models failed; details in the server log"
        if self._checked:
            working, checks = self.checks.report()
            ready = ready and working
            details.update(checks)
        return ready, details

    # -- the operations ---------------------------------------------------------

    def translate(self, req: TranslateRequest, access: Access = OPERATOR, cancelled=None):
        """Translate a validated request for ``access``'s desk (its glossaries, its memory over
        the newsroom's): the one call into the pipeline. Its engine work stops when
        ``cancelled`` is set (the client hung up)."""
        total, limit = sum(map(len, req.texts)), self.settings.max_request_chars
        if total > limit:
            raise InputTooLarge(f"the texts hold {total} characters; the limit is {limit} per "
                                "request", field="text", limit=limit, size=total, unit="characters")
        with self.desk_slots.slot(access.desk), self.requests.running():
            return self.pipeline.translate_many(list(req.texts), req.target, req.source,
                                                glossary=self.request_glossary(req, access),
                                                memory=self.store.memory.for_desk(access.desk),
                                                max_sentences=self.settings.max_request_sentences,
                                                cancelled=cancelled)

    def unroutable_look(self, text: str, target: str, found=None):
        """The detection of ``text`` among every language when it points at a language with
        no route to ``target`` clearly more than at any that has one (:meth:`Detector.
        unrouted_look`: "Guten Morgen" is not French at 57 % among the routable languages,
        it is German at 44 % against French at 2 %); else None. ``found``, the routable
        detection, spares the second detection when it is sure enough."""
        found = found or self.pipeline.detect(text, target)
        if found.confidence >= DOUBT_BELOW:  # enough evidence: no second detection
            return None
        routed = set(self.pipeline.router.sources(target)) | {target}
        return self.pipeline.detector.unrouted_look(text, routed)

    def warn_doubtful_detection(self, req: TranslateRequest, results) -> None:
        """A warning on each auto-detected result whose text looks like a language with no
        route: too little evidence is said, never a wrong language passed silently."""
        if req.source != AUTO:
            return
        for text, result in zip(req.texts, results):
            if not result.detection or result.detection.get("confidence", 1.0) >= DOUBT_BELOW:
                continue
            try:
                look = self.unroutable_look(text, req.target, self.pipeline.detect(text, req.target))
            except TranslatorError:
                continue
            if look is not None:
                closest, chance = look.alternatives[0] if look.alternatives else ("", 0.0)
                result.warnings.append(
                    f"the text looks like {lang_names.name(look.language)} ({look.language}, "
                    f"{look.confidence:.2f} among every language), which has no route to "
                    f"{req.target}; the closest language that has one, {closest}, has "
                    f"{chance:.2f}; it was translated from {result.source_lang}: send source "
                    "to be sure")

    def request_glossary(self, req: TranslateRequest, access: Access = OPERATOR):
        """The glossary ``req.glossary`` names (see :meth:`named_glossary`), inline terms over it."""
        glossary = self.named_glossary(req.glossary, access)
        if not req.terms:
            return glossary
        sources = ([req.source] if req.source != AUTO else
                   [code for code in self.pipeline.languages() if code != req.target])
        inline = Glossary("request", [
            Entry(f"request-{i}", {**{lang: (src,) for lang in sources}, req.target: (tgt,)},
                  origin=f"terms[{i}]")
            for i, (src, tgt) in enumerate(req.terms)])
        return glossary.merged(inline) if glossary else inline

    def named_glossary(self, name: str | None, access: Access | None = None):
        """The default glossary (no name), a stored one of the desk over it, or None for
        ``"none"``. Without ``access`` (a batch job being run), ``name`` is the reference
        :meth:`glossary_reference` made when the job was accepted.

        Only stored names are accepted here, never file paths: a request must not make
        the server read its own files."""
        if name == "none":
            return None
        if name:
            desk, name = (name.split("/", 1) if access is None and "/" in name
                          else (self.glossary_desk(name, access or OPERATOR), name))
            stored = self.glossaries.get(name, desk)
            return self.pipeline.glossary.merged(stored, stored.name) \
                if self.pipeline.glossary else stored
        return self.pipeline.glossary

    def glossary_desk(self, name: str, access: Access, asked: str | None = None) -> str:
        """The desk whose glossary ``name`` ``access`` means: its own; for an admin, the
        desk ``asked`` for, else its own if it has one, else the one desk that has it."""
        if not access.admin:
            if asked not in (None, access.desk):
                raise GlossaryNotFound(f"no glossary named {name!r}", name=name)
            return access.desk
        if asked is not None or self.glossaries.exists(name, access.desk):
            return asked or access.desk
        desks = self.glossaries.desks(name)
        if len(desks) > 1:
            raise InvalidField(f"desks {', '.join(desks)} each have a glossary {name!r}: "
                               "say which with ?desk=", field="desk")
        return desks[0] if desks else access.desk

    def glossary_reference(self, name: str | None, access: Access) -> str | None:
        """What a batch job records to find the glossary when it runs: ``desk/name``."""
        if name in (None, "none"):
            return name
        self.named_glossary(name, access)  # an unknown name is refused now, not later
        return f"{self.glossary_desk(name, access)}/{name}"

    @functools.cached_property
    def glossaries(self):
        """Named glossaries (the same SQLite file as ``translator glossary import``): one
        store for the service, a connection per thread, closed with the service."""
        from ..glossary.store import GlossaryStore

        return GlossaryStore(self.settings.glossary_db)

    def align(self, req: AlignRequest):
        """Align an existing translation with its original (MT similarity through the pipeline)."""
        from ..align import align_texts

        return align_texts(req.source_text, req.target_text, req.source, req.target,
                           pipeline=self.pipeline if req.mt != "off" else None, mt=req.mt,
                           settings=self.settings, glossary=self.pipeline.glossary or ())

    def detect(self, req: DetectRequest) -> dict:
        detection = self.pipeline.detect(req.text, req.target, routable=req.routable)
        return {**detection.to_dict(), "routable": detection.language in self.pipeline.languages()}

    def languages(self) -> dict:
        """Languages with their targets, routable pairs and engines (computed once)."""
        if self._languages is None:
            router = self.pipeline.router
            routes = router.routes()
            targets: dict[str, list[str]] = {}
            for route in routes:
                targets.setdefault(route.source, []).append(route.target)
            self._languages = {
                "languages": [{"code": code, "name": lang_names.name(code),
                               "targets": sorted(targets.get(code, []))}
                              for code in self.pipeline.languages()],
                "pairs": [route.to_dict() for route in routes],
                "engines": [{k: v for k, v in e.describe().items() if k != "path"}
                            for e in self.pipeline.engines],
            }
        return self._languages

    # -- batch jobs -------------------------------------------------------------

    @property
    def jobs(self):
        """The batch jobs' folders (setting ``jobs_dir``), shared by every worker process."""
        if self._jobs is None:
            from .jobs import JobStore

            self._jobs = JobStore(self.settings.jobs_dir)
        return self._jobs

    @property
    def runner(self):
        """This process's job runner (its thread starts with :meth:`start_jobs`)."""
        if self._runner is None:
            from .jobs import JobRunner

            self._runner = JobRunner(self)
        return self._runner

    def start_jobs(self) -> None:
        """Run batch jobs in the background whenever this process holds the runner lock."""
        self.runner.start()

    def close(self) -> None:
        self.checks.stop()
        if self._runner is not None:
            self._runner.stop()
        self.pipeline.close()
        self.store.close()
        if "glossaries" in self.__dict__:
            self.glossaries.close()
