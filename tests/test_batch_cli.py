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
    """A zip of 100 articles in folders, a JSONL feed inside, and a few bad members: 113
    articles, in chunks of 1, 2, 4, 8, then 16 articles (11 commits to interrupt)."""
    path = tmp_path_factory.mktemp("archive") / "news.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for n in range(100):
            zf.writestr(f"2024/{n % 12 + 1:02d}/article-{n:04d}.txt", article(n))
        zf.writestr("feed.jsonl", "".join(json.dumps({"id": f"w{n}", "text": article(1000 + n)}) + "\n"
                                          for n in range(10)))
        zf.writestr("bad/latin1.txt", "Le café est fermé.".encode("latin-1"))
        zf.writestr("bad/empty.txt", "")
        zf.writestr("../escape.txt", "Le chat est noir.")
    return path


@pytest.fixture(scope="module")
def full(tmp_path_factory, env, archive) -> tuple[subprocess.CompletedProcess, Path]:
    """The archive's job run once without interruption (with ``--progress log``): what
    every interrupted run must end with, byte for byte. In this process: the interrupted
    runs are the real processes."""
    out = tmp_path_factory.mktemp("full") / "out"
    return batch_here(archive, "--to", "en", "--out", out, "--progress", "log", env=env), out


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


def interrupt(out: Path, env: dict, archive: Path,
              plan: list[tuple[signal.Signals, int]]) -> list[subprocess.CompletedProcess]:
    """Start the job on ``out`` once for each (signal, point) of ``plan`` and send it the
    signal once ``point`` articles are finished and this run has committed a chunk of its
    own (point 0: once the ledger exists, i.e. during the scan, before any commit). A
    SIGKILL leaves no chance to clean up; a SIGINT is Ctrl-C. The runs, as finished."""
    runs = []
    for sig, point in plan:
        target = max(point, done_articles(out) + 1) if point else 0
        proc = start(archive, "--to", "en", "--out", out, env=env)
        deadline = time.monotonic() + 60
        while proc.poll() is None and time.monotonic() < deadline:
            if done_articles(out) >= target if target else (out / "ledger.sqlite").exists():
                break
            time.sleep(0.01)
        assert proc.poll() is None, "the job ended before it could be interrupted"
        proc.send_signal(sig)
        stdout, stderr = proc.communicate(timeout=60)
        runs.append(subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr))
        assert not (out / "translations.jsonl").exists()
    return runs


def check_resumed(final: subprocess.CompletedProcess, out: Path, full: Path, articles: int,
                  failed: int) -> None:
    """The job in ``out``, interrupted and then ``final``-ly resumed, ended with the bytes
    of the uninterrupted run in ``full``."""
    expected = (full / "translations.jsonl").read_bytes()
    assert len(expected.splitlines()) == articles
    assert final.returncode == (1 if failed else 0), final.stderr
    assert (out / "translations.jsonl").read_bytes() == expected
    failures, full_failures = out / "failures.jsonl", full / "failures.jsonl"
    assert failures.exists() == full_failures.exists() == bool(failed)
    assert not failed or failures.read_bytes() == full_failures.read_bytes()
    assert not list(out.glob(".*.tmp"))


@pytest.fixture(scope="module")
def interrupted(tmp_path_factory, env, archive, full):
    """The archive's job killed with SIGKILL during the scan and at two random points,
    stopped with Ctrl-C at a third, then resumed to its end by the same command: (the
    interrupted runs, the final run, the output folder).

    Each kind of interruption once: before the first commit (once the ledger exists: the
    scan), after the ramp-up chunks (1, 2, 4, 8 and 16 articles: 33 of the 113 finished,
    the 3 failed at the scan among them), mid-job between full chunks (49), and Ctrl-C
    (at 65, three chunks before the end). Each run commits a chunk of its own before it
    is interrupted. The final run is in this process: what it resumes is the ledger on
    disk, whichever process reads it."""
    out = tmp_path_factory.mktemp("interrupted") / "out"
    points = sorted(random.Random(7).sample(range(10, 60), 3))  # 19, 30, 35
    runs = interrupt(out, env, archive, [(signal.SIGKILL, 0), (signal.SIGKILL, points[0]),
                                         (signal.SIGKILL, points[1]), (signal.SIGINT, points[2])])
    assert 0 < done_articles(out) < 113
    final = batch_here(archive, "--to", "en", "--out", out, env=env)
    return runs, final, out


def test_killed_at_random_points_the_job_ends_with_the_same_bytes(interrupted, full):
    runs, final, out = interrupted
    assert [run.returncode for run in runs[:3]] == [-signal.SIGKILL] * 3
    check_resumed(final, out, full[1], articles=110, failed=3)


@pytest.mark.skipif(not ApertiumEngine.available(), reason="apertium not installed")
def test_killed_on_apertium_the_job_ends_with_the_same_bytes(tmp_path, tmp_path_factory):
    """The built-in engine, on articles of real sentences drawn at random (headlines
    without a full stop among them): what once moved words between a chunk's sentences.
    Killed mid-job twice (a kill during the scan does not depend on the engine: the test
    above makes it); the uninterrupted and the final run are in this process."""
    from test_batch import mixed_articles

    folder = mixed_articles(tmp_path / "in", 60)
    archive = tmp_path / "news.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in sorted(folder.iterdir()):
            zf.write(path, path.name)
    env = {**os.environ, "TRANSLATOR_MODELS_DIR": str(tmp_path / "no-models"),
           "TRANSLATOR_BATCH_CHUNK_CHARS": "1500"}
    uninterrupted = batch_here(archive, "--to", "en", "--out", tmp_path / "full", env=env)
    assert uninterrupted.returncode == 0, uninterrupted.stderr
    out = tmp_path / "out"
    points = sorted(random.Random(3).sample(range(5, 55), 2))
    runs = interrupt(out, env, archive, [(signal.SIGKILL, point) for point in points])
    assert [run.returncode for run in runs] == [-signal.SIGKILL] * 2
    assert 0 < done_articles(out) < 60
    final = batch_here(archive, "--to", "en", "--out", out, env=env)
    check_resumed(final, out, tmp_path / "full", articles=60, failed=0)


def test_summary_failures_and_exit_status(archive, full):
    proc, out = full
    assert proc.returncode == 1
    assert "batch done: 110 of 113 articles translated, 3 failed, 0 pending" in proc.stdout
    assert "sentences/s" in proc.stdout
    assert f"failed: {archive}:bad/latin1.txt: " in proc.stderr
    assert "batch: 113 articles, 0 already translated, 3 failed, 110 to translate" in proc.stderr
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


def test_ctrl_c_stops_cleanly_and_the_same_command_resumes(interrupted):
    """Ctrl-C mid-job (the last interruption of the job above): exit 130, one line
    saying how to resume, nothing written; the same command then finishes the job."""
    runs, again, _ = interrupted
    ctrl_c = runs[-1]
    assert ctrl_c.returncode == 130, ctrl_c.stderr
    assert "Run the same command again to resume" in ctrl_c.stderr
    assert "Traceback" not in ctrl_c.stderr
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
