#!/usr/bin/env python3
"""Build the default news glossary, ``glossary/news.tsv``, from CLDR (through Babel) and
the hand-written files in ``glossary/curated/``.

    python scripts/build_glossary.py            # rewrite glossary/news.tsv
    python scripts/build_glossary.py --check    # exit 1 if glossary/news.tsv is out of date
    python scripts/build_glossary.py -o FILE    # write elsewhere

The output is deterministic: the same Babel (so the same CLDR) and the same curated files
give the same bytes, so ``python scripts/build_glossary.py && git diff --exit-code glossary/``
proves the shipped file is the generated one. The format is described in
``glossary/README.md``; in short, one concept per row::

    id <TAB> type <TAB> en <TAB> fr <TAB> vi <TAB> note

each language cell holding the preferred term, then variants separated by `` | ``.

Where the rows come from:

1. **CLDR** country and territory names (``babel.Locale(lang).territories``) for every
   two-letter region code, minus the codes listed in :data:`CLDR_EXCLUDED` (numeric
   macro-regions are skipped too). Babel keeps only CLDR's standard names, not its
   ``alt="short"`` / ``alt="variant"`` forms, so the news forms ("Hong Kong", "Ivory Coast",
   "Birmanie") come from ``glossary/curated/cldr.overrides.tsv``. A few mechanical rules
   (:func:`_cldr_cell`) turn display names into running-text names: "&" becomes "and" /
   "et" / "và", French "Îles Cook" becomes "îles Cook", Vietnamese "Quần đảo Cook" becomes
   "quần đảo Cook"; the CLDR form is kept as a variant.
2. **Curated rows**: every ``glossary/curated/*.tsv`` whose name does not end in
   ``.overrides.tsv`` adds rows (duplicate ids are an error).
3. **Overrides**: every ``glossary/curated/*.overrides.tsv``, in file-name order, changes
   existing rows by id (generated or curated): a non-empty language cell puts its terms
   first (its first term becomes the preferred one) and keeps the row's former terms as
   variants; an empty cell leaves the language alone; a non-empty note replaces the note.

Finally, for every row: typographic apostrophes become ASCII ones, Vietnamese terms get
their other tone-mark placement as a variant ("Cộng hòa" / "Cộng hoà", "Thụy Sĩ" /
"Thuỵ Sĩ"), and variants that differ only by case from an earlier term are dropped.
"""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GLOSSARY_DIR = ROOT / "glossary"
CURATED_DIR = GLOSSARY_DIR / "curated"
OUTPUT = GLOSSARY_DIR / "news.tsv"

LANGS = ("en", "fr", "vi")
COLUMNS = ("id", "type", *LANGS, "note")
HEADER = "\t".join(COLUMNS)
TYPES = ("country", "territory", "person", "organization", "agency", "place", "event",
         "adjective", "demonym", "title", "other")
# Every id starts with the prefix of its type: "country-KP", "person-vladimir-putin".
ID_PREFIX = {"country": "country", "territory": "territory", "person": "person",
             "organization": "org", "agency": "agency", "place": "place", "event": "event",
             "adjective": "adj", "demonym": "demonym", "title": "title", "other": "other"}
# Languages in which a type has no term. Vietnamese has no adjective of nationality: it puts
# the country's name after the noun (truyền thông nhà nước Triều Tiên), and that name is the
# country row's, so an adjective row ("North Korean", "nord-coréen") leaves vi empty.
NO_TERM = {"adjective": ("vi",)}
ID_RE = re.compile(r"^[a-z]+-[A-Za-z0-9]+(?:[-.][A-Za-z0-9]+)*$")
SEP = " | "
OVERRIDES_SUFFIX = ".overrides.tsv"

# Two-letter CLDR region codes that are not put in the glossary, and why.
CLDR_EXCLUDED = {
    "EU": "an organisation: curated rows org-eu and org-eu-acronym",
    "EZ": "a currency area (Eurozone), not a place",
    "UN": "an organisation: curated rows org-un and org-un-acronym",
    "QO": "a statistical grouping (Outlying Oceania), not a place",
    "XA": "a pseudo-locale code",
    "XB": "a pseudo-locale code",
    "ZZ": "unknown region",
}

# UN member states (193). Their rows have type "country"; so do the two UN observer states
# (VA: Holy See, PS is named by CLDR as "Palestinian Territories" and stays a territory:
# the State of Palestine is the curated row country-state-of-palestine). Every other
# region (dependencies, Antarctica, Kosovo, Taiwan, Western Sahara...) has type "territory".
# The type is informational: it does not change how a name is matched or rendered.
UN_MEMBERS = frozenset("""
AD AE AF AG AL AM AO AR AT AU AZ BA BB BD BE BF BG BH BI BJ BN BO BR BS BT BW BY BZ
CA CD CF CG CH CI CL CM CN CO CR CU CV CY CZ DE DJ DK DM DO DZ EC EE EG ER ES ET FI FJ
FM FR GA GB GD GE GH GM GN GQ GR GT GW GY HN HR HT HU ID IE IL IN IQ IR IS IT JM JO JP
KE KG KH KI KM KN KP KR KW KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MG MH MK ML
MM MN MR MT MU MV MW MX MY MZ NA NE NG NI NL NO NP NR NZ OM PA PE PG PH PK PL PT PW PY
QA RO RS RU RW SA SB SC SD SE SG SI SK SL SM SN SO SR SS ST SV SY SZ TD TG TH TJ TL TM
TN TO TR TT TV TZ UA UG US UY UZ VC VE VN VU WS YE ZA ZM ZW
""".split())
OBSERVER_STATES = frozenset({"VA"})

# Display-name conventions of CLDR turned into running-text ones.
_AMPERSAND = {"en": " and ", "fr": " et ", "vi": " và "}
_LOWER_PREFIXES = {"fr": ("Île ", "Îles "), "vi": ("Quần đảo ", "Đảo ")}


class GlossaryDataError(ValueError):
    """A curated file that does not follow the format (the message names file and line)."""


@dataclass
class Row:
    id: str
    type: str
    terms: dict[str, list[str]]
    note: str = ""
    origin: str = ""

    def line(self) -> str:
        cells = [self.id, self.type, *(SEP.join(self.terms[lang]) for lang in LANGS), self.note]
        return "\t".join(cells)


# ---------------------------------------------------------------------------- reading TSV

def split_cell(cell: str) -> list[str]:
    """``"Kim Jong Un | Kim Jong-un"`` -> ``["Kim Jong Un", "Kim Jong-un"]`` (empty cell: [])."""
    cell = cell.strip()
    return [t.strip() for t in cell.split("|")] if cell else []


def read_tsv(path: Path, *, overrides: bool = False) -> list[Row]:
    """Rows of one curated file; comments (``#``) and blank lines are skipped."""
    rows: list[Row] = []
    header_seen = False
    text = path.read_text(encoding="utf-8")
    for number, raw in enumerate(text.splitlines(), 1):
        origin = f"{path.name}:{number}"
        if not raw.strip() or raw.startswith("#"):
            continue
        if not header_seen:
            if raw.rstrip("\r") != HEADER:
                raise GlossaryDataError(f"{origin}: the first line must be the header {HEADER!r}")
            header_seen = True
            continue
        cells = raw.rstrip("\r").split("\t")
        if len(cells) != len(COLUMNS):
            raise GlossaryDataError(f"{origin}: {len(cells)} columns, expected {len(COLUMNS)}")
        row_id, row_type, *lang_cells, note = (c.strip() for c in cells)
        if not ID_RE.match(row_id):
            raise GlossaryDataError(f"{origin}: bad id {row_id!r}")
        if row_type and row_type not in TYPES:
            raise GlossaryDataError(f"{origin}: unknown type {row_type!r} (one of {', '.join(TYPES)})")
        if not overrides:
            if not row_type:
                raise GlossaryDataError(f"{origin}: empty type")
            if row_id.split("-", 1)[0] != ID_PREFIX[row_type]:
                raise GlossaryDataError(f"{origin}: id {row_id!r} must start with "
                                        f"{ID_PREFIX[row_type]!r}- for type {row_type!r}")
        terms = {}
        for lang, cell in zip(LANGS, lang_cells):
            items = split_cell(cell)
            if any(not t for t in items):
                raise GlossaryDataError(f"{origin}: empty term in the {lang} cell {cell!r}")
            if not overrides:
                _check_cell(origin, row_type, lang, items)
            terms[lang] = items
        rows.append(Row(row_id, row_type, terms, note, origin))
    if not header_seen:
        raise GlossaryDataError(f"{path.name}: no header line {HEADER!r}")
    return rows


def _check_cell(origin: str, row_type: str, lang: str, terms: list[str]) -> None:
    """Every row has a term in every language, except where its type has none (NO_TERM)."""
    if lang in NO_TERM.get(row_type, ()):
        if terms:
            raise GlossaryDataError(f"{origin}: {row_type} rows have no {lang} term "
                                    "(see glossary/README.md)")
    elif not terms:
        raise GlossaryDataError(f"{origin}: no {lang} term")


# ---------------------------------------------------------------------------- CLDR

def cldr_versions() -> tuple[str, str]:
    """(CLDR version, Babel version) of the installed Babel."""
    import babel
    from babel.core import get_cldr_version

    return str(get_cldr_version()), babel.__version__


def _cldr_cell(name: str, lang: str) -> list[str]:
    """A CLDR display name as a glossary cell: the running-text form first, CLDR's after."""
    preferred = name
    if " & " in preferred:
        preferred = preferred.replace(" & ", _AMPERSAND[lang])
    for prefix in _LOWER_PREFIXES.get(lang, ()):
        if preferred.startswith(prefix):
            preferred = preferred[0].lower() + preferred[1:]
    return [preferred, name] if preferred != name else [name]


def cldr_rows() -> list[Row]:
    from babel import Locale

    names = {lang: Locale.parse(lang).territories for lang in LANGS}
    rows = []
    for code in sorted(names["en"]):
        if not (len(code) == 2 and code.isalpha() and code.isupper()) or code in CLDR_EXCLUDED:
            continue
        missing = [lang for lang in LANGS if not names[lang].get(code)]
        if missing:
            raise GlossaryDataError(f"CLDR has no {'/'.join(missing)} name for region {code}")
        row_type = "country" if code in UN_MEMBERS | OBSERVER_STATES else "territory"
        terms = {lang: _cldr_cell(names[lang][code], lang) for lang in LANGS}
        rows.append(Row(f"{row_type}-{code}", row_type, terms, "", f"CLDR {code}"))
    return rows


# ---------------------------------------------------------------------------- variants

_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}  # grave, acute, tilde, hook, dot
_TONE_PAIRS = {("o", "a"), ("o", "e"), ("u", "y")}
_VI_WORD = re.compile(r"\w+")


def _vi_clusters(word: str) -> list[list[str]]:
    clusters: list[list[str]] = []
    for ch in unicodedata.normalize("NFD", word):
        if unicodedata.combining(ch) and clusters:
            clusters[-1].append(ch)
        else:
            clusters.append([ch])
    return clusters


def _vi_flip_word(word: str) -> str:
    """``hòa`` <-> ``hoà``, ``Thụy`` <-> ``Thuỵ``, ``Ủy`` <-> ``Uỷ``: the two placements of a
    tone mark on a final oa/oe/uy; any other word is returned unchanged."""
    clusters = _vi_clusters(word)
    if len(clusters) < 2:
        return word
    first, second = clusters[-2], clusters[-1]
    pair = (first[0].lower(), second[0].lower())
    if pair not in _TONE_PAIRS:
        return word
    if pair == ("u", "y") and len(clusters) >= 3 and clusters[-3][0].lower() == "q":
        return word  # "quý": the u belongs to qu
    marks = [m for m in first[1:] + second[1:]]
    if len(marks) != 1 or marks[0] not in _TONES:
        return word
    if len(first) > 1:
        first, second = [first[0]], [second[0], marks[0]]
    else:
        first, second = [first[0], marks[0]], [second[0]]
    out = "".join("".join(c) for c in clusters[:-2]) + "".join(first) + "".join(second)
    return unicodedata.normalize("NFC", out)


def vi_tone_variant(term: str) -> str:
    """The term with the other tone-mark placement on every final oa/oe/uy."""
    return _VI_WORD.sub(lambda m: _vi_flip_word(m.group(0)), term)


def _is_acronym(word: str) -> bool:
    return len(word) >= 2 and word.isupper()


def case_key(term: str) -> str:
    """The term with case folded, except in acronyms: "TASS" (matched only in capitals)
    and "Tass" are two forms, "Îles Cook" and "îles Cook" one."""
    return _VI_WORD.sub(lambda m: m.group() if _is_acronym(m.group()) else m.group().casefold(),
                        term)


def _finish(terms: list[str], lang: str) -> list[str]:
    """Apostrophes made ASCII, the Vietnamese tone variants added, case duplicates dropped."""
    out: list[str] = []
    for term in terms:
        term = unicodedata.normalize("NFC", term.replace("\u2019", "'"))
        out.append(term)
        if lang == "vi":
            out.append(vi_tone_variant(term))
    seen: set[str] = set()
    result = []
    for term in out:
        key = case_key(term)
        if key not in seen:
            seen.add(key)
            result.append(term)
    return result


# ---------------------------------------------------------------------------- building

def _apply_override(row: Row, override: Row) -> None:
    if override.type and override.type != row.type:
        raise GlossaryDataError(f"{override.origin}: type {override.type!r} differs from "
                                f"{row.type!r} of {row.id}")
    for lang in LANGS:
        if override.terms[lang]:
            row.terms[lang] = override.terms[lang] + [
                t for t in row.terms[lang] if t not in override.terms[lang]]
    if override.note:
        row.note = override.note


def build_rows(curated_dir: Path = CURATED_DIR, *, with_cldr: bool = True) -> list[Row]:
    rows: dict[str, Row] = {}
    if with_cldr:
        for row in cldr_rows():
            rows[row.id] = row
    files = sorted(curated_dir.glob("*.tsv"))
    for path in (p for p in files if not p.name.endswith(OVERRIDES_SUFFIX)):
        for row in read_tsv(path):
            if row.id in rows:
                raise GlossaryDataError(f"{row.origin}: id {row.id} already defined "
                                        f"({rows[row.id].origin})")
            rows[row.id] = row
    for path in (p for p in files if p.name.endswith(OVERRIDES_SUFFIX)):
        for override in read_tsv(path, overrides=True):
            if override.id not in rows:
                raise GlossaryDataError(f"{override.origin}: no row {override.id} to override")
            _apply_override(rows[override.id], override)
            for lang in LANGS:
                _check_cell(override.origin, rows[override.id].type, lang,
                            rows[override.id].terms[lang])
    result = []
    for row_id in sorted(rows):
        row = rows[row_id]
        row.terms = {lang: _finish(row.terms[lang], lang) for lang in LANGS}
        result.append(row)
    return result


def build_text(curated_dir: Path = CURATED_DIR) -> str:
    """The content of ``glossary/news.tsv``."""
    cldr, babel_version = cldr_versions()
    rows = build_rows(curated_dir)
    generated = sum(1 for r in rows if r.origin.startswith("CLDR "))
    lines = [
        "# Default news glossary for en, fr and vi. GENERATED by scripts/build_glossary.py:",
        "# do not edit; edit glossary/curated/*.tsv and run `python scripts/build_glossary.py`.",
        f"# source: Unicode CLDR {cldr}, read through Babel {babel_version}"
        " (Unicode License v3), and glossary/curated/.",
        f"# rows: {len(rows)} ({generated} from CLDR, {len(rows) - generated} curated).",
        "# Format (glossary/README.md): one concept per row; in each language cell the preferred",
        "# term, then variants that are recognised but never produced, separated by ' | '.",
        HEADER,
    ]
    lines += [row.line() for row in rows]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-o", "--output", type=Path, default=OUTPUT, help="default: %(default)s")
    parser.add_argument("--curated", type=Path, default=CURATED_DIR, help="default: %(default)s")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if the output file is not up to date")
    args = parser.parse_args(argv)
    try:
        text = build_text(args.curated)
    except ImportError:
        print("build_glossary: Babel is needed: pip install babel", file=sys.stderr)
        return 2
    except (GlossaryDataError, OSError) as exc:
        print(f"build_glossary: {exc}", file=sys.stderr)
        return 1
    if args.check:
        current = args.output.read_bytes() if args.output.exists() else b""
        if current != text.encode("utf-8"):
            print(f"build_glossary: {args.output} is out of date; run scripts/build_glossary.py",
                  file=sys.stderr)
            return 1
        return 0
    tmp = args.output.with_name(args.output.name + ".tmp")
    tmp.write_bytes(text.encode("utf-8"))
    tmp.replace(args.output)
    rows = text.count("\n") - sum(1 for line in text.splitlines() if line.startswith("#")) - 1
    print(f"wrote {args.output} ({rows} rows)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
