"""``align_texts``: two texts in, an :class:`Alignment` out (the CLI and HTTP entry point)."""

from __future__ import annotations

import time
from typing import Callable, Sequence

from .. import languages
from ..detect import Detector, get_detector
from ..errors import (EngineError, InvalidEncoding, TranslatorError, UndetectableLanguage,
                      UnsupportedPair)
from ..pipeline import check_text
from ..glossary import Glossary
from ..segment import Sentence, segment
from ..settings import Settings
from .aligner import AlignOptions, align_sentences
from .result import Alignment, Bead

__all__ = ["align_texts", "MT_MODES", "MT_AUTO_MAX_SENTENCES"]

MT_MODES = ("auto", "on", "off")
#: ``mt="auto"`` skips machine translation above this many sentences (time).
MT_AUTO_MAX_SENTENCES = 3000
# Control characters that never occur in text (tab, newlines and form feeds do).
_BINARY = frozenset(chr(c) for c in range(32) if chr(c) not in "\t\n\v\f\r\x1c\x1d\x1e") | {"\x7f"}


def _check(text, side: str, max_chars: int) -> str:
    """The checks of the translation pipeline, the error naming the side; binary refused."""
    try:
        text = check_text(text, max_chars)
    except TranslatorError as exc:
        raise type(exc)(f"{side} text: {exc.message}", side=side, **exc.details) from None
    sample = text[:100_000]
    controls = sum(1 for ch in sample if ch in _BINARY)
    if "\x00" in sample or controls > max(2, len(sample) // 1000):
        raise InvalidEncoding(f"{side} text looks like binary data ({controls} control "
                              "characters), not text", side=side)
    return text


def _language(text: str, given: str | None, side: str, detector: Detector, warnings: list[str]):
    """(canonical code or None, detection dict or None)."""
    if given not in (None, "", "auto"):
        return languages.canonical(given), None
    try:
        detection = detector.detect(text)
    except UndetectableLanguage as exc:
        warnings.append(f"{side} language not detected ({exc.message}); "
                        "aligned without language-specific rules")
        return None, None
    return detection.language, detection.to_dict()


def _machine_translation(source: list[str], target: list[str], source_lang, target_lang, *,
                         translate, pipeline, mt: str, warnings: list[str]):
    """(translations of the source, translations of the target, description) or Nones."""
    if mt == "off" or (translate is None and pipeline is None):
        if mt == "on":
            raise UnsupportedPair("machine translation was asked for but no engine is available")
        return None, None, None
    if translate is not None:
        return _run(translate, source, "source", warnings, mt), None, {"direction": "source->target"}
    if source_lang is None or target_lang is None or source_lang == target_lang:
        if mt == "on":
            raise UnsupportedPair("machine translation needs two different, known languages",
                                  source=source_lang, target=target_lang)
        return None, None, None
    if mt == "auto" and len(source) + len(target) > 2 * MT_AUTO_MAX_SENTENCES:
        warnings.append(f"machine translation skipped: more than {MT_AUTO_MAX_SENTENCES} "
                        "sentences a side (use --mt on to force it)")
        return None, None, None
    for sentences, src, tgt, which in ((source, source_lang, target_lang, "source"),
                                       (target, target_lang, source_lang, "target")):
        route = pipeline.router.find(src, tgt)
        if route is None:
            continue

        def run(batch, src=src, tgt=tgt):
            return [r.target_text for r in pipeline.translate_many(batch, tgt, src)]

        out = _run(run, sentences, which, warnings, mt)
        info = {"direction": f"{which}->{'target' if which == 'source' else 'source'}",
                "route": route.to_dict()} if out is not None else None
        return (out, None, info) if which == "source" else (None, out, info)
    if mt == "on":
        raise UnsupportedPair(f"no translation route between {source_lang} and {target_lang}",
                              source=source_lang, target=target_lang)
    return None, None, None


def _run(translate, sentences: list[str], which: str, warnings: list[str], mt: str):
    try:
        out = list(translate(list(sentences))) if sentences else []
    except (EngineError, UnsupportedPair) as exc:
        if mt == "on":
            raise
        warnings.append(f"machine translation failed, aligned without it: {exc.message}")
        return None
    if len(out) != len(sentences):
        raise EngineError(f"the translation of the {which} sentences returned {len(out)} "
                          f"outputs for {len(sentences)} inputs")
    return [str(x) for x in out]


def _span(sentences: list[Sentence], indices: tuple[int, ...]):
    if not indices:
        return None
    return sentences[indices[0]].start, sentences[indices[-1]].end


def align_texts(source_text, target_text, source_lang: str | None = None,
                target_lang: str | None = None, *,
                glossary: Sequence[tuple[str, str]] | Glossary = (),
                translate: Callable[[list[str]], list[str]] | None = None,
                pipeline=None, mt: str = "auto",
                options: AlignOptions | None = None,
                settings: Settings | None = None,
                detector: Detector | None = None) -> Alignment:
    """Align an existing translation with its original, sentence by sentence.

    Texts are ``str`` or UTF-8 ``bytes``. Languages are detected when not given.
    ``glossary``: (source term, target term) pairs, or a :class:`Glossary`, used as anchors. Machine
    translation similarity: ``translate`` (source sentences -> target language),
    or a :class:`~translator.pipeline.Pipeline` whose route between the two
    languages is used; ``mt`` is ``auto`` (when a route exists), ``on`` (required)
    or ``off``. Raises the typed errors of :mod:`translator.errors`.
    """
    started = time.perf_counter()
    if mt not in MT_MODES:
        raise ValueError(f"mt must be one of {MT_MODES}, not {mt!r}")
    settings = settings or Settings()
    options = options or AlignOptions()
    source_text = _check(source_text, "source", settings.max_chars)
    target_text = _check(target_text, "target", settings.max_chars)
    warnings: list[str] = []
    detector = detector or get_detector()
    source_lang, source_detection = _language(source_text, source_lang, "source", detector, warnings)
    target_lang, target_detection = _language(target_text, target_lang, "target", detector, warnings)
    if source_lang is not None and source_lang == target_lang:
        warnings.append(f"both texts are in {languages.name(source_lang)}: "
                        "aligned as two versions of one text")
    source_sentences = segment(source_text, source_lang or "und")
    target_sentences = segment(target_text, target_lang or "und")
    src = [s.text for s in source_sentences]
    tgt = [s.text for s in target_sentences]
    translations, back, mt_info = _machine_translation(
        src, tgt, source_lang, target_lang, translate=translate, pipeline=pipeline, mt=mt,
        warnings=warnings)
    if isinstance(glossary, Glossary):
        options = AlignOptions(**{**options.__dict__, "glossary": glossary})
    elif glossary:
        options = AlignOptions(**{**options.__dict__, "glossary": tuple(glossary)})
    aligned_at = time.perf_counter()
    raw = align_sentences(src, tgt, source_lang=source_lang, target_lang=target_lang,
                          source_paragraphs=[s.paragraph for s in source_sentences],
                          target_paragraphs=[s.paragraph for s in target_sentences],
                          translations=translations, back_translations=back, options=options)
    align_ms = (time.perf_counter() - aligned_at) * 1000
    beads = []
    for index, raw_bead in enumerate(raw.beads):
        s_span, t_span = _span(source_sentences, raw_bead.source), _span(target_sentences, raw_bead.target)
        beads.append(Bead(index, raw_bead.type, raw_bead.source, raw_bead.target, s_span, t_span,
                          source_text[slice(*s_span)] if s_span else "",
                          target_text[slice(*t_span)] if t_span else "",
                          raw_bead.score, raw_bead.score < options.low_confidence,
                          raw_bead.signals))
    sizes = sorted((len(source_text), len(target_text)))
    if sizes[1] > 3 * sizes[0]:
        longer = "source" if len(source_text) > len(target_text) else "target"
        warnings.append(f"the {longer} text is {sizes[1] / sizes[0]:.1f} times longer than the "
                        "other: much of it has no counterpart")
    types: dict[str, int] = {}
    for bead in beads:
        types[bead.type] = types.get(bead.type, 0) + 1
    summary = {
        "beads": len(beads),
        "types": dict(sorted(types.items(), key=lambda kv: -kv[1])),
        "low_confidence": sum(b.low_confidence for b in beads),
        "source_sentences": len(src),
        "target_sentences": len(tgt),
        "unaligned_source": sum(len(b.source) for b in beads if not b.target),
        "unaligned_target": sum(len(b.target) for b in beads if not b.source),
        "time_ms": {"align": round(align_ms, 2),
                    "total": round((time.perf_counter() - started) * 1000, 2)},
    }
    model = raw.model
    settings_out = {"signals": raw.signals, "length_ratio": round(model.ratio, 4),
                    "length_variance": round(model.variance, 3),
                    "paragraph_anchors": bool(model.paragraph_bonus),
                    "machine_translation": mt_info,
                    "glossary_pairs": len(options.glossary.entries)
                    if isinstance(options.glossary, Glossary) else len(options.glossary),
                    "low_confidence_below": options.low_confidence}
    return Alignment(source_text, target_text, source_lang, target_lang,
                     {"source": source_detection, "target": target_detection},
                     source_sentences, target_sentences, beads, summary, warnings, settings_out)
