"""Sentence alignment of two lists of sentences: features in, beads out."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from ..glossary import Glossary
from ..glossary.match import matcher_for
from .anchors import SIGNAL_NAMES, KeyTable, glossary_keys, side_keys
from .model import PENALISED, TYPE_NAMES, TYPES, Model, Problem
from .search import align_problem

__all__ = ["AlignOptions", "RawBead", "RawAlignment", "align_sentences"]


@dataclass(frozen=True)
class AlignOptions:
    """Which signals to use and how much each weighs (defaults are tuned on Debian
    manuals in en/fr/vi, see ``benchmarks/align_eval.py``)."""

    anchors: bool = True
    paragraphs: bool = True
    cognates: bool = True
    #: (source term, target term) pairs that translate each other, or a Glossary
    #: (its entries found on both sides through the glossary matcher, in linear time)
    glossary: Sequence[tuple[str, str]] | Glossary = ()
    #: global factor on anchor evidence (naive Bayes over-counts correlated keys)
    anchor_scale: float = 0.5
    #: per-class factors on top of ``anchor_scale`` (``w``: words vs machine translation)
    class_scale: dict = field(default_factory=lambda: {"w": 1.0})
    #: cost taken off a point where both sides have a paragraph boundary, and added
    #: where only one side has one; scaled by how alike the paragraph counts are
    paragraph_bonus: float = 2.0
    paragraph_penalty: float = 0.0
    #: cost of a 2-sentence side whose sentences come from two paragraphs (the other
    #: side's not)
    paragraph_cross: float = 2.0
    #: beads whose posterior probability is below this are flagged
    low_confidence: float = 0.5
    #: temperature of the posteriors (above 1 flattens them)
    temperature: float = 1.0
    #: re-estimate the length ratio and variance from a first pass
    refit: bool = True


@dataclass
class RawBead:
    type: str
    source: tuple[int, ...]
    target: tuple[int, ...]
    score: float
    signals: list[str]


@dataclass
class RawAlignment:
    beads: list[RawBead]
    model: Model
    signals: list[str]  # signals that were available for this pair of documents


def _breaks(paragraphs: Sequence[int] | None, count: int) -> np.ndarray | None:
    """Points 0..count where a paragraph starts or ends."""
    if paragraphs is None or count == 0:
        return None
    para = np.asarray(paragraphs)
    out = np.zeros(count + 1, dtype=bool)
    out[0] = out[count] = True
    out[1:count] = para[1:] != para[:-1]
    return out


def _paragraph_strength(sp, tp) -> float:
    """1 when both sides have the same number of paragraphs, less as they differ,
    0 when either side has a single paragraph (nothing to go by)."""
    if sp is None or tp is None:
        return 0.0
    ns, nt = len(set(sp)), len(set(tp))
    if min(ns, nt) < 2:
        return 0.0
    return min(ns, nt) / max(ns, nt)


def _length_ratio(source: np.ndarray, target: np.ndarray) -> float:
    """Target characters per source character, to start with: the ratio of the totals,
    unless one side has much more text than the other has sentences for (then the
    ratio of the median sentence lengths, which extra content does not move)."""
    if not len(source) or not len(target):
        return 1.0
    total = float(target.sum()) / max(float(source.sum()), 1.0)
    median = float(np.median(target)) / max(float(np.median(source)), 1.0)
    return total if max(total / median, median / total) < 1.5 else median


def entry_keys(glossary: Glossary, sentences: Sequence[str], lang: str, other: str) -> list[set[str]]:
    """``g:<entry id>`` for every glossary entry found in each sentence (a name in one
    language and its rendering in the other give the same key)."""
    matcher = matcher_for(glossary, lang, other)
    return [{f"g:{m.entry.id}" for m in matcher.find(sentence)} for sentence in sentences]


def align_sentences(source: Sequence[str], target: Sequence[str], *,
                    source_lang: str | None = None, target_lang: str | None = None,
                    source_paragraphs: Sequence[int] | None = None,
                    target_paragraphs: Sequence[int] | None = None,
                    translations: Sequence[str] | None = None,
                    back_translations: Sequence[str] | None = None,
                    options: AlignOptions = AlignOptions()) -> RawAlignment:
    """Align two sentence lists into beads (1-1, 1-0, 0-1, 2-1, 1-2, 2-2).

    ``translations``: machine translation of each source sentence into the target
    language (``back_translations``: of each target sentence into the source
    language); their words are compared with the other side's. Paragraph indices,
    one per sentence, make paragraph boundaries soft anchors.
    """
    n, m = len(source), len(target)
    same_language = source_lang is not None and source_lang == target_lang
    source_keys: list[set[str]] = [set() for _ in range(n)]
    target_keys: list[set[str]] = [set() for _ in range(m)]
    if options.anchors:
        cognates = options.cognates
        src_words = tgt_words = None
        if same_language:
            src_words, tgt_words = source.__getitem__, target.__getitem__
        if translations is not None:
            src_words, tgt_words = translations.__getitem__, target.__getitem__
        elif back_translations is not None:
            src_words, tgt_words = source.__getitem__, back_translations.__getitem__
        source_keys = side_keys(source, source_lang, cognates=cognates, words=src_words)
        target_keys = side_keys(target, target_lang, cognates=cognates, words=tgt_words)
        if isinstance(options.glossary, Glossary):
            if source_lang and target_lang:
                for keys, found in zip(source_keys, entry_keys(options.glossary, source,
                                                               source_lang, target_lang)):
                    keys |= found
                for keys, found in zip(target_keys, entry_keys(options.glossary, target,
                                                               target_lang, source_lang)):
                    keys |= found
        elif options.glossary:
            for keys, found in zip(source_keys, glossary_keys(source, [s for s, _ in options.glossary])):
                keys |= found
            for keys, found in zip(target_keys, glossary_keys(target, [t for _, t in options.glossary])):
                keys |= found
    table = KeyTable.build(source_keys, target_keys, keep_unshared=PENALISED)
    classes = table.classes()
    scale = np.array([options.class_scale.get(c, 1.0) for c in classes], dtype=np.float64)
    strength = _paragraph_strength(source_paragraphs, target_paragraphs) if options.paragraphs else 0.0
    problem = Problem(
        np.array([max(len(s), 1) for s in source], dtype=np.float64),
        np.array([max(len(t), 1) for t in target], dtype=np.float64),
        table.source_units, table.source_ids, table.target_units, table.target_ids,
        classes, scale,
        _breaks(source_paragraphs, n) if strength else None,
        _breaks(target_paragraphs, m) if strength else None)
    model = Model(ratio=_length_ratio(problem.source_lengths, problem.target_lengths),
                  anchor_scale=options.anchor_scale,
                  paragraph_bonus=options.paragraph_bonus * strength,
                  paragraph_penalty=options.paragraph_penalty * strength,
                  paragraph_cross=options.paragraph_cross * strength,
                  temperature=options.temperature)
    if n == 0 or m == 0:
        beads = ([RawBead("1-0", (i,), (), 1.0, []) for i in range(n)]
                 + [RawBead("0-1", (), (j,), 1.0, []) for j in range(m)])
        return RawAlignment(beads, model, [])
    path, model = align_problem(problem, model, refit=options.refit)
    live = {table.names[k] for k in np.flatnonzero(problem.weights > 0)}
    beads = []
    for t, (i, j), score in zip(path.types, path.ends, path.posteriors):
        a, b = TYPES[t]
        src, tgt = tuple(range(i - a, i)), tuple(range(j - b, j))
        signals = []
        if a and b:
            shared = set().union(*(source_keys[x] for x in src)) & set().union(*(target_keys[y] for y in tgt))
            signals = ["length"] + sorted({SIGNAL_NAMES[k.split(":", 1)[0]] for k in shared & live})
        if problem.source_breaks is not None and (
                problem.source_breaks[i - a] and problem.target_breaks[j - b]
                and problem.source_breaks[i] and problem.target_breaks[j]):
            signals.append("paragraph")
        beads.append(RawBead(TYPE_NAMES[t], src, tgt, score, signals))
    available = ["length"] + sorted({SIGNAL_NAMES[k.split(":", 1)[0]] for k in live})
    if problem.source_breaks is not None:
        available.append("paragraph")
    return RawAlignment(beads, model, available)
