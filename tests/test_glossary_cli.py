"""`translator glossary ...` and `translate --glossary` as a user runs them (in this process:
tests/cli_runner.py): real files, a real SQLite store, real engines."""

import json
from pathlib import Path

import pytest

from cli_runner import run_cli
from translator.engines.apertium import ApertiumEngine
from translator.glossary import files, rules

DATA = Path(__file__).resolve().parent / "data" / "glossary"
needs_apertium = pytest.mark.skipif(not ApertiumEngine.available(), reason="apertium not installed")


def run(*args, stdin: bytes | None = None, cwd=None):
    return run_cli(*args, stdin=stdin, cwd=cwd)


@pytest.fixture
def env(tmp_path):
    """Flags that point the CLI at this test's own folders."""
    glossary_dir = tmp_path / "glossary"
    glossary_dir.mkdir()
    return ["--glossary-dir", glossary_dir, "--glossary-db", tmp_path / "glossaries.sqlite3",
            "--models-dir", tmp_path / "models"]


def glossary(*args, env):
    return run("glossary", *args[:1], *env, *args[1:])


def one_line_error(proc, code=2):
    err = proc.stderr.decode()
    assert proc.returncode == code, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    return err


def test_import_list_show_export_remove(env, tmp_path):
    proc = glossary("import", "news", DATA / "news-mini.tsv", env=env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.decode().strip() == "imported 6 entries into news (en, fr, vi)"
    assert glossary("import", "pair", DATA / "basic-v2.tbx", env=env).returncode == 0
    listing = glossary("list", env=env).stdout.decode().splitlines()
    assert [line.split("\t")[:4] for line in listing] == [
        ["news", "stored", "6", "en,fr,vi"], ["pair", "stored", "2", "en,fr,vi"]]
    shown = glossary("show", "news", "--pair", "fr-en", env=env).stdout.decode().splitlines()
    assert shown[1] == "id\ttype\tfr\ten\tnote"
    assert shown[2] == "putin\tperson\tVladimir Poutine | Poutine\tVladimir Putin\t"
    as_json = json.loads(glossary("show", "news", "--format", "json", env=env).stdout)
    assert as_json["name"] == "news" and as_json["entries"][0]["terms"]["fr"] == [
        "Vladimir Poutine", "Poutine"]
    tbx = glossary("show", "pair", "--format", "tbx", env=env).stdout.decode()
    assert tbx.startswith("<?xml") and "<termEntry" in tbx
    # Export to a file (format from the extension) and import it again: the same glossary.
    out = tmp_path / "export" / "news.tbx"
    proc = glossary("export", "news", "-o", out, env=env)
    assert proc.returncode == 0, proc.stderr
    assert glossary("import", "again", out, env=env).returncode == 0
    first = json.loads(glossary("show", "news", "--format", "json", env=env).stdout)
    again = json.loads(glossary("show", "again", "--format", "json", env=env).stdout)
    assert first["entries"] == again["entries"]
    tsv = glossary("export", "news", env=env).stdout.decode()
    assert tsv.splitlines()[1] == "id\ttype\ten\tfr\tvi\tnote"
    assert glossary("remove", "again", env=env).returncode == 0
    assert "again" not in glossary("list", env=env).stdout.decode()
    err = one_line_error(glossary("remove", "again", env=env))
    assert "no glossary named 'again' (stored: news, pair)" in err


def test_list_shows_the_default_glossary_files(env):
    folder = Path(env[1])
    (folder / "news.tsv").write_bytes((DATA / "news-mini.tsv").read_bytes())
    (folder / "curated").mkdir()
    (folder / "curated" / "people.tsv").write_text("not read\n", encoding="utf-8")
    listing = glossary("list", env=env).stdout.decode().splitlines()
    assert listing == [f"news\tdefault\t6\ten,fr,vi\t{folder / 'news.tsv'}"]
    items = json.loads(glossary("list", "--format", "json", env=env).stdout)
    assert items[0]["kind"] == "default" and items[0]["entries"] == 6
    shown = glossary("show", "default", env=env).stdout.decode()
    assert "Vladimir Poutine" in shown


def test_import_refuses_an_existing_name_unless_replace(env):
    assert glossary("import", "g", DATA / "fr-en.tsv", env=env).returncode == 0
    err = one_line_error(glossary("import", "g", DATA / "news-mini.tsv", env=env))
    assert "glossary 'g' exists; replace it with --replace" in err
    assert glossary("import", "g", DATA / "news-mini.tsv", "--replace", env=env).returncode == 0
    assert "\t6\t" in glossary("list", env=env).stdout.decode()


BAD_FILES = [
    ("header.tsv", b"Poutine\tPutin\n", "header.tsv:1: unknown language code 'Poutine'"),
    ("columns.tsv", b"id\ten\tfr\na\tRussia\n", "columns.tsv:2: expected 3 columns"),
    ("fr-en.tsv", b"source\ttarget\nRussie\t\n", "fr-en.tsv:2: empty en term"),
    ("control.tsv", b"en\tfr\nRus\x1bsia\tRussie\n", "control.tsv:2: en: control character U+001B"),
    ("markup.tsv", b"en\tfr\n<b>Russia</b>\tRussie\n", "markup.tsv:2: en: '<b>Russia</b>' looks like "
     "markup"),
    ("regex.tsv", b"en\tfr\nRussia\tRuss\\w+\n", "regex.tsv:2: fr: 'Russ\\\\w+' looks like a regular"),
    ("variants.tsv", b"en\tfr\nRussia | \tRussie\n", "variants.tsv:2: en: empty item"),
    ("language.tsv", b"en\txx\nRussia\tRussie\n", "language.tsv:1: unknown language code 'xx'"),
    ("latin1.tsv", b"en\tfr\nRussia\tRussie\nCuba\tcaf\xe9\n", "latin1.tsv:3: not valid UTF-8"),
    ("quotes.csv", b'en,fr\n"Russia,Russie\n', "quotes.csv:2: bad CSV"),
    ("conflict.tsv", b"en\tfr\nRussia\tRussie\nRussian Federation\tRussie\n",
     "conflict.tsv:3: conflict in fr-en: 'Russie' -> 'Russian Federation'"),
    ("laughs.tbx", (DATA / "hostile" / "billion-laughs.tbx").read_bytes(), "laughs.tbx:2: refused"),
    ("external.tbx", (DATA / "hostile" / "external-entity.tbx").read_bytes(),
     "external.tbx:2: refused"),
    ("dtd.tbx", (DATA / "hostile" / "external-dtd.tbx").read_bytes(), "dtd.tbx:2: refused"),
]


@pytest.mark.parametrize("name, data, message", BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_a_bad_file_is_one_line_exit_2_and_changes_nothing(env, tmp_path, name, data, message):
    assert glossary("import", "news", DATA / "news-mini.tsv", env=env).returncode == 0
    db = Path(env[3])
    before = glossary("show", "news", "--format", "json", env=env).stdout
    listing = glossary("list", env=env).stdout
    bad = tmp_path / name
    bad.write_bytes(data)
    for args in (["import", "news", bad, "--replace"], ["import", "other", bad]):
        err = one_line_error(glossary(*args, env=env))
        assert message in err, err
        assert err.startswith("translator: error: ")
    assert glossary("show", "news", "--format", "json", env=env).stdout == before
    assert glossary("list", env=env).stdout == listing
    assert db.exists()
    # check: exit 1 and the problem on standard output
    check = glossary("check", bad, env=env)
    assert check.returncode == 1, check.stderr
    assert message in check.stdout.decode()
    # translating with it: the same one-line error (conflicts do not stop a translation:
    # the later entry wins, as in the default glossary files)
    proc = run("translate", "--glossary", bad, "--to", "en", "--from", "fr", *env,
               stdin=b"Le chat dort.")
    if "conflict" in message:
        assert proc.returncode == 0, proc.stderr
    else:
        assert message in one_line_error(proc)


def test_conflicts_can_be_accepted(env, tmp_path):
    path = tmp_path / "fr-en.tsv"
    path.write_text("source\ttarget\nCorée du Nord\tNorth Korea\nRPDC\tNorth Korea\n", encoding="utf-8")
    err = one_line_error(glossary("import", "nk", path, env=env))
    assert "conflict in en-fr" in err and "--accept-conflicts" in err
    proc = glossary("import", "nk", path, "--accept-conflicts", env=env)
    assert proc.returncode == 0, proc.stderr
    assert b"warning: " in proc.stderr and b"imported 2 entries" in proc.stdout


def test_check_clean_files_names_and_folders(env):
    assert glossary("check", DATA / "news-mini.tsv", env=env).returncode == 0
    assert glossary("check", DATA / "basic-v3.tbx", env=env).stdout == b""
    assert glossary("import", "g", DATA / "fr-en.tsv", env=env).returncode == 0
    assert glossary("check", "g", env=env).returncode == 0
    folder = Path(env[1])
    (folder / "a.tsv").write_text("en\tfr\nRussia\tRussie\nRussia\tRussie\n", encoding="utf-8")
    (folder / "b.tsv").write_text("en\tfr\nRussia\t.*\n", encoding="utf-8")
    proc = glossary("check", "default", env=env)
    assert proc.returncode == 1
    assert proc.stdout.decode().splitlines() == [
        f"{folder / 'a.tsv'}:3: warning: duplicate of {folder / 'a.tsv'}:2 (id russia-3)",
        f"{folder / 'b.tsv'}:2: fr: '.*' looks like a regular expression; terms are matched "
        "literally"]
    err = one_line_error(glossary("check", "missing-name", env=env))
    assert "no glossary named 'missing-name'" in err


@pytest.fixture
def copy_model(env, argos_fr_en_zip):
    """The copy model fr->en installed: it leaves French names, the glossary must render them."""
    proc = run("models", "install", argos_fr_en_zip, *env)
    assert proc.returncode == 0, proc.stderr
    return env


def test_translate_with_a_glossary_file_a_stored_one_the_default_or_none(copy_model, tmp_path):
    env = copy_model
    text = "Selon Tass, Poutine est arrivé dans l'Extrême-Orient russe.".encode()
    base = ["translate", "--from", "fr", "--to", "en", *env]
    plain = run(*base, stdin=text)
    assert plain.returncode == 0, plain.stderr
    assert plain.stdout.decode().strip() == text.decode()  # no default glossary: a copy
    with_file = run(*base, "--glossary", DATA / "fr-en.tsv", "--format", "json", stdin=text)
    assert with_file.returncode == 0, with_file.stderr
    result = json.loads(with_file.stdout)
    assert result["target_text"] == "Selon Tass, Poutine est arrivé dans l'Russian Far East."
    assert result["segments"][0]["terms"][0]["target"] == "Russian Far East"
    # The default glossary (files of --glossary-dir) applies to every translation...
    folder = Path(env[1])
    (folder / "news.tsv").write_bytes((DATA / "news-mini.tsv").read_bytes())
    default = run(*base, stdin=text)
    assert default.stdout.decode().strip() == \
        "Selon TASS, Putin est arrivé dans l'Extrême-Orient russe."
    # ... a stored glossary is merged over it ...
    assert glossary("import", "regions", DATA / "fr-en.tsv", env=env).returncode == 0
    merged = run(*base, "--glossary", "regions", "--format", "json", stdin=text)
    result = json.loads(merged.stdout)
    assert result["target_text"] == "Selon TASS, Putin est arrivé dans l'Russian Far East."
    assert result["signature"]["glossary"].startswith("default+regions@")
    # ... and --no-glossary turns everything off.
    none = run(*base, "--no-glossary", stdin=text)
    assert none.stdout.decode().strip() == text.decode()
    both = run(*base, "--no-glossary", "--glossary", "regions", stdin=text)
    assert both.returncode == 2 and b"not allowed with" in both.stderr


def test_a_broken_default_glossary_is_one_clear_line(copy_model):
    env = copy_model
    (Path(env[1]) / "news.tsv").write_text("en\tfr\nRussia\t[Rr]ussie\n", encoding="utf-8")
    err = one_line_error(run("translate", "--from", "fr", "--to", "en", *env, stdin=b"La Russie."))
    assert "news.tsv:2: fr: '[Rr]ussie' looks like a regular expression" in err
    assert run("translate", "--from", "fr", "--to", "en", "--no-glossary", *env,
               stdin=b"La Russie.").returncode == 0
    # commands that translate nothing do not read it
    assert run("languages", *env).returncode == 0
    assert run("detect", *env, stdin=b"La Russie est grande.").returncode == 0


def test_suggest_with_the_copy_model(copy_model, tmp_path):
    env = copy_model
    (Path(env[1]) / "news.tsv").write_bytes((DATA / "news-mini.tsv").read_bytes())
    one = tmp_path / "one.txt"
    two = tmp_path / "two.txt"
    one.write_text("Selon Tass, Poutine a rencontré Sergueï Lavrov à Pyongyang. "
                   "Le ministre Sergueï Lavrov a parlé.\n", encoding="utf-8")
    two.write_text("Sergueï Lavrov est reparti de Pyongyang hier.\n", encoding="utf-8")
    proc = glossary("suggest", one, two, "--to", "en", "--from", "fr", env=env)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.decode().splitlines()
    assert lines[:4] == ["# fr-en: 2 names not in the glossary",
                         "source\trendering\tcount\tdocuments\tin_translation",
                         "Sergueï Lavrov\tSergueï Lavrov\t3\t2\t2/2",
                         "Pyongyang\tPyongyang\t2\t2\t2/2"]
    pair = glossary("suggest", one, two, "--to", "en", "--from", "fr", "--format", "pair",
                    "--no-check", env=env)
    saved = tmp_path / "fr-en.tsv"
    saved.write_bytes(pair.stdout)
    entries = files.read_glossary(saved).entries
    assert [(e.terms, e.dnt) for e in entries] == [  # the same in both: do not translate
        ({"fr": ("Sergueï Lavrov",), "en": ("Sergueï Lavrov",)}, True),
        ({"fr": ("Pyongyang",), "en": ("Pyongyang",)}, True)]
    assert entries[0].note == "3 times in 2 documents"


@needs_apertium
def test_suggest_on_apertium_one_rendering_per_name_across_files(env, tmp_path):
    env = [*env, "--engine", "apertium"]
    (Path(env[1]) / "news.tsv").write_bytes((DATA / "news-mini.tsv").read_bytes())
    one = tmp_path / "one.txt"
    two = tmp_path / "two.txt"
    one.write_text("Le président Poutine est arrivé en Extrême-Orient. Selon Tass, il a rencontré "
                   "le dirigeant Kim Jong Un de la Corée du Nord.\n", encoding="utf-8")
    two.write_text("L'Occident a critiqué fermement la visite en Extrême-Orient. Les Nations "
                   "Unies ont réagi.\n", encoding="utf-8")
    proc = glossary("suggest", one, two, "--to", "en", "--format", "json", env=env)
    assert proc.returncode == 0, proc.stderr
    found = {s["source"]: s for s in json.loads(proc.stdout)}
    assert "Poutine" not in found and "Kim Jong Un" not in found and "Tass" not in found
    assert "Corée du Nord" not in found  # in the glossary (RPDC's entry)
    far_east = found["Extrême-Orient"]
    assert (far_east["count"], far_east["documents"]) == (2, 2)
    assert far_east["rendering"] and far_east["rendering"] != "Extrême-Orient"
    assert found["Nations Unies"]["rendering"] == "United Nations"
    assert found["Occident"]["source_lang"] == "fr" and found["Occident"]["target_lang"] == "en"
    assert all(s["in_translation"] is not None for s in found.values() if s["kind"] == "name")
    assert found["fermement"]["kind"] == "untranslated"  # left as it was: a candidate
    assert (found["fermement"]["language"], found["fermement"]["pivot"]) == ("fr", False)


def test_suggest_and_show_errors_are_one_line(env, tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"caf\xe9")
    err = one_line_error(glossary("suggest", bad, "--to", "en", env=env))
    assert "bad.txt: not valid UTF-8" in err
    err = one_line_error(glossary("show", "nothing", env=env))
    assert "no glossary named 'nothing'" in err
    err = one_line_error(glossary("show", DATA / "news-mini.tsv", "--pair", "fr", env=env))
    assert "--pair 'fr'" in err


# -- untranslated words as candidates (in-process: the suggest module on real Apertium) ----

ARCHIVE = [
    "Le président Poutine est arrivé en Extrême-Orient. Les deux pays s'opposaient fermement "
    "aux sanctions. Le ministre Ivan Zorblat a parlé.",
    "L'Occident a critiqué fermement la visite en Extrême-Orient. Kim Jong Un s'est rendu "
    "en Extrême-Orient.",
]


@pytest.fixture(scope="module")
def apertium_pipeline(tmp_path_factory):
    from translator.pipeline import Pipeline
    from translator.settings import Settings

    if not ApertiumEngine.available():
        pytest.skip("apertium not installed")
    root = tmp_path_factory.mktemp("suggest")
    pipeline = Pipeline.from_settings(Settings(models_dir=root / "models", glossary="none",
                                               argos_packages_dir=root / "argos"))
    yield pipeline
    pipeline.close()


@pytest.fixture(scope="module")
def suggested(apertium_pipeline):
    from translator.glossary import suggest

    news = files.read_glossary(DATA / "news-mini.tsv")
    return suggest.suggest(apertium_pipeline, ARCHIVE, "en", "fr", glossary=news)


def test_suggest_offers_the_words_apertium_left_untranslated_with_their_language(suggested):
    words = {(s.source, s.language, s.pivot): s for s in suggested if s.kind == "untranslated"}
    fermement = words[("fermement", "fr", False)]  # a French word: left by the first step
    assert (fermement.count, fermement.documents, fermement.rendering) == (2, 2, "")
    assert ("oponían", "es", True) in words  # Spanish, left by the pivot step es->en
    assert not any(word == "Zorblat" for word, _, _ in words)  # in the name "Ivan Zorblat"
    assert not any(word == "give" for word, _, _ in words)  # a generation error: translated
    names = [s.source for s in suggested if s.kind == "name"]
    assert "Ivan Zorblat" in names and "Extrême-Orient" in names
    kinds = [s.kind for s in suggested]
    assert kinds == sorted(kinds)  # names first, then words
    as_json = fermement.to_dict()
    assert as_json == {"kind": "untranslated", "source": "fermement", "rendering": None,
                       "count": 2, "documents": 2, "in_translation": None, "source_lang": "fr",
                       "target_lang": "en", "language": "fr", "pivot": False}
    name = next(s for s in suggested if s.source == "Extrême-Orient").to_dict()
    assert (name["kind"], name["language"], name["pivot"]) == ("name", "fr", False)


def test_suggest_tsv_lists_source_and_pivot_words_in_their_own_blocks(suggested):
    from translator.glossary import suggest

    lines = suggest.to_tsv(suggested).splitlines()
    assert lines[1] == "source\trendering\tcount\tdocuments\tin_translation"
    source = lines.index("# fr-en: 1 word left untranslated in fr, the source language")
    assert lines[source + 1:source + 3] == ["word\tlanguage\tcount\tdocuments",
                                            "fermement\tfr\t2\t2"]
    pivot = lines.index("# fr-en: 1 word left untranslated in es, a pivot language: left by "
                        "a later step of the route, not fr words")
    assert pivot > source and lines[pivot + 2] == "oponían\tes\t1\t1"


def test_suggest_pair_file_keeps_words_as_comments_a_reviewer_turns_into_entries(suggested, tmp_path):
    from translator.glossary import suggest

    text = suggest.to_pair_file(suggested)
    assert "# fermement\t\tleft untranslated 2 times in 2 documents\n" in text
    assert "#   oponían (es): 1 time in 1 document\n" in text
    saved = tmp_path / "fr-en.tsv"
    saved.write_text(text, encoding="utf-8")
    names = [e.terms["fr"][0] for e in files.read_glossary(saved).entries]
    assert "fermement" not in names and "oponían" not in names and "Extrême-Orient" in names
    saved.write_text(text.replace("# fermement\t\t", "fermement\tfirmly\t"), encoding="utf-8")
    entry = next(e for e in files.read_glossary(saved).entries if e.terms["fr"] == ("fermement",))
    assert entry.terms["en"] == ("firmly",)
    assert rules.check(files.read_glossary(saved)) == []


def test_suggest_words_can_be_limited_or_turned_off(apertium_pipeline, capsys, tmp_path):
    from translator.cli import main
    from translator.glossary import suggest

    none = suggest.suggest(apertium_pipeline, ARCHIVE, "en", "fr", glossary=None, untranslated=0)
    assert [s.kind for s in none] == ["name"] * len(none)
    unchecked = suggest.suggest(apertium_pipeline, ARCHIVE, "en", "fr", glossary=None,
                                check_translation=False)
    assert all(s.kind == "name" for s in unchecked)  # nothing translated: no leftovers known
    one = suggest.suggest(apertium_pipeline, ARCHIVE + ["Les pays s'opposaient résolument."],
                          "en", "fr", glossary=None, untranslated=1)
    blocks = [(s.language, s.pivot) for s in one if s.kind == "untranslated"]
    assert len(blocks) == len(set(blocks)) == 2  # one word per language of the pair
    assert main(["glossary", "suggest", "-", "--to", "en", "--untranslated", "-1",
                 "--models-dir", str(tmp_path)]) == 2
    assert "--untranslated must be 0 or more" in capsys.readouterr().err


def test_a_glossary_database_that_cannot_be_read_is_exit_6_in_one_line(env, tmp_path):
    """Not bad input: the glossaries' database is broken (exit 6, as for the other stores),
    and the message names the file."""
    (tmp_path / "glossaries.sqlite3").write_bytes(b"not a database" * 100)
    err = one_line_error(glossary("list", env=env), code=6)
    assert "glossaries.sqlite3: glossary database error" in err
