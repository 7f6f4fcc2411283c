"""Translation memory (issue 13): exact lookups blind to typography, fuzzy matches with the
source differences and provenance, repeats in a document, per desk, and the migration of
databases of the release before (real SQLite files)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from test_store import make_result
from translator.store import NEWSROOM, Access, Store
from translator.store.db import SCHEMA_VERSION
from translator.store.memory import source_diff
from translator.store.typography import typography_key

SCHEMA_V2 = Path(__file__).resolve().parent / "data" / "store" / "schema_v2.sql"


@pytest.fixture
def store(tmp_path):
    store = Store(tmp_path / "translator.db")
    yield store
    store.close()


@pytest.mark.parametrize("variant", [
    "L'armée a dit \"non\" au projet - enfin...",
    "L’armée a dit « non » au projet — enfin…",
    "L\u2019arm\u0065\u0301e a dit \u201cnon\u201d au\u00a0projet \u2013 enfin\u2026",
    "  L'armée a dit  \"non\" au projet - enfin...\n",
])
def test_exact_lookup_is_blind_to_typography(store, variant):
    store.memory.add("fr", "en", "L’armée a dit « non » au projet — enfin…", "The army said no.")
    assert store.memory.lookup("fr", "en", [variant]) == {variant: "The army said no."}
    # words, case and punctuation that is not typography still count
    for other in ("L'armée a dit \"oui\" au projet - enfin...", "l'armée a dit \"non\" au projet - enfin...",
                  "L'armée a dit \"non\" au projet, enfin..."):
        assert store.memory.lookup("fr", "en", [other]) == {}


def test_typography_key_keeps_words():
    assert typography_key("« Oui »,\u202fdit-il") == '"Oui", dit-il'
    assert typography_key("Kim Jong‑un") == "Kim Jong-un"


def test_fuzzy_matches_are_scored_with_their_differences_and_provenance(store):
    memory = store.memory
    memory.add("fr", "en", "Le président russe est arrivé à Pyongyang mardi.",
               "The Russian president arrived in Pyongyang on Tuesday.", document_id=None,
               desk="default", by="alice")
    memory.add("fr", "en", "Le ministre japonais est parti de Tokyo hier.", "The Japanese minister left Tokyo.",
               desk="default")
    memory.add("fr", "es", "Le président russe est arrivé à Pyongyang mardi.", "El presidente...",
               desk="default")
    found = memory.fuzzy("fr", "en", "Le président russe est arrivé à Hanoï mardi.", "default")
    assert len(found) == 1
    best = found[0]
    assert 70 <= best.similarity < 100 and best.created_by == "alice" and best.desk == "default"
    assert best.target == "The Russian president arrived in Pyongyang on Tuesday."
    assert best.diff == [["equal", "Le président russe est arrivé à "], ["delete", "Hanoï"],
                         ["insert", "Pyongyang"], ["equal", " mardi."]]
    exact = memory.fuzzy("fr", "en", "Le président russe est arrivé à Pyongyang mardi.", "default")
    assert exact[0].similarity == 100
    # nothing alike, no words at all, another pair: nothing
    assert memory.fuzzy("fr", "en", "Zébulon joue du xylophone.", "default") == []
    assert memory.fuzzy("fr", "en", "…", "default") == []
    assert memory.fuzzy("en", "fr", "Le président russe est arrivé à Hanoï mardi.", "default") == []


def test_fuzzy_matches_stay_within_the_desk(store):
    store.memory.add("fr", "en", "Le club de Hué a gagné la coupe.", "BOB WAS HERE", desk="sports")
    store.memory.add("fr", "en", "Le club de Hué a perdu la coupe.", "The Hue club lost the cup.",
                     desk=NEWSROOM)
    found = store.memory.fuzzy("fr", "en", "Le club de Hué a gagné la coupe hier.", "politics")
    assert [m.target for m in found] == ["The Hue club lost the cup."]
    ours = store.memory.fuzzy("fr", "en", "Le club de Hué a gagné la coupe hier.", "sports")
    assert ours[0].target == "BOB WAS HERE"


def test_common_words_do_not_make_a_lookup_scan_everything(store):
    with store.db.transaction() as conn:
        for n in range(3000):
            store.memory.put(conn, "fr", "en", f"Le la de et les {n} phrase numéro {n}.", f"Sentence {n}.")
    found = store.memory.fuzzy("fr", "en", "Le la de et les 1234 phrase numéro 1234 !")
    assert found and found[0].target == "Sentence 1234."


def test_source_diff_pieces_rebuild_both_sentences():
    a, b = "Il a dit « oui » hier.", "Elle a dit « non » hier soir."
    diff = source_diff(a, b)
    assert "".join(t for op, t in diff if op != "insert") == a
    assert "".join(t for op, t in diff if op != "delete") == b


def test_a_review_reaches_its_repeats_and_records_who(store):
    result = make_result()
    doc_id = store.documents.create(result)
    document = store.documents.get(doc_id)
    sources = [s.source for s in document.result.segments]
    assert len(sources) >= 1
    segment, repeats = store.documents.save(doc_id, 0, "Reviewed.", True,
                                            Access("default", memory_writer=True, name="alice"))
    assert segment.target == "Reviewed." and repeats == [i for i, s in enumerate(sources)
                                                         if i and typography_key(s) == typography_key(sources[0])]
    entry = store.memory.fuzzy(result.source_lang, result.target_lang, sources[0], "default")[0]
    assert (entry.created_by, entry.document_id, entry.similarity) == ("alice", doc_id, 100)


def release_v2_database(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.executescript(SCHEMA_V2.read_text())
    conn.execute("PRAGMA user_version = 2")
    stamp = "2026-12-01T10:00:00Z"
    conn.execute("INSERT INTO memory VALUES ('default', 'fr', 'en', 'L’Ukraine a répondu « non ».', "
                 "'Ukraine said \"no\".', 'doc1', ?, ?)", (stamp, stamp))
    conn.execute("INSERT INTO memory VALUES ('*', 'fr', 'en', 'Le chat dort sur le canapé.', "
                 "'The cat sleeps on the sofa.', NULL, ?, ?)", (stamp, stamp))
    conn.commit()
    conn.close()


def test_a_database_of_the_release_before_fuzzy_memory_is_migrated_in_place(tmp_path):
    path = tmp_path / "translator.db"
    release_v2_database(path)
    for _ in range(2):  # a second opening finds it migrated
        store = Store(path)
        try:
            assert store.db.query("PRAGMA user_version")[0][0] == SCHEMA_VERSION == 4
            # the targets of the entries stored before are in the concordance's index
            assert [(m.target, m.matched) for m in store.memory.concordance("fr", "en", "sleeps on")] == [
                ("The cat sleeps on the sofa.", "target")]
            assert store.memory.count() == 2
            assert store.memory.for_desk("default").lookup("fr", "en", ["L'Ukraine a répondu \"non\"."]) == {
                "L'Ukraine a répondu \"non\".": 'Ukraine said "no".'}
            assert store.memory.for_desk("sports").lookup("fr", "en", ["L'Ukraine a répondu \"non\"."]) == {}
            found = store.memory.fuzzy("fr", "en", "Le chat dort sur le lit.", "sports")
            assert [m.target for m in found] == ["The cat sleeps on the sofa."]
            assert found[0].updated_at == "2026-12-01T10:00:00Z" and found[0].created_by is None
        finally:
            store.close()
    # entries written after the migration are indexed too, and replacing one re-indexes it
    store = Store(path)
    store.memory.add("fr", "en", "Le chat dort sur le canapé.", "The cat naps on the sofa.")
    assert [m.target for m in store.memory.fuzzy("fr", "en", "Le chat dort sur le lit.")] == [
        "The cat naps on the sofa."]
    assert store.memory.concordance("fr", "en", "sleeps") == []
    assert len(store.memory.concordance("fr", "en", "naps")) == 1
    store.close()


def test_concordance_searches_sources_and_targets_and_says_which_side_matched(store):
    memory = store.memory
    memory.add("fr", "en", "Le Premier ministre est arrivé à Hanoï.", "The Prime Minister arrived in Hanoi.",
               desk="default")
    memory.add("fr", "en", "Le chef du gouvernement a parlé.", "The prime minister spoke.", desk="default")
    memory.add("fr", "en", "« Premier ministre » se dit “prime minister”.",
               "“Premier ministre” is “prime minister”.", desk="default")
    memory.add("fr", "en", "Le ministre a parlé au premier.", "The minister spoke to the prime one.",
               desk="default")
    memory.add("fr", "en", "Le chef de l’État a parlé.", "The head of state spoke.", desk="sports")
    memory.add("fr", "es", "Le chef du gouvernement a parlé.", "El primer ministro habló.", desk="default")

    def found(phrase, desk="default"):
        return [(m.source, m.matched) for m in memory.concordance("fr", "en", phrase, desk)]

    # the words in that order, on either side; each entry once, saying where
    assert sorted(found("prime minister")) == [
        ("Le Premier ministre est arrivé à Hanoï.", "target"),
        ("Le chef du gouvernement a parlé.", "target"),
        ("« Premier ministre » se dit “prime minister”.", "both")]
    assert sorted(found("premier ministre")) == [
        ("Le Premier ministre est arrivé à Hanoï.", "source"),
        ("« Premier ministre » se dit “prime minister”.", "both")]
    # case, accents and typography aside; another desk's entries and another pair unseen
    assert found("HANOI") == [("Le Premier ministre est arrivé à Hanoï.", "both")]
    assert found("head of state") == [] and found("primer ministro") == []
    assert found("head of state", "sports") == [("Le chef de l’État a parlé.", "target")]
    # a changed target is searched by its new words only
    memory.add("fr", "en", "Le chef du gouvernement a parlé.", "The head of government spoke.",
               desk="default")
    assert [s for s, _ in found("prime minister")] and "Le chef du gouvernement a parlé." not in [
        s for s, _ in found("prime minister")]
    assert found("head of government") == [("Le chef du gouvernement a parlé.", "target")]
    assert memory.concordance("fr", "en", "…", "default") == []
    as_json = memory.concordance("fr", "en", "spoke to", "default")[0].to_dict()
    assert as_json["matched"] == "target" and as_json["target"] == "The minister spoke to the prime one."


def test_an_edit_keeps_terms_moves_them_and_warns_for_a_lost_one():
    from translator.result import Segment
    from translator.store.documents import edited

    target = "Russia and North Korea cooperate."
    terms = [{"source": "Russie", "target": "Russia", "source_span": [3, 9], "target_span": [0, 6]},
             {"source": "Corée du Nord", "target": "North Korea", "source_span": [16, 29],
              "target_span": [11, 22]}]
    seg = Segment(0, 0, "La Russie et la Corée du Nord coopèrent.", target, (0, 41), (0, 33), "fr",
                  terms=terms, warnings=["glossary: 'x' -> 'y' not rendered", "other"])
    moved = edited(seg, "North Korea and Russia work together.", "edited")
    assert [t["target_span"] for t in moved.terms] == [[16, 22], [0, 11]]
    assert moved.warnings == ["other"]  # every term is rendered: no term warning left
    lost = edited(seg, "Russia and Pyongyang cooperate.", "reviewed")
    assert [t["target_span"] for t in lost.terms] == [[0, 6], [-1, -1]]
    assert lost.warnings == ["other", "glossary: 'Corée du Nord' -> 'North Korea' not rendered"]
    assert edited(seg, target, "reviewed").terms == terms
    # saved as the machine left it: a term the machine could not render keeps its warning
    failed = Segment(0, 0, seg.source, "Russia and Korea cooperate.", (0, 41), (0, 27), "fr",
                     terms=[terms[0], {**terms[1], "target_span": [-1, -1]}],
                     warnings=["glossary: 'Corée du Nord' -> 'North Korea' not rendered"])
    same = edited(failed, failed.target, "reviewed")
    assert same.warnings == failed.warnings and same.terms == failed.terms
