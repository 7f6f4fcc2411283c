"""Translated documents waiting for their download (LibreTranslate's ``/download_file``).

Each is a file of the ``files_dir`` setting, in the folder of the desk that uploaded it,
named ``<32 hex digits>.<original name>``: the random part is the capability (the URL is
the key, as in LibreTranslate, whose clients download without one), the rest the name the
download gets. A request that does send a key of another desk is answered as if the file
did not exist, and the capability never reaches the access log (:func:`redacted_path`).
Files are written atomically and removed ``files_keep_hours`` later.
"""

from __future__ import annotations

import re
import time
import uuid
from pathlib import Path
from urllib.parse import quote, unquote

from werkzeug.utils import secure_filename

from ..errors import TranslatorError
from ..fsutil import atomic_write
from ..store import DEFAULT_DESK, Access

_NAME = re.compile(r"^[0-9a-f]{32}\.[A-Za-z0-9][A-Za-z0-9._-]{0,200}$")
_DOWNLOAD = re.compile(r"(/download_file/)([^/?#\s]*)")
_CAPABILITY = re.compile(r"^[0-9A-Fa-f]{32}\.")
_KEY_PARAM = re.compile(r"((?:^|[?&])api_?key=)[^&#\s]*", re.IGNORECASE)


class FileNotFound(TranslatorError):
    code = "file_not_found"
    http_status = 404


class DocumentFiles:
    """The folder of translated documents."""

    def __init__(self, folder: Path, keep_hours: float):
        self.folder = Path(folder)
        self.keep_seconds = keep_hours * 3600

    def save(self, data: bytes, filename: str, desk: str = DEFAULT_DESK) -> str:
        """Store ``data`` of ``desk`` for download as ``filename``; returns the name to
        download it by."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self.purge()
        safe = secure_filename(filename) or "document"
        name = f"{uuid.uuid4().hex}.{safe}"
        (self.folder / desk).mkdir(exist_ok=True)
        atomic_write(self.folder / desk / name, data)
        return name

    def path(self, name: str, access: Access | None = None) -> Path:
        """The stored file called ``name``; raises :class:`FileNotFound` for anything else,
        and for another desk's file when ``access`` (a key that was sent) is given."""
        found = self._find(name) if _NAME.match(name) else None
        if found is None or (access is not None and not access.sees(found[1])) \
                or self._expired(found[0]):
            raise FileNotFound(f"no translated file {name!r} (files are kept "
                               f"{self.keep_seconds / 3600:g} hours)", filename=name)
        return found[0]

    def _find(self, name: str) -> tuple[Path, str] | None:
        """(the file, its desk); a file of the folder itself (written before desks) is
        the default desk's."""
        if (self.folder / name).is_file():
            return self.folder / name, DEFAULT_DESK
        try:
            desks = [d for d in self.folder.iterdir() if d.is_dir()]
        except OSError:
            return None
        for desk in desks:
            if (desk / name).is_file():
                return desk / name, desk.name
        return None

    @staticmethod
    def download_name(name: str) -> str:
        return name.split(".", 1)[1]

    def _expired(self, path: Path) -> bool:
        try:
            return time.time() - path.stat().st_mtime > self.keep_seconds
        except FileNotFoundError:
            return True

    def purge(self) -> None:
        """Remove the files older than the setting (and temporary files left by a crash)."""
        for path in [*self.folder.iterdir(), *self.folder.glob("*/*")]:
            if path.is_file() and self._expired(path):
                path.unlink(missing_ok=True)


def redacted_path(uri: str) -> str:
    """A request's path and query as the access log may keep them: a download's capability
    (``/download_file/<capability>.note.txt``) and an ``api_key`` parameter left out."""
    def download(match: re.Match) -> str:
        name = unquote(match.group(2))
        kept = _CAPABILITY.sub("", name) if _CAPABILITY.match(name) else ""
        return f"{match.group(1)}<capability>{'.' + quote(kept) if kept else ''}"

    return _KEY_PARAM.sub(r"\1<redacted>", _DOWNLOAD.sub(download, uri))
