"""Translate HTML keeping its markup: blocks translated whole, inline tags on the right words.

The document is read with the standard library's ``html.parser`` (entities left as they
are written) into blocks: the text between block-level tags (``<p>``, ``<li>``, ``<td>``,
``<br>``...). A block is translated as one text, so the engine sees whole sentences and
orders words itself; attributes, comments, ``<script>`` and ``<style>`` are never touched.

Inline elements (``<b>``, ``<i>``, ``<a>``, ``<span>``...) are placed on the words of the
translation that translate their words. The words before the element (P), the element's
(M) and those after it (S) are translated too, as P, P+M, S and M alone, in one more call
for the whole document (:class:`MarkProbes`). Where the block's translation begins with
the translation of P, or of P+M, or ends with that of S, those tell where the element's
words start or end: a start and an end place it exactly (``Le président <b>Vladimir
Poutine</b> a déclaré``: "The president" and "The president Vladimir Putin" begin "The
president Vladimir Putin has declared", so the tag goes around "Vladimir Putin"; on
Apertium, ``Il <b>a mangé</b> la pomme.`` is kept whole: "Il" alone is "He", in the
sentence "It"). Without both bounds, M translated alone (then M itself:
names, numbers) is looked for in the translation, whole words, and taken when it is one
word, found once, inside the bounds known: a longer text found alone may have gained
words that translate the element's neighbours ("mangeons" alone is "We eat"). Otherwise
the element cannot be placed safely, and rather than land on the wrong words its tags go
around the whole block, with a warning naming it. Entities of the source (``&amp;``,
``&nbsp;``) are written as entities again wherever their character is in the output.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Callable

__all__ = ["translate_html", "INLINE", "MarkProbes", "BlockWarning"]

#: elements that sit inside a sentence; every other tag ends a block
INLINE = frozenset("a abbr b bdi bdo cite code data dfn em font i kbd mark q s samp small span "
                   "strong sub sup time u var".split())
_RAW = frozenset({"script", "style", "textarea", "title"})
_LETTER = re.compile(r"[^\W\d_]")
_TOKEN = re.compile(r"\w+|[^\w\s]")


class MarkProbes(list):
    """Texts translated only to place inline marks (pieces of blocks): no part of the
    document, so a ``translate`` callable that keeps aligned results leaves them out."""


class BlockWarning(str):
    """A warning about one block: ``block`` is that block's text as it was translated."""

    def __new__(cls, message: str, block: str):
        warning = super().__new__(cls, message)
        warning.block = block
        return warning


@dataclass
class _Inline:
    start_tag: str
    end_tag: str
    start: int  # span in the block's plain text
    end: int = -1


@dataclass
class _Block:
    text: str = ""
    inlines: list[_Inline] = field(default_factory=list)
    entities: dict[str, str] = field(default_factory=dict)  # character -> entity as written


class _Reader(HTMLParser):
    """Cuts a document into kept pieces (str) and translatable blocks (_Block), in order."""

    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.pieces: list[str | _Block] = []
        self.block: _Block | None = None
        self.open: list[tuple[str, _Inline]] = []
        self.raw_depth = 0

    def _keep(self, raw: str) -> None:
        self._close_block()
        self.pieces.append(raw)

    def _close_block(self) -> None:
        if self.block is not None:
            for _, inline in self.open:  # unclosed inline tags: they end with the block
                inline.end = len(self.block.text)
                inline.end_tag = ""
            self.pieces.append(self.block)
            self.block, self.open = None, []

    def _text(self, text: str, raw: str) -> None:
        if self.raw_depth:
            self.pieces.append(raw)
            return
        if self.block is None:
            self.block = _Block()
        if text != raw:
            self.block.entities[text] = raw
        self.block.text += text

    def handle_starttag(self, tag, attrs):
        raw = self.get_starttag_text()
        if tag in INLINE and not self.raw_depth:
            if self.block is None:
                self.block = _Block()
            inline = _Inline(raw, f"</{tag}>", len(self.block.text))
            self.block.inlines.append(inline)
            self.open.append((tag, inline))
            return
        self._keep(raw)
        if tag in _RAW:
            self.raw_depth += 1

    def handle_startendtag(self, tag, attrs):
        self._keep(self.get_starttag_text())

    def handle_endtag(self, tag):
        if tag in INLINE and not self.raw_depth and any(t == tag for t, _ in self.open):
            while self.open:
                name, inline = self.open.pop()
                inline.end = len(self.block.text)
                if name == tag:
                    break
            return
        if tag in _RAW and self.raw_depth:
            self.raw_depth -= 1
            self.pieces.append(f"</{tag}>")
            return
        self._keep(f"</{tag}>")

    def handle_data(self, data):
        self._text(data, data)

    def handle_entityref(self, name):
        raw = f"&{name};"
        self._text(html.unescape(raw), raw)

    def handle_charref(self, name):
        raw = f"&#{name};"
        self._text(html.unescape(raw), raw)

    def handle_comment(self, data):
        self._keep(f"<!--{data}-->")

    def handle_decl(self, decl):
        self._keep(f"<!{decl}>")

    def handle_pi(self, data):
        self._keep(f"<?{data}>")

    def unknown_decl(self, data):
        self._keep(f"<![{data}]>")

    def close(self):
        super().close()
        self._close_block()


def _escape(text: str, entities: dict[str, str]) -> str:
    out = html.escape(text, quote=False)
    for char, raw in entities.items():
        if char not in "&<>" and len(char) == 1:
            out = out.replace(char, raw)
    return out


def _occurrences(haystack: str, needle: str) -> list[tuple[int, int]]:
    """Spans of ``needle`` in ``haystack``: whole words, case-insensitive."""
    needle = needle.strip()
    if not needle:
        return []
    return [m.span() for m in re.finditer(rf"(?<!\w){re.escape(needle)}(?!\w)", haystack,
                                          re.IGNORECASE)]


def _find(haystack: str, needle: str, nth: int = 0, count: int = 1) -> tuple[int, int] | None:
    """The occurrence of ``needle`` that stands for the ``nth`` of ``count`` occurrences of the
    source words: the only one, or the ``nth`` when the translation has exactly ``count``
    (a name repeated in a sentence keeps its order); else None."""
    found = _occurrences(haystack, needle)
    if len(found) == 1:
        return found[0]
    return found[nth] if count > 1 and len(found) == count else None


@dataclass(frozen=True)
class _Context:
    """An inline element in its block's text (stripped): the text, where its words are."""

    text: str
    start: int
    end: int

    @property
    def before(self) -> str:
        return self.text[:self.start].strip()

    @property
    def words(self) -> str:
        return self.text[self.start:self.end].strip()

    @property
    def with_words(self) -> str:
        return self.text[:self.end].strip()

    @property
    def after(self) -> str:
        return self.text[self.end:].strip()

    def probes(self) -> list[str]:
        return [self.before, self.with_words, self.after, self.words]


def _context(block: _Block, inline: _Inline) -> _Context:
    lead = len(block.text) - len(block.text.lstrip())
    text = block.text.strip()
    start = min(len(text), max(0, inline.start - lead))
    return _Context(text, start, min(len(text), max(start, inline.end - lead)))


def _tokens(text: str) -> list[str]:
    return [t.casefold() for t in _TOKEN.findall(text)]


def _bounds(body_tokens: list[str], context: _Context, probe: dict[str, str]
            ) -> tuple[set[int], set[int]]:
    """Where the element's words start and end in the block's translation (token indexes):
    the bounds found, each set empty (none found) or with more than one (they disagree).
    P and P+M begin the sentence as the block does, so their translations are those of the
    block's first words when they begin the block's; S ends it (S may gain a word at its
    start, a subject: that shortens the mark to nothing or disagrees with P+M)."""
    def tokens(text: str) -> list[str]:
        return _tokens(probe.get(text, text)) if text else []

    n = len(body_tokens)
    starts, ends = set(), set()
    before, with_words = tokens(context.before), tokens(context.with_words)
    after = tokens(context.after)
    if body_tokens[:len(before)] == before:
        starts.add(len(before))
    if len(with_words) > len(before) and body_tokens[:len(with_words)] == with_words:
        ends.add(len(with_words))
    if len(after) <= n and body_tokens[n - len(after):] == after:
        ends.add(n - len(after))
    return starts, ends


def _locate(body: str, block: _Block, inline: _Inline, probe: dict[str, str]
            ) -> tuple[int, int] | None:
    """The characters of ``body`` (the block's translation) that translate the element's
    words, or None when no method places them with confidence (the module docstring)."""
    context = _context(block, inline)
    spans = [m.span() for m in _TOKEN.finditer(body)]
    starts, ends = _bounds([body[a:b].casefold() for a, b in spans], context, probe)
    if len(starts) > 1 or len(ends) > 1:
        return None  # the context's translations disagree: no bound can be trusted
    if starts and ends:
        first, last = next(iter(starts)), next(iter(ends))
        return (spans[first][0], spans[last - 1][1]) if first < last else None
    low = spans[next(iter(starts))][0] if starts and next(iter(starts)) < len(spans) else 0
    high = spans[next(iter(ends)) - 1][1] if ends and next(iter(ends)) > 0 else len(body)
    words = block.text[inline.start:inline.end]
    before = block.text[:inline.start + (len(words) - len(words.lstrip()))]
    nth, count = len(_occurrences(before, words)), len(_occurrences(block.text, words))
    for needle in (probe.get(context.words, ""), context.words):
        if len(_TOKEN.findall(needle)) == 1:  # several words alone may have gained some
            span = _find(body, needle, nth, count)
            if span is not None and low <= span[0] and span[1] <= high:
                return span
    return None


def _render(block: _Block, translation: str, probe: dict[str, str]
            ) -> tuple[str, list[BlockWarning]]:
    """The block's translation with its inline tags placed (see the module docstring)."""
    lead = block.text[:len(block.text) - len(block.text.lstrip())]
    trail = block.text[len(block.text.rstrip()):]
    body = translation.strip()
    opens: dict[int, list[str]] = {}
    closes: dict[int, list[str]] = {}
    whole: list[_Inline] = []
    warnings = []
    placed: list[tuple[int, int]] = []

    def keep_whole(inline: _Inline, message: str) -> None:
        whole.append(inline)
        warnings.append(BlockWarning(message, block.text.strip()))

    for inline in block.inlines:
        words = block.text[inline.start:inline.end]
        span = _locate(body, block, inline, probe) if words.strip() else None
        if span is None and words.strip():
            keep_whole(inline, f"could not place {inline.start_tag} around the translation of "
                               f"{words.strip()!r}: the tag is kept around the whole block")
            continue
        if span is None:  # an empty element (an anchor): at the end if it was, else first
            at_end = inline.start >= len(block.text.rstrip())
            span = (len(body), len(body)) if at_end else (0, 0)
        if any(s < span[0] < e < span[1] or span[0] < s < span[1] < e for s, e in placed):
            keep_whole(inline, f"{inline.start_tag} would overlap another tag: kept around "
                               "the block")
            continue
        if span[0] == span[1]:  # an empty element (an anchor): kept whole at its place
            opens.setdefault(span[0], []).append(inline.start_tag + inline.end_tag)
            continue
        placed.append(span)
        opens.setdefault(span[0], []).append(inline.start_tag)
        closes.setdefault(span[1], []).insert(0, inline.end_tag)
    out, cuts = [], sorted({0, len(body), *opens, *closes})
    for a, b in zip(cuts, cuts[1:] + [None]):
        out += closes.get(a, []) + opens.get(a, [])
        if b is not None:
            out.append(_escape(body[a:b], block.entities))
    inner = "".join(out)
    for inline in whole:
        inner = inline.start_tag + inner + inline.end_tag
    return _escape(lead, block.entities) + inner + _escape(trail, block.entities), warnings


def _probes(blocks: list[_Block]) -> MarkProbes:
    """The pieces of context of every inline element with words (one call for them all)."""
    texts = {}
    for block in blocks:
        for inline in block.inlines:
            if block.text[inline.start:inline.end].strip():
                texts.update(dict.fromkeys(_context(block, inline).probes()))
    return MarkProbes(t for t in texts if _LETTER.search(t))


def translate_html(markup: str, translate: Callable[[list[str]], list[str]]
                   ) -> tuple[str, list[BlockWarning]]:
    """``markup`` translated by ``translate`` (texts in, their translations out, in order):
    (the translated HTML, warnings about inline tags kept around a whole block)."""
    reader = _Reader()
    reader.feed(markup)
    reader.close()
    blocks = [p for p in reader.pieces if isinstance(p, _Block) and _LETTER.search(p.text)]
    if not blocks:
        return markup, []
    # The blocks first, as one call: what a reader of the document's text gets
    # (translator.documents.document_text); then the pieces that place the marks.
    translations = dict(zip(map(id, blocks), translate([b.text.strip() for b in blocks])))
    probes = _probes(blocks)
    probe = dict(zip(probes, translate(probes))) if probes else {}
    out, warnings = [], []
    for piece in reader.pieces:
        if isinstance(piece, str):
            out.append(piece)
        elif id(piece) in translations:
            text, notes = _render(piece, translations[id(piece)], probe)
            out.append(text)
            warnings += notes
        else:  # a block without letters: as it was written
            out.append(_source(piece))
    return "".join(out), warnings


def _source(block: _Block) -> str:
    """A block that needs no translation, written back with its tags and entities."""
    cuts: dict[int, list[str]] = {}
    for inline in block.inlines:
        empty = inline.start == inline.end
        cuts.setdefault(inline.start, []).append(inline.start_tag + (inline.end_tag if empty else ""))
    for inline in block.inlines:
        if inline.start != inline.end:
            cuts.setdefault(inline.end, []).insert(0, inline.end_tag)
    out, position = [], 0
    for at in sorted(cuts):
        out.append(_escape(block.text[position:at], block.entities))
        out += cuts[at]
        position = at
    out.append(_escape(block.text[position:], block.entities))
    return "".join(out)
