"""Aligned archives into the translation memory (issue 13, part 4): `translator align
SOURCE TARGET --into-memory` and the folder-pair mode `translator align DIR_VI DIR_FR`, with
the real aligner on real files and a real SQLite store; a bad input stores nothing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from cli_runner import run_cli

from translator.store import Store

DATA = Path(__file__).resolve().parent / "data" / "align"
NOTE = ("Note de la rédaction : cet article a été mis à jour le lendemain avec les chiffres "
        "officiels du ministère.")


def align(*args):
    return run_cli("align", *args)


def entries(db: Path, desk: str | None = None) -> list[dict]:
    store = Store(db)
    try:
        sql = "SELECT desk, source_lang, target_lang, source, target, created_by FROM memory"
        rows = store.db.query(sql + (" WHERE desk = ?" if desk else ""), (desk,) if desk else ())
        return [dict(r) for r in rows]
    finally:
        store.close()


def with_note(path: Path) -> Path:
    """floods.fr.txt with a sentence the original does not have (a 0-1 bead)."""
    paragraphs = (DATA / "floods.fr.txt").read_text(encoding="utf-8").split("\n\n")
    path.write_text("\n\n".join(paragraphs[:2] + [NOTE] + paragraphs[2:]), encoding="utf-8")
    return path


def test_into_memory_stores_the_confident_pairs_with_the_documents_as_provenance(tmp_path):
    db = tmp_path / "translator.db"
    done = align(DATA / "floods.vi.txt", DATA / "floods.fr.txt", "--into-memory", "--db-path", db)
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode().strip() == (
        "added 12 pairs to the memory of 'default' (vi-fr) from floods.vi.txt and floods.fr.txt; "
        "none left out")
    rows = entries(db)
    assert len(rows) == 12
    assert {(r["desk"], r["source_lang"], r["target_lang"], r["created_by"]) for r in rows} == {
        ("default", "vi", "fr", "align:floods.vi.txt | floods.fr.txt")}
    # the translations now reuse it: exact (typography aside) and fuzzy, with provenance
    store = Store(db)
    try:
        title = "Lũ lụt ở miền Trung Việt Nam làm ít nhất 25 người chết"
        found = store.memory.for_desk("default").lookup("vi", "fr", [title])
        assert found == {title: "Des inondations dans le centre du Vietnam font au moins 25 morts"}
        fuzzy = store.memory.for_desk("default").fuzzy("vi", "fr", title.replace("25", "30"))
        assert fuzzy and fuzzy[0].created_by == "align:floods.vi.txt | floods.fr.txt"
        assert 50 <= fuzzy[0].similarity < 100
    finally:
        store.close()


def test_beads_without_a_counterpart_are_left_out_and_counted(tmp_path):
    db = tmp_path / "translator.db"
    target = with_note(tmp_path / "floods.fr.txt")
    done = align(DATA / "floods.vi.txt", target, "--into-memory", "--desk", "sport",
                 "--db-path", db, "--mt", "off")
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode().strip().endswith(
        "; 1 left out (1 no counterpart on the other side)")
    rows = entries(db, "sport")
    assert len(rows) == 12 and NOTE not in {r["target"] for r in rows}
    assert entries(db, "default") == []


def test_the_newsroom_memory(tmp_path):
    db = tmp_path / "translator.db"
    done = align(DATA / "inflation.fr.txt", DATA / "inflation.en.txt", "--into-memory",
                 "--newsroom", "--db-path", db, "--mt", "off")
    assert done.returncode == 0, done.stderr
    rows = entries(db)
    assert rows and {(r["desk"], r["source_lang"], r["target_lang"]) for r in rows} == {
        ("*", "fr", "en")}


def folders(tmp_path: Path) -> tuple[Path, Path]:
    vi, fr = tmp_path / "vi", tmp_path / "fr"
    vi.mkdir()
    fr.mkdir()
    shutil.copy(DATA / "floods.vi.txt", vi / "floods.txt")
    shutil.copy(DATA / "inflation.vi.txt", vi / "inflation.vi.txt")  # a language tag: pairs too
    shutil.copy(DATA / "floods.fr.txt", fr / "floods.txt")
    shutil.copy(DATA / "inflation.fr.txt", fr / "inflation.fr.txt")
    (vi / "only-original.txt").write_text("Một bài chưa được dịch.", encoding="utf-8")
    (fr / "only-translation.txt").write_text("Un article sans original.", encoding="utf-8")
    (fr / ".hidden").write_text("x", encoding="utf-8")
    return vi, fr


def test_folder_pairs_by_name_into_memory_report_files_on_one_side_only(tmp_path):
    db = tmp_path / "translator.db"
    vi, fr = folders(tmp_path)
    done = align(vi, fr, "--into-memory", "--desk", "economy", "--db-path", db, "--mt", "off")
    out, err = done.stdout.decode(), done.stderr.decode()
    assert done.returncode == 0, err
    assert "floods.txt\tfloods.txt\t12 pairs to add; none left out" in out
    assert "inflation.vi.txt\tinflation.fr.txt\t" in out
    assert out.splitlines()[-1] == ("added 20 pairs to the memory of 'economy' from 2 document "
                                    "pairs; 0 beads left out")
    assert f"only in {vi}: only-original.txt" in err
    assert f"only in {fr}: only-translation.txt" in err
    assert ".hidden" not in err and "Traceback" not in err
    rows = entries(db, "economy")
    provenance = {r["created_by"] for r in rows}
    assert provenance == {"align:floods.txt | floods.txt",
                          "align:inflation.vi.txt | inflation.fr.txt"}
    assert "Một bài chưa được dịch." not in {r["source"] for r in rows}


def test_folder_pairs_without_memory_print_a_summary_or_json_lines(tmp_path):
    vi, fr = folders(tmp_path)
    done = align(vi, fr, "--mt", "off")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.decode().splitlines()
    assert lines == ["floods.txt\tfloods.txt\tvi <-> fr   12 beads (12 1-1); 0 low-confidence",
                     lines[1]] and lines[1].startswith("inflation.vi.txt\tinflation.fr.txt\tvi <-> fr")
    done = align(vi, fr, "--mt", "off", "--format", "json")
    bodies = [json.loads(line) for line in done.stdout.decode().splitlines()]
    assert [Path(b["target_file"]).name for b in bodies] == ["floods.txt", "inflation.fr.txt"]
    assert all(b["beads"] for b in bodies)


def test_a_pair_that_cannot_be_aligned_is_skipped_and_the_others_stored(tmp_path):
    db = tmp_path / "translator.db"
    vi, fr = folders(tmp_path)
    (vi / "empty.txt").write_text("", encoding="utf-8")
    (fr / "empty.txt").write_text("Un texte.", encoding="utf-8")
    (vi / "same.txt").write_bytes((DATA / "floods.vi.txt").read_bytes())
    (fr / "same.txt").write_bytes((DATA / "floods.vi.txt").read_bytes())  # not translated
    done = align(vi, fr, "--into-memory", "--db-path", db, "--mt", "off")
    err = done.stderr.decode()
    assert done.returncode == 1, err
    assert "skipped empty.txt and empty.txt: source text: text is empty" in err
    assert "skipped same.txt and same.txt: same.txt and same.txt are both in vi" in err
    assert "2 document pairs aligned, 2 skipped" in err
    assert {r["created_by"] for r in entries(db)} == {
        "align:floods.txt | floods.txt", "align:inflation.vi.txt | inflation.fr.txt"}


@pytest.mark.parametrize("make_args, message", [
    (lambda t, vi, fr: [DATA / "floods.vi.txt", DATA / "floods.fr.txt", "--desk", "sport"],
     "--desk and --newsroom say which memory --into-memory adds to"),
    (lambda t, vi, fr: [vi, DATA / "floods.fr.txt", "--into-memory"],
     "is a folder but"),
    (lambda t, vi, fr: [DATA / "floods.vi.txt", fr, "--into-memory"],
     "is a folder but"),
    (lambda t, vi, fr: [DATA / "floods.vi.txt", DATA / "floods.fr.txt", "--into-memory",
                        "--desk", "Bad Desk!"], "bad desk name"),
    (lambda t, vi, fr: [DATA / "floods.vi.txt", DATA / "floods.vi.txt", "--into-memory"],
     "are both in vi"),
    (lambda t, vi, fr: [vi, fr, "--format", "tmx"], "not tmx"),
    (lambda t, vi, fr: [vi, t / "nothing", "--into-memory"], "nothing: no such file or folder"),
    (lambda t, vi, fr: [t / "empty-vi", t / "empty-fr", "--into-memory"],
     "has a file of the same name"),
])
def test_bad_inputs_are_one_clear_line_and_store_nothing(tmp_path, make_args, message):
    db = tmp_path / "translator.db"
    vi, fr = folders(tmp_path)
    (tmp_path / "empty-vi").mkdir()
    (tmp_path / "empty-fr").mkdir()
    done = align(*make_args(tmp_path, vi, fr), "--db-path", db, "--mt", "off")
    err = done.stderr.decode()
    assert done.returncode == 2, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert message in err
    assert not db.exists() or entries(db) == []


def test_files_pair_by_stem_without_a_known_language_tag():
    from translator.alignment.intomemory import match_key

    assert match_key(Path("floods.vi.txt")) == match_key(Path("Floods.fr.txt")) == "floods"
    assert match_key(Path("floods.txt")) == match_key(Path("floods.fr-FR.md")) == "floods"
    assert match_key(Path("report.new.txt")) == "report.new"  # 'new' is no language
    assert match_key(Path(".fr.txt")) == ".fr"
