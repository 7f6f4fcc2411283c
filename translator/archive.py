"""Reading .zip and .tar.gz archives of articles in memory, defensively, never extracting to disk.

:func:`open_archive` checks the archive as a whole and raises :class:`BadArchive`
when it cannot be read at all: not an archive, corrupt, truncated, too many
members, or a compression bomb. :meth:`Archive.members` then lists the regular
files; a member that is unsafe (absolute path, ``..``, backslash, drive letter,
control characters, link, device, encrypted, duplicate name) comes with its
error rather than being dropped silently. :meth:`Archive.read` reads one member
into memory, bounded by :class:`ArchiveLimits` whatever sizes the archive declares.

A .tar.gz is one compressed stream: :func:`open_archive` reads it once to the
end to check it (keeping only the headers), and members are then best read in
the order :meth:`Archive.members` gives them (going back means decompressing
again from the start). A .zip can be read in any order.

:func:`name_problem` and :func:`zip_entry_problem` are shared with the model
store's package installer (:func:`translator.models.safe_unzip`).
"""

from __future__ import annotations

import gzip
import os
import re
import stat
import struct
import tarfile
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Iterator

from .errors import BadArchive
from .messages import GiB, MiB, human_size, one_line, os_reason

__all__ = [
    "ARCHIVE_SUFFIXES",
    "ArchiveLimits",
    "Member",
    "Archive",
    "open_archive",
    "is_archive",
    "name_problem",
    "zip_entry_problem",
]


ARCHIVE_SUFFIXES = (".zip", ".tar.gz", ".tgz")
_CHUNK = 1 * MiB
_DRIVE = re.compile(r"^[A-Za-z]:")


@dataclass(frozen=True)
class ArchiveLimits:
    """Bounds on what one archive may make us read; exceeding one raises :class:`BadArchive`."""

    # A newsroom archive of a few years of articles has thousands to tens of thousands
    # of files; 100,000 leaves room while bounding the member list kept in memory.
    max_members: int = 100_000
    # One member is held in memory whole. Articles are kilobytes; a JSONL feed of
    # thousands of articles is tens of megabytes.
    max_member_bytes: int = 64 * MiB
    # Bytes actually read from one archive, all members together (bounds the work).
    max_total_bytes: int = 4 * GiB
    # Text deflates 3-10x, repetitive HTML up to ~30x; bombs reach 1000x and more.
    max_ratio: float = 100
    # Below this size a high ratio is harmless (and common for small repetitive files).
    ratio_min_bytes: int = 1 * MiB


@dataclass(frozen=True)
class Member:
    """A regular file of an archive."""

    name: str    # posix path inside the archive, normalised ("./a//b.txt" -> "a/b.txt"); raw when unsafe
    size: int    # size the archive declares (never trusted for reading)
    index: int   # position in the archive (tells apart members of the same name)


def is_archive(path: Path | str) -> bool:
    """True for a name ending in .zip, .tar.gz or .tgz (any case)."""
    return str(path).lower().endswith(ARCHIVE_SUFFIXES)


def name_problem(name: str, *, within: str = "the archive") -> str | None:
    """Why the member path ``name`` is unsafe ("has an absolute path"...), or None when safe.

    ``within`` completes "leaves ... (..)". Empty and ``.`` parts are not problems here.
    """
    if "\\" in name:
        return "has a backslash in its path"
    if name.startswith("/"):
        return "has an absolute path"
    if _DRIVE.match(name):
        return "has a drive letter"
    if ".." in name.split("/"):
        return f"leaves {within} (..)"
    for char in name:
        category = unicodedata.category(char)
        if category == "Cc":
            return "has a control character in its path"
        if category == "Cs":  # tarfile's surrogateescape: bytes that are not UTF-8
            return "has a path that is not valid UTF-8"
    return None


def zip_entry_problem(info: zipfile.ZipInfo, *, within: str = "the archive") -> str | None:
    """Why the zip entry is unsafe to read (its path, a link, a special file, encrypted), or None."""
    return name_problem(info.filename, within=within) or _zip_type_problem(info)


def _zip_type_problem(info: zipfile.ZipInfo) -> str | None:
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        return "is a symbolic link"
    if stat.S_IFMT(mode) not in (0, stat.S_IFREG, stat.S_IFDIR):
        return "is a special file"
    if info.flag_bits & 0x1:
        return "is encrypted"
    return None


def _tar_type_problem(info: tarfile.TarInfo) -> str | None:
    if info.issym():
        return "is a symbolic link"
    if info.islnk():
        return "is a hard link"
    if info.ischr() or info.isblk() or info.isfifo():
        return "is a special file (device or fifo)"
    if not info.isreg():
        return "is not a regular file"
    return None


def _normalised(name: str) -> str:
    """``./a//b.txt`` -> ``a/b.txt`` (only for names :func:`name_problem` accepts)."""
    return "/".join(part for part in name.split("/") if part not in ("", "."))


def _skipped(name: str) -> bool:
    """Finder's __MACOSX/ resource forks and hidden files are not articles."""
    parts = name.split("/")
    return parts[0] == "__MACOSX" or any(part.startswith(".") for part in parts)


class Archive:
    """An open archive: its members and bounded reads. Use as a context manager."""

    #: True when members can be read in any order at no extra cost (zip).
    random_access = False

    def __init__(self, label: str, limits: ArchiveLimits):
        self.label = label
        self.limits = limits
        self._read_total = 0
        self._refused: dict[int, BadArchive] = {}

    def __enter__(self) -> "Archive":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Release the file."""

    def members(self) -> Iterator[tuple[Member, BadArchive | None]]:
        """Regular files in archive order, each with the reason it is unsafe (or None).

        Directories, __MACOSX/ and hidden files are left out; a later member with
        the name of an earlier one is a duplicate.
        """
        seen: set[str] = set()
        for index, raw, size, is_dir, type_problem in self._entries():
            if is_dir:
                continue
            problem = name_problem(raw)
            name = raw if problem else _normalised(raw)
            if not problem:
                # Only now: ".." would look hidden, and a path problem must be reported.
                if not name or _skipped(name):
                    continue
                problem = type_problem or ("appears twice" if name in seen else None)
            seen.add(name)
            member = Member(name, size, index)
            if problem:
                error = self._error(f"member {raw!r} {problem}", member=raw)
                self._refused[index] = error
                yield member, error
            else:
                yield member, None

    def read(self, member: Member) -> bytes:
        """The member's bytes, at most ``max_member_bytes`` and what is left of ``max_total_bytes``.

        Raises :class:`BadArchive` naming the member when a bound is exceeded or the data is
        corrupt or truncated.
        """
        if member.index in self._refused:
            raise self._refused[member.index]
        left = max(0, self.limits.max_total_bytes - self._read_total)
        limit = min(self.limits.max_member_bytes, left)
        data = bytearray()
        with self._open(member) as stream:
            while chunk := stream.read(min(_CHUNK, limit + 1 - len(data))):
                data += chunk
                self._read_total += len(chunk)
                if len(data) > limit:
                    raise self._too_big(member, limit)
                self._check_ratio(member, len(data))
        if len(data) < member.size:
            raise self._error(f"member {member.name!r} is truncated ({len(data)} of "
                              f"{member.size} bytes)", member=member.name)
        return bytes(data)

    # ---------------------------------------------------------------- for subclasses

    def _entries(self) -> Iterator[tuple[int, str, int, bool, str | None]]:
        """(index, raw name, declared size, is a directory, type problem or None) in archive order."""
        raise NotImplementedError

    def _open(self, member: Member) -> BinaryIO:
        raise NotImplementedError

    def _check_ratio(self, member: Member, done: int) -> None:
        """Raise when ``done`` bytes of ``member`` show a compression bomb."""

    # ---------------------------------------------------------------- helpers

    def _error(self, problem: str, **details) -> BadArchive:
        prefix = f"{self.label}: " if self.label else ""
        return BadArchive(prefix + problem, **details)

    def _too_big(self, member: Member, limit: int) -> BadArchive:
        if limit < self.limits.max_member_bytes:
            bound = f"the {human_size(self.limits.max_total_bytes)} bound on a whole archive"
        else:
            bound = f"the {human_size(self.limits.max_member_bytes)} bound on one member"
        return self._error(f"member {member.name!r} unpacks to more than {bound}",
                           member=member.name)


# --------------------------------------------------------------------------- zip


class _ZipArchive(Archive):
    random_access = True

    def __init__(self, path: Path, label: str, limits: ArchiveLimits):
        super().__init__(label, limits)
        try:
            self._zf = zipfile.ZipFile(path)
            self._infos = self._zf.infolist()
        except OSError as exc:
            raise self._error(f"cannot read ({os_reason(exc)})") from None
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, OverflowError,
                struct.error, NotImplementedError) as exc:
            raise self._error(f"not a zip archive, or a corrupt or truncated one "
                              f"({one_line(exc)})") from None
        try:
            self._check_whole()
        except BadArchive:
            self._zf.close()
            raise

    def _check_whole(self) -> None:
        """Member count and whole-archive compression ratio, from the central directory."""
        infos, limits = self._infos, self.limits
        if len(infos) > limits.max_members:
            raise self._error(f"{len(infos)} members, more than the {limits.max_members} allowed")
        # A member over the per-member bounds fails on its own when read (zip members are
        # read one by one): one bomb in a newsroom's archive must not sink the archive.
        counted = [i for i in infos if not i.is_dir() and not self._fails_alone(i)]
        total = sum(i.file_size for i in counted)
        packed = sum(i.compress_size for i in counted)
        if total >= limits.ratio_min_bytes and total > limits.max_ratio * max(packed, 1):
            raise self._error(f"compressed {total // max(packed, 1)}:1 overall, more than "
                              f"{limits.max_ratio:g}:1 (a zip bomb?)")

    def _fails_alone(self, info: zipfile.ZipInfo) -> bool:
        limits = self.limits
        return (info.file_size > limits.max_member_bytes
                or (info.file_size >= limits.ratio_min_bytes
                    and info.file_size > limits.max_ratio * max(info.compress_size, 1)))

    def close(self) -> None:
        self._zf.close()

    def _entries(self):
        for index, info in enumerate(self._infos):
            yield index, info.filename, info.file_size, info.is_dir(), _zip_type_problem(info)

    def _open(self, member: Member) -> BinaryIO:
        return _Guarded(self, member, lambda: self._zf.open(self._infos[member.index]))

    def _check_ratio(self, member: Member, done: int) -> None:
        info = self._infos[member.index]
        if done > info.file_size:
            raise self._error(f"member {member.name!r} unpacks to more than its declared size "
                              f"({info.file_size} bytes)", member=member.name)
        packed = max(info.compress_size, 1)
        if done >= self.limits.ratio_min_bytes and done > self.limits.max_ratio * packed:
            raise self._error(f"member {member.name!r} is compressed more than "
                              f"{self.limits.max_ratio:g}:1 (a zip bomb?)", member=member.name)


# --------------------------------------------------------------------------- tar.gz


class _BoundedStream:
    """The decompressed tar stream as tarfile sees it, refusing to go past ``bound`` bytes.

    tarfile skips member data by seeking (which decompresses) and reads pax and GNU
    long-name headers whole into memory: both are bounded here.
    """

    def __init__(self, archive: "_TarArchive", stream: gzip.GzipFile, bound: int, max_read: int):
        self._archive = archive
        self._stream = stream
        self._bound = bound
        self._max_read = max_read

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0 or size > self._max_read:
            raise self._archive._error("holds a header or block larger than "
                                       f"{human_size(self._max_read)} (corrupt or hostile)")
        size = min(size, self._bound + 1 - self._stream.tell())
        data = self._stream.read(max(size, 0))
        if self._stream.tell() > self._bound:
            raise self._archive._bomb()
        return data

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        if whence != os.SEEK_SET:
            raise ValueError("only absolute seeks are supported")
        if offset > self._bound:
            raise self._archive._bomb()
        return self._stream.seek(offset)

    def tell(self) -> int:
        return self._stream.tell()


class _TarArchive(Archive):
    def __init__(self, path: Path, label: str, limits: ArchiveLimits):
        super().__init__(label, limits)
        try:
            self._file = open(path, "rb")
        except OSError as exc:
            raise self._error(f"cannot read ({os_reason(exc)})") from None
        try:
            packed = os.fstat(self._file.fileno()).st_size
            if packed == 0:
                raise self._error("empty file, not a gzip-compressed tar archive")
            self._gz = gzip.GzipFile(fileobj=self._file, mode="rb")
            bound = max(limits.ratio_min_bytes, int(limits.max_ratio * max(packed, 1)))
            # Member data is read in chunks of at most _CHUNK; a pax or long-name header
            # larger than that is not a real one.
            self._stream = _BoundedStream(self, self._gz, bound, _CHUNK)
            self._tf = _stream_errors(self, lambda: tarfile.open(fileobj=self._stream, mode="r:"))
            self._infos = _stream_errors(self, self._scan)
        except BaseException:
            self._file.close()
            raise

    def _scan(self) -> list[tarfile.TarInfo]:
        """Every header, checking the count; then the rest of the stream must be zeros."""
        infos, held = [], 0
        for info in self._tf:  # lazily: the bounds are checked before reading further
            infos.append(info)
            if len(infos) > self.limits.max_members:
                raise self._error(f"more than {self.limits.max_members} members")
            # The headers stay in memory: bound what names and pax records hold.
            held += len(info.name) + len(info.linkname) + sum(
                len(k) + len(v) for k, v in info.pax_headers.items())
            if held > self.limits.max_member_bytes:
                raise self._error(f"headers hold more than {human_size(self.limits.max_member_bytes)} "
                                  "(corrupt or hostile archive)")
        # Reading to the end checks the gzip CRC and shows truncation; anything but the
        # end-of-archive zeros there is a damaged header that tarfile took for the end.
        while chunk := self._stream.read(_CHUNK):
            if chunk.count(0) != len(chunk):
                raise self._error(f"corrupt: unreadable data after member {len(infos)} "
                                  f"(at byte {self._tf.offset} of the tar stream)")
        return infos

    def close(self) -> None:
        self._tf.close()
        self._gz.close()
        self._file.close()

    def _entries(self):
        for index, info in enumerate(self._infos):
            yield index, info.name, info.size, info.isdir(), _tar_type_problem(info)

    def _open(self, member: Member) -> BinaryIO:
        return _Guarded(self, member, lambda: self._tf.extractfile(self._infos[member.index]))

    def _bomb(self) -> BadArchive:
        return self._error(f"unpacks to more than {self.limits.max_ratio:g} times its size "
                           "(a compression bomb?)")


def _stream_errors(archive: _TarArchive, action):
    """Run ``action`` turning what a damaged gzip or tar stream raises into :class:`BadArchive`."""
    try:
        return action()
    except gzip.BadGzipFile as exc:
        if "Not a gzipped file" in str(exc) and archive._gz.tell() == 0:
            raise archive._error(f"not a gzip-compressed tar archive ({one_line(exc)})") from None
        raise archive._error(f"corrupt compressed data ({one_line(exc)})") from None
    except EOFError:
        raise archive._error("truncated (the compressed stream ends early)") from None
    except zlib.error as exc:
        raise archive._error(f"corrupt compressed data ({one_line(exc)})") from None
    except tarfile.ReadError as exc:
        if "zlib" in str(exc):
            raise archive._error(f"corrupt compressed data ({one_line(exc)})") from None
        if "unexpected end" in str(exc):
            raise archive._error("truncated (the tar stream ends early)") from None
        raise archive._error(f"not a tar archive inside the gzip stream ({one_line(exc)})") from None
    except tarfile.TarError as exc:
        raise archive._error(f"corrupt tar archive ({one_line(exc)})") from None
    except OSError as exc:
        raise archive._error(f"cannot read ({os_reason(exc)})") from None


class _Guarded:
    """A member's stream whose decompression and truncation errors name the member."""

    _ERRORS = (zipfile.BadZipFile, tarfile.TarError, zlib.error, EOFError, OSError,
               RuntimeError, NotImplementedError, ValueError, struct.error)

    def __init__(self, archive: Archive, member: Member, opener):
        self._archive, self._member, self._opener = archive, member, opener
        self._stream = None

    def __enter__(self) -> "_Guarded":
        self._stream = self._call(self._opener)
        return self

    def __exit__(self, *exc) -> None:
        if self._stream is not None:
            self._stream.close()

    def read(self, size: int) -> bytes:
        return self._call(lambda: self._stream.read(size))

    def _call(self, action):
        try:
            return action()
        except BadArchive:
            raise
        except NotImplementedError as exc:
            raise self._fail(f"uses an unsupported compression method ({one_line(exc)})") from None
        except self._ERRORS as exc:
            raise self._fail(f"is corrupt or truncated ({one_line(exc) or type(exc).__name__})") from None

    def _fail(self, problem: str) -> BadArchive:
        name = self._member.name
        return self._archive._error(f"member {name!r} {problem}", member=name)


# --------------------------------------------------------------------------- opening


def open_archive(path: Path | str, limits: ArchiveLimits = ArchiveLimits(), *,
                 label: str | None = None) -> Archive:
    """Open the .zip or .tar.gz/.tgz at ``path``; raise :class:`BadArchive` when it cannot be read.

    ``label`` starts every error message (default: ``path`` as given); with ``""`` messages
    describe the problem only ("member 'a.txt' is a symbolic link"), for callers that show
    where it happened themselves.
    """
    label = str(path) if label is None else label
    name = str(path).lower()
    if name.endswith(".zip"):
        return _ZipArchive(Path(path), label, limits)
    if name.endswith((".tar.gz", ".tgz")):
        return _TarArchive(Path(path), label, limits)
    raise BadArchive(f"{label or path}: not a supported archive (the name must end in "
                     f"{', '.join(ARCHIVE_SUFFIXES)})", archive=label)
