"""Text, JSON, TSV and side-by-side renderings of one :class:`TranslationResult`; which
format calls which writer is declared in :mod:`.registry`."""

from __future__ import annotations

import csv
import io
import json
import shutil
import textwrap
import unicodedata

from .. import quality
from ..result import TranslationResult
from .marks import confidence_text, describe, leftovers, marked_count

__all__ = ["render"]


def to_text(result: TranslationResult) -> str:
    """The translation alone, with the source's paragraphs and spacing."""
    return result.target_text


def to_json(result: TranslationResult) -> str:
    return json.dumps(result.to_dict(), ensure_ascii=False, indent=2)


def results_to_json(results) -> str:
    """Several results as one JSON document (``{"results": [...]}``, as the API sends)."""
    return json.dumps({"results": [r.to_dict() for r in results]}, ensure_ascii=False, indent=2)


def to_tsv(result: TranslationResult) -> str:
    """index, paragraph, source, target, confidence, untranslated: one aligned segment a
    line, tabs and newlines escaped; the words left untranslated separated by spaces."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter="\t", quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    writer.writerow(["index", "paragraph", "source", "target", "confidence", "untranslated"])
    for seg in result.segments:
        words = " ".join(entry["word"] for _, _, entry in leftovers(seg.target, seg.untranslated))
        writer.writerow([seg.index, seg.paragraph, seg.source, seg.target,
                         "" if seg.confidence is None else seg.confidence, words])
    return out.getvalue()


def _width(text: str) -> int:
    return sum(0 if unicodedata.combining(ch) else
               2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


#: the marks around a word left untranslated in the side-by-side translation column
OPEN, CLOSE = "\u27e6", "\u27e7"  # ⟦ ⟧: one column wide everywhere, rare in news text


def _marked_target(seg) -> str:
    """The segment's target with each word left untranslated between ⟦ ⟧: the marks are
    part of the words, so wrapping counts them and never splits them from their word."""
    out, position = [], 0
    for start, end, _ in leftovers(seg.target, seg.untranslated):
        out += [seg.target[position:start], OPEN, seg.target[start:end], CLOSE]
        position = end
    out.append(seg.target[position:])
    return "".join(out)


def _quality_header(result: TranslationResult, width: int) -> list[str]:
    summary = quality.summary(result.segments)
    if summary["confidence"] is None:
        return []
    line = (f"confidence {confidence_text(summary['confidence'])}, lowest "
            f"{confidence_text(summary['min_confidence'])} (a ~ line under each segment below 1.00)")
    if words := marked_count(result.segments):
        line += f"; {words} words left untranslated, marked {OPEN} {CLOSE}"
    if summary["review_first"]:
        line += "; review first: " + ", ".join(str(i + 1) for i in summary["review_first"])
    return textwrap.wrap(line, width, subsequent_indent="  ", break_on_hyphens=False)


def _segment_quality(seg, width: int) -> list[str]:
    """``~ confidence 0.91; untranslated: oponían (es, pivot), fermement (fr)``; nothing
    for a segment nothing speaks against (1.00 or not rated, no word left)."""
    words = [describe(entry) for _, _, entry in leftovers(seg.target, seg.untranslated)]
    doubtful = seg.confidence is not None and seg.confidence < quality.CERTAIN
    if not words and not doubtful:
        return []
    parts = [f"confidence {confidence_text(seg.confidence)}"] if seg.confidence is not None else []
    if words:
        parts.append("untranslated: " + ", ".join(words))
    return textwrap.wrap("; ".join(parts), width, initial_indent="    ~ ",
                         subsequent_indent="      ", break_on_hyphens=False)


def to_side_by_side(result: TranslationResult, width: int | None = None) -> str:
    """Two columns, source left and translation right, one row block per segment; words
    left untranslated marked ⟦ ⟧, a ``~`` line under segments of confidence under 1."""
    width = width or shutil.get_terminal_size((120, 24)).columns
    column = max(20, (width - 7) // 2)
    route = " -> ".join([result.route.get("source", result.source_lang)]
                        + [f"{s['target']} ({s['engine']})" for s in result.route.get("steps", [])])
    detection = result.detection
    header = [f"{result.source_lang} -> {result.target_lang}   route: {route}"]
    if detection:
        header.append(f"detected {detection['language']} (confidence {detection['confidence']:.2f})")
    rule = min(width, 2 * column + 7)
    header += _quality_header(result, rule)
    lines = header + ["=" * rule]
    paragraph = None
    for seg in result.segments:
        if paragraph is not None and seg.paragraph != paragraph:
            lines.append("")
        paragraph = seg.paragraph
        left = textwrap.wrap(seg.source, column, break_on_hyphens=False) or [""]
        right = textwrap.wrap(_marked_target(seg), column, break_on_hyphens=False) or [""]
        for i in range(max(len(left), len(right))):
            number = f"{seg.index + 1:>3} " if i == 0 else "    "
            l_text = left[i] if i < len(left) else ""
            r_text = right[i] if i < len(right) else ""
            lines.append(f"{number}{_pad(l_text, column)} | {r_text}".rstrip())
        lines += _segment_quality(seg, rule)
        for warning in seg.warnings:
            lines.append(f"    ! {warning}")
    for warning in result.warnings:
        lines.append(f"! {warning}")
    return "\n".join(lines) + "\n"


def to_tmx(result: TranslationResult) -> str:
    from .tmx import result_to_tmx

    return result_to_tmx(result)


def to_xliff(result: TranslationResult) -> str:
    from .xliff import result_to_xliff

    return result_to_xliff(result)


def to_html(result: TranslationResult) -> str:
    from .html import to_html as html_page

    return html_page(result)


def render(result: TranslationResult, fmt: str) -> str:
    """``result`` in the format named ``fmt`` (:func:`.registry.get` names the choices)."""
    from .registry import get

    return get(fmt, "result").write("result", result)
