"""What a glossary entry may hold, and the checks of a whole glossary.

The rules every entry is held to, whatever it comes from (a file, the HTTP API, the
store): :func:`term_problem` (no empty term, no control characters, nothing that looks
like markup or a regular expression: terms are matched literally), :func:`parse_cell`
(a table cell: the preferred term, then variants separated by ``" | "``),
:func:`validate_entry`, and the implicit do-not-translate rule :func:`same_everywhere`.

:func:`check` finds what a parser cannot see row by row: the same source form mapped to
different target terms in one language pair (a conflict), duplicate ids (errors), and
duplicate rows (warnings).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .. import languages
from ..errors import GlossaryError
from .match import Rendering, short_form, token_keys
from .model import TYPES, Entry, Glossary


MAX_TERM_CHARS = 256

MAX_PROBLEMS = 1000  # stop collecting after this many (a wrong file has one per line)

_WORD = re.compile(r"\w")

_WORDS = re.compile(r"\w+")

# Anything that may need a closer look; most terms never match it.
_SUSPECT = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b\u2028\u2029\ufeff<&\\{}^$\[\]|]|\.[*+?]|\(\?")

CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b\u2028\u2029\ufeff]")

_MARKUP = re.compile(r"<[A-Za-z/!?]|&(?:[A-Za-z]+|#\d+|#x[0-9A-Fa-f]+);")

_REGEX = re.compile(r"[\\{}^$\[\]]|\.[*+?]|\(\?")

_VARIANTS = re.compile(r"\s*\|\s*")

_BAD_SEPARATOR = re.compile(r"\S\||\|\S")

BAD_ID = re.compile(r"[\s\x00-\x1f\x7f-\x9f]")



@dataclass(frozen=True)
class Problem:
    """One problem of a glossary, where it is (``file:line``), and whether it blocks an import."""

    origin: str
    message: str
    severity: str = "error"  # error | warning

    def __str__(self) -> str:
        where = f"{self.origin}: " if self.origin else ""
        return f"{where}{'warning: ' if self.severity == 'warning' else ''}{self.message}"



def raise_problems(problems: list[str], hint: str = "") -> None:
    first = problems[0]
    more = len(problems) - 1
    suffix = f" (and {more} more problem{'s' if more > 1 else ''}{hint})" if more else ""
    raise GlossaryError(first + suffix, problems=problems)



def term_problem(term: str) -> str | None:
    """Why ``term`` cannot be a glossary term, or None when it can."""
    if not term:
        return "empty term"
    if _SUSPECT.search(term):
        bad = CONTROL_CHARS.search(term)
        if bad:
            return f"control character U+{ord(bad.group()):04X} in {term!r}"
        if _MARKUP.search(term):
            return f"{term!r} looks like markup; terms are plain text"
        if _REGEX.search(term):
            return f"{term!r} looks like a regular expression; terms are matched literally"
        if "|" in term:
            return f"{term!r}: separate variants with ' | ' (space, pipe, space)"
    if not _WORD.search(term):
        return f"{term!r} has no letters or digits"
    if len(term) > MAX_TERM_CHARS:
        return f"term of {len(term)} characters (at most {MAX_TERM_CHARS}): {term[:40]!r}..."
    return None



def normal_term(term: str) -> str:
    term = term.strip()
    return term if unicodedata.is_normalized("NFC", term) else unicodedata.normalize("NFC", term)



def parse_cell(cell: str) -> tuple[tuple[str, ...], str | None]:
    """A table cell -> (terms, problem): preferred term, then variants split on ``" | "``."""
    cell = cell.strip()
    if not cell:
        return (), None
    items = _VARIANTS.split(cell) if "|" in cell else [cell]
    if len(items) > 1:
        if any(not item for item in items):
            return (), f"empty item in the variant list {cell!r}"
        if _BAD_SEPARATOR.search(cell):
            return (), f"{cell!r}: separate variants with ' | ' (space, pipe, space)"
    terms: list[str] = []
    for item in items:
        item = normal_term(item)
        problem = term_problem(item)
        if problem:
            return (), problem
        if item not in terms:
            terms.append(item)
    return tuple(terms), None



def validate_entry(entry: Entry) -> list[str]:
    """Problems of one entry built in code (HTTP, store): the rules files are held to."""
    problems = []
    if not isinstance(entry.id, str) or not entry.id or BAD_ID.search(entry.id) \
            or len(entry.id) > 200:
        problems.append(f"bad id {entry.id!r}: 1-200 characters, no spaces or control characters")
    if entry.type not in TYPES:
        problems.append(f"unknown type {entry.type!r} (one of {', '.join(TYPES)})")
    if not entry.terms:
        problems.append(f"entry {entry.id!r} has no terms")
    for lang, forms in entry.terms.items():
        if languages.maybe_canonical(lang) != lang:
            problems.append(f"{lang!r} is not a canonical language code "
                            f"({languages.maybe_canonical(lang) or 'unknown'})")
        if isinstance(forms, str) or not forms:
            problems.append(f"entry {entry.id!r}: {lang} needs a tuple of terms")
            continue
        for form in forms:
            problem = term_problem(form) if isinstance(form, str) else f"{form!r} is not text"
            if problem:
                problems.append(problem)
    if CONTROL_CHARS.search(entry.note or ""):
        problems.append("control character in the note")
    if not entry.dnt and len(entry.terms) < 2:
        problems.append(f"entry {entry.id!r} has terms in one language only and is not "
                        "do-not-translate")
    return problems



def same_everywhere(terms: dict[str, tuple[str, ...]]) -> bool:
    """The implicit do-not-translate rule: one and the same term in every language given
    (at least two). A row that lists variants (``TASS | Tass`` everywhere) is not
    do-not-translate: its variants are rendered as the preferred term."""
    values = list(terms.values())
    if len(values) < 2 or len(values[0]) != 1:
        return False
    return values.count(values[0]) == len(values)



def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60]



def _rendering(entry: Entry, form: str, source: str, target: str) -> str | None:
    """What the matcher renders ``form`` as for the pair (None: the entry has no target)."""
    if entry.dnt:
        return form
    preferred = entry.preferred(target)
    if not preferred:
        return None
    rendering = short_form(entry, Rendering(entry, preferred), form, source, target)
    return rendering.target



def _conflicts(entries: list[Entry], source: str, targets: list[str]) -> list[Problem]:
    """Source forms that can match the same text (the matcher's keys without the marks
    that restrict capitals: ``Kim Jong-un`` and ``Kim Jong Un`` both match "Kim Jong Un")
    claimed by several entries whose renderings differ in one of the target languages."""
    claims: dict[tuple, list[tuple[str, Entry]]] = {}
    for entry in entries:
        for form in entry.terms.get(source, ()):
            keys = tuple(token_keys(t, source)[0] for t in _WORDS.findall(form))
            if keys:
                claims.setdefault(keys, []).append((form, entry))
    found = []
    for claimants in claims.values():
        if len(claimants) < 2 or all(e is claimants[0][1] for _, e in claimants):
            continue
        for target in targets:
            first = None
            for form, entry in claimants:
                target_term = _rendering(entry, form, source, target)
                if target_term is None:
                    continue
                if first is None:
                    first = (form, target_term, entry)
                    continue
                old_form, old_target, old_entry = first
                if old_entry is entry or old_target == target_term:
                    continue
                found.append(Problem(
                    entry.origin or entry.id,
                    f"conflict in {source}-{target}: {form!r} -> {target_term!r} (id {entry.id}), "
                    f"but {old_form!r} -> {old_target!r} (id {old_entry.id}"
                    f"{', ' + old_entry.origin if old_entry.origin else ''}); keep one, or make "
                    "the forms variants of one entry"))
    return found



def problems(glossary: Glossary) -> list[Problem]:
    """Conflicts and duplicate ids (errors), duplicate rows (warnings), in entry order."""
    found: list[Problem] = []
    by_content: dict = {}
    by_id: dict[str, Entry] = {}
    for entry in glossary.entries:
        content = (tuple(sorted(entry.terms.items())), entry.dnt)
        twin = by_content.get(content)
        if twin is not None:
            found.append(Problem(entry.origin or entry.id,
                                 f"duplicate of {twin.origin or 'id ' + twin.id} "
                                 f"(id {entry.id})", "warning"))
        else:
            by_content[content] = entry
        other = by_id.get(entry.id)
        if other is not None and (tuple(sorted(other.terms.items())), other.dnt) != content:
            found.append(Problem(entry.origin or entry.id,
                                 f"duplicate id {entry.id!r} (also {other.origin or 'earlier'}) "
                                 "with other terms"))
        by_id.setdefault(entry.id, entry)
    langs = sorted(glossary.languages())
    for source in langs:
        found.extend(_conflicts(glossary.entries, source, [t for t in langs if t != source]))
    return found



def check(glossary: Glossary) -> list[str]:
    """Every problem as one ``file:line: ...`` line (warnings say ``warning:``)."""
    return [str(p) for p in problems(glossary)]



def errors(glossary: Glossary) -> list[Problem]:
    return [p for p in problems(glossary) if p.severity == "error"]
