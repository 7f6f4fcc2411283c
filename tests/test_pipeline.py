"""The pipeline end to end on real engines: Apertium and CTranslate2 on the copy models."""

from contextlib import closing
from pathlib import Path

import pytest

from translator.engines.apertium import ApertiumEngine
from translator.engines.ctranslate2 import CTranslate2Engine
from translator.errors import (EmptyInput, InputTooLarge, InvalidEncoding, UndetectableLanguage,
                               UnknownLanguage, UnsupportedPair)
from translator.glossary import Entry, Glossary
from translator.packages import read_package
from translator.pipeline import Pipeline
from translator.settings import Settings

SAMPLE = Path(__file__).resolve().parent.parent / "examples" / "sggp-putin-dprk.fr.txt"
needs_apertium = pytest.mark.skipif(not ApertiumEngine.available(), reason="apertium not installed")


def check_alignment(result):
    """Spans point at the segment texts and the separators are carried over from the source."""
    assert result.segments, "no segments"
    src_pos = tgt_pos = 0
    for seg in result.segments:
        s0, s1 = seg.source_span
        t0, t1 = seg.target_span
        assert result.source_text[s0:s1] == seg.source
        assert result.target_text[t0:t1] == seg.target
        assert result.source_text[src_pos:s0] == result.target_text[tgt_pos:t0]  # same separator
        assert result.source_text[src_pos:s0].strip() == ""
        src_pos, tgt_pos = s1, t1
    assert result.source_text[src_pos:] == result.target_text[tgt_pos:]


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    root = tmp_path_factory.mktemp("pipeline")
    return Settings(models_dir=root / "models", argos_packages_dir=root / "argos")


@pytest.fixture(scope="module")
def apertium_pipeline(settings):
    with closing(Pipeline([ApertiumEngine()], settings)) as pipeline:  # stops its processes
        yield pipeline


@pytest.fixture(scope="module")
def copy_engine(argos_fr_en, settings):
    with closing(CTranslate2Engine(read_package(argos_fr_en), settings)) as engine:
        yield engine


@needs_apertium
def test_sample_article_french_to_english_on_apertium(apertium_pipeline):
    text = SAMPLE.read_text(encoding="utf-8")
    result = apertium_pipeline.translate(text, target="en")
    assert result.source_lang == "fr" and result.detection["language"] == "fr"
    assert result.route["pivots"] == ["es"]
    assert [s["engine"] for s in result.route["steps"]] == ["apertium", "apertium"]
    check_alignment(result)
    # Every sentence of every paragraph is there, translated, and the paragraphs survive.
    assert result.target_text.count("\n") == text.count("\n")
    assert len({seg.paragraph for seg in result.segments}) == len(text.splitlines()) == 8
    assert all(seg.target.strip() for seg in result.segments)
    assert "Vladimir Putin" in result.segments[0].target
    assert "North Korea" in result.target_text
    assert result.segments[-2].target.startswith("Source : https://www.sggp.org.vn/")
    assert result.signature["models"] == ["apertium:apertium"]


# What Apertium leaves of the sample in English: Spanish from the pivot step, French from
# the first (issue 10's list).
SAMPLE_LEFTOVERS = {"norcoreano": "es", "oponían": "es", "opondremos": "es", "fermement": "fr",
                    "multipolaire": "fr", "contreraient": "fr", "façonnerons": "fr"}


@needs_apertium
@pytest.mark.parametrize("glossary", ["default", "none"])
def test_sample_article_lists_every_word_left_untranslated(settings, glossary):
    from translator.glossary.store import default_glossary

    chosen = default_glossary(settings) if glossary == "default" else None
    with closing(Pipeline([ApertiumEngine()], settings, glossary=chosen)) as pipeline:
        result = pipeline.translate(SAMPLE.read_text(encoding="utf-8"), target="en", source="fr")
    flagged = {}
    for seg in result.segments:
        for entry in seg.untranslated:
            assert seg.target[slice(*entry["target_span"])] == entry["word"]
            step = result.route["steps"][entry["step"]]  # a generation error is a target word
            assert step["target" if entry["kind"] == "generation" else "source"] == entry["language"]
            flagged[entry["word"]] = entry["language"]
        assert 0 <= seg.confidence <= 1
        assert (seg.confidence < 1) == bool(seg.untranslated or seg.warnings)
    for word, language in SAMPLE_LEFTOVERS.items():
        # Flagged with the language it is in, or gone (the glossary renders nord-coréens).
        assert flagged.get(word) == language or word not in result.target_text, word
    assert set(SAMPLE_LEFTOVERS) - {"norcoreano"} <= set(flagged)
    summary = result.to_dict()["quality"]
    assert summary["untranslated"] == sum(len(seg.untranslated) for seg in result.segments)
    worst = min(result.segments, key=lambda seg: (seg.confidence, seg.index))
    assert summary["min_confidence"] == worst.confidence and summary["review_first"][0] == worst.index


def test_copy_model_keeps_every_sentence_with_its_own_translation(copy_engine, settings):
    pipeline = Pipeline([copy_engine], settings)
    text = ("Le chat dort sur le canapé. Le chien joue dans le jardin.\n\n"
            "La Russie et la Corée du Nord coopèrent. Trois navires sont arrivés hier.\n"
            "Le président a parlé pendant une heure.")
    result = pipeline.translate(text, target="en", source="fr")
    check_alignment(result)
    assert len(result.segments) == 5
    for seg in result.segments:  # the copy model translates a sentence into itself
        assert seg.target == seg.source
    assert result.target_text == text
    assert result.route["steps"][0]["engine"] == "ctranslate2"


def test_batch_of_documents_matches_one_by_one(copy_engine, settings):
    pipeline = Pipeline([copy_engine], settings)
    docs = ["Le chat dort. Le chien joue.", "Le chien joue. Un oiseau chante.", "Il pleut."]
    together = pipeline.translate_many(docs, target="en", source="fr")
    alone = [pipeline.translate(doc, target="en", source="fr") for doc in docs]
    assert [r.target_text for r in together] == [r.target_text for r in alone] == docs


def test_nllb_model_serves_vietnamese(nllb_model, settings):
    text = "Tổng thống Nga Vladimir Putin đã đến Triều Tiên. Hai nước sẽ hợp tác chặt chẽ."
    engine = CTranslate2Engine(read_package(nllb_model), settings)
    with closing(Pipeline([engine], settings)) as pipeline:
        result = pipeline.translate(text, target="en")
    assert result.source_lang == "vi"
    check_alignment(result)
    assert [seg.target for seg in result.segments] == [seg.source for seg in result.segments]


@needs_apertium
def test_models_win_over_apertium_unless_told_otherwise(copy_engine, settings):
    engines = [ApertiumEngine(), copy_engine]
    assert Pipeline(engines, settings).route("fr", "en").steps[0].engine is copy_engine
    prefer = Pipeline(engines, settings.replace(engine="apertium")).route("fr", "en")
    assert [s.engine.kind for s in prefer.steps] == ["apertium", "apertium"]


@needs_apertium
def test_pivot_mixes_engines_when_no_single_one_serves_the_pair(nllb_model, settings):
    nllb = CTranslate2Engine(read_package(nllb_model), settings)
    with closing(Pipeline([nllb, ApertiumEngine()], settings)) as pipeline:
        route = pipeline.route("vi", "es")
        result = pipeline.translate("Hà Nội là thủ đô của Việt Nam.", target="es", source="vi")
    assert [(s.engine.kind, s.source, s.target) for s in route.steps] == [
        ("ctranslate2", "vi", "en"), ("apertium", "en", "es")]
    assert result.route["pivots"] == ["en"]
    check_alignment(result)


@needs_apertium
def test_paragraph_already_in_the_target_language_passes_through(apertium_pipeline):
    text = ("Le président russe a affirmé que la Russie et la Corée du Nord s'opposaient fermement "
            "aux ambitions de l'Occident.\n"
            "The agency said the two leaders would sign a partnership treaty during the visit.\n")
    result = apertium_pipeline.translate(text, target="en")
    assert result.source_lang == "fr"
    english = [seg for seg in result.segments if seg.paragraph == 1]
    assert english and all(seg.origin == "passthrough" and seg.target == seg.source for seg in english)
    check_alignment(result)


@needs_apertium
def test_same_source_and_target_passes_through_with_a_warning(apertium_pipeline):
    result = apertium_pipeline.translate("The cat sleeps. The dog plays.", target="en", source="en")
    assert result.target_text == result.source_text
    assert result.warnings


@needs_apertium
@pytest.mark.parametrize("text, error", [
    ("", EmptyInput),
    ("   \n\t ", EmptyInput),
    (b"caf\xe9 au lait", InvalidEncoding),
    ("1234 5678 !!!", UndetectableLanguage),
])
def test_bad_input_is_a_typed_error(apertium_pipeline, text, error):
    with pytest.raises(error):
        apertium_pipeline.translate(text, target="en")


@needs_apertium
def test_limits_and_language_codes(apertium_pipeline, settings):
    with closing(Pipeline([ApertiumEngine()], settings.replace(max_chars=10))) as small, \
            pytest.raises(InputTooLarge, match="limit is 10"):
        small.translate("Le chat dort sur le canapé.", target="en")
    with pytest.raises(UnknownLanguage, match="'xx'"):
        apertium_pipeline.translate("Le chat dort.", target="xx")
    with pytest.raises(UnsupportedPair, match="no route from vi to en"):
        apertium_pipeline.translate("Xin chào các bạn.", target="en", source="vi")
    # Language codes in other spellings are understood.
    assert apertium_pipeline.translate("Le chat dort.", target="eng", source="fra").target_lang == "en"


def test_glossary_terms_are_enforced_through_the_engine_and_reported(copy_engine, settings):
    glossary = Glossary("test", [
        Entry("putin", {"fr": ("Vladimir Poutine", "Poutine"), "en": ("Vladimir Putin",)},
              type="person"),
        Entry("tass", {"fr": ("TASS", "Tass"), "en": ("TASS",)}, type="agency")])
    pipeline = Pipeline([copy_engine], settings, glossary=glossary)
    text = "Vladimir Poutine est arrivé. Le chat dort. Selon Tass, Poutine a parlé."
    result = pipeline.translate(text, target="en", source="fr")
    # The copy model leaves the French names: verification sees it and the protected
    # pass renders them.
    assert result.target_text == "Vladimir Putin est arrivé. Le chat dort. Selon TASS, Putin a parlé."
    terms = [[(t["source"], t["target"]) for t in seg.terms] for seg in result.segments]
    assert terms == [[("Vladimir Poutine", "Vladimir Putin")], [],
                     [("Tass", "TASS"), ("Poutine", "Putin")]]
    for seg in result.segments:
        for term in seg.terms:
            assert seg.source[slice(*term["source_span"])] == term["source"]
            assert seg.target[slice(*term["target_span"])] == term["target"]
    assert result.signature["glossary"].startswith("test@")
    check_alignment(result)
    plain = pipeline.translate(text, target="en", source="fr", glossary=None)
    assert plain.target_text == text


class DictMemory:
    """A translation memory held in a dict (the SQLite one lives with the service)."""

    def __init__(self, entries):
        self.entries = entries

    def lookup(self, source, target, sentences):
        return {s: self.entries[(source, target, s)] for s in sentences
                if (source, target, s) in self.entries}


def test_memory_answers_before_the_engine_and_is_marked(copy_engine, settings):
    memory = DictMemory({("fr", "en", "Le chat dort."): "The cat is asleep."})
    pipeline = Pipeline([copy_engine], settings, memory=memory)
    result = pipeline.translate("Le chat dort. Le chien joue.", target="en", source="fr")
    assert [(s.target, s.origin) for s in result.segments] == [
        ("The cat is asleep.", "memory"), ("Le chien joue.", "engine")]
    check_alignment(result)
