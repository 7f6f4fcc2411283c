"""Routes: the cheapest chain of engines, ties broken by a declared pivot order, and the
words a step leaves untranslated followed to the end of the route."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from conftest import APERTIUM_MODES, SYSTEM_APERTIUM, apertium_modes
from translator.engines.apertium import ApertiumEngine
from translator.engines.base import Engine, EngineOutput, Leftover
from translator.errors import TranslatorError
from translator.pipeline import Pipeline
from translator.router import Router
from translator.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


class Stub(Engine):
    """Serves fixed pairs; marks each output with its pair; a word may be left unknown."""

    kind = "apertium"
    cost = 1.5

    def __init__(self, name: str, pairs, unknown: dict | None = None, score: float | None = None):
        self._name, self._pairs = name, set(pairs)
        self.unknown = unknown or {}  # (source, target) -> word the step leaves as it is
        self.score = score

    @property
    def name(self):
        return self._name

    def pairs(self):
        return self._pairs

    def translate(self, sentences, source, target):
        outputs = []
        for sentence in sentences:
            text = f"{sentence} [{source}>{target}]"
            word = self.unknown.get((source, target))
            leftovers = ()
            if word and word in text:
                start = text.index(word)
                leftovers = (Leftover(start, start + len(word)),)
            outputs.append(EngineOutput(text, leftovers, self.score))
        return outputs


def steps(route):
    return [(s.source, s.target) for s in route.steps]


SPANISH = [("fr", "es"), ("es", "en")]
CATALAN = [("fr", "ca"), ("ca", "en")]
BACK = {"es": [("en", "es"), ("es", "fr")], "ca": [("en", "ca"), ("ca", "fr")]}


@pytest.mark.parametrize("order", list(itertools.permutations(["es", "ca"])))
def test_equal_routes_take_the_declared_pivot_whatever_the_install_order(order):
    pairs = {"es": SPANISH + BACK["es"], "ca": CATALAN + BACK["ca"]}
    # One engine (as Apertium is), its pairs listed in either order; or one engine per pair.
    one = Stub("apertium", [p for lang in order for p in pairs[lang]])
    many = [Stub(f"{lang}-{n}", [p]) for lang in order for n, p in enumerate(pairs[lang])]
    for engines in ([one], many):
        router = Router(engines)
        assert steps(router.route("fr", "en")) == SPANISH  # measured: fr->en is better via es
        assert steps(router.route("en", "fr")) == BACK["ca"]  # and en->fr via ca
    forced = Router([one], pair_pivots={("fr", "en"): ("ca",)})
    assert steps(forced.route("fr", "en")) == CATALAN


def test_pairs_without_a_measured_order_follow_the_general_one():
    engines = [Stub("a", [("pt", "es"), ("es", "it"), ("pt", "ca"), ("ca", "it")])]
    assert steps(Router(engines).route("pt", "it"))[0] == ("pt", "es")  # es is in PIVOTS
    assert steps(Router(engines, pivots=("ca",)).route("pt", "it"))[0] == ("pt", "ca")


def test_unlisted_pivots_are_ordered_by_code_and_cost_still_comes_first():
    engines = [Stub("a", [("fr", "pt"), ("pt", "en"), ("fr", "it"), ("it", "en")])]
    assert steps(Router(engines, pivots=()).route("fr", "en")) == [("fr", "it"), ("it", "en")]
    cheap = Stub("model", [("fr", "pt"), ("pt", "en")])
    cheap.kind, cheap.cost = "ctranslate2", 1.0
    router = Router(engines + [cheap], pivots=("it",))
    assert [s.engine.name for s in router.route("fr", "en").steps] == ["model", "model"]


def test_pivot_settings_are_language_codes_and_pairs():
    assert Settings().pivots() == ("en", "es")
    assert Settings(pivot="ca, fra ,en").pivots() == ("ca", "fr", "en")
    assert Settings(pair_pivot="fr-en:ca, eng-fra:spa").pair_pivots() == {
        ("fr", "en"): ("ca",), ("en", "fr"): ("es",)}
    for bad in ("fr-en", "fr:ca", "fr-en:xx"):
        with pytest.raises(TranslatorError):
            Settings(pair_pivot=bad).pair_pivots()
    engine = Stub("apertium", SPANISH + CATALAN)
    pipeline = Pipeline([engine], Settings(pair_pivot="fr-en:ca"), glossary=None)
    assert pipeline.route("fr", "en").pivots == ["ca"]


def test_leftovers_are_credited_to_the_first_step_that_left_them():
    engine = Stub("apertium", SPANISH, unknown={("fr", "es"): "fermement",
                                                 ("es", "en"): "norcoreano"}, score=None)
    route = Router([engine]).route("fr", "en")
    [out] = route.translate(["fermement norcoreano"])
    assert out.text == "fermement norcoreano [fr>es] [es>en]"
    found = {(out.text[lo.start:lo.end], lo.step) for lo in out.leftovers}
    # "fermement" was not marked again by the second step: still there, still the first's.
    assert found == {("fermement", 0), ("norcoreano", 1)}


def test_route_scores_multiply_and_stay_none_without_any():
    first = Stub("m1", [("vi", "en")], score=0.5)
    second = Stub("m2", [("en", "fr")], score=0.8)
    [out] = Router([first, second]).route("vi", "fr").translate(["x"])
    assert out.score == pytest.approx(0.4)
    [plain] = Router([Stub("a", SPANISH)]).route("fr", "en").translate(["x"])
    assert plain.score is None


# -- real Apertium, with and without the Catalan pairs ---------------------------------------

CATALAN_MODES = ("fra-cat", "cat-eng", "eng-cat", "cat-fra")
has_catalan = all((SYSTEM_APERTIUM / "modes" / f"{m}.mode").exists() for m in CATALAN_MODES)


@pytest.mark.skipif(not ApertiumEngine.available() or not has_catalan,
                    reason="apertium-fra-cat and apertium-eng-cat are not installed")
def test_installing_catalan_pairs_changes_neither_the_route_nor_the_output(tmp_path):
    text = (ROOT / "examples" / "sggp-putin-dprk.fr.txt").read_text(encoding="utf-8")
    results = []
    for name, modes in (("default", APERTIUM_MODES), ("catalan", APERTIUM_MODES + CATALAN_MODES)):
        engine = ApertiumEngine(data_dir=apertium_modes(tmp_path / name, modes))
        try:
            results.append(Pipeline([engine], Settings()).translate(text, "en", "fr"))
        finally:
            engine.close()
    default, catalan = results
    assert ("fr", "ca") in ApertiumEngine(data_dir=tmp_path / "catalan").pairs()
    assert default.route == catalan.route and default.route["pivots"] == ["es"]
    assert default.target_text == catalan.target_text
    # en->fr does move to Catalan when it is installed: measured better (the declared order)
    assert Pipeline([ApertiumEngine(data_dir=tmp_path / "catalan")], Settings()).route(
        "en", "fr").pivots == ["ca"]
