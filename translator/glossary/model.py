"""Glossary entries: one concept, its terms per language, and how to render it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

TYPES = ("country", "territory", "person", "organization", "agency", "place", "event",
         "adjective", "demonym", "title", "other")


@dataclass(frozen=True)
class Entry:
    """One concept. ``terms[lang]`` lists the preferred term first, then variants
    that are recognised in a source text but never produced."""

    id: str
    terms: dict[str, tuple[str, ...]]
    type: str = "other"
    note: str = ""
    dnt: bool = False  # do not translate: rendered as in the source
    origin: str = ""  # "file:line" where it was read, for error messages

    def preferred(self, lang: str) -> str | None:
        forms = self.terms.get(lang)
        return forms[0] if forms else None

    def to_dict(self) -> dict:
        return {"id": self.id, "type": self.type, "terms": {k: list(v) for k, v in self.terms.items()},
                "note": self.note, "dnt": self.dnt}


@dataclass
class Glossary:
    """A named collection of entries (a file, a stored glossary, inline request terms)."""

    name: str
    entries: list[Entry] = field(default_factory=list)
    # Compiled matchers by (source, target) pair, and the digest: built once per glossary.
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    def languages(self) -> set[str]:
        return {lang for entry in self.entries for lang in entry.terms}

    def covers(self, source: str, target: str) -> bool:
        return any(source in e.terms and (target in e.terms or e.dnt) for e in self.entries)

    def merged(self, other: "Glossary", name: str | None = None) -> "Glossary":
        """Entries of both; ``other``'s win where both define a term for the same source form."""
        return Glossary(name or f"{self.name}+{other.name}", [*self.entries, *other.entries])

    def digest(self) -> str:
        """Short hash of the content, recorded in result signatures (cached, like the
        matchers: entries are not changed once a glossary is in use)."""
        if "digest" not in self._cache:
            h = hashlib.sha256()
            for entry in self.entries:
                h.update(repr((entry.id, sorted(entry.terms.items()), entry.dnt)).encode())
            self._cache["digest"] = h.hexdigest()[:12]
        return self._cache["digest"]

    def cached(self, key, build):
        """``build()``, once per ``key`` for this glossary: what is derived from its entries
        (matchers, :func:`translator.glossary.match.matcher_for`) is built once, since
        entries are not changed once a glossary is in use."""
        if key not in self._cache:
            self._cache[key] = build()
        return self._cache[key]
