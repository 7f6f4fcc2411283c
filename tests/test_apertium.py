"""The Apertium engine, on the real Debian packages installed by scripts/setup.sh."""

import pytest

from translator.engines.apertium import ApertiumEngine, parse_mode
from translator.errors import EngineError
from translator.router import Router

pytestmark = pytest.mark.skipif(not ApertiumEngine.available(), reason="apertium not installed")


@pytest.fixture(scope="module")
def apertium():
    return ApertiumEngine()


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


def test_missing_binary_is_a_clear_error():
    engine = ApertiumEngine(binary="/nonexistent/apertium")
    assert engine.pairs() == set()
    with pytest.raises(EngineError, match="no fr-es pair"):
        engine.translate_batch(["Le chat."], "fr", "es")
