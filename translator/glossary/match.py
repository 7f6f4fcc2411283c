"""Finding glossary terms in a text: longest match first, on word boundaries, in linear time.

Texts and terms are cut into word tokens (``\\w+``); a term matches a run of text
tokens whose keys equal its tokens' keys and whose gaps are only spaces, hyphens,
apostrophes or full stops (``George W. Bush``). So ``Kim Jong-un`` matches
``Kim Jong Un``, ``Ukraine`` matches inside ``l'Ukraine`` (the elided article stays
outside the match), and nothing matches inside a word. Keys are case-folded; accents are folded too except in languages
where they tell words apart (Vietnamese). Capitalised words of a term match only
capitalised (or all-capital) words, so Vietnamese ``biện pháp`` is not ``Pháp``
(France); words written in capitals in the glossary (acronyms: ``UN``, ``AFP``)
match only in capitals, so French ``un`` is never ``UN``.
Terms whose last word is lower-case (common nouns) also match a simple plural.

Matching walks a trie of token keys from every token: O(tokens x longest term),
whatever the glossary's size.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .model import Entry

_WORD = re.compile(r"\w+")
_GAP = re.compile(r"[\s\-\u2010\u2011\u2013'\u2019.]+")
_END = "\x00end"
# Languages whose diacritics distinguish words (ma, má, mà, mả, mã, mạ are six words).
ACCENT_SENSITIVE = {"vi"}
_PLURALS = {"fr": ("s", "x"), "en": ("s", "es"), "es": ("s", "es"), "pt": ("s",), "it": ()}


def _fold(text: str, lang: str) -> str:
    if text.isascii():  # most tokens: nothing to decompose (1.8x faster matcher builds)
        return text.lower()
    text = text.casefold()
    if lang in ACCENT_SENSITIVE:
        return unicodedata.normalize("NFC", text)
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _is_acronym(token: str) -> bool:
    return len(token) >= 2 and token.isupper()


def token_keys(token: str, lang: str) -> tuple[str, ...]:
    """Trie keys a text token may match: its folded form, its capitalised form when it
    starts with a capital, and its exact form when it is written in capitals."""
    folded = _fold(token, lang)
    if not token[0].isupper():
        return (folded,)
    if _is_acronym(token):
        return (folded, "^" + folded, "=" + token)
    return (folded, "^" + folded)


def term_key(token: str, lang: str) -> str:
    """The trie key of one token of a glossary term: acronyms match only in capitals,
    capitalised words only capitalised (Vietnamese "Pháp" is France, "pháp" is not)."""
    if _is_acronym(token):
        return "=" + token
    folded = _fold(token, lang)
    return "^" + folded if token[0].isupper() else folded


def tokenize(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _WORD.finditer(text)]


@dataclass(frozen=True)
class Rendering:
    """What a matched source form becomes: an entry and its target term (None: keep as is)."""

    entry: Entry
    target: str | None


@dataclass(frozen=True)
class Match:
    start: int
    end: int
    text: str
    rendering: Rendering

    @property
    def entry(self) -> Entry:
        return self.rendering.entry


def short_form(entry: Entry, rendering: Rendering, form: str, source: str, target: str) -> Rendering:
    """A person named by surname alone gets the target surname alone:
    ``Poutine`` -> ``Putin``, not ``Vladimir Putin``."""
    if entry.type != "person" or rendering.target is None:
        return rendering
    short = [_fold(t, source) for t in _WORD.findall(form)]
    fulls = [[_fold(t, source) for t in _WORD.findall(f)] for f in entry.terms.get(source, ())]
    if not short or not any(len(full) > len(short) and full[-len(short):] == short
                            for full in fulls):
        return rendering
    words = list(_WORD.finditer(rendering.target))
    if len(words) <= len(short):
        return rendering
    return Rendering(entry, rendering.target[words[-len(short)].start():])


class Matcher:
    """All source forms of a glossary for one language pair, compiled into a token trie."""

    def __init__(self, source: str, target: str):
        self.source = source
        self.target = target
        self.root: dict = {}
        self.size = 0

    @classmethod
    def build(cls, entries: list[Entry], source: str, target: str) -> "Matcher":
        matcher = cls(source, target)
        for entry in entries:
            forms = entry.terms.get(source)
            if not forms:
                continue
            if entry.dnt:
                rendering = Rendering(entry, None)
            elif entry.preferred(target):
                rendering = Rendering(entry, entry.preferred(target))
            else:
                continue
            for form in forms:
                matcher.add(form, short_form(entry, rendering, form, source, target))
        return matcher

    def add(self, form: str, rendering: Rendering) -> None:
        """Add one source form; a later form with the same tokens replaces an earlier one."""
        tokens = _WORD.findall(form)
        if not tokens:
            return
        keys = [term_key(t, self.source) for t in tokens]
        self._insert(keys, rendering)
        if tokens[-1].islower():  # a common noun: "casque bleu" -> "casques bleus"
            for suffix in _PLURALS.get(self.source, ()):
                self._insert(keys[:-1] + [keys[-1] + suffix], rendering)
                self._insert([k + suffix if t.islower() and len(t) > 2 else k
                              for k, t in zip(keys, tokens)], rendering)

    def _insert(self, keys: list[str], rendering: Rendering) -> None:
        node = self.root
        for key in keys:
            node = node.setdefault(key, {})
        if _END not in node:
            self.size += 1
        node[_END] = rendering

    def find(self, text: str) -> list[Match]:
        """Non-overlapping matches, leftmost then longest."""
        spans = tokenize(text)
        keys = [token_keys(text[s:e], self.source) for s, e in spans]
        matches: list[Match] = []
        i = 0
        while i < len(spans):
            best = self._longest(text, spans, keys, i)
            if best is None:
                i += 1
                continue
            j, rendering = best
            start, end = spans[i][0], spans[j][1]
            matches.append(Match(start, end, text[start:end], rendering))
            i = j + 1
        return matches

    def _longest(self, text, spans, keys, i):
        """Walk the trie from token i; return (last token index, rendering) of the longest term."""
        best = None
        frontier = [self.root]
        j = i
        while frontier and j < len(spans):
            if j > i and not _GAP.fullmatch(text[spans[j - 1][1]:spans[j][0]]):
                break
            frontier = [node[k] for node in frontier for k in keys[j] if k in node]
            for node in frontier:
                if _END in node:
                    best = (j, node[_END])
                    break
            j += 1
        return best


def matcher_for(glossary, source: str, target: str) -> "Matcher":
    """The compiled :class:`Matcher` of a :class:`~translator.glossary.model.Glossary` for a
    pair, built once per glossary."""
    return glossary.cached(("matcher", source, target),
                           lambda: Matcher.build(glossary.entries, source, target))
