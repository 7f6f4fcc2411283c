"""HTML translated block by block with inline tags on the right words
(translator/formats/markup.py). The translation is a table here, standing in for an
engine: placement is what is tested; tests/test_libre.py runs it on real Apertium."""

from __future__ import annotations

import pytest

from translator.formats.markup import translate_html

TABLE = {
    "Le chat noir dort.": "The black cat sleeps.",
    "chat": "cat",
    "Poutine a vu Poutine.": "Putin saw Putin.",
    "Poutine": "Putin",
    "Le chat dort.": "The cat sleeps.",
    "dort": "sleep",  # alone, not the form the sentence has: cannot be placed
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
