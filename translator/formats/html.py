"""Side-by-side HTML: a standalone page, source and translation aligned row by row.

Everything from the text is escaped; glossary terms are ``<mark>``ed from their spans,
words left untranslated ``<mark class="untranslated">`` (the title says why and in which
language). Each segment's confidence is under its number; the segments the document's
quality summary says to review first are flagged ``low``.
:func:`term_pieces` is shared with the review page, so both highlight the same way.
"""

from __future__ import annotations

from html import escape
from itertools import groupby

from .. import quality
from .marks import KINDS, confidence_text, is_pivot, marked_count, target_pieces
from .xliff import term_marks

__all__ = ["to_html", "results_to_html", "term_pieces"]

_STYLE = """
body{font:15px/1.5 system-ui,sans-serif;margin:2rem;color:#1d1d1f}
header p{color:#555;margin:.2rem 0}
table{border-collapse:collapse;width:100%;table-layout:fixed}
td,th{border-bottom:1px solid #ddd;padding:.4rem .6rem;vertical-align:top;text-align:left}
th.n,td.n{width:3rem;color:#888}
tr.p td{border-top:2px solid #999}
mark{background:#fff2a8;border-radius:2px}
mark.untranslated{background:#fde2e1;text-decoration:underline dotted #b91c1c}
td.n .c{font-size:.75em}
tr.low td.n .c{color:#b91c1c;font-weight:bold}
.w{color:#9a3412;font-size:.9em}
.origin{color:#888;font-size:.8em}
"""


def term_pieces(seg, side: str) -> list[tuple[str, dict | None]]:
    """The segment's text on ``side`` cut into (text, term or None) pieces, in order."""
    text = seg.source if side == "source" else seg.target
    pieces, position = [], 0
    for start, end, number in term_marks(seg, side):
        if start > position:
            pieces.append((text[position:start], None))
        pieces.append((text[start:end], seg.terms[number]))
        position = end
    if position < len(text) or not pieces:
        pieces.append((text[position:], None))
    return pieces


def _term(piece: str, term: dict, side: str) -> str:
    other = term.get("target" if side == "source" else "source", "")
    return f'<mark title="{escape(str(other))}">{piece}</mark>'


def _untranslated(piece: str, entry: dict) -> str:
    kind = str(entry.get("kind") or "unknown")
    language = str(entry.get("language") or "?")
    where = f"{language}, a pivot language" if is_pivot(entry) else language
    title = f"left untranslated: {KINDS.get(kind, kind)} ({where})"
    lang = f' lang="{escape(language)}"' if entry.get("language") else ""
    return f'<mark class="untranslated"{lang} title="{escape(title)}">{piece}</mark>'


def _marked(seg, side: str) -> str:
    if side == "target":
        terms = term_marks(seg, "target")
        out = []
        for piece, number, leftover in target_pieces(seg.target, terms, seg.untranslated):
            html = escape(piece)
            if leftover is not None:
                html = _untranslated(html, leftover)
            if number is not None:
                html = _term(html, seg.terms[number], side)
            out.append(html)
        return "".join(out)
    return "".join(escape(piece) if term is None else _term(escape(piece), term, side)
                   for piece, term in term_pieces(seg, side))


def _quality(result, summary: dict) -> str:
    if summary["confidence"] is None:
        return ""
    text = (f"confidence {confidence_text(summary['confidence'])}, lowest "
            f"{confidence_text(summary['min_confidence'])}; "
            f"{marked_count(result.segments)} words left untranslated")
    if summary["review_first"]:
        text += "; review first: " + ", ".join(str(i + 1) for i in summary["review_first"])
    return f'<p class="q">{escape(text)}</p>'


def _header(result, summary: dict) -> str:
    route = " → ".join([result.route.get("source", result.source_lang)]
                       + [f"{s['target']} ({s['engine']})" for s in result.route.get("steps", [])])
    lines = [f"<h1>{escape(result.source_lang)} → {escape(result.target_lang)}</h1>",
             f"<p>route: {escape(route)}</p>"]
    if result.detection:
        lines.append(f"<p>detected {escape(str(result.detection.get('language')))} "
                     f"(confidence {float(result.detection.get('confidence', 0)):.2f})</p>")
    lines.append(_quality(result, summary))
    lines += [f'<p class="w">⚠ {escape(w)}</p>' for w in result.warnings]
    return "<header>" + "".join(lines) + "</header>"


def _rows(result, summary: dict) -> str:
    review_first = set(summary["review_first"])
    rows = []
    for paragraph, segments in groupby(result.segments, key=lambda s: s.paragraph):
        for i, seg in enumerate(segments):
            warnings = "".join(f'<div class="w">⚠ {escape(w)}</div>' for w in seg.warnings)
            classes = " ".join(c for c, on in (("p", i == 0 and paragraph),
                                                ("low", seg.index in review_first)) if on)
            confidence = ("" if seg.confidence is None else
                          f'<div class="c" title="confidence">{confidence_text(seg.confidence)}</div>')
            row_class = f' class="{classes}"' if classes else ""
            rows.append(
                f'<tr{row_class} id="s{seg.index}">'
                f'<td class="n">{seg.index + 1}{confidence}</td>'
                f'<td lang="{escape(seg.source_lang)}">{_marked(seg, "source")}</td>'
                f'<td lang="{escape(result.target_lang)}">{_marked(seg, "target")}{warnings}'
                f' <span class="origin">{escape(seg.origin)}</span></td></tr>')
    return "\n".join(rows)


def _section(result) -> str:
    summary = quality.summary(result.segments)
    return (f"<section>{_header(result, summary)}<table><thead><tr><th class=n>#</th>"
            f"<th>{escape(result.source_lang)}</th><th>{escape(result.target_lang)}</th></tr></thead>"
            f"<tbody>\n{_rows(result, summary)}\n</tbody></table></section>")


def results_to_html(results) -> str:
    """One standalone HTML page with a side-by-side table per result."""
    sections = "\n".join(_section(r) for r in results)
    return ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
            "<title>Aligned translation</title>"
            f"<style>{_STYLE}</style></head><body>\n{sections}\n</body></html>\n")


def to_html(result) -> str:
    """One result as a standalone side-by-side HTML page."""
    return results_to_html([result])
