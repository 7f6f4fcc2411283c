"""Language codes: one canonical form (ISO 639-1 where it exists) for every spelling.

Engines name languages differently: Argos uses ISO 639-1 (``fr``), Apertium mixes
639-1 and 639-3 (``fr-es``, ``spa-eng``), NLLB uses ``fra_Latn``. Everything inside
the translator speaks canonical codes; engines translate at their edge.
"""

from __future__ import annotations

import re

from .errors import UnknownLanguage

# canonical code: (English name, ISO 639-3, NLLB/FLORES-200 code)
LANGUAGES: dict[str, tuple[str, str, str]] = {
    "ar": ("Arabic", "ara", "arb_Arab"),
    "az": ("Azerbaijani", "aze", "azj_Latn"),
    "bg": ("Bulgarian", "bul", "bul_Cyrl"),
    "bn": ("Bengali", "ben", "ben_Beng"),
    "ca": ("Catalan", "cat", "cat_Latn"),
    "cs": ("Czech", "ces", "ces_Latn"),
    "da": ("Danish", "dan", "dan_Latn"),
    "de": ("German", "deu", "deu_Latn"),
    "el": ("Greek", "ell", "ell_Grek"),
    "en": ("English", "eng", "eng_Latn"),
    "eo": ("Esperanto", "epo", "epo_Latn"),
    "es": ("Spanish", "spa", "spa_Latn"),
    "et": ("Estonian", "est", "est_Latn"),
    "eu": ("Basque", "eus", "eus_Latn"),
    "fa": ("Persian", "fas", "pes_Arab"),
    "fi": ("Finnish", "fin", "fin_Latn"),
    "fr": ("French", "fra", "fra_Latn"),
    "ga": ("Irish", "gle", "gle_Latn"),
    "gl": ("Galician", "glg", "glg_Latn"),
    "he": ("Hebrew", "heb", "heb_Hebr"),
    "hi": ("Hindi", "hin", "hin_Deva"),
    "hu": ("Hungarian", "hun", "hun_Latn"),
    "id": ("Indonesian", "ind", "ind_Latn"),
    "it": ("Italian", "ita", "ita_Latn"),
    "ja": ("Japanese", "jpn", "jpn_Jpan"),
    "km": ("Khmer", "khm", "khm_Khmr"),
    "ko": ("Korean", "kor", "kor_Hang"),
    "lo": ("Lao", "lao", "lao_Laoo"),
    "lt": ("Lithuanian", "lit", "lit_Latn"),
    "lv": ("Latvian", "lav", "lvs_Latn"),
    "ms": ("Malay", "msa", "zsm_Latn"),
    "nb": ("Norwegian Bokmål", "nob", "nob_Latn"),
    "nl": ("Dutch", "nld", "nld_Latn"),
    "oc": ("Occitan", "oci", "oci_Latn"),
    "pl": ("Polish", "pol", "pol_Latn"),
    "pt": ("Portuguese", "por", "por_Latn"),
    "ro": ("Romanian", "ron", "ron_Latn"),
    "ru": ("Russian", "rus", "rus_Cyrl"),
    "sk": ("Slovak", "slk", "slk_Latn"),
    "sl": ("Slovenian", "slv", "slv_Latn"),
    "sq": ("Albanian", "sqi", "als_Latn"),
    "sv": ("Swedish", "swe", "swe_Latn"),
    "th": ("Thai", "tha", "tha_Thai"),
    "tl": ("Tagalog", "tgl", "tgl_Latn"),
    "tr": ("Turkish", "tur", "tur_Latn"),
    "uk": ("Ukrainian", "ukr", "ukr_Cyrl"),
    "ur": ("Urdu", "urd", "urd_Arab"),
    "vi": ("Vietnamese", "vie", "vie_Latn"),
    "zh": ("Chinese", "zho", "zho_Hans"),
    "zt": ("Chinese (traditional)", "zho", "zho_Hant"),
}

_ALIASES: dict[str, str] = {}
for _code, (_name, _iso3, _nllb) in LANGUAGES.items():
    for _alias in (_code, _iso3, _nllb.lower(), _name.lower()):
        _ALIASES.setdefault(_alias, _code)
# Common alternative spellings seen in packages and requests.
_ALIASES.update({"fre": "fr", "ger": "de", "chi": "zh", "zh-cn": "zh", "zh-hans": "zh",
                 "zh-tw": "zt", "zh-hant": "zt", "pb": "pt", "iw": "he", "no": "nb",
                 "per": "fa", "ell": "el", "gre": "el"})

_REGION = re.compile(r"^([a-z]{2,3})[-_][a-z]{2}$")


def canonical(code: str) -> str:
    """Return the canonical code for ``code`` (``fra``, ``fr-FR``, ``fra_Latn`` -> ``fr``).

    Raises :class:`UnknownLanguage` naming the code when it is not a language we know.
    """
    if not isinstance(code, str) or not code.strip():
        raise UnknownLanguage("language code is empty", code=code)
    key = code.strip().lower()
    if key in _ALIASES:
        return _ALIASES[key]
    region = _REGION.match(key)
    if region and region.group(1) in _ALIASES:
        return _ALIASES[region.group(1)]
    raise UnknownLanguage(f"unknown language code {code!r}", code=code)


def maybe_canonical(code: str) -> str | None:
    """Like :func:`canonical` but returns None for codes we do not know."""
    try:
        return canonical(code)
    except UnknownLanguage:
        return None


def name(code: str) -> str:
    """English name of a canonical language code."""
    return LANGUAGES[code][0] if code in LANGUAGES else code


def nllb_code(code: str) -> str:
    """FLORES-200 code used as a language token by NLLB models (``fr`` -> ``fra_Latn``)."""
    return LANGUAGES[canonical(code)][2]
