"""Named glossaries in a real SQLite file: CRUD, atomic imports, resolution of names."""

import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from translator.engines.ctranslate2 import CTranslate2Engine
from translator.errors import GlossaryError, GlossaryExists, GlossaryNotFound
from translator.glossary import Entry, Glossary, GlossaryStore, files, store as store_module
from translator.glossary import default_glossary, open_glossary
from translator.packages import read_package
from translator.pipeline import Pipeline
from translator.settings import Settings
from translator.store import Store

DATA = Path(__file__).resolve().parent / "data" / "glossary"


@pytest.fixture
def store(tmp_path):
    with GlossaryStore(tmp_path / "db" / "glossaries.sqlite3") as store:
        yield store


def content(glossary):
    return [(e.id, e.terms, e.type, e.note, e.dnt, e.origin) for e in glossary.entries]


def test_put_get_list_delete(store):
    assert store.list() == [] and not store.path.exists()  # reading creates nothing
    news = files.read_glossary(DATA / "news-mini.tsv")
    info = store.put("news", news, source="news-mini.tsv")
    assert (info.name, info.entries, info.languages) == ("news", 6, ["en", "fr", "vi"])
    back = store.get("news")
    assert back.name == "news" and content(back) == content(news)  # order, origins, dnt kept
    assert list(back.entries[0].terms) == ["en", "fr", "vi"]
    store.put("pair", files.read_glossary(DATA / "fr-en.tsv"))
    listing = store.list()
    assert [(i.name, i.entries, i.languages) for i in listing] == [
        ("news", 6, ["en", "fr", "vi"]), ("pair", 3, ["en", "fr"])]
    assert listing[0].updated.endswith("Z") and listing[0].source == "news-mini.tsv"
    store.delete("news")
    assert store.names() == ["pair"]
    with pytest.raises(GlossaryNotFound, match=r"no glossary named 'news' \(stored: pair\)"):
        store.get("news")
    with pytest.raises(GlossaryNotFound):
        store.delete("news")


def test_put_refuses_to_overwrite_unless_replace(store):
    store.put("g", files.read_glossary(DATA / "fr-en.tsv"))
    with pytest.raises(GlossaryExists, match="--replace"):
        store.put("g", files.read_glossary(DATA / "news-mini.tsv"))
    assert len(store.get("g").entries) == 3
    store.put("g", files.read_glossary(DATA / "news-mini.tsv"), replace=True)
    assert len(store.get("g").entries) == 6


def test_a_failing_import_leaves_the_previous_version_intact(store, monkeypatch):
    before = files.read_glossary(DATA / "news-mini.tsv")
    store.put("news", before)
    calls = []

    def failing(entry):  # the third row fails to be written, after two were inserted
        calls.append(entry.id)
        if len(calls) == 3:
            raise sqlite3.OperationalError("disk I/O error")
        return original(entry)

    original = store_module._terms_json
    monkeypatch.setattr(store_module, "_terms_json", failing)
    with pytest.raises(GlossaryError, match="disk I/O error"):
        store.put("news", files.read_glossary(DATA / "fr-en.tsv"), replace=True)
    monkeypatch.setattr(store_module, "_terms_json", original)
    assert content(store.get("news")) == content(before)
    assert store.info("news").entries == 6


def test_conflicts_are_refused_unless_accepted_and_nothing_changes(store, tmp_path):
    store.put("g", files.read_glossary(DATA / "fr-en.tsv"))
    path = tmp_path / "fr-en.tsv"
    path.write_text("id\tfr\ten\nnk\tCorée du Nord\tNorth Korea\nnk\tRPDC\tNorth Korea\n"
                    "ru\tRussie\tRussia\nru2\tRussie\tRussian Federation\n", encoding="utf-8")
    conflicting = files.read_glossary(path)
    with pytest.raises(GlossaryError) as caught:
        store.put("g", conflicting, replace=True)
    assert caught.value.message.startswith(f"glossary 'g' not stored: {path}:3: duplicate id 'nk'")
    assert "--accept-conflicts" in caught.value.message
    assert len(caught.value.details["problems"]) == 3  # duplicate id, en-fr and fr-en conflicts
    assert len(store.get("g").entries) == 3
    info = store.put("g", conflicting, replace=True, accept_conflicts=True)
    assert info.entries == 3 and len(info.warnings) == 3
    entries = {e.id: e for e in store.get("g").entries}
    assert entries["nk"].terms["fr"] == ("RPDC",)  # the later row with the same id won


def test_duplicate_rows_are_stored_with_warnings(store, tmp_path):
    path = tmp_path / "t.tsv"
    path.write_text("en\tfr\nRussia\tRussie\nRussia\tRussie\n", encoding="utf-8")
    info = store.put("dups", files.read_glossary(path))
    assert info.entries == 2 and info.warnings == (f"{path}:3: warning: duplicate of {path}:2 "
                                                   "(id russia-3)",)


def test_entries_built_in_code_are_validated(store):
    bad = Glossary("x", [Entry("ok", {"en": ("Russia",), "fr": ("Russie",)}),
                         Entry("bad", {"en": ("<b>Russia</b>",), "fr": ("Russie",)})])
    with pytest.raises(GlossaryError, match="entry 'bad': '<b>Russia</b>' looks like markup"):
        store.put("x", bad)
    assert not store.exists("x")


@pytest.mark.parametrize("name", ["", "a b", "x" * 65, "../etc", "é", "default", "none"])
def test_names_are_validated(store, name):
    with pytest.raises(GlossaryError):
        store.put(name, Glossary("g", [Entry("a", {"en": ("A",), "fr": ("B",)})]))


def test_add_and_remove_entries(store):
    store.put("g", files.read_glossary(DATA / "fr-en.tsv"))
    info = store.add_entries("g", [Entry("ru", {"fr": ("Russie",), "en": ("Russia",)}, "country"),
                                   Entry("vn", {"vi": ("Việt Nam",), "en": ("Vietnam",)})])
    assert info.entries == 5 and info.languages == ["en", "fr", "vi"]
    assert [e.id for e in store.get("g").entries][-2:] == ["ru", "vn"]
    with pytest.raises(GlossaryExists, match="already has an entry 'ru'"):
        store.add_entries("g", [Entry("ru", {"fr": ("Russie",), "en": ("Russian Federation",)})])
    store.add_entries("g", [Entry("ru", {"fr": ("Russie",), "en": ("Russian Federation",)})],
                      replace=True)
    entries = store.get("g").entries
    assert entries[3].id == "ru" and entries[3].terms["en"] == ("Russian Federation",)
    with pytest.raises(GlossaryError, match="conflict in fr-en"):
        store.add_entries("g", [Entry("ru2", {"fr": ("Russie",), "en": ("Russia",)})])
    with pytest.raises(GlossaryError, match="looks like a regular expression"):
        store.add_entries("g", [Entry("bad", {"fr": ("Rus.*",), "en": ("Russia",)})])
    store.remove_entry("g", "vn")
    assert store.info("g").languages == ["en", "fr"] and store.info("g").entries == 4
    with pytest.raises(GlossaryNotFound, match="has no entry 'vn'"):
        store.remove_entry("g", "vn")
    with pytest.raises(GlossaryNotFound):
        store.add_entries("missing", [Entry("a", {"fr": ("A",), "en": ("B",)})])


def test_database_settings_schema_and_cascade(store):
    store.put("g", files.read_glossary(DATA / "news-mini.tsv"))
    store.delete("g")
    conn = sqlite3.connect(store.path)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("SELECT version FROM schema_version").fetchall() == [(2,)]
        assert conn.execute("SELECT count(*) FROM entries").fetchone()[0] == 0  # cascaded
        conn.execute("UPDATE schema_version SET version = 99")
        conn.commit()
    finally:
        conn.close()
    # The schema is checked when the file is opened: by a new store, or after close().
    with pytest.raises(GlossaryError, match=r"glossaries.sqlite3: glossary database error "
                                            r"\(schema 99 is newer than this release's 2"):
        GlossaryStore(store.path).list()
    store.close()
    with pytest.raises(GlossaryError, match="schema 99"):
        store.put("g", files.read_glossary(DATA / "fr-en.tsv"))


def test_a_corrupt_database_is_a_clear_error(tmp_path):
    path = tmp_path / "broken.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(GlossaryError, match=r"broken.sqlite3: glossary database error "
                                            r"\(file is not a database\)"):
        GlossaryStore(path).list()
    assert path.read_bytes() == b"this is not a database" * 100  # left as it was
    folder = tmp_path / "folder.sqlite3"
    folder.mkdir()
    with pytest.raises(GlossaryError, match="folder.sqlite3: glossary database error"):
        GlossaryStore(folder).get("news")


def test_an_unwritable_location_is_a_glossary_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    store = GlossaryStore(blocker / "glossaries.sqlite3")
    assert store.list() == [] and not store.exists("g")
    with pytest.raises(GlossaryError, match=r"glossaries.sqlite3: glossary database error \("):
        store.put("g", files.read_glossary(DATA / "fr-en.tsv"))


PRAGMAS = ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")


def test_the_glossary_file_is_opened_as_the_service_store_is(tmp_path):
    """Connection set-up is Database's, the service's: WAL, durable commits, foreign keys (on
    again after the opening transaction, which turns them off for migrations), busy timeout."""
    service = Store(tmp_path / "translator.db")
    store = GlossaryStore(tmp_path / "glossaries.sqlite3")
    try:
        store.put("g", files.read_glossary(DATA / "fr-en.tsv"))
        mine = store._database().connection()
        theirs = service.db.connection()
        settings = {p: mine.execute(f"PRAGMA {p}").fetchone()[0] for p in PRAGMAS}
        assert settings == {p: theirs.execute(f"PRAGMA {p}").fetchone()[0] for p in PRAGMAS}
        assert settings == {"journal_mode": "wal", "synchronous": 2, "foreign_keys": 1,
                            "busy_timeout": 30000}
    finally:
        store.close()
        service.close()


def open_files(path: Path) -> list[str]:
    """This process's open files that are ``path`` or its WAL/shared-memory files."""
    found = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith(str(path)):
            found.append(target)
    return found


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc")
def test_close_closes_the_connections_of_every_thread(tmp_path):
    store = GlossaryStore(tmp_path / "glossaries.sqlite3")
    store.put("g", files.read_glossary(DATA / "fr-en.tsv"))
    ready, done = threading.Barrier(4, timeout=30), threading.Event()

    def read():
        assert store.exists("g")
        ready.wait()
        done.wait(timeout=30)

    threads = [threading.Thread(target=read) for _ in range(3)]
    for t in threads:
        t.start()
    try:
        ready.wait()  # four connections open: this thread's and three readers'
        assert len([f for f in open_files(store.path) if f == str(store.path)]) == 4
        store.close()
        assert open_files(store.path) == []
    finally:
        done.set()
        for t in threads:
            t.join()
    assert store.names() == ["g"]  # opened again on use
    store.close()
    assert open_files(store.path) == []


def test_reading_does_not_wait_for_a_writer(tmp_path):
    """Opening a current file is a read: a reader does not wait for an import in progress
    (the service's readers while the CLI imports a large glossary)."""
    path = tmp_path / "glossaries.sqlite3"
    with GlossaryStore(path) as store:
        store.put("g", files.read_glossary(DATA / "fr-en.tsv"))
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("DELETE FROM entries")
    try:
        found = []

        def read():
            with GlossaryStore(path) as store:
                found.append(len(store.get("g").entries))

        reader = threading.Thread(target=read)
        reader.start()
        reader.join(timeout=10)
        assert found == [3]  # the committed version, at once
    finally:
        writer.execute("ROLLBACK")
        writer.close()


WRITER = """
import sys
from pathlib import Path
from translator.glossary import Entry, GlossaryStore, files
glossary = files.read_glossary(Path(sys.argv[2]))
with GlossaryStore(sys.argv[1]) as store:
    for i in range(5):
        store.put(f"{sys.argv[3]}-{i}", glossary)
        store.add_entries(f"{sys.argv[3]}-{i}", [Entry("x", {"en": ("X",), "fr": ("Y",)})])
"""


def test_several_processes_write_one_file(tmp_path):
    path = tmp_path / "glossaries.sqlite3"
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(DATA / "fr-en.tsv"),
                               f"p{n}"], stderr=subprocess.PIPE) for n in range(4)]
    for proc in procs:
        assert proc.wait(timeout=120) == 0, proc.stderr.read().decode()
        proc.stderr.close()
    with GlossaryStore(path) as store:
        listing = store.list()
    assert len(listing) == 20 and {info.entries for info in listing} == {4}


def test_concurrent_writers(store):
    glossary = files.read_glossary(DATA / "news-mini.tsv")
    errors = []

    def put(name):
        try:
            store.put(name, glossary)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=put, args=(f"g{i}",)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(store.names()) == 8


# --------------------------------------------------------------------------- resolution


@pytest.fixture
def settings(tmp_path):
    folder = tmp_path / "glossary"
    folder.mkdir()
    (folder / "news.tsv").write_bytes((DATA / "news-mini.tsv").read_bytes())
    (folder / "fr-en.tsv").write_bytes((DATA / "fr-en.tsv").read_bytes())
    return Settings(models_dir=tmp_path / "models", argos_packages_dir=tmp_path / "argos",
                    glossary_dir=folder, glossary_db=tmp_path / "g.sqlite3")


def test_open_glossary_resolves_names_files_and_the_default(settings, tmp_path):
    default = open_glossary("default", settings)
    assert default.name == "default" and len(default.entries) == 9  # fr-en.tsv, then news.tsv
    assert open_glossary("news", settings).name == "news"  # a file of glossary_dir by stem
    GlossaryStore(settings.glossary_db).put("news", files.read_glossary(DATA / "fr-en.tsv"))
    assert len(open_glossary("news", settings).entries) == 3  # a stored name comes first
    assert len(open_glossary(str(DATA / "terms.csv"), settings).entries) == 2  # a path
    with pytest.raises(GlossaryNotFound, match=r"no glossary named 'nope' \(stored: news; files in "
                                               r".*: fr-en, news\)"):
        open_glossary("nope", settings)
    with pytest.raises(GlossaryNotFound, match="no such file"):
        open_glossary("missing.tsv", settings)


def test_settings_choose_the_default_glossary(settings, tmp_path, monkeypatch):
    assert len(default_glossary(settings).entries) == 9
    assert default_glossary(settings.replace(glossary="none")) is None
    assert default_glossary(settings.replace(glossary="")) is None
    assert default_glossary(settings.replace(glossary="news")).name == "news"
    empty = tmp_path / "empty"
    empty.mkdir()
    assert default_glossary(settings.replace(glossary_dir=empty)) is None
    monkeypatch.setenv("TRANSLATOR_GLOSSARY", "none")
    assert Settings.from_env().glossary == "none"
    monkeypatch.setenv("TRANSLATOR_GLOSSARY_DIR", str(empty))
    assert Settings.from_env().glossary_dir == empty
    assert Settings().glossary_db.name == "glossaries.sqlite3"


def test_pipeline_from_settings_applies_the_default_glossary(settings, argos_fr_en):
    engine = CTranslate2Engine(read_package(argos_fr_en), settings)
    pipeline = Pipeline([engine], settings, glossary=default_glossary(settings))
    built = Pipeline.from_settings(settings)
    assert built.glossary is not None and built.glossary.digest() == pipeline.glossary.digest()
    result = pipeline.translate("Selon Tass, Poutine est là.", target="en", source="fr")
    assert result.target_text == "Selon TASS, Putin est là."
    assert result.signature["glossary"].startswith("default@")
    assert Pipeline.from_settings(settings.replace(glossary="none")).glossary is None


GLOSSARY_SCHEMA_V1 = Path(__file__).resolve().parent / "data" / "store" / "glossary_schema_v1.sql"


def test_a_glossary_database_of_the_release_before_desks_is_migrated_in_place(tmp_path):
    path = tmp_path / "glossaries.sqlite3"
    conn = sqlite3.connect(path)
    conn.executescript(GLOSSARY_SCHEMA_V1.read_text())
    conn.execute("INSERT INTO schema_version VALUES (1)")
    conn.execute("INSERT INTO glossaries (id, name, languages, created, updated) VALUES "
                 "(7, 'names', '[\"en\", \"fr\"]', '2026-11-30T10:00:00Z', '2026-11-30T10:00:00Z')")
    conn.execute("INSERT INTO entries VALUES (7, 0, 'kim', 'person', "
                 "'[[\"fr\", [\"Kim Jong Un\"]], [\"en\", [\"Kim Jong-un\"]]]', '', 0, 'names.tsv:2')")
    conn.commit()
    conn.close()
    store = GlossaryStore(path)
    assert [(i.name, i.desk, i.entries) for i in store.list(None)] == [("names", "default", 1)]
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT version FROM schema_version").fetchall() == [(2,)]
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 0  # left to other users of the file
    conn.close()
    assert store.get("names").entries[0].terms["en"] == ("Kim Jong-un",)  # entries kept
    # Names are now per desk: another desk may use the same one, and does not see the first.
    store.put("names", files.read_glossary(DATA / "news-mini.tsv"), desk="sports")
    assert store.get("names").entries[0].id == "kim"
    with pytest.raises(GlossaryNotFound, match=r"stored: names\)"):
        store.get("other", desk="sports")
    assert store.desks("names") == ["default", "sports"]
    store.delete("names", desk="sports")
    assert store.exists("names") and not store.exists("names", desk="sports")
    store.close()
