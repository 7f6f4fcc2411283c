"""Glossary enforcement through real engines: Apertium and the CTranslate2 copy model."""

from pathlib import Path

import pytest

from translator.engines.apertium import ApertiumEngine
from translator.engines.ctranslate2 import CTranslate2Engine
from translator.engines.base import EngineOutput
from translator.glossary import Entry, Glossary, GlossaryLayer, load_directory
from translator.packages import read_package
from translator.pipeline import Pipeline
from translator.settings import Settings
from translator.glossary.match import matcher_for

SAMPLE = Path(__file__).resolve().parent.parent / "examples" / "sggp-putin-dprk.fr.txt"
needs_apertium = pytest.mark.skipif(not ApertiumEngine.available(), reason="apertium not installed")

NEWS = Glossary("news-test", [
    Entry("putin", {"fr": ("Vladimir Poutine", "Poutine"), "en": ("Vladimir Putin",)}, type="person"),
    Entry("kp", {"fr": ("Corée du Nord",), "en": ("North Korea",)}, type="country"),
    Entry("ru", {"fr": ("Russie",), "en": ("Russia",)}, type="country"),
    Entry("us", {"fr": ("États-Unis",), "en": ("United States",)}, type="country"),
    Entry("fe", {"fr": ("Extrême-Orient russe",), "en": ("Russian Far East",)}, type="place"),
    Entry("tass", {"fr": ("TASS", "Tass"), "en": ("TASS",)}, type="agency"),
    Entry("kim", {"fr": ("Kim Jong-un", "Kim Jong Un"), "en": ("Kim Jong Un",)}, type="person"),
    Entry("unsc", {"fr": ("Conseil de sécurité des Nations unies",), "en": ("UN Security Council",)},
          type="organization"),
    Entry("un", {"fr": ("ONU",), "en": ("UN",)}, type="organization"),
    Entry("eur", {"fr": ("Eurasie",), "en": ("Eurasia",)}, type="place"),
    Entry("west", {"fr": ("Occident",), "en": ("West",)}, type="place"),
])


@pytest.fixture(scope="module")
def apertium():
    """One Apertium engine for the module: its warm pipelines serve every test (what a
    sentence becomes does not depend on what the pipeline translated before it:
    tests/test_isolation.py)."""
    engine = ApertiumEngine()
    yield engine
    engine.close()


def spans_point_at_terms(result):
    for seg in result.segments:
        for term in seg.terms:
            assert seg.source[slice(*term["source_span"])] == term["source"]
            assert seg.target[slice(*term["target_span"])] == term["target"]


@needs_apertium
def test_sample_article_renders_every_name_exactly(apertium):
    pipeline = Pipeline([apertium], Settings(), glossary=NEWS)
    text = SAMPLE.read_text(encoding="utf-8")
    result = pipeline.translate(text, target="en")
    spans_point_at_terms(result)
    applied = [t for seg in result.segments for t in seg.terms]
    matched = [m for seg in result.segments for m in matcher_for(NEWS, "fr", "en").find(seg.source)]
    assert len(applied) == len(matched) == 32  # every matched term rendered, none dropped
    assert not [w for seg in result.segments for w in seg.warnings]
    out = result.target_text
    for wrong in ("Poutine", "Tass,", "Extreme Orient", "Eurasie", "Occident"):
        assert wrong not in out
    assert "According to TASS" in out
    assert "the Russian Far East" in out
    assert "sanctions of the UN against North Korea" in out  # article added for "the UN"
    assert "among Russia and North Korea" in out  # article dropped before country names


@needs_apertium
def test_same_name_same_rendering_across_documents(apertium):
    pipeline = Pipeline([apertium], Settings(), glossary=NEWS)
    docs = ["Vladimir Poutine a parlé.", "Selon Tass, Poutine est arrivé.", "M. Poutine a dit non."]
    results = pipeline.translate_many(docs, target="en", source="fr")
    renderings = {t["target"] for r in results for seg in r.segments for t in seg.terms
                  if t["id"] == "putin"}
    assert renderings == {"Vladimir Putin", "Putin"}  # full name and surname, nothing else


def test_lost_placeholder_becomes_a_warning_not_a_silent_drop(argos_fr_en):
    settings = Settings()
    engine = CTranslate2Engine(read_package(argos_fr_en), settings)

    def lossy(sentences):  # an engine that drops what it does not know
        return [EngineOutput(s.replace("XTERM0", "").replace("Poutine", "")) for s in
                engine.translate_batch(sentences, "fr", "en")]

    layer = GlossaryLayer(NEWS, "fr", "en")
    [done] = layer.translate(["Selon Poutine, tout va bien."], lossy)
    assert "Putin" not in done.output.text
    assert done.problems == ["glossary: 'Poutine' -> 'Putin' not rendered"]


def test_copy_model_protected_pass_keeps_spans_exact(argos_fr_en):
    settings = Settings()
    pipeline = Pipeline([CTranslate2Engine(read_package(argos_fr_en), settings)], settings,
                        glossary=NEWS)
    text = "La Corée du Nord et la Russie. Selon Tass, l'ONU et Kim Jong-un."
    result = pipeline.translate(text, target="en", source="fr")
    spans_point_at_terms(result)
    # French articles stay: only English "the" is adjusted around names.
    assert result.target_text == "La North Korea et la Russia. Selon TASS, l'UN et Kim Jong Un."


# --------------------------------------------------------------------------- the shipped glossary
# Country adjectives, peoples and the Vietnamese beat's institutions and titles
# (glossary/curated/demonyms.tsv, vietnam.tsv) through the real pivot.


@pytest.fixture(scope="module")
def shipped():
    """The default glossary as it ships (glossary/*.tsv)."""
    return load_directory(SAMPLE.parent.parent / "glossary", "default")


@needs_apertium
def test_shipped_glossary_renders_the_sample_articles_adjectives(apertium, shipped):
    pipeline = Pipeline([apertium], Settings(), glossary=shipped)
    result = pipeline.translate(SAMPLE.read_text(encoding="utf-8"), target="en", source="fr")
    spans_point_at_terms(result)
    assert not [w for seg in result.segments for w in seg.warnings]
    out = result.target_text
    assert "norcoreano" not in out.lower()  # the fr->es->en pivot's "médias d'État norcoreano"
    assert out.count("North Korean ") == 3  # 2 x "médias d'État nord-coréens", "dirigeant nord-coréen"
    assert "North Korean Kim Jong Un" in out
    adjectives = [t for seg in result.segments for t in seg.terms if t["id"] == "adj-north-korean"]
    assert [t["source"] for t in adjectives] == ["nord-coréens", "nord-coréens", "nord-coréen"]
    assert "the Russian president Vladimir Putin" in out  # "russe": the engine's own, untouched


@needs_apertium
@pytest.mark.parametrize("source, expected", [
    ("Le Comité populaire de Hanoï a décidé.", "The People's Committee of Hanoi has decided."),
    ("Le secrétaire général To Lam a reçu le secrétaire général de l'ONU.",
     "The General Secretary To Lam has received the UN Secretary-General."),
    ("Le Bureau politique et le Comité central ont décidé.",
     "The Politburo and the Central Committee have decided."),
    ("Le ministère des Affaires étrangères a protesté.",
     "The Ministry of Foreign Affairs has protested."),
    ("Le président ukrainien est arrivé à Hô Chi Minh-Ville.", "Ukrainian"),
    # Peoples: the engine's "The Russians" stays; "The Israeli" (sic) becomes "The Israelis".
    ("Les Russes ont attaqué.", "The Russians have attacked."),
    ("Les Israéliens et les Palestiniens.", "The Israelis and the Palestinians."),
])
def test_shipped_glossary_fr_to_en(apertium, shipped, source, expected):
    pipeline = Pipeline([apertium], Settings(), glossary=shipped)
    result = pipeline.translate(source, target="en", source="fr")
    spans_point_at_terms(result)
    assert expected in result.target_text
    assert not [w for seg in result.segments for w in seg.warnings]


@needs_apertium
def test_shipped_glossary_en_to_fr_peoples_and_titles(apertium, shipped):
    pipeline = Pipeline([apertium], Settings(), glossary=shipped)
    result = pipeline.translate("North Koreans met General Secretary To Lam in Thanh Hoa.",
                                target="fr", source="en")
    spans_point_at_terms(result)
    assert {t["target"] for seg in result.segments for t in seg.terms} >= {
        "Nord-Coréens", "secrétaire général", "Thanh Hoa"}


def test_copy_model_leaves_the_article_of_adjectives_peoples_and_titles(argos_fr_en, shipped):
    """Adjectives never get "the" added or removed ("the North Korean leader"), nor do peoples
    ("the Russians") or titles; an institution still does ("of the People's Committee")."""
    settings = Settings()
    pipeline = Pipeline([CTranslate2Engine(read_package(argos_fr_en), settings)], settings,
                        glossary=shipped)
    text = "Selon the nord-coréen leader, the secrétaire général and the Russes, of Comité populaire."
    result = pipeline.translate(text, target="en", source="fr")
    spans_point_at_terms(result)
    assert result.target_text == ("Selon the North Korean leader, the General Secretary and "
                                  "the Russians, of the People's Committee.")
