"""Typography-blind keys for translation memory lookups.

Two sentences that differ only in typography (curly or straight quotes and apostrophes,
guillemets, no-break or thin spaces, runs of spaces, hyphens and dashes, an ellipsis
character or three dots, composed or decomposed accents) are the same sentence to a
translator: the memory finds one with the other. The stored text keeps its own
typography; only the key is normalised.
"""

from __future__ import annotations

import re
import unicodedata

_SINGLE_QUOTES = "\u2018\u2019\u201a\u201b\u2032\u00b4\u0060\u02bc"
_DOUBLE_QUOTES = "\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb\u2039\u203a"
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
_TABLE = str.maketrans({**{c: "'" for c in _SINGLE_QUOTES}, **{c: '"' for c in _DOUBLE_QUOTES},
                        **{c: "-" for c in _DASHES}, "\u2026": "..."})
_SPACES = re.compile(r"\s+")
# the space just inside guillemets is French typography (« Oui »), not a difference
_INSIDE_GUILLEMETS = re.compile(r"(?<=[\u00ab\u2039])\s+|\s+(?=[\u00bb\u203a])")
_WORDS = re.compile(r"\w+")


def typography_key(text: str) -> str:
    """The key two typographic variants of one sentence share (case and words kept)."""
    key = _INSIDE_GUILLEMETS.sub("", unicodedata.normalize("NFC", text))
    return _SPACES.sub(" ", key.translate(_TABLE)).strip()


def index_words(text: str) -> list[str]:
    """The words of ``text`` as the full-text index stores them: lower case, accents off
    (SQLite FTS5's ``unicode61 remove_diacritics 2``), each once, in order."""
    bare = "".join(c for c in unicodedata.normalize("NFD", text.lower())
                   if not unicodedata.combining(c))
    return list(dict.fromkeys(_WORDS.findall(bare)))
