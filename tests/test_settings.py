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
