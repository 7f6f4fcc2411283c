"""API keys, rate limits, CORS and the security headers of every response.

Keys are optional (``settings.api_keys_required``). A key comes in the
``Authorization: Bearer`` or ``X-API-Key`` header, as ``api_key`` in a
LibreTranslate request (body, form or query string), or, for the review page, in a cookie set by ``/login``.
Rate limits are token buckets per key (the key's own limit, else
``settings.rate_limit``) or per client address without a key; they are kept in the
worker's memory, so with N workers a client can get up to N times the limit.
"""

from __future__ import annotations

import math
import threading
import time
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, g, request

from ..settings import Settings
from ..store import DEFAULT_DESK, Access
from ..store.keys import ApiKey
from .errors import ApiKeyRequired, Forbidden, InvalidApiKey, RateLimited, request_id
from .validation import check_form_encoding, parse_json

KEY_COOKIE = "translator_key"
MAX_BUCKETS = 10_000

CSP_PAGE = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
CSP_DOCUMENT = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"


class RateLimiter:
    """Token buckets: ``limit`` requests per minute, bursts of up to ``limit``."""

    def __init__(self, clock=time.monotonic):
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, identity: str, limit: int) -> float:
        """Spend one request; returns 0, or the seconds to wait when the bucket is empty."""
        if limit <= 0:
            return 0.0
        rate = limit / 60.0
        with self._lock:
            now = self.clock()
            tokens, last = self._buckets.get(identity, (float(limit), now))
            tokens = min(float(limit), tokens + (now - last) * rate)
            if tokens < 1.0:
                self._buckets[identity] = (tokens, now)
                return (1.0 - tokens) / rate
            self._buckets[identity] = (tokens - 1.0, now)
            if len(self._buckets) > MAX_BUCKETS:
                self._prune(now, rate)
            return 0.0

    def _prune(self, now: float, rate: float) -> None:
        # Buckets idle long enough to be full again carry no information.
        for identity, (tokens, last) in list(self._buckets.items()):
            if now - last > 60.0:
                del self._buckets[identity]


def request_key(libre: bool = False) -> str | None:
    """The API key sent with this request, if any."""
    auth = request.headers.get("Authorization", "")
    if auth[:7].lower() == "bearer ":
        return auth[7:].strip() or None
    if request.headers.get("X-API-Key"):
        return request.headers["X-API-Key"].strip()
    if libre:
        return _libre_key()
    if request.blueprint == "review":
        return request.cookies.get(KEY_COOKIE)
    return None


def _libre_key() -> str | None:
    """``api_key`` where LibreTranslate reads it: the JSON body, else the form or the query
    string (``request.values``). ``apiKey`` in a JSON body too: the ``libretranslate`` npm
    client sends that spelling."""
    if request.is_json:
        body = parse_json(request.get_data(cache=True))
        if isinstance(body, dict):
            for name in ("api_key", "apiKey"):
                if isinstance(body.get(name), str) and body[name]:
                    return body[name]
    return request.values.get("api_key") or None


def authenticate(service, libre: bool = False) -> ApiKey | None:
    """The key record of this request; raises when a key is required and missing or wrong."""
    key = request_key(libre)
    record = service.store.keys.check(key) if key else None
    if key and record is None:
        raise InvalidApiKey("the API key is not valid (unknown or revoked)")
    if record is None and service.settings.api_keys_required:
        # a LibreTranslate client's way is api_key: name it where that client calls
        libre_way = "'api_key' in the body, form or query string, " if libre else ""
        raise ApiKeyRequired(f"an API key is required: send it as {libre_way}"
                             "'Authorization: Bearer KEY' or 'X-API-Key: KEY'")
    return record


def access() -> Access:
    """Who this request acts for: its key's desk and role. Without a key (possible only when
    keys are not required) the implicit desk, whose reviews go to the newsroom-wide memory as
    they always did: desks bind only with ``api_keys_required``."""
    record: ApiKey | None = g.get("api_key")
    if record is not None:
        return Access(record.desk, admin=record.admin, memory_writer=record.memory_writer,
                      name=record.name)
    settings: Settings = current_app.extensions["translator"].settings
    return Access(DEFAULT_DESK, memory_writer=not settings.api_keys_required)


def rate_limit(service, limiter: RateLimiter, record: ApiKey | None) -> None:
    if record is not None:
        identity = f"key:{record.id}"
        limit = record.rate_limit if record.rate_limit is not None else service.settings.rate_limit
    else:
        identity = f"addr:{request.remote_addr}"
        limit = service.settings.rate_limit
    wait = limiter.take(identity, limit)
    if wait:
        retry = max(1, math.ceil(wait))
        raise RateLimited(f"rate limit of {limit} requests per minute exceeded; "
                          f"retry in {retry} s", limit=limit, retry_after=retry)


def guard(libre: bool = False, limit: bool = True) -> None:
    """before_request of the API, LibreTranslate and page blueprints: key, then rate limit."""
    if request.method == "OPTIONS":  # CORS preflight carries no credentials
        return
    service = current_app.extensions["translator"]
    g.api_key = authenticate(service, libre)
    if limit:
        rate_limit(service, current_app.extensions["translator.limiter"], g.api_key)


def same_origin() -> None:
    """Refuse state-changing page requests sent from another site (CSRF)."""
    origin = request.headers.get("Origin")
    if origin and origin != "null" and urlsplit(origin).netloc != request.host:
        raise Forbidden("cross-site request refused")


def cors_origins(settings: Settings) -> list[str]:
    return [o.strip().rstrip("/") for o in settings.cors_origins.split(",") if o.strip()]


def add_headers(response: Response) -> Response:
    """after_request: CORS on the API when configured, and security headers everywhere."""
    settings: Settings = current_app.extensions["translator"].settings
    origin = request.headers.get("Origin", "").rstrip("/")
    allowed = cors_origins(settings)
    api = request.blueprint in ("api", "libre")
    if api and origin and allowed and ("*" in allowed or origin in allowed):
        response.headers["Access-Control-Allow-Origin"] = "*" if "*" in allowed else origin
        response.headers["Access-Control-Allow-Headers"] = "Content-Type, Authorization, X-API-Key"
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, PUT, DELETE, OPTIONS"
        response.headers["Access-Control-Max-Age"] = "600"
        response.vary.add("Origin")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response.headers.setdefault("X-Frame-Options", "DENY")
    if response.mimetype == "text/html":
        response.headers.setdefault("Content-Security-Policy",
                                    CSP_PAGE if request.blueprint == "review" or
                                    request.blueprint is None else CSP_DOCUMENT)
    response.headers["X-Request-Id"] = request_id()
    return response


def document_limit() -> None:
    """A document upload may be larger than other requests (setting ``max_file_bytes``);
    set before anything reads the body."""
    if request.path == "/translate_file" or (request.path == "/v1/translate"
                                             and request.mimetype == "multipart/form-data"):
        settings: Settings = current_app.extensions["translator"].settings
        request.max_content_length = max(settings.max_file_bytes, settings.max_request_bytes)


def init(app: Flask) -> None:
    app.extensions["translator.limiter"] = RateLimiter()
    app.before_request(document_limit)
    # Before any view or guard reads a form: werkzeug keeps bad percent-escapes as text.
    app.before_request(check_form_encoding)
    app.after_request(add_headers)
