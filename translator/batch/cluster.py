"""A batch job's engine work on a Ray cluster (``translator batch --ray``).

The driver (the ``translator batch`` process, or the service) keeps everything that
decides the output: it reads and prepares the articles, plans each chunk, assembles and
commits the articles in order (:mod:`.runner`). Ray actors do the engine work: each
holds one loaded pipeline (engines, models, glossary) and translates a chunk's
:data:`~.work.Todo` with the driver's settings and batch layout, so the output is the
bytes the local job writes.

Faults: a chunk whose actor (or node) dies goes to another actor, and a new actor takes
the dead one's place. A chunk that has killed its actor twice is cut in halves, down to
the sentence that does it, which is recorded as failed (``worker_lost``); the job goes
on. A driver that dies takes its actors with it; the ledger keeps every committed chunk,
and the same command resumes, on Ray or locally.
"""

from __future__ import annotations

import collections
import io
import logging
import os
import tarfile
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError, TranslatorError
from ..pipeline import Pipeline, models_signature
from ..settings import Settings
from .work import Deliver, Failure, Todo, Work, halves, sentences_of, translate_todo

log = logging.getLogger(__name__)

#: A chunk is retried whole this many times after its actor dies, then cut in halves.
ATTEMPTS = 2
#: Seconds the job waits for at least one actor to be alive before it gives up.
NO_ACTOR_TIMEOUT = 300.0


class ClusterError(TranslatorError):
    """The Ray cluster cannot be reached or cannot run the job's actors."""

    code = "cluster_unavailable"
    exit_code = 5
    http_status = 503


@dataclass(frozen=True)
class RayOptions:
    """Where and how the actors run.

    ``address``: ``local`` (a Ray started on this machine for the job), ``auto`` (the
    cluster of ``ray start`` on this machine), or a cluster address. ``actors``: how
    many (default: the cluster's CPUs divided by ``actor_cpus``). ``ship_models``: the
    driver sends its model packages through Ray's object store, instead of each node
    reading them from the same path (``models_dir`` on a shared file system).
    """

    address: str = "local"
    actors: int | None = None
    actor_cpus: float = 1
    actor_gpus: float = 0
    ship_models: bool = False

    @classmethod
    def from_settings(cls, settings: Settings) -> "RayOptions | None":
        """The service's jobs: on the cluster of ``ray_address`` when it is set."""
        return cls(address=settings.ray_address) if settings.ray_address else None


def _import_ray(loopback: bool = False):
    if loopback:
        # Ray takes 127.0.0.1 for "this machine" and gives the node its outward address,
        # so its servers listen on every interface; unless clusters are off (a variable
        # read when ray is imported): then the node is 127.0.0.1 and every server of this
        # machine's Ray listens on loopback only (checked with `ss -ltnp`).
        os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
    try:
        import ray
    except ImportError:
        raise InputError("Ray is not installed: pip install 'newsroom-translator[ray]' "
                         "(scripts/setup.sh installs it)") from None
    return ray


def connect(address: str):
    """Join (or start) the cluster; returns the ``ray`` module. A Ray already initialised
    in this process (the service, the tests) is used as it is."""
    local = address in ("", "local")
    ray = _import_ray(loopback=local)
    _check_reachable(address)
    if ray.is_initialized():
        return ray
    # Ray's notices (token authentication is on, ...) are not the user's business here.
    # Not silenced: the "(raylet) A worker died or was killed..." lines Ray's error
    # listener prints when an actor dies; no setting turns that listener off.
    options = dict(log_to_driver=False, logging_level=logging.ERROR, include_dashboard=False,
                   configure_logging=True)
    try:
        if local:
            # a new Ray of this machine only, on loopback (see _import_ray), even when a
            # `ray start` cluster runs here (ray.init() with no address would join it).
            # Side effect of Ray >= 2.59: a new local Ray turns token authentication on and
            # writes ~/.ray/auth_token if it is missing; a later `ray start` of this user
            # finds that token and turns authentication on too (docs/batch.md).
            ray.init(address="local", _node_ip_address="127.0.0.1", **options)
        else:
            ray.init(address=address, **options)
    except (ConnectionError, RuntimeError, ValueError) as exc:
        raise ClusterError(f"cannot reach the Ray cluster at {address!r}: {exc}") from None
    return ray


def _check_reachable(address: str, timeout: float = 5.0) -> None:
    """A ``host:port`` that nothing answers on is an error at once (Ray would retry for
    minutes, printing a warning every few seconds)."""
    import socket

    if address in ("", "local", "auto") or "://" in address:
        return
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        raise InputError(f"a Ray address is host:port, ray://host:port, auto or local, "
                         f"not {address!r}")
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=timeout).close()
    except OSError as exc:
        raise ClusterError(f"cannot reach the Ray cluster at {address}: "
                           f"{exc.strerror or exc}") from None


def pack_models(settings: Settings) -> bytes:
    """The installed model packages as one tar, for :class:`TranslationActor` to unpack
    on its node (``ship_models``). Each package folder keeps its name, under ``models/``
    or ``argos/`` as on the driver, so the actors find the same engines in the same order."""
    from ..models import ModelStore

    store = ModelStore(settings)
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for package in store.installed():
            path = Path(package.path)
            home = "models" if path.resolve().parent == store.models_dir.resolve() else "argos"
            tar.add(path, arcname=f"{home}/{path.name}")
    return buffer.getvalue()


def unpack_models(blob: bytes, settings: Settings) -> Settings:
    """Unpack shipped packages once per node (a folder named after their digest) and
    point ``settings`` at them."""
    import hashlib

    digest = hashlib.sha256(blob).hexdigest()[:16]
    home = Path(tempfile.gettempdir()) / "translator-ray-models" / digest
    if not (home / ".complete").exists():
        home.parent.mkdir(parents=True, exist_ok=True)
        partial = Path(tempfile.mkdtemp(prefix=f"{digest}.", dir=home.parent))
        with tarfile.open(fileobj=io.BytesIO(blob)) as tar:
            tar.extractall(partial, filter="data")
        (partial / ".complete").touch()
        try:
            os.rename(partial, home)
        except OSError:  # another actor of this node was first
            pass
    return settings.replace(models_dir=home / "models", argos_packages_dir=home / "argos")


class TranslationActor:
    """One loaded pipeline on a Ray worker; translates chunks' todos one at a time."""

    def __init__(self, settings: Settings, glossary, target: str, models: bytes | None = None):
        if models is not None:
            settings = unpack_models(models, settings)
        self.pipeline = Pipeline.from_settings(settings)
        self.glossary, self.target = glossary, target

    def ready(self) -> dict:
        """What this actor translates with (the driver checks it is the job's)."""
        return {"models": models_signature(self.pipeline.engines), "pid": os.getpid()}

    def translate(self, todo: Todo) -> Work:
        return translate_todo(self.pipeline, todo, self.target, self.glossary)


@dataclass
class _Task:
    order: int
    todo: Todo
    attempts: int = 0


@dataclass
class _Order:
    """A chunk's work, possibly cut into parts after repeated deaths."""

    parts: int = 1
    work: Work = field(default_factory=Work)


class RayExecutor:
    """Chunks' todos on a pool of :class:`TranslationActor`, one task per actor at a time;
    finished work is handed to the driver as it comes (the driver commits in order)."""

    def __init__(self, options: RayOptions, pipeline: Pipeline, target: str, glossary,
                 deliver: Deliver, actor: type = TranslationActor):
        self.options, self.deliver = options, deliver
        self.ray = ray = connect(options.address)
        self.expected = models_signature(pipeline.engines)
        settings = pipeline.settings
        cpus = max(1, int(options.actor_cpus))
        # the driver's batch layout, the actor's own threads
        self.settings = settings.replace(
            batch_split=settings.split(), inter_threads=cpus, intra_threads=1,
            device="cuda" if options.actor_gpus else settings.device)
        models = ray.put(pack_models(settings)) if options.ship_models else None
        self.remote = ray.remote(actor).options(
            num_cpus=options.actor_cpus, num_gpus=options.actor_gpus, max_restarts=0,
            max_concurrency=1)
        count = options.actors or max(1, int(ray.cluster_resources().get("CPU", 1)
                                             // max(options.actor_cpus, 0.001)))
        # put once, shared by every actor (and every replacement) of the job
        self.args = (self.settings, ray.put(glossary), target, models)
        self.capacity = 2 * count
        self.starting: dict = {}  # ready() ref -> actor
        self.idle: list = []
        self.running: dict = {}  # task ref -> (actor, _Task)
        self.queue: collections.deque[_Task] = collections.deque()
        self.orders: dict[int, _Order] = {}
        self.lock = threading.Lock()
        self.closed = threading.Event()
        self.alive_since = time.monotonic()
        for _ in range(count):
            self._start_actor()
        log.info("engine work on %d Ray actors (%g CPU, %g GPU each) at %s", count,
                 options.actor_cpus, options.actor_gpus, options.address)
        self.thread = threading.Thread(target=self._loop, name="batch-ray", daemon=True)
        self.thread.start()

    def _start_actor(self) -> None:
        actor = self.remote.remote(*self.args)
        self.starting[actor.ready.remote()] = actor

    def submit(self, order: int, todo: Todo) -> None:
        with self.lock:
            self.orders[order] = _Order()
            self.queue.append(_Task(order, todo))

    def close(self) -> None:
        self.closed.set()
        self.thread.join(timeout=10)
        for actor in [*self.idle, *self.starting.values(), *(a for a, _ in self.running.values())]:
            try:
                self.ray.kill(actor)
            except Exception:  # noqa: BLE001 - already gone
                pass

    # -- the dispatcher thread ------------------------------------------------

    def _loop(self) -> None:
        try:
            while not self.closed.is_set():
                self._dispatch()
                refs = [*self.starting, *self.running]
                if not refs:
                    time.sleep(0.05)
                    continue
                done, _ = self.ray.wait(refs, num_returns=1, timeout=0.1)
                for ref in done:
                    if ref in self.starting:
                        self._started(ref)
                    else:
                        self._finished(ref)
                self._check_alive()
        except BaseException as exc:  # noqa: BLE001 - the driver ends the run with it
            self.deliver(-1, exc)

    def _dispatch(self) -> None:
        with self.lock:
            while self.queue and self.idle:
                task = self.queue.popleft()
                actor = self.idle.pop()
                self.running[actor.translate.remote(task.todo)] = (actor, task)

    def _started(self, ref) -> None:
        actor = self.starting.pop(ref)
        try:
            info = self.ray.get(ref)
        except self.ray.exceptions.RayError as exc:
            if isinstance(exc, self.ray.exceptions.RayTaskError):  # the pipeline failed to load
                raise ClusterError(f"a Ray actor could not load the pipeline: {_cause(exc)}") \
                    from None
            log.warning("a Ray actor died while starting; starting another: %s", exc)
            self._start_actor()
            return
        if info["models"] != self.expected:
            raise ClusterError(
                "a Ray actor has other models than the driver: "
                f"{', '.join(info['models']) or 'none'} instead of "
                f"{', '.join(self.expected) or 'none'} (install the same packages on every node, "
                "or use --ship-models)")
        self.idle.append(actor)
        self.alive_since = time.monotonic()

    def _finished(self, ref) -> None:
        actor, task = self.running.pop(ref)
        try:
            work = self.ray.get(ref)
        except self.ray.exceptions.RayError as exc:
            died = isinstance(exc, self.ray.exceptions.RayActorError)
            log.warning("chunk %d: %s; retrying", task.order,
                        "its Ray actor died" if died else f"failed on Ray: {_cause(exc)}")
            if died:
                self._start_actor()
            else:
                self.idle.append(actor)
            self._retry(task, exc)
            return
        self.idle.append(actor)
        self._done(task.order, work)

    def _retry(self, task: _Task, exc: BaseException) -> None:
        task.attempts += 1
        with self.lock:
            if task.attempts < ATTEMPTS:
                self.queue.appendleft(task)
            elif sentences_of(task.todo) > 1:
                parts = halves(task.todo)
                self.orders[task.order].parts += len(parts) - 1
                self.queue.extendleft(reversed([_Task(task.order, part) for part in parts]))
            else:
                (lang, sentences), = task.todo.items()
                failure = Failure("worker_lost", f"the translation worker died {ATTEMPTS} times "
                                  f"on this sentence ({type(exc).__name__})")
                self._done(task.order, Work(failed={lang: {sentences[0]: failure}}))

    def _done(self, order: int, work: Work) -> None:
        state = self.orders[order]
        state.work.add(work)
        state.parts -= 1
        if state.parts == 0:
            del self.orders[order]
            self.deliver(order, state.work)

    def _check_alive(self) -> None:
        if self.idle or self.running:
            self.alive_since = time.monotonic()
        elif self.queue and time.monotonic() - self.alive_since > NO_ACTOR_TIMEOUT:
            raise ClusterError(f"no Ray actor has been alive for {NO_ACTOR_TIMEOUT:.0f} s: "
                               "the cluster lacks the resources (--actor-cpus, --actor-gpus)")


def _cause(exc: BaseException) -> str:
    cause = getattr(exc, "cause", None)
    return f"{type(cause).__name__}: {cause}" if cause is not None else str(exc).splitlines()[0]
