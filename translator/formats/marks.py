"""A segment's untranslated words and confidence as every writer shows them.

A segment's ``untranslated`` entries (``word``, ``target_span`` relative to its target,
``kind``, ``step``, ``language``; see ``translator/quality.py``) are marked only where
the span still holds the word: a target edited on the review page may have moved or
dropped it, and a mark on the wrong letters would mislead more than no mark.
"""

from __future__ import annotations

from typing import Iterable

__all__ = ["KINDS", "confidence_text", "describe", "leftovers", "is_pivot", "marked_count",
           "target_pieces"]

#: what each kind of leftover means, in the words the outputs use
KINDS = {"unknown": "unknown word", "generation": "no form generated",
         "transfer": "transfer error"}


def _span(entry, text: str) -> tuple[int, int] | None:
    span = entry.get("target_span") if isinstance(entry, dict) else None
    if (isinstance(span, (list, tuple)) and len(span) == 2
            and all(isinstance(v, int) and not isinstance(v, bool) for v in span)
            and 0 <= span[0] < span[1] <= len(text)
            and text[span[0]:span[1]] == entry.get("word")):
        return span[0], span[1]
    return None


def leftovers(target: str, untranslated: Iterable) -> list[tuple[int, int, dict]]:
    """(start, end, entry) of the untranslated words found at their spans in ``target``,
    sorted and non-overlapping."""
    found = sorted(((*span, entry) for entry in untranslated or ()
                    if (span := _span(entry, target)) is not None), key=lambda m: m[:2])
    kept, end = [], 0
    for mark in found:
        if mark[0] >= end:
            kept.append(mark)
            end = mark[1]
    return kept


def marked_count(segments) -> int:
    """How many words the writers mark in ``segments`` (stale entries are not counted)."""
    return sum(len(leftovers(seg.target, seg.untranslated)) for seg in segments)


def target_pieces(target: str, terms: list[tuple[int, int, int]],
                  untranslated: Iterable) -> list[tuple[str, int | None, dict | None]]:
    """``target`` cut at every term and leftover boundary into (text, term number or
    None, leftover or None) pieces, in order. ``terms``: (start, end, number) marks."""
    marks = leftovers(target, untranslated)
    cuts = sorted({0, len(target), *(p for s, e, _ in terms for p in (s, e)),
                   *(p for s, e, _ in marks for p in (s, e))})
    pieces = []
    for start, end in zip(cuts, cuts[1:]):
        term = next((n for s, e, n in terms if s <= start and end <= e), None)
        leftover = next((entry for s, e, entry in marks if s <= start and end <= e), None)
        pieces.append((target[start:end], term, leftover))
    return pieces or [("", None, None)]


def is_pivot(entry: dict) -> bool:
    """Left by a later step of the route: a word of a pivot language, not of the source."""
    step = entry.get("step", 0)
    return isinstance(step, int) and step > 0


def describe(entry: dict) -> str:
    """``norcoreano (es, pivot)``: the word and its language; why, unless it was simply
    unknown (``give (es, pivot; no form generated)``)."""
    language = str(entry.get("language") or "?")
    where = f"{language}, pivot" if is_pivot(entry) else language
    kind = entry.get("kind") or "unknown"
    if kind != "unknown":
        where += f"; {KINDS.get(kind, str(kind))}"
    return f"{entry.get('word', '')} ({where})"


def confidence_text(value: float | None) -> str:
    """A confidence as shown to readers: two decimals, or ``-`` when not rated."""
    return "-" if value is None else f"{value:.2f}"
