"""Alternative translations of a whole text, from the engines' own n-best lists.

LibreTranslate's ``alternatives: N`` asks for up to N other translations of ``q``. Here the
k-th alternative is the translation with every sentence that has a k-th different hypothesis
(CTranslate2's ``num_hypotheses``, from the last step of its route) replaced by it. Engines
with a single answer (Apertium) have none, and sentences answered by the translation memory
or holding glossary terms keep their translation: an alternative never undoes a review or
a term. No sentence with an alternative: ``[]``.
"""

from __future__ import annotations

from itertools import groupby

from ..errors import LanguageError
from ..result import TranslationResult

__all__ = ["alternatives"]


def _open_segments(result: TranslationResult) -> list:
    return [seg for seg in result.segments
            if seg.origin == "engine" and not seg.terms and seg.source_lang != result.target_lang]


def _segment_options(pipeline, result: TranslationResult, count: int) -> dict[int, list[str]]:
    """segment index -> its other hypotheses (not its translation), best first."""
    options: dict[int, list[str]] = {}
    segments = sorted(_open_segments(result), key=lambda s: s.source_lang)
    for lang, group in groupby(segments, key=lambda s: s.source_lang):
        group = list(group)
        try:
            route = pipeline.router.route(lang, result.target_lang)
        except LanguageError:
            continue
        texts = [seg.source for seg in group]
        for step in route.steps[:-1]:
            texts = step.engine.translate_batch(texts, step.source, step.target)
        last = route.steps[-1]
        found = last.engine.hypotheses(texts, last.source, last.target, count + 1)
        for seg, hypotheses in zip(group, found):
            others = [h for h in hypotheses if h and h != seg.target]
            if others:
                options[seg.index] = others[:count]
    return options


def alternatives(pipeline, result: TranslationResult, count: int) -> list[str]:
    """Up to ``count`` alternative translations of ``result``'s text, distinct, best first."""
    if count <= 0:
        return []
    options = _segment_options(pipeline, result, count)
    found: list[str] = []
    for k in range(count):
        text = result.target_text
        for seg in sorted(result.segments, key=lambda s: s.target_span[0], reverse=True):
            others = options.get(seg.index, [])
            if len(others) > k:
                start, end = seg.target_span
                text = text[:start] + others[k] + text[end:]
        if text != result.target_text and text not in found:
            found.append(text)
    return found
