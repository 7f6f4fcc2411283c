"""A segment's translation depends on that segment alone: not on the other sentences of its
batch, their order, the request it came in or other clients' requests.

Property tests on every engine the suite has: real Apertium (the built-in default, whose
transfer rules move words across a line break) and real CTranslate2 on the repository's
models (the copy model, and a random-weights model whose every token is a near tie, so
any effect of padding or batch composition would change its output). Sentences come
from real articles, not picked to pass.
"""

from __future__ import annotations

import random
import subprocess
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from translator.engines.apertium import ApertiumEngine
from translator.engines.base import Engine, EngineOutput
from translator.engines.ctranslate2 import CTranslate2Engine
from translator.packages import read_package
from translator.segment import segment
from translator.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
needs_apertium = pytest.mark.skipif(not ApertiumEngine.available(), reason="apertium not installed")

# The regression cases: a noun and its adjective split over two texts, a headline
# without a full stop before a sentence that starts with the adjective.
HOUSE = ["La maison", "blanche est grande."]
HEADLINE = "Visite de la maison\n\nBlanche a dit non."
# From Debian's maint-guide in Spanish: the first changes es-fr's tagger for good (a word
# of a new ambiguity class), which changed the second in Apertium's own warm pipeline.
TAGGER_PAIR = ("Tales detalles son allende el alcance de este documento.",
               "El dh_orden de marca crea algunas limas de plantilla para páginas manuales.")


def sentences_of(lang: str) -> list[str]:
    texts = sorted((ROOT / "tests" / "data" / "align").glob(f"*.{lang}.txt"))
    if lang == "fr":
        texts.insert(0, ROOT / "examples" / "sggp-putin-dprk.fr.txt")
    return [s.text for path in texts for s in segment(path.read_text(encoding="utf-8"), lang)]


POOL = sentences_of("fr") + HOUSE + [
    "Visite de la maison", "Blanche a dit non.",
    "Symboles : *important* #Hanoï @sggp [1] a/b ~ 5 $ {x} \\ fin."]
ENGLISH = sentences_of("en")


def check_isolated(engine: Engine, source: str, target: str, batch: list[str],
                   alone: dict[str, EngineOutput], score_tolerance: float = 0.0) -> None:
    """Every sentence of ``batch`` comes out as it does alone: the same text and leftovers,
    the same score (within ``score_tolerance``, relative)."""
    for sentence, output in zip(batch, engine.translate(batch, source, target)):
        if sentence not in alone:
            alone[sentence] = engine.translate([sentence], source, target)[0]
        expected = alone[sentence]
        assert (output.text, output.leftovers) == (expected.text, expected.leftovers), \
            f"{sentence!r} changed inside a batch"
        if expected.score is None or output.score is None:
            assert output.score == expected.score
        else:
            assert output.score == pytest.approx(expected.score, rel=score_tolerance, abs=0)


batches = st.tuples(st.lists(st.sampled_from(POOL), min_size=2, max_size=40), st.randoms())
# Each sentence's translation alone, per engine and pair, shared by the examples.
ALONE: dict = {}
FRESH: dict = {}
CT2_ALONE: dict = {}


# -- Apertium ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def apertium():
    engine = ApertiumEngine()
    yield engine
    engine.close()


def check_route(engine: Engine, steps, sentences: list[str], rnd: random.Random) -> None:
    """Each step: every sentence as alone on the same (warm) engine, and one of them, at
    random, as alone in a new engine: a warm engine whose state drifted for good would
    agree with itself."""
    for source, target in steps:
        check_isolated(engine, source, target, sentences, ALONE.setdefault((source, target), {}))
        outputs = engine.translate(sentences, source, target)
        pick = rnd.randrange(len(sentences))
        key = (source, target, sentences[pick])
        if key not in FRESH:
            fresh = ApertiumEngine(max_pipelines=1)
            try:
                FRESH[key] = fresh.translate([sentences[pick]], source, target)[0]
            finally:
                fresh.close()
        assert outputs[pick] == FRESH[key], f"{sentences[pick]!r} differs from a new engine's"
        sentences = [o.text for o in outputs]


ROUTES = {"fr-es-en": (POOL, (("fr", "es"), ("es", "en"))),
          "en-es-fr": (ENGLISH, (("en", "es"), ("es", "fr")))}


@needs_apertium
@pytest.mark.parametrize("route", sorted(ROUTES))
@hsettings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_apertium_sentence_alone_equals_inside_any_batch(apertium, route, data):
    pool, steps = ROUTES[route]
    sentences = data.draw(st.lists(st.sampled_from(pool), min_size=2, max_size=40))
    rnd = data.draw(st.randoms())
    rnd.shuffle(sentences)
    check_route(apertium, steps, sentences, rnd)


@needs_apertium
@hsettings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(picks=st.lists(st.integers(min_value=0), min_size=2, max_size=40), rnd=st.randoms())
def test_apertium_spanish_sentence_alone_equals_inside_any_batch(apertium, picks, rnd):
    """es->fr on the Spanish of the French articles: es-fr's tagger is the one that
    changes itself on a word of a new ambiguity class (see test_apertium.py)."""
    spanish = ALONE.setdefault("spanish", [o.text for o in apertium.translate(POOL, "fr", "es")]
                               + list(TAGGER_PAIR))
    sentences = [spanish[i % len(spanish)] for i in picks]
    rnd.shuffle(sentences)
    check_route(apertium, (("es", "fr"),), sentences, rnd)


@needs_apertium
def test_apertium_regression_cases(apertium):
    out = [o.text for o in apertium.translate(HOUSE, "fr", "es")]
    assert out == ["La casa", "blanca es grande."]  # was "La casa\nblanca" -> "The white\nhouse"
    assert [o.text for o in apertium.translate(out, "es", "en")] == ["The house", "White is big."]


@needs_apertium
def test_apertium_output_is_what_the_apertium_command_gives_for_the_sentence_alone(apertium):
    """The engine formats text itself; the words must be those of ``apertium -u MODE``."""
    sample = random.Random(3).sample(POOL, 6) + [POOL[-1], "Le chat [noir] est là."]
    for sentence in sample:
        expected = subprocess.run(["apertium", "-u", "fr-es"], input=sentence.encode(),
                                  capture_output=True, check=True).stdout.decode().strip()
        assert apertium.translate([sentence], "fr", "es")[0].text == expected


@needs_apertium
@hsettings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(st.text(alphabet=st.sampled_from(
    list("abcdeéèçàù ABCÉ.,;:!?'’«»-–()[]{}<>^$/\\*#@~|\"0123456789\t\n\x00\x07")),
    min_size=1, max_size=60), min_size=1, max_size=8))
def test_apertium_survives_any_characters_one_output_each(apertium, texts):
    outputs = apertium.translate(texts, "fr", "es")
    assert len(outputs) == len(texts)
    for output in outputs:
        assert "\x00" not in output.text
        for lo in output.leftovers:
            assert 0 <= lo.start < lo.end <= len(output.text)


@needs_apertium
def test_the_isolation_check_catches_an_engine_that_shares_a_stream(apertium):
    """What the engine did before: one stream, sentences joined by line breaks."""

    class OneStream(Engine):
        kind, name = "apertium", "one-stream"

        def pairs(self):
            return {("es", "en")}

        def translate(self, sentences, source, target):
            out = subprocess.run(["apertium", "-u", "spa-eng"], input="\n".join(sentences).encode(),
                                 capture_output=True, check=True).stdout.decode().rstrip("\n")
            return [EngineOutput(line) for line in out.split("\n")]

    with pytest.raises(AssertionError, match="changed inside a batch"):
        check_isolated(OneStream(), "es", "en", ["La casa", "blanca es grande."], {})


@needs_apertium
def test_concurrent_callers_never_share_a_pipeline(apertium):
    """Threads translating at once each get their own sentences' translations back."""
    expected = {s: apertium.translate([s], "fr", "es")[0] for s in POOL[:12]}
    errors = []

    def client(seed):
        rnd = random.Random(seed)
        for _ in range(5):
            batch = rnd.sample(POOL[:12], rnd.randint(1, 12))
            got = apertium.translate(batch, "fr", "es")
            if got != [expected[s] for s in batch]:
                errors.append(batch)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors


# -- CTranslate2 ---------------------------------------------------------------------------

@pytest.fixture(scope="module", params=["copy", "random"])
def ct2(request, argos_fr_en, argos_random):
    package = argos_fr_en if request.param == "copy" else argos_random
    # Outputs cut short (the random model never ends a sentence by itself; it still decodes
    # every step as a near tie), so the test stays quick. One replica with two threads and big batches, two
    # replicas with one thread and small batches: batches are cut and padded differently.
    options = {"max_decoding_length": 24 if request.param == "copy" else 12}
    engines = [CTranslate2Engine(read_package(package), Settings(inter_threads=i, intra_threads=j,
                                                                 max_batch_tokens=t), options)
               for i, j, t in ((1, 2, 2048), (2, 1, 64))]
    yield engines
    for engine in engines:
        engine.close()


@hsettings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batch=batches)
def test_ctranslate2_sentence_alone_equals_inside_any_batch(ct2, batch):
    """The same words whatever the batch and the thread layout. The score is not bit for
    bit the same: padding a sentence to its batch's longest changes the order of float
    sums (seen in the 7th significant digit), hence the tolerance, and batch jobs that cut
    chunks by position (docs/batch.md)."""
    sentences, rnd = batch
    rnd.shuffle(sentences)
    alone = CT2_ALONE.setdefault(id(ct2), {})
    for engine in ct2:
        check_isolated(engine, "fr", "en", sentences, alone, score_tolerance=1e-5)


# -- over HTTP: texts of one request, and requests of two clients --------------------------

@pytest.fixture(scope="module")
def web(tmp_path_factory):
    """The service on Apertium alone, micro-batching on with a long wait, so that
    concurrent requests surely share engine batches."""
    from test_web import ready_app, web_settings

    with ready_app(web_settings(tmp_path_factory.mktemp("isolation-web"),
                                batch_wait_ms=300)) as app:
        yield app


@needs_apertium
def test_texts_of_one_request_do_not_exchange_words(web):
    response = web.test_client().post("/translate", json={"q": HOUSE, "source": "fr", "target": "en"})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["translatedText"] == ["The house", "White is big."]


@needs_apertium
def test_a_headline_without_a_full_stop_keeps_its_words(web):
    response = web.test_client().post("/v1/translate", json={"text": HEADLINE, "source": "fr",
                                                             "target": "en"})
    segments = response.get_json()["segments"]
    # Both were "Visit of the White" / "house has said no." in one stream.
    assert [(s["source"], s["target"]) for s in segments] == [
        ("Visite de la maison", "Visit of the house"), ("Blanche a dit non.", "Blanca has said no.")]


@needs_apertium
def test_two_clients_at_once_share_a_batch_but_not_their_words(web):
    service = web.extensions["translator"]
    [batching] = [e for e in service.pipeline.engines if e.kind == "apertium"]
    inner, batches = batching.inner.translate, []

    def recording(sentences, source, target):
        batches.append(list(sentences))
        return inner(sentences, source, target)

    batching.inner.translate = recording
    try:
        for _ in range(5):
            start, answers = threading.Barrier(2), {}

            def client(text):
                start.wait()
                response = web.test_client().post("/translate", json={
                    "q": text, "source": "fr", "target": "en"})
                answers[text] = response.get_json()["translatedText"]

            threads = [threading.Thread(target=client, args=(text,)) for text in HOUSE]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            assert answers == {"La maison": "The house", "blanche est grande.": "White is big."}
    finally:
        batching.inner.translate = inner
    assert any(sorted(batch) == sorted(HOUSE) for batch in batches), "the clients never shared a batch"
