"""The review page: submit an article, review the aligned translation, export it.

Server-rendered HTML (Jinja, autoescaped) with one small script for editing, keyboard
navigation, and ordering and filtering the segments (worst confidence first, only those
that need attention). Words left untranslated are marked in a copy of each target drawn
behind its textarea. Saving a segment as reviewed writes the review and the translation
memory in one transaction (see :mod:`translator.store.documents`).
"""

from __future__ import annotations

import math
import re
import unicodedata
from urllib.parse import unquote, urlsplit

from flask import (Blueprint, current_app, make_response, redirect, render_template, request,
                   url_for)

from .. import languages as lang_names
from ..errors import InputTooLarge, InvalidEncoding, TranslatorError
from ..formats import marks, registry
from ..store.documents import SegmentNotFound
from .bodies import check_body
from .errors import ApiKeyRequired, InvalidApiKey, InvalidField, public_error
from .memory_api import entry_for
from .output import respond
from .security import KEY_COOKIE, access, guard, same_origin
from .validation import AUTO, TranslateRequest, json_body, language_field, text_value

review = Blueprint("review", __name__)

EXPORT_FORMATS = registry.names("result", web=True)
COOKIE_DAYS = 30
_SLUG = re.compile(r"[^a-z0-9]+")
#: below this confidence a segment needs attention (the page's starting threshold; the
#: reviewer can move it)
ATTENTION_BELOW = 0.8


def service():
    return current_app.extensions["translator"]


@review.before_request
def _guard():
    if request.endpoint in ("review.login", "review.logout"):
        return None
    if request.method not in ("GET", "HEAD"):
        same_origin()
    try:
        guard(limit=request.endpoint == "review.create")
    except (ApiKeyRequired, InvalidApiKey):
        if request.method == "GET":
            return redirect(url_for("review.login", next=request.full_path.rstrip("?")))
        raise
    return None


def _form_context(**values) -> dict:
    svc = service()
    langs = svc.languages()["languages"]
    return {"languages": langs, "sources": [lang for lang in langs if lang["targets"]],
            "glossaries": svc.glossaries.names(access().desk),
            "targets": sorted({t for lang in langs for t in lang["targets"]}),
            "recent": svc.store.documents.recent(access=access()), "name": lang_names.name,
            "max_chars": svc.settings.max_chars, "form": values}


@review.get("/")
def index():
    return render_template("index.html", deleted=request.args.get("deleted") == "1",
                           **_form_context(target="en", source=AUTO))


def _submitted_text(max_chars: int) -> str:
    upload = request.files.get("file")
    if upload is not None and upload.filename:
        raw = upload.read()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InvalidEncoding(f"{upload.filename} is not UTF-8 text (byte {exc.start})") from None
        if request.form.get("text", "").strip():
            # Which one was meant is a guess either way: ask rather than drop one silently.
            raise InvalidField(f"both a file ({upload.filename}) and pasted text were given: "
                               "clear the text or remove the file", field="text")
        return text_value(text, "file", max_chars)
    return text_value(request.form.get("text", ""), "text", max_chars)


@review.post("/review")
def create():
    """Translate a pasted or uploaded article and open it for review."""
    svc = service()
    form = request.form
    try:
        text = _submitted_text(svc.settings.max_chars)
        target = language_field(form.get("target", ""), "target")
        source = language_field(form.get("source", AUTO), "source", allow_auto=True)
        glossary = form.get("glossary") or None
        result = svc.translate(TranslateRequest((text,), target, source, glossary=glossary),
                               access())[0]
    except TranslatorError as exc:
        context = _form_context(text=form.get("text", ""), target=form.get("target"),
                                source=form.get("source"), glossary=form.get("glossary"))
        return render_template("index.html", error=public_error(exc), **context), exc.http_status
    doc_id = svc.store.documents.create(result, desk=access().desk)
    return redirect(url_for("review.document", doc_id=doc_id), code=303)


@review.get("/review/<doc_id>")
def document(doc_id: str):
    doc = service().store.documents.get(doc_id, access())
    return render_template("review.html", doc=doc, result=doc.result, name=lang_names.name,
                           export_formats=EXPORT_FORMATS, attention_below=ATTENTION_BELOW)


@review.app_template_global()
def leftovers_in_order(seg) -> list[dict]:
    """The segment's words left untranslated that its target still holds, in reading order."""
    return [entry for _, _, entry in marks.leftovers(seg.target, seg.untranslated)]


@review.app_template_global()
def leftover_pieces(seg) -> list[tuple[str, dict | None]]:
    """The segment's target cut into (text, word left untranslated or None) pieces, in order
    (the writers' rule: only spans that still hold their word are marked)."""
    return [(text, leftover) for text, _, leftover
            in marks.target_pieces(seg.target, [], seg.untranslated)]


@review.app_template_global()
def leftover_kind(lo: dict) -> str:
    """The leftover's kind as a CSS class suffix: one of :data:`marks.KINDS`."""
    return lo.get("kind") if lo.get("kind") in marks.KINDS else "unknown"


@review.app_template_global()
def leftover_note(lo: dict, seg, route: dict) -> str:
    """Why the word is there: its language, the kind of failure, the step that left it
    (``French · unknown word · step 1 of 2, fr → es``)."""
    step = lo.get("step", 0)
    where = f"step {step + 1}"
    steps = route.get("steps", [])
    # A paragraph in another language took another route; only the document's is known here.
    if seg.source_lang == route.get("source") and 0 <= step < len(steps):
        where += f" of {len(steps)}, {steps[step]['source']}\u00a0→\u00a0{steps[step]['target']}"
    return f"{lang_names.name(lo.get('language', ''))} · {marks.KINDS[leftover_kind(lo)]} · {where}"


@review.app_template_filter()
def percent(confidence: float | None) -> str:
    """A confidence as the page shows it: whole percents, never 100% short of certain."""
    if confidence is None:
        return "–"
    shown = math.floor(confidence * 100 + 0.5)  # halves up, as the page's script rounds
    return f"{min(shown, 99) if confidence < 1 else shown}%"


@review.put("/review/<doc_id>/segments/<int:index>")
def save_segment(doc_id: str, index: int):
    """Save a segment's target; ``reviewed: true`` also stores it in the translation memory."""
    svc = service()
    body = json_body()
    check_body("SegmentUpdate", body)
    target, reviewed = body["target"], body.get("reviewed", True)
    limit = svc.settings.max_chars
    if len(target) > limit:
        # the limit of every text (validation.text_value): the same 413 and details
        raise InputTooLarge(f"target has {len(target)} characters; the limit is {limit}",
                            field="target", limit=limit, size=len(target))
    who = access()
    segment, repeats = svc.store.documents.save(doc_id, index, target, reviewed, access=who)
    return _saved(svc.store.documents.get(doc_id, who), segment, index, repeats)


def _saved(doc, segment, index: int, repeats: list[int]) -> dict:
    """The answer to a save or a restore: the segment, the repeats it reached (each as it
    now is), the document's progress."""
    return {"segment": segment.to_dict(), "reviewed": index in doc.reviewed,
            "propagated": repeats,
            "repeats": [{"index": n, "reviewed": n in doc.reviewed,
                         "segment": doc.result.segments[n].to_dict()} for n in repeats],
            "progress": {"reviewed": len(doc.reviewed), "total": len(doc.result.segments)}}


@review.delete("/review/<doc_id>/segments/<int:index>")
def restore_segment(doc_id: str, index: int):
    """Restore the machine translation of a segment (the reviewer's text and mark dropped)."""
    svc = service()
    who = access()
    segment, repeats = svc.store.documents.restore(doc_id, index, who)
    return _saved(svc.store.documents.get(doc_id, who), segment, index, repeats)


@review.post("/review/<doc_id>/delete")
def delete_document(doc_id: str):
    """Delete a document from the recent list (its edits with it)."""
    service().store.documents.delete(doc_id, access())
    return redirect(url_for("review.index", deleted=1), code=303)


@review.get("/review/<doc_id>/concordance")
def concordance(doc_id: str):
    """Memory entries whose source holds a phrase, in the document's language pair."""
    svc = service()
    who = access()
    doc = svc.store.documents.get(doc_id, who)
    phrase = request.args.get("q", "")
    if not phrase.strip():
        raise InvalidField("give a phrase to look for in 'q'", field="q")
    if len(phrase) > 500:
        raise InvalidField("the phrase has more than 500 characters", field="q")
    found = svc.store.memory.concordance(doc.result.source_lang, doc.result.target_lang,
                                         phrase, who.desk)
    titles = svc.store.documents.titles({m.document_id for m in found if m.document_id}, who)
    return {"q": phrase, "entries": [{**entry_for(m, who, titles),
                                      "document_title": titles.get(m.document_id)} for m in found]}


@review.get("/review/<doc_id>/segments/<int:index>/matches")
def matches(doc_id: str, index: int):
    """Memory matches for one segment's source: exact (typography aside) and fuzzy, with
    the source differences and where each came from (document, who, when)."""
    svc = service()
    who = access()
    doc = svc.store.documents.get(doc_id, who)
    if not 0 <= index < len(doc.result.segments):
        raise SegmentNotFound(f"document {doc_id!r} has no segment {index}",
                              document=doc_id, segment=index)
    seg = doc.result.segments[index]
    found = svc.store.memory.fuzzy(seg.source_lang, doc.result.target_lang, seg.source,
                                   who.desk, limit=5)
    titles = svc.store.documents.titles({m.document_id for m in found if m.document_id}, who)
    return {"segment": index, "source": seg.source,
            "matches": [{**entry_for(m, who, titles), "document_title": titles.get(m.document_id)}
                        for m in found]}


@review.get("/review/<doc_id>/export.<fmt>")
def export(doc_id: str, fmt: str):
    """The reviewed document as TMX, XLIFF, JSON, HTML, TSV or text (a download)."""
    if fmt not in EXPORT_FORMATS:
        raise InvalidField(f"export format must be one of {', '.join(EXPORT_FORMATS)}",
                           field="format")
    doc = service().store.documents.get(doc_id, access())
    ascii_title = unicodedata.normalize("NFKD", doc.title).encode("ascii", "ignore").decode()
    slug = _SLUG.sub("-", ascii_title.lower()).strip("-")[:40].strip("-") or "document"
    name = f"{slug}.{doc.result.source_lang}-{doc.result.target_lang}"
    return respond([doc.result], fmt, filename=name)


def _safe_next(target: str | None) -> str:
    r"""``target`` if it is a path on this site, else the start page. Browsers drop tabs and
    line breaks from URLs and read ``\`` as ``/``, so ``/\t/evil.example`` and
    ``/\evil.example`` are other sites: a control character, space or backslash, in the
    text or once percent-decoded, is refused."""
    if target and all(_same_site_path(form) for form in (target, unquote(target))):
        return target
    return url_for("review.index")


def _same_site_path(target: str) -> bool:
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    if any(ord(ch) < 0x20 or 0x7f <= ord(ch) <= 0x9f or ch.isspace() for ch in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


@review.route("/login", methods=["GET", "POST"])
def login():
    """Ask for an API key once and keep it in a cookie (only when keys are required)."""
    svc = service()
    next_url = _safe_next(request.values.get("next"))
    if not svc.settings.api_keys_required:
        return redirect(next_url)
    if request.method == "GET":
        return render_template("login.html", next=next_url)
    same_origin()
    key = request.form.get("key", "").strip()
    if not svc.store.keys.check(key):
        return render_template("login.html", next=next_url,
                               error="This key is not valid (unknown or revoked)."), 403
    response = make_response(redirect(next_url, code=303))
    response.set_cookie(KEY_COOKIE, key, max_age=COOKIE_DAYS * 86400, httponly=True,
                        samesite="Strict", secure=request.is_secure)
    return response


@review.post("/logout")
def logout():
    same_origin()
    response = make_response(redirect(url_for("review.login"), code=303))
    response.delete_cookie(KEY_COOKIE)
    return response
