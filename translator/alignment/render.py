"""JSON, TSV, TMX and side-by-side renderings of an :class:`Alignment`."""

from __future__ import annotations

import csv
import io
import json
import shutil
import textwrap

from ..formats import registry
from ..formats.tmx import Unit, tmx_document
from ..formats.writers import _pad
from .result import Alignment, Bead

__all__ = ["ALIGN_FORMATS", "render_alignment"]


def _one_line(text: str) -> str:
    return " ".join(text.split())


def to_json(alignment: Alignment) -> str:
    return json.dumps(alignment.to_dict(), ensure_ascii=False, indent=2) + "\n"


def to_tsv(alignment: Alignment) -> str:
    """One bead a line: index, type, score, flag, sentence indices, source, target."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter="\t", quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    writer.writerow(["index", "type", "score", "low_confidence", "source_sentences",
                     "target_sentences", "source", "target"])
    for bead in alignment.beads:
        writer.writerow([bead.index, bead.type, f"{bead.score:.3f}", int(bead.low_confidence),
                         ",".join(map(str, bead.source)), ",".join(map(str, bead.target)),
                         _one_line(bead.source_text), _one_line(bead.target_text)])
    return out.getvalue()


def to_tmx(alignment: Alignment) -> str:
    """One translation unit per bead with both sides; 1-0 and 0-1 beads are left out."""
    units = []
    for bead in alignment.beads:
        if not bead.source or not bead.target:
            continue
        note = (f"low-confidence alignment (score {bead.score:.2f})"
                if bead.low_confidence else None)
        units.append(Unit(_one_line(bead.source_text), _one_line(bead.target_text), note=note,
                          props={"x-bead": bead.type, "x-score": f"{bead.score:.3f}"}))
    return tmx_document(units, alignment.source_lang or "und", alignment.target_lang or "und")


def _mark(bead: Bead) -> str:
    if bead.low_confidence:
        return "?"
    return "!" if not bead.source or not bead.target else " "


def to_side_by_side(alignment: Alignment, width: int | None = None) -> str:
    """Two columns, one row block per bead: ``?`` low confidence, ``!`` nothing on one side."""
    width = width or shutil.get_terminal_size((120, 24)).columns
    column = max(20, (width - 12) // 2)
    summary = alignment.summary
    counts = ", ".join(f"{n} {t}" for t, n in summary.get("types", {}).items())
    header = [f"{alignment.source_lang or '?'} <-> {alignment.target_lang or '?'}   "
              f"{summary.get('beads', len(alignment.beads))} beads ({counts}); "
              f"{summary.get('low_confidence', 0)} low-confidence"]
    lines = header + ["=" * min(width, 2 * column + 12)]
    for bead in alignment.beads:
        left = textwrap.wrap(_one_line(bead.source_text), column, break_on_hyphens=False) or [""]
        right = textwrap.wrap(_one_line(bead.target_text), column, break_on_hyphens=False) or [""]
        for k in range(max(len(left), len(right))):
            prefix = f"{bead.index + 1:>4}{_mark(bead)}{bead.type:<4}" if k == 0 else " " * 9
            l_text = left[k] if k < len(left) else ""
            r_text = right[k] if k < len(right) else ""
            lines.append(f"{prefix}{_pad(l_text, column)} | {r_text}".rstrip())
    for warning in alignment.warnings:
        lines.append(f"! {warning}")
    return "\n".join(lines) + "\n"


ALIGN_FORMATS = registry.names("alignment")


def render_alignment(alignment: Alignment, fmt: str) -> str:
    """``alignment`` in the format named ``fmt`` (:func:`~translator.formats.registry.get`
    names the choices)."""
    return registry.get(fmt, "alignment").write("alignment", alignment)
