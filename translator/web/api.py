"""The versioned JSON API (``/v1``) and the health checks."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request, send_file, url_for

from .. import __version__
from ..errors import TranslatorError
from ..formats import registry
from ..glossary import Entry, Glossary
from ..languages import canonical
from ..store.keys import check_desk
from . import jobs as batch_jobs
from .bodies import check_body
from .disconnect import ClientGone
from .errors import NotReady
from .openapi import openapi_document
from .output import negotiate, respond, respond_alignment
from .security import access, guard
from .validation import InvalidField, align_request, detect_request, json_body, translate_request

api = Blueprint("api", __name__, url_prefix="/v1")
health = Blueprint("health", __name__)


def service():
    return current_app.extensions["translator"]


@api.before_request
def _guard():
    guard()


@api.post("/translate")
def translate():
    """Translate one text or a list; the aligned result in the requested format. A
    multipart body with a file: the document in its own format (see document_upload)."""
    svc = service()
    if request.mimetype == "multipart/form-data":
        from .document_upload import translate_upload

        return translate_upload(svc)
    req = translate_request(json_body(), svc.settings.max_chars)
    fmt = negotiate(req.format)
    results = svc.translate(req, access(), ClientGone.of(request.environ))
    svc.warn_doubtful_detection(req, results)
    return respond(results, fmt, req.is_list)


@api.post("/align")
def align():
    """Align an existing translation with its original: beads with scores, flagged when unsure."""
    svc = service()
    req = align_request(json_body(), svc.settings.max_chars)
    fmt = negotiate(req.format, "alignment")
    return respond_alignment(svc.align(req), fmt)


@api.post("/detect")
def detect():
    svc = service()
    return svc.detect(detect_request(json_body(), svc.settings.max_chars))


@api.get("/languages")
def languages():
    return service().languages()


@api.get("/openapi.json")
def openapi():
    return openapi_document()


@health.get("/health")
def liveness():
    """The process answers (models may still be loading)."""
    return {"status": "ok", "version": __version__}


@health.get("/health/ready")
def readiness():
    """Ready once every model is loaded: 200, else 503 with the models' state."""
    ready, details = service().readiness()
    if not ready:
        if "load_error" in details:
            message = details["load_error"]
        elif details.get("broken"):
            steps = [f"{c['step']} ({c['engine']})" for c in details["checks"] if not c["ok"]]
            message = (f"routes {', '.join(details['broken'])} are broken: the engine step "
                       f"{', '.join(steps)} failed to translate a test sentence")
        else:
            message = "models are not loaded yet"
        raise NotReady(message, **details)
    return {"status": "ready", "version": __version__, **details}


# -- named glossaries -------------------------------------------------------------------

GLOSSARY_FORMATS = registry.names("glossary", web=True)
#: an uploaded glossary's format by its Content-Type (TBX also as plain XML)
GLOSSARY_TYPES = {media: name for name, media in registry.media_types("glossary").items()} | {
    "application/xml": "tbx", "text/xml": "tbx"}


def _glossary_format(default: str) -> str:
    fmt = request.args.get("format") or GLOSSARY_TYPES.get(request.mimetype) or default
    if fmt not in GLOSSARY_FORMATS:
        raise InvalidField(f"format must be one of {', '.join(GLOSSARY_FORMATS)}", field="format")
    return fmt


def _glossary_desk(name: str) -> str:
    """The desk whose glossary ``name`` this request means (``?desk=``: admins only)."""
    return service().glossary_desk(name, access(), request.args.get("desk"))


@api.get("/glossaries")
def glossaries():
    """The desk's stored glossaries (an admin's: every desk's), and the default one applied
    to every translation."""
    svc = service()
    default = svc.pipeline.glossary
    who = access()
    return {"glossaries": [info.to_dict() for info in
                           svc.glossaries.list(None if who.admin else who.desk)],
            "default": {"name": default.name, "entries": len(default.entries),
                        "languages": sorted(default.languages())} if default else None}


@api.get("/glossaries/<name>")
def glossary(name: str):
    """One stored glossary: JSON entries, or the TSV/CSV/TBX file."""
    from ..glossary.writers import dumps

    fmt = _glossary_format("json")
    stored = service().glossaries.get(name, _glossary_desk(name))
    if fmt == "json":
        return {"name": stored.name, "entries": [entry.to_dict() for entry in stored.entries]}
    return Response(dumps(stored, fmt),
                    mimetype=registry.FORMATS[fmt].media_type + "; charset=utf-8")


@api.put("/glossaries/<name>")
def put_glossary(name: str):
    """Create (201) or, with ?replace=true, replace (200) a glossary from a TSV/CSV/TBX body
    or JSON entries; nothing stored changes when the upload is refused."""
    from ..glossary.files import read_bytes

    svc = service()
    fmt = _glossary_format("tsv")
    if fmt == "json":
        body = json_body()
        check_body("GlossaryUpload", body)
        uploaded = _glossary_from_json(name, body["entries"])
    else:
        uploaded = read_bytes(request.get_data(), f"{name}.{fmt}", name=name)
    replace = request.args.get("replace", "false").lower() in ("1", "true", "yes")
    who = access()
    # a new glossary is the requester's desk's (an admin may name another with ?desk=)
    desk = request.args.get("desk") if who.admin and request.args.get("desk") else who.desk
    if desk != who.desk:
        check_desk(desk)
    existed = svc.glossaries.exists(name, desk)
    info = svc.glossaries.put(name, uploaded, replace=replace, source=f"PUT /v1/glossaries/{name}",
                              desk=desk)
    return info.to_dict(), 200 if existed else 201


@api.delete("/glossaries/<name>")
def delete_glossary(name: str):
    service().glossaries.delete(name, _glossary_desk(name))
    return Response(status=204)


def _glossary_from_json(name: str, entries: list[dict]) -> Glossary:
    """Entries as ``GET /v1/glossaries/NAME`` returns them (their shape checked by the
    schema ``GlossaryUpload``), held to the rules a file is held to."""
    from ..glossary.rules import validate_entry

    out = []
    for i, item in enumerate(entries):
        langs: dict[str, tuple[str, ...]] = {}
        for lang, terms in item["terms"].items():
            field = f"entries[{i}].terms.{lang}"
            try:
                code = canonical(lang)
            except TranslatorError as exc:
                raise InvalidField(f"{field}: {exc.message}", field=field) from None
            if code in langs:  # "fr" and "FR": one would silently replace the other
                raise InvalidField(f"{field}: {code} is given twice", field=field)
            langs[code] = tuple(terms)
        entry = Entry(item.get("id") or f"{name}-{i}", langs, type=item.get("type", "other"),
                      note=item.get("note", ""), dnt=item.get("dnt", False), origin=f"entries[{i}]")
        problems = validate_entry(entry)
        if problems:
            raise InvalidField(f"entries[{i}]: {problems[0]}", field=f"entries[{i}]")
        out.append(entry)
    return Glossary(name, out)


# -- batch jobs --------------------------------------------------------------------------

@api.post("/jobs")
def submit_job():
    """Accept an archive of articles as a job (202); the runner translates it in the background."""
    svc = service()
    job = batch_jobs.submit(svc, access())
    svc.runner.wake()
    return (batch_jobs.job_status(svc.jobs, job), 202,
            {"Location": url_for("api.job", job_id=job.id)})


@api.get("/jobs")
def list_jobs():
    """Jobs, newest first (``?limit=``, at most 200)."""
    store = service().jobs
    limit = request.args.get("limit", str(batch_jobs.LIST_LIMIT))
    if not limit.isdigit() or not 1 <= int(limit) <= batch_jobs.MAX_LIST_LIMIT:
        raise InvalidField(f"limit must be a number from 1 to {batch_jobs.MAX_LIST_LIMIT}",
                           field="limit")
    who = access()
    newest = [job for job in store.jobs()[::-1] if who.sees(job.desk)][:int(limit)]
    return {"jobs": [batch_jobs.job_status(store, job) for job in newest]}


def _visible_job(job_id: str):
    """The job, if this request's desk submitted it (admins: any); else not found, as if it
    did not exist."""
    job = service().jobs.get(job_id)
    if not access().sees(job.desk):
        raise batch_jobs.JobNotFound(f"no job {job_id!r}", id=job_id)
    return job


@api.get("/jobs/<job_id>")
def job(job_id: str):
    """A job's state, counts, speed, first failures and links."""
    return batch_jobs.job_status(service().jobs, _visible_job(job_id))


@api.get("/jobs/<job_id>/result")
def job_result(job_id: str):
    """The translations of a done job (JSONL, TMX, or a zip of text files); 409 before."""
    store = service().jobs
    path, mimetype, name = batch_jobs.result_file(store, _visible_job(job_id))
    return send_file(path, mimetype=mimetype, as_attachment=True, download_name=name,
                     conditional=True, max_age=0)


@api.get("/jobs/<job_id>/documents")
def job_documents(job_id: str):
    """A done job's documents (.docx, .odt, .pptx, .html) in their own format, zipped under
    their paths in the archive; 409 before, 404 for a job that had none."""
    path, name = batch_jobs.documents_file(service().jobs, _visible_job(job_id))
    return send_file(path, mimetype="application/zip", as_attachment=True, download_name=name,
                     conditional=True, max_age=0)


@api.get("/jobs/<job_id>/failures")
def job_failures(job_id: str):
    """The failed articles of a done job, one JSON object per line (empty when none)."""
    store = service().jobs
    job = _visible_job(job_id)
    path = batch_jobs.failures_file(store, job)
    if path is None:
        return Response(b"", mimetype="application/x-ndjson")
    return send_file(path, mimetype="application/x-ndjson", as_attachment=True,
                     download_name=f"{job.label}.failures.jsonl", conditional=True, max_age=0)


@api.delete("/jobs/<job_id>")
def delete_job(job_id: str):
    """Cancel the job if it runs and remove it with its files."""
    svc = service()
    _visible_job(job_id)
    svc.jobs.delete(job_id)
    svc.runner.cancel(job_id)
    return Response(status=204)
