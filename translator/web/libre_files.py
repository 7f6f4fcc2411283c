"""LibreTranslate's document endpoints: ``POST /translate_file`` and ``GET /download_file``.

The upload is translated in its own format (:mod:`translator.documents`) and kept for
download (:mod:`.files`); the answer is ``{"translatedFileUrl": ...}`` as LibreTranslate's.
"""

from __future__ import annotations

from flask import g, request, send_file, url_for

from ..documents import translate_document
from ..errors import TranslatorError
from .document_upload import document_translator
from .errors import InvalidApiKey, MissingField
from .files import DocumentFiles
from .libre import libre, service
from .security import access, request_key
from .validation import AUTO, language_field

class FilesDisabled(TranslatorError):
    code = "files_disabled"
    http_status = 403


def document_files(svc) -> DocumentFiles:
    return DocumentFiles(svc.settings.files_dir, svc.settings.files_keep_hours)


def _check_enabled(svc) -> None:
    if not svc.settings.files_translation:
        raise FilesDisabled("Files translation are disabled on this server.")


@libre.post("/translate_file")
def translate_file():
    svc = service()
    _check_enabled(svc)
    upload = request.files.get("file")
    if upload is None:
        raise MissingField("Invalid request: missing file parameter", field="file")
    if not upload.filename:
        raise MissingField("Invalid request: empty file", field="file")
    source = language_field(request.form.get("source") or AUTO, "source", allow_auto=True)
    if not request.form.get("target"):
        raise MissingField("Invalid request: missing target parameter", field="target")
    target = language_field(request.form["target"], "target")
    translated = translate_document(upload.filename, upload.read(),
                                    document_translator(svc, source, target))
    name = document_files(svc).save(translated.data, upload.filename, access().desk)
    return {"translatedFileUrl": url_for("libre.download_file", filename=name, _external=True)}


@libre.get("/download_file/<filename>")
def download_file(filename: str):
    """The translated file: its name is the capability, as in LibreTranslate, whose clients
    download without a key; a key that is sent must be of the file's desk (or an admin's),
    else the file is not found."""
    svc = service()
    _check_enabled(svc)
    files = document_files(svc)
    path = files.path(filename, _downloader(svc))
    return send_file(path, as_attachment=True, download_name=files.download_name(filename))


def _downloader(svc):
    """Who downloads, when a key is sent (a header, or ``api_key`` in the query string: a GET
    has no body to look in); None for a download by capability alone."""
    key = request_key() or request.args.get("api_key")
    if not key:
        return None
    g.api_key = svc.store.keys.check(key)
    if g.api_key is None:
        raise InvalidApiKey("the API key is not valid (unknown or revoked)")
    return access()
