"""Text, JSON, TSV and side-by-side renderings of one :class:`TranslationResult`."""

from __future__ import annotations

import csv
import io
import json
import shutil
import textwrap
import unicodedata

from ..errors import InputError
from ..result import TranslationResult

__all__ = ["FORMATS", "render"]


def to_text(result: TranslationResult) -> str:
    """The translation alone, with the source's paragraphs and spacing."""
    return result.target_text


def to_json(result: TranslationResult) -> str:
    return json.dumps(result.to_dict(), ensure_ascii=False, indent=2)


def to_tsv(result: TranslationResult) -> str:
    """index, paragraph, source, target: one aligned segment a line, tabs and newlines escaped."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter="\t", quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    writer.writerow(["index", "paragraph", "source", "target"])
    for seg in result.segments:
        writer.writerow([seg.index, seg.paragraph, seg.source, seg.target])
    return out.getvalue()


def _width(text: str) -> int:
    return sum(0 if unicodedata.combining(ch) else
               2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def to_side_by_side(result: TranslationResult, width: int | None = None) -> str:
    """Two columns, source left and translation right, one row block per segment."""
    width = width or shutil.get_terminal_size((120, 24)).columns
    column = max(20, (width - 7) // 2)
    route = " -> ".join([result.route.get("source", result.source_lang)]
                        + [f"{s['target']} ({s['engine']})" for s in result.route.get("steps", [])])
    detection = result.detection
    header = [f"{result.source_lang} -> {result.target_lang}   route: {route}"]
    if detection:
        header.append(f"detected {detection['language']} (confidence {detection['confidence']:.2f})")
    lines = header + ["=" * min(width, 2 * column + 7)]
    paragraph = None
    for seg in result.segments:
        if paragraph is not None and seg.paragraph != paragraph:
            lines.append("")
        paragraph = seg.paragraph
        left = textwrap.wrap(seg.source, column, break_on_hyphens=False) or [""]
        right = textwrap.wrap(seg.target, column, break_on_hyphens=False) or [""]
        for i in range(max(len(left), len(right))):
            number = f"{seg.index + 1:>3} " if i == 0 else "    "
            l_text = left[i] if i < len(left) else ""
            r_text = right[i] if i < len(right) else ""
            lines.append(f"{number}{_pad(l_text, column)} | {r_text}".rstrip())
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


FORMATS = {
    "text": to_text,
    "json": to_json,
    "tsv": to_tsv,
    "tmx": to_tmx,
    "xliff": to_xliff,
    "html": to_html,
    "side-by-side": to_side_by_side,
}


def render(result: TranslationResult, fmt: str) -> str:
    try:
        writer = FORMATS[fmt]
    except KeyError:
        raise InputError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}") from None
    return writer(result)
