"""Renderings of one aligned result."""

import xml.etree.ElementTree as ET

from translator.formats import render
from translator.formats.tmx import XML_LANG, Unit, tmx_document
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
    assert tsv[0] == "index\tparagraph\tsource\ttarget"
    assert tsv[1] == "0\t0\tLe chat dort.\tThe cat sleeps."
    side = render(result(), "side-by-side")
    assert "Le chat dort." in side and "| The cat sleeps." in side
