"""Lexical anchors: the parts of a sentence that survive translation.

Every sentence gets a set of *keys*, strings that a sentence and its translation
share more often than two unrelated sentences do:

=========  ==========================================  ==========================
class      what                                        key
=========  ==========================================  ==========================
number     digit runs, thousands groups, small number  ``n:1500`` (``1 500``,
           words (two, deux, hai...)                   ``1,500``, ``1.500``)
date       month and weekday names, ``tháng 6``        ``d:m6``, ``d:w1``
punct      ``? ! % $ €``, quotes of any style,         ``p:?``, ``p:"``
           parentheses, ellipses
ident      URLs, e-mail addresses, acronyms, tokens    ``i:debian/rules``,
           mixing letters and digits or with inner     ``i:NATO``
           ``/ _ . @``, mixed case (``iPhone``)
name       capitalised words not starting a sentence   ``a:ukraine``
           (accents and case ignored)
cognate    long lowercase words, first five letters    ``c:econo``
           without accents (``économique/economic``)
glossary   a (source term, target term) pair           ``g:12``
word       words, compared between a side and the      ``w:house``
           machine translation of the other (or
           between two texts in one language)
=========  ==========================================  ==========================

How much a shared key is worth is decided per document: a
naive-Bayes log-likelihood ratio of "aligned" against "unrelated", from the
class's chance of surviving translation and how common the key is on each side,
so ``2024`` in one sentence of each side is strong evidence while ``Debian`` in
every sentence of a Debian manual is worth nothing (see
:func:`translator.alignment.search.frequency_weights`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Iterable, Sequence

import numpy as np

__all__ = ["CLASSES", "SIGNAL_NAMES", "KeyTable", "sentence_keys", "word_keys", "glossary_keys",
           "side_keys", "capitalised_names"]

#: Chance that a key of each class on one side is found in the translation (p).
#: Measured on Debian manuals (en/fr/vi, gold block pairs): numbers 0.99, identical
#: tokens 0.8-0.97, punctuation 0.65-0.97, names 0.2-0.4, cognates 0.1-0.7.
CLASSES: dict[str, float] = {
    "n": 0.95,  # numbers
    "d": 0.85,  # dates
    "p": 0.85,  # punctuation
    "i": 0.85,  # identical tokens
    "a": 0.35,  # proper nouns
    "c": 0.35,  # cognates
    "g": 0.90,  # glossary pairs
    "w": 0.45,  # words vs machine translation
}
#: Signal names reported on beads, by key class.
SIGNAL_NAMES = {"n": "numbers", "d": "dates", "p": "punctuation", "i": "identical",
                "a": "names", "c": "cognates", "g": "glossary", "w": "translation"}
#: Keys found in more than this share of either side's sentences carry no weight.
MAX_SHARE = 0.3

_SMALL_NUMBERS = {
    **dict.fromkeys(["two", "deux", "hai"], "2"), **dict.fromkeys(["three", "trois"], "3"),
    **dict.fromkeys(["four", "quatre", "bốn"], "4"), **dict.fromkeys(["five", "cinq"], "5"),
    **dict.fromkeys(["six", "sáu"], "6"), **dict.fromkeys(["seven", "bảy"], "7"),
    **dict.fromkeys(["eight", "huit", "tám"], "8"), **dict.fromkeys(["nine", "chín"], "9"),
    **dict.fromkeys(["ten", "dix", "mười"], "10"), **dict.fromkeys(["eleven", "onze"], "11"),
    **dict.fromkeys(["twelve", "douze"], "12"), **dict.fromkeys(["twenty", "vingt"], "20"),
    **dict.fromkeys(["hundred", "cent", "trăm"], "100"),
    **dict.fromkeys(["thousand", "mille", "nghìn", "ngàn"], "1000"),
    **dict.fromkeys(["million", "millions", "triệu"], "1000000"),
    **dict.fromkeys(["billion", "milliard", "milliards", "tỷ", "tỉ"], "1000000000"),
}

_MONTHS = {}
for _number, _names in enumerate([
    "january jan janvier janv", "february feb février fevrier févr", "march mar mars",
    "april apr avril avr", "may mai", "june jun juin", "july jul juillet juil",
    "august aug août aout", "september sep sept septembre", "october oct octobre",
    "november nov novembre", "december dec décembre decembre déc"], start=1):
    for _name in _names.split():
        _MONTHS[_name] = f"m{_number}"
# English month names that are also common words count only when capitalised.
_CAPITALISED_ONLY = {"may", "march", "mar", "jan", "sep", "sept", "dec", "oct", "nov", "aug",
                     "apr", "jun", "jul", "feb", "mai"}
_WEEKDAYS = {}
for _number, _names in enumerate(["monday lundi", "tuesday mardi", "wednesday mercredi",
                                  "thursday jeudi", "friday vendredi", "saturday samedi",
                                  "sunday dimanche"], start=1):
    for _name in _names.split():
        _WEEKDAYS[_name] = f"w{_number}"

_VI_ORDINALS = {"giêng": 1, "một": 1, "hai": 2, "ba": 3, "tư": 4, "bốn": 4, "năm": 5, "sáu": 6,
                "bảy": 7, "tám": 8, "chín": 9, "mười": 10, "mười một": 11, "một một": 11,
                "mười hai": 12, "chạp": 12}
_VI_MONTH = re.compile(r"\btháng\s+(\d{1,2}|mười một|mười hai|giêng|chạp|một|hai|ba|tư|bốn|năm"
                       r"|sáu|bảy|tám|chín|mười)(?!\w)", re.IGNORECASE)
_VI_WEEKDAY = re.compile(r"\b(?:thứ\s+(hai|ba|tư|năm|sáu|bảy)|(chủ\s+nhật))(?!\w)", re.IGNORECASE)
_VI_WEEKDAY_NUMBER = {"hai": 1, "ba": 2, "tư": 3, "năm": 4, "sáu": 5, "bảy": 6}

_NUMBER = re.compile(r"(?<![\d.,])\d{1,3}(?:(?:[.,\u00a0\u202f]| (?=\d{3}(?!\d)))\d{3})+(?![\d])|\d+")
_NUMBER_SEPARATORS = re.compile(r"[.,\u00a0\u202f ]")
_URL = re.compile(r"(?:https?|ftp)://[^\s<>«»\"“”]+|www\.[^\s<>«»\"“”]+"
                  r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.IGNORECASE)
_TOKEN = re.compile(r"\w+(?:[./_:@+#-]+\w+)*")
_WORD = re.compile(r"[^\W\d_]+")
_QUOTES = frozenset("«»“”„\"‹›「」『』")
_OPENERS = frozenset("«“„\"‹(「『[—–-:")
_PUNCT_KEYS = {"?": "p:?", "¿": "p:?", "？": "p:?", "!": "p:!", "¡": "p:!", "！": "p:!",
               "%": "p:%", "$": "p:$", "€": "p:€", "£": "p:£", "¥": "p:¥", "(": "p:(",
               "…": "p:...", "&": "p:&"}


def _plain(text: str) -> str:
    """Casefolded, without accents (``Corée`` -> ``coree``; ``đ`` -> ``d``)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().replace("đ", "d"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _number_keys(text: str, keys: set[str]) -> None:
    for m in _NUMBER.finditer(text):
        digits = _NUMBER_SEPARATORS.sub("", m.group()).lstrip("0") or "0"
        keys.add("n:" + digits)


def _date_keys(words: list[str], text: str, lang: str | None, keys: set[str]) -> None:
    for word in words:
        low = word.casefold()
        month = _MONTHS.get(low)
        if month and (low not in _CAPITALISED_ONLY or word[0].isupper()):
            keys.add("d:" + month)
        weekday = _WEEKDAYS.get(low)
        if weekday:
            keys.add("d:" + weekday)
    if lang in (None, "vi") and "th" in text.casefold():
        for m in _VI_MONTH.finditer(text):
            value = m.group(1).casefold()
            number = int(value) if value.isdigit() else _VI_ORDINALS.get(value, 0)
            if 1 <= number <= 12:
                keys.add(f"d:m{number}")
        for m in _VI_WEEKDAY.finditer(text):
            keys.add("d:w7" if m.group(2) else f"d:w{_VI_WEEKDAY_NUMBER[m.group(1).casefold()]}")


_JOINERS = re.compile(r"[/_.@:+#]")
_SPECIAL_CHARS = frozenset('«»“”„"‹›「」『』?¿？!¡！%$€£¥(…&')
# After these, a capital starts a quotation, a parenthesis or a list item, not a name.
# (A period inside a sentence is an abbreviation: "M. Poutine", "Mr. Putin".)
_INITIAL_GAP = re.compile(r"[«“„\"‹(「『\[—–:-]")


def _is_identical_token(token: str) -> bool:
    """Tokens that translators copy as they are: codes, paths, acronyms, mixed case."""
    if token.isalpha():
        if token.isupper():
            return len(token) >= 2  # acronym
        # mixed case inside the word: iPhone, PostgreSQL (not Title, not lower)
        return not token.islower() and not token.istitle()
    if token.isdigit():
        return False
    has_alpha = not token.isdigit() and any(ch.isalpha() for ch in token)
    return has_alpha and (any(ch.isdigit() for ch in token) or _JOINERS.search(token) is not None)


@lru_cache(maxsize=65536)
def _plain_cached(token: str) -> str:
    return _plain(token)


def sentence_keys(text: str, lang: str | None = None, cognates: bool = True,
                  known_names: frozenset[str] = frozenset()) -> set[str]:
    """The anchor keys of one sentence (every class except glossary and word)."""
    keys: set[str] = set()
    _number_keys(text, keys)
    for ch in _SPECIAL_CHARS.intersection(text):
        keys.add('p:"' if ch in _QUOTES else _PUNCT_KEYS[ch])
    if "..." in text:
        keys.add("p:...")
    if "/" in text or "@" in text or "www" in text:
        for m in _URL.finditer(text):
            keys.add("i:" + m.group().rstrip(".,;:!?)»”'\"").casefold())
    words = _WORD.findall(text)
    _date_keys(words, text, lang, keys)
    for word in words:
        number = _SMALL_NUMBERS.get(word.casefold())
        if number:
            keys.add("n:" + number)
    pos = -1  # -1: at the start of the sentence; capitals there prove nothing
    for m in _TOKEN.finditer(text):
        token = m.group()
        initial = pos < 0 or _INITIAL_GAP.search(text, pos, m.start()) is not None
        pos = m.end()
        if _is_identical_token(token):
            keys.add("i:" + token.rstrip("."))
            continue
        first = token[0]
        if first.isupper():
            plain = _plain_cached(token)
            if (not initial or plain in known_names) and len(plain) >= 2:
                keys.add("a:" + plain)
        # any long word, capitalised or not (a title's first word is a cognate too)
        if cognates and len(token) >= 6 and token.isalpha():
            keys.add("c:" + _plain_cached(token)[:5])
    return keys


def capitalised_names(sentences: Iterable[str]) -> frozenset[str]:
    """Words written with a capital in the middle of a sentence somewhere in the document."""
    names = set()
    for text in sentences:
        first = True
        for m in _TOKEN.finditer(text):
            token = m.group()
            if not first and token[0].isupper() and not token.isupper():
                names.add(_plain_cached(token))
            first = False
    return frozenset(names)


def word_keys(text: str) -> set[str]:
    """Casefolded words (2 letters or more) as ``w:`` keys."""
    return {"w:" + w.casefold() for w in _WORD.findall(text) if len(w) >= 2}


def glossary_keys(sentences: Sequence[str], terms: Sequence[str]) -> list[set[str]]:
    """``g:<index>`` for every glossary term (case-insensitive, whole words) in each sentence."""
    out: list[set[str]] = [set() for _ in sentences]
    lookup: dict[str, list[int]] = {}
    for index, term in enumerate(terms):
        term = " ".join(unicodedata.normalize("NFC", term).split()).casefold()
        if term:
            lookup.setdefault(term, []).append(index)
    if not lookup:
        return out
    alternatives = sorted(lookup, key=len, reverse=True)
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(t).replace(r"\ ", r"\s+")
                                                   for t in alternatives) + r")(?!\w)")
    for keys, text in zip(out, sentences):
        folded = unicodedata.normalize("NFC", text).casefold()
        for m in pattern.finditer(folded):
            for index in lookup.get(" ".join(m.group().split()), ()):
                keys.add(f"g:{index}")
    return out


@dataclass
class KeyTable:
    """Keys of both sides as integer occurrences: ``(unit, key id)`` pairs per side."""

    names: list[str]  # key id -> key string
    source_units: np.ndarray
    source_ids: np.ndarray
    target_units: np.ndarray
    target_ids: np.ndarray

    @classmethod
    def build(cls, source: Sequence[set[str]], target: Sequence[set[str]],
              keep_unshared: frozenset[str] = frozenset()) -> "KeyTable":
        """Keys found on both sides, and those of the ``keep_unshared`` classes found
        on one side only (they cannot match, but a translation may pay for lacking them)."""
        all_s, all_t = set().union(*source), set().union(*target)
        names = sorted((all_s & all_t) | {k for k in all_s ^ all_t if k[0] in keep_unshared})
        ids = {name: i for i, name in enumerate(names)}

        def occurrences(side):
            units, keys = [], []
            for unit, found in enumerate(side):
                for key in found:
                    kid = ids.get(key)
                    if kid is not None:
                        units.append(unit)
                        keys.append(kid)
            return np.asarray(units, dtype=np.int64), np.asarray(keys, dtype=np.int64)

        su, si = occurrences(source)
        tu, ti = occurrences(target)
        return cls(names, su, si, tu, ti)

    def classes(self) -> list[str]:
        return [name.split(":", 1)[0] for name in self.names]


def side_keys(sentences: Sequence[str], lang: str | None, *, cognates: bool = True,
              words: Callable[[int], str] | None = None) -> list[set[str]]:
    """Anchor keys for every sentence of one side (``words(i)``: text whose words count)."""
    names = capitalised_names(sentences)
    out = [sentence_keys(s, lang, cognates, names) for s in sentences]
    if words is not None:
        for i, keys in enumerate(out):
            keys |= word_keys(words(i))
    return out
