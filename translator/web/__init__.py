"""The HTTP service: a Flask application factory configured from one settings object.

``create_app(settings)`` builds the service (pipeline, store) and the app around it:
the versioned JSON API (``/v1``), LibreTranslate-compatible endpoints, health checks
and the review page. ``translator serve`` runs it under gunicorn, one app per worker
process, so models are loaded once per worker and shared by its threads.
"""

from __future__ import annotations

from flask import Flask

from ..formats.html import term_pieces
from ..settings import Settings
from . import errors, security
from .service import Service

__all__ = ["create_app", "Service"]


def create_app(settings: Settings | None = None, *, service: Service | None = None,
               load_models: bool = True, run_jobs: bool | None = None) -> Flask:
    """The Flask app for ``settings`` (default: from the environment), or around ``service``.

    ``run_jobs`` (default: ``load_models``) starts the batch job runner thread."""
    if service is None:
        service = Service.from_settings(settings or Settings.from_env())
    settings = service.settings
    app = Flask(__name__)
    app.config.update(MAX_CONTENT_LENGTH=settings.max_request_bytes,
                      MAX_FORM_MEMORY_SIZE=settings.max_request_bytes)
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    app.extensions["translator"] = service
    app.jinja_env.globals["term_pieces"] = term_pieces
    errors.register(app)
    security.init(app)
    app.after_request(errors.precondition_failed)  # before security's headers are added

    from . import align_page  # noqa: F401 (the alignment page's routes, on the review blueprint)
    from .api import api, health
    from .libre import libre
    from .memory_api import memory_api
    from .review import review

    for blueprint in (api, health, libre, review, memory_api):
        app.register_blueprint(blueprint)
    if load_models:
        service.start_loading()
    if load_models if run_jobs is None else run_jobs:
        service.start_jobs()
    return app
