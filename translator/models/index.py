"""The Argos package index: its entries, a listing, and the client that fetches and caches it.

The index is argospm's ``index.json`` (a JSON list of package metadata). It is fetched
with one attempt and a timeout, read within a size bound, and cached next to
``models_dir`` (``models_dir/../index.json``) so that ``available`` keeps working offline.
"""

from __future__ import annotations

import contextlib
import errno
import http.client
import json
import re
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .. import __version__, languages
from ..errors import IndexUnavailable, ModelError, ModelNotFound
from ..fsutil import atomic_write
from ..messages import MiB, human_size, one_line, os_reason


#: Largest index.json accepted.
MAX_INDEX_BYTES = 32 * MiB

#: Seconds before a network operation (connect or one read) gives up.
TIMEOUT = 30.0

USER_AGENT = f"newsroom-translator/{__version__}"

_CHUNK = 1 * MiB

_URL_SCHEMES = ("http", "https", "file")


@dataclass(frozen=True)
class IndexEntry:
    """One translation package of the index."""

    name: str                 # argospm name: "translate-fr_en" (``argospm install NAME``)
    from_code: str            # as written in the index
    to_code: str
    version: str = ""
    links: tuple[str, ...] = ()
    size: int | None = None   # bytes, when the index says
    from_name: str = ""
    to_name: str = ""
    metadata: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def versioned_name(self) -> str:
        """``translate-fr_en-1_9``: the folder name of the installed package."""
        return f"{self.name}-{self.version.replace('.', '_')}" if self.version else self.name

    @property
    def pair(self) -> tuple[str, str]:
        """Canonical (source, target) codes, or the index's own codes when unknown to us."""
        return (languages.maybe_canonical(self.from_code) or self.from_code.lower(),
                languages.maybe_canonical(self.to_code) or self.to_code.lower())

    def matches(self, query: str) -> bool:
        """True for ``translate-fr_en``, ``translate-fr_en-1_9``, ``fr-en``, ``fr_en``, ``fra-eng``..."""
        q = query.strip().lower()
        if q in (self.name.lower(), self.versioned_name.lower(),
                 f"{self.from_code}-{self.to_code}".lower(), f"{self.from_code}_{self.to_code}".lower()):
            return True
        pair = _parse_pair(q)
        return pair is not None and pair == self.pair

    def describe(self) -> dict:
        return {"name": self.name, "version": self.version, "from": self.from_code,
                "to": self.to_code, "pair": "-".join(self.pair), "size": self.size,
                "links": list(self.links)}


class IndexListing(list):
    """The entries of :meth:`ModelStore.available`, plus where they came from.

    ``cached`` is True when the live index could not be fetched (``error`` says why)
    or was not asked for, and the entries come from the cache written ``age`` seconds ago.
    """

    def __init__(self, entries=(), *, url: str, cached: bool, fetched_at: float | None,
                 error: str | None = None):
        super().__init__(entries)
        self.url = url
        self.cached = cached
        self.fetched_at = fetched_at
        self.error = error

    @property
    def age(self) -> float | None:
        """Seconds since the entries were fetched."""
        return None if self.fetched_at is None else max(0.0, time.time() - self.fetched_at)

    def note(self) -> str:
        """One line saying where the list comes from (for the CLI to print)."""
        if not self.cached:
            return f"{len(self)} packages in {self.url}"
        age = "unknown time" if self.age is None else _human_age(self.age)
        line = f"using the index cached {age} ago from {self.url}"
        return f"{line} (live index unavailable: {self.error})" if self.error else line


def parse_index(data: bytes | str, url: str = "index") -> list[IndexEntry]:
    """Parse argospm's index.json; keep translation packages; raise :class:`IndexUnavailable`."""
    try:
        raw = json.loads(data)
    except (UnicodeDecodeError, ValueError) as exc:
        reason = f"not valid JSON ({one_line(exc)})"
        raise IndexUnavailable(f"package index {url} unavailable: {reason}", url=url,
                               reason=reason) from None
    if not isinstance(raw, list):
        reason = f"expected a JSON list of packages, got {type(raw).__name__}"
        raise IndexUnavailable(f"package index {url} unavailable: {reason}", url=url, reason=reason)
    entries = []
    for item in raw:
        if not isinstance(item, dict) or item.get("type", "translate") != "translate":
            continue
        from_code, to_code = item.get("from_code"), item.get("to_code")
        if not isinstance(from_code, str) or not isinstance(to_code, str) or not from_code or not to_code:
            continue
        links = item.get("links") or ()
        if isinstance(links, str):
            links = (links,)
        size = item.get("size")
        entries.append(IndexEntry(
            name=f"translate-{from_code}_{to_code}",
            from_code=from_code,
            to_code=to_code,
            version=str(item.get("package_version") or ""),
            links=tuple(link for link in links if isinstance(link, str) and link),
            size=size if isinstance(size, int) and not isinstance(size, bool) and size >= 0 else None,
            from_name=str(item.get("from_name") or ""),
            to_name=str(item.get("to_name") or ""),
            metadata=item,
        ))
    entries.sort(key=lambda e: (e.name.lower(), version_key(e.version)))
    return entries


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", version or ""))


def _human_age(seconds: float) -> str:
    if seconds < 90:
        return f"{int(seconds)} s"
    if seconds < 90 * 60:
        return f"{round(seconds / 60)} min"
    if seconds < 36 * 3600:
        return f"{round(seconds / 3600)} h"
    return f"{round(seconds / 86400)} days"


def _parse_pair(query: str) -> tuple[str, str] | None:
    q = query.strip().lower()
    if q.startswith("translate-"):
        q = q[len("translate-"):]
    parts = [p for p in re.split(r"\s*(?:->|→|[-_]|\s+to\s+|\s+)\s*", q) if p]
    if len(parts) != 2:
        return None
    source, target = (languages.maybe_canonical(p) for p in parts)
    return (source, target) if source and target else None


class PackageIndex:
    """argospm's package index at ``url``: fetched with one attempt and a timeout, and
    cached in ``cache`` (beside ``models_dir``) so that listing works offline."""

    def __init__(self, url: str, cache: Path, *, timeout: float = TIMEOUT,
                 user_agent: str = USER_AGENT):
        self.url, self.cache = url, cache
        self.timeout, self.user_agent = timeout, user_agent

    def listing(self, *, refresh: bool = True) -> IndexListing:
        """Translation packages of the index.

        Fetches the index (one attempt, ``timeout``) and caches it; when the fetch fails,
        or ``refresh`` is False, returns the cached copy (``listing.cached``, ``.age``,
        ``.note()``). Raises :class:`IndexUnavailable` when neither is available.
        """
        url = self.url
        error = None
        if refresh or not self.cache.is_file():
            try:
                data = self.read_url(url, MAX_INDEX_BYTES, what="index")
                entries = parse_index(data, url)
                self._write_cache(url, data)
                return IndexListing(entries, url=url, cached=False, fetched_at=time.time())
            except IndexUnavailable as exc:
                error = exc.details.get("reason") or exc.message
        cached = self._read_cache(url)
        if cached is None:
            reason = error or "no cached copy"
            raise IndexUnavailable(f"package index {url} unavailable: {reason}", url=url, reason=reason)
        entries, fetched_at = cached
        return IndexListing(entries, url=url, cached=True, fetched_at=fetched_at, error=error)

    def pick(self, query: str, listing: IndexListing) -> IndexEntry:
        matches = [e for e in listing if e.matches(query)]
        if not matches:
            where = f"the index {listing.url}" + (" (cached)" if listing.cached else "")
            raise ModelNotFound(f"no package {query!r} in {where}; see `translator models available`",
                                name=query)
        return max(matches, key=lambda e: version_key(e.version))

    def download(self, entry: IndexEntry, dest: Path, limit: int,
                 progress: Callable[[int, int | None], None] | None) -> str:
        """Download ``entry`` to ``dest`` from the first link that works; return that link."""
        if not entry.links:
            raise IndexUnavailable(f"{entry.versioned_name}: the index lists no download link",
                                   name=entry.name)
        failures = []
        for link in entry.links:
            try:
                self.read_url(link, limit, what="package", dest=dest,
                               progress=progress)
                return link
            except IndexUnavailable as exc:
                failures.append(f"{link}: {exc.details.get('reason') or exc.message}")
                with contextlib.suppress(OSError):
                    dest.unlink()
        raise IndexUnavailable(f"cannot download {entry.versioned_name}: " + "; ".join(failures),
                               name=entry.name, links=list(entry.links))

    def read_url(self, url: str, limit: int, *, what: str, dest: Path | None = None,
                  progress: Callable[[int, int | None], None] | None = None) -> bytes:
        """GET ``url`` (at most ``limit`` bytes) into memory or ``dest``; IndexUnavailable on failure."""
        def fail(reason: str):
            reason = one_line(reason)
            msg = (f"package index {url} unavailable: {reason}" if what == "index"
                   else f"cannot download {url}: {reason}")
            return IndexUnavailable(msg, url=url, reason=reason)

        scheme = urllib.parse.urlsplit(url).scheme.lower()
        if scheme not in _URL_SCHEMES:
            raise fail(f"unsupported URL scheme {scheme or '(none)'!r} (use http, https or file)")
        request = urllib.request.Request(url, headers={"User-Agent": self.user_agent})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                length = response.headers.get("Content-Length")
                total = int(length) if length and length.isdigit() else None
                if total is not None and total > limit:
                    raise fail(f"{human_size(total)}, over the {human_size(limit)} bound")
                buffer = bytearray()
                done = 0
                with (open(dest, "wb") if dest is not None else contextlib.nullcontext()) as out:
                    while chunk := response.read(_CHUNK):
                        done += len(chunk)
                        if done > limit:
                            raise fail(f"larger than the {human_size(limit)} bound")
                        if out is None:
                            buffer += chunk
                        else:
                            out.write(chunk)
                        if progress is not None:
                            progress(done, total)
                if total is not None and done < total:
                    raise fail(f"connection closed after {done} of {total} bytes")
                return bytes(buffer)
        except IndexUnavailable:
            raise
        except urllib.error.HTTPError as exc:
            raise fail(f"HTTP {exc.code} {exc.reason}") from None
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, (socket.timeout, TimeoutError)):
                raise fail(f"timed out after {self.timeout:g} s") from None
            raise fail(os_reason(reason) if isinstance(reason, OSError) else str(reason)) from None
        except (socket.timeout, TimeoutError):
            raise fail(f"timed out after {self.timeout:g} s") from None
        except OSError as exc:
            if dest is not None and exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EACCES, errno.EROFS):
                raise ModelError(f"cannot write {dest} ({os_reason(exc)})") from None
            raise fail(os_reason(exc)) from None
        except (ValueError, http.client.HTTPException) as exc:
            raise fail(str(exc) or type(exc).__name__) from None

    def _write_cache(self, url: str, data: bytes) -> None:
        try:
            index = json.loads(data)
            body = json.dumps({"url": url, "fetched_at": time.time(), "index": index},
                              ensure_ascii=False).encode("utf-8")
            self.cache.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(self.cache, body)
        except (OSError, ValueError):
            pass  # a cache we cannot write only costs offline listing

    def _read_cache(self, url: str) -> tuple[list[IndexEntry], float] | None:
        """Cached entries for ``url`` and when they were fetched; None when absent or unusable.

        A plain argospm index.json dropped in place of the cache (a list) is accepted too.
        """
        try:
            raw = json.loads(self.cache.read_bytes())
            mtime = self.cache.stat().st_mtime
        except (OSError, ValueError):
            return None
        if isinstance(raw, dict):
            if raw.get("url") != url or not isinstance(raw.get("index"), list):
                return None
            fetched = raw.get("fetched_at")
            fetched_at = float(fetched) if isinstance(fetched, (int, float)) else mtime
            index = raw["index"]
        elif isinstance(raw, list):
            fetched_at, index = mtime, raw
        else:
            return None
        try:
            return parse_index(json.dumps(index), url), fetched_at
        except IndexUnavailable:
            return None
