"""A finished job's documents written back in their own format (``DIR/documents/``).

An input that is a document (.docx, .odt, .pptx, .html; archive members too) is one
article of the job: its paragraphs, a blank line between them. Once every article is done
or failed, each document whose article is done is read again from the inputs (its text must
be the one the job translated) and rendered by :func:`translator.documents.translate_document`
with the job's own translations: each paragraph's translation is cut out of the article's
committed result (the same engine output as the aligned results, glossary applied). What
the result does not hold goes through the pipeline with the ledger as its segment cache:
the pieces that place inline marks (:class:`~translator.formats.markup.MarkProbes`), and
a block that is not one paragraph of the article (an HTML table row is one paragraph of
the article, each of its cells a block of the page). Those translations are committed to
the ledger's segments as they are made, document after document, so a document rendered
again (a resumed job, another run) gets the same words from the same batches.
"""

from __future__ import annotations

import bisect
import re
import shutil
import tempfile
import threading
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from ..documents import ZIPPED, steady_package, translate_document
from ..errors import TranslatorError
from ..formats.markup import MarkProbes
from ..fsutil import atomic_write
from ..pipeline import Pipeline, SentenceTranslation
from .ledger import Ledger, digest
from .outputs import swap_in, text_path

DOCUMENTS_DIR = "documents"


class DocumentChanged(TranslatorError):
    """The document is not the one the job translated (edited while the job ran)."""

    code = "document_changed"


@dataclass(frozen=True)
class DocumentFailure:
    """A document whose article was translated but which could not be written back."""

    id: str
    input: str
    code: str
    message: str

    def to_dict(self) -> dict:
        return {"id": self.id, "input": self.input, "output": "document",
                "error": {"code": self.code, "message": self.message}}


@dataclass
class Documents:
    """What :func:`write_documents` did: the folder (None when the job has no document),
    how many documents it holds, those that failed, and whether a stop cut it short."""

    folder: Path | None = None
    written: int = 0
    failures: list[DocumentFailure] = field(default_factory=list)
    interrupted: bool = False


class _JobCache:
    """The pipeline's ``SegmentCache`` over the ledger: reads the job's translations and
    commits new ones at once (one transaction a language), so they outlive this run."""

    def __init__(self, ledger: Ledger):
        self.ledger = ledger

    def get(self, source: str, target: str, sentences: list[str]) -> dict[str, SentenceTranslation]:
        return self.ledger.segments(source, target, sentences)

    def put(self, source: str, target: str, translations) -> None:
        self.ledger.commit({}, {}, {(source, target): translations})


def write_documents(ledger: Ledger, out_dir: Path, sources: Iterable, pipeline: Pipeline,
                    target: str, glossary, stop: threading.Event | None = None) -> Documents:
    """Render every document of ``sources`` (:func:`.inputs.iter_documents`, keys as the
    ledger's) whose article is done into ``out_dir/documents``, built beside the old
    folder and swapped in; a document that fails is listed, the others go on."""
    report = Documents()
    final = out_dir / DOCUMENTS_DIR
    stage = Path(tempfile.mkdtemp(prefix=f".{DOCUMENTS_DIR}.", dir=out_dir))
    cache = _JobCache(ledger)
    used: set[str] = set()
    try:
        for source in sources:
            if stop is not None and stop.is_set():
                report.interrupted = True
                shutil.rmtree(stage, ignore_errors=True)
                return report
            found = ledger.done_record(source.key)
            if found is None:  # failed (a broken document among them), or never scanned
                continue
            try:
                data = _render(source, *found, pipeline, target, glossary, cache)
            except TranslatorError as exc:
                report.failures.append(DocumentFailure(source.id, source.input, exc.code, str(exc)))
                continue
            except Exception as exc:  # a bug must not sink the other documents
                report.failures.append(DocumentFailure(source.id, source.input, "internal_error",
                                                       f"{type(exc).__name__}: {exc}"))
                continue
            path = stage / text_path(source.id, target, used, ext=source.document[0].lstrip("."))
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(path, data)
            report.written += 1
        if report.written:
            swap_in(stage, final)
            report.folder = final
        else:  # no document (any more): none left from an earlier run either
            shutil.rmtree(stage, ignore_errors=True)
            shutil.rmtree(final, ignore_errors=True)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    return report


def _render(source, text_digest: str, result: dict, pipeline: Pipeline, target: str,
            glossary, cache: _JobCache) -> bytes:
    """One document in its own format from its article's ``result``."""
    if source.error is not None:
        raise source.error
    if source.text is None or digest(source.text) != text_digest:
        raise DocumentChanged("the document changed since the job translated it; run the "
                              "same command again to translate it anew")
    suffix, data = source.document

    def fresh(items: list[tuple[str, str]]) -> list[str]:
        jobs = [pipeline.prepare(text, target, lang) for text, lang in items]
        return [r.target_text for r in pipeline.translate_prepared(
            jobs, target, glossary, cache=cache, memory=pipeline.memory)]

    translated = translate_document("document" + suffix, data, _FromResult(result, fresh))
    return steady_package(translated.data) if suffix in ZIPPED else translated.data


class _FromResult:
    """The ``translate`` callable of one document: its blocks cut out of the article's
    result where they are its paragraphs, everything else through ``fresh`` (texts with
    their language)."""

    def __init__(self, result: dict, fresh: Callable[[list[tuple[str, str]]], list[str]]):
        self.result, self.fresh = result, fresh
        self.language = result["source_lang"]
        segments = sorted(result["segments"], key=lambda seg: seg["source_span"][0])
        self.spans = [(*seg["source_span"], *seg["target_span"], seg["source_lang"])
                      for seg in segments]
        self.ends = [span[1] for span in self.spans]
        self.paragraphs = _paragraphs(result["source_text"])
        self.blocks: list[tuple[str, str]] = []  # (block, its language) of the first call

    def __call__(self, texts: list[str]) -> list[str]:
        if isinstance(texts, MarkProbes) or self.blocks:
            return self._probes(list(texts))
        out: list[str | None] = []
        for text in texts:
            cut = self._cut(text)
            out.append(cut[0] if cut else None)
            self.blocks.append((text, cut[1] if cut else self.language))
        missing = [i for i, text in enumerate(out) if text is None]
        for i, text in zip(missing, self.fresh([self.blocks[i] for i in missing])):
            out[i] = text
        return out

    def _cut(self, text: str) -> tuple[str, str] | None:
        """(translation, language) of ``text`` when it is a paragraph of the article."""
        spans = self.paragraphs.get(" ".join(text.split()))
        if not spans:
            return None
        start, end = spans.popleft()
        first, last = self._target(start), self._target(end)
        if first is None or last is None:
            return None
        lead = text[:len(text) - len(text.lstrip())]
        trail = text[len(text.rstrip()):]
        inside = bisect.bisect_right(self.ends, start)
        lang = self.spans[inside][4] if inside < len(self.spans) else self.language
        return lead + self.result["target_text"][first:last] + trail, lang

    def _target(self, offset: int) -> int | None:
        """Where ``offset`` of the source falls in the target (what lies between segments
        is the source's own, copied); None inside a segment."""
        before = bisect.bisect_right(self.ends, offset) - 1  # the last segment ending by it
        after = before + 1
        if after < len(self.spans) and self.spans[after][0] < offset:
            return None
        if before < 0:
            return offset
        _, end, _, target_end, _ = self.spans[before]
        return target_end + (offset - end)

    def _probes(self, texts: list[str]) -> list[str]:
        """Pieces of blocks, each from its block's language."""
        joined = "\0".join(block for block, _ in self.blocks)
        starts = list(_starts(block for block, _ in self.blocks))
        items = []
        for text in texts:
            at = joined.find(text)
            lang = (self.blocks[bisect.bisect_right(starts, at) - 1][1] if at >= 0
                    else self.language)
            items.append((text, lang))
        return self.fresh(items) if items else []


def _starts(blocks: Iterable[str]) -> Iterable[int]:
    at = 0
    for block in blocks:
        yield at
        at += len(block) + 1


_BREAK = re.compile(r"\n\n")


def _paragraphs(text: str) -> dict[str, deque]:
    """The article's paragraphs (a blank line between them, as a document's article is
    made) and the whole text, whitespace-blind, each with its spans (stripped) in order."""
    found: dict[str, deque] = {}
    cuts = [0, *(m.end() for m in _BREAK.finditer(text))]
    ends = [m.start() for m in _BREAK.finditer(text)] + [len(text)]
    for start, end in [*zip(cuts, ends), (0, len(text))]:
        part = text[start:end]
        if not part.strip():
            continue
        core_start = start + len(part) - len(part.lstrip())
        core_end = end - (len(part) - len(part.rstrip()))
        spans = found.setdefault(" ".join(part.split()), deque())
        if (core_start, core_end) not in spans:
            spans.append((core_start, core_end))
    return found
