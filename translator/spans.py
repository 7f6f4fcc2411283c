"""Spans that follow their words through an edit of the text they point into."""

from __future__ import annotations

from typing import Sequence

Span = tuple[int, int]


def follow_edit(old: str, new: str, spans: Sequence[Span]) -> list[Span | None]:
    """Where each span of ``old`` is in ``new``: moved with its text when the edit left
    that text alone, None when the edit touched it (a glossary rewrite, a reviewer's fix).

    The edit is read off a character alignment of the two texts (rapidfuzz's Indel
    opcodes: insertions and deletions only, so unchanged text lines up exactly).
    """
    if old == new:
        return [tuple(span) for span in spans]
    if not spans:
        return []
    from rapidfuzz.distance import Indel

    moved: list[Span | None] = [None] * len(spans)
    for block in Indel.opcodes(old, new):
        if block.tag != "equal":
            continue
        shift = block.dest_start - block.src_start
        for i, (start, end) in enumerate(spans):
            if block.src_start <= start and end <= block.src_end:
                moved[i] = (start + shift, end + shift)
    return moved
