"""`translator batch` as a user runs it: a real process killed at random points, resumed,
and compared byte for byte with an uninterrupted run; Ctrl-C; exit statuses."""

from __future__ import annotations

import io
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tarfile
import time
import zipfile
from pathlib import Path

import pytest

from test_batch import article
from translator.engines.apertium import ApertiumEngine


@pytest.fixture(scope="module")
def env(tmp_path_factory, argos_fr_en):
    """The copy model installed, Apertium off, small chunks: many commits to interrupt."""
    root = tmp_path_factory.mktemp("batch-cli")
    shutil.copytree(argos_fr_en, root / "models" / "translate-fr_en")
    return {**os.environ, "TRANSLATOR_MODELS_DIR": str(root / "models"),
            "TRANSLATOR_APERTIUM": "false", "TRANSLATOR_BATCH_CHUNK_CHARS": "4000"}


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    """A zip of 200 articles in folders, a JSONL feed inside, and a few bad members."""
    path = tmp_path_factory.mktemp("archive") / "news.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for n in range(200):
            zf.writestr(f"2024/{n % 12 + 1:02d}/article-{n:04d}.txt", article(n))
        zf.writestr("feed.jsonl", "".join(json.dumps({"id": f"w{n}", "text": article(1000 + n)}) + "\n"
                                          for n in range(20)))
        zf.writestr("bad/latin1.txt", "Le café est fermé.".encode("latin-1"))
        zf.writestr("bad/empty.txt", "")
        zf.writestr("../escape.txt", "Le chat est noir.")
    return path


@pytest.fixture(scope="module")
def full(tmp_path_factory, env, archive) -> tuple[subprocess.CompletedProcess, Path]:
    """The archive's job run once without interruption (with ``--progress log``): what
    every interrupted run must end with, byte for byte."""
    out = tmp_path_factory.mktemp("full") / "out"
    return batch(archive, "--to", "en", "--out", out, "--progress", "log", env=env), out


def batch(*args, env, **kwargs):
    return subprocess.run([sys.executable, "-m", "translator", "batch", *map(str, args)],
                          capture_output=True, text=True, env=env, timeout=300, **kwargs)


def batch_here(*args, env) -> subprocess.CompletedProcess:
    """`translator batch ARGS` in this process (tests/cli_runner.py), where the process is
    not what a test is about; output as text, like :func:`batch`."""
    from cli_runner import run_cli

    done = run_cli("batch", *args, env_extra={k: v for k, v in env.items()
                                              if os.environ.get(k) != v})
    return subprocess.CompletedProcess(done.args, done.returncode, done.stdout.decode(),
                                       done.stderr.decode())


def _default_sigint() -> None:
    """In the child: Ctrl-C as in a terminal, whatever this process inherited (a shell
    without job control starts background commands with SIGINT ignored, and Python then
    leaves it ignored)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start(*args, env):
    return subprocess.Popen([sys.executable, "-m", "translator", "batch", *map(str, args)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            preexec_fn=_default_sigint)


def done_articles(out: Path) -> int:
    """Finished articles in a running job's ledger (read-only; 0 before it exists)."""
    path = out / "ledger.sqlite"
    if not path.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as conn:
            return conn.execute("SELECT count(*) FROM articles WHERE state != 'pending'").fetchone()[0]
    except sqlite3.OperationalError:  # the schema is being created
        return 0


def kill_and_resume(tmp_path: Path, env: dict, archive: Path, points: list[int], articles: int,
                    failed: int, full: Path | None = None) -> None:
    """Run the job uninterrupted (unless ``full`` holds its outputs); then kill it with
    SIGKILL once during the scan and at each of ``points`` (finished articles), resume it,
    and compare the bytes."""
    if full is None:
        full = tmp_path / "full"
        proc = batch(archive, "--to", "en", "--out", full, env=env)
        assert proc.returncode == (1 if failed else 0), proc.stderr
    expected = (full / "translations.jsonl").read_bytes()
    assert len(expected.splitlines()) == articles

    out = tmp_path / "out"
    for point in [0] + points:
        proc = start(archive, "--to", "en", "--out", out, env=env)
        deadline = time.monotonic() + 60
        while done_articles(out) < point and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        if point == 0:
            time.sleep(0.8)  # start-up, then the scan
        assert proc.poll() is None, "the job ended before it could be killed"
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
        assert not (out / "translations.jsonl").exists()
    assert 0 < done_articles(out) < articles + failed
    final = batch(archive, "--to", "en", "--out", out, env=env)
    assert final.returncode == (1 if failed else 0), final.stderr
    assert (out / "translations.jsonl").read_bytes() == expected
    failures, full_failures = out / "failures.jsonl", full / "failures.jsonl"
    assert failures.exists() == full_failures.exists() == bool(failed)
    assert not failed or failures.read_bytes() == full_failures.read_bytes()
    assert not list(out.glob(".*.tmp"))


def test_killed_at_random_points_the_job_ends_with_the_same_bytes(tmp_path, env, archive, full):
    points = sorted(random.Random(7).sample(range(10, 200), 4))
    kill_and_resume(tmp_path, env, archive, points, articles=220, failed=3, full=full[1])


@pytest.mark.skipif(not ApertiumEngine.available(), reason="apertium not installed")
def test_killed_on_apertium_the_job_ends_with_the_same_bytes(tmp_path, tmp_path_factory):
    """The built-in engine, on articles of real sentences drawn at random (headlines
    without a full stop among them): what once moved words between a chunk's sentences."""
    from test_batch import mixed_articles

    folder = mixed_articles(tmp_path / "in", 60)
    archive = tmp_path / "news.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in sorted(folder.iterdir()):
            zf.write(path, path.name)
    env = {**os.environ, "TRANSLATOR_MODELS_DIR": str(tmp_path / "no-models"),
           "TRANSLATOR_BATCH_CHUNK_CHARS": "1500"}
    kill_and_resume(tmp_path, env, archive, sorted(random.Random(3).sample(range(5, 55), 2)),
                    articles=60, failed=0)


def test_summary_failures_and_exit_status(archive, full):
    proc, out = full
    assert proc.returncode == 1
    assert "batch done: 220 of 223 articles translated, 3 failed, 0 pending" in proc.stdout
    assert "sentences/s" in proc.stdout
    assert f"failed: {archive}:bad/latin1.txt: " in proc.stderr
    assert "batch: 223 articles, 0 already translated, 3 failed, 220 to translate" in proc.stderr
    records = [json.loads(line) for line in
               (out / "translations.jsonl").read_text(encoding="utf-8").splitlines()]
    ids = [r["id"] for r in records]
    assert ids[0] == f"{archive}:2024/01/article-0000.txt"
    assert "w0" in ids and ids.count("w0") == 1
    failures = [json.loads(line) for line in (out / "failures.jsonl").read_text().splitlines()]
    assert {f["error"]["code"] for f in failures} == {"invalid_encoding", "empty_input", "bad_archive"}
    summary = json.loads((out / "summary.json").read_text())
    assert summary["articles"]["failed"] == 3
    quality = summary["quality"]  # the copy model's own confidence; it leaves no word marked
    assert quality["segments"] == summary["articles"]["sentences"] and quality["untranslated"] == 0
    assert (f"confidence {quality['confidence']:.2f} (mean over {quality['segments']} segments), "
            f"lowest {quality['min_confidence']:.2f}; 0 words left untranslated") in proc.stdout


def test_ctrl_c_stops_cleanly_and_the_same_command_resumes(tmp_path, env, archive):
    proc = start(archive, "--to", "en", "--out", tmp_path / "out", env=env)
    deadline = time.monotonic() + 60
    while done_articles(tmp_path / "out") < 50 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert proc.poll() is None
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert "Run the same command again to resume" in err
    assert "Traceback" not in err
    assert not (tmp_path / "out" / "translations.jsonl").exists()
    again = batch(archive, "--to", "en", "--out", tmp_path / "out", env=env)
    assert again.returncode == 1
    assert "0 pending" in again.stdout


def test_tar_gz_and_txt_output(tmp_path, env):
    path = tmp_path / "wire.tar.gz"
    with tarfile.open(path, "w:gz") as tf:
        for n in range(3):
            data = article(n).encode()
            info = tarfile.TarInfo(f"wire/{n}.txt")
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    proc = batch_here(path, "--to", "en", "--out", tmp_path / "out", "--format", "txt", env=env)
    assert proc.returncode == 0, proc.stderr
    files = sorted(p.name for p in (tmp_path / "out" / "txt").rglob("*.txt"))
    assert files == ["0.en.txt", "1.en.txt", "2.en.txt"]


def test_bad_command_lines_fail_at_once_with_one_line(tmp_path, env):
    missing = batch_here(tmp_path / "nope", "--to", "en", "--out", tmp_path / "out", env=env)
    assert missing.returncode == 2 and "nope" in missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1
    (tmp_path / "a.txt").write_text("Le chat est noir.", encoding="utf-8")
    pair = batch_here(tmp_path / "a.txt", "--to", "xx", "--out", tmp_path / "out", env=env)
    assert pair.returncode == 2 and "xx" in pair.stderr
    workers = batch_here(tmp_path / "a.txt", "--to", "en", "--out", tmp_path / "out",
                         "--workers", "0", env=env)
    assert workers.returncode == 2 and "--workers" in workers.stderr


def test_on_a_terminal_a_progress_bar_shows_rates(tmp_path, env):
    import pty

    inputs = tmp_path / "in"
    inputs.mkdir()
    for n in range(5):
        (inputs / f"{n}.txt").write_text(article(n), encoding="utf-8")
    leader, follower = pty.openpty()  # a terminal that reports no size, like many CI runners
    try:
        proc = subprocess.run([sys.executable, "-m", "translator", "batch", str(inputs), "--to",
                               "en", "--out", str(tmp_path / "out")], stdout=subprocess.PIPE,
                              stderr=follower, env=env, timeout=120)
        os.close(follower)
        shown = b""
        while True:
            try:
                data = os.read(leader, 65536)
            except OSError:  # the terminal is closed once everything was read
                break
            if not data:
                break
            shown += data
    finally:
        os.close(leader)
    assert proc.returncode == 0
    text = shown.decode("utf-8", "replace")
    assert "5/5" in text and "article/s" in text and "sent/s" in text and "0 failed" in text
