"""A document file on disk translated by the library's pipeline (``translator translate FILE``)."""

from __future__ import annotations

from pathlib import Path

from ..formats.markup import MarkProbes
from ..fsutil import atomic_write
from . import Translate, TranslatedDocument, translate_document

AUTO = "auto"


def pipeline_translator(pipeline, target: str, source: str, glossary, results: list) -> Translate:
    """Texts through ``pipeline``: an auto source detected once, on all the document's texts
    (a heading alone is too short to tell); the aligned results of the document's texts
    (not of the pieces that place inline marks) appended to ``results``."""
    def translate(texts: list[str]) -> list[str]:
        nonlocal source
        keep = [i for i, t in enumerate(texts) if any(ch.isalpha() for ch in t)]
        if not keep:
            return list(texts)
        if source in (None, "", AUTO):
            source = pipeline.detect("\n".join(texts[i] for i in keep), target).language
        done = pipeline.translate_many([texts[i] for i in keep], target, source, glossary)
        if not isinstance(texts, MarkProbes):
            results.extend(done)
        out = list(texts)
        for i, result in zip(keep, done):
            out[i] = result.target_text
        return out
    return translate


def default_output(path: Path, target: str) -> Path:
    """``article.docx`` -> ``article.en.docx`` beside it."""
    return path.with_name(f"{path.stem}.{target}{path.suffix}")


def translate_file(path: Path, output: Path | None, data: bytes, translate: Translate
                   ) -> TranslatedDocument:
    """Translate the document ``data`` (named ``path``) into ``output``, written atomically
    (nothing is written when translation fails; None: not written)."""
    translated = translate_document(path.name, data, translate)
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(output, translated.data)
    return translated
