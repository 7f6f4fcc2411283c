"""Every XML writer gives a document an XML parser reads, whatever the text holds: random
Unicode (controls, U+FFFE, U+FFFF, lone surrogates included) through TMX, XLIFF and TBX,
and the translation memory's TMX export (from a real SQLite file), parsed with lxml."""

from __future__ import annotations

import itertools
import re

import pytest
from hypothesis import given, settings, strategies as st
from lxml import etree

from translator.formats import xmlchars
from translator.formats.tmx import Unit, tmx_document
from translator.formats.writers import render
from translator.glossary import Entry, Glossary
from translator.glossary.writers import write_tbx
from translator.result import Segment, TranslationResult
from translator.store import Store
from translator.store.memory_tmx import export_tmx

# Every code point, surrogates included (hypothesis leaves them out unless asked).
ANY_CHAR = st.characters(min_codepoint=0, max_codepoint=0x10FFFF, categories=None,
                         exclude_categories=())
HOSTILE = st.sampled_from(["\x00", "\x01", "\x0b", "\x1f", "\ufffe", "\uffff", "\ud800", "\udfff",
                           "\x85", "<", "&", "]]>", "\t", "\r\n"])
TEXT = st.lists(st.one_of(ANY_CHAR, HOSTILE), min_size=1, max_size=40).map("".join)


def parses(document: str) -> etree._Element:
    # encode() itself fails on a lone surrogate: the writer must not let one through.
    return etree.fromstring(document.encode("utf-8"))


def result_of(pairs: list[tuple[str, str]], warning: str) -> TranslationResult:
    segments, sources, targets = [], [], []
    source_at = target_at = 0
    for index, (source, target) in enumerate(pairs):
        segments.append(Segment(
            index, index // 2, source, target, (source_at, source_at + len(source)),
            (target_at, target_at + len(target)), "fr", warnings=[warning],
            terms=[{"source": source[:3], "target": target[:3], "source_span": [0, len(source[:3])],
                    "target_span": [0, len(target[:3])]}],
            untranslated=[{"word": target[:2], "target_span": [0, len(target[:2])],
                           "kind": "unknown", "step": 0, "language": "fr"}] if target[:2].strip() else [],
            confidence=0.5))
        sources.append(source)
        targets.append(target)
        source_at += len(source) + 1
        target_at += len(target) + 1
    return TranslationResult(" ".join(sources), " ".join(targets), "fr", "en", segments,
                             route={"source": "fr", "target": "en", "pivots": [], "steps": []},
                             warnings=[warning])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(TEXT, TEXT), min_size=1, max_size=4), TEXT)
def test_tmx_and_xliff_of_any_text_parse(pairs, warning):
    result = result_of(pairs, warning)
    tmx = parses(render(result, "tmx"))
    parses(render(result, "xliff"))
    # What TMX left out is said in a note of its unit; everything else is kept.
    for unit, (source, target) in zip(tmx.iter("tu"), pairs):
        segs = ["".join(seg.itertext()) for seg in unit.iter("seg")]
        assert segs == [unix_lines(xmlchars.xml_text(source)), unix_lines(xmlchars.xml_text(target))]
        if xmlchars.dropped(source + target):
            assert any("cannot carry" in note.text for note in unit.iter("note"))


def unix_lines(text: str) -> str:
    # An XML parser reads CR LF and CR as LF (XML 1.0, 2.11).
    return text.replace("\r\n", "\n").replace("\r", "\n")


@settings(max_examples=60, deadline=None)
@given(TEXT, TEXT, TEXT, st.dictionaries(TEXT, TEXT, max_size=3))
def test_tmx_units_with_any_note_and_props_parse(source, target, note, props):
    parses(tmx_document([Unit(source, target, note=note, props=props)], "fr", "en"))


@settings(max_examples=40, deadline=None)
@given(TEXT, TEXT, TEXT)
def test_tbx_of_any_ids_notes_and_names_parses(name, entry_id, note):
    glossary = Glossary(name, [Entry(entry_id, {"fr": ("chat",), "en": ("cat",)}, note=note)])
    parses(write_tbx(glossary))


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    store = Store(tmp_path_factory.mktemp("xml") / "translator.db")
    yield store
    store.close()


# What the memory can hold: any text but lone surrogates (no UTF-8 store holds one; the
# service refuses them at the door), and not blank (nothing stores an empty side).
STORABLE = TEXT.map(lambda text: re.sub("[\ud800-\udfff]", "", text)).filter(str.strip)
_desks = itertools.count()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(STORABLE, STORABLE), min_size=1, max_size=4), STORABLE)
def test_memory_tmx_export_of_any_text_parses(store, pairs, writer):
    desk = f"x{next(_desks)}"  # one desk per example: its export holds only these pairs
    pairs = list(dict(pairs).items())  # one entry per source
    for source, target in pairs:
        store.memory.add("fr", "en", source, target, desk=desk, by=writer)
    tmx = etree.fromstring(export_tmx(store.memory, desk))
    units = tmx.findall("body/tu")
    assert len(units) == len(pairs)
    for unit, (source, target) in zip(units, pairs):
        segs = ["".join(seg.itertext()) for seg in unit.iter("seg")]
        # lxml writes a carriage return as &#13;: the text comes back whole
        assert segs == [xmlchars.xml_text(source), xmlchars.xml_text(target)]
        lost = xmlchars.dropped(writer + source + target)
        notes = [note.text for note in unit.iter("note")]
        assert notes == ([xmlchars.warning(lost)] if lost else [])
        assert unit.get("creationid") in (xmlchars.xml_text(writer) or None, None)


def test_xml_forbidden_characters_are_exactly_xml_1_0s():
    allowed = {"\t", "\n", "\r"} | {chr(c) for c in range(0x20, 0xD800)} | \
              {chr(c) for c in range(0xE000, 0xFFFE)} | {chr(0x10000), chr(0x10FFFF)}
    forbidden = {chr(c) for c in range(0x20) if chr(c) not in "\t\n\r"} | \
                {chr(c) for c in range(0xD800, 0xE000)} | {"\ufffe", "\uffff"}
    assert not any(xmlchars.dropped(ch) for ch in allowed)
    assert all(xmlchars.dropped(ch) == [ch] for ch in forbidden)
