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


def french_sentences() -> list[str]:
    texts = [ROOT / "examples" / "sggp-putin-dprk.fr.txt",
             *sorted((ROOT / "tests" / "data" / "align").glob("*.fr.txt"))]
    pool = [s.text for path in texts for s in segment(path.read_text(encoding="utf-8"), "fr")]
    return pool + HOUSE + ["Visite de la maison", "Blanche a dit non.",
                           "Symboles : *important* #Hanoï @sggp [1] a/b ~ 5 $ {x} \\ fin."]


POOL = french_sentences()


def check_isolated(engine: Engine, source: str, target: str, batch: list[str],
                   alone: dict[str, EngineOutput]) -> None:
    """Every sentence of ``batch`` comes out exactly as it does alone."""
    for sentence, output in zip(batch, engine.translate(batch, source, target)):
        if sentence not in alone:
            alone[sentence] = engine.translate([sentence], source, target)[0]
        assert output == alone[sentence], f"{sentence!r} changed inside a batch"


batches = st.tuples(st.lists(st.sampled_from(POOL), min_size=2, max_size=40), st.randoms())


# -- Apertium ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def apertium():
    engine = ApertiumEngine()
    yield engine
    engine.close()


@needs_apertium
@hsettings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batch=batches)
def test_apertium_sentence_alone_equals_inside_any_batch(apertium, batch):
    sentences, rnd = batch
    rnd.shuffle(sentences)
    for source, target in (("fr", "es"), ("es", "en")):
        check_isolated(apertium, source, target, sentences, ALONE.setdefault((source, target), {}))
        sentences = [o.text for o in apertium.translate(sentences, source, target)]


ALONE: dict = {}


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
    # One replica with two threads, and two replicas with one: batches split differently.
    engines = [CTranslate2Engine(read_package(package), Settings(inter_threads=i, intra_threads=j,
                                                                 max_batch_tokens=t))
               for i, j, t in ((1, 2, 2048), (2, 1, 64))]
    yield engines
    for engine in engines:
        engine.close()


@hsettings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batch=batches)
def test_ctranslate2_sentence_alone_equals_inside_any_batch(ct2, batch):
    sentences, rnd = batch
    rnd.shuffle(sentences)
    alone = CT2_ALONE.setdefault(id(ct2), {})
    for engine in ct2:  # and the same output whatever the batch size and thread layout
        check_isolated(engine, "fr", "en", sentences, alone)


CT2_ALONE: dict = {}
