"""Renderings of one aligned result."""

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from test_web import tmx_is_valid, xliff_is_valid
from translator import quality
from translator.engines.apertium import ApertiumEngine
from translator.formats import render
from translator.formats.tmx import XML_LANG, Unit, tmx_document
from translator.formats.writers import CLOSE, OPEN, to_side_by_side
from translator.formats.xliff import NT_NS, XLIFF_NS
from translator.result import Segment, TranslationResult


def result():
    src = "Le chat dort.\nÀ <b> & « bientôt »\x01."
    tgt = "The cat sleeps.\nSee <b> & « soon »\x01."
    segs = [Segment(0, 0, "Le chat dort.", "The cat sleeps.", (0, 13), (0, 15), "fr"),
            Segment(1, 1, src[14:], tgt[16:], (14, len(src)), (16, len(tgt)), "fr")]
    return TranslationResult(src, tgt, "fr", "en", segs,
                             route={"source": "fr", "target": "en", "pivots": [], "steps": []})


def test_tmx_round_trips_markup_and_drops_what_xml_cannot_carry():
    doc = render(result(), "tmx")
    root = ET.fromstring(doc.split("\n", 2)[2])
    assert root.tag == "tmx" and root.get("version") == "1.4"
    assert root.find("header").get("srclang") == "fr"
    units = root.findall("body/tu")
    assert len(units) == 2
    tuvs = units[1].findall("tuv")
    assert [t.get(XML_LANG) for t in tuvs] == ["fr", "en"]
    assert tuvs[0].find("seg").text == "À <b> & « bientôt »."
    assert tuvs[1].find("seg").text == "See <b> & « soon »."


def test_tmx_document_writes_notes_and_props():
    doc = tmx_document([Unit("a", "b", note="low confidence", props={"x-score": "0.4"})], "vi", "fr")
    tu = ET.fromstring(doc.split("\n", 2)[2]).find("body/tu")
    assert tu.find("note").text == "low confidence"
    assert tu.find("prop").get("type") == "x-score" and tu.find("prop").text == "0.4"


def test_tsv_and_side_by_side():
    tsv = render(result(), "tsv").splitlines()
    assert tsv[0] == "index\tparagraph\tsource\ttarget\tconfidence\tuntranslated"
    assert tsv[1] == "0\t0\tLe chat dort.\tThe cat sleeps.\t\t"  # not rated: empty
    side = render(result(), "side-by-side")
    assert "Le chat dort." in side and "| The cat sleeps." in side


# -- words left untranslated and confidence -------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "examples" / "sggp-putin-dprk.fr.txt"
needs_apertium = pytest.mark.skipif(not ApertiumEngine.available(), reason="apertium not installed")
HOSTILE = '<img src=x onerror="alert(1)">'


def left(word: str, target: str, language: str = "fr", step: int = 0, kind: str = "unknown",
         occurrence: int = 0) -> dict:
    start = [m.start() for m in re.finditer(re.escape(word), target)][occurrence]
    return {"word": word, "target_span": [start, start + len(word)], "kind": kind,
            "step": step, "language": language}


def leftover_result():
    """Three segments as the pipeline leaves them on fr->es->en: French words the first step
    did not know, a Spanish word of the pivot step, a hostile word from the user's text,
    and an entry whose span no longer holds its word (a target edited since)."""
    first = ("Le président russe s'opposait fermement à un ordre multipolaire.",
             "The Russian president oponían fermement to an order multipolaire.")
    second = ("Le chat dort.", "The cat sleeps.")
    third = (f"Le {HOSTILE} arrive.", f"The {HOSTILE} arrives.")
    src = f"{first[0]} {second[0]}\n\n{third[0]}"
    tgt = f"{first[1]} {second[1]}\n\n{third[1]}"
    s1, t1 = src.index(second[0]), tgt.index(second[1])
    s2, t2 = src.index(third[0]), tgt.index(third[1])
    segs = [
        Segment(0, 0, first[0], first[1], (0, len(first[0])), (0, len(first[1])), "fr",
                untranslated=[left("oponían", first[1], "es", step=1),
                              left("fermement", first[1]), left("multipolaire", first[1]),
                              {**left("sleeps", second[1]), "word": "ghost"}],  # stale
                confidence=0.7),
        Segment(1, 0, second[0], second[1], (s1, s1 + len(second[0])), (t1, t1 + len(second[1])),
                "fr", untranslated=[], confidence=1.0),
        Segment(2, 1, third[0], third[1], (s2, len(src)), (t2, len(tgt)), "fr",
                untranslated=[left(HOSTILE, third[1])], confidence=0.5),
    ]
    return TranslationResult(src, tgt, "fr", "en", segs, route={
        "source": "fr", "target": "en", "pivots": ["es"],
        "steps": [{"engine": "apertium", "model": "apertium", "source": "fr", "target": "es"},
                  {"engine": "apertium", "model": "apertium", "source": "es", "target": "en"}]})


def right_column(side: str) -> list[str]:
    return [line.split(" | ", 1)[1] for line in side.splitlines() if " | " in line]


def test_side_by_side_marks_leftovers_and_shows_low_confidence():
    side = to_side_by_side(leftover_result(), width=200)
    target = "".join(right_column(side))
    for word in ("oponían", "fermement", "multipolaire"):
        assert f"{OPEN}{word}{CLOSE}" in target
    assert "ghost" not in side and f"{OPEN}sleeps" not in target  # a stale span is not marked
    lines = side.splitlines()
    assert ("    ~ confidence 0.70; untranslated: oponían (es, pivot), fermement (fr), "
            "multipolaire (fr)") in lines
    assert "    ~ confidence 0.50; untranslated: " + HOSTILE + " (fr)" in lines
    assert not any("confidence 1.00" in line for line in lines)  # nothing to say: no line
    mean = quality.summary(leftover_result().segments)["confidence"]
    assert lines[1].startswith(f"confidence {mean:.2f}, lowest 0.50")
    assert "; 4 words left untranslated, marked ⟦ ⟧; review first: 3, 1" in lines[1]


@pytest.mark.parametrize("width", [44, 61, 80, 120])
def test_side_by_side_marks_count_in_the_column_width_and_stay_with_their_word(width):
    side = to_side_by_side(leftover_result(), width=width)
    column = max(20, (width - 7) // 2)
    rows = [line for line in side.splitlines() if " | " in line]
    assert {line.index(" | ") for line in rows} == {4 + column}  # the separator never moves
    assert all(len(piece) <= column for piece in right_column(side))
    mine = [line for line in side.splitlines()[1:] if " | " not in line]  # header, ~ lines
    assert all(len(line) <= max(width, 2 * column + 7) for line in mine)
    marked = re.findall(f"{OPEN}[^{CLOSE}]*{CLOSE}", "\n".join(right_column(side)))
    assert {"⟦fermement⟧", "⟦multipolaire⟧", "⟦oponían⟧"} <= set(marked)  # never split


def test_tsv_has_confidence_and_untranslated_columns_after_the_old_ones():
    rows = render(leftover_result(), "tsv").splitlines()
    assert rows[0].split("\t") == ["index", "paragraph", "source", "target", "confidence",
                                   "untranslated"]
    assert rows[1].split("\t")[4:] == ["0.7", "oponían fermement multipolaire"]
    assert rows[2].split("\t")[4:] == ["1.0", ""]


def test_side_by_side_shows_words_of_a_segment_not_rated():
    result = leftover_result()
    result.segments[0].confidence = None
    lines = to_side_by_side(result, width=200).splitlines()
    assert "    ~ untranslated: oponían (es, pivot), fermement (fr), multipolaire (fr)" in lines


def test_text_stays_the_plain_translation():
    assert render(leftover_result(), "text") == leftover_result().target_text


def test_tmx_units_carry_confidence_and_one_prop_per_leftover():
    result = leftover_result()
    doc = tmx_is_valid(render(result, "tmx"))
    units = doc.findall(".//tu")
    assert units[0].find("prop[@type='x-confidence']").text == "0.7"
    words = [json.loads(p.text) for p in units[0].findall("prop[@type='x-untranslated']")]
    # The JSON entries (word, span, kind, step, language), but not the stale one.
    assert words == result.segments[0].untranslated[:3]
    assert units[1].findall("prop[@type='x-untranslated']") == []
    assert json.loads(units[2].find("prop[@type='x-untranslated']").text)["word"] == HOSTILE
    assert [p.get("type") for p in units[0].findall("prop")][:4] == [
        "x-segment", "x-paragraph", "x-origin", "x-confidence"]


def test_xliff_notes_say_each_leftover_and_each_confidence():
    doc = xliff_is_valid(render(leftover_result(), "xliff"))
    x, nt = f"{{{XLIFF_NS}}}", f"{{{NT_NS}}}"
    notes = doc.findall(f".//{x}unit/{x}notes/{x}note")
    untranslated = [n for n in notes if n.get("category") == "untranslated"]
    assert [(n.get(nt + "segment"), n.get(nt + "word"), n.get(nt + "start"), n.get(nt + "end"),
             n.get(nt + "kind"), n.get(nt + "language"), n.get(nt + "step")) for n in untranslated] == [
        ("s0", "oponían", "22", "29", "unknown", "es", "1"),
        ("s0", "fermement", "30", "39", "unknown", "fr", "0"),
        ("s0", "multipolaire", "52", "64", "unknown", "fr", "0"),
        ("s2", HOSTILE, "4", "34", "unknown", "fr", "0")]
    assert all(n.get("appliesTo") == "target" for n in untranslated)
    assert untranslated[0].text == "segment 1: 'oponían' left untranslated (unknown word; es, left by a pivot step)"
    confidence = {n.get(nt + "segment"): n.get(nt + "confidence")
                  for n in notes if n.get("category") == "confidence"}
    assert confidence == {"s0": "0.7", "s1": "1.0", "s2": "0.5"}
    document = doc.find(f"{x}file/{x}notes/{x}note[@category='confidence']")
    assert document.get(nt + "untranslated") == "4"
    assert document.text.startswith("document: confidence 0.")


def test_html_highlights_leftovers_escaped_and_shows_confidence():
    page = render(leftover_result(), "html")
    assert ('<mark class="untranslated" lang="es" title="left untranslated: unknown word '
            '(es, a pivot language)">oponían</mark>') in page
    assert '<mark class="untranslated" lang="fr" title="left untranslated: unknown word (fr)">' \
           'fermement</mark>' in page
    assert "<img src=x" not in page
    assert ('<mark class="untranslated" lang="fr" title="left untranslated: unknown word (fr)">'
            '&lt;img src=x onerror=&quot;alert(1)&quot;&gt;</mark>') in page
    assert "ghost" not in page
    assert '<tr class="low" id="s0"><td class="n">1<div class="c" title="confidence">0.70</div>' in page
    assert '<tr id="s1"><td class="n">2<div class="c" title="confidence">1.00</div>' in page
    assert "review first: 3, 1" in page


def test_html_marks_a_leftover_inside_a_glossary_term_with_both():
    result = leftover_result()
    seg = result.segments[0]
    start = seg.target.index("an order multipolaire")
    seg.terms = [{"source": "ordre multipolaire", "target": "an order multipolaire",
                  "source_span": [seg.source.index("ordre"), seg.source.index("ordre") + 18],
                  "target_span": [start, start + 21]}]
    page = render(result, "html")
    assert ('<mark title="ordre multipolaire">an order </mark><mark title="ordre multipolaire">'
            '<mark class="untranslated" lang="fr" title="left untranslated: unknown word (fr)">'
            'multipolaire</mark></mark>') in page


@pytest.fixture(scope="module")
def apertium_sample(tmp_path_factory):
    """The sample article translated French -> English on the real Apertium (fr->es->en)."""
    from translator.pipeline import Pipeline
    from translator.settings import Settings

    root = tmp_path_factory.mktemp("formats")
    pipeline = Pipeline.from_settings(Settings(models_dir=root / "models",
                                               argos_packages_dir=root / "argos"))
    try:
        yield pipeline.translate(SAMPLE.read_text(encoding="utf-8"), target="en", source="fr")
    finally:
        pipeline.close()


@needs_apertium
def test_every_format_shows_what_apertium_left_in_the_sample(apertium_sample):
    result = apertium_sample
    left_words = [(seg.index, entry) for seg in result.segments for entry in seg.untranslated]
    languages = {entry["language"] for _, entry in left_words}
    assert {"fr", "es"} <= languages  # French words of the first step, Spanish of the pivot
    assert any(entry["word"] == "fermement" for _, entry in left_words)

    side = to_side_by_side(result, width=100)
    column = "\n".join(right_column(side))
    for _, entry in left_words:
        assert f"{OPEN}{entry['word']}{CLOSE}" in column
    assert f"{OPEN}fermement{CLOSE}" in column and "(es, pivot)" in side

    tmx = tmx_is_valid(render(result, "tmx"))
    props = [json.loads(p.text) for p in tmx.iterfind(".//prop[@type='x-untranslated']")]
    assert props == [entry for _, entry in left_words]
    assert len(tmx.findall(".//prop[@type='x-confidence']")) == len(result.segments)

    xliff = xliff_is_valid(render(result, "xliff"))
    notes = xliff.findall(f".//{{{XLIFF_NS}}}note[@category='untranslated']")
    assert [n.get(f"{{{NT_NS}}}word") for n in notes] == [entry["word"] for _, entry in left_words]

    page = render(result, "html")
    assert page.count('<mark class="untranslated"') == len(left_words)
    assert page.count('<div class="c" title="confidence">') == len(result.segments)

    tsv = render(result, "tsv").splitlines()[1:]
    words = " ".join(row.split("\t")[5] for row in tsv).split()
    assert words == [entry["word"] for _, entry in left_words]


def test_every_writer_the_registry_declares_exists_and_renders():
    """A format record names its writers by path: each must import, and each result
    writer must render a real result (a typo in the registry fails here, not in use)."""
    from translator.formats import registry

    for form in registry.FORMATS.values():
        for subject in form.writers:
            assert callable(form.writer(subject)), (form.name, subject)
        if "result" in form.writers:
            assert form.write("result", result())
        if "results" in form.writers:
            assert form.write("results", [result(), result()])
    with pytest.raises(registry.UnknownFormat, match="unknown format 'pdf'; choose one of json, "
                                                     "tmx, xliff, tsv, html, text, side-by-side"):
        registry.get("pdf", "result")
