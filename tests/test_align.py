"""Bitext sentence alignment: real segmenter, real detector, real Apertium, real texts.

The fixtures in tests/data/align are short news reports written for these tests in
English, French and Vietnamese, each a translation of the others.
"""

import itertools
import json
import math
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

from cli_runner import run_cli

from translator.align import AlignOptions, align_sentences, align_texts, render_alignment
from translator.alignment import search as S
from translator.alignment.anchors import glossary_keys, sentence_keys
from translator.engines.apertium import ApertiumEngine
from translator.errors import (EmptyInput, InputTooLarge, InvalidEncoding, UnknownLanguage,
                               UnsupportedPair)
from translator.settings import Settings

# Apertium pipelines stay warm from one engine of the module to the next (tests/warm_apertium.py)
pytestmark = pytest.mark.usefixtures("warm_apertium")

DATA = Path(__file__).resolve().parent / "data" / "align"
needs_apertium = pytest.mark.skipif(not ApertiumEngine.available(), reason="apertium not installed")


def text(name: str, lang: str) -> str:
    return (DATA / f"{name}.{lang}.txt").read_text(encoding="utf-8")


def sentences(alignment, side):
    return [s.text for s in getattr(alignment, f"{side}_sentences")]


def beads(alignment):
    return [(b.type, b.source, b.target) for b in alignment.beads]


def check_spans(alignment):
    for bead in alignment.beads:
        for side in ("source", "target"):
            span, body = getattr(bead, f"{side}_span"), getattr(bead, f"{side}_text")
            full = getattr(alignment, f"{side}_text")
            if getattr(bead, side):
                assert full[span[0]:span[1]] == body
                sents = getattr(alignment, f"{side}_sentences")
                assert body.startswith(sents[getattr(bead, side)[0]].text)
                assert body.endswith(sents[getattr(bead, side)[-1]].text)
            else:
                assert span is None and body == ""
    covered_s = [i for b in alignment.beads for i in b.source]
    covered_t = [j for b in alignment.beads for j in b.target]
    assert covered_s == list(range(len(alignment.source_sentences)))
    assert covered_t == list(range(len(alignment.target_sentences)))


# --------------------------------------------------------------------------- clean bitexts


@pytest.mark.parametrize("source, target", [("fr", "en"), ("en", "fr"), ("vi", "fr"),
                                            ("fr", "vi"), ("en", "vi"), ("vi", "en")])
def test_translations_align_one_to_one_with_detected_languages(source, target):
    alignment = align_texts(text("floods", source), text("floods", target), mt="off")
    assert alignment.source_lang == source and alignment.target_lang == target
    assert alignment.detection["source"]["language"] == source
    assert [b.type for b in alignment.beads] == ["1-1"] * 12
    assert [b.source for b in alignment.beads] == [(i,) for i in range(12)]
    assert all(b.score > 0.8 and not b.low_confidence for b in alignment.beads)
    check_spans(alignment)
    assert alignment.summary["types"] == {"1-1": 12}
    assert alignment.settings["paragraph_anchors"] is True


def test_a_natural_merge_is_a_two_to_one_bead():
    # The Vietnamese segmenter keeps "... dệt may. Liệu ...?" together: 2 English sentences.
    alignment = align_texts(text("inflation", "en"), text("inflation", "vi"), "en", "vi", mt="off")
    assert beads(alignment)[5] == ("2-1", (5, 6), (5,))
    assert [b.type for b in alignment.beads].count("1-1") == 7
    check_spans(alignment)


def test_signals_that_fired_are_reported():
    alignment = align_texts(text("floods", "fr"), text("floods", "en"), "fr", "en", mt="off")
    first = alignment.beads[1]  # HANOÏ, 14 octobre ... 25 morts et 8 disparus
    assert {"length", "numbers", "dates", "paragraph"} <= set(first.signals)
    assert "identical" in alignment.beads[-1].signals  # www.redcross.org.vn
    assert "punctuation" in alignment.beads[9].signals  # Les digues tiendront-elles ?
    assert "names" in alignment.beads[6].signals  # Pham Minh Chinh


# --------------------------------------------------------------------------- perturbations


def _perturbed(lang):
    """The target with its 4th sentence deleted, a foreign sentence inserted after the
    8th, and the 10th and 11th merged into one sentence."""
    from translator.segment import segment

    doc = text("floods", lang)
    sents = segment(doc, lang)
    parts = [s.text for s in sents]
    merged = parts[9].rstrip("?？ ") + ", " + parts[10][0].lower() + parts[10][1:]
    foreign = segment(text("inflation", lang), lang)[2].text
    out = parts[:3] + parts[4:8] + [foreign] + parts[8:9] + [merged] + parts[11:]
    return "\n".join(out)  # one sentence a line: other paragraphs than the source's


@pytest.mark.parametrize("source, target", [("en", "fr"), ("vi", "fr"), ("fr", "vi"), ("fr", "en")])
def test_deletion_insertion_and_merge_are_found(source, target):
    alignment = align_texts(text("floods", source), _perturbed(target), source, target, mt="off")
    assert beads(alignment) == [
        ("1-1", (0,), (0,)), ("1-1", (1,), (1,)), ("1-1", (2,), (2,)),
        ("1-0", (3,), ()),
        ("1-1", (4,), (3,)), ("1-1", (5,), (4,)), ("1-1", (6,), (5,)), ("1-1", (7,), (6,)),
        ("0-1", (), (7,)),
        ("1-1", (8,), (8,)), ("2-1", (9, 10), (9,)), ("1-1", (11,), (10,))]
    check_spans(alignment)
    assert alignment.summary["unaligned_source"] == 1 and alignment.summary["unaligned_target"] == 1


def test_paragraphs_are_anchors_but_not_trusted_blindly():
    en = text("floods", "en")
    # the translation re-cut into paragraphs differently: two merged, one split
    fr = text("floods", "fr").replace("toits.\n\n« C'est", "toits. « C'est")
    fr = fr.replace("endommagées. Le gouvernement", "endommagées.\n\nLe gouvernement")
    alignment = align_texts(en, fr, "en", "fr", mt="off")
    assert [b.type for b in alignment.beads] == ["1-1"] * 12
    assert alignment.settings["paragraph_anchors"] is True
    # one side without paragraphs at all: the signal is off, the alignment unchanged
    body = en.split("\n\n", 1)[1]  # (no title: it has no period to end it in running text)
    flat = " ".join(text("floods", "fr").split("\n\n", 1)[1].split())
    alignment = align_texts(body, flat, "en", "fr", mt="off")
    assert alignment.settings["paragraph_anchors"] is False
    assert [b.type for b in alignment.beads] == ["1-1"] * 11


def test_lengths_alone_still_align():
    alignment = align_texts(text("floods", "vi"), text("floods", "fr"), "vi", "fr", mt="off",
                            options=AlignOptions(anchors=False, paragraphs=False))
    assert alignment.settings["signals"] == ["length"]
    assert [b.type for b in alignment.beads] == ["1-1"] * 12


# --------------------------------------------------------------------------- glossary and MT

_VI = ["Bộ Y tế cho biết số ca mắc sốt xuất huyết tăng mạnh trong tuần qua.",
       "Ngân hàng Nhà nước giữ nguyên lãi suất điều hành sau cuộc họp thường kỳ.",
       "Sở Giao thông vận tải đề xuất cấm xe tải vào nội đô giờ cao điểm.",
       "Bộ Giáo dục công bố lịch thi tốt nghiệp trung học phổ thông năm nay.",
       "Tổng cục Du lịch dự báo lượng khách quốc tế sẽ tiếp tục tăng."]
_FR = ["Le ministère de la Santé indique que les cas de dengue ont fortement augmenté cette semaine.",
       "La Banque d'État maintient son taux directeur après sa réunion ordinaire.",
       "Le service des Transports propose d'interdire les camions en centre-ville aux heures de pointe.",
       "Le ministère de l'Éducation publie le calendrier des examens de fin d'études secondaires.",
       "L'Office du tourisme prévoit que le nombre de visiteurs étrangers continuera d'augmenter."]
_GLOSSARY = [("Bộ Y tế", "ministère de la Santé"), ("Ngân hàng Nhà nước", "Banque d'État"),
             ("Sở Giao thông vận tải", "service des Transports"),
             ("Bộ Giáo dục", "ministère de l'Éducation"), ("Tổng cục Du lịch", "Office du tourisme")]


@pytest.mark.parametrize("dropped", [0, 1, 4])
def test_glossary_pairs_find_the_dropped_sentence(dropped):
    # Similar lengths, no number, no shared name: only the glossary tells which went missing.
    target = " ".join(f for k, f in enumerate(_FR) if k != dropped)
    alignment = align_texts(" ".join(_VI), target, "vi", "fr", glossary=_GLOSSARY, mt="off")
    assert [b.source for b in alignment.beads if b.type == "1-0"] == [(dropped,)]
    assert all("glossary" in b.signals for b in alignment.beads if b.type == "1-1")
    assert alignment.settings["glossary_pairs"] == 5


_FR_PLAIN = ["Le chat dort sur le canapé depuis le matin.",
             "Mon voisin a acheté une voiture rouge hier soir.",
             "Les enfants jouent dans le jardin avec le chien.",
             "Nous avons mangé du poisson et des légumes à midi.",
             "Elle lit un livre sous l'arbre près de la rivière.",
             "Le boulanger ouvre sa boutique très tôt le matin."]
_EN_PLAIN = ["The cat has been sleeping on the sofa since morning.",
             "My neighbour bought a red car last night.",
             "The children are playing in the garden with the dog.",
             "We ate fish and vegetables at noon.",
             "She is reading a book under the tree near the river.",
             "The baker opens his shop very early in the morning."]


@pytest.fixture(scope="module")
def pipeline():
    from translator.pipeline import Pipeline

    pipeline = Pipeline.from_settings(Settings())
    yield pipeline
    pipeline.close()  # its Apertium processes


@needs_apertium
@pytest.mark.parametrize("dropped", [2, 3, 5])
def test_machine_translation_through_apertium_finds_what_lengths_miss(pipeline, dropped):
    target = " ".join(e for k, e in enumerate(_EN_PLAIN) if k != dropped)
    source = " ".join(_FR_PLAIN)
    alone = align_texts(source, target, "fr", "en", pipeline=pipeline, mt="off")
    assert alone.settings["machine_translation"] is None
    assert not any(b.type == "1-0" for b in alone.beads)  # lengths merge it into a 2-1
    helped = align_texts(source, target, "fr", "en", pipeline=pipeline)  # mt="auto"
    route = helped.settings["machine_translation"]["route"]
    assert route["pivots"] == ["es"] and route["steps"][0]["engine"] == "apertium"
    assert [b.source for b in helped.beads if b.type == "1-0"] == [(dropped,)]
    assert "translation" in helped.settings["signals"]
    assert all("translation" in b.signals for b in helped.beads if b.type == "1-1")


def test_machine_translation_is_off_without_a_route(pipeline):
    alignment = align_texts(text("floods", "vi"), text("floods", "fr"), pipeline=pipeline)
    assert alignment.settings["machine_translation"] is None
    assert "translation" not in alignment.settings["signals"]
    with pytest.raises(UnsupportedPair):
        align_texts(text("floods", "vi"), text("floods", "fr"), pipeline=pipeline, mt="on")
    with pytest.raises(UnsupportedPair):
        align_texts(text("floods", "vi"), text("floods", "fr"), mt="on")


def test_a_translate_callable_is_called_once_with_the_source_sentences():
    calls = []
    known = dict(zip(_FR_PLAIN, _EN_PLAIN))

    def translate(batch):
        calls.append(list(batch))
        return [known[s] for s in batch]

    alignment = align_texts(" ".join(_FR_PLAIN), " ".join(_EN_PLAIN), "fr", "en",
                            translate=translate)
    assert calls == [_FR_PLAIN]
    assert alignment.settings["machine_translation"] == {"direction": "source->target"}
    assert all("translation" in b.signals for b in alignment.beads)
    assert [b.type for b in alignment.beads] == ["1-1"] * 6


# --------------------------------------------------------------------------- outputs


def test_to_dict_is_the_json_output():
    alignment = align_texts(text("inflation", "fr"), text("inflation", "en"), mt="off")
    body = json.loads(render_alignment(alignment, "json"))
    assert body == json.loads(json.dumps(alignment.to_dict()))
    assert set(body) >= {"source_lang", "target_lang", "detection", "source_text", "target_text",
                         "source_sentences", "target_sentences", "beads", "summary", "warnings",
                         "settings"}
    bead = body["beads"][1]
    assert set(bead) == {"index", "type", "source", "target", "source_span", "target_span",
                         "source_text", "target_text", "score", "low_confidence", "signals"}
    assert body["source_text"][slice(*bead["source_span"])] == bead["source_text"]
    assert body["summary"]["beads"] == len(body["beads"])
    assert body["summary"]["time_ms"]["total"] > 0


def test_tsv_tmx_and_side_by_side():
    source = " ".join(_VI)
    target = " ".join(f for k, f in enumerate(_FR) if k != 1)
    alignment = align_texts(source, target, "vi", "fr", glossary=_GLOSSARY, mt="off")
    rows = render_alignment(alignment, "tsv").splitlines()
    assert rows[0].split("\t") == ["index", "type", "score", "low_confidence", "source_sentences",
                                   "target_sentences", "source", "target"]
    assert len(rows) == 1 + len(alignment.beads)
    assert rows[2].split("\t")[1] == "1-0" and rows[2].split("\t")[-1] == ""
    tmx = ET.fromstring(render_alignment(alignment, "tmx").split("\n", 2)[2])
    units = tmx.findall("./body/tu")
    assert len(units) == len(alignment.beads) - 1  # the 1-0 bead has no unit
    langs = [tuv.get("{http://www.w3.org/XML/1998/namespace}lang") for tuv in units[0].findall("tuv")]
    assert langs == ["vi", "fr"]
    side = render_alignment(alignment, "side-by-side")
    assert "vi <-> fr" in side.splitlines()[0]
    assert "Bộ Y tế" in side and "| Le ministère de la Santé" in side
    assert "   2!1-0 Ngân hàng" in side


def test_low_confidence_beads_get_a_note_in_tmx():
    # Two unrelated texts: nothing supports the pairs, and the scores say so.
    alignment = align_texts(text("floods", "en"), text("inflation", "fr"), "en", "fr", mt="off")
    flagged = [b for b in alignment.beads if b.low_confidence]
    assert flagged and alignment.summary["low_confidence"] == len(flagged)
    tmx = render_alignment(alignment, "tmx")
    assert "low-confidence alignment" in tmx


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("source, target, side", [("", "Hello.", "source"), ("Bonjour.", "  \n", "target")])
def test_an_empty_side_is_a_clear_error(source, target, side):
    with pytest.raises(EmptyInput, match=f"^{side} text: text is empty"):
        align_texts(source, target)


def test_binary_input_is_refused():
    with pytest.raises(InvalidEncoding, match="target text: input is not valid UTF-8"):
        align_texts("Bonjour.", bytes(range(256)))
    with pytest.raises(InvalidEncoding, match="source text looks like binary data"):
        align_texts("\x00\x01\x02ELF\x00\x00" * 50, "Hello.")


def test_too_large_and_unknown_language_are_clear_errors():
    with pytest.raises(InputTooLarge):
        align_texts("a" * 50, "b", settings=Settings(max_chars=10))
    with pytest.raises(UnknownLanguage):
        align_texts("Bonjour.", "Hello.", "xx", "en")


def test_identical_texts_align_one_to_one_with_a_warning():
    doc = text("floods", "vi")
    alignment = align_texts(doc, doc, mt="off")
    assert [b.type for b in alignment.beads] == ["1-1"] * 12
    assert all(b.score > 0.99 for b in alignment.beads)
    assert any("both texts are in Vietnamese" in w for w in alignment.warnings)


def test_two_versions_in_one_language_show_the_edit():
    doc = text("floods", "en")
    edited = doc.replace("Soldiers and volunteers used boats to evacuate residents trapped on "
                         "rooftops.", "")
    edited = edited.replace("The Red Cross", "Meanwhile, the aid agency said it needed help. "
                            "The Red Cross")
    alignment = align_texts(doc, edited, mt="off")
    assert alignment.source_lang == alignment.target_lang == "en"
    types = [b.type for b in alignment.beads]
    assert types.count("1-0") == 1 and types.count("0-1") == 1
    assert alignment.beads[types.index("1-0")].source_text.startswith("Soldiers")
    assert alignment.beads[types.index("0-1")].target_text.startswith("Meanwhile")


def test_one_side_far_longer_than_the_other():
    short = text("inflation", "fr")
    long = "\n\n".join([text("floods", "en")] * 30 + [text("inflation", "en")])
    started = time.perf_counter()
    alignment = align_texts(short, long, "fr", "en", mt="off")
    assert time.perf_counter() - started < 30  # no hang (generous: CI machines are shared)
    assert alignment.summary["unaligned_target"] >= len(alignment.target_sentences) - 12
    assert any("times longer" in w for w in alignment.warnings)
    # the article is found at the end, where it is
    matched = [b for b in alignment.beads if b.source and b.target]
    assert matched and min(j for b in matched for j in b.target) >= 30 * 12 - 5
    check_spans(alignment)


def test_very_long_sentences_without_punctuation():
    words = ("lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor "
             "incididunt ut labore et dolore magna aliqua ").split()
    source = " ".join(itertools.islice(itertools.cycle(words), 6000))
    target = " ".join(itertools.islice(itertools.cycle(reversed(words)), 5000))
    alignment = align_texts(source, target, "fr", "en", mt="off")
    assert len(alignment.source_sentences) > 10  # the run-on guard cut them
    check_spans(alignment)


def test_undetectable_languages_still_align_on_lengths():
    alignment = align_texts("2024-06-19 12:00 ... 45 %\n\n100 200 300", "2024-06-19 12:00\n\n100 200 300",
                            mt="off")
    assert alignment.source_lang is None and alignment.target_lang is None
    assert any("language not detected" in w for w in alignment.warnings)
    check_spans(alignment)


# --------------------------------------------------------------------------- the search


def _problem_and_model(src, tgt, **options):
    captured = {}
    original = S.align_problem

    def spy(problem, model, refit=True):
        path, fitted = original(problem, model, refit)
        captured.update(problem=problem, model=fitted, path=path)
        return path, fitted

    import translator.alignment.aligner as aligner

    aligner.align_problem = spy
    try:
        align_sentences(src, tgt, options=AlignOptions(**options),
                        source_paragraphs=[0] * 2 + [1] * (len(src) - 2),
                        target_paragraphs=[0] + [1] * (len(tgt) - 1))
    finally:
        aligner.align_problem = original
    return captured["problem"], captured["model"], captured["path"]


def _all_paths(n, m):
    if n == 0 and m == 0:
        yield []
        return
    for t, (a, b) in enumerate(S.TYPES):
        if a <= n and b <= m:
            for path in _all_paths(n - a, m - b):
                yield path + [(t, (n, m))]


@pytest.mark.parametrize("n, m", [(3, 3), (4, 2), (2, 5), (5, 4)])
def test_best_path_and_posteriors_equal_brute_force(n, m):
    from translator.segment import segment

    src = [s.text for s in segment(text("floods", "fr"), "fr")][:n]
    tgt = [s.text for s in segment(text("floods", "vi"), "vi")][2:2 + m]
    problem, model, path = _problem_and_model(src, tgt, temperature=1.5)
    band = S.Band.full(n, m)
    costs = S._Costs(problem, band, model)

    def cell(i, j):
        return int(band.off[i] + j - band.lo[i])

    def point(i, j):
        return costs.point[cell(i, j)] if costs.point is not None else 0.0

    def bead(t, i, j):
        return costs.c01 if t == S.T01 else costs.c10 if t == S.T10 else costs.match[t][cell(i, j)]

    scored = [(point(0, 0) + sum(bead(t, i, j) + point(i, j) for t, (i, j) in p), p)
              for p in _all_paths(n, m)]
    best = min(scored, key=lambda x: x[0])[1]
    assert list(zip(path.types, path.ends)) == best
    log_z = np.logaddexp.reduce([-c / model.temperature for c, _ in scored])
    for (t, end), posterior in zip(best, path.posteriors):
        mass = np.logaddexp.reduce([-c / model.temperature for c, p in scored if (t, end) in p])
        assert posterior == pytest.approx(math.exp(mass - log_z), abs=1e-9)


def _long_bitext(count):
    """``count`` real sentence pairs (the fixtures, numbered so no two are the same)."""
    from translator.segment import segment

    pairs = []
    for name in ("floods", "inflation"):
        fr = [s.text for s in segment(text(name, "fr"), "fr")]
        en = [s.text for s in segment(text(name, "en"), "en")]
        pairs += [(f, e) for f, e in zip(fr, en)] if len(fr) == len(en) else []
    src, tgt = [], []
    for k in range(count):
        f, e = pairs[k % len(pairs)]
        src.append(f"{f} ({k})")
        tgt.append(f"{e} ({k})")
    return src, tgt


def test_the_coarse_to_fine_corridor_finds_the_full_search_path():
    src, tgt = _long_bitext(700)
    del tgt[300:330]  # a block deletion the corridor must follow
    tgt[500:500] = ["An inserted sentence that translates nothing at all."] * 5
    problem, model, path = _problem_and_model(src, tgt)
    assert (problem.n + 1) * (problem.m + 1) > S.FULL_CELLS  # the corridor was used
    full = S.search(problem, S.Band.full(problem.n, problem.m), model, posteriors=False)
    assert list(zip(path.types, path.ends)) == list(zip(full.types, full.ends))
    assert path.types.count(S.T10) == 30 and path.types.count(S.T01) == 5


def test_three_thousand_by_three_thousand_completes():
    src, tgt = _long_bitext(3000)
    del tgt[1000]
    raw = align_sentences(src, tgt, source_lang="fr", target_lang="en")
    assert sum(len(b.source) for b in raw.beads) == 3000
    assert [b.type for b in raw.beads].count("1-1") >= 2990
    assert [b.source for b in raw.beads if b.type == "1-0"] == [(1000,)]


# --------------------------------------------------------------------------- anchors


def test_numbers_and_dates_survive_translation():
    fr = sentence_keys("Le 19 juin 2024, 1 500 soldats et 3,2 % de hausse.", "fr")
    en = sentence_keys("On June 19, 2024, 1,500 soldiers and a 3.2% rise.", "en")
    vi = sentence_keys("Ngày 19 tháng 6 năm 2024, 1.500 binh sĩ và tăng 3,2%.", "vi")
    for key in ("n:19", "n:2024", "n:1500", "n:3", "n:2", "d:m6", "p:%"):
        assert key in fr and key in en and key in vi, key


def test_identical_tokens_and_names():
    keys = sentence_keys("Selon l'OTAN, le site www.nato.int et debian/rules, M. Poutine a parlé "
                         "à Kim Jong Un sur son iPhone.", "fr")
    assert {"i:OTAN", "i:debian/rules", "i:iPhone", "a:poutine", "a:kim", "a:jong"} <= keys
    assert "a:selon" not in keys  # a capital at the start of a sentence proves nothing


def test_glossary_terms_match_whole_words_case_insensitively():
    found = glossary_keys(["Le Ministère de la Santé a parlé.", "Rien ici.", "La santé publique."],
                          ["ministère de la santé", "santé"])
    assert found == [{"g:0"}, set(), {"g:1"}]


# --------------------------------------------------------------------------- the command


def run(*args, stdin: bytes | None = None):
    return run_cli("align", *args, stdin=stdin)


def test_cli_json_with_detected_languages():
    proc = run(DATA / "floods.vi.txt", DATA / "floods.fr.txt", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    body = json.loads(proc.stdout)
    assert (body["source_lang"], body["target_lang"]) == ("vi", "fr")
    assert [b["type"] for b in body["beads"]] == ["1-1"] * 12
    assert body["settings"]["machine_translation"] is None  # no vi<->fr route


def test_cli_tsv_from_stdin_and_explicit_languages():
    proc = run("-", DATA / "inflation.en.txt", "--from", "fr", "--to", "en", "--format", "tsv",
               "--mt", "off", stdin=text("inflation", "fr").encode())
    assert proc.returncode == 0, proc.stderr
    rows = proc.stdout.decode().splitlines()
    assert len(rows) == 10 and rows[1].startswith("0\t1-1\t")


@needs_apertium
def test_cli_side_by_side_and_tmx_default_to_machine_translation_when_a_route_exists():
    proc = run(DATA / "floods.fr.txt", DATA / "floods.en.txt", "--format", "tmx")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.decode().count("<tu>") == 12
    proc = run(DATA / "floods.fr.txt", DATA / "floods.en.txt")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.decode().splitlines()
    assert lines[0].startswith("fr <-> en   12 beads (12 1-1)")


@pytest.mark.parametrize("args, stdin, message", [
    ([DATA / "floods.fr.txt", "-"], b"", "target text: text is empty"),
    (["-", DATA / "floods.fr.txt"], b"\xff\xfe\x00binary", "source text: input is not valid UTF-8"),
    (["-", "-"], b"x", "only one of SOURCE and TARGET"),
    ([DATA / "floods.fr.txt", "/nonexistent/file.txt"], None, "no such file"),
    ([DATA / "floods.fr.txt", DATA / "floods.en.txt", "--from", "xx"], None, "unknown language"),
])
def test_cli_errors_are_one_line_and_exit_2(args, stdin, message):
    proc = run(*args, "--mt", "off", stdin=stdin)
    err = proc.stderr.decode()
    assert proc.returncode == 2, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert message in err


def test_a_glossary_object_gives_name_anchors_in_both_languages():
    from translator.glossary import Entry, Glossary

    glossary = Glossary("names", [
        Entry("putin", {"fr": ("Vladimir Poutine", "Poutine"), "en": ("Vladimir Putin", "Putin")},
              type="person"),
        Entry("kp", {"fr": ("Corée du Nord",), "en": ("North Korea",)}, type="country")])
    source = ("Le président a parlé longtemps. Poutine est arrivé hier soir. "
              "La Corée du Nord a salué la visite.")
    target = ("The president spoke for a long time. Putin arrived last night. "
              "North Korea welcomed the visit.")
    alignment = align_texts(source, target, "fr", "en", glossary=glossary)
    beads = alignment.to_dict()["beads"]
    assert [b["type"] for b in beads] == ["1-1", "1-1", "1-1"]
    assert "glossary" in beads[1]["signals"] and "glossary" in beads[2]["signals"]
    assert alignment.to_dict()["settings"]["glossary_pairs"] == 2


def test_the_clis_mt_choices_are_the_aligners_modes():
    from translator import cli
    from translator.alignment.api import MT_MODES

    assert cli.MT_CHOICES == MT_MODES
