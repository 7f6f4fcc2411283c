"""``translator serve``: the app under gunicorn, configured from the same settings.

Workers are gthread workers: each process builds its own app (models loaded once
per process, after the fork) and serves ``worker_threads`` requests at a time with
them. gunicorn restarts a worker that dies, so a crash in one request never takes
the service down; reviewed segments are committed to SQLite before the response.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger

from ..errors import InputError
from ..settings import SETTINGS, Settings
from .files import redacted_path


def settings_from_file(path: Path, base: Settings) -> Settings:
    """``base`` updated from a TOML file whose keys are setting names (``port = 8080``)."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: no such settings file") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not a valid TOML file: {exc}") from None
    known = {s.name: s for s in SETTINGS}
    values = {}
    for name, value in data.items():
        if name not in known:
            raise InputError(f"{path}: unknown setting {name!r}")
        values[name] = known[name].parse(str(value).lower() if isinstance(value, bool)
                                         else str(value), origin=f"{path}: {name}")
    return base.replace(**values)


class AccessLogger(Logger):
    """gunicorn's logger, whose access lines leave out what grants access: the capability
    in a ``/download_file`` URL and an ``api_key`` in a query string (docs/api.md, Security)."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for name in ("r", "U", "q", "f", "{raw_uri}e", "{path_info}e", "{query_string}e",
                     "{http_referer}e", "{referer}i"):
            if isinstance(atoms.get(name), str):
                atoms[name] = redacted_path(atoms[name])
        return atoms


class Server(BaseApplication):
    """gunicorn running :func:`translator.web.create_app` with ``settings``."""

    def __init__(self, settings: Settings):
        self.settings = settings
        super().__init__()

    def load_config(self) -> None:
        s = self.settings
        options = {
            "bind": f"[{s.host}]:{s.port}" if ":" in s.host else f"{s.host}:{s.port}",
            "workers": max(1, s.workers),
            "worker_class": "gthread",
            "threads": max(1, s.worker_threads),
            "timeout": s.timeout,
            "graceful_timeout": 30,
            "keepalive": 5,
            "accesslog": "-",
            "logger_class": AccessLogger,
            # gunicorn's default, plus the request id the service's own log lines carry
            "access_log_format": '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" '
                                 '%({x-request-id}o)s',
            "errorlog": "-",
            "loglevel": "info",
            "proc_name": "translator",
        }
        # gunicorn >= 24 opens a control socket in the home folder by default; several
        # servers on one machine would fight over it, and nothing here uses it.
        if "control_socket_disable" in self.cfg.settings:
            options["control_socket_disable"] = True
        for key, value in options.items():
            self.cfg.set(key, value)

    def load(self):
        import logging

        from . import create_app

        # The service's own log lines (model loading, request failures) go where gunicorn's go.
        gunicorn_log = logging.getLogger("gunicorn.error")
        log = logging.getLogger("translator")
        log.handlers, log.propagate = list(gunicorn_log.handlers), False
        log.setLevel(gunicorn_log.level)
        return create_app(self.settings)


def check(settings: Settings) -> None:
    """Fail before forking workers on settings that would stop every worker from booting."""
    from ..store import Store

    settings.extra_decode_options()
    Store(settings.db_path).close()


def serve(settings: Settings) -> int:
    """Run the service until interrupted; returns the exit status."""
    check(settings)
    Server(settings).run()
    return 0
