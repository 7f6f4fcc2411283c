"""Files written whole or not at all (translator/fsutil.py)."""

from __future__ import annotations

import os

import pytest

from translator.fsutil import atomic_file, atomic_write


def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(tmp_path):
    path = tmp_path / "glossary.tsv"
    path.write_text("old\n", encoding="utf-8")
    with pytest.raises(RuntimeError):
        with atomic_file(path) as stream:
            stream.write("half of the new")
            raise RuntimeError("disk full")
    assert path.read_text(encoding="utf-8") == "old\n"
    assert os.listdir(tmp_path) == ["glossary.tsv"]


def test_a_new_version_keeps_the_old_ones_permissions_and_a_new_file_its_folders(tmp_path):
    old = tmp_path / "shared.jsonl"
    old.write_text("x", encoding="utf-8")
    old.chmod(0o640)
    atomic_write(old, "y")
    assert old.stat().st_mode & 0o777 == 0o640 and old.read_text(encoding="utf-8") == "y"
    folder = tmp_path / "out"
    folder.mkdir()
    folder.chmod(0o775)
    new = atomic_write(folder / "summary.json", b"{}")
    assert new.stat().st_mode & 0o777 == 0o664  # the folder's, without execution
    assert new.read_bytes() == b"{}"


def test_text_is_utf8_with_newlines_as_written(tmp_path):
    path = atomic_write(tmp_path / "a.txt", "Hà Nội\nline\n")
    assert path.read_bytes() == "Hà Nội\nline\n".encode("utf-8")


def test_one_lock_at_a_time_and_waiting_gives_up_with_busy(tmp_path):
    from translator.fsutil import Busy, held_elsewhere, locked, try_lock, unlock

    lock = tmp_path / "job.lock"
    assert not held_elsewhere(lock)  # no lock file yet
    with locked(lock) as held:
        assert held and held_elsewhere(lock)
        with pytest.raises(Busy):
            try_lock(lock)
        with pytest.raises(Busy):
            with locked(lock, timeout=0.2):
                pass
    assert not held_elsewhere(lock)
    fd = try_lock(tmp_path)  # a folder locks too (the models folder)
    assert held_elsewhere(tmp_path)
    unlock(fd)
    assert not held_elsewhere(tmp_path)
