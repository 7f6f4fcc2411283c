"""``/v1/memory``: the desk's translation memory over HTTP: search (concordance and fuzzy
matches), TMX import and export. What a desk stores stays its own (see docs/api.md,
Security); the newsroom-wide memory is read by every desk and written only by admins
and memory writers (``?into=newsroom``)."""

from __future__ import annotations

import unicodedata

from flask import Blueprint, Response, current_app, request

from .. import languages
from ..store.db import NEWSROOM, Access
from ..store.memory import Match
from ..store.memory_tmx import export_tmx, import_tmx
from .errors import InvalidField, MissingField
from .security import access, guard

memory_api = Blueprint("memory_api", __name__, url_prefix="/v1")


@memory_api.before_request
def _guard():
    guard()


def _store():
    return current_app.extensions["translator"].store


def _pair(required: bool) -> tuple[str | None, str | None]:
    out = []
    for field in ("source", "target"):
        value = request.args.get(field)
        if not value:
            if required:
                raise MissingField(f"query parameter '{field}' is required (a language code)",
                                   field=field)
            out.append(None)
            continue
        out.append(languages.canonical(value))
    return out[0], out[1]


@memory_api.get("/memory")
def search():
    """Concordance (``q``: entries whose source holds the phrase) or fuzzy matches
    (``match``: entries whose source is like the sentence), with provenance."""
    source, target = _pair(required=True)
    phrase, sentence = request.args.get("q", ""), request.args.get("match", "")
    if bool(phrase.strip()) == bool(sentence.strip()):
        raise InvalidField("give either 'q' (a phrase to look for) or 'match' (a sentence to "
                           "find fuzzy matches for)", field="q")
    text = phrase or sentence
    if len(text) > 2000:
        raise InvalidField("the text has more than 2000 characters", field="q" if phrase else "match")
    memory, who = _store().memory, access()
    found = (memory.concordance(source, target, phrase, who.desk) if phrase
             else memory.fuzzy(source, target, sentence, who.desk, limit=10))
    titles = _store().documents.titles({m.document_id for m in found if m.document_id}, who)
    return {"source": source, "target": target,
            "entries": [entry_for(m, who, titles) for m in found]}


def entry_for(match: Match, who: Access, titles: dict[str, str]) -> dict:
    """A memory entry as ``who`` may see it. A newsroom entry approved from another desk's
    document keeps its words but not where they came from: its document's id and the name
    of the key that wrote it are left out (``titles``: the documents ``who`` sees); so are
    the writer of a newsroom entry that came from no document (a TMX import). Admins see
    all."""
    out = match.to_dict()
    if match.desk == NEWSROOM and not who.admin and match.document_id not in titles:
        out["document_id"] = out["created_by"] = None
    return out


@memory_api.post("/memory")
def import_memory():
    """Store a TMX file (the body) in the desk's memory, all or nothing."""
    who = access()
    into = request.args.get("into", "desk")
    if into not in ("desk", "newsroom"):
        raise InvalidField("'into' is 'desk' or 'newsroom'", field="into")
    if into == "newsroom" and not who.memory_writer:
        raise InvalidField("only admins and memory writers write the newsroom memory",
                           field="into")
    data = request.get_data(cache=False)
    if not data.strip():
        raise MissingField("the body is empty: send a TMX file", field="body")
    name = request.args.get("name", "upload.tmx")
    name = "".join(ch for ch in unicodedata.normalize("NFC", name) if ch.isprintable())[:100]
    report = import_tmx(_store().memory, data, NEWSROOM if into == "newsroom" else who.desk,
                        name, by=who.name and f"{who.name} (tmx:{name})")
    return report.to_dict()


@memory_api.get("/memory/export.tmx")
def export_memory():
    """The desk's memory as TMX (``source`` / ``target`` narrow it to a pair)."""
    source, target = _pair(required=False)
    who = access()
    desk = NEWSROOM if request.args.get("from") == "newsroom" else who.desk
    body = export_tmx(_store().memory, desk, source, target, reader=who)
    return Response(body, mimetype="application/x-tmx+xml", headers={
        "Content-Disposition": 'attachment; filename="memory.tmx"'})
