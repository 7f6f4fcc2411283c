"""The INPUTs of ``translator batch`` as articles: files, folders, globs, archives and JSONL feeds.

:func:`expand_inputs` turns command-line INPUTs into the files to read;
:func:`iter_articles` reads them, one :class:`Article` at a time:

* ``.txt`` / ``.md``: the text as is (UTF-8, a leading BOM dropped);
* ``.html`` / ``.htm``: the visible text, one paragraph per block element (:func:`html_text`);
* ``.docx`` / ``.odt`` / ``.pptx``: the document's paragraphs (headings, list items, table
  cells, slides), a blank line between them (:func:`translator.documents.document_text`;
  the ``docs`` extra);
* ``.jsonl``: one article per line, ``{"id": ..., "text": ...}``;
* ``.zip`` / ``.tar.gz`` / ``.tgz``: the supported files inside (read in memory, never
  extracted; see :mod:`translator.archive`). Archives inside archives are not read.

The order is deterministic: INPUTs as given, folder and glob contents sorted, zip
members by name, tar members in archive order (a compressed tar stream cannot be read
out of order without decompressing it again), JSONL lines in file order. An article
that cannot be read comes with its ``error`` and ``text=None``; the others go on.
Error messages describe the problem only: ``Article.input`` says where, so a caller
may relabel inputs (hide a folder) without paths left in messages.
"""

from __future__ import annotations

import codecs
import glob
import io
import json
import os
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import BinaryIO, Iterator, Sequence

from ..archive import Archive, ArchiveLimits, Member, is_archive, open_archive
from ..errors import (BadArchive, EmptyInput, InputError, InputTooLarge, InvalidEncoding,
                      TranslatorError)
from ..messages import os_reason
from ..pipeline import check_text

__all__ = ["SUPPORTED", "ARCHIVES", "Article", "expand_inputs", "iter_articles", "iter_documents",
           "html_text"]

SUPPORTED = (".txt", ".md", ".html", ".htm", ".docx", ".odt", ".pptx", ".jsonl")  # article files
ARCHIVES = (".zip", ".tar.gz", ".tgz")

_TEXT, _HTML, _JSONL, _ARCHIVE = "text", "html", "jsonl", "archive"
_DOCUMENTS = (".docx", ".odt", ".pptx")  # the kind of each is its extension
_KINDS = {".txt": _TEXT, ".md": _TEXT, ".html": _HTML, ".htm": _HTML, ".jsonl": _JSONL,
          **{suffix: suffix for suffix in _DOCUMENTS}}
_GLOB_CHARS = frozenset("*?[")
_BOM = codecs.BOM_UTF8
#: inputs written back in their own format by a job (translator.documents' formats; a
#: .txt file's own format is its translation, which ``--format txt`` writes already)
RENDERED = (".html", ".htm", ".docx", ".odt", ".pptx")
_MiB = 1024 * 1024


@dataclass(frozen=True)
class Article:
    """One article of a batch job, or the reason it cannot be read."""

    key: str          # unique and stable within a job: the resume ledger's key
    id: str           # what users see: "articles/a.txt", "news.zip:2024/a.txt", a JSONL "id"
    input: str        # where it came from: "news.zip:2024/a.txt", "feed.jsonl line 12"
    text: str | None  # None when it cannot be read
    error: TranslatorError | None = None
    #: (extension, bytes) of a document read by :func:`iter_documents`; None otherwise
    document: tuple[str, bytes] | None = field(default=None, repr=False, compare=False)


# --------------------------------------------------------------------------- expansion


def expand_inputs(inputs: Sequence[str], *, exclude: Sequence[Path] = (),
                  skipped: list[str] | None = None) -> list[Path]:
    """The article and archive files named by ``inputs``: files, folders and glob patterns.

    Folders are walked (sorted; hidden entries skipped; linked folders not followed);
    ``exclude`` folders are never read. Unsupported files found in a folder or by a glob
    are described in ``skipped``. Raises :class:`InputError` for a missing path, a glob
    matching nothing, or a named file of an unsupported type.
    """
    notes = skipped if skipped is not None else []
    excluded = [_resolved(Path(folder)) for folder in exclude]
    files: list[Path] = []
    seen: dict[Path, str] = {}
    for raw in inputs:
        for path in _expand_one(raw, excluded, notes):
            real = _resolved(path)
            if _inside(real, excluded):
                continue
            if real in seen:  # reached twice (overlapping INPUTs): read once
                if seen[real] != str(path):
                    notes.append(f"{path}: the same file as {seen[real]}; read once")
                continue
            seen[real] = str(path)
            files.append(path)
    return files


def _expand_one(raw: str, excluded: list[Path], notes: list[str]) -> list[Path]:
    if not raw:
        raise InputError("an empty INPUT; give a file, a folder or a glob pattern")
    path = Path(raw)
    if path.is_dir():
        return _walk(path, excluded, notes)
    if path.exists():
        if _kind(path.name) is None:
            raise InputError(f"{raw}: unsupported file type; {_supported()}")
        if not path.is_file():
            raise InputError(f"{raw}: not a regular file")
        return [path]
    if _GLOB_CHARS.intersection(raw):
        return _expand_glob(raw, excluded, notes)
    raise InputError(f"{raw}: no such file or folder")


def _expand_glob(pattern: str, excluded: list[Path], notes: list[str]) -> list[Path]:
    matches = sorted(glob.glob(pattern, recursive=True))
    if not matches:
        raise InputError(f"{pattern}: no file matches this pattern")
    files: list[Path] = []
    for match in matches:
        path = Path(match)
        if path.is_symlink() and path.is_dir():
            notes.append(f"{path}: link to a folder, not followed")
        elif path.is_dir():
            files += _walk(path, excluded, notes)
        else:
            files += _accepted(path, notes)
    return files


def _walk(root: Path, excluded: list[Path], notes: list[str]) -> list[Path]:
    """Supported files under ``root``: depth first, each folder's entries in name order.

    A stack rather than recursion: no limit on the depth of a folder tree.
    """
    files: list[Path] = []
    stack = [iter(_listing(root, excluded, notes))]
    while stack:
        path = next(stack[-1], None)
        if path is None:
            stack.pop()
        elif path.is_dir() and not path.is_symlink():
            stack.append(iter(_listing(path, excluded, notes)))
        elif path.is_symlink() and path.is_dir():
            notes.append(f"{path}: link to a folder, not followed")
        else:
            files += _accepted(path, notes)
    return files


def _listing(folder: Path, excluded: list[Path], notes: list[str]) -> list[Path]:
    """The visible entries of ``folder`` sorted by name; none when it is excluded or unreadable."""
    if _inside(_resolved(folder), excluded):
        return []
    try:
        with os.scandir(folder) as scan:
            names = sorted(entry.name for entry in scan if not entry.name.startswith("."))
    except OSError as exc:
        notes.append(f"{folder}: cannot list ({os_reason(exc)})")
        return []
    return [folder / name for name in names]


def _accepted(path: Path, notes: list[str]) -> list[Path]:
    """``[path]`` when it is a supported regular file; otherwise a note and ``[]``."""
    if _kind(path.name) is None:
        notes.append(f"{path}: unsupported type")
        return []
    if not path.is_file():
        notes.append(f"{path}: not a regular file")
        return []
    return [path]


# --------------------------------------------------------------------------- articles


def iter_articles(inputs: Sequence[str], *, max_chars: int, exclude: Sequence[Path] = (),
                  limits: ArchiveLimits = ArchiveLimits(),
                  skipped: list[str] | None = None) -> Iterator[Article]:
    """The articles of ``inputs`` in a deterministic order, read lazily.

    The INPUTs are expanded at once, so a bad INPUT raises :class:`InputError` here,
    before any article. Notes on files not read go to ``skipped`` as reading proceeds.
    """
    notes = skipped if skipped is not None else []
    files = expand_inputs(inputs, exclude=exclude, skipped=notes)
    return _articles(files, max_chars, limits, notes)


def iter_documents(inputs: Sequence[str], *, max_chars: int, exclude: Sequence[Path] = (),
                   limits: ArchiveLimits = ArchiveLimits()) -> Iterator[Article]:
    """The articles of ``inputs`` that are documents (:data:`RENDERED`, archive members
    too), read again as :func:`iter_articles` reads them (same keys, same text), each with
    its bytes in ``document``: what a job writes back in its own format."""
    files = expand_inputs(inputs, exclude=exclude, skipped=[])
    return _articles(files, max_chars, limits, [], documents=True)


def _renders(name: str) -> str | None:
    """The document extension of ``name`` when a job writes it back in its own format."""
    suffix = os.path.splitext(name)[1].lower()
    return suffix if suffix in RENDERED else None


def _articles(files: list[Path], max_chars: int, limits: ArchiveLimits,
              notes: list[str], documents: bool = False) -> Iterator[Article]:
    for path in files:
        where, kind = str(path), _kind(path.name)
        if kind == _ARCHIVE:
            yield from _archive_articles(path, where, max_chars, limits, notes, documents)
        elif documents and not _renders(path.name):
            continue
        elif kind == _JSONL:
            yield from _jsonl_file(path, where, max_chars)
        else:
            yield _file_article(path, where, kind, max_chars, limits, documents)


def _file_article(path: Path, where: str, kind: str, max_chars: int,
                  limits: ArchiveLimits, documents: bool = False) -> Article:
    cap = _byte_cap(kind, max_chars, limits)
    try:
        with open(path, "rb") as file:
            data = file.read(cap + 1)  # bounded: never trust the file to be small
            size = os.fstat(file.fileno()).st_size
    except OSError as exc:
        return _failed(where, where, where, InputError(f"cannot read ({os_reason(exc)})"))
    if len(data) > cap:
        return _failed(where, where, where, _too_many_bytes(kind, max(size, len(data)), cap, max_chars))
    return _text_article(where, where, where, data, kind, max_chars,
                         _renders(path.name) if documents else None)


def _text_article(key: str, ident: str, where: str, data: bytes, kind: str,
                  max_chars: int, document: str | None = None) -> Article:
    try:
        if kind in _DOCUMENTS:
            from ..documents import document_text

            text = document_text("article" + kind, data)
        else:
            text = _decoded(data)
            if kind == _HTML:
                text = html_text(text)
        text = check_text(text, max_chars)
    except InputError as exc:
        return _failed(key, ident, where, exc)
    return Article(key, ident, where, text,
                   document=(document, data) if document is not None else None)


def _decoded(data: bytes) -> str:
    """UTF-8 without its BOM; InvalidEncoding names the byte offset in the file."""
    bom = len(_BOM) if data.startswith(_BOM) else 0
    try:
        text = data[bom:].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidEncoding(f"input is not valid UTF-8 (byte {bom + exc.start})") from None
    if "\x00" in text:  # valid UTF-8, but UTF-16 or binary data
        raise InvalidEncoding("input holds NUL characters (UTF-16 or binary data?), not UTF-8 text")
    return text


def _byte_cap(kind: str, max_chars: int, limits: ArchiveLimits) -> int:
    """Most bytes read for one article file."""
    if kind == _TEXT:  # a UTF-8 character takes at most 4 bytes, plus a BOM
        return min(4 * max_chars + len(_BOM), limits.max_member_bytes)
    return limits.max_member_bytes  # HTML markup may far outweigh its text


def _too_many_bytes(kind: str, size: int, cap: int, max_chars: int) -> InputTooLarge:
    if kind == _TEXT and cap < 4 * max_chars + len(_BOM):
        reason = f"{size} bytes; the limit is {cap} bytes"
    elif kind == _TEXT:
        reason = f"text has more than {max_chars} characters ({size} bytes); the limit is {max_chars}"
    else:
        reason = f"{kind.lstrip('.').upper()} file has {size} bytes; the limit is {cap} bytes"
    return InputTooLarge(reason, limit=max_chars if kind == _TEXT else cap, size=size)


def _failed(key: str, ident: str, where: str, error: TranslatorError) -> Article:
    return Article(key, ident, where, None, error)


# --------------------------------------------------------------------------- archives


def _archive_articles(path: Path, where: str, max_chars: int, limits: ArchiveLimits,
                      notes: list[str], documents: bool = False) -> Iterator[Article]:
    """The articles inside one archive; one failed article when it cannot be opened."""
    try:
        archive = open_archive(path, limits, label="")
    except BadArchive as exc:
        yield _failed(where, where, where, exc)
        return
    with archive:
        pairs = archive.members()
        if archive.random_access:  # zip: name order costs nothing (the listing is names only)
            pairs = iter(sorted(pairs, key=lambda pair: pair[0].name))
        keys: set[str] = set()
        for member, error in pairs:
            name = f"{where}:{member.name}"
            if name in keys:  # duplicate or repeated unsafe names: keep keys unique
                name = f"{name} (member {member.index + 1})"
            keys.add(name)
            yield from _member_articles(archive, member, error, name, max_chars, notes,
                                        documents)


def _member_articles(archive: Archive, member: Member, error: BadArchive | None, name: str,
                     max_chars: int, notes: list[str], documents: bool = False
                     ) -> Iterator[Article]:
    kind = _kind(member.name)
    if documents and not _renders(member.name):
        return
    if kind is None:
        notes.append(f"{name}: unsupported type" if error is None
                     else f"{name}: not read ({error.message})")
        return
    if kind == _ARCHIVE:
        notes.append(f"{name}: nested archive not read")
        return
    if error is not None:
        yield _failed(name, name, name, error)
        return
    cap = _byte_cap(kind, max_chars, archive.limits)
    if member.size > cap:  # refusing on the declared size is safe; reading never trusts it
        yield _failed(name, name, name, _too_many_bytes(kind, member.size, cap, max_chars))
        return
    try:
        data = archive.read(member)
    except BadArchive as exc:
        yield _failed(name, name, name, exc)
        return
    if kind == _JSONL:
        yield from _jsonl_articles(io.BytesIO(data), name, max_chars)
    elif len(data) > cap:
        yield _failed(name, name, name, _too_many_bytes(kind, len(data), cap, max_chars))
    else:
        yield _text_article(name, name, name, data, kind, max_chars,
                            _renders(member.name) if documents else None)


# --------------------------------------------------------------------------- JSONL


def _jsonl_file(path: Path, where: str, max_chars: int) -> Iterator[Article]:
    try:
        file = open(path, "rb")
    except OSError as exc:
        yield _failed(where, where, where, InputError(f"cannot read ({os_reason(exc)})"))
        return
    with file:
        yield from _jsonl_articles(file, where, max_chars)


def _jsonl_articles(stream: BinaryIO, name: str, max_chars: int) -> Iterator[Article]:
    """One article per non-blank line of ``stream``, streamed (one line in memory at a time)."""
    # JSON may escape every character as \\uXXXX (6 bytes); the rest is the id and other fields.
    cap = 6 * max_chars + _MiB
    first_lines: dict[str, int] = {}
    offset = number = 0
    articles = 0
    while True:
        try:
            line = stream.readline(cap + 1)
        except OSError as exc:
            yield _failed(f"{name}:line {number + 1}", f"{name}:line {number + 1}",
                          f"{name} line {number + 1}",
                          InputError(f"line {number + 1}: cannot read ({os_reason(exc)})"))
            return
        if not line:
            break
        number += 1
        start, offset = offset, offset + len(line)
        if len(line) > cap and not line.endswith(b"\n"):
            offset += _skip_line(stream)
            key = f"{name}:line {number}"
            yield _failed(key, key, f"{name} line {number}", InputTooLarge(
                f"line {number}: longer than {cap} bytes", limit=cap))
            articles += 1
            continue
        if number == 1 and line.startswith(_BOM):
            line, start = line[len(_BOM):], start + len(_BOM)
        if not line.strip():
            continue
        articles += 1
        yield _jsonl_article(line, number, start, name, first_lines, max_chars)
    if not articles:
        yield _failed(name, name, name, EmptyInput("no articles: the file has no JSON lines"))


def _jsonl_article(line: bytes, number: int, start: int, name: str,
                   first_lines: dict[str, int], max_chars: int) -> Article:
    """The article of one JSONL line; ``first_lines`` maps ids seen so far to their line."""
    line_key, where = f"{name}:line {number}", f"{name} line {number}"

    def bad(problem: str, cls: type[InputError] = InputError) -> Article:
        return _failed(line_key, line_key, where, cls(f"line {number}: {problem}", line=number))

    try:
        obj = json.loads(line.decode("utf-8"))
    except UnicodeDecodeError as exc:
        return bad(f"not valid UTF-8 (byte {start + exc.start} of the file)", InvalidEncoding)
    except json.JSONDecodeError as exc:
        reason = exc.msg.removesuffix(" at")  # "Unterminated string starting at"
        return bad(f"not valid JSON ({reason} at column {exc.colno})")
    except ValueError as exc:  # e.g. an integer too long to convert
        return bad(f"not valid JSON ({exc})")
    if not isinstance(obj, dict):
        return bad(f'expected a JSON object with "id" and "text", not {_json_type(obj)}')
    raw_id = obj.get("id")
    if "id" not in obj:
        return bad('no "id"')
    if isinstance(raw_id, bool) or not isinstance(raw_id, (str, int)):
        return bad(f'"id" must be a string or an integer, not {_json_type(raw_id)}')
    ident = str(raw_id)
    if not ident.strip():
        return bad('"id" is empty')
    if ident in first_lines:
        return bad(f"duplicate id {ident!r} (first on line {first_lines[ident]})")
    first_lines[ident] = number
    key = f"{name}#{ident}"
    text = obj.get("text")
    if not isinstance(text, str):
        problem = 'no "text"' if "text" not in obj else f'"text" must be a string, not {_json_type(text)}'
        return _failed(key, ident, where, InputError(f"line {number}: {problem}", line=number))
    try:
        text = check_text(text, max_chars)
    except InputError as exc:
        return _failed(key, ident, where, type(exc)(f"line {number}: {exc.message}", line=number,
                                                    **exc.details))
    return Article(key, ident, where, text)


def _skip_line(stream: BinaryIO) -> int:
    """Read past the rest of an over-long line; return the bytes skipped."""
    skipped = 0
    while chunk := stream.readline(_MiB):
        skipped += len(chunk)
        if chunk.endswith(b"\n"):
            break
    return skipped


def _json_type(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    return {dict: "an object", list: "an array", str: "a string", int: "a number",
            float: "a number"}.get(type(value), type(value).__name__)


# --------------------------------------------------------------------------- HTML


_BLOCKS = frozenset("""address article aside blockquote body br caption dd details dialog div dl
    dt fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 header hr html legend li main
    nav ol p pre section summary table tbody tfoot thead title tr ul""".split())
_CELLS = frozenset({"td", "th"})
# Never visible. svg: icons' <title>s ("Share") are tooltips, not article text.
_HIDDEN = frozenset({"script", "style", "noscript", "template", "svg"})
# What may stay inside <head>; anything else means the body began (</head> is optional).
_HEAD_CONTENT = frozenset({"title", "meta", "link", "base", "style", "script", "noscript",
                           "template"})


class _TextExtractor(HTMLParser):
    """Collects visible text as paragraphs, one per block element."""

    def __init__(self):
        super().__init__(convert_charrefs=True)  # entities arrive decoded
        self.paragraphs: list[str] = []
        self._pieces: list[str] = []
        self._hidden = 0
        self._in_head = self._in_title = False

    def handle_starttag(self, tag: str, attrs) -> None:
        if self._in_head and tag not in _HEAD_CONTENT:
            self._in_head = False
        if tag in _HIDDEN:
            self._hidden += 1
        elif self._hidden:  # blocks inside hidden content must not split the paragraph
            return
        elif tag == "head":
            self._in_head = True
        elif tag == "title":
            self._in_title = True
            self._flush()
        elif tag in _BLOCKS:
            self._flush()
        elif tag in _CELLS:
            self._pieces.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self._hidden = max(0, self._hidden - 1)
        elif self._hidden:
            return
        elif tag == "head":
            self._in_head = False
        elif tag == "title":
            self._in_title = False
            self._flush()
        elif tag in _BLOCKS:
            self._flush()

    def handle_data(self, data: str) -> None:
        if not self._hidden and (self._in_title or not self._in_head):
            self._pieces.append(data)

    def close(self) -> None:
        super().close()
        self._flush()

    def parse_marked_section(self, i: int, report: int = 1) -> int:
        """Skip a marked section the standard parser refuses (``<![foo]>`` raises AssertionError)."""
        try:
            return super().parse_marked_section(i, report)
        except AssertionError:
            end = self.rawdata.find(">", i)
            return -1 if end < 0 else end + 1

    def _flush(self) -> None:
        paragraph = " ".join("".join(self._pieces).split())
        if paragraph:
            self.paragraphs.append(paragraph)
        self._pieces = []


def html_text(markup: str) -> str:
    """The visible text of an HTML document: paragraphs separated by a blank line."""
    parser = _TextExtractor()
    try:
        parser.feed(markup)
        parser.close()
    except AssertionError as exc:  # _markupbase's way to give up on a declaration
        raise InputError(f"cannot read the HTML ({exc})") from None
    return "\n\n".join(parser.paragraphs)


# --------------------------------------------------------------------------- helpers


def _kind(name: str) -> str | None:
    """What a file name holds: text, html, jsonl, archive, or None (unsupported)."""
    if is_archive(name):
        return _ARCHIVE
    return _KINDS.get(os.path.splitext(name)[1].lower())


def _supported() -> str:
    return f"supported: {', '.join(SUPPORTED)} and archives {', '.join(ARCHIVES)}"


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # a symlink loop: compare as given
        return path.absolute()


def _inside(path: Path, folders: list[Path]) -> bool:
    return any(path == folder or folder in path.parents for folder in folders)
