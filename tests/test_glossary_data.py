"""The shipped news glossary (glossary/news.tsv): format, consistency, regeneration, and
the names of the sample article.

The format is the one documented in glossary/README.md. Term keys below follow the
glossary engine's documented matching rules (docs/glossary.md): word tokens, case folded,
accents folded except in Vietnamese, hyphens/spaces/apostrophes between words
interchangeable, tokens in capitals (acronyms) matched only in capitals, capitalised words
matched only capitalised, simple plurals of terms ending in a lower-case word. They are
re-implemented here on purpose, so that these data tests do not depend on the engine.
"""

from __future__ import annotations

import importlib.util
import re
import sys
import unicodedata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GLOSSARY = ROOT / "glossary" / "news.tsv"
CURATED = ROOT / "glossary" / "curated"
SAMPLE = ROOT / "examples" / "sggp-putin-dprk.fr.txt"
SCRIPT = ROOT / "scripts" / "build_glossary.py"

HEADER = ["id", "type", "en", "fr", "vi", "note"]
LANGS = ("en", "fr", "vi")
TYPES = {"country", "territory", "person", "organization", "agency", "place", "event",
         "adjective", "demonym", "title", "other"}
ID_PREFIX = {"country": "country", "territory": "territory", "person": "person",
             "organization": "org", "agency": "agency", "place": "place", "event": "event",
             "adjective": "adj", "demonym": "demonym", "title": "title", "other": "other"}
# Languages in which a type has no term (glossary/README.md, "Adjectives and demonyms").
NO_TERM = {"adjective": {"vi"}}
# The matcher's simple plurals of terms whose last word is lower case (docs/glossary.md).
PLURALS = {"fr": ("s", "x"), "en": ("s", "es")}
ID_RE = re.compile(r"^[a-z]+-[A-Za-z0-9]+(?:[-.][A-Za-z0-9]+)*$")
SEP = " | "
SHARED_RE = re.compile(r"shared-with=([A-Za-z0-9.-]+)")
VERSION_RE = re.compile(r"^# source: Unicode CLDR (\S+), read through Babel (\S+) ")

_WORD = re.compile(r"\w+")
# Between two words of a term or of a text: spaces, hyphens, apostrophes, full stops
# ("St. Lucia", "U.S. Congress", "Kim Jong-un", "d'Ivoire").
_GAP = re.compile(r"[\s\-\u2010\u2011\u2013'\u2019.]+")


# ---------------------------------------------------------------------------- helpers

def load_build_script():
    if "build_glossary" in sys.modules:
        return sys.modules["build_glossary"]
    spec = importlib.util.spec_from_file_location("build_glossary", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_glossary"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def parse(text: str):
    """(comment lines, header, rows as dicts with 'line' and 'terms')."""
    comments, header, rows = [], None, []
    for number, line in enumerate(text.split("\n")[:-1], 1):
        if line.startswith("#"):
            comments.append(line)
            continue
        cells = line.split("\t")
        if header is None:
            header = cells
            continue
        assert len(cells) == len(HEADER), f"line {number}: {len(cells)} columns: {line!r}"
        row = dict(zip(HEADER, cells))
        row["line"] = number
        row["terms"] = {lang: row[lang].split(SEP) if row[lang] else [] for lang in LANGS}
        rows.append(row)
    return comments, header, rows


@pytest.fixture(scope="module")
def shipped_text() -> str:
    return GLOSSARY.read_bytes().decode("utf-8")  # strict: the file must be UTF-8


@pytest.fixture(scope="module")
def rows(shipped_text):
    return parse(shipped_text)[2]


def fold(token: str, lang: str) -> str:
    token = unicodedata.normalize("NFC", token.casefold())
    if lang == "vi":
        return token
    return "".join(c for c in unicodedata.normalize("NFD", token) if not unicodedata.combining(c))


def is_acronym(token: str) -> bool:
    return len(token) >= 2 and token.isupper()


def case_key(term: str) -> str:
    """The term with case folded except in acronyms ("TASS" and "Tass" differ)."""
    return _WORD.sub(lambda m: m.group() if is_acronym(m.group()) else m.group().casefold(), term)


def term_key(term: str, lang: str) -> tuple[str, ...]:
    return tuple("=" + t if is_acronym(t) else fold(t, lang) for t in _WORD.findall(term))


def plural_keys(term: str, lang: str) -> list[tuple[str, ...]]:
    """The keys of the simple plurals the matcher adds for a term ending in a lower-case
    word ("casque bleu" -> "casque bleus", "casques bleus"; "nord-coréen" -> "nord-coréens")."""
    tokens = _WORD.findall(term)
    if not tokens or not tokens[-1].islower():
        return []
    key = term_key(term, lang)
    keys = []
    for suffix in PLURALS.get(lang, ()):
        keys.append(key[:-1] + (key[-1] + suffix,))
        keys.append(tuple(k + suffix if t.islower() and len(t) > 2 else k
                          for k, t in zip(key, tokens)))
    return keys


def match_key(token: str, lang: str) -> str:
    """A term token's key with the engine's case rules: acronyms only in capitals,
    capitalised words only capitalised."""
    if is_acronym(token):
        return "=" + token
    return ("^" if token[0].isupper() else "") + fold(token, lang)


def shared(row_a, row_b) -> bool:
    return row_b["id"] in SHARED_RE.findall(row_a["note"]) or \
        row_a["id"] in SHARED_RE.findall(row_b["note"])


class MiniMatcher:
    """Longest-match-first lookup of one language's terms, as the engine documents it;
    with a target, only the rows that have a term in it (as the engine builds a pair)."""

    def __init__(self, rows, lang, target=None):
        self.lang = lang
        self.forms: dict[tuple[str, ...], dict] = {}
        for row in rows:
            if target and not row["terms"][target]:
                continue
            for term in row["terms"][lang]:
                tokens = _WORD.findall(term)
                key = tuple(match_key(t, lang) for t in tokens)
                self.forms[key] = row
                if tokens[-1].islower():
                    for suffix in PLURALS.get(lang, ()):
                        self.forms[key[:-1] + (key[-1] + suffix,)] = row
                        self.forms[tuple(k + suffix if t.islower() and len(t) > 2 else k
                                         for k, t in zip(key, tokens))] = row
        self.longest = max(len(k) for k in self.forms)

    def _keys(self, token):
        """Text token keys in the engine's order: folded first (so at equal length a
        lower-case term wins over a capitalised one), then capitalised, then exact."""
        folded = fold(token, self.lang)
        keys = [folded]
        if token[0].isupper():
            keys.append("^" + folded)
        if is_acronym(token):
            keys.append("=" + token)
        return keys

    def find(self, text: str):
        """[(matched text, row)], leftmost then longest, never inside a word."""
        spans = [m.span() for m in _WORD.finditer(text)]
        out, i = [], 0
        while i < len(spans):
            best = None
            for j in range(i, min(len(spans), i + self.longest)):
                if j > i and not _GAP.fullmatch(text[spans[j - 1][1]:spans[j][0]]):
                    break
                for combo in self._candidates(text, spans[i:j + 1]):
                    if combo in self.forms:
                        best = (j, self.forms[combo])
                        break
            if best is None:
                i += 1
                continue
            j, row = best
            out.append((text[spans[i][0]:spans[j][1]], row))
            i = j + 1
        return out

    def _candidates(self, text, spans):
        combos = [()]
        for s, e in spans:
            combos = [c + (k,) for c in combos for k in self._keys(text[s:e])]
        return combos

    def render(self, form: str, row, target: str) -> str:
        """The target term for a matched source form; a person's surname alone gives the
        target surname alone (the engine's documented rule)."""
        rendering = row["terms"][target][0]
        if row["type"] != "person":
            return rendering
        full = _WORD.findall(row["terms"][self.lang][0])
        short = _WORD.findall(form)
        if len(short) < len(full) and [fold(t, self.lang) for t in full[-len(short):]] == \
                [fold(t, self.lang) for t in short]:
            words = list(_WORD.finditer(rendering))
            if len(words) > len(short):
                return rendering[words[-len(short)].start():]
        return rendering


# ---------------------------------------------------------------------------- format

def test_file_layout(shipped_text):
    assert "\r" not in shipped_text, "LF line endings only"
    assert shipped_text.endswith("\n") and not shipped_text.endswith("\n\n")
    comments, header, rows = parse(shipped_text)
    assert header == HEADER
    assert rows, "no rows"
    lines = shipped_text.split("\n")
    assert all(line.startswith("#") for line in lines[:len(comments)]), "comments come first"
    assert any(VERSION_RE.match(c) for c in comments), "the CLDR/Babel version comment is missing"
    assert "" not in lines[:-1], "no blank lines"


def test_ids_and_types(rows):
    seen = {}
    for row in rows:
        assert ID_RE.match(row["id"]), f"line {row['line']}: bad id {row['id']!r}"
        assert row["id"] not in seen, f"line {row['line']}: id {row['id']} repeats line {seen[row['id']]}"
        seen[row["id"]] = row["line"]
        assert row["type"] in TYPES, f"line {row['line']}: type {row['type']!r}"
        assert row["id"].split("-", 1)[0] == ID_PREFIX[row["type"]], row["id"]
    assert [r["id"] for r in rows] == sorted(r["id"] for r in rows), "rows are sorted by id"


def test_cells_are_clean(rows):
    for row in rows:
        where = f"line {row['line']} ({row['id']})"
        for column in HEADER:
            cell = row[column] if column in row else ""
            assert cell == cell.strip(), f"{where}: {column} has leading/trailing spaces"
            assert unicodedata.normalize("NFC", cell) == cell, f"{where}: {column} is not NFC"
            bad = [c for c in cell if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp")]
            assert not bad, f"{where}: {column} has control or format characters {bad!r}"
            assert "\u00a0" not in cell and "  " not in cell, f"{where}: odd spaces in {column}"
            assert '"' not in cell, f"{where}: a double quote in {column} (TSV is read unquoted)"
        for lang in LANGS:
            terms = row["terms"][lang]
            if lang in NO_TERM.get(row["type"], ()):
                assert not terms, f"{where}: {row['type']} rows have no {lang} term"
                continue
            assert terms and terms[0], f"{where}: no preferred {lang} term"
            for term in terms:
                assert term and term == term.strip() and "|" not in term, \
                    f"{where}: bad {lang} term {term!r} (variants are separated by ' | ')"
                assert "\u2019" not in term, f"{where}: typographic apostrophe in {term!r}"
            keys = [case_key(t) for t in terms]
            assert len(set(keys)) == len(keys), f"{where}: {lang} terms repeat: {terms}"


def test_preferred_terms_can_be_found_in_text(rows):
    """Between the words of a preferred term there is only what the matcher accepts
    between words of a text (spaces, hyphens, apostrophes, a full stop)."""
    for row in rows:
        for lang in LANGS:
            if not row["terms"][lang]:
                continue
            term = row["terms"][lang][0]
            spans = [m.span() for m in _WORD.finditer(term)]
            assert spans, f"{row['id']}: {lang} term {term!r} has no word"
            gaps = [term[a[1]:b[0]] for a, b in zip(spans, spans[1:])]
            assert all(_GAP.fullmatch(g) for g in gaps), f"{row['id']}: {lang} {term!r}"


def test_no_preferred_term_twice_in_a_language(rows):
    for lang in LANGS:
        owners = {}
        for row in rows:
            if not row["terms"][lang]:
                continue
            key = term_key(row["terms"][lang][0], lang)
            other = owners.get(key)
            assert other is None or shared(row, other), \
                f"{lang} preferred term {row['terms'][lang][0]!r} in {other and other['id']} and {row['id']}"
            owners.setdefault(key, row)


def test_no_source_form_claimed_by_two_rows(rows):
    """A form recognised in a source text leads to one concept only, counting the plurals
    the matcher adds ("philippine" would bring "philippines", the country's name)."""
    for lang in LANGS:
        owners = {}
        for row in rows:
            for term in row["terms"][lang]:
                for key in [term_key(term, lang), *plural_keys(term, lang)]:
                    other = owners.setdefault(key, row)
                    assert other is row or shared(row, other), \
                        f"{lang} {term!r} (or its plural) is a term of both {other['id']} and {row['id']}"


def test_shared_with_notes_name_existing_rows(rows):
    ids = {r["id"] for r in rows}
    for row in rows:
        for other in SHARED_RE.findall(row["note"]):
            assert other in ids, f"{row['id']}: shared-with={other} names no row"


def test_do_not_translate_entries_and_counts(rows):
    by_type = {}
    for row in rows:
        by_type[row["type"]] = by_type.get(row["type"], 0) + 1
    assert by_type["country"] >= 190 and by_type["territory"] >= 50
    assert by_type["person"] >= 100 and by_type["organization"] >= 50
    assert by_type["agency"] >= 20 and by_type["place"] >= 80
    assert by_type["adjective"] >= 30 and by_type["demonym"] >= 25 and by_type["title"] >= 4
    afp = next(r for r in rows if r["id"] == "agency-afp")
    assert {afp[lang].split(SEP)[0] for lang in LANGS} == {"AFP"}


# ---------------------------------------------------------------------------- curated files

def test_curated_files_parse():
    build = load_build_script()
    files = sorted(CURATED.glob("*.tsv"))
    assert files, "no curated files"
    for path in files:
        rows = build.read_tsv(path, overrides=path.name.endswith(build.OVERRIDES_SUFFIX))
        assert rows, f"{path.name}: no rows"


@pytest.mark.parametrize("content, message", [
    ("id\ttype\ten\tfr\tvi\tnote\nperson-a\tperson\tA\tA\tA\t\nperson-a\tperson\tB\tB\tB\t\n",
     "already defined"),
    ("id\ttype\ten\tfr\tvi\tnote\nperson-a\tperson\tA\t\tA\t\n", "no fr term"),
    ("id\ttype\ten\tfr\tvi\tnote\nperson-a\tpeople\tA\tA\tA\t\n", "unknown type"),
    ("id\ttype\ten\tfr\tvi\tnote\norg-a\tperson\tA\tA\tA\t\n", "must start with"),
    ("id\ttype\ten\tfr\tvi\tnote\nperson-a\tperson\tA\tA\tA\n", "5 columns"),
    ("id\ttype\ten\tfr\tvi\tnote\nperson-a\tperson\tA | \tA\tA\t\n", "empty term"),
    ("id\ttype\ten\tfr\tvi\tnote\nperson-a\tperson\tA\tA\t\t\n", "no vi term"),
    ("id\ttype\ten\tfr\tvi\tnote\nadj-a\tadjective\tA\ta\tA\t\n", "adjective rows have no vi term"),
    ("id\ten\tfr\tvi\tnote\n", "header"),
])
def test_curated_errors_name_file_and_problem(tmp_path, content, message):
    build = load_build_script()
    (tmp_path / "mine.tsv").write_text(content, encoding="utf-8")
    with pytest.raises(build.GlossaryDataError, match=message) as info:
        build.build_rows(tmp_path, with_cldr=False)
    assert "mine.tsv" in str(info.value)


def test_overrides_put_terms_first_and_keep_the_old_ones(tmp_path):
    build = load_build_script()
    (tmp_path / "a.tsv").write_text(
        "id\ttype\ten\tfr\tvi\tnote\nplace-kyiv\tplace\tKyiv\tKiev\tKyiv\t\n", encoding="utf-8")
    (tmp_path / "b.overrides.tsv").write_text(
        "id\ttype\ten\tfr\tvi\tnote\nplace-kyiv\t\t\tKyiv\t\tour style\n", encoding="utf-8")
    (row,) = build.build_rows(tmp_path, with_cldr=False)
    assert row.terms == {"en": ["Kyiv"], "fr": ["Kyiv", "Kiev"], "vi": ["Kyiv"]}
    assert row.note == "our style"


def test_vietnamese_tone_placement_variants():
    build = load_build_script()
    assert build.vi_tone_variant("Cộng hòa Séc") == "Cộng hoà Séc"
    assert build.vi_tone_variant("Thuỵ Sĩ") == "Thụy Sĩ"
    assert build.vi_tone_variant("Ủy ban") == "Uỷ ban"
    assert build.vi_tone_variant("quý Hoàng") == "quý Hoàng"  # no final oa/oe/uy to move


# ---------------------------------------------------------------------------- regeneration

def test_regeneration_is_deterministic(shipped_text):
    pytest.importorskip("babel", reason="Babel is needed to regenerate the glossary")
    build = load_build_script()
    recorded = next(m for m in map(VERSION_RE.match, shipped_text.split("\n")) if m)
    cldr, babel_version = build.cldr_versions()
    if cldr != recorded.group(1):
        pytest.skip(f"installed Babel {babel_version} has CLDR {cldr}; glossary/news.tsv was "
                    f"built from CLDR {recorded.group(1)} (Babel {recorded.group(2)})")
    text = build.build_text()
    assert text == build.build_text(), "two builds differ"
    if babel_version == recorded.group(2):
        assert text.encode("utf-8") == shipped_text.encode("utf-8"), \
            "glossary/news.tsv is out of date: run python scripts/build_glossary.py"
    else:  # same CLDR through another Babel: only the version comment may differ
        strip = lambda t: [line for line in t.split("\n") if not VERSION_RE.match(line)]  # noqa: E731
        assert strip(text) == strip(shipped_text), "glossary/news.tsv is out of date"


def test_check_option_reports_a_stale_file(tmp_path, shipped_text):
    pytest.importorskip("babel", reason="Babel is needed to regenerate the glossary")
    build = load_build_script()
    out = tmp_path / "news.tsv"
    assert build.main(["-o", str(out)]) == 0
    assert build.main(["-o", str(out), "--check"]) == 0
    out.write_text(out.read_text(encoding="utf-8") + "x\n", encoding="utf-8")
    assert build.main(["-o", str(out), "--check"]) == 1


# ---------------------------------------------------------------------------- the sample article

SAMPLE_FR_EN = [
    ("Vladimir Poutine", "Vladimir Putin"),
    ("Poutine", "Putin"),
    ("Corée du Nord", "North Korea"),
    ("Extrême-Orient russe", "Russian Far East"),
    ("Tass", "TASS"),
    ("Kim Jong Un", "Kim Jong Un"),
    ("États-Unis", "United States"),
    ("Ukraine", "Ukraine"),
    ("Russie", "Russia"),
    ("Eurasie", "Eurasia"),
    ("Conseil de sécurité des Nations Unies", "UN Security Council"),
    ("ONU", "UN"),
    ("Occident", "West"),
    ("opération militaire spéciale", "special military operation"),
]


@pytest.mark.parametrize("source, expected", SAMPLE_FR_EN)
def test_sample_names_fr_to_en(rows, source, expected):
    sample = SAMPLE.read_text(encoding="utf-8")
    assert source.casefold() in sample.casefold(), f"{source!r} is not in the sample"
    matcher = MiniMatcher(rows, "fr")
    found = matcher.find(source)
    assert len(found) == 1 and found[0][0] == source, f"{source!r} matched as {found}"
    form, row = found[0]
    assert matcher.render(form, row, "en") == expected


def test_sample_article_matches(rows):
    """Every name of the sample article is found where it stands, with the right concept."""
    sample = SAMPLE.read_text(encoding="utf-8")
    found = MiniMatcher(rows, "fr").find(sample)
    ids = [row["id"] for _, row in found]
    assert ids.count("person-vladimir-putin") == 7  # 4 x "Vladimir Poutine", 3 x "Poutine"
    assert ids.count("org-un-security-council") == 2  # never cut into "Nations Unies"
    assert "org-un" not in ids and ids.count("org-un-acronym") == 1  # "l'ONU"
    assert {"country-KP", "country-RU", "country-US", "country-UA", "place-eurasia",
            "place-russian-far-east", "agency-tass", "person-kim-jong-un",
            "other-the-west"} <= set(ids)
    # nothing inside a word: "nord-coréens" is not "Corée du Nord"; "russe" alone is nothing
    # (the engine renders it right, and a glossary row would force one inflection)
    assert all(form.casefold() != "russe" for form, _ in found)
    adjectives = [(form, row["id"]) for form, row in found if row["type"] == "adjective"]
    assert adjectives == [("nord-coréens", "adj-north-korean"), ("nord-coréens", "adj-north-korean"),
                          ("nord-coréen", "adj-north-korean")]


@pytest.mark.parametrize("source, target, form, expected", [
    ("fr", "vi", "Vladimir Poutine", "Vladimir Putin"),
    ("fr", "vi", "Corée du Nord", "Triều Tiên"),
    ("fr", "vi", "Extrême-Orient russe", "Viễn Đông Nga"),
    ("fr", "vi", "États-Unis", "Mỹ"),
    ("fr", "vi", "Conseil de sécurité des Nations unies", "Hội đồng Bảo an Liên hợp quốc"),
    ("fr", "vi", "Eurasie", "Á-Âu"),
    ("vi", "en", "Bình Nhưỡng", "Pyongyang"),
    ("vi", "en", "Tập Cận Bình", "Xi Jinping"),
    ("vi", "fr", "Thông tấn xã Việt Nam", "Agence vietnamienne d'information"),
    ("vi", "fr", "TTXVN", "Agence vietnamienne d'information"),
    ("vi", "en", "Cộng hoà Séc", "Czech Republic"),  # the other tone placement
    ("en", "fr", "Kim Jong-un", "Kim Jong-un"),
    ("en", "fr", "Zelensky", "Zelensky"),
    ("en", "fr", "Kyiv", "Kiev"),
    ("en", "vi", "South China Sea", "Biển Đông"),
    ("en", "fr", "Hong Kong SAR China", "Hong Kong"),
    ("en", "fr", "Ivory Coast", "Côte d'Ivoire"),
    ("fr", "en", "l'AIEA", "IAEA"),
    ("fr", "en", "Etats-Unis", "United States"),  # accents are folded in French
    # Country adjectives: the plurals come from the matcher; there is no Vietnamese adjective
    ("fr", "en", "les médias d'État nord-coréens", "North Korean"),
    ("fr", "en", "la presse sud-coréenne", "South Korean"),
    ("fr", "en", "les forces ukrainiennes", "Ukrainian"),
    ("fr", "en", "les Philippines", "Philippines"),  # the country, not the adjective's plural
    ("en", "fr", "North Korean leader", "nord-coréen"),
    ("en", "fr", "the Lao government", "laotien"),
    # Peoples; in French -> English a plural noun is taken by the adjective (shared-with=)
    ("fr", "en", "les Russes", "Russians"),
    ("fr", "en", "les Nord-Coréens", "North Korean"),
    ("fr", "vi", "les Nord-Coréens", "người Triều Tiên"),
    ("fr", "vi", "les Vietnamiens", "người Việt Nam"),
    ("vi", "en", "người Triều Tiên", "North Koreans"),
    ("vi", "en", "Triều Tiên", "North Korea"),  # the country keeps its name
    ("vi", "fr", "người Anh", "Britanniques"),
    ("en", "vi", "North Koreans", "người Triều Tiên"),
    ("en", "vi", "Uighurs", "người Duy Ngô Nhĩ"),
    # Institutions and titles of the Vietnamese beat
    ("fr", "en", "Comité populaire de Hanoï", "Hanoi"),
    ("fr", "en", "le Comité populaire", "People's Committee"),
    ("vi", "en", "UBND", "People's Committee"),
    ("vi", "fr", "Uỷ ban nhân dân", "Comité populaire"),  # the other tone placement
    ("fr", "en", "le secrétaire général", "General Secretary"),
    ("fr", "en", "le secrétaire général de l'ONU", "UN Secretary-General"),  # longest match
    ("fr", "vi", "le secrétaire général de l'Otan", "Tổng Thư ký NATO"),
    ("vi", "en", "Tổng Bí thư", "General Secretary"),
    ("en", "vi", "General Secretary", "Tổng Bí thư"),
    ("en", "vi", "UN Secretary-General", "Tổng Thư ký Liên hợp quốc"),
    ("fr", "en", "l'Assemblée nationale", "National Assembly"),
    ("vi", "en", "Quốc hội Việt Nam", "National Assembly of Vietnam"),
    ("vi", "en", "Bộ Chính trị", "Politburo"),
    ("fr", "vi", "le Front de la Patrie du Vietnam", "Mặt trận Tổ quốc Việt Nam"),
    ("en", "fr", "Foreign Ministry", "ministère des Affaires étrangères"),
    ("vi", "en", "Bộ Công an", "Ministry of Public Security"),
    ("vi", "fr", "Bộ Công Thương", "ministère de l'Industrie et du Commerce"),
    # Provinces and cities, current and merged in 2025
    ("fr", "en", "Hô Chi Minh-Ville", "Ho Chi Minh City"),
    ("vi", "en", "TP.HCM", "Ho Chi Minh City"),
    ("en", "vi", "Thanh Hoa", "Thanh Hóa"),
    ("fr", "en", "Thanh Hóa", "Thanh Hoa"),  # Vietnamese tone marks folded in a French text
    ("vi", "en", "Khánh Hoà", "Khanh Hoa"),
    ("vi", "en", "Bà Rịa - Vũng Tàu", "Ba Ria-Vung Tau"),
    ("vi", "fr", "Thái Bình Dương", "océan Pacifique"),  # not the province Thái Bình
    ("vi", "en", "Thừa Thiên Huế", "Thua Thien Hue"),
])
def test_renderings_between_all_languages(rows, source, target, form, expected):
    matcher = MiniMatcher(rows, source, target)
    found = matcher.find(form)
    assert found, f"{form!r} not found in {source}"
    text, row = found[-1]
    assert matcher.render(text, row, target) == expected


# Vietnam's provincial units since 1 July 2025 (6 centrally-run cities, 28 provinces) and the
# 29 provinces merged then, in Vietnamese, as the glossary must recognise them.
VIETNAM_UNITS_2025 = """
Hà Nội | Thành phố Hồ Chí Minh | Hải Phòng | Đà Nẵng | Cần Thơ | Huế | An Giang | Bắc Ninh |
Cà Mau | Cao Bằng | Đắk Lắk | Điện Biên | Đồng Nai | Đồng Tháp | Gia Lai | Hà Tĩnh | Hưng Yên |
Khánh Hòa | Lai Châu | Lâm Đồng | Lạng Sơn | Lào Cai | Nghệ An | Ninh Bình | Phú Thọ |
Quảng Ngãi | Quảng Ninh | Quảng Trị | Sơn La | Tây Ninh | Thái Nguyên | Thanh Hóa | Tuyên Quang |
Vĩnh Long"""
VIETNAM_MERGED_2025 = """
Bà Rịa-Vũng Tàu | Bắc Giang | Bắc Kạn | Bạc Liêu | Bến Tre | Bình Định | Bình Dương |
Bình Phước | Bình Thuận | Đắk Nông | Hà Giang | Hà Nam | Hải Dương | Hậu Giang | Hòa Bình |
Kiên Giang | Kon Tum | Long An | Nam Định | Ninh Thuận | Phú Yên | Quảng Bình | Quảng Nam |
Sóc Trăng | Thái Bình | Tiền Giang | Trà Vinh | Vĩnh Phúc | Yên Bái"""


def test_vietnams_provinces_current_and_merged(rows):
    units = [n.strip() for n in VIETNAM_UNITS_2025.split("|")]
    merged = [n.strip() for n in VIETNAM_MERGED_2025.split("|")]
    assert len(units) == 34 and len(merged) == 29 and not set(units) & set(merged)
    matcher = MiniMatcher(rows, "vi", "en")
    for name in units + merged:
        found = matcher.find(name)
        assert len(found) == 1 and found[0][0] == name, f"{name!r} matched as {found}"
        assert found[0][1]["type"] == "place", (name, found[0][1]["id"])
        assert found[0][1]["terms"]["vi"][0] == name, f"{name!r} is not the preferred vi term"
