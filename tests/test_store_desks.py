"""Desks in the SQLite store: a database made by the release before desks opens in place,
keys carry desks and roles, documents and memory stay within their desk."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from test_store import make_result
from translator.errors import InputError
from translator.store import NEWSROOM, Access, Store, StoreError
from translator.store.documents import DocumentNotFound

SCHEMA_V1 = Path(__file__).resolve().parent / "data" / "store" / "schema_v1.sql"


def release_v1_database(path: Path) -> None:
    """A database as the release before desks left it (its schema, copied from that release,
    and rows of every table)."""
    conn = sqlite3.connect(path)
    conn.executescript(SCHEMA_V1.read_text())
    conn.execute("PRAGMA user_version = 1")
    stamp = "2026-11-30T10:00:00Z"
    conn.execute("INSERT INTO memory VALUES ('fr', 'en', 'Le chat dort.', 'The cat is asleep.', "
                 "'doc1', ?, ?)", (stamp, stamp))
    conn.execute("INSERT INTO documents VALUES ('doc1', 'Le chat', 'fr', 'en', ?, ?)",
                 (__import__("json").dumps(make_result().to_dict()), stamp))
    conn.execute("INSERT INTO reviews VALUES ('doc1', 0, 'The cat is asleep.', 1, ?)", (stamp,))
    conn.execute("INSERT INTO api_keys (name, key_hash, rate_limit, created_at) VALUES "
                 "('newsdesk', ?, 60, ?)", ("ab" * 32, stamp))
    conn.commit()
    conn.close()


def test_a_database_of_the_release_before_desks_is_migrated_in_place(tmp_path):
    path = tmp_path / "translator.db"
    release_v1_database(path)
    for _ in range(2):  # a second opening finds it migrated
        store = Store(path)
        try:
            assert store.db.query("PRAGMA user_version")[0][0] == 4
            key = store.keys.get("newsdesk")
            assert (key.desk, key.role, key.rate_limit) == ("default", "member", 60)
            document = store.documents.get("doc1", Access("default"))
            assert document.desk == "default" and document.reviewed == {0}
            assert document.result.segments[0].target == "The cat is asleep."
            with pytest.raises(DocumentNotFound):
                store.documents.get("doc1", Access("sports"))
            # The old memory belongs to the implicit desk: that desk reuses it, nobody else.
            assert store.memory.for_desk("default").lookup("fr", "en", ["Le chat dort."]) == {
                "Le chat dort.": "The cat is asleep."}
            assert store.memory.for_desk("sports").lookup("fr", "en", ["Le chat dort."]) == {}
            assert store.memory.lookup("fr", "en", ["Le chat dort."]) == {}
        finally:
            store.close()


def test_a_database_of_a_newer_release_is_refused_untouched(tmp_path):
    path = tmp_path / "translator.db"
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 9")
    conn.close()
    with pytest.raises(StoreError, match="schema 9"):
        Store(path)


def test_keys_have_a_desk_and_a_role(tmp_path):
    store = Store(tmp_path / "t.db")
    try:
        _, sports = store.keys.create("sports-1", desk="sports")
        _, chief = store.keys.create("chief", desk="news", role="admin")
        _, editor = store.keys.create("editor", desk="news", role="memory-writer")
        assert (sports.desk, sports.role, sports.admin, sports.memory_writer) == ("sports", "member", False, False)
        assert chief.admin and chief.memory_writer and editor.memory_writer and not editor.admin
        for desk in ("Sports", "", "*", "a b", "x" * 33):
            with pytest.raises(InputError, match="desk"):
                store.keys.create(f"k-{desk}", desk=desk)
        with pytest.raises(InputError, match="role"):
            store.keys.create("k", role="root")
    finally:
        store.close()


def test_documents_and_memory_stay_within_their_desk(tmp_path):
    store = Store(tmp_path / "t.db")
    try:
        sports, news = Access("sports"), Access("news")
        admin, writer = Access("news", admin=True, memory_writer=True), Access("news", memory_writer=True)
        doc = store.documents.create(make_result(), desk="sports")
        assert [d["id"] for d in store.documents.recent(access=sports)] == [doc]
        assert store.documents.recent(access=news) == []
        assert [d["desk"] for d in store.documents.recent(access=admin)] == ["sports"]
        with pytest.raises(DocumentNotFound):
            store.documents.save_segment(doc, 0, "BOB WAS HERE", True, access=news)
        store.documents.save_segment(doc, 0, "The cat naps.", True, access=sports)
        assert store.memory.for_desk("sports").lookup("fr", "en", ["Le chat dort."]) == {
            "Le chat dort.": "The cat naps."}
        assert store.memory.for_desk("news").lookup("fr", "en", ["Le chat dort."]) == {}
        assert store.memory.count(NEWSROOM) == 0
        # A memory writer's review goes to the newsroom too; a desk's own entry still wins.
        news_doc = store.documents.create(make_result(), desk="news")
        store.documents.save_segment(news_doc, 0, "The cat sleeps soundly.", True, access=writer)
        assert store.memory.for_desk("politics").lookup("fr", "en", ["Le chat dort."]) == {
            "Le chat dort.": "The cat sleeps soundly."}
        assert store.memory.for_desk("sports").lookup("fr", "en", ["Le chat dort."]) == {
            "Le chat dort.": "The cat naps."}
    finally:
        store.close()
