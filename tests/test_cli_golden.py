"""The click CLI against the argparse one it replaced (issue 14): every invocation of
tests/data/cli_golden.json (recorded by tests/cli_golden.py from the argparse CLI) replayed,
in order, in a fresh workspace; the same stdout, stderr and exit status. Usage errors may
be worded differently: there exit status 2 and one line on stderr naming what is wrong.
And `translator --help`: every subcommand, in groups, examples and the exit codes."""

from __future__ import annotations

import pytest

import cli_golden
from cli_runner import run_cli
from translator import cli
from translator.engines.apertium import ApertiumEngine

pytestmark = [pytest.mark.skipif(not ApertiumEngine.available(), reason="apertium not installed"),
              pytest.mark.usefixtures("warm_apertium")]

RECORDS = cli_golden.load()


@pytest.fixture(scope="module")
def replayed(tmp_path_factory, argos_fr_en_zip) -> dict[str, dict]:
    """Every recorded invocation run once, in the recorded order (later ones read what
    earlier ones stored), whatever order the tests below run in."""
    places = cli_golden.workspace(tmp_path_factory.mktemp("golden"), argos_fr_en_zip)
    results = {}
    for record in RECORDS:
        case = cli_golden.Case(record["id"], record["argv"], cli_golden.stdin_of(record),
                               record.get("env", {}), record.get("names"))
        results[record["id"]] = cli_golden.run_case(case, places)
    return results


def test_the_record_covers_every_subcommand():
    recorded = {tuple(r["argv"][:2]) for r in RECORDS} | {(r["argv"][0],) for r in RECORDS
                                                          if r["argv"]}
    for name, command in cli.app.commands.items():
        for sub in getattr(command, "commands", {None: None}):
            key = (name,) if sub is None else (name, sub)
            assert key in recorded, f"no recorded invocation of translator {' '.join(key)}"


@pytest.mark.parametrize("record", RECORDS, ids=[r["id"] for r in RECORDS])
def test_the_same_output_and_exit_status_as_the_argparse_cli(replayed, record):
    got = replayed[record["id"]]
    assert got["stdout"] == record["stdout"]
    if not record.get("usage"):
        assert (got["exit"], got["stderr"]) == (record["exit"], record["stderr"])
        return
    # A usage error: argparse printed its usage and a message; click's wording differs.
    assert got["exit"] == record["exit"] == 2
    lines = got["stderr"].splitlines()
    assert len(lines) == 1 and lines[0].startswith("translator: error: "), got["stderr"]
    assert record["names"].lower() in lines[0].lower(), (record["names"], lines[0])
    assert "Traceback" not in got["stderr"]


def test_help_lists_every_subcommand_in_groups_with_examples_and_exit_codes():
    proc = run_cli("--help")
    assert proc.returncode == 0 and proc.stderr == b""
    text = proc.stdout.decode()
    for name in cli.app.commands:
        assert f"\n  {name} " in text, name
    for section in ("Translate:", "Manage:", "Serve:", "Examples:", "Exit codes:"):
        assert f"\n{section}\n" in text, section
    assert "translator translate story.txt --to en" in text
    exit_codes = text[text.index("Exit codes:"):]
    for code, _ in cli.EXIT_CODES:
        assert f"\n  {code} " in exit_codes, code
    assert run_cli("-h").stdout == proc.stdout


def test_the_exit_codes_in_the_help_are_those_of_the_errors():
    """Every error class's exit status is explained in `translator --help`."""
    import importlib
    from pathlib import Path

    from translator.errors import TranslatorError

    root = Path(cli.__file__).parent
    for path in sorted(root.rglob("*.py")):
        name = ".".join(path.relative_to(root.parent).with_suffix("").parts)
        if name.endswith("__main__"):
            continue
        try:
            importlib.import_module(name.removesuffix(".__init__"))
        except ImportError:  # an optional dependency
            continue

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    listed = {code for code, _ in cli.EXIT_CODES}
    for error in [TranslatorError, *subclasses(TranslatorError)]:
        assert error.exit_code in listed, (error, error.exit_code)


@pytest.mark.parametrize("command", [
    ["translate"], ["batch"], ["detect"], ["align"], ["languages"], ["serve"],
    ["models", "list"], ["models", "install"], ["models", "remove"], ["models", "available"],
    ["keys", "add"], ["keys", "list"], ["keys", "revoke"], ["memory", "import"],
    ["memory", "export"], ["glossary", "list"], ["glossary", "show"], ["glossary", "import"],
    ["glossary", "export"], ["glossary", "remove"], ["glossary", "check"],
    ["glossary", "suggest"]])
def test_every_subcommand_has_help(command):
    proc = run_cli(*command, "--help")
    assert proc.returncode == 0 and proc.stdout.startswith(
        f"Usage: translator {' '.join(command)} ".encode()), proc.stderr


def test_languages_lists_only_the_settings_it_uses_and_still_accepts_the_others():
    help_text = run_cli("languages", "--help").stdout.decode()
    assert "--models-dir" in help_text and "--engine" in help_text
    for unused in ("--index-url", "--max-chars", "--beam-size", "--inter-threads",
                   "--intra-threads", "--glossary-dir", "--glossary-db"):
        assert unused not in help_text, unused
    # accepted all the same (recorded: languages-unused-flags)
    assert any(r["id"] == "languages-unused-flags" and r["exit"] == 0 for r in RECORDS)


def test_main_returns_the_exit_status_and_python_m_translator_works(capsys):
    assert cli.main(["--version"]) == 0
    assert capsys.readouterr().out == "translator 0.1.0\n"
    assert cli.main(["translate"]) == 2
    assert "Missing option '--to'" in capsys.readouterr().err


def test_the_console_script_and_python_m_translator_run_main():
    import subprocess
    import sys
    import tomllib
    from pathlib import Path

    project = tomllib.loads((Path(cli.__file__).parent.parent / "pyproject.toml").read_text())
    assert project["project"]["scripts"]["translator"] == "translator.cli:main"
    done = subprocess.run([sys.executable, "-m", "translator", "--version"],
                          capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout, done.stderr) == (0, "translator 0.1.0\n", "")
    usage = subprocess.run([sys.executable, "-m", "translator", "detect", "--format", "xml"],
                           capture_output=True, text=True, timeout=60)
    assert usage.returncode == 2 and usage.stdout == "", usage
    assert len(usage.stderr.splitlines()) == 1 and "'xml'" in usage.stderr, usage.stderr


def test_the_readme_gives_the_exit_codes_of_the_help():
    """The README's table is the help's list (cli.EXIT_CODES), row for row."""
    from pathlib import Path

    readme = (Path(cli.__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    for code, meaning in cli.EXIT_CODES:
        assert f"| {code} | {meaning} |" in readme, code
