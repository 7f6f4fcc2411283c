"""Every output format, declared once.

A :class:`Format` is one record: its name (as users type it: ``--format tmx``,
``?format=tmx``, ``"format": "tmx"``), media type, file extension, a description, and
its writer for each kind of thing it can render (its *subjects*). Everything else is
read from here: the CLI's ``--format`` choices, the service's content negotiation, the
request validation, the download names, and the OpenAPI document.

Subjects and the writer each one calls (imported on first use, so this module imports
nothing heavy and nothing that imports it):

``result``
    one translation result → text (``translator translate``, a single text on the API)
``results``
    several results → one document (lists on the API, review exports, a document's
    aligned results); only formats that hold several documents (``multi``)
``alignment``
    an alignment → text (``translator align``, ``POST /v1/align``)
``batch``
    a job's ledger → files in the output folder (``translator batch``, ``/v1/jobs``)
``glossary``
    a glossary → text (``translator glossary export``, ``GET /v1/glossaries/NAME``)

The service answers JSON with the same objects the JSON writers dump (see
:mod:`translator.web.output`).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Callable, Mapping

from ..errors import InputError

__all__ = ["Format", "FORMATS", "MixedLanguagePairs", "UnknownFormat", "get", "names",
           "media_types"]

SUBJECTS = ("result", "results", "alignment", "batch", "glossary")


class UnknownFormat(InputError):
    code = "unknown_format"


class MixedLanguagePairs(InputError):
    """Texts in several language pairs asked for in a format that holds one (TMX, XLIFF):
    the ``format`` field is what cannot be met."""

    code = "invalid_field"


@dataclass(frozen=True)
class Format:
    name: str
    media_type: str
    extension: str
    description: str
    #: subject -> "module:function" of its writer
    writers: Mapping[str, str] = field(default_factory=dict)
    #: offered by the HTTP service (a terminal view is not)
    web: bool = True

    @property
    def multi(self) -> bool:
        """Holds several documents (a list of texts, a reviewed document's segments)."""
        return "results" in self.writers

    def writer(self, subject: str) -> Callable:
        module, _, name = self.writers[subject].partition(":")
        return getattr(importlib.import_module(module), name)

    def write(self, subject: str, *args, **kwargs):
        return self.writer(subject)(*args, **kwargs)


_ALIGN = "translator.alignment.render"
_BATCH = "translator.batch.outputs"
_GLOSSARY = "translator.glossary.writers"
_RESULT = "translator.formats.writers"

FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("json", "application/json", "json", "the aligned result as JSON",
           {"result": f"{_RESULT}:to_json", "results": f"{_RESULT}:results_to_json",
            "alignment": f"{_ALIGN}:to_json",
            "glossary": f"{_GLOSSARY}:write_json"}),
    Format("tmx", "application/x-tmx+xml", "tmx", "TMX 1.4b translation memory",
           {"result": f"{_RESULT}:to_tmx", "results": "translator.formats.tmx:results_to_tmx",
            "alignment": f"{_ALIGN}:to_tmx", "batch": f"{_BATCH}:write_tmx_file"}),
    Format("xliff", "application/xliff+xml", "xlf", "XLIFF 2.1 for CAT tools",
           {"result": f"{_RESULT}:to_xliff",
            "results": "translator.formats.xliff:results_to_xliff"}),
    Format("tsv", "text/tab-separated-values", "tsv", "one segment per line, tab-separated",
           {"result": f"{_RESULT}:to_tsv", "alignment": f"{_ALIGN}:to_tsv",
            "glossary": f"{_GLOSSARY}:write_tsv"}),
    Format("html", "text/html", "html", "side-by-side HTML page",
           {"result": f"{_RESULT}:to_html",
            "results": "translator.formats.html:results_to_html"}),
    Format("text", "text/plain", "txt", "the translation alone",
           {"result": f"{_RESULT}:to_text"}),
    Format("side-by-side", "text/plain", "txt", "two columns for a terminal",
           {"result": f"{_RESULT}:to_side_by_side", "alignment": f"{_ALIGN}:to_side_by_side"},
           web=False),
    Format("jsonl", "application/x-ndjson", "jsonl",
           "one aligned result per article, with id and input, in archive order",
           {"batch": f"{_BATCH}:write_jsonl"}),
    Format("txt", "application/zip", "zip", "one translated text file per article",
           {"batch": f"{_BATCH}:write_txt"}),
    Format("csv", "text/csv", "csv", "a comma-separated glossary table",
           {"glossary": f"{_GLOSSARY}:write_csv"}),
    Format("tbx", "application/x-tbx+xml", "tbx", "TBX-Basic v2 term base",
           {"glossary": f"{_GLOSSARY}:write_tbx"}),
)}


def names(subject: str, *, web: bool = False) -> tuple[str, ...]:
    """The formats that render ``subject`` (only those the service offers with ``web``)."""
    if subject not in SUBJECTS:
        raise ValueError(f"unknown subject {subject!r}")
    return tuple(f.name for f in FORMATS.values()
                 if subject in f.writers and (f.web or not web))


def get(name: str, subject: str, *, web: bool = False) -> Format:
    """The format ``name`` for ``subject``; :class:`UnknownFormat` names the choices."""
    choices = names(subject, web=web)
    if name not in choices:
        raise UnknownFormat(f"unknown format {name!r}; choose one of {', '.join(choices)}")
    return FORMATS[name]


def media_types(subject: str, *, web: bool = True) -> dict[str, str]:
    """name -> media type of the formats that render ``subject``."""
    return {name: FORMATS[name].media_type for name in names(subject, web=web)}
