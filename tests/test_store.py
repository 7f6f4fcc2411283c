"""The SQLite store on a real file: translation memory, review documents, API keys."""

import sqlite3
import subprocess
import sys
import threading

import pytest

from translator.engines.ctranslate2 import CTranslate2Engine
from translator.errors import InputError
from translator.packages import read_package
from translator.pipeline import Pipeline
from translator.quality import CERTAIN
from translator.result import Segment, TranslationResult
from translator.settings import Settings
from translator.store import Store, StoreError, apply_targets
from translator.store.documents import DocumentNotFound, SegmentNotFound


@pytest.fixture
def store(tmp_path):
    store = Store(tmp_path / "db" / "translator.db")
    yield store
    store.close()


def make_result(text="Le chat dort.  Le chien joue.\n\nFin.", targets=("The cat sleeps.", "The dog plays.", "End.")):
    spans, start = [], 0
    for piece in ("Le chat dort.", "Le chien joue.", "Fin."):
        start = text.index(piece, start)
        spans.append((start, start + len(piece)))
        start += len(piece)
    result = TranslationResult(text, "", "fr", "en", [
        Segment(i, 0 if i < 2 else 1, text[s:e], "", (s, e), (0, 0), "fr")
        for i, (s, e) in enumerate(spans)], route={"source": "fr", "target": "en", "pivots": [], "steps": []})
    return apply_targets(result, {i: (t, "engine") for i, t in enumerate(targets)})


def test_database_is_in_wal_mode_with_the_schema(store, tmp_path):
    conn = sqlite3.connect(tmp_path / "db" / "translator.db")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"memory", "documents", "reviews", "api_keys"} <= tables


def test_memory_lookup_returns_only_stored_sentences_of_the_pair(store):
    store.memory.add("fr", "en", "Bonjour.", "Hello.")
    store.memory.add("fr", "es", "Bonjour.", "Hola.")
    store.memory.add("fr", "en", "Bonjour.", "Good morning.")  # replaces
    assert store.memory.lookup("fr", "en", ["Bonjour.", "Au revoir.", "Bonjour."]) == {"Bonjour.": "Good morning."}
    assert store.memory.lookup("en", "fr", ["Bonjour."]) == {}
    many = [f"Phrase {i}." for i in range(1200)]  # more than one SQL chunk
    for sentence in many[::100]:
        store.memory.add("fr", "en", sentence, sentence.upper())
    assert len(store.memory.lookup("fr", "en", many)) == 12


def test_apply_targets_rebuilds_target_text_with_exact_spans():
    result = make_result()
    assert result.target_text == "The cat sleeps.  The dog plays.\n\nEnd."
    edited = apply_targets(result, {1: ("The dog is playing «here».", "reviewed")})
    assert edited.target_text == "The cat sleeps.  The dog is playing «here».\n\nEnd."
    for seg in edited.segments:
        assert edited.target_text[slice(*seg.target_span)] == seg.target
        assert edited.source_text[slice(*seg.source_span)] == seg.source
    assert [s.origin for s in edited.segments] == ["engine", "reviewed", "engine"]
    assert TranslationResult.from_dict(edited.to_dict()) == edited


def test_review_goes_to_memory_and_the_document_keeps_edits(store):
    result = make_result()
    doc_id = store.documents.create(result)
    seg = store.documents.save_segment(doc_id, 0, "The cat is asleep.", reviewed=False)
    assert seg.origin == "edited" and seg.target == "The cat is asleep."
    assert store.memory.lookup("fr", "en", ["Le chat dort."]) == {}  # a draft is not memory
    store.documents.save_segment(doc_id, 0, "The cat is asleep.", reviewed=True)
    assert store.memory.lookup("fr", "en", ["Le chat dort."]) == {"Le chat dort.": "The cat is asleep."}
    document = store.documents.get(doc_id)
    assert document.reviewed == {0} and document.result.segments[0].origin == "reviewed"
    assert document.result.target_text.startswith("The cat is asleep.  The dog plays.")
    assert store.documents.recent()[0]["reviewed"] == 1
    with pytest.raises(SegmentNotFound):
        store.documents.save_segment(doc_id, 3, "x", reviewed=True)
    with pytest.raises(SegmentNotFound):
        store.documents.save_segment(doc_id, -1, "x", reviewed=True)
    with pytest.raises(DocumentNotFound):
        store.documents.get("nope")


# What Apertium (fr -> es -> en) gave for one sentence of examples/sggp-putin-dprk.fr.txt.
SOURCE = ("Le président russe a affirmé que la Russie et la Corée du Nord s'opposaient fermement aux "
          "ambitions de l'Occident d'entraver l'établissement d'un ordre mondial multipolaire fondé "
          "sur le respect mutuel.")
MACHINE = ("The Russian president has affirmed that Russia and North Korea oponían fermement to the "
           "ambitions of the West to hinder the establishment of a world-wide order multipolaire "
           "founded on the mutual respect.")


def leftover(word, step, language):
    start = MACHINE.index(word)
    return {"word": word, "target_span": [start, start + len(word)], "kind": "unknown",
            "step": step, "language": language}


def apertium_result() -> TranslationResult:
    segment = Segment(0, 0, SOURCE, MACHINE, (0, len(SOURCE)), (0, len(MACHINE)), "fr",
                      untranslated=[leftover("oponían", 1, "es"), leftover("fermement", 0, "fr"),
                                    leftover("multipolaire", 0, "fr")], confidence=0.909)
    return TranslationResult(SOURCE, MACHINE, "fr", "en", [segment], route={
        "source": "fr", "target": "en", "pivots": ["es"],
        "steps": [{"engine": "apertium", "model": "apertium", "source": "fr", "target": "es"},
                  {"engine": "apertium", "model": "apertium", "source": "es", "target": "en"}]})


def words_at_their_spans(seg) -> list[str]:
    assert all(seg.target[slice(*lo["target_span"])] == lo["word"] for lo in seg.untranslated)
    return [lo["word"] for lo in seg.untranslated]


def test_a_fixed_word_stops_being_untranslated_and_the_others_move_with_their_words(store):
    doc_id = store.documents.create(apertium_result())
    fixed = MACHINE.replace("fermement", "firmly")
    seg = store.documents.save_segment(doc_id, 0, fixed, reviewed=False)
    assert words_at_their_spans(seg) == ["oponían", "multipolaire"]
    assert seg.untranslated[1]["target_span"] == [157, 169]  # three characters shorter before it
    assert seg.untranslated[0] == leftover("oponían", 1, "es")  # before the edit: untouched
    assert seg.origin == "edited" and seg.confidence == 0.909  # a draft: still the machine's
    # a later draft is compared with the machine's text again, not with the previous draft
    seg = store.documents.save_segment(doc_id, 0, fixed.replace("oponían firmly", "firmly oppose"),
                                       reviewed=False)
    assert words_at_their_spans(seg) == ["multipolaire"]
    seg = store.documents.save_segment(doc_id, 0, fixed, reviewed=True)
    assert words_at_their_spans(seg) == ["oponían", "multipolaire"]
    assert seg.origin == "reviewed" and seg.confidence == CERTAIN  # a person vouched for it
    result = store.documents.get(doc_id).result
    assert result.to_dict()["quality"]["review_first"] == []
    assert TranslationResult.from_dict(result.to_dict()) == result


def test_reviewing_the_machine_text_unchanged_keeps_its_leftovers_and_vouches_for_it():
    result = apertium_result()
    reviewed = apply_targets(result, {0: (MACHINE, "reviewed")}).segments[0]
    assert reviewed.untranslated == result.segments[0].untranslated and reviewed.confidence == CERTAIN
    drafted = apply_targets(result, {0: ("Russia and North Korea firmly oppose the West.", "edited")})
    assert drafted.segments[0].untranslated == [] and drafted.segments[0].confidence == 0.909


def test_pipeline_reuses_reviewed_segments_marked_as_memory(store, argos_fr_en, tmp_path):
    settings = Settings(models_dir=tmp_path / "m", argos_packages_dir=tmp_path / "a", apertium=False)
    pipeline = Pipeline([CTranslate2Engine(read_package(argos_fr_en), settings)], settings,
                        memory=store.memory)
    text = "Le chat dort sur le canapé. Le chien joue dans le jardin."
    first = pipeline.translate(text, target="en", source="fr")
    assert [s.origin for s in first.segments] == ["engine", "engine"]
    doc_id = store.documents.create(first)
    store.documents.save_segment(doc_id, 1, "The dog plays in the garden.", reviewed=True)
    again = pipeline.translate(text + "\nLe chien joue dans le jardin.", target="en", source="fr")
    assert [s.origin for s in again.segments] == ["engine", "memory", "memory"]
    assert again.segments[2].target == "The dog plays in the garden."
    assert again.target_text[slice(*again.segments[1].target_span)] == "The dog plays in the garden."


def test_api_keys_are_stored_hashed_checked_and_revoked(store, tmp_path):
    key, record = store.keys.create("newsdesk", rate_limit=30)
    assert key.startswith("trk_") and len(key) > 40
    assert store.keys.check(key).name == "newsdesk" and store.keys.check(key).rate_limit == 30
    assert store.keys.check(key + "x") is None and store.keys.check("") is None
    raw = (tmp_path / "db" / "translator.db").read_bytes()
    assert key.encode() not in raw  # only the hash is on disk
    with pytest.raises(InputError, match="already exists"):
        store.keys.create("newsdesk")
    store.keys.revoke("newsdesk")
    assert store.keys.check(key) is None and not store.keys.list()[0].active
    with pytest.raises(InputError):
        store.keys.revoke("newsdesk")


def test_concurrent_threads_write_without_losing_reviews(store):
    doc_id = store.documents.create(make_result())

    def review(n):
        for i in range(20):
            store.memory.add("fr", "en", f"Phrase {n}-{i}.", f"Sentence {n}-{i}.")
        store.documents.save_segment(doc_id, n, f"Target {n}", reviewed=True)

    threads = [threading.Thread(target=review, args=(n,)) for n in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert store.memory.count("*") == 63  # the operator's reviews: newsroom-wide memory
    assert store.memory.count("default") == 3  # and the document's desk
    assert store.documents.get(doc_id).reviewed == {0, 1, 2}


def test_a_committed_review_survives_a_killed_process(tmp_path):
    path = tmp_path / "t.db"
    Store(path).close()
    script = (
        "import os, sys\n"
        "from translator.store import Store\n"
        "store = Store(sys.argv[1])\n"
        "store.memory.add('fr', 'en', 'Bonjour.', 'Hello.')\n"
        "conn = store.db.connection()\n"
        "conn.execute('BEGIN IMMEDIATE')\n"
        "conn.execute(\"INSERT INTO memory (desk, source_lang, target_lang, source, target, key, \"\n"
        "             \"created_at, updated_at) VALUES ('*','fr','en','Half.','written','Half.','','')\")\n"
        "os._exit(9)  # killed in the middle of a second transaction\n")
    proc = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, timeout=60)
    assert proc.returncode == 9, proc.stderr
    store = Store(path)
    assert store.memory.lookup("fr", "en", ["Bonjour.", "Half."]) == {"Bonjour.": "Hello."}
    store.close()


def test_unwritable_location_is_a_store_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError, match="cannot open the database"):
        Store(blocker / "translator.db")
