"""Settings from the environment and from a file: a bad value is one line and exit 2."""

from __future__ import annotations

import pytest

from translator import cli
from translator.errors import SettingError
from translator.settings import SETTINGS, Settings


@pytest.mark.parametrize("variable, value, message", [
    ("TRANSLATOR_BEAM_SIZE", "abc", "TRANSLATOR_BEAM_SIZE='abc': not an integer"),
    ("TRANSLATOR_APERTIUM", "flase", "TRANSLATOR_APERTIUM='flase': not a boolean (true or "
                                     "false, yes or no, on or off, 1 or 0)"),
    ("TRANSLATOR_BATCH_WAIT_MS", "soon", "TRANSLATOR_BATCH_WAIT_MS='soon': not a number"),
])
def test_a_bad_value_in_the_environment_is_one_line_and_exit_2(monkeypatch, capsys, variable,
                                                               value, message):
    monkeypatch.setenv(variable, value)
    assert cli.main(["languages"]) == 2
    captured = capsys.readouterr()
    assert captured.err == f"translator: error: {message}\n" and captured.out == ""


def test_a_flag_replaces_the_variable_without_reading_it(monkeypatch):
    """``--beam-size 2`` wins over ``TRANSLATOR_BEAM_SIZE``, even a bad one; without the
    flag the bad variable is the error."""
    monkeypatch.setenv("TRANSLATOR_BEAM_SIZE", "abc")
    assert Settings.from_env(beam_size=2).beam_size == 2
    with pytest.raises(SettingError, match="TRANSLATOR_BEAM_SIZE='abc'"):
        Settings.from_env(beam_size=None)


def test_booleans_take_the_usual_spellings_and_nothing_else():
    apertium = next(s for s in SETTINGS if s.name == "apertium")
    for raw in ("1", "true", "Yes", " on "):
        assert apertium.parse(raw) is True
    for raw in ("0", "false", "NO", "off"):
        assert apertium.parse(raw) is False
    with pytest.raises(SettingError, match="not a boolean"):
        apertium.parse("flase")


def test_every_setting_has_an_environment_variable_that_round_trips():
    defaults = Settings()
    for setting in SETTINGS:
        value = getattr(defaults, setting.name)
        raw = str(value).lower() if isinstance(value, bool) else str(value)
        assert Settings.from_env({setting.variable: raw}) == defaults, setting.name


def test_a_bad_value_in_the_settings_file_names_the_file_and_the_key(tmp_path, capsys):
    path = tmp_path / "translator.toml"
    path.write_text('port = "abc"\n', encoding="utf-8")
    assert cli.main(["serve", "--config", str(path)]) == 2
    assert capsys.readouterr().err == f"translator: error: {path}: port='abc': not an integer\n"


def documented_settings() -> dict[str, set[str]]:
    """Setting name -> the defaults the docs' settings tables give it (README.md, docs/)."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    found: dict[str, set[str]] = {}
    for doc in [root / "README.md", *sorted((root / "docs").glob("*.md"))]:
        for line in doc.read_text(encoding="utf-8").splitlines():
            row = re.match(r"\|\s*`([a-z_]+)`(?:\s*/\s*`([a-z_]+)`)?\s*\|\s*([^|]*)\|", line)
            if not row:
                continue
            names = [n for n in row.group(1, 2) if n]
            defaults = [d.strip() for d in row.group(3).split(" / ")] if len(names) > 1 else \
                [row.group(3).strip()]
            for name, default in zip(names, defaults):
                found.setdefault(name, set()).add(default)
    return found


def test_the_docs_tables_list_every_setting_with_its_default():
    """Each setting appears in a settings table of the docs; where the table gives a plain
    value (a number, true/false, a word, or nothing for an empty text), it is the default."""
    documented = documented_settings()
    defaults = Settings()
    missing = [s.name for s in SETTINGS if s.name not in documented]
    assert not missing, f"settings missing from the docs' tables: {missing}"
    for setting in SETTINGS:
        value = getattr(defaults, setting.name)
        expected = (str(value).lower() if isinstance(value, bool) else
                    format(value, "g") if isinstance(value, float) else str(value))
        for shown in documented[setting.name]:
            plain = shown == "" or shown.replace(".", "").replace(",", "").isalnum()
            if plain and setting.type is not type(None):
                assert shown == expected, (setting.name, shown, expected)
