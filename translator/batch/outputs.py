"""A finished job's output files, rendered from the ledger in input order.

Every file is written to a temporary name in the same folder and renamed into
place, so a reader (or a crash) never sees a half-written file under the final
name. The same ledger always renders to the same bytes.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterable, Iterator, TextIO

from ..errors import TranslatorError
from ..fsutil import atomic_file
from ..formats import registry
from ..formats.tmx import Unit, segment_unit, write_tmx
from ..messages import os_reason
from .ledger import Ledger

FORMATS = registry.names("batch")
JSONL_NAME = "translations.jsonl"
TMX_NAME = "translations.tmx"
TXT_DIR = "txt"
FAILURES_NAME = "failures.jsonl"
SUMMARY_NAME = "summary.json"


def write_atomically(path: Path, text: str | None = None, *, write=None) -> Path:
    """Write ``text`` (or call ``write(stream)``) to ``path`` whole or not at all."""
    with atomic_file(path) as stream:
        if write is not None:
            write(stream)
        else:
            stream.write(text or "")
    return path


def _share_like_folder(path: Path) -> None:
    """Give a staged folder of outputs the output folder's permissions (temporary folders
    are private; files get theirs from :func:`atomic_file`)."""
    os.chmod(path, path.parent.stat().st_mode & 0o777)


class OutputError(TranslatorError):
    """An output file cannot be written (disk full, a folder in the way); the ledger keeps
    every translation, so the same command writes them once the problem is fixed."""

    code = "output_unwritable"
    http_status = 503
    exit_code = 6


Records = Iterator[tuple[str, str, dict]]
Observer = Callable[[str, dict], None]


def write_outputs(ledger: Ledger, out_dir: Path, fmt: str, *, created: str,
                  observe: Observer | None = None, more_failures: Iterable = ()) -> list[Path]:
    """Render the job in ``fmt`` plus the failure list; return the paths written.
    ``observe(article_id, result)`` sees each record as it is written (the job's quality
    is tallied in the same pass over the ledger). ``more_failures`` (anything with
    ``to_dict()``: documents that could not be written back) follow the articles'."""
    try:
        return _write_outputs(ledger, out_dir, fmt, created, observe, list(more_failures))
    except OSError as exc:
        where = f" {exc.filename}" if exc.filename else ""
        raise OutputError(f"cannot write the outputs in {out_dir}{where}: {os_reason(exc)}; "
                          "the translations are kept in the ledger: run the same command again "
                          "once this is fixed") from None


def _observed(ledger: Ledger, observe: Observer | None) -> Records:
    for article_id, input_, result in ledger.records():
        if observe is not None:
            observe(article_id, result)
        yield article_id, input_, result


def _write_outputs(ledger: Ledger, out_dir: Path, fmt: str, created: str,
                   observe: Observer | None, more_failures: list) -> list[Path]:
    writer = registry.FORMATS[fmt].writer("batch")
    written = [writer(ledger, _observed(ledger, observe), out_dir, created)]
    failures = ledger.failures() + more_failures
    failures_path = out_dir / FAILURES_NAME
    if failures:
        written.append(write_atomically(failures_path, "".join(
            json.dumps(f.to_dict(), ensure_ascii=False) + "\n" for f in failures)))
    else:
        failures_path.unlink(missing_ok=True)  # left by an earlier run whose failures are fixed
    return written


def _record_line(article_id: str, input_: str, result: dict) -> str:
    return json.dumps({"id": article_id, "input": input_, **result}, ensure_ascii=False) + "\n"


def write_jsonl(ledger: Ledger, records: Records, out_dir: Path, created: str) -> Path:
    def write(stream: TextIO) -> None:
        for article_id, input_, result in records:
            stream.write(_record_line(article_id, input_, result))

    return write_atomically(out_dir / JSONL_NAME, write=write)


def _units(records: Records) -> Iterable[Unit]:
    for article_id, _, result in records:
        for seg in result["segments"]:
            yield segment_unit(seg, document=article_id, source_lang=seg["source_lang"],
                               target_lang=result["target_lang"])


def write_tmx_file(ledger: Ledger, records: Records, out_dir: Path, created: str) -> Path:
    target = ledger.params()["identity"]["target"]
    return write_atomically(out_dir / TMX_NAME, write=lambda stream: write_tmx(
        stream, _units(records), "*all*", target, created=_tmx_stamp(created)))


def _tmx_stamp(created: str) -> datetime:
    """The job's creation time: the TMX header must not change from one rendering to the next."""
    return datetime.strptime(created, "%Y-%m-%dT%H:%M:%SZ")


def write_txt(ledger: Ledger, records: Records, out_dir: Path, created: str) -> Path:
    """One text file per article under ``txt/``, its path derived from the article id.
    The tree is built beside the old one and swapped in."""
    final = out_dir / TXT_DIR
    stage = Path(tempfile.mkdtemp(prefix=f".{TXT_DIR}.", dir=out_dir))
    try:
        used: set[str] = set()
        for article_id, _, result in records:
            rel = text_path(article_id, result["target_lang"], used)
            path = stage / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            text = result["target_text"]
            path.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
        swap_in(stage, final)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    return final


def swap_in(stage: Path, final: Path) -> None:
    """Put the folder ``stage`` in the place of ``final`` (the old one, if any, goes)."""
    _share_like_folder(stage)
    old = final.parent / f".{final.name}.old"
    shutil.rmtree(old, ignore_errors=True)
    if final.exists():
        os.replace(final, old)
    os.replace(stage, final)
    shutil.rmtree(old, ignore_errors=True)


_UNSAFE = re.compile(r"[^\w.\-]+")


def text_path(article_id: str, target: str, used: set[str], ext: str = "txt") -> str:
    """A safe relative path for an article's text (or document, of extension ``ext``):
    ``news.zip:2024/a.txt`` -> ``news.zip/2024/a.en.txt``; never absolute, never ``..``,
    unique within ``used``."""
    parts = [_UNSAFE.sub("_", part).strip("._") for part in re.split(r"[/\\:#]+", article_id)]
    parts = [part[:120] for part in parts if part] or ["article"]
    stem, dot, _ = parts[-1].rpartition(".")
    parts[-1] = f"{stem}.{target}.{ext}" if dot and stem else f"{parts[-1]}.{target}.{ext}"
    candidate = "/".join(parts)
    number = 2
    while candidate.lower() in used:
        candidate = "/".join(parts[:-1] + [f"{number}~{parts[-1]}"])
        number += 1
    used.add(candidate.lower())
    return candidate
