"""The model store: listing, installing and removing model packages; the Argos index client.

Two folders hold packages:

* ``settings.models_dir`` is ours: ``install`` and ``remove`` write there;
* ``settings.argos_packages_dir`` is argospm's: its packages are listed and served,
  never modified (``argospm remove`` removes them).

Installing never exposes a half-written package. The package is unpacked (or
copied) into a temporary folder *inside* ``models_dir`` (so the final move is a
same-filesystem ``os.rename``), validated with :func:`translator.packages.read_package`,
and only then renamed into place. Every failure leaves ``models_dir`` as it was;
temporary folders left behind by a crashed process are removed by the next install.
Installs and removals in one ``models_dir`` are serialised with an advisory lock on
the folder itself (POSIX ``flock``), so two processes cannot interleave.

Zip archives are unpacked defensively (see :func:`safe_unzip`): no absolute paths,
``..``, backslashes, drive letters, symlinks or special files; bounded member count,
total unpacked size and compression ratio.

The package index is argospm's ``index.json`` (a JSON list of package metadata). It
is fetched with one attempt and a timeout, and cached next to ``models_dir``
(``models_dir/../index.json``) so ``available`` keeps working offline.
"""

from __future__ import annotations

import contextlib
import errno
import http.client
import json
import os
import re
import shutil
import socket
import stat
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from .fsutil import Busy, atomic_write, locked
from . import __version__, languages
from .archive import zip_entry_problem
from .errors import (BadModelPackage, IndexUnavailable, ModelError, ModelExists, ModelNotFound,
                     TranslatorError)
from .messages import GiB, MiB, human_size, one_line, os_reason
from .packages import ModelPackage, is_package_dir, read_package
from .settings import Settings

__all__ = [
    "ModelStore",
    "IndexEntry",
    "IndexListing",
    "safe_unzip",
    "parse_index",
    "package_folder_name",
    "MAX_UNPACKED_BYTES",
    "MAX_DOWNLOAD_BYTES",
    "MAX_MEMBERS",
    "MAX_RATIO",
]


#: Largest total size a package may unpack (or copy) to.
MAX_UNPACKED_BYTES = 4 * GiB
#: Largest package file downloaded from the index.
MAX_DOWNLOAD_BYTES = 4 * GiB
#: Most members (files and folders) in a package archive or folder.
MAX_MEMBERS = 10_000
#: Highest compression ratio (uncompressed / compressed) of one member at least
#: ``RATIO_MIN_BYTES`` large, and of the whole archive. Real packages (CTranslate2
#: weights, SentencePiece models) compress about 1.1-3x.
MAX_RATIO = 100
RATIO_MIN_BYTES = 1 * MiB
#: Largest index.json accepted.
MAX_INDEX_BYTES = 32 * MiB
#: Seconds before a network operation (connect or one read) gives up.
TIMEOUT = 30.0
#: Seconds to wait for another process's install/remove in the same folder.
LOCK_TIMEOUT = 600.0
#: Without a lock, temporary folders older than this are considered stale.
STALE_AGE = 24 * 3600.0

USER_AGENT = f"newsroom-translator/{__version__}"
TMP_PREFIX = ".translator-tmp-"
_CHUNK = 1 * MiB
_URL_SCHEMES = ("http", "https", "file")
_ARCHIVE_SUFFIXES = (".argosmodel", ".zip")


# --------------------------------------------------------------------------- index


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
    entries.sort(key=lambda e: (e.name.lower(), _version_key(e.version)))
    return entries


# --------------------------------------------------------------------------- zip


def safe_unzip(archive: Path | str, dest: Path | str, *, name: str | None = None,
               label: str | None = None, max_bytes: int = MAX_UNPACKED_BYTES,
               max_members: int = MAX_MEMBERS, max_ratio: float = MAX_RATIO) -> Path:
    """Unpack the package ``archive`` into the existing folder ``dest``; return the package folder.

    The archive must hold exactly one top-level folder (as Argos packages do), or
    files at its top level, which then go into a folder called ``name`` (default:
    the archive's name without extension). Raises :class:`BadModelPackage` before
    writing anything when a member is unsafe or a bound is exceeded; ``label`` names
    the archive in messages.
    """
    archive, dest = Path(archive), Path(dest)
    label = label or str(archive)
    try:
        zf = zipfile.ZipFile(archive)
    except zipfile.BadZipFile:
        raise BadModelPackage(f"{label}: not a zip archive (a model package is a .argosmodel "
                              "zip of one folder)", source=label) from None
    except OSError as exc:
        raise BadModelPackage(f"{label}: cannot read ({os_reason(exc)})", source=label) from None
    with zf:
        members = _checked_members(zf, label, max_bytes, max_members, max_ratio)
        top_files = [parts for info, parts in members if not info.is_dir() and len(parts) == 1]
        tops = sorted({parts[0] for _, parts in members})
        if not any(not info.is_dir() for info, _ in members):
            raise BadModelPackage(f"{label}: the archive holds no files", source=label)
        if top_files:
            folder = _safe_component(name or _archive_stem(archive)) or "package"
            root, strip = dest / folder, 0
        elif len(tops) == 1:
            root, strip = dest / tops[0], 1
        else:
            shown = ", ".join(tops[:5]) + (", ..." if len(tops) > 5 else "")
            raise BadModelPackage(f"{label}: {len(tops)} top-level folders ({shown}); a model "
                                  "package holds exactly one", source=label)
        root.mkdir()
        dest_real = dest.resolve()
        total = 0
        for info, parts in members:
            rel = parts[strip:]
            if not rel:
                continue
            out = root.joinpath(*rel)
            if dest_real not in out.resolve().parents:  # cannot happen after the checks; be sure
                raise BadModelPackage(f"{label}: member {info.filename!r} escapes the package folder",
                                      source=label)
            if info.is_dir():
                out.mkdir(parents=True, exist_ok=True)
                continue
            out.parent.mkdir(parents=True, exist_ok=True)
            try:
                with zf.open(info) as src, open(out, "xb") as dst:
                    written = 0
                    while chunk := src.read(_CHUNK):
                        written += len(chunk)
                        total += len(chunk)
                        if written > info.file_size or total > max_bytes:
                            raise BadModelPackage(f"{label}: member {info.filename!r} unpacks beyond "
                                                  f"its declared size or the {human_size(max_bytes)} "
                                                  "bound", source=label)
                        dst.write(chunk)
            except (FileExistsError, IsADirectoryError, NotADirectoryError):
                raise BadModelPackage(f"{label}: member {info.filename!r} clashes with another member",
                                      source=label) from None
            except (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, NotImplementedError) as exc:
                raise BadModelPackage(f"{label}: corrupt member {info.filename!r} ({one_line(exc)})",
                                      source=label) from None
        return root


def _checked_members(zf: zipfile.ZipFile, label: str, max_bytes: int, max_members: int,
                     max_ratio: float) -> list[tuple[zipfile.ZipInfo, list[str]]]:
    infos = zf.infolist()
    if len(infos) > max_members:
        raise BadModelPackage(f"{label}: {len(infos)} members, more than the {max_members} allowed",
                              source=label)
    members, seen, total, compressed = [], set(), 0, 0
    for info in infos:
        raw = info.filename
        where = f"{label}: member {raw!r}"
        problem = zip_entry_problem(info, within="the package folder")
        if problem:
            raise BadModelPackage(f"{where} {problem}", source=label)
        parts = raw.rstrip("/").split("/") if info.is_dir() else raw.split("/")
        if any(part in ("", ".") for part in parts):  # harmless, but never in a real package
            raise BadModelPackage(f"{where} has an invalid path", source=label)
        if parts[0] == "__MACOSX":  # Finder's resource forks: not part of the package
            continue
        key = "/".join(parts)
        if key in seen and not info.is_dir():
            raise BadModelPackage(f"{where} appears twice", source=label)
        seen.add(key)
        if not info.is_dir():
            total += info.file_size
            compressed += info.compress_size
            if total > max_bytes:
                raise BadModelPackage(f"{label}: unpacks to more than {human_size(max_bytes)} "
                                      "(the bound on a package's size)", source=label)
            if info.file_size >= RATIO_MIN_BYTES and info.file_size > max_ratio * max(info.compress_size, 1):
                raise BadModelPackage(f"{where} is compressed {info.file_size // max(info.compress_size, 1)}:1, "
                                      f"more than {max_ratio:g}:1 (a zip bomb?)", source=label)
        members.append((info, parts))
    if total >= RATIO_MIN_BYTES and total > max_ratio * max(compressed, 1):
        raise BadModelPackage(f"{label}: compressed {total // max(compressed, 1)}:1 overall, more than "
                              f"{max_ratio:g}:1 (a zip bomb?)", source=label)
    return members


# --------------------------------------------------------------------------- store


class ModelStore:
    """Packages in ``settings.models_dir`` (ours) and ``settings.argos_packages_dir`` (argospm's)."""

    def __init__(self, settings: Settings, *, timeout: float = TIMEOUT,
                 max_unpacked_bytes: int = MAX_UNPACKED_BYTES,
                 max_download_bytes: int = MAX_DOWNLOAD_BYTES,
                 max_members: int = MAX_MEMBERS, max_ratio: float = MAX_RATIO,
                 lock_timeout: float = LOCK_TIMEOUT, user_agent: str = USER_AGENT):
        self.settings = settings
        self.models_dir = Path(settings.models_dir).expanduser()
        self.argos_dir = Path(settings.argos_packages_dir).expanduser()
        self.index_url = settings.index_url
        self.index_cache = self.models_dir.parent / "index.json"
        self.timeout = timeout
        self.max_unpacked_bytes = max_unpacked_bytes
        self.max_download_bytes = max_download_bytes
        self.max_members = max_members
        self.max_ratio = max_ratio
        self.lock_timeout = lock_timeout
        self.user_agent = user_agent

    # ---------------------------------------------------------------- listing

    def scan(self) -> tuple[list[ModelPackage], list[str]]:
        """Valid packages (ours first, each folder sorted) and one line per invalid folder."""
        packages: list[ModelPackage] = []
        problems: list[str] = []
        seen: set[Path] = set()
        for folder in (self.models_dir, self.argos_dir):
            found = []
            for child in _children(folder, problems):
                real = child.resolve()
                if real in seen:
                    continue
                seen.add(real)
                if not is_package_dir(child):
                    problems.append(f"{child}: not a model package (no metadata.json or model.bin)")
                    continue
                try:
                    found.append(read_package(child))
                except BadModelPackage as exc:
                    if _metadata_type(child) != "sbd":  # argospm's sentence splitters: not ours to serve
                        problems.append(exc.message)
            found.sort(key=lambda p: (p.name.lower(), _version_key(p.version), str(p.path)))
            packages.extend(found)
        return packages, problems

    def installed(self) -> list[ModelPackage]:
        """Every valid package of both folders, ours first; see :meth:`problems` for the rest."""
        return self.scan()[0]

    def problems(self) -> list[str]:
        """One line per folder that looks like a package but is not a valid one."""
        return self.scan()[1]

    def owner(self, package: ModelPackage) -> str:
        """``"translator"`` for packages in ``models_dir``, ``"argospm"`` for argospm's."""
        return "translator" if _same_dir(Path(package.path).parent, self.models_dir) else "argospm"

    # ---------------------------------------------------------------- install

    def install(self, source: str | Path, *, replace: bool = False,
                progress: Callable[[int, int | None], None] | None = None) -> ModelPackage:
        """Install a ``.argosmodel``/``.zip`` file, a package folder, or an index package by name.

        Names: ``translate-fr_en``, ``translate-fr_en-1_9``, ``fr-en``, ``fr_en`` (the
        newest version when several match). A package already installed (same folder
        name, or an Argos package of the same pair) raises :class:`ModelExists` unless
        ``replace``. ``progress(done_bytes, total_bytes_or_None)`` is called while downloading.
        """
        path = Path(source).expanduser() if isinstance(source, (str, Path)) else None
        if path is None or not str(source).strip():
            raise ModelNotFound(f"nothing to install: {source!r}", source=str(source))
        if path.exists():
            local = path
        elif isinstance(source, Path) or _looks_like_path(str(source)):
            raise ModelNotFound(f"{path}: no such file or folder", source=str(source))
        else:
            local = None
        if local is not None:
            if local.is_dir():
                self._check_copy_source(local)
            elif not local.is_file():
                raise BadModelPackage(f"{local}: not a file or folder", source=str(local))
        else:
            listing = self.available()
            entry = self._pick(str(source), listing)

        def work(stage: Path) -> ModelPackage:
            if local is None:
                return self._install_entry(entry, stage, replace, progress)
            if local.is_dir():
                return self._install_dir(local, stage, replace)
            return self._install_file(local, stage, replace, label=str(local))

        return self._guarded(work)

    def _guarded(self, work: Callable[[Path], ModelPackage]) -> ModelPackage:
        """Run ``work(stage)`` under the lock with a fresh staging folder; clean up always."""
        created = not self.models_dir.exists()
        try:
            self.models_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ModelError(f"cannot create {self.models_dir} ({os_reason(exc)})") from None
        ok = False
        try:
            with self._lock() as locked:
                self._clean_stale(locked)
                stage = Path(tempfile.mkdtemp(prefix=TMP_PREFIX, dir=self.models_dir))
                try:
                    result = work(stage)
                    ok = True
                    return result
                except TranslatorError:
                    raise
                except OSError as exc:
                    raise ModelError(f"cannot install into {self.models_dir} ({os_reason(exc)})") from None
                finally:
                    _rmtree(stage)
        finally:
            if created and not ok:
                with contextlib.suppress(OSError):
                    self.models_dir.rmdir()  # only if still empty

    def _install_file(self, archive: Path, stage: Path, replace: bool, *, label: str,
                      name: str | None = None, expect: tuple[str, str] | None = None) -> ModelPackage:
        if not zipfile.is_zipfile(archive):
            raise BadModelPackage(f"{label}: not a zip archive (a model package is a .argosmodel "
                                  "zip of one folder)", source=label)
        self._check_space(_zip_total(archive))
        unpacked = stage / "new"
        unpacked.mkdir()
        folder = safe_unzip(archive, unpacked, name=name or _archive_stem(archive), label=label,
                            max_bytes=self.max_unpacked_bytes, max_members=self.max_members,
                            max_ratio=self.max_ratio)
        package = _validate(folder, label)
        if expect and package.pairs and package.pairs[0] != expect:
            served = ", ".join(f"{s}-{t}" for s, t in package.pairs[:3])
            raise BadModelPackage(f"{label}: the package serves {served}, the index says "
                                  f"{expect[0]}-{expect[1]}", source=label)
        return self._commit(package, folder, stage, replace)

    def _install_dir(self, source: Path, stage: Path, replace: bool) -> ModelPackage:
        label = str(source)
        _validate(source, label)  # fail fast, before copying gigabytes
        total = _tree_size(source, label, self.max_unpacked_bytes, self.max_members)
        self._check_space(total)
        folder = stage / "new" / (_safe_component(source.resolve().name) or "package")
        folder.parent.mkdir()
        try:
            shutil.copytree(source, folder, symlinks=False)
        except shutil.Error as exc:
            errors = exc.args[0] if exc.args and isinstance(exc.args[0], list) else []
            why = errors[0][2] if errors and len(errors[0]) == 3 else exc
            raise BadModelPackage(f"{label}: cannot copy ({one_line(why)})", source=label) from None
        return self._commit(_validate(folder, label), folder, stage, replace)

    def _install_entry(self, entry: IndexEntry, stage: Path, replace: bool,
                       progress: Callable[[int, int | None], None] | None) -> ModelPackage:
        fname = (_safe_component(entry.versioned_name) or "package") + ".argosmodel"
        archive = stage / fname
        link = self._download(entry, archive, progress)
        return self._install_file(archive, stage, replace, label=link, name=archive.stem,
                                  expect=entry.pair)

    def _commit(self, package: ModelPackage, folder: Path, stage: Path, replace: bool) -> ModelPackage:
        name = package_folder_name(package, folder.name)
        target = self.models_dir / name
        conflicts = self._conflicts(package, target)
        if conflicts and not replace:
            what = ", ".join(c.name for c in conflicts)
            why = "is already installed" if conflicts == [target] else f"conflicts with installed {what}"
            raise ModelExists(f"{name} {why} in {self.models_dir} (use --replace to replace it)",
                              name=name, installed=[str(c) for c in conflicts])
        aside: list[tuple[Path, Path]] = []
        try:
            for i, old in enumerate(conflicts):
                moved = stage / f"old-{i}"
                os.rename(old, moved)
                aside.append((old, moved))
            os.rename(folder, target)
        except OSError:
            for old, moved in reversed(aside):  # put back what was moved aside
                with contextlib.suppress(OSError):
                    os.rename(moved, old)
            raise
        # the old packages now sit in ``stage``, deleted with it
        return read_package(target)

    def _conflicts(self, package: ModelPackage, target: Path) -> list[Path]:
        found = [target] if target.exists() or target.is_symlink() else []
        if package.kind == "argos":
            for child in _children(self.models_dir, []):
                if child == target or not is_package_dir(child):
                    continue
                try:
                    other = read_package(child)
                except BadModelPackage:
                    continue
                if other.kind == "argos" and other.pairs == package.pairs:
                    found.append(child)
        return found

    def _check_copy_source(self, source: Path) -> None:
        src, models = source.resolve(), self.models_dir.resolve()
        if src == models or src in models.parents:
            raise ModelError(f"cannot install {source}: it contains the models folder {self.models_dir}")
        if src.parent == models:
            raise ModelExists(f"{source} is already in the models folder", name=source.name)

    def _check_space(self, needed: int) -> None:
        try:
            free = shutil.disk_usage(self.models_dir).free
        except OSError:
            return
        if needed > free:
            raise ModelError(f"not enough disk space in {self.models_dir}: the package needs "
                             f"{human_size(needed)}, {human_size(free)} free")

    # ---------------------------------------------------------------- remove

    def remove(self, name: str) -> Path:
        """Remove one of our packages (folder name, package name, argospm name or pair); return its path."""
        query = str(name).strip()
        if not query:
            raise ModelNotFound("no package name given")
        target = self._find(query, self.models_dir)
        if target is None:
            theirs = self._find(query, self.argos_dir)
            if theirs is not None:
                pm = _argospm_name(theirs) or theirs.name
                raise ModelError(f"{theirs.name} belongs to argospm ({self.argos_dir}); remove it "
                                 f"with `argospm remove {pm}`", name=theirs.name, path=str(theirs))
            raise ModelNotFound(f"no installed package {query!r} in {self.models_dir}", name=query)
        with self._lock():
            if not (target.exists() or target.is_symlink()):
                raise ModelNotFound(f"no installed package {query!r} in {self.models_dir}", name=query)
            if target.is_symlink():
                target.unlink()
                return target
            doomed = self.models_dir / f"{TMP_PREFIX}rm-{os.getpid()}-{time.monotonic_ns()}"
            try:
                os.rename(target, doomed)  # atomic: never a half-deleted package in the listing
            except OSError as exc:
                raise ModelError(f"cannot remove {target} ({os_reason(exc)})") from None
            _rmtree(doomed)  # leftovers (if any) are cleaned by the next install
        return target

    def _find(self, query: str, folder: Path) -> Path | None:
        """The package folder in ``folder`` that ``query`` names, if exactly one."""
        given = Path(query).expanduser()
        if given.is_absolute() or len(given.parts) > 1:
            if _same_dir(given.parent, folder) and given.name:
                return folder / given.name if (folder / given.name).exists() else None
            return None
        if query.startswith(".") or "\\" in query:
            return None
        direct = folder / query
        if direct.is_dir() or direct.is_symlink():
            return direct
        matches = []
        for child in _children(folder, []):
            if is_package_dir(child) and query.lower() in _aliases(child):
                matches.append(child)
        if len(matches) > 1:
            raise ModelError(f"{query!r} matches several packages in {folder}: "
                             f"{', '.join(sorted(m.name for m in matches))}; give the folder name",
                             name=query)
        return matches[0] if matches else None

    # ---------------------------------------------------------------- index

    def available(self, *, refresh: bool = True) -> IndexListing:
        """Translation packages of the index (``settings.index_url``).

        Fetches the index (one attempt, ``timeout``) and caches it; when the fetch fails,
        or ``refresh`` is False, returns the cached copy (``listing.cached``, ``.age``,
        ``.note()``). Raises :class:`IndexUnavailable` when neither is available.
        """
        url = self.index_url
        error = None
        if refresh or not self.index_cache.is_file():
            try:
                data = self._read_url(url, MAX_INDEX_BYTES, what="index")
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

    def _pick(self, query: str, listing: IndexListing) -> IndexEntry:
        matches = [e for e in listing if e.matches(query)]
        if not matches:
            where = f"the index {listing.url}" + (" (cached)" if listing.cached else "")
            raise ModelNotFound(f"no package {query!r} in {where}; see `translator models available`",
                                name=query)
        return max(matches, key=lambda e: _version_key(e.version))

    def _download(self, entry: IndexEntry, dest: Path,
                  progress: Callable[[int, int | None], None] | None) -> str:
        """Download ``entry`` to ``dest`` from the first link that works; return that link."""
        if not entry.links:
            raise IndexUnavailable(f"{entry.versioned_name}: the index lists no download link",
                                   name=entry.name)
        failures = []
        for link in entry.links:
            try:
                self._read_url(link, self.max_download_bytes, what="package", dest=dest,
                               progress=progress)
                return link
            except IndexUnavailable as exc:
                failures.append(f"{link}: {exc.details.get('reason') or exc.message}")
                with contextlib.suppress(OSError):
                    dest.unlink()
        raise IndexUnavailable(f"cannot download {entry.versioned_name}: " + "; ".join(failures),
                               name=entry.name, links=list(entry.links))

    def _read_url(self, url: str, limit: int, *, what: str, dest: Path | None = None,
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
            self.index_cache.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(self.index_cache, body)
        except (OSError, ValueError):
            pass  # a cache we cannot write only costs offline listing

    def _read_cache(self, url: str) -> tuple[list[IndexEntry], float] | None:
        """Cached entries for ``url`` and when they were fetched; None when absent or unusable.

        A plain argospm index.json dropped in place of the cache (a list) is accepted too.
        """
        try:
            raw = json.loads(self.index_cache.read_bytes())
            mtime = self.index_cache.stat().st_mtime
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

    # ---------------------------------------------------------------- locking

    @contextlib.contextmanager
    def _lock(self) -> Iterator[bool]:
        """Hold an exclusive lock on models_dir (waiting up to ``lock_timeout``); yields
        whether the lock is held (False on a file system without ``flock``)."""
        with contextlib.ExitStack() as stack:
            try:
                held = stack.enter_context(locked(self.models_dir, timeout=self.lock_timeout))
            except Busy:
                raise ModelError(f"another install or remove is running in {self.models_dir}; "
                                 "try again later") from None
            except OSError:  # models_dir cannot be opened: go on unlocked
                held = False
            yield held

    def _clean_stale(self, locked: bool) -> None:
        """Remove temporary folders a crashed install or remove left in models_dir."""
        now = time.time()
        for child in _children(self.models_dir, [], hidden=True, dirs_only=False):
            if not child.name.startswith(TMP_PREFIX):
                continue
            try:
                old = now - child.lstat().st_mtime > STALE_AGE
            except OSError:
                continue
            if locked or old:
                if child.is_dir() and not child.is_symlink():
                    _rmtree(child)
                else:
                    with contextlib.suppress(OSError):
                        child.unlink()


# --------------------------------------------------------------------------- helpers


def package_folder_name(package: ModelPackage, fallback: str) -> str:
    """Folder name of an installed package: ``translate-fr_en-1_9`` for Argos packages
    (as argospm names them), the metadata name or ``fallback`` otherwise."""
    meta = package.metadata or {}
    candidate = ""
    if package.kind == "argos" and meta.get("from_code") and meta.get("to_code"):
        candidate = f"{meta.get('type') or 'translate'}-{meta['from_code']}_{meta['to_code']}"
        version = str(meta.get("package_version") or "")
        if version:
            candidate += "-" + version.replace(".", "_")
    elif package.kind == "nllb" and isinstance(meta.get("name"), str):
        candidate = meta["name"]
    return _safe_component(candidate) or _safe_component(fallback) or "package"


def _validate(folder: Path, label: str) -> ModelPackage:
    """read_package, with the temporary path in messages replaced by what the user gave."""
    try:
        return read_package(folder)
    except BadModelPackage as exc:
        message = exc.message.replace(str(folder), label)
        raise BadModelPackage(message, source=label) from None


def _children(folder: Path, problems: list[str], *, hidden: bool = False,
              dirs_only: bool = True) -> list[Path]:
    """Sorted entries of ``folder``; a missing folder is empty (never created)."""
    try:
        entries = sorted(folder.iterdir())
    except (FileNotFoundError, NotADirectoryError):
        return []
    except OSError as exc:
        problems.append(f"{folder}: cannot list ({os_reason(exc)})")
        return []
    return [e for e in entries
            if (hidden or not e.name.startswith(".")) and (not dirs_only or e.is_dir())]


def _metadata_type(folder: Path) -> str | None:
    try:
        meta = json.loads((folder / "metadata.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return meta.get("type", "translate") if isinstance(meta, dict) else None


def _argospm_name(folder: Path) -> str | None:
    """``translate-fr_en``: the name ``argospm remove`` takes for the package in ``folder``."""
    try:
        meta = json.loads((folder / "metadata.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(meta, dict):
        return None
    name = str(meta.get("type") or "translate")
    if meta.get("from_code") and meta.get("to_code"):
        name += f"-{meta['from_code']}_{meta['to_code']}"
    return name


def _aliases(folder: Path) -> set[str]:
    """Names a package folder answers to in :meth:`ModelStore.remove`."""
    names = {folder.name.lower()}
    argospm = _argospm_name(folder)
    if argospm:
        names.add(argospm.lower())
    try:
        package = read_package(folder)
    except BadModelPackage:
        return names
    names.add(package.name.lower())
    if package.kind == "argos":
        for s, t in package.pairs:
            names.update({f"{s}-{t}", f"{s}_{t}"})
        meta = package.metadata
        if meta.get("from_code") and meta.get("to_code"):
            f, t = str(meta["from_code"]).lower(), str(meta["to_code"]).lower()
            names.update({f"{f}-{t}", f"{f}_{t}"})
    return names


def _parse_pair(query: str) -> tuple[str, str] | None:
    q = query.strip().lower()
    if q.startswith("translate-"):
        q = q[len("translate-"):]
    parts = [p for p in re.split(r"\s*(?:->|→|[-_]|\s+to\s+|\s+)\s*", q) if p]
    if len(parts) != 2:
        return None
    source, target = (languages.maybe_canonical(p) for p in parts)
    return (source, target) if source and target else None


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", version or ""))


def _safe_component(name: str) -> str:
    """``name`` as one harmless path component (letters, digits, ``._-``), or ''."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", name or "").lstrip(".-_")[:120]
    return "" if cleaned in ("", ".", "..") else cleaned


def _archive_stem(path: Path) -> str:
    name = path.name
    for suffix in _ARCHIVE_SUFFIXES:
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return path.stem


def _looks_like_path(text: str) -> bool:
    return ("/" in text or "\\" in text or text.startswith((".", "~"))
            or text.lower().endswith(_ARCHIVE_SUFFIXES))


def _same_dir(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return a == b


def _zip_total(archive: Path) -> int:
    try:
        with zipfile.ZipFile(archive) as zf:
            return sum(i.file_size for i in zf.infolist())
    except (zipfile.BadZipFile, OSError):
        return 0


def _tree_size(root: Path, label: str, max_bytes: int, max_members: int) -> int:
    """Bytes a copy of ``root`` takes (file symlinks followed); refuse folder symlinks and bounds."""
    total = count = 0
    for current, dirs, files in os.walk(root):
        for d in dirs:
            if os.path.islink(os.path.join(current, d)):
                raise BadModelPackage(f"{label}: {os.path.join(current, d)} is a symbolic link to a "
                                      "folder (not supported in a package)", source=label)
        for f in files:
            file = os.path.join(current, f)
            try:
                st = os.stat(file)
            except OSError:
                raise BadModelPackage(f"{label}: {file} is a broken link or unreadable",
                                      source=label) from None
            if not stat.S_ISREG(st.st_mode):
                raise BadModelPackage(f"{label}: {file} is not a regular file", source=label)
            total += st.st_size
        count += len(dirs) + len(files)
        if count > max_members:
            raise BadModelPackage(f"{label}: more than {max_members} files and folders", source=label)
        if total > max_bytes:
            raise BadModelPackage(f"{label}: larger than {human_size(max_bytes)} (the bound on a "
                                  "package's size)", source=label)
    return total


def _rmtree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)





def _human_age(seconds: float) -> str:
    if seconds < 90:
        return f"{int(seconds)} s"
    if seconds < 90 * 60:
        return f"{round(seconds / 60)} min"
    if seconds < 36 * 3600:
        return f"{round(seconds / 3600)} h"
    return f"{round(seconds / 86400)} days"
