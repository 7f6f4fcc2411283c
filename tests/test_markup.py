"""HTML translated block by block with inline tags on the right words
(translator/formats/markup.py). The translation is a table here, standing in for an
engine: placement is what is tested; the last tests and tests/test_libre.py run it on
real Apertium."""

from __future__ import annotations

import pytest

from translator.engines.apertium import ApertiumEngine
from translator.formats.markup import MarkProbes, translate_html

TABLE = {
    "Le chat noir dort.": "The black cat sleeps.",
    "chat": "cat",
    "Poutine a vu Poutine.": "Putin saw Putin.",
    "Poutine": "Putin",
    "Le chat dort.": "The cat sleeps.",
    "dort": "sleep",  # alone, not the form the sentence has: cannot be placed
    # Apertium's, fr->es->en: a verb alone gains a subject, "Nous" alone is "Us"
    "Nous mangeons des pommes.": "We eat apples.",
    "mangeons": "We eat",
    "Nous": "Us",
    "Nous mangeons": "We eat",
    "des pommes.": "Some apples.",
    # the words before a mark, and with it, begin the sentence's translation
    "Le président Poutine a parlé.": "The president Putin has spoken.",
    "Le président": "The president",
    "Le président Poutine a parlé": "The president Putin has spoken",
    "a parlé": "It has spoken",
}


def table(texts: list[str]) -> list[str]:
    return [TABLE.get(t, t) for t in texts]


@pytest.mark.parametrize("source, expected", [
    ("<p>Le <b>chat</b> noir dort.</p>", "<p>The black <b>cat</b> sleeps.</p>"),
    ("<p>Poutine a vu <b>Poutine</b>.</p>", "<p>Putin saw <b>Putin</b>.</p>"),
    ("<p><b>Poutine</b> a vu Poutine.</p>", "<p><b>Putin</b> saw Putin.</p>"),
    ('<p class="a" data-x="Le chat">Le <a href="/?a=1&amp;b">chat</a> noir dort.</p>',
     '<p class="a" data-x="Le chat">The black <a href="/?a=1&amp;b">cat</a> sleeps.</p>'),
    ("<div>Le chat noir dort.<a id=x></a></div>", "<div>The black cat sleeps.<a id=x></a></div>"),
    ("<p>2024 &nbsp;&copy;</p><script>if (a<b) x='<b>chat</b>'</script><!-- Le chat -->",
     "<p>2024 &nbsp;&copy;</p><script>if (a<b) x='<b>chat</b>'</script><!-- Le chat -->"),
    ("  <p> Le <b>chat</b> noir dort. </p>\n", "  <p> The black <b>cat</b> sleeps. </p>\n"),
])
def test_tags_stay_on_the_words_that_translate_theirs(source, expected):
    assert translate_html(source, table) == (expected, [])


def test_a_mark_that_cannot_be_placed_goes_around_the_whole_block_with_a_warning():
    out, warnings = translate_html("<p>Le chat <i>dort</i>.</p>", table)
    assert out == "<p><i>The cat sleeps.</i></p>"
    assert warnings == ["could not place <i> around the translation of 'dort': the tag is kept "
                        "around the whole block"]


def test_unclosed_inline_tags_end_with_their_block():
    out, _ = translate_html("<p>Le <b>chat noir dort.</p>", table)
    assert out.startswith("<p>") and out.endswith("</p>") and "The black cat sleeps." in out.replace(
        "<b>", "").replace("</b>", "")


def test_entities_of_the_source_are_written_as_entities():
    TABLE["Le chat&dort"] = "The cat&sleeps"
    try:
        out, _ = translate_html("<p>Le chat&amp;dort</p>", table)
    finally:
        del TABLE["Le chat&dort"]
    assert out == "<p>The cat&amp;sleeps</p>"


def test_a_mark_whose_words_alone_gain_a_neighbours_translation_is_not_spread_onto_it():
    """The audit's case: "mangeons" alone is "We eat", which the sentence holds; "We" is the
    translation of "Nous", outside the mark."""
    out, warnings = translate_html("<p>Nous <i>mangeons</i> des pommes.</p>", table)
    assert out == "<p><i>We eat apples.</i></p>"
    assert warnings == ["could not place <i> around the translation of 'mangeons': the tag is "
                        "kept around the whole block"]


def test_the_words_before_a_mark_and_with_it_place_it_by_their_difference():
    out, warnings = translate_html("<p>Le président <b>Poutine a parlé</b>.</p>", table)
    assert (out, warnings) == ("<p>The president <b>Putin has spoken</b>.</p>", [])


def test_the_pieces_that_place_marks_are_one_call_marked_as_probes():
    calls = []

    def recording(texts):
        calls.append(texts)
        return table(texts)

    translate_html("<p>Le <b>chat</b> noir dort.</p><p>Le président <b>Poutine a parlé</b>.</p>"
                   "<p>Nous <i>mangeons</i> des pommes.</p>", recording)
    assert len(calls) == 2 and not isinstance(calls[0], MarkProbes)
    assert isinstance(calls[1], MarkProbes) and "Le président Poutine a parlé" in calls[1]


@pytest.fixture(scope="module")
def apertium_fr_en():
    if not ApertiumEngine.available():
        pytest.skip("apertium not installed")
    engine = ApertiumEngine()
    yield lambda texts: [engine.translate_batch(engine.translate_batch(texts, "fr", "es"),
                                                "es", "en")][0] if texts else []
    engine.close()


@pytest.mark.parametrize("source, expected", [
    ("<p>Il <b>a mangé</b> la pomme.</p>", "<p><b>It has eaten the apple.</b></p>"),
    ("<p>Nous <i>mangeons</i>.</p>", "<p><i>We eat.</i></p>"),
    ("<p>Le <b>chat</b> noir dort.</p>", "<p>The black <b>cat</b> sleeps.</p>"),
    ("<p>Le président <b>Vladimir Poutine</b> a déclaré que les deux pays <i>coopéreraient "
     "étroitement</i>.</p>", "<p>The president <b>Vladimir Putin</b> has declared that both "
     "countries <i>would cooperate closely</i>.</p>"),
])
def test_marks_on_real_apertium_are_on_their_words_or_around_the_block(apertium_fr_en, source,
                                                                       expected):
    out, warnings = translate_html(source, apertium_fr_en)
    assert out == expected
    assert len(warnings) == expected.startswith(("<p><b>", "<p><i>"))


def test_non_breaking_spaces_survive_apertium_as_entities(apertium_fr_en):
    out, _ = translate_html("<p>10&nbsp;000 euros et le chien&nbsp;: &laquo;&nbsp;oui&nbsp;"
                            "&raquo;</p>", apertium_fr_en)
    assert out == "<p>10&nbsp;000 euros and the dog&nbsp;: &laquo;&nbsp;yes&nbsp;&raquo;</p>"
