"""Glossary files on disk: one file read whatever its format, and a folder of them.

:func:`read_glossary` reads a ``.tsv`` or ``.csv`` table (:mod:`.tables`) or a ``.tbx``
term base (:mod:`.tbx`), by extension; bytes that are not UTF-8 are an error naming the
line. :func:`load_directory` reads every glossary file directly in a folder (not in
sub-folders such as ``curated/``, which feed a generated file), in file-name order, as
one glossary. **Later files override earlier ones**: when two files give the same
source form, the matcher keeps the later file's entry, so ``zz-local.tsv`` can correct
``news.tsv``; within one file, likewise, a later row wins.
"""

from __future__ import annotations

import codecs
import os
from pathlib import Path

from ..errors import GlossaryError, GlossaryNotFound
from .model import Entry, Glossary
from .tables import parse_table
from .tbx import parse_tbx


EXTENSIONS = (".tsv", ".csv", ".tbx")



def read_glossary(path: str | os.PathLike, name: str | None = None) -> Glossary:
    """Read a ``.tsv``, ``.csv`` or ``.tbx`` file (by extension; anything else is read as TSV)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise GlossaryNotFound(f"{path}: no such file", path=str(path)) from None
    except IsADirectoryError:
        raise GlossaryError(f"{path}: is a directory") from None
    except PermissionError:
        raise GlossaryError(f"{path}: permission denied") from None
    return read_bytes(data, str(path), name=name)



def read_bytes(data: bytes, filename: str, name: str | None = None) -> Glossary:
    """Read a glossary from bytes; ``filename`` gives the format (extension), the pair
    languages of a pair file and the ``file`` of error messages."""
    name = name or Path(filename).stem
    ext = Path(filename).suffix.lower()
    try:
        if ext == ".tbx" or (ext not in (".tsv", ".csv")
                             and data.lstrip()[:5] in (b"<?xml", b"<mart", b"<tbx ")):
            return Glossary(name, parse_tbx(data, filename))
        text = _decode(data, filename)
        return Glossary(name, parse_table(text, filename, csv_mode=ext == ".csv"))
    except GlossaryError as exc:  # every problem of the content is listed in details
        exc.details.setdefault("problems", [exc.message])
        raise



def _decode(data: bytes, filename: str) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise GlossaryError(f"{filename}:1: UTF-16 text; save the file as UTF-8")
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise GlossaryError(f"{filename}:{line}: not valid UTF-8 (byte 0x{data[exc.start]:02x} "
                            f"at offset {exc.start}); save the file as UTF-8") from None



def glossary_files(directory: str | os.PathLike) -> list[Path]:
    """The glossary files directly in ``directory`` (not sub-folders), in name order."""
    directory = Path(directory)
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.iterdir()
                  if p.suffix.lower() in EXTENSIONS and p.is_file() and not p.name.startswith("."))



def load_directory(directory: str | os.PathLike, name: str = "default") -> Glossary:
    """Every glossary file of ``directory`` merged, later files overriding earlier ones."""
    entries: list[Entry] = []
    for path in glossary_files(directory):
        entries.extend(read_glossary(path).entries)
    return Glossary(name, entries)
