"""Glossary files: TSV/CSV tables and TBX read from real files, written back, checked."""

import random
import time
from contextlib import closing
from pathlib import Path

import pytest

from translator.engines.apertium import ApertiumEngine
from translator.engines.ctranslate2 import CTranslate2Engine
from translator.errors import GlossaryError, GlossaryNotFound, InputError
from translator.glossary import Entry, Glossary
from translator.glossary import files, rules, writers
from translator.packages import read_package
from translator.pipeline import Pipeline
from translator.settings import Settings
from translator.glossary.match import matcher_for

DATA = Path(__file__).resolve().parent / "data" / "glossary"
needs_apertium = pytest.mark.skipif(not ApertiumEngine.available(), reason="apertium not installed")


def by_id(glossary):
    return {e.id: e for e in glossary.entries}


def without_origin(glossary):
    return [(e.id, e.terms, e.type, e.note, e.dnt) for e in glossary.entries]


# --------------------------------------------------------------------------- reading


def test_multilanguage_tsv_terms_variants_types_notes_and_origins():
    glossary = files.read_glossary(DATA / "news-mini.tsv")
    assert glossary.name == "news-mini"
    entries = by_id(glossary)
    assert list(entries) == ["putin", "north-korea", "tass", "bbc", "kim", "eurasia"]
    putin = entries["putin"]
    assert putin.terms == {"en": ("Vladimir Putin",), "fr": ("Vladimir Poutine", "Poutine"),
                           "vi": ("Vladimir Putin",)}
    assert putin.type == "person" and putin.origin.endswith("news-mini.tsv:3")
    assert entries["north-korea"].note == "DPRK in official names"
    assert entries["eurasia"].terms == {"en": ("Eurasia",), "fr": ("Eurasie",)}  # no vi term
    # One identical term everywhere is do-not-translate; the same variants everywhere are not
    # (Tass is rendered TASS).
    assert entries["bbc"].dnt and not entries["tass"].dnt and not putin.dnt
    assert rules.check(glossary) == []


def test_the_glossary_from_a_file_is_matched_like_any_other():
    glossary = files.read_glossary(DATA / "news-mini.tsv")
    found = matcher_for(glossary, "fr", "en").find("Selon Tass, M. Poutine et Kim Jong Un en RPDC.")
    assert [(m.text, m.rendering.target) for m in found] == [
        ("Tass", "TASS"), ("Poutine", "Putin"), ("Kim Jong Un", "Kim Jong Un"),
        ("RPDC", "North Korea")]


def test_pair_file_takes_its_languages_from_the_file_name():
    glossary = files.read_glossary(DATA / "fr-en.tsv")
    entries = by_id(glossary)
    assert entries["russian-far-east"].terms == {"fr": ("Extrême-Orient russe",),
                                                 "en": ("Russian Far East",)}
    assert entries["russian-far-east"].note == "region"
    sputnik = entries["sputnik"]
    assert sputnik.dnt and sputnik.terms == {"fr": ("Sputnik",)}  # dnt needs no target
    assert not entries["security-council"].dnt


def test_pair_file_with_languages_in_the_header():
    glossary = files.read_glossary(DATA / "pair-header.tsv")
    assert by_id(glossary)["united-nations"].terms == {"fr": ("Nations unies", "ONU"),
                                                       "en": ("United Nations", "UN")}


@pytest.mark.parametrize("name", ["fr-en.tsv", "news.fr-en.tsv", "fra_eng.tsv", "fr_en.csv"])
def test_pair_languages_from_several_file_name_spellings(tmp_path, name):
    path = tmp_path / name
    sep = "," if name.endswith(".csv") else "\t"
    path.write_text(f"source{sep}target\nRussie{sep}Russia\n", encoding="utf-8")
    assert files.read_glossary(path).entries[0].terms == {"fr": ("Russie",), "en": ("Russia",)}


def test_csv_with_quotes_semicolons_and_crlf():
    glossary = files.read_glossary(DATA / "terms.csv")
    entries = by_id(glossary)
    assert entries["g7"].note == "group; of seven" and entries["g7"].dnt
    assert entries["sahel"].terms == {"fr": ("Sahel",), "en": ("the Sahel",)}
    assert entries["sahel"].note == "quoted, with comma" and entries["sahel"].type == "place"


def test_byte_order_mark_is_skipped():
    glossary = files.read_glossary(DATA / "bom.tsv")
    assert glossary.entries[0].id == "bom" and glossary.entries[0].terms["en"] == ("Boeing",)


def test_terms_are_nfc_and_stripped(tmp_path):
    path = tmp_path / "t.tsv"
    path.write_text("en\tvi\n  Hanoi \tHa\u0300 No\u0323\u0302i\n", encoding="utf-8")
    entry = files.read_glossary(path).entries[0]
    assert entry.terms == {"en": ("Hanoi",), "vi": ("Hà Nội",)}


def test_tbx_v2_preferred_term_first_and_ntig():
    glossary = files.read_glossary(DATA / "basic-v2.tbx")
    entries = by_id(glossary)
    assert entries["putin"].terms == {"fr": ("Vladimir Poutine", "Poutine"),
                                      "en": ("Vladimir Putin",)}
    assert entries["putin"].type == "person"
    pyongyang = entries["pyongyang"]
    assert pyongyang.terms["vi"] == ("Bình Nhưỡng",) and pyongyang.type == "other"
    assert pyongyang.note == "Geography; capital of North Korea"
    assert pyongyang.origin.endswith("basic-v2.tbx:27")


def test_tbx_v3_concept_entries():
    entry = files.read_glossary(DATA / "basic-v3.tbx").entries[0]
    assert entry.id == "c1" and entry.type == "organization"
    assert entry.terms == {"fr": ("Organisation des Nations unies", "ONU"),
                           "en": ("United Nations", "UN")}


@pytest.mark.parametrize("name", ["billion-laughs.tbx", "external-entity.tbx", "external-dtd.tbx",
                                  "parameter-entity.tbx"])
def test_hostile_xml_is_refused_cleanly(name):
    with pytest.raises(GlossaryError, match=r"hostile/" + name + r":2: refused"):
        files.read_glossary(DATA / "hostile" / name)


def test_entity_declared_in_an_otherwise_allowed_document_is_refused(tmp_path):
    path = tmp_path / "e.tbx"
    path.write_text('<?xml version="1.0"?>\n<martif><text><body>&amp;&nbsp;</body></text></martif>',
                    encoding="utf-8")
    with pytest.raises(GlossaryError, match=r"e.tbx:2: not well-formed XML"):
        files.read_glossary(path)


@pytest.mark.parametrize("content, message", [
    ("<martif><text><body><termEntry>", "e.tbx:1: not well-formed XML"),
    ("<html><body/></html>", "e.tbx:1: not a TBX file"),
    ("<martif><text><body>\n<termEntry><langSet xml:lang='xx'><tig><term>a</term></tig>"
     "</langSet></termEntry></body></text></martif>", "e.tbx:2: unknown language code 'xx'"),
    ("<martif><text><body>\n<termEntry><langSet xml:lang='en'><tig><term>.*</term></tig>"
     "</langSet></termEntry></body></text></martif>", "e.tbx:2: '.*' looks like a regular"),
    ("<martif><text><body>\n\n<termEntry id='x'></termEntry></body></text></martif>",
     "e.tbx:3: entry x has no term"),
])
def test_bad_tbx_is_an_error_with_its_line(tmp_path, content, message):
    path = tmp_path / "e.tbx"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(GlossaryError) as caught:
        files.read_glossary(path)
    assert message in caught.value.message


# --------------------------------------------------------------------------- bad tables

HEADER = "id\ttype\ten\tfr\tnote\n"


@pytest.mark.parametrize("name, content, message", [
    ("t.tsv", "Poutine\tPutin\n", "t.tsv:1: unknown language code 'Poutine' in the header"),
    ("t.tsv", "# only a comment\n\n", "t.tsv:1: empty file: no header"),
    ("t.tsv", "id\ten\txx\n", "t.tsv:1: unknown language code 'xx'"),
    ("t.tsv", "id\ten\teng\n", "t.tsv:1: column 'eng' appears twice"),
    ("t.tsv", "id\ttype\tnote\n", "t.tsv:1: the header names no language column"),
    ("terms.tsv", "source\ttarget\nRussie\tRussia\n", "terms.tsv:1: a source/target file needs"),
    ("fr-en.tsv", "source\nRussie\n", "fr-en.tsv:1: a pair file's header needs both"),
    ("t.tsv", HEADER + "a\tother\tRussia\tRussie\t\textra\n", "t.tsv:2: expected 5 columns"),
    ("t.tsv", HEADER + "# c\na\tother\tRussia\n", "t.tsv:3: expected 5 columns (id, type, en, fr, "
     "note), found 3"),
    ("fr-en.tsv", "source\ttarget\nRussie\t\n", "fr-en.tsv:2: empty en term"),
    ("t.tsv", HEADER + "a\tother\t\t\tnote\n", "t.tsv:2: no term in any language"),
    ("t.tsv", HEADER + "a\tother\tRus\x07sia\tRussie\t\n", "t.tsv:2: en: control character U+0007"),
    ("t.tsv", HEADER + "a\tother\tRussia\tRus\x0bsie\t\n", "t.tsv:2: fr: control character U+000B"),
    ("t.tsv", HEADER + "a\tother\t<b>Russia</b>\tRussie\t\n", "t.tsv:2: en: '<b>Russia</b>' looks "
     "like markup"),
    ("t.tsv", HEADER + "a\tother\tRussia&amp;\tRussie\t\n", "looks like markup"),
    ("t.tsv", HEADER + "a\tother\tRussia\\d\tRussie\t\n", "looks like a regular expression"),
    ("t.tsv", HEADER + "a\tother\tRuss.*\tRussie\t\n", "t.tsv:2: en: 'Russ.*' looks like a regular"),
    ("t.tsv", HEADER + "a\tother\t[a-z]+\tRussie\t\n", "looks like a regular expression"),
    ("t.tsv", HEADER + "a\tother\tRussia{2}\tRussie\t\n", "looks like a regular expression"),
    ("t.tsv", HEADER + "a\tother\tRussia}\tRussie\t\n", "looks like a regular expression"),
    ("t.tsv", HEADER + "a\tother\t^Russia\tRussie\t\n", "looks like a regular expression"),
    ("t.tsv", HEADER + "a\tother\tRussia$\tRussie\t\n", "looks like a regular expression"),
    ("t.tsv", HEADER + "a\tother\tRussia\\\tRussie\t\n", "looks like a regular expression"),
    ("t.tsv", HEADER + "a\tother\tRussia | | Rossiya\tRussie\t\n", "t.tsv:2: en: empty item in the "
     "variant list"),
    ("t.tsv", HEADER + "a\tother\tRussia | \tRussie\t\n", "empty item in the variant list"),
    ("t.tsv", HEADER + "a\tother\tRussia|Rossiya\tRussie\t\n", "separate variants with ' | '"),
    ("t.tsv", HEADER + "a\tother\t...\tRussie\t\n", "t.tsv:2: en: '...' has no letters or digits"),
    ("t.tsv", HEADER + "a\tcity\tRussia\tRussie\t\n", "t.tsv:2: unknown type 'city'"),
    ("t.tsv", "id\ten\tfr\tdnt\na\tRussia\tRussie\tmaybe\n", "t.tsv:2: dnt must be true or false"),
    ("t.tsv", HEADER + "a b\tother\tRussia\tRussie\t\n", "t.tsv:2: bad id 'a b'"),
    ("t.tsv", "en\n\nRussia\n", "t.tsv:3: a term in one language only"),
    ("t.csv", 'en,fr\n"Russia,Russie\n', "t.csv:2: bad CSV"),
])
def test_each_bad_row_is_an_error_naming_file_and_line(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(GlossaryError) as caught:
        files.read_glossary(path)
    assert message in caught.value.message
    assert caught.value.message.startswith(str(path))
    assert isinstance(caught.value, InputError) and caught.value.code == "bad_glossary"
    assert "\n" not in caught.value.message


def test_non_utf8_bytes_name_the_line(tmp_path):
    path = tmp_path / "latin1.tsv"
    path.write_bytes(HEADER.encode() + b"a\tother\tRussia\tRussie\t\nb\tother\tCuba\tCuba caf\xe9\t\n")
    with pytest.raises(GlossaryError, match=r"latin1.tsv:3: not valid UTF-8 \(byte 0xe9"):
        files.read_glossary(path)


def test_utf16_is_named(tmp_path):
    path = tmp_path / "u16.tsv"
    path.write_bytes(HEADER.encode("utf-16"))
    with pytest.raises(GlossaryError, match="u16.tsv:1: UTF-16"):
        files.read_glossary(path)


def test_every_problem_of_a_file_is_listed(tmp_path):
    path = tmp_path / "t.tsv"
    path.write_text(HEADER + "a\tother\tRussia\tRussie\t\nb\tcity\tCuba\tCuba\t\nc\tother\t.*\tx\t\n"
                    "d\tother\tChina\n", encoding="utf-8")
    with pytest.raises(GlossaryError) as caught:
        files.read_glossary(path)
    problems = caught.value.details["problems"]
    assert [p.split(": ")[0] for p in problems] == [f"{path}:3", f"{path}:4", f"{path}:5"]
    assert "and 2 more problems" in caught.value.message


def test_missing_file_is_not_found(tmp_path):
    with pytest.raises(GlossaryNotFound, match="no such file"):
        files.read_glossary(tmp_path / "nope.tsv")


# --------------------------------------------------------------------------- writing


def sample_glossary():
    return Glossary("sample", [
        Entry("putin", {"en": ("Vladimir Putin",), "fr": ("Vladimir Poutine", "Poutine")},
              "person", "the president"),
        Entry("bbc", {"en": ("BBC",), "fr": ("BBC",)}, "agency", dnt=True),
        Entry("sputnik", {"fr": ("Sputnik",)}, "agency", dnt=True),  # dnt in one language
        Entry("same", {"en": ("Paris",), "fr": ("Paris",)}, "place", dnt=False),  # explicitly not
        Entry("un", {"en": ("United Nations", "UN"), "fr": ("Nations unies", "ONU"),
                     "vi": ("Liên Hợp Quốc",)}, "organization", "note with\ttab"),
    ])


@pytest.mark.parametrize("fmt, ext", [("tsv", "tsv"), ("csv", "csv"), ("tbx", "tbx")])
def test_written_files_read_back_the_same(tmp_path, fmt, ext):
    glossary = sample_glossary()
    path = writers.save(glossary, tmp_path / f"out.{ext}")
    back = files.read_glossary(path)
    expected = without_origin(glossary)
    expected[-1] = expected[-1][:3] + ("note with tab",) + expected[-1][4:]
    assert without_origin(back) == expected
    assert not list(tmp_path.glob(".out*"))  # no temporary file left


def test_tsv_export_is_the_default_glossary_format():
    text = writers.write_tsv(sample_glossary())
    lines = text.splitlines()
    assert lines[0].startswith("#")
    assert lines[1] == "id\ttype\ten\tfr\tvi\tdnt\tnote"
    assert lines[2] == "putin\tperson\tVladimir Putin\tVladimir Poutine | Poutine\t\tfalse\tthe president"
    simple = Glossary("s", [Entry("a", {"en": ("Russia",), "fr": ("Russie",)})])
    assert writers.write_tsv(simple).splitlines()[1] == "id\ttype\ten\tfr\tnote"  # no dnt column


def test_export_restricted_to_languages(tmp_path):
    text = writers.dumps(sample_glossary(), "tsv", ["fr", "en"])
    assert "Liên Hợp Quốc" not in text and text.splitlines()[1].startswith("id\ttype\tfr\ten")
    tbx = writers.dumps(sample_glossary(), "tbx", ["vi"])
    assert tbx.count("<termEntry") == 1 and 'xml:lang="vi"' in tbx


# --------------------------------------------------------------------------- checks


def test_check_reports_conflicts_with_both_places(tmp_path):
    path = tmp_path / "fr-en.tsv"
    path.write_text("source\ttarget\nCorée du Nord\tNorth Korea\nRussie\tRussia\n"
                    "Coree du Nord\tDPRK\n", encoding="utf-8")
    problems = rules.check(files.read_glossary(path))
    assert problems == [f"{path}:4: conflict in fr-en: 'Coree du Nord' -> 'DPRK' (id dprk), but "
                        f"'Corée du Nord' -> 'North Korea' (id north-korea, {path}:2); keep one, or "
                        "make the forms variants of one entry"]


def test_many_to_one_pair_rows_conflict_in_the_reverse_direction(tmp_path):
    path = tmp_path / "fr-en.tsv"
    path.write_text("source\ttarget\nCorée du Nord\tNorth Korea\nRPDC\tNorth Korea\n", encoding="utf-8")
    (problem,) = rules.check(files.read_glossary(path))
    assert problem.startswith(f"{path}:3: conflict in en-fr: 'North Korea' -> 'RPDC'")


def test_check_duplicates_and_ids(tmp_path):
    path = tmp_path / "t.tsv"
    path.write_text(HEADER + "a\tcountry\tRussia\tRussie\t\na\tcountry\tRussia\tRussie\t\n"
                    "b\tcountry\tRussia\tRussie\t\na\tcountry\tCuba\tCuba\t\n", encoding="utf-8")
    problems = rules.problems(files.read_glossary(path))
    lines = [str(p) for p in problems]
    assert lines == [
        f"{path}:3: warning: duplicate of {path}:2 (id a)",
        f"{path}:4: warning: duplicate of {path}:2 (id b)",
        f"{path}:5: duplicate id 'a' (also {path}:2) with other terms",
    ]
    assert [p.severity for p in problems] == ["warning", "warning", "error"]


def test_spelling_variants_of_one_form_are_the_same_source_form():
    glossary = Glossary("g", [
        Entry("a", {"fr": ("Kim Jong Un",), "en": ("Kim Jong Un",)}, "person"),
        Entry("b", {"fr": ("Kim Jong-un",), "en": ("Kim Jong-un",)}, "person"),
        # A surname variant renders as the surname: "Poutine" -> "Putin" agrees with "c".
        Entry("p", {"fr": ("Vladimir Poutine", "Poutine"), "en": ("Vladimir Putin",)}, "person"),
        Entry("c", {"fr": ("Poutine",), "en": ("Putin",)}, "person"),
    ])
    problems = rules.check(glossary)
    assert len(problems) == 2 and all("'Kim Jong-un'" in p for p in problems)  # fr-en and en-fr


def test_validate_entry():
    assert rules.validate_entry(Entry("ok", {"en": ("Russia",), "fr": ("Russie",)})) == []
    bad = Entry("a b", {"eng": ("Russia",), "fr": ("<i>Russie</i>",)}, "city")
    problems = rules.validate_entry(bad)
    assert len(problems) == 4 and any("canonical" in p for p in problems)
    assert rules.validate_entry(Entry("x", {"en": ("Russia",)})) != []  # one language, not dnt


# --------------------------------------------------------------------------- directory


def test_load_directory_merges_files_in_name_order_later_files_win(tmp_path):
    (tmp_path / "curated").mkdir()
    (tmp_path / "curated" / "people.tsv").write_text("not\ta\tglossary\n", encoding="utf-8")
    (tmp_path / "README.md").write_text("# not read\n", encoding="utf-8")
    (tmp_path / "a-news.tsv").write_text("id\ten\tfr\nnk\tNorth Korea\tCorée du Nord\n"
                                         "ru\tRussia\tRussie\n", encoding="utf-8")
    (tmp_path / "z-local.csv").write_text("id,en,fr\nnk2,DPRK,Corée du Nord\n", encoding="utf-8")
    glossary = files.load_directory(tmp_path)
    assert glossary.name == "default"
    assert [e.id for e in glossary.entries] == ["nk", "ru", "nk2"]
    found = matcher_for(glossary, "fr", "en").find("La Corée du Nord et la Russie.")
    assert [m.rendering.target for m in found] == ["DPRK", "Russia"]
    assert [p.name for p in files.glossary_files(tmp_path)] == ["a-news.tsv", "z-local.csv"]
    assert files.load_directory(tmp_path / "missing").entries == []


def test_the_shipped_default_glossary_reads_and_checks_clean():
    settings = Settings()
    if not files.glossary_files(settings.glossary_dir):
        pytest.skip("no glossary file shipped")
    glossary = files.load_directory(settings.glossary_dir)
    assert glossary.entries and {"en", "fr"} <= glossary.languages()
    assert [p for p in rules.problems(glossary) if p.severity == "error"] == []


# --------------------------------------------------------------------------- scale


def test_a_100k_entry_glossary_loads_builds_and_matches(tmp_path):
    rng = random.Random(7)
    syllables = ["ka", "lo", "mi", "ren", "tas", "vo", "ni", "zu", "pe", "dra", "sho", "kin",
                 "mar", "bel", "tor", "ya"]
    lines = ["id\ttype\ten\tfr\tvi\tnote"]
    for i in range(100_000):
        word = "".join(syllables[int(d, 16)] for d in format(i, "x")).capitalize()
        first = "".join(rng.choice(syllables) for _ in range(2)).capitalize()
        lines.append(f"e{i}\tperson\t{first} {word}\t{first} {word} | {word}\t{first} {word}\t")
    path = tmp_path / "big.tsv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    started = time.perf_counter()
    glossary = files.read_glossary(path)
    matcher = matcher_for(glossary, "fr", "en")
    sample = rng.sample(glossary.entries, 500)
    text = " ".join(f"Le président {e.terms['fr'][0]} a parlé hier soir." for e in sample) * 20
    found = matcher.find(text)
    elapsed = time.perf_counter() - started
    assert len(glossary.entries) == 100_000
    assert len(found) == 500 * 20 and found[0].rendering.target == sample[0].terms["en"][0]
    assert elapsed < 30, f"{elapsed:.1f} s"


# --------------------------------------------------------------------------- in the pipeline


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    root = tmp_path_factory.mktemp("glossary-files")
    return Settings(models_dir=root / "models", argos_packages_dir=root / "argos")


def test_a_file_glossary_is_enforced_through_the_copy_model(argos_fr_en, settings):
    engine = CTranslate2Engine(read_package(argos_fr_en), settings)
    glossary = files.read_glossary(DATA / "news-mini.tsv").merged(files.read_glossary(DATA / "fr-en.tsv"))
    with closing(Pipeline([engine], settings, glossary=glossary)) as pipeline:
        result = pipeline.translate("Selon Tass, Poutine est arrivé dans l'Extrême-Orient russe.",
                                    target="en", source="fr")
    assert result.target_text == "Selon TASS, Putin est arrivé dans l'Russian Far East."
    assert [(t["source"], t["target"]) for t in result.segments[0].terms] == [
        ("Tass", "TASS"), ("Poutine", "Putin"), ("Extrême-Orient russe", "Russian Far East")]


@needs_apertium
def test_a_tbx_glossary_on_apertium(settings):
    with closing(Pipeline([ApertiumEngine()], settings,  # stops its Apertium processes
                          glossary=files.read_glossary(DATA / "basic-v2.tbx"))) as pipeline:
        result = pipeline.translate("Le président Poutine est arrivé à Pyongyang.", target="en",
                                    source="fr")
    assert "Putin" in result.target_text and "Pyongyang" in result.target_text
    assert ("Poutine", "Putin") in [(t["source"], t["target"]) for t in result.segments[0].terms]
