"""Paragraphs of formatted runs, translated through the HTML placement of inline markup.

Word and OpenDocument paragraphs are sequences of runs, each with its formatting (bold,
italic, a character style) and maybe inside a link. To translate them with inline marks on
the right words, every paragraph becomes a ``<p>`` of one HTML document in which each
formatting other than the paragraph's most common one is a ``<span data-f=N>`` and each
link an ``<a data-h=N>``; :func:`translator.formats.markup.translate_html` translates the
paragraphs as whole texts and places those tags, and the result is read back into runs.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from dataclasses import dataclass
from html.parser import HTMLParser

from ..formats.markup import BlockWarning, translate_html
from . import Translate


_TAGS = re.compile(r'<(span|a) data-[fh]="\d+">')


@dataclass(frozen=True)
class Piece:
    """A stretch of a paragraph's text with one formatting and one link (indexes into the
    caller's tables; None: the paragraph's base formatting, no link)."""

    text: str
    fmt: int | None = None
    link: int | None = None


def base_format(pieces: list[Piece]) -> int | None:
    """The formatting of most of the paragraph's characters: written without a tag."""
    weights = Counter()
    for piece in pieces:
        weights[piece.fmt] += len(piece.text.strip()) or 0.1
    return weights.most_common(1)[0][0] if weights else None


def _encode(index: int, pieces: list[Piece], base: int | None) -> str:
    out, link = [f'<p data-i="{index}">'], None
    for piece in pieces:
        if piece.link != link:
            if link is not None:
                out.append("</a>")
            if piece.link is not None:
                out.append(f'<a data-h="{piece.link}">')
            link = piece.link
        text = html.escape(piece.text, quote=False)
        out.append(text if piece.fmt == base else f'<span data-f="{piece.fmt}">{text}</span>')
    if link is not None:
        out.append("</a>")
    out.append("</p>")
    return "".join(out)


class _Decoder(HTMLParser):
    def __init__(self, bases: list[int | None]):
        super().__init__(convert_charrefs=True)
        self.bases = bases
        self.paragraphs: dict[int, list[Piece]] = {}
        self.current: int | None = None
        self.fmts: list[int | None] = []
        self.links: list[int | None] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "p" and "data-i" in attrs:
            self.current = int(attrs["data-i"])
            self.paragraphs[self.current] = []
        elif tag == "span":
            self.fmts.append(int(attrs["data-f"]) if "data-f" in attrs else None)
        elif tag == "a":
            self.links.append(int(attrs["data-h"]) if "data-h" in attrs else None)

    def handle_endtag(self, tag):
        if tag == "p":
            self.current = None
        elif tag == "span" and self.fmts:
            self.fmts.pop()
        elif tag == "a" and self.links:
            self.links.pop()

    def handle_data(self, data):
        if self.current is None or not data:
            return
        fmt = self.fmts[-1] if self.fmts and self.fmts[-1] is not None else self.bases[self.current]
        link = self.links[-1] if self.links else None
        pieces = self.paragraphs[self.current]
        if pieces and pieces[-1].fmt == fmt and pieces[-1].link == link:
            pieces[-1] = Piece(pieces[-1].text + data, fmt, link)
        else:
            pieces.append(Piece(data, fmt, link))


def translate_paragraphs(paragraphs: list[list[Piece]], translate: Translate
                         ) -> tuple[list[list[Piece]], list[str]]:
    """Each paragraph's pieces translated, marks placed on the right words (warnings for
    those kept around a whole paragraph)."""
    bases = [base_format(pieces) for pieces in paragraphs]
    document = "\n".join(_encode(i, pieces, base)
                         for i, (pieces, base) in enumerate(zip(paragraphs, bases)))
    translated, warnings = translate_html(document, translate)
    decoder = _Decoder(bases)
    decoder.feed(translated)
    decoder.close()
    warnings = [BlockWarning(_TAGS.sub(lambda m: "the link" if m.group(1) == "a" else
                                       "the formatting (bold, italic, style)", w), w.block)
                for w in warnings]
    return [decoder.paragraphs.get(i, pieces) for i, pieces in enumerate(paragraphs)], warnings
