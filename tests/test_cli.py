"""The `translator` command as a user runs it (in this process: tests/cli_runner.py), real
files, real engines; tests/test_serve.py and tests/test_batch_cli.py run real processes."""

import json
from pathlib import Path

import pytest

from cli_runner import run_cli
from translator.engines.apertium import ApertiumEngine

# Apertium pipelines stay warm from one engine of the module to the next (tests/warm_apertium.py)
pytestmark = pytest.mark.usefixtures("warm_apertium")

SAMPLE = Path(__file__).resolve().parent.parent / "examples" / "sggp-putin-dprk.fr.txt"
needs_apertium = pytest.mark.skipif(not ApertiumEngine.available(), reason="apertium not installed")


def run(*args, stdin: bytes | None = None, env_extra: dict | None = None):
    return run_cli(*args, stdin=stdin, env_extra=env_extra)


@pytest.fixture
def models_dir(tmp_path):
    return tmp_path / "models"


@needs_apertium
def test_translate_sample_to_json(tmp_path):
    proc = run("translate", SAMPLE, "--to", "en", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    text = SAMPLE.read_text(encoding="utf-8")
    assert result["source_text"] == text
    assert result["detection"]["language"] == "fr"
    assert result["route"]["pivots"] == ["es"]
    for seg in result["segments"]:
        assert text[slice(*seg["source_span"])] == seg["source"]
        assert result["target_text"][slice(*seg["target_span"])] == seg["target"]
        assert seg["target"]


@needs_apertium
def test_translate_text_side_by_side_and_tsv_from_stdin():
    doc = "Le chat est noir. Le chien est blanc.\n".encode()
    text = run("translate", "-", "--to", "en", "--from", "fr", stdin=doc)
    assert text.returncode == 0, text.stderr
    assert text.stdout.decode() == "The cat is black. The dog is white.\n"
    side = run("translate", "--to", "en", "--format", "side-by-side", stdin=doc).stdout.decode()
    assert "Le chat est noir." in side and "| The cat is black." in side
    tsv = run("translate", "--to", "en", "--format", "tsv", stdin=doc).stdout.decode().splitlines()
    assert tsv == ["index\tparagraph\tsource\ttarget\tconfidence\tuntranslated",
                   "0\t0\tLe chat est noir.\tThe cat is black.\t1.0\t",
                   "1\t0\tLe chien est blanc.\tThe dog is white.\t1.0\t"]


@needs_apertium
@pytest.mark.parametrize("text, language", [
    (SAMPLE.read_text(encoding="utf-8"), "fr"),
    ("The Russian president arrived in Pyongyang on Tuesday for a two-day state visit.", "en"),
    ("El presidente ruso llegó a Pyongyang el martes para una visita de Estado.", "es"),
    ("Tổng thống Nga Vladimir Putin đã đến Bình Nhưỡng trong chuyến thăm cấp nhà nước.", "vi"),
])
def test_detect(text, language):
    proc = run("detect", "-", stdin=text.encode())
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.decode().split("\t")[0] == language


def test_detect_says_when_a_language_has_no_route_and_can_be_restricted(tmp_path, nllb_model,
                                                                         models_dir):
    text = "Tổng thống Nga Vladimir Putin đã đến Bình Nhưỡng trong chuyến thăm cấp nhà nước."
    bare = run("detect", "--format", "json", "--models-dir", models_dir, "-", stdin=text.encode())
    assert json.loads(bare.stdout)["language"] == "vi"
    assert json.loads(bare.stdout)["routable"] is False
    assert b"no translation route from vi" in bare.stderr
    restricted = run("detect", "--routable", "--models-dir", models_dir, "-", stdin=text.encode())
    assert restricted.returncode == 3 and b"has no route" in restricted.stderr
    assert run("models", "install", nllb_model, "--models-dir", models_dir).returncode == 0
    proc = run("detect", "--format", "json", "--routable", "--models-dir", models_dir, "-",
               stdin=text.encode())
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == {**json.loads(proc.stdout), "language": "vi", "routable": True}


def test_models_install_list_translate_remove(argos_fr_en_zip, models_dir):
    proc = run("models", "install", argos_fr_en_zip, "--models-dir", models_dir)
    assert proc.returncode == 0, proc.stderr
    assert "installed" in proc.stdout.decode()
    listing = run("models", "list", "--models-dir", models_dir).stdout.decode()
    name = listing.split("\t")[0]
    assert "fr-en" in listing
    # The installed model now serves fr->en ahead of Apertium (it is a copy model).
    out = run("translate", "--from", "fr", "--to", "en", "--models-dir", models_dir,
              stdin="Le chat dort.".encode())
    assert out.returncode == 0, out.stderr
    assert out.stdout.decode().strip() == "Le chat dort."
    again = run("models", "install", argos_fr_en_zip, "--models-dir", models_dir)
    assert again.returncode == 4 and b"--replace" in again.stderr
    assert run("models", "remove", name, "--models-dir", models_dir).returncode == 0
    assert "fr-en" not in run("models", "list", "--models-dir", models_dir).stdout.decode()


def test_corrupt_package_is_refused_and_nothing_is_installed(tmp_path, models_dir):
    bad = tmp_path / "broken.argosmodel"
    bad.write_bytes(b"this is not a zip")
    proc = run("models", "install", bad, "--models-dir", models_dir)
    assert proc.returncode == 4
    err = proc.stderr.decode().strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert not models_dir.exists() or not any(models_dir.iterdir())


def test_models_available_offline_is_one_clear_line(models_dir):
    proc = run("models", "available", "--models-dir", models_dir, "--index-url",
               "http://127.0.0.1:9/index.json")
    assert proc.returncode == 4
    assert len(proc.stderr.decode().strip().splitlines()) == 1
    assert b"127.0.0.1:9" in proc.stderr


@needs_apertium
@pytest.mark.parametrize("args, stdin, code, message", [
    (["translate", "--to", "en", "-"], b"", 2, "empty"),
    (["translate", "--to", "en", "-"], b"caf\xe9", 2, "UTF-8"),
    (["translate", "--to", "xx", "-"], b"Le chat.", 2, "unknown language code 'xx'"),
    (["translate", "--from", "vi", "--to", "en", "-"], b"Xin ch\xc3\xa0o.", 3, "no route from vi to en"),
    (["translate", "--to", "en", "/nonexistent/file.txt"], None, 2, "no such file"),
    (["translate", "--to", "en", "--max-chars", "5", "-"], b"Le chat dort.", 2, "limit is 5"),
    (["detect", "-"], b"12345 !!!", 3, "no letters"),
])
def test_errors_are_one_line_and_a_nonzero_exit(args, stdin, code, message):
    proc = run(*args, stdin=stdin)
    err = proc.stderr.decode()
    assert proc.returncode == code, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert message in err


@needs_apertium
def test_languages_lists_the_default_route():
    proc = run("languages")
    assert proc.returncode == 0
    assert "fr-en\tfr -> es (apertium:apertium) -> en (apertium:apertium)" in proc.stdout.decode()
