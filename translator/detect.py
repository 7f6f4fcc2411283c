"""Language detection: which language is this text (or paragraph) written in?

Built on langdetect (a port of Google's language-detection: character 1-3-gram
profiles of 55 languages and a naive-Bayes estimate over randomly sampled
n-grams). On top of it this module adds what the translator needs:

Determinism
    langdetect samples n-grams at random. Each :class:`Detector` owns a
    ``DetectorFactory`` whose seed is fixed, and every detection builds a fresh
    langdetect detector (with its own ``random.Random`` re-seeded from that seed), so
    the same text always gives the same answer, in any thread and any process.
    Profiles are loaded in sorted file order (``os.listdir`` order differs between
    file systems) and only once per process: the ~60 MB of n-gram tables are shared,
    read-only, by every Detector; the load is guarded by a lock.

Cleaning
    Text is NFC-normalised (decomposed Vietnamese becomes precomposed); URLs,
    e-mail addresses and digits are removed; a text written entirely in capitals is
    lower-cased (langdetect ignores all-capital words, taking them for acronyms).
    Nothing left that is a letter -> :class:`UndetectableLanguage`.

Confidence: langdetect, then a prior for short texts
    On a few words langdetect is confidently wrong ("Merci" -> Spanish 0.99999).
    The reported distribution is therefore a mixture::

        p(lang) = w * langdetect(lang) + (1 - w) * prior(lang)
        w = 1 - exp(-letters / 20)   # 5 letters: 0.22, 20: 0.63, 40: 0.86, 60: 0.95, 150: 0.9994

    so a one-word text never gets a high confidence from n-grams alone, and a
    paragraph gets essentially langdetect's answer. ``prior`` is cheap, documented
    evidence (see :meth:`Detector._prior`):

    * script: a language gets prior mass only for the letters written in its script
      (Cyrillic text cannot be French);
    * Vietnamese diacritics: letters only Vietnamese uses (ơ, ư and the
      U+1EA0-U+1EF9 block: ạ ả ấ ầ ẩ ẫ ậ ắ ằ ẳ ẵ ặ ẹ ẻ ẽ ế ề ể ễ ệ ỉ ị ọ ỏ ố ồ ổ ỗ ộ ớ
      ờ ở ỡ ợ ụ ủ ứ ừ ử ữ ự ỳ ỵ ỷ ỹ) multiply Vietnamese's prior weight by 10; ă and
      đ alone (shared with Romanian, Croatian) by 3;
    * French spelling: ç, œ or an elision (l', d', qu', j', n', s', c', m', t')
      multiply French's weight by 4;
    * a few very common short words of French, English, Vietnamese and Spanish
      (greetings, function words, newsroom labels): each hit multiplies the weight
      of the languages using that word by 4 (at most 64).

    ``confidence`` is the probability of the best language in that mixture, and
    ``alternatives`` are the other languages with at least 1 %, best first (5 at
    most). For a few words confidence stays well below a paragraph's 0.99+ even when
    the answer is right: about 0.4-0.9 among four candidate languages and 0.1-0.5
    among all 55, higher (up to ~0.99) when Vietnamese-only letters back it up.

Candidates
    Only languages with a translation route count. With ``candidates`` langdetect
    is run restricted to them (uniform prior over the candidates, so the n-gram
    evidence is compared among them, not renormalised from a run in which they had
    already vanished; when an unrestricted run already gives the candidates 99.9 %,
    it is simply renormalised, which saves the second run), and the prior is
    restricted the same way: ``confidence`` is then *relative to the candidates*.
    Three cases raise
    :class:`UndetectableLanguage`, naming the available languages:

    * no candidate is a language langdetect knows (eo, eu, ga, gl, oc, km, lo, ms,
      az are not);
    * the text is written in a script none of the candidates uses;
    * the text is long enough to be reliable (at least 20 letters) and an
      unrestricted run gives the candidates less than 0.1 in total: "text looks
      like French (fr), which has no route; available: en, vi".

    A *short* text in a language without a route is not refused here: it is attributed
    to the most similar candidate with the low confidence short texts get anyway.
    :meth:`Detector.unrouted_look` says when that answer is no answer: among every
    language (one run, one scale: a confidence among fewer candidates is higher by
    construction), a language without a route is at least ``UNROUTED_RATIO`` times as
    probable as every language with one ("Guten Morgen": de 0.44, fr 0.02, though fr
    has 0.57 among the candidates). The service turns that into an error or a warning.

Mixed documents
    :meth:`Detector.detect_document` detects every non-empty line and combines the
    per-paragraph distributions weighted by their letter counts, so a French article
    with an English byline is French. A paragraph that cannot be detected on its
    own (a dateline of digits, a bare URL, a long quote in a language without a
    route) takes the document's language with ``confidence`` 0.0 and the reason in
    ``note``.
"""

from __future__ import annotations

import json
import math
import os
import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

from .errors import UndetectableLanguage
from .languages import maybe_canonical, name as language_name

__all__ = ["Detection", "Detector", "get_detector", "detect", "detect_document"]

# --- tunables (documented in the module docstring) -------------------------------------

#: letters at which langdetect's answer gets weight 1 - 1/e (~0.63) against the prior
RELIABILITY_SCALE = 20.0
#: texts with fewer letters are never refused for "no route"
NO_ROUTE_MIN_LETTERS = 20
#: candidates' total raw probability below which a reliable text has no route
NO_ROUTE_MAX_MASS = 0.1
#: candidates' raw probability above which the unrestricted run is simply renormalised
REUSE_RAW_MASS = 0.999
#: a text looks like a language with no route when, among every language, that one is at
#: least this many times as probable as the most probable language that has a route
UNROUTED_RATIO = 4.0
#: alternatives listed: probability at least this, at most this many
ALTERNATIVE_MIN = 0.01
ALTERNATIVES_MAX = 5

VI_STRONG_FACTOR = 10.0
VI_WEAK_FACTOR = 3.0
FR_SPELLING_FACTOR = 4.0
WORD_FACTOR = 4.0
WORD_FACTOR_MAX = 64.0

# --- langdetect's languages ------------------------------------------------------------

# langdetect codes with no canonical code in translator.languages (no engine has them)
_EXTRA_NAMES = {
    "af": "Afrikaans", "cy": "Welsh", "gu": "Gujarati", "hr": "Croatian", "kn": "Kannada",
    "mk": "Macedonian", "ml": "Malayalam", "mr": "Marathi", "ne": "Nepali", "pa": "Punjabi",
    "so": "Somali", "sw": "Swahili", "ta": "Tamil", "te": "Telugu",
}

# Scripts of langdetect's languages (first word of the Unicode character name);
# every language not listed is written in Latin script.
_SCRIPTS: dict[str, frozenset[str]] = {
    code: frozenset(scripts)
    for codes, scripts in (
        (("ar", "fa", "ur"), ("ARABIC",)),
        (("bg", "mk", "ru", "uk"), ("CYRILLIC",)),
        (("el",), ("GREEK",)),
        (("he",), ("HEBREW",)),
        (("hi", "mr", "ne"), ("DEVANAGARI",)),
        (("bn",), ("BENGALI",)),
        (("gu",), ("GUJARATI",)),
        (("pa",), ("GURMUKHI",)),
        (("kn",), ("KANNADA",)),
        (("ml",), ("MALAYALAM",)),
        (("ta",), ("TAMIL",)),
        (("te",), ("TELUGU",)),
        (("th",), ("THAI",)),
        (("ja",), ("HIRAGANA", "KATAKANA", "CJK")),
        (("ko",), ("HANGUL", "CJK")),
        (("zh", "zt"), ("CJK",)),
    )
    for code in codes
}
_LATIN = frozenset({"LATIN"})
# one ideograph or Hangul syllable carries about as much as a few Latin letters
_DENSE_SCRIPTS = {"CJK": 3, "HANGUL": 3}

# --- cleaning ---------------------------------------------------------------------------

_URL = re.compile(
    r"(?:(?:https?|ftp)://|www\.)\S+"  # explicit URLs
    r"|\b[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}/\S*",  # bare domain with a path: sggp.org.vn/x
    re.IGNORECASE,
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_DIGITS = re.compile(r"\d+")
_SPACES = re.compile(r"\s+")

# --- prior evidence ---------------------------------------------------------------------

_VI_STRONG = re.compile("[ơƠưƯ\u1ea0-\u1ef9]")
_VI_WEAK = re.compile("[ăĂđĐ]")
_FR_SPELLING = re.compile(
    r"[çÇœŒ]|\b(?:[cdjlmnst]|qu)['’][aeiouyhàâäéèêëîïôöûùüœ]", re.IGNORECASE
)
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")

# Very common short words (casefolded). Only these four languages: the newsroom works
# in French, English and Vietnamese, and Spanish is their most frequent neighbour.
_COMMON_WORDS: dict[str, frozenset[str]] = {}
for _lang, _words in {
    "fr": "bonjour bonsoir salut merci oui non le la les un une des du de en et est sont "
          "je tu il elle nous vous ils elles au aux revoir bienvenue bonne bon année "
          "monsieur madame avec pour dans sur par pas très beaucoup mise jour direct "
          "selon président photo s'il plaît t'aime j'ai c'est excusez moi",
    "en": "hello hi thank thanks you yes no please sorry welcome good morning evening "
          "night bye goodbye happy new year the a an of to and is are was in on for with "
          "by said says news breaking update live photo world president",
    "vi": "xin chào cảm ơn tạm biệt vâng không có và của là được người cho với các những "
          "một này đã sẽ trong hôm nay tin tức ảnh thế giới việt nam chúc mừng năm mới "
          "chủ tịch nước",
    "es": "hola gracias sí no buenos buenas días tardes noches adiós por favor el los "
          "las y de que en es un una del",
}.items():
    for _w in _words.split():
        _COMMON_WORDS[_w] = _COMMON_WORDS.get(_w, frozenset()) | {_lang}


@lru_cache(maxsize=4096)
def _script(ch: str) -> str:
    try:
        return unicodedata.name(ch).split(" ", 1)[0]
    except ValueError:
        return "UNKNOWN"


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    text = _URL.sub(" ", text)
    text = _EMAIL.sub(" ", text)
    text = _DIGITS.sub(" ", text)
    text = _SPACES.sub(" ", text).strip()
    if not any(ch.islower() for ch in text):
        text = text.lower()  # all capitals: langdetect would skip every word
    return text


def _script_counts(text: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for ch in text:
        if ch.isalpha():
            script = _script(ch)
            counts[script] = counts.get(script, 0) + _DENSE_SCRIPTS.get(script, 1)
    return counts


def _language_label(code: str) -> str:
    return _EXTRA_NAMES.get(code) or language_name(code)


def _scripts_of(code: str) -> frozenset[str]:
    return _SCRIPTS.get(code, _LATIN)


# --- profiles (shared, loaded once) ---------------------------------------------------

_profiles_lock = threading.Lock()
_profiles: tuple[dict, list[str]] | None = None


def _load_profiles() -> tuple[dict, list[str]]:
    """langdetect's n-gram tables, loaded once per process in sorted file order: {n-gram:
    one probability per language} and the languages. Tuples, not langdetect's lists: the
    table is shared and read-only, and the garbage collector skips tuples of numbers (with
    88,000 lists it spent 0.12 s on each full collection of every process that detects)."""
    global _profiles
    if _profiles is None:
        with _profiles_lock:
            if _profiles is None:
                _profiles = _cached_profiles()
    return _profiles


def _profile_files() -> list[str]:
    from langdetect.detector_factory import PROFILES_DIRECTORY

    return sorted(os.path.join(PROFILES_DIRECTORY, n) for n in os.listdir(PROFILES_DIRECTORY)
                  if not n.startswith(".")
                  and os.path.isfile(os.path.join(PROFILES_DIRECTORY, n)))


def _build_profiles(files: list[str]) -> tuple[dict, list[str]]:
    """The tables as langdetect builds them from its JSON profiles (0.8 CPU-s)."""
    from langdetect.detector_factory import DetectorFactory
    from langdetect.utils.lang_profile import LangProfile

    factory = DetectorFactory()
    for index, filename in enumerate(files):
        with open(filename, encoding="utf-8") as fh:
            factory.add_profile(LangProfile(**json.load(fh)), index, len(files))
    return ({gram: tuple(probs) for gram, probs in factory.word_lang_prob_map.items()},
            list(factory.langlist))


def _cached_profiles() -> tuple[dict, list[str]]:
    """The tables from the user's cache folder, built and stored there on first use: a
    marshal file (as Python's own ``__pycache__``) named after the profiles it was built
    from and this Python, read in a fifth of the time of a build. An unreadable cache is
    rebuilt; one that cannot be written is only not kept."""
    import hashlib
    import marshal
    import sys

    from .fsutil import atomic_write, cache_dir

    files = _profile_files()
    stamp = hashlib.sha256(repr([sys.version, marshal.version] + [
        (os.path.basename(f), os.stat(f).st_size, os.stat(f).st_mtime_ns) for f in files
    ]).encode()).hexdigest()[:16]
    try:
        path = cache_dir() / f"langdetect-profiles-{stamp}.marshal"
    except RuntimeError:  # no home folder: nowhere to keep it
        return _build_profiles(files)
    try:
        table, languages = marshal.loads(path.read_bytes())
        if isinstance(table, dict) and isinstance(languages, list) and len(languages) == len(files):
            return table, languages
    except (OSError, EOFError, ValueError, TypeError):
        pass
    built = _build_profiles(files)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, marshal.dumps(built))
    except OSError:
        pass
    return built


# --- results ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Detection:
    """The language of a text.

    ``language`` is a canonical code (``translator.languages.canonical``; langdetect's
    few languages without one keep langdetect's code, e.g. ``hr``). ``confidence`` is
    the probability of that language (0..1, relative to the candidates when some were
    given). ``alternatives`` are the other languages with at least 1 %, best first.
    ``note`` is set when the language was not detected but inherited from the
    document (then ``confidence`` is 0.0): it says why.
    """

    language: str
    confidence: float
    alternatives: tuple[tuple[str, float], ...] = ()
    note: str | None = None

    @property
    def name(self) -> str:
        return _language_label(self.language)

    def to_dict(self) -> dict:
        body = {
            "language": self.language,
            "name": self.name,
            "confidence": round(self.confidence, 4),
            "alternatives": [
                {"language": code, "confidence": round(p, 4)} for code, p in self.alternatives
            ],
        }
        if self.note:
            body["note"] = self.note
        return body


def _detection(dist: dict[str, float]) -> Detection:
    ranked = sorted(dist.items(), key=lambda item: (-item[1], item[0]))
    best, confidence = ranked[0]
    alternatives = tuple(
        (code, p) for code, p in ranked[1:ALTERNATIVES_MAX + 1] if p >= ALTERNATIVE_MIN
    )
    return Detection(best, float(confidence), alternatives)


# --- the detector -----------------------------------------------------------------------


class Detector:
    """Deterministic, thread-safe language detection (see the module docstring).

    Profiles are loaded lazily on the first detection, once per process, and shared.
    """

    def __init__(self, seed: int = 0):
        self.seed = seed
        self._factory = None
        self._lock = threading.Lock()
        # langdetect code <-> canonical code
        self._to_code: dict[str, str] = {}
        self._from_code: dict[str, str] = {}

    # -- setup

    def _get_factory(self):
        if self._factory is None:
            with self._lock:
                if self._factory is None:
                    from langdetect.detector_factory import DetectorFactory

                    word_lang_prob_map, langlist = _load_profiles()
                    factory = DetectorFactory()
                    factory.word_lang_prob_map = word_lang_prob_map  # shared, read-only
                    factory.langlist = langlist
                    factory.set_seed(self.seed)
                    for ld in langlist:
                        code = maybe_canonical(ld) or ld
                        self._to_code[ld] = code
                        self._from_code[code] = ld
                    self._factory = factory
        return self._factory

    @property
    def languages(self) -> list[str]:
        """Codes (canonical where one exists) of every language the detector knows."""
        self._get_factory()
        return sorted(self._from_code)

    # -- pieces

    def _langdetect(self, text: str, restrict: list[str] | None) -> dict[str, float] | None:
        """langdetect's probabilities (all of them, not only those > 0.1), by our codes.

        ``restrict`` (our codes): run among these languages only. None when langdetect
        finds no n-gram it knows.
        """
        from langdetect.lang_detect_exception import LangDetectException

        factory = self._get_factory()
        detector = factory.create()  # fresh detector, own Random seeded with self.seed
        detector.append(text)
        if restrict is not None:
            detector.set_prior_map({self._from_code[code]: 1.0 for code in restrict})
        try:
            detector.get_probabilities()
        except LangDetectException:
            return None
        return {
            self._to_code[ld]: p
            for ld, p in zip(detector.langlist, detector.langprob)
            if restrict is None or self._to_code[ld] in restrict
        }

    @staticmethod
    def _prior(text: str, scripts: dict[str, int], languages: list[str]) -> dict[str, float]:
        """Cheap evidence for short texts: script, Vietnamese diacritics, French
        spelling and a few very common words. Normalised over ``languages``."""
        total = sum(scripts.values())
        weights = {
            code: sum(n for s, n in scripts.items() if s in _scripts_of(code)) / total
            for code in languages
        }
        factors = dict.fromkeys(languages, 1.0)
        if "vi" in factors:
            if _VI_STRONG.search(text):
                factors["vi"] *= VI_STRONG_FACTOR
            elif _VI_WEAK.search(text):
                factors["vi"] *= VI_WEAK_FACTOR
        if "fr" in factors and _FR_SPELLING.search(text):
            factors["fr"] *= FR_SPELLING_FACTOR
        hits = dict.fromkeys(languages, 1.0)
        for word in _WORD.findall(text.casefold().replace("’", "'")):
            for code in _COMMON_WORDS.get(word, ()):
                if code in hits:
                    hits[code] = min(hits[code] * WORD_FACTOR, WORD_FACTOR_MAX)
        weights = {code: weights[code] * factors[code] * hits[code] for code in languages}
        norm = sum(weights.values())
        return {code: w / norm for code, w in weights.items()}

    def _resolve_candidates(self, candidates: Iterable[str] | None) -> tuple[list[str], list[str] | None]:
        """(languages to consider, the caller's candidates or None)."""
        self._get_factory()
        if candidates is None:
            return sorted(self._from_code), None
        from .languages import canonical

        available = sorted({canonical(code) for code in candidates})
        if not available:
            raise UndetectableLanguage(
                "no source language is available (no translation route)", available=[]
            )
        known = [code for code in available if code in self._from_code]
        if not known:
            raise UndetectableLanguage(
                f"none of the available languages ({', '.join(available)}) can be detected "
                "automatically; give the source language explicitly",
                available=available,
            )
        return known, available

    def _distribution(self, text: str, candidates) -> tuple[dict[str, float], float]:
        """(probability by language, letter weight) or raise UndetectableLanguage."""
        if not isinstance(text, str):
            raise TypeError(f"text must be str, not {type(text).__name__}")
        if not text.strip():
            raise UndetectableLanguage("cannot detect the language of an empty text")
        languages, available = self._resolve_candidates(candidates)
        cleaned = _clean(text)
        scripts = _script_counts(cleaned)
        letters = sum(scripts.values())
        if not letters:
            raise UndetectableLanguage(
                "cannot detect the language: the text has no letters "
                "(only digits, punctuation, URLs or e-mail addresses)"
            )
        # script: some language considered must be written in the text's main script
        covered = {code: sum(n for s, n in scripts.items() if s in _scripts_of(code)) for code in languages}
        if max(covered.values()) * 2 < letters:
            main = max(scripts, key=lambda s: (scripts[s], s)).title()
            if available is None:
                raise UndetectableLanguage(
                    f"cannot detect the language: no known language is written in {main} script",
                    script=main,
                )
            raise UndetectableLanguage(
                f"text is written in {main} script, which none of the available languages "
                f"uses; available: {', '.join(available)}",
                script=main, available=available,
            )
        # no route: a reliable text that langdetect gives to other languages
        posterior = None
        if available is not None and letters >= NO_ROUTE_MIN_LETTERS:
            raw = self._langdetect(cleaned, None)
            if raw is not None:
                mass = sum(raw.get(code, 0.0) for code in languages)
                if mass >= REUSE_RAW_MASS:  # the candidates have it all: no second run
                    posterior = {code: raw.get(code, 0.0) / mass for code in languages}
                best = max(raw, key=lambda code: (raw[code], code))
                if mass < NO_ROUTE_MAX_MASS and best not in languages:
                    raise UndetectableLanguage(
                        f"text looks like {_language_label(best)} ({best}), which has no route; "
                        f"available: {', '.join(available)}",
                        detected=best, probability=round(raw[best], 4), available=available,
                    )
        prior = self._prior(cleaned, scripts, languages)
        if posterior is None:
            posterior = self._langdetect(cleaned, None if available is None else languages)
        if posterior is None:  # no n-gram langdetect knows: the prior is all we have
            posterior = prior
        w = 1.0 - math.exp(-letters / RELIABILITY_SCALE)
        dist = {code: w * posterior.get(code, 0.0) + (1.0 - w) * prior[code] for code in languages}
        return dist, float(letters)

    # -- API

    def detect(self, text: str, candidates: Iterable[str] | None = None) -> Detection:
        """The language of ``text``; ``candidates``: canonical codes of the languages that
        have a translation route (None: every language langdetect knows).

        Raises :class:`UndetectableLanguage` (empty text, no letters, no route) and
        :class:`~translator.errors.UnknownLanguage` for an unknown candidate code.
        """
        dist, _ = self._distribution(text, candidates)
        return _detection(dist)

    def unrouted_look(self, text: str, candidates: Iterable[str]) -> Detection | None:
        """The language without a route that ``text`` looks like, when among every
        language it is at least :data:`UNROUTED_RATIO` times as probable as each of the
        ``candidates`` (the languages with a route); else None. Its ``confidence`` is
        among every language; ``alternatives`` lead with the best candidate."""
        dist, _ = self._distribution(text, None)
        routed = {maybe_canonical(code) or code for code in candidates}
        best = max(dist, key=lambda code: (code not in routed, dist[code], code))
        closest = max(routed & set(dist), key=lambda code: (dist[code], code), default=None)
        if best in routed or (closest and dist[best] < UNROUTED_RATIO * dist[closest]):
            return None
        others = sorted((item for item in dist.items()
                         if item[0] not in (best, closest) and item[1] >= ALTERNATIVE_MIN),
                        key=lambda item: (-item[1], item[0]))
        ranked = ([(closest, dist[closest])] if closest else []) + others
        return Detection(best, float(dist[best]), tuple(ranked[:ALTERNATIVES_MAX]))

    def _paragraphs(self, paragraphs: list[str], candidates) -> tuple[Detection, list[Detection]]:
        if candidates is not None:
            candidates = list(candidates)  # may be an iterator: used once per paragraph
        results: list[tuple[dict[str, float], float] | UndetectableLanguage] = []
        for paragraph in paragraphs:
            try:
                results.append(self._distribution(paragraph, candidates))
            except UndetectableLanguage as exc:
                results.append(exc)
        total: dict[str, float] = {}
        weight = 0.0
        for result in results:
            if isinstance(result, tuple):
                dist, letters = result
                weight += letters
                for code, p in dist.items():
                    total[code] = total.get(code, 0.0) + letters * p
        if not weight:  # every paragraph failed: the longest one's reason is the most telling
            if not paragraphs:
                raise UndetectableLanguage("cannot detect the language of an empty document")
            raise results[max(range(len(paragraphs)), key=lambda i: len(paragraphs[i]))]
        document = _detection({code: v / weight for code, v in total.items()})
        per_paragraph = [
            _detection(r[0]) if isinstance(r, tuple)
            else Detection(document.language, 0.0, (), note=r.message)
            for r in results
        ]
        return document, per_paragraph

    def detect_paragraphs(self, paragraphs: list[str], candidates: Iterable[str] | None = None) -> list[Detection]:
        """One detection per paragraph. A paragraph that cannot be detected on its own
        takes the language of the others (weighted by length), with confidence 0.0 and
        the reason in ``note``; if no paragraph can be detected, raises
        :class:`UndetectableLanguage`."""
        return self._paragraphs(list(paragraphs), candidates)[1]

    def detect_document(self, text: str, candidates: Iterable[str] | None = None) -> tuple[Detection, list[Detection]]:
        """(document-level detection, one detection per paragraph).

        Paragraphs are the non-empty lines. The document's language is the average of
        the paragraphs' distributions weighted by their number of letters.
        """
        paragraphs = [line for line in text.splitlines() if line.strip()]
        if not paragraphs:
            raise UndetectableLanguage("cannot detect the language of an empty text")
        return self._paragraphs(paragraphs, candidates)


# --- process-wide default -------------------------------------------------------------

_default: Detector | None = None
_default_lock = threading.Lock()


def get_detector() -> Detector:
    """The process-wide Detector (seed 0)."""
    global _default
    if _default is None:
        with _default_lock:
            if _default is None:
                _default = Detector()
    return _default


def detect(text: str, candidates: Iterable[str] | None = None) -> Detection:
    """:meth:`Detector.detect` on the process-wide detector."""
    return get_detector().detect(text, candidates)


def detect_document(text: str, candidates: Iterable[str] | None = None) -> tuple[Detection, list[Detection]]:
    """:meth:`Detector.detect_document` on the process-wide detector."""
    return get_detector().detect_document(text, candidates)
