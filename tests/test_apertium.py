"""The Apertium engine, on the real Debian packages installed by scripts/setup.sh."""

import subprocess

import pytest
from hypothesis import given, settings as hsettings, strategies as st

from translator.engines.apertium import ApertiumEngine, deformat, parse_mode
from translator.errors import EngineError
from translator.router import Router
from test_isolation import TAGGER_PAIR

pytestmark = pytest.mark.skipif(not ApertiumEngine.available(), reason="apertium not installed")


@pytest.fixture(scope="module")
def apertium():
    engine = ApertiumEngine()
    yield engine
    engine.close()


def test_parse_mode_maps_apertium_codes_to_canonical_ones():
    assert parse_mode("fr-es") == ("fr", "es")
    assert parse_mode("spa-eng") == ("es", "en")
    assert parse_mode("spa-eng_US") is None  # a variant, not a pair of its own
    assert parse_mode("eco-fr-es") is None  # a debug mode
    assert parse_mode("fr-fr") is None


def test_installed_pairs_include_the_default_route(apertium):
    assert {("fr", "es"), ("es", "en")} <= apertium.pairs()


def test_batch_keeps_one_output_per_sentence_in_order(apertium):
    sentences = ["Le chat est noir.", "Bonjour, M. Dupont.", "La Russie et la Corée du Nord.",
                 "Symboles [x] $5 ^a@b.c/d\\e {y}."]
    out = apertium.translate_batch(sentences, "fr", "es")
    assert len(out) == len(sentences)
    assert out[0] == "El gato es negro."
    assert "Dupont" in out[1]
    assert "Rusia" in out[2] and "Corea del Norte" in out[2]
    assert "[x]" in out[3] and "$5" in out[3]


def test_marks_in_the_source_are_not_taken_for_apertiums(apertium):
    """A literal * # @ is sent as format, so only Apertium's own marks become leftovers."""
    [known, unknown] = apertium.translate(["Le *chat* est #noir et @gris.", "Le chat zorglub."],
                                          "fr", "es")
    assert known.text == "El *gato* es #negro y @gris." and known.leftovers == ()
    assert [unknown.text[lo.start:lo.end] for lo in unknown.leftovers] == ["zorglub"]
    assert unknown.text == "El gato zorglub."


def test_newlines_inside_a_sentence_do_not_shift_the_batch(apertium):
    out = apertium.translate_batch(["Le chat\nest noir.", "Le chien."], "fr", "es")
    assert out == ["El gato es negro.", "El perro."]


def test_empty_batch_and_unserved_pair(apertium):
    assert apertium.translate_batch([], "fr", "es") == []
    with pytest.raises(EngineError, match="no vi-en pair"):
        apertium.translate_batch(["Xin chào"], "vi", "en")


def test_french_to_english_goes_through_spanish(apertium):
    route = Router([apertium]).route("fr", "en")
    assert [(s.source, s.target) for s in route.steps] == [("fr", "es"), ("es", "en")]
    out = [o.text for o in route.translate(["Le président russe Vladimir Poutine est arrivé en Corée du Nord."])]
    assert "Russian president Vladimir Putin" in out[0]
    assert "North Korea" in out[0]


def test_close_stops_a_pipeline_that_was_translating_once_its_batch_ends(monkeypatch):
    """A batch job's engine thread may still be in a translation when the job's pipeline is
    closed: the Apertium processes it holds are stopped when it comes back, not kept (they
    ran on, pooled in the closed engine). The translation itself still comes back."""
    import threading

    from translator.engines import apertium

    started, in_flight, closed = [], threading.Event(), threading.Event()

    class Held(apertium._Pipeline):
        """A real pipeline whose first batch waits until the engine has been closed."""

        def __init__(self, *args):
            super().__init__(*args)
            started.append(self)

        def translate(self, units, cancelled=None):
            in_flight.set()
            closed.wait(10)
            return super().translate(units, cancelled)

    monkeypatch.setattr(apertium, "_Pipeline", Held)
    engine = ApertiumEngine()
    out = []
    worker = threading.Thread(target=lambda: out.append(engine.translate(["Le chien."], "fr", "es")))
    worker.start()
    assert in_flight.wait(10)
    engine.close()
    closed.set()
    worker.join(10)
    assert [o.text for o in out[0]] == ["El perro."]
    assert started[0].proc.poll() is not None, "the pipeline in flight at close() still runs"
    # The engine stays usable after close(): a new pipeline, stopped by the next close().
    assert engine.translate(["Le chien."], "fr", "es")[0].text == "El perro."
    engine.close()
    assert len(started) == 2 and started[1].proc.poll() is not None


def test_missing_binary_is_a_clear_error():
    engine = ApertiumEngine(binary="/nonexistent/apertium")
    assert engine.pairs() == set()
    with pytest.raises(EngineError, match="no fr-es pair"):
        engine.translate_batch(["Le chat."], "fr", "es")


@pytest.mark.parametrize("tagger", ["fix", "guard"])
def test_a_sentence_that_changes_the_tagger_does_not_change_the_next_one(tagger):
    """apertium-tagger rewrites its own open class when it meets a word of an ambiguity
    class it was not trained on ("Tales" in es-fr), and null-flush mode does not undo it:
    in Apertium's own warm pipeline the next sentence comes out otherwise. The engine loads
    a fix of that function into the tagger (tagger_fix.cpp), or, where it cannot be built,
    runs the tagger under tagger_guard.py, which replaces it when it changed."""
    apertium = ApertiumEngine(tagger=tagger, max_pipelines=1)
    first, second = TAGGER_PAIR
    script = subprocess.run(["apertium-wblank-mode", "-z", str(apertium.data_dir / "modes" / "es-fr.mode")],
                            capture_output=True, text=True, check=True).stdout

    def plain(units):  # the mode in null-flush mode, as Apertium and APY run it
        data = "".join(deformat(u) + "\0" for u in units).encode()
        return subprocess.run(["bash", "-c", script, "apertium", "-g", ""], input=data,
                              capture_output=True, check=True).stdout.split(b"\0")

    assert plain([first, second])[1] != plain([second])[0], "Apertium no longer carries the " \
        "tagger's state between units: tagger_guard can go"
    try:
        alone = apertium.translate([second], "es", "fr")[0]
        assert apertium.translate([first, second], "es", "fr")[1] == alone
        assert "ordre" in alone.text  # what a new process gives; "mandat" after the first
    finally:
        apertium.close()


def test_characters_its_stream_cannot_carry_go_around_it_and_come_back(apertium):
    """U+FFFF is ICU's end of file: Apertium ended the unit there ("apertium returned 2
    translations for 1 sentences"); a non-breaking space came back a space."""
    sentences = ["Le chat \uffff dort.", "10\u00a0000 euros et le chien\u00a0: «\u00a0oui\u00a0».",
                 "Le \ufffe chien\ufdd0 \U0010ffff dort \ud800.", "Le chien."]
    out = apertium.translate_batch(sentences, "fr", "es")
    assert out[0] == "El gato \uffff duerme."
    assert out[1] == "10\u00a0000 euros y el perro\u00a0: «\u00a0sí\u00a0»."
    assert [out[2].count(ch) for ch in "\ufffe\ufdd0\U0010ffff\ud800"] == [1, 1, 1, 1]
    assert out[3] == "El perro."


# Every kind of character, surrogates and noncharacters included, a few of them per text.
ANY_TEXT = st.lists(st.one_of(st.characters(codec=None, categories=None),
                              st.sampled_from("\uffff\ufffe\ufdd0\u00a0\u202f\x00\x07 .«»*[]\\"),
                              st.sampled_from(["Le chat", " dort", "Il a mangé", ". "])),
                    max_size=12).map("".join)


@hsettings(max_examples=25, deadline=None)
@given(st.lists(ANY_TEXT, min_size=1, max_size=4))
def test_any_text_gets_one_translation_per_sentence(apertium, texts):
    out = apertium.translate(texts + ["Le chien."], "fr", "es")
    assert len(out) == len(texts) + 1 and out[-1].text == "El perro."
    for text, done in zip(texts, out):
        for ch in "\uffff\ufffe\ufdd0":
            assert done.text.count(ch) == text.count(ch)
