"""The alignment page: an original and its existing translation (uploaded or pasted)
aligned sentence by sentence, reviewed with the least certain beads first (merge, split,
move a sentence), and the accepted pairs added to the desk's translation memory.

The alignment is the one of ``translator align`` and ``POST /v1/align``; which beads start
accepted is :func:`translator.alignment.intomemory.confident_pairs`'s rule. The page's
script (``static/align.js``) keeps the beads while they are edited; ``POST
/align/memory`` stores the accepted pairs in one transaction, with the documents' names as
provenance (``align:SOURCE | TARGET``), as ``translator align --into-memory`` does.
"""

from __future__ import annotations

from flask import current_app, render_template, request

from .. import languages as lang_names
from ..errors import InvalidEncoding, TranslatorError
from .bodies import check_body
from .errors import InvalidField, public_error
from .openapi import MAX_NAME
from .review import review
from .security import access
from .validation import AUTO, AlignRequest, json_body, language_field, text_value

# Routes of the review blueprint: the same key cookie, login redirect, same-origin check,
# page CSP and error pages as the review page.


def service():
    return current_app.extensions["translator"]


def _side(side: str, label: str, max_chars: int) -> tuple[str, str]:
    """(text, document name) of one side: its uploaded file or its pasted text, not both."""
    upload = request.files.get(f"{side}_file")
    pasted = request.form.get(f"{side}_text", "")
    if upload is not None and upload.filename:
        if pasted.strip():
            raise InvalidField(f"the {label} was given twice, as a file ({upload.filename}) and "
                               "as pasted text: clear the text or remove the file",
                               field=f"{side}_text")
        raw = upload.read()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InvalidEncoding(f"the {label} ({upload.filename}) is not UTF-8 text "
                                  f"(byte {exc.start})", field=f"{side}_file") from None
        return text_value(text, f"{side}_file", max_chars), upload.filename[:MAX_NAME]
    if not pasted.strip():
        raise InvalidField(f"the {label} is missing: upload a file or paste the text",
                           field=f"{side}_text")
    return text_value(pasted, f"{side}_text", max_chars), f"pasted {label}"


def _form(**values):
    langs = service().languages()["languages"]
    codes = sorted({lang["code"] for lang in langs} | {t for lang in langs for t in lang["targets"]})
    return {"codes": codes, "name": lang_names.name, "form": values}


@review.get("/align")
def align_form():
    return render_template("align.html", **_form(source=AUTO, target=AUTO))


@review.post("/align")
def align_create():
    """Align the two texts and open them for review (nothing is stored yet)."""
    svc = service()
    f = request.form
    try:
        source_text, source_name = _side("source", "original", svc.settings.max_chars)
        target_text, target_name = _side("target", "translation", svc.settings.max_chars)
        source = language_field(f.get("source", AUTO), "source", allow_auto=True)
        target = language_field(f.get("target", AUTO), "target", allow_auto=True)
        alignment = svc.align(AlignRequest(source_text, target_text, source, target, "auto"))
        for lang, label, field in ((alignment.source_lang, "original", "source"),
                                   (alignment.target_lang, "translation", "target")):
            if lang is None:
                raise InvalidField(f"the language of the {label} was not detected: choose it",
                                   field=field)
        if alignment.source_lang == alignment.target_lang:
            raise InvalidField(f"the original and the translation are both in "
                               f"{lang_names.name(alignment.source_lang)}: give the translation "
                               "in another language", field="target")
    except TranslatorError as exc:
        context = _form(source_text=f.get("source_text", ""), target_text=f.get("target_text", ""),
                        source=f.get("source"), target=f.get("target"))
        return render_template("align.html", error=public_error(exc), **context), exc.http_status
    data = alignment.to_dict()
    data = {"source_lang": data["source_lang"], "target_lang": data["target_lang"],
            "source_name": source_name, "target_name": target_name,
            "source_sentences": [s["text"] for s in data["source_sentences"]],
            "target_sentences": [s["text"] for s in data["target_sentences"]],
            "beads": [{"source": b["source"], "target": b["target"], "score": b["score"],
                       "low": b["low_confidence"]} for b in data["beads"]],
            "desk": access().desk}
    return render_template("align_review.html", data=data, alignment=alignment,
                           name=lang_names.name)


@review.post("/align/memory")
def align_add_to_memory():
    """Store accepted pairs ``[[source, target], ...]`` in the desk's memory, all or nothing
    (their shape checked by the schema ``AlignMemoryRequest``)."""
    svc = service()
    body = json_body()
    check_body("AlignMemoryRequest", body)
    source = language_field(body["source_lang"], "source_lang")
    target = language_field(body["target_lang"], "target_lang")
    if source == target:
        raise InvalidField("source_lang and target_lang must differ", field="target_lang")
    names = [" ".join(body[field].split()) for field in ("source_name", "target_name")]
    clean = {}
    for n, pair in enumerate(body["pairs"]):
        for k, side in enumerate(pair):  # over max_chars: 413, as every text over it
            text_value(side, f"pairs[{n}][{k}]", svc.settings.max_chars)
        clean[" ".join(pair[0].split())] = " ".join(pair[1].split())
    desk = access().desk
    memory = svc.store.memory
    with memory.db.transaction() as conn:
        for text, translation in clean.items():
            memory.put(conn, source, target, text, translation, None, desk,
                       by=f"align:{names[0]} | {names[1]}")
    return {"stored": len(clean), "desk": desk, "source": source, "target": target}
