"""The model store: listing, installing and removing model packages.

Two folders hold packages:

* ``settings.models_dir`` is ours: ``install`` and ``remove`` write there;
* ``settings.argos_packages_dir`` is argospm's: its packages are listed and served,
  never modified (``argospm remove`` removes them).

Installing never exposes a half-written package. The package is unpacked (or
copied) into a temporary folder *inside* ``models_dir`` (so the final move is a
same-filesystem ``os.rename``), validated with :func:`translator.packages.read_package`,
and only then renamed into place. Every failure leaves ``models_dir`` as it was;
temporary folders left behind by a crashed process are removed by the next install.
Installs and removals in one ``models_dir`` are serialised with a lock on the folder
itself (:func:`translator.fsutil.locked`), so two processes cannot interleave.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import stat
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Callable, Iterator

from ..errors import BadModelPackage, ModelError, ModelExists, ModelNotFound, TranslatorError
from ..fsutil import Busy, locked
from ..messages import GiB, human_size, one_line, os_reason
from ..packages import ModelPackage, is_package_dir, read_package
from ..settings import Settings
from .index import TIMEOUT, USER_AGENT, IndexEntry, IndexListing, PackageIndex, version_key
from .unzip import (ARCHIVE_SUFFIXES, MAX_MEMBERS, MAX_RATIO, MAX_UNPACKED_BYTES, archive_stem, safe_component,
                    safe_unzip, zip_total)


#: Largest package file downloaded from the index.
MAX_DOWNLOAD_BYTES = 4 * GiB

#: Seconds to wait for another process's install/remove in the same folder.
LOCK_TIMEOUT = 600.0

#: Without a lock, temporary folders older than this are considered stale.
STALE_AGE = 24 * 3600.0

TMP_PREFIX = ".translator-tmp-"



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
        self.index = PackageIndex(settings.index_url, self.models_dir.parent / "index.json",
                                  timeout=timeout, user_agent=user_agent)
        self.max_unpacked_bytes = max_unpacked_bytes
        self.max_download_bytes = max_download_bytes
        self.max_members = max_members
        self.max_ratio = max_ratio
        self.lock_timeout = lock_timeout

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
            found.sort(key=lambda p: (p.name.lower(), version_key(p.version), str(p.path)))
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
            entry = self.index.pick(str(source), listing)

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
        self._check_space(zip_total(archive))
        unpacked = stage / "new"
        unpacked.mkdir()
        folder = safe_unzip(archive, unpacked, name=name or archive_stem(archive), label=label,
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
        folder = stage / "new" / (safe_component(source.resolve().name) or "package")
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
        fname = (safe_component(entry.versioned_name) or "package") + ".argosmodel"
        archive = stage / fname
        link = self.index.download(entry, archive, self.max_download_bytes, progress)
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







    def available(self, *, refresh: bool = True) -> IndexListing:
        """Translation packages of the index (``settings.index_url``): see
        :meth:`PackageIndex.listing`."""
        return self.index.listing(refresh=refresh)

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
    return safe_component(candidate) or safe_component(fallback) or "package"


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


def _looks_like_path(text: str) -> bool:
    return ("/" in text or "\\" in text or text.startswith((".", "~"))
            or text.lower().endswith(ARCHIVE_SUFFIXES))


def _same_dir(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return a == b


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
