"""A golden record of the `translator` command line: every subcommand, its successes and
its errors, as stdout, stderr and exit status (``tests/data/cli_golden.json``).

It was recorded from the argparse CLI before the port to click (issue 14, commit
63dbca8); ``tests/test_cli_golden.py`` replays every invocation against the current CLI.
Usage errors (``usage: true``: the cases with ``names``) may word their message
differently: there the replay checks the exit status and that the message is one line
naming ``names``.

Re-record (only when an output changes on purpose)::

    .venv/bin/python tests/cli_golden.py

Every input is built here in a temporary workspace: Apertium (the modes of
tests/conftest.py::APERTIUM_MODES), a synthetic copy model (translator.testing), small
files; nothing reads the user's data or the network (the package index is 127.0.0.1:9).
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
DATA = TESTS / "data"
GOLDEN = DATA / "cli_golden.json"

FR = "Le chat est noir. Le chien est blanc.\n"
FR_NAMES = "Vladimir Poutine est arrivé en Corée du Nord. Les deux pays coopéreront fermement.\n"
VI = "Tổng thống Nga Vladimir Putin đã đến Bình Nhưỡng trong chuyến thăm cấp nhà nước.\n"
TMX = (DATA / "archive.tmx").read_text(encoding="utf-8")  # also tests/test_memory_tmx.py's


@dataclass
class Case:
    """One invocation: ``translator ARGV`` with ``stdin`` and extra environment variables;
    ``names``: what a usage error's message must name."""

    id: str
    argv: list[str]
    stdin: bytes | None = None
    env: dict = field(default_factory=dict)
    names: str | None = None


def C(id: str, *argv: str, stdin: str | bytes | None = None, env: dict | None = None,
      names: str | None = None) -> Case:
    data = stdin.encode() if isinstance(stdin, str) else stdin
    return Case(id, list(argv), data, env or {}, names)


M = "--models-dir", "{ws}/installed"  # the folder the copy model is installed into

CASES: list[Case] = [
    # -- the program --------------------------------------------------------------------
    C("version", "--version"),
    C("no-command", names="command"),
    C("unknown-command", "transmogrify", names="transmogrify"),
    C("unknown-top-option", "--bogus", "languages", names="--bogus"),
    # -- translate ----------------------------------------------------------------------
    C("translate-text-stdin", "translate", "-", "--to", "en", "--from", "fr", stdin=FR),
    C("translate-text-implicit-stdin", "translate", "--to", "en", stdin=FR),
    C("translate-json", "translate", "--to", "en", "--format", "json", stdin=FR),
    C("translate-tsv", "translate", "--to", "en", "--format", "tsv", stdin=FR),
    C("translate-side-by-side", "translate", "--to", "en", "--format", "side-by-side",
      stdin=FR_NAMES),
    C("translate-tmx", "translate", "--format=tmx", "--to=en", "--from=fr", stdin=FR),
    C("translate-xliff", "translate", "--to", "en", "--format", "xliff", stdin=FR),
    C("translate-html", "translate", "--to", "en", "--format", "html", stdin=FR),
    C("translate-file", "translate", "{ws}/in/names.fr.txt", "--to", "en"),
    C("translate-options-after-file", "translate", "--to", "en", "{ws}/in/chat.fr.txt",
      "--from", "fr", "--engine", "apertium", "--beam-size", "1"),
    C("translate-abbreviated-options", "translate", "--t", "en", "--fro", "fr", "--form",
      "tsv", "-", stdin=FR),
    C("translate-no-glossary", "translate", "--to", "en", "--from", "fr", "--no-glossary",
      stdin=FR_NAMES),
    C("translate-glossary-file", "translate", "--to", "en", "--from", "fr", "--glossary",
      "{data}/glossary/fr-en.tsv", "--format", "tsv", stdin=FR_NAMES),
    C("translate-document-txt", "translate", "{ws}/in/chat.fr.txt", "--to", "en", "-o",
      "{ws}/out/chat.en.txt"),
    C("translate-document-json", "translate", "{ws}/in/chat.fr.txt", "--to", "en",
      "--output", "{ws}/out/chat2.en.txt", "--format", "json"),
    C("translate-document-bad-format", "translate", "{ws}/in/chat.fr.txt", "--to", "en",
      "-o", "{ws}/out/chat3.en.txt", "--format", "tsv"),
    C("translate-output-not-a-document", "translate", "-", "--to", "en", "-o",
      "{ws}/out/x.txt", stdin=FR),
    C("translate-broken-docx", "translate", "{ws}/in/bad.docx", "--to", "en"),
    C("translate-empty", "translate", "--to", "en", "-", stdin=b""),
    C("translate-latin1", "translate", "--to", "en", "-", stdin=b"caf\xe9"),
    C("translate-unknown-language", "translate", "--to", "xx", "-", stdin="Le chat."),
    C("translate-no-route", "translate", "--from", "vi", "--to", "en", "-", stdin=VI),
    C("translate-missing-file", "translate", "--to", "en", "{ws}/in/nope.txt"),
    C("translate-a-folder", "translate", "--to", "en", "{ws}/in"),
    C("translate-too-large", "translate", "--to", "en", "--max-chars", "5", "-", stdin=FR),
    C("translate-unknown-glossary", "translate", "--to", "en", "--glossary", "nosuch",
      stdin=FR),
    C("translate-missing-to", "translate", "-", stdin=FR, names="--to"),
    C("translate-bad-format", "translate", "--to", "en", "--format", "xml", stdin=FR,
      names="xml"),
    C("translate-bad-int", "translate", "--to", "en", "--max-chars", "lots", stdin=FR,
      names="lots"),
    C("translate-bad-engine", "translate", "--to", "en", "--engine", "deepl", stdin=FR,
      names="deepl"),
    C("translate-glossary-and-no-glossary", "translate", "--to", "en", "--glossary", "x",
      "--no-glossary", stdin=FR, names="--no-glossary"),
    C("translate-unknown-option", "translate", "--to", "en", "--colour", "red", stdin=FR,
      names="--colour"),
    C("translate-ambiguous-option", "translate", "--to", "en", "--m", "5", stdin=FR,
      names="--m"),
    C("translate-to-without-value", "translate", "--to", names="--to"),
    C("translate-two-files", "translate", "--to", "en", "a.txt", "b.txt", names="b.txt"),
    C("translate-bad-env", "translate", "--to", "en", stdin=FR,
      env={"TRANSLATOR_BEAM_SIZE": "abc"}),
    # fixed since the argparse record: a flag replaces its variable without reading it
    C("translate-flag-over-bad-env", "translate", "--to", "en", "--beam-size", "2", stdin=FR,
      env={"TRANSLATOR_BEAM_SIZE": "abc"}),
    # -- detect -------------------------------------------------------------------------
    C("detect", "detect", "-", stdin=FR),
    C("detect-implicit-stdin", "detect", stdin=FR),
    C("detect-json", "detect", "--format", "json", "{ws}/in/chat.fr.txt"),
    C("detect-no-route", "detect", "--format", "json", "-", stdin=VI),
    C("detect-routable", "detect", "--routable", "-", stdin=VI),
    C("detect-abbreviated", "detect", "--rout", "--form", "json", stdin=FR),
    C("detect-no-letters", "detect", "-", stdin="12345 !!!"),
    C("detect-missing-file", "detect", "{ws}/in/nope.txt"),
    C("detect-bad-format", "detect", "--format", "xml", stdin=FR, names="xml"),
    C("detect-bad-env", "detect", stdin=FR, env={"TRANSLATOR_APERTIUM": "flase"}),
    # -- languages ----------------------------------------------------------------------
    C("languages", "languages"),
    C("languages-json", "languages", "--format", "json"),
    C("languages-engine", "languages", "--engine", "apertium", "--form", "json"),
    C("languages-none", "languages", env={"TRANSLATOR_APERTIUM": "false"}),
    C("languages-unused-flags", "languages", "--index-url", "http://127.0.0.1:9/x.json",
      "--max-chars", "10", "--beam-size", "3", "--inter-threads", "1", "--intra-threads",
      "1", "--glossary-dir", "{ws}/glossary", "--glossary-db", "{ws}/glossaries.sqlite3"),
    C("languages-bad-env-int", "languages", env={"TRANSLATOR_BEAM_SIZE": "abc"}),
    C("languages-bad-env-bool", "languages", env={"TRANSLATOR_APERTIUM": "flase"}),
    C("languages-bad-env-float", "languages", env={"TRANSLATOR_BATCH_WAIT_MS": "soon"}),
    C("languages-bad-format", "languages", "--format", "yaml", names="yaml"),
    C("languages-extra-argument", "languages", "fr", names="fr"),
    # -- models -------------------------------------------------------------------------
    C("models-list-empty", "models", "list", *M),
    C("models-install", "models", "install", "{model_zip}", *M),
    C("models-install-again", "models", "install", "{model_zip}", *M),
    C("models-install-replace", "models", "install", "{model_zip}", "--replace", *M),
    C("models-list", "models", "list", *M),
    C("models-translate-copy-model", "translate", "--from", "fr", "--to", "en", *M,
      stdin="Le chat dort."),
    C("models-languages", "languages", *M),
    C("models-install-corrupt", "models", "install", "{ws}/broken.argosmodel", *M),
    C("models-install-missing", "models", "install", "{ws}/nope.argosmodel", *M),
    C("models-install-from-index-offline", "models", "install", "fr-en", *M),
    C("models-available-offline", "models", "available", *M),
    C("models-available-flag-url", "models", "available", *M, "--index-url",
      "http://127.0.0.1:9/other.json"),
    C("models-remove", "models", "remove", "translate-fr_en", *M),
    C("models-remove-again", "models", "remove", "translate-fr_en", *M),
    C("models-missing-action", "models", names="command"),
    C("models-unknown-action", "models", "upgrade", names="upgrade"),
    C("models-install-missing-source", "models", "install", *M, names="SOURCE"),
    C("models-option-before-action", "models", "--models-dir", "{ws}/x", "list",
      names="--models-dir"),
    # -- glossary -----------------------------------------------------------------------
    C("glossary-list-default", "glossary", "list"),
    C("glossary-list-default-json", "glossary", "list", "--format", "json"),
    C("glossary-list-nothing", "glossary", "list", "--glossary-dir", "{ws}/empty"),
    C("glossary-import", "glossary", "import", "news", "{data}/glossary/news-mini.tsv"),
    C("glossary-import-exists", "glossary", "import", "news", "{data}/glossary/fr-en.tsv"),
    C("glossary-import-replace", "glossary", "import", "news",
      "{data}/glossary/news-mini.tsv", "--replace"),
    C("glossary-import-tbx", "glossary", "import", "pair", "{data}/glossary/basic-v2.tbx"),
    C("glossary-import-conflict", "glossary", "import", "bad", "{ws}/conflict.tsv"),
    C("glossary-import-accept-conflicts", "glossary", "import", "bad", "{ws}/conflict.tsv",
      "--accept-conflicts"),
    C("glossary-import-bad-name", "glossary", "import", "Bad Name!",
      "{data}/glossary/fr-en.tsv"),
    C("glossary-import-missing-file", "glossary", "import", "x", "{ws}/nope.tsv"),
    C("glossary-list", "glossary", "list"),
    C("glossary-list-json", "glossary", "list", "--format", "json"),
    C("glossary-show-pair", "glossary", "show", "news", "--pair", "fr-en"),
    C("glossary-show-json", "glossary", "show", "news", "--format", "json"),
    C("glossary-show-tbx", "glossary", "show", "pair", "--format", "tbx"),
    C("glossary-show-csv", "glossary", "show", "news", "--format", "csv", "--pair", "fr_en"),
    C("glossary-show-default", "glossary", "show", "default"),
    C("glossary-show-file", "glossary", "show", "{data}/glossary/terms.csv"),
    C("glossary-show-unknown", "glossary", "show", "nosuch"),
    C("glossary-show-bad-pair", "glossary", "show", "news", "--pair", "fr"),
    C("glossary-show-unknown-language", "glossary", "show", "news", "--pair", "fr-xx"),
    C("glossary-show-bad-format", "glossary", "show", "news", "--format", "xml",
      names="xml"),
    C("glossary-export", "glossary", "export", "news"),
    C("glossary-export-format", "glossary", "export", "news", "--format", "csv"),
    C("glossary-export-file", "glossary", "export", "news", "-o", "{ws}/out/news.tbx"),
    C("glossary-export-file-format", "glossary", "export", "news", "--output",
      "{ws}/out/news.txt", "--format", "json", "--pair", "fr-en"),
    C("glossary-export-bad-format", "glossary", "export", "news", "--format", "xml",
      names="xml"),
    C("glossary-translate-stored", "translate", "--to", "en", "--from", "fr", "--glossary",
      "news", "--format", "tsv", stdin=FR_NAMES),
    C("glossary-remove", "glossary", "remove", "pair"),
    C("glossary-remove-again", "glossary", "remove", "pair"),
    C("glossary-check-clean", "glossary", "check", "{data}/glossary/fr-en.tsv"),
    C("glossary-check-conflict", "glossary", "check", "{ws}/conflict.tsv"),
    C("glossary-check-default", "glossary", "check", "default"),
    C("glossary-check-folder", "glossary", "check", "{ws}/glossary"),
    C("glossary-check-stored", "glossary", "check", "news"),
    C("glossary-check-unknown", "glossary", "check", "nosuch"),
    C("glossary-suggest", "glossary", "suggest", "-", "--to", "en", "--from", "fr",
      stdin=FR_NAMES),
    C("glossary-suggest-json", "glossary", "suggest", "{ws}/in/names.fr.txt",
      "{ws}/in/chat.fr.txt", "--to", "en", "--format", "json"),
    C("glossary-suggest-pair", "glossary", "suggest", "{ws}/in/names.fr.txt", "--to", "en",
      "--from", "fr", "--format", "pair", "--no-glossary"),
    C("glossary-suggest-no-check", "glossary", "suggest", "{ws}/in/names.fr.txt", "--to",
      "en", "--no-check", "--untranslated", "0"),
    C("glossary-suggest-negative", "glossary", "suggest", "-", "--to", "en",
      "--untranslated", "-1", stdin=FR),
    C("glossary-suggest-latin1", "glossary", "suggest", "{ws}/in/latin1.txt", "--to", "en"),
    C("glossary-suggest-no-files", "glossary", "suggest", "--to", "en", names="FILES"),
    C("glossary-suggest-missing-to", "glossary", "suggest", "-", stdin=FR, names="--to"),
    C("glossary-missing-action", "glossary", names="command"),
    C("glossary-unknown-action", "glossary", "merge", names="merge"),
    C("glossary-remove-missing-name", "glossary", "remove", names="NAME"),
    # -- align --------------------------------------------------------------------------
    C("align-pair", "align", "{data}/align/floods.vi.txt", "{data}/align/floods.fr.txt"),
    C("align-pair-json", "align", "{data}/align/inflation.vi.txt",
      "{data}/align/inflation.fr.txt", "--format", "json", "--mt", "off"),
    C("align-pair-tsv", "align", "{data}/align/inflation.vi.txt",
      "{data}/align/inflation.fr.txt", "--format", "tsv", "--from", "vi", "--to", "fr"),
    C("align-pair-tmx", "align", "{data}/align/inflation.vi.txt",
      "{data}/align/inflation.fr.txt", "--format", "tmx", "--mt", "off"),
    C("align-with-mt", "align", "{data}/align/inflation.en.txt",
      "{data}/align/inflation.fr.txt", "--format", "tsv", "--mt", "on"),
    C("align-mt-no-route", "align", "{data}/align/inflation.vi.txt",
      "{data}/align/inflation.fr.txt", "--mt", "on"),
    C("align-stdin", "align", "-", "{data}/align/inflation.fr.txt", "--mt", "off",
      stdin=(DATA / "align" / "inflation.vi.txt").read_bytes()),
    C("align-both-stdin", "align", "-", "-", stdin=FR),
    C("align-folders", "align", "{ws}/align/vi", "{ws}/align/fr"),
    C("align-folders-json", "align", "{ws}/align/vi", "{ws}/align/fr", "--format", "json",
      "--mt", "off"),
    C("align-folders-tsv", "align", "{ws}/align/vi", "{ws}/align/fr", "--format", "tsv"),
    C("align-folder-and-file", "align", "{ws}/align/vi", "{data}/align/floods.fr.txt"),
    C("align-folder-and-missing", "align", "{ws}/align/vi", "{ws}/align/nope"),
    C("align-missing-file", "align", "{ws}/in/nope.txt", "{data}/align/floods.fr.txt"),
    C("align-desk-without-memory", "align", "{data}/align/floods.vi.txt",
      "{data}/align/floods.fr.txt", "--desk", "politics"),
    C("align-into-memory", "align", "{data}/align/floods.vi.txt",
      "{data}/align/floods.fr.txt", "--into-memory", "--desk", "politics"),
    C("align-into-memory-newsroom", "align", "{data}/align/inflation.vi.txt",
      "{data}/align/inflation.fr.txt", "--into-memory", "--newsroom", "--mt", "off"),
    C("align-into-memory-bad-desk", "align", "{data}/align/floods.vi.txt",
      "{data}/align/floods.fr.txt", "--into-memory", "--desk", "Bad Desk"),
    C("align-into-memory-same-language", "align", "{data}/align/floods.fr.txt",
      "{data}/align/inflation.fr.txt", "--into-memory"),
    C("align-folders-into-memory", "align", "{ws}/align/vi", "{ws}/align/fr",
      "--into-memory", "--desk", "sports", "--db-path", "{ws}/align.db"),
    C("align-into-memory-config", "align", "{data}/align/inflation.vi.txt",
      "{data}/align/inflation.fr.txt", "--into-memory", "--config", "{ws}/svc.toml"),
    C("align-empty", "align", "-", "{data}/align/floods.fr.txt", stdin=b""),
    C("align-missing-target", "align", "{data}/align/floods.vi.txt", names="TARGET"),
    C("align-bad-mt", "align", "a", "b", "--mt", "maybe", names="maybe"),
    C("align-bad-format", "align", "a", "b", "--format", "html", names="html"),
    # -- batch --------------------------------------------------------------------------
    C("batch", "batch", "{ws}/in/batch", "--to", "en", "--from", "fr", "--out",
      "{ws}/out/batch", "--progress", "none"),
    C("batch-resume", "batch", "{ws}/in/batch", "--to", "en", "--from", "fr", "--out",
      "{ws}/out/batch", "--progress", "none"),
    C("batch-retry-failed", "batch", "{ws}/in/batch", "--to", "en", "--from", "fr", "--out",
      "{ws}/out/batch", "--progress", "none", "--retry-failed"),
    C("batch-other-settings", "batch", "{ws}/in/batch", "--to", "en", "--out",
      "{ws}/out/batch", "--progress", "none", "--no-glossary"),
    C("batch-txt", "batch", "{ws}/in/batch/a.txt", "{ws}/in/batch/b.txt", "--to", "en",
      "--out", "{ws}/out/batch-txt", "--format", "txt", "--progress", "none",
      "--workers", "1"),
    C("batch-tmx-log", "batch", "{ws}/in/batch/a.txt", "--to", "en", "--out",
      "{ws}/out/batch-tmx", "--format", "tmx", "--progress", "log", "--log-every", "1000"),
    C("batch-missing-input", "batch", "{ws}/in/nope", "--to", "en", "--out",
      "{ws}/out/b2"),
    C("batch-unknown-language", "batch", "{ws}/in/batch/a.txt", "--to", "xx", "--out",
      "{ws}/out/b3"),
    C("batch-workers-zero", "batch", "{ws}/in/batch/a.txt", "--to", "en", "--out",
      "{ws}/out/b4", "--workers", "0"),
    C("batch-actors-without-ray", "batch", "{ws}/in/batch/a.txt", "--to", "en", "--out",
      "{ws}/out/b5", "--actors", "2"),
    C("batch-ship-models-without-ray", "batch", "{ws}/in/batch/a.txt", "--to", "en",
      "--out", "{ws}/out/b5", "--ship-models"),
    C("batch-ray-actors-zero", "batch", "{ws}/in/batch/a.txt", "--to", "en", "--out",
      "{ws}/out/b6", "--ray", "--actors", "0"),
    C("batch-ray-actor-cpus-zero", "batch", "{ws}/in/batch/a.txt", "--to", "en", "--out",
      "{ws}/out/b6", "--actor-cpus", "0", "--ray"),
    C("batch-ray-bad-address", "batch", "{ws}/in/batch/a.txt", "--to", "en", "--out",
      "{ws}/out/b6", "--ray", "nowhere"),
    C("batch-ray-bad-address-equals", "batch", "{ws}/in/batch/a.txt", "--to", "en", "--out",
      "{ws}/out/b6", "--ray=nowhere", "--actor-gpus", "-1"),
    C("batch-ray-setting-bad-address", "batch", "{ws}/in/batch/a.txt", "--to", "en",
      "--out", "{ws}/out/b6", env={"TRANSLATOR_RAY_ADDRESS": "nowhere"}),
    C("batch-missing-out", "batch", "{ws}/in/batch/a.txt", "--to", "en", names="--out"),
    C("batch-missing-input-argument", "batch", "--to", "en", "--out", "{ws}/out/b7",
      names="INPUT"),
    C("batch-bad-format", "batch", "{ws}/in/batch/a.txt", "--to", "en", "--out",
      "{ws}/out/b7", "--format", "json", names="json"),
    C("batch-bad-progress", "batch", "{ws}/in/batch/a.txt", "--to", "en", "--out",
      "{ws}/out/b7", "--progress", "dots", names="dots"),
    C("batch-bad-workers", "batch", "{ws}/in/batch/a.txt", "--to", "en", "--out",
      "{ws}/out/b7", "--workers", "many", names="many"),
    C("batch-bad-log-every", "batch", "{ws}/in/batch/a.txt", "--to", "en", "--out",
      "{ws}/out/b7", "--log-every", "often", names="often"),
    C("batch-ray-swallows-input", "batch", "--to", "en", "--out", "{ws}/out/b7", "--ray",
      "{ws}/in/batch/a.txt", names="INPUT"),
    # -- keys ---------------------------------------------------------------------------
    C("keys-list-empty", "keys", "list"),
    C("keys-add", "keys", "add", "alice", "--desk", "sports"),
    C("keys-add-admin", "keys", "add", "boss", "--admin"),
    C("keys-add-memory-writer", "keys", "add", "night", "--memory-writer", "--rate-limit",
      "30", "--desk", "politics"),
    C("keys-add-exists", "keys", "add", "alice"),
    C("keys-add-bad-desk", "keys", "add", "x", "--desk", "Bad Desk"),
    C("keys-add-config", "keys", "add", "other", "--config", "{ws}/svc.toml"),
    C("keys-list", "keys", "list"),
    C("keys-list-config", "keys", "list", "--config", "{ws}/svc.toml"),
    C("keys-list-config-and-flag", "keys", "list", "--config", "{ws}/svc.toml", "--db-path",
      "{ws}/translator.db"),
    C("keys-list-bad-config", "keys", "list", "--config", "{ws}/bad-port.toml"),
    C("keys-list-missing-config", "keys", "list", "--config", "{ws}/nope.toml"),
    C("keys-revoke", "keys", "revoke", "boss"),
    C("keys-revoke-unknown", "keys", "revoke", "nobody"),
    C("keys-list-after-revoke", "keys", "list"),
    C("keys-add-admin-and-writer", "keys", "add", "x", "--admin", "--memory-writer",
      names="--memory-writer"),
    C("keys-add-bad-rate", "keys", "add", "x", "--rate-limit", "fast", names="fast"),
    C("keys-add-missing-name", "keys", "add", names="NAME"),
    C("keys-missing-action", "keys", names="command"),
    # -- memory -------------------------------------------------------------------------
    C("memory-import", "memory", "import", "{ws}/archive.tmx", "--desk", "politics"),
    C("memory-import-newsroom", "memory", "import", "{ws}/archive.tmx", "--newsroom"),
    C("memory-import-missing", "memory", "import", "{ws}/nope.tmx"),
    C("memory-import-broken", "memory", "import", "{ws}/broken.tmx"),
    C("memory-import-bad-desk", "memory", "import", "{ws}/archive.tmx", "--desk",
      "Sports Desk!"),
    C("memory-export", "memory", "export", "--desk", "politics"),
    C("memory-export-pair", "memory", "export", "--newsroom", "--source", "vi-VN",
      "--target", "fr"),
    C("memory-export-empty-desk", "memory", "export"),
    C("memory-export-file", "memory", "export", "--desk", "politics", "-o",
      "{ws}/out/politics.tmx"),
    C("memory-export-unknown-language", "memory", "export", "--source", "xx"),
    C("memory-export-bad-desk", "memory", "export", "--desk", "Sports Desk!"),
    C("memory-export-config", "memory", "export", "--config", "{ws}/svc.toml"),
    C("memory-missing-action", "memory", names="command"),
    C("memory-import-missing-file", "memory", "import", names="FILE"),
    C("memory-export-extra-argument", "memory", "export", "x.tmx", names="x.tmx"),
    # -- serve (errors only: a running server is tests/test_serve.py's) -----------------
    C("serve-bad-config-value", "serve", "--config", "{ws}/bad-port.toml"),
    C("serve-unknown-config-key", "serve", "--config", "{ws}/unknown.toml"),
    C("serve-missing-config", "serve", "--config", "{ws}/nope.toml"),
    C("serve-bad-env", "serve", env={"TRANSLATOR_PORT": "http"}),
    C("serve-bad-port", "serve", "--port", "http", names="http"),
    C("serve-bad-threads", "serve", "--threads", "some", names="some"),
    C("serve-bad-workers", "serve", "--workers", "x", names="x"),
]


def workspace(root: Path, model_zip: Path) -> dict[str, str]:
    """The files the cases read, under ``root``; the placeholders of their arguments."""
    sys.path.insert(0, str(TESTS))
    from conftest import APERTIUM_MODES, apertium_modes

    ws = root
    (ws / "in" / "batch").mkdir(parents=True)
    (ws / "out").mkdir()
    (ws / "installed").mkdir()
    (ws / "empty").mkdir()
    (ws / "glossary").mkdir()
    (ws / "in" / "chat.fr.txt").write_text(FR, encoding="utf-8")
    (ws / "in" / "names.fr.txt").write_text(FR_NAMES + "\n" + FR, encoding="utf-8")
    (ws / "in" / "latin1.txt").write_bytes("Le café est fermé.".encode("latin-1"))
    (ws / "in" / "bad.docx").write_bytes(b"not a zip")
    (ws / "in" / "batch" / "a.txt").write_text(FR, encoding="utf-8")
    (ws / "in" / "batch" / "b.txt").write_text(FR_NAMES, encoding="utf-8")
    (ws / "in" / "batch" / "c.txt").write_bytes("Le café est fermé.".encode("latin-1"))
    shutil.copy(DATA / "glossary" / "news-mini.tsv", ws / "glossary" / "news.tsv")
    (ws / "conflict.tsv").write_text("en\tfr\nRussia\tRussie\nRussian Federation\tRussie\n",
                                     encoding="utf-8")
    (ws / "archive.tmx").write_text(TMX, encoding="utf-8")
    (ws / "broken.tmx").write_text(TMX[:300], encoding="utf-8")
    (ws / "broken.argosmodel").write_bytes(b"this is not a zip")
    (ws / "bad-port.toml").write_text('port = "abc"\n', encoding="utf-8")
    (ws / "unknown.toml").write_text('colour = "red"\n', encoding="utf-8")
    (ws / "svc.toml").write_text(f'db_path = "{ws}/other.db"\n', encoding="utf-8")
    for lang, names in (("vi", ("floods", "inflation")), ("fr", ("floods", "inflation"))):
        (ws / "align" / lang).mkdir(parents=True)
        for name in names:
            shutil.copy(DATA / "align" / f"{name}.{lang}.txt", ws / "align" / lang)
    (ws / "align" / "vi" / "weather.vi.txt").write_text("Trời mưa.\n", encoding="utf-8")
    apertium = apertium_modes(ws / "apertium", APERTIUM_MODES)
    return {"{ws}": str(ws), "{data}": str(DATA), "{repo}": str(REPO),
            "{model_zip}": str(model_zip), "{apertium}": str(apertium)}


def environment(places: dict[str, str]) -> dict[str, str]:
    """The variables every case runs with: the workspace's folders, no network."""
    ws = places["{ws}"]
    return {"TRANSLATOR_MODELS_DIR": f"{ws}/models",
            "TRANSLATOR_GLOSSARY_DIR": f"{ws}/glossary",
            "TRANSLATOR_GLOSSARY_DB": f"{ws}/glossaries.sqlite3",
            "TRANSLATOR_DB_PATH": f"{ws}/translator.db",
            "TRANSLATOR_INDEX_URL": "http://127.0.0.1:9/index.json",
            "ARGOS_PACKAGES_DIR": f"{ws}/argos",
            "XDG_DATA_HOME": f"{ws}/xdg",
            "APERTIUM_DATADIR": places["{apertium}"]}


def expand(text: str, places: dict[str, str]) -> str:
    for name, value in places.items():
        text = text.replace(name, value)
    return text


_VOLATILE = [
    (re.compile(r'"(time_ms|timings)": \{[^{}]*\}'), r'"\1": {}'),
    (re.compile(r'"(\w+_ms)": [0-9.e+-]+'), r'"\1": 0'),
    (re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?"), "<time>"),
    (re.compile(r"\d{8}T\d{6}Z"), "<time>"),
    (re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?"), "<time>"),
    (re.compile(r"trk_[A-Za-z0-9_-]{20,}"), "<key>"),
    (re.compile(r"in \d+\.\d s \(\d+\.\d sentences/s\)"), "in <t> s (<r> sentences/s)"),
    (re.compile(r"[\d.]+ articles/s, [\d.]+ sentences/s"), "<r> articles/s, <r> sentences/s"),
    (re.compile(r"ETA \d+m\d\ds"), "ETA <t>"),
]


def normalise(data: bytes, places: dict[str, str]) -> str:
    """Output as recorded: the workspace's paths as placeholders, times and keys masked."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return "base64:" + base64.b64encode(data).decode()
    for name in ("{model_zip}", "{apertium}", "{ws}", "{data}", "{repo}"):
        text = text.replace(places[name], name)
    for pattern, replacement in _VOLATILE:
        text = pattern.sub(replacement, text)
    return text


def run_case(case: Case, places: dict[str, str]) -> dict:
    from cli_runner import run_cli

    env = {**environment(places), **{k: expand(v, places) for k, v in case.env.items()}}
    proc = run_cli(*[expand(a, places) for a in case.argv], stdin=case.stdin, env_extra=env)
    return {"stdout": normalise(proc.stdout, places), "stderr": normalise(proc.stderr, places),
            "exit": proc.returncode}


def load() -> list[dict]:
    return json.loads(GOLDEN.read_text(encoding="utf-8"))["cases"]


def stdin_of(record: dict) -> bytes | None:
    if record.get("stdin_base64") is not None:
        return base64.b64decode(record["stdin_base64"])
    return None if record.get("stdin") is None else record["stdin"].encode()


def record() -> None:
    """Run every case in order in a fresh workspace and write tests/data/cli_golden.json."""
    import tempfile

    root = Path(tempfile.mkdtemp(prefix="translator-golden-"))
    try:
        _sandbox(root / "home")
        from translator import testing

        sp = testing.train_sentencepiece(None, root / "models" / "spm" / "spm", vocab_size=1000)
        package = testing.build_argos_package(root / "models" / "translate-fr_en", "fr", "en",
                                              sp_model=sp)
        model_zip = testing.zip_package(package, root / "models" / "zips" /
                                        "translate-fr_en.argosmodel")
        places = workspace(root / "ws", model_zip)
        records = []
        for case in CASES:
            entry: dict = {"id": case.id, "argv": case.argv}
            if case.stdin is not None:
                try:
                    entry["stdin"] = case.stdin.decode("utf-8")
                except UnicodeDecodeError:
                    entry["stdin_base64"] = base64.b64encode(case.stdin).decode()
            if case.env:
                entry["env"] = case.env
            start = time.monotonic()
            result = run_case(case, places)
            took = time.monotonic() - start
            if case.names is not None:  # a usage error
                if result["exit"] != 2 or case.names.lower() not in result["stderr"].lower():
                    raise SystemExit(f"{case.id}: not a usage error naming {case.names!r}: "
                                     f"{result}")
                entry["usage"], entry["names"] = True, case.names
            entry.update(result)
            records.append(entry)
            print(f"{case.id}: exit {result['exit']} ({took:.2f} s)", file=sys.stderr)
        GOLDEN.write_text(json.dumps({"cases": records}, ensure_ascii=False, indent=1) + "\n",
                          encoding="utf-8")
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _sandbox(home: Path) -> None:
    """As tests/conftest.py does: no TRANSLATOR_* of the developer's shell, the user's
    folders in ``home``."""
    for name in [k for k in os.environ if k.startswith("TRANSLATOR_")]:
        del os.environ[name]
    for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        os.environ[name] = str(home / name.lower())
    os.environ["ARGOS_PACKAGES_DIR"] = str(home / "argos")
    os.environ.pop("RAY_ADDRESS", None)
    os.environ["COLUMNS"], os.environ["LINES"] = "120", "40"


if __name__ == "__main__":
    sys.path.insert(0, str(TESTS))
    sys.path.insert(0, str(REPO))
    record()
