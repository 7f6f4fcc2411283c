"""Package archives (``.argosmodel``, ``.zip``) unpacked defensively.

No absolute paths, ``..``, backslashes, drive letters, symlinks or special files; a
bounded member count, total unpacked size and compression ratio (see :func:`safe_unzip`).
"""

from __future__ import annotations

import re
import zipfile
import zlib
from pathlib import Path

from ..archive import zip_entry_problem
from ..errors import BadModelPackage
from ..messages import GiB, MiB, human_size, one_line, os_reason


_CHUNK = 1 * MiB
#: What a package archive's name ends with.
ARCHIVE_SUFFIXES = (".argosmodel", ".zip")

#: Largest total size a package may unpack (or copy) to.
MAX_UNPACKED_BYTES = 4 * GiB

#: Most members (files and folders) in a package archive or folder.
MAX_MEMBERS = 10_000

#: Highest compression ratio (uncompressed / compressed) of one member at least
#: ``RATIO_MIN_BYTES`` large, and of the whole archive. Real packages (CTranslate2
#: weights, SentencePiece models) compress about 1.1-3x.
MAX_RATIO = 100

RATIO_MIN_BYTES = 1 * MiB


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
            folder = safe_component(name or archive_stem(archive)) or "package"
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


def zip_total(archive: Path) -> int:
    try:
        with zipfile.ZipFile(archive) as zf:
            return sum(i.file_size for i in zf.infolist())
    except (zipfile.BadZipFile, OSError):
        return 0


def archive_stem(path: Path) -> str:
    name = path.name
    for suffix in ARCHIVE_SUFFIXES:
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return path.stem


def safe_component(name: str) -> str:
    """``name`` as one harmless path component (letters, digits, ``._-``), or ''."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", name or "").lstrip(".-_")[:120]
    return "" if cleaned in ("", ".", "..") else cleaned
