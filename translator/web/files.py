"""Translated documents waiting for their download (LibreTranslate's ``/download_file``).

Each is a file of the ``files_dir`` setting named ``<32 hex digits>.<original name>``: the
random part is the capability (the URL is the key, as in LibreTranslate), the rest the name
the download gets. Files are written atomically and removed ``files_keep_hours`` later.
"""

from __future__ import annotations

import re
import time
import uuid
from pathlib import Path

from werkzeug.utils import secure_filename

from ..errors import TranslatorError
from ..fsutil import atomic_write

_NAME = re.compile(r"^[0-9a-f]{32}\.[A-Za-z0-9][A-Za-z0-9._-]{0,200}$")


class FileNotFound(TranslatorError):
    code = "file_not_found"
    http_status = 404


class DocumentFiles:
    """The folder of translated documents."""

    def __init__(self, folder: Path, keep_hours: float):
        self.folder = Path(folder)
        self.keep_seconds = keep_hours * 3600

    def save(self, data: bytes, filename: str) -> str:
        """Store ``data`` for download as ``filename``; returns the name to download it by."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self.purge()
        safe = secure_filename(filename) or "document"
        name = f"{uuid.uuid4().hex}.{safe}"
        atomic_write(self.folder / name, data)
        return name

    def path(self, name: str) -> Path:
        """The stored file called ``name``; raises :class:`FileNotFound` for anything else."""
        path = self.folder / name
        if not _NAME.match(name) or not path.is_file() or self._expired(path):
            raise FileNotFound(f"no translated file {name!r} (files are kept "
                               f"{self.keep_seconds / 3600:g} hours)", filename=name)
        return path

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
        for path in self.folder.iterdir():
            if path.is_file() and self._expired(path):
                path.unlink(missing_ok=True)
