"""Enforcing a glossary through any engine: translate, verify, repair, report.

Engines offer no lexical constraints (CTranslate2 has none mid-sentence; Apertium
has its own dictionaries), so every sentence with glossary terms goes through:

1. **Plain pass.** The batch is translated as it is; an engine that already knows a
   name often places it best (articles, word order).
2. **Verification.** Each term's target rendering must be in the output (an
   occurrence per source occurrence), and no source form may be left in it
   (leakage). A rendering found with other capitals or hyphens is rewritten
   exactly in place.
3. **Protected pass** for the sentences that failed: terms are replaced by
   placeholders (``XTERM0``) that engines pass through unchanged, the sentences
   are translated again as one batch, and the placeholders are replaced by the
   renderings; for English targets the article before a name is fixed
   (``the Russia`` -> ``Russia``, ``of United States`` -> ``of the United States``).
4. Whatever still fails keeps the better output and a warning naming the term;
   nothing is dropped silently.

Each applied term is reported with its spans in the segment's source and target.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from ..engines.base import EngineOutput
from .match import Match, matcher_for
from .model import Glossary

Translate = Callable[[list[str]], list[EngineOutput]]
PLACEHOLDER = "XTERM{}"
_PLACEHOLDER = re.compile(r"X\s?TERM\s?(\d+)", re.IGNORECASE)
_ARTICLE_BEFORE = re.compile(r"(?:^|(?<=\s))(the|The|THE)\s+$")
# English names that take "the": multiword names built on these nouns, plural names.
_THE_NOUNS = {
    "states", "kingdom", "republic", "union", "nations", "council", "sea", "ocean", "east",
    "west", "house", "bank", "fund", "organization", "organisation", "agency", "court",
    "assembly", "parliament", "commission", "islands", "emirates", "netherlands", "philippines",
    "bahamas", "gulf", "strait", "peninsula", "ministry", "army", "navy", "party", "front",
    "forces", "office", "department", "committee", "programme", "program", "alliance",
    "coalition", "federation", "community", "secretariat", "maldives", "comoros", "gambia",
    "procuracy", "inspectorate",
    # events and agreements: the Cold War, the special military operation, the Shangri-La
    # Dialogue, the one-China policy (but World War II: see takes_the)
    "war", "operation", "battle", "dialogue", "forum", "conference", "summit", "treaty",
    "convention", "agreement", "policy",
}
# A name that ends with a number takes no article: World War II, Agenda 2030.
_NUMBERED = re.compile(r"(?:\d+|[IVX]+)$")
_THE_SINGLE = {"kremlin", "pentagon", "vatican", "elysee", "élysée", "hague", "caribbean",
               "balkans", "sahel", "arctic", "antarctic", "mediterranean", "baltic", "west", "east",
               "politburo"}
# Entries whose English article is left as the engine wrote it: a person, an adjective
# ("the North Korean leader"), a people ("the Russians" and "Russians" are both right), a
# title ("the General Secretary said", "General Secretary To Lam").
_ENGINE_ARTICLE = frozenset({"person", "adjective", "demonym", "title"})
# Acronyms read as words take no article.
_WORD_ACRONYMS = {"NATO", "ASEAN", "OPEC", "UNESCO", "UNICEF", "INTERPOL", "BRICS", "APEC",
                  "MERCOSUR", "FIFA", "NASA", "OTAN", "UNHCR", "UNRWA", "SEATO", "CERN"}


@dataclass
class Enforced:
    """One sentence through the glossary layer: the engine's output as the glossary left
    it (leftovers moved with their words), the terms applied, the terms it could not enforce."""

    output: EngineOutput
    terms: list[dict]
    problems: list[str]


@dataclass
class Applied:
    match: Match
    rendering: str
    start: int = -1
    end: int = -1
    method: str = "engine"  # engine | protected

    def to_dict(self) -> dict:
        entry = self.match.entry
        return {"id": entry.id, "type": entry.type, "source": self.match.text,
                "target": self.rendering, "source_span": [self.match.start, self.match.end],
                "target_span": [self.start, self.end], "method": self.method}


def rendering_for(match: Match) -> str:
    """The exact target text for a match: the glossary's term, in capitals when the
    source was written in capitals (a headline), the source itself for do-not-translate."""
    target = match.rendering.target
    if target is None:
        return match.text
    letters = [c for c in match.text if c.isalpha()]
    listed = {form for forms in match.entry.terms.values() for form in forms}
    if len(letters) > 1 and all(c.isupper() for c in letters) and not target.isupper() \
            and match.text not in listed:
        return target.upper()
    return target


def takes_the(term: str, kind: str = "other") -> bool:
    """Whether an English name is used with "the": the United States, the Kremlin, the UN;
    not Russia, NATO, TASS. A heuristic on the name's words and the entry's type."""
    raw = re.findall(r"\w+", term)
    words = [w.lower() for w in raw]
    if not words or words[0] == "the" or kind == "person":
        return False
    if len(words) == 1:
        if raw[0].isupper() and len(raw[0]) > 1:  # acronyms: the UN, the EU; but NATO, ASEAN
            return kind == "organization" and raw[0] not in _WORD_ACRONYMS
        return words[0] in _THE_SINGLE
    if _NUMBERED.fullmatch(raw[-1]):
        return False
    return any(w in _THE_NOUNS for w in words)


class GlossaryLayer:
    """Wraps a route's translate function with glossary enforcement for one pair."""

    def __init__(self, glossary: Glossary, source: str, target: str):
        self.glossary = glossary
        self.source = source
        self.target = target
        self.matcher = matcher_for(glossary, source, target)

    def translate(self, sentences: list[str], translate: Translate) -> list[Enforced]:
        matches = [self.matcher.find(s) for s in sentences]
        results: list[Enforced] = []
        retry = []
        for i, (output, found) in enumerate(zip(translate(sentences), matches)):
            text, applied, problems = self._verify(output.text, found)
            results.append(Enforced(output.edited(text),
                                    [a.to_dict() for a in applied if a.start >= 0], problems))
            if problems:
                retry.append(i)
        if retry:
            protected = translate([self._mask(sentences[i], matches[i]) for i in retry])
            for i, output in zip(retry, protected):
                text, applied, problems = self._restore(output.text, matches[i])
                if not problems:
                    results[i] = Enforced(output.edited(text), [a.to_dict() for a in applied], [])
                else:  # keep the plain output, and say which terms it lacks
                    results[i].problems = [f"glossary: {p}" for p in results[i].problems]
        return results

    # -- plain pass -----------------------------------------------------------

    def _verify(self, output: str, matches: list[Match]):
        applied: list[Applied] = []
        problems: list[str] = []
        taken: list[tuple[int, int]] = []
        for match in matches:
            rendering = rendering_for(match)
            span = _find_free(output, rendering, taken, self.target)
            item = Applied(match, rendering)
            if span is None:
                problems.append(f"{match.text!r} -> {rendering!r} not rendered")
            else:
                start, end = span
                output = output[:start] + rendering + output[end:]
                delta = len(rendering) - (end - start)
                taken = [(s + delta if s >= end else s, e + delta if e >= end else e) for s, e in taken]
                for other in applied:
                    if other.start >= end:
                        other.start += delta
                        other.end += delta
                item.start, item.end = start, start + len(rendering)
                taken.append((item.start, item.end))
            applied.append(item)
        for match in matches:
            if rendering_for(match) != match.text and _find(output, match.text, self.source) \
                    and not _inside(_find(output, match.text, self.source), taken):
                problems.append(f"{match.text!r} left untranslated")
        return output, applied, problems

    # -- protected pass -------------------------------------------------------

    @staticmethod
    def _mask(sentence: str, matches: list[Match]) -> str:
        out, last = [], 0
        for k, match in enumerate(matches):
            out.append(sentence[last:match.start])
            out.append(PLACEHOLDER.format(k))
            last = match.end
        out.append(sentence[last:])
        return "".join(out)

    def _restore(self, output: str, matches: list[Match]):
        applied = [Applied(m, rendering_for(m), method="protected") for m in matches]
        seen: set[int] = set()
        pieces, last, position = [], 0, 0
        for found in _PLACEHOLDER.finditer(output):
            k = int(found.group(1))
            before = output[last:found.start()]
            if k >= len(matches) or k in seen:
                pieces.append(before)  # an invented or repeated placeholder: drop it
                position += len(before)
                last = found.end()
                continue
            seen.add(k)
            rendering = applied[k].rendering
            if self.target == "en" and applied[k].match.entry.type not in _ENGINE_ARTICLE:
                before = _fix_article(before, rendering, applied[k].match.entry.type)
            if not before.strip() and rendering[:1].islower():
                rendering = rendering[:1].upper() + rendering[1:]  # sentence start
            pieces.append(before)
            position += len(before)
            applied[k].start, applied[k].end = position, position + len(rendering)
            applied[k].rendering = rendering
            pieces.append(rendering)
            position += len(rendering)
            last = found.end()
        pieces.append(output[last:])
        text = "".join(pieces)
        problems = [f"{matches[k].text!r} -> {applied[k].rendering!r} lost by the engine"
                    for k in range(len(matches)) if k not in seen]
        return text, [a for a in applied if a.start >= 0], problems


def _fix_article(before: str, rendering: str, kind: str) -> str:
    """Make the English text before a name agree with whether the name takes "the"."""
    has_the = _ARTICLE_BEFORE.search(before)
    if takes_the(rendering, kind):
        if has_the or (before and not before[-1].isspace()):
            return before
        return before + ("The " if not before.strip() else "the ")
    if has_the:
        return before[:has_the.start()]
    return before


def _pattern(term: str, lang: str) -> re.Pattern:
    words = re.findall(r"\w+", term)
    gap = r"[\s\-\u2010\u2011\u2013'\u2019]+"
    return re.compile(r"(?<!\w)" + gap.join(re.escape(w) for w in words) + r"(?!\w)",
                      re.IGNORECASE)


def _find(text: str, term: str, lang: str):
    exact = _exact(text, term)
    if exact:
        return exact
    match = _pattern(term, lang).search(text) if re.search(r"\w", term) else None
    return match.span() if match else None


def _exact(text: str, term: str):
    for m in re.finditer(re.escape(term), text):
        s, e = m.span()
        if (s == 0 or not text[s - 1].isalnum()) and (e == len(text) or not text[e].isalnum()):
            return s, e
    return None


def _find_free(text: str, term: str, taken: list[tuple[int, int]], lang: str):
    """The first occurrence of ``term`` in ``text`` not already used by another term."""
    if not re.search(r"\w", term):
        return None
    candidates = [m.span() for m in re.finditer(re.escape(term), text)]
    candidates += [m.span() for m in _pattern(term, lang).finditer(text)]
    for s, e in candidates:
        boundary = (s == 0 or not text[s - 1].isalnum()) and (e == len(text) or not text[e].isalnum())
        if boundary and not any(s < te and ts < e for ts, te in taken):
            return s, e
    return None


def _inside(span, taken) -> bool:
    return any(ts <= span[0] and span[1] <= te for ts, te in taken)


__all__ = ["Enforced", "GlossaryLayer", "rendering_for", "takes_the"]
