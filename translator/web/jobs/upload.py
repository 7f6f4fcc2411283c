"""Receiving a job (``POST /v1/jobs``): the upload streamed to disk, its fields checked
and the archive placed under a safe name, then the job published, queued."""

from __future__ import annotations

import os
import re
import secrets
import shutil
from pathlib import Path

from flask import request
from werkzeug.datastructures import MultiDict
from werkzeug.formparser import FormDataParser
from werkzeug.http import parse_options_header

from ...archive import ARCHIVE_SUFFIXES, open_archive
from ...batch import FORMATS
from ...errors import BadArchive, InputError, InvalidEncoding, UnsupportedPair
from ...store.db import OPERATOR, Access, StoreError
from ..errors import InvalidField, MissingField, UnknownField
from ..validation import AUTO, language_field, part_name
from .store import Job, JobStore, stamp

FIELDS = ("target", "source", "glossary", "format", "filename")
RAW_TYPES = ("application/zip", "application/x-zip-compressed", "application/gzip",
             "application/x-gzip", "application/x-tar+gzip", "application/x-gtar",
             "application/x-compressed-tar", "application/x-tgz", "application/octet-stream")
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
GZIP_MAGIC = b"\x1f\x8b"


class UnsupportedMediaType(InputError):
    code = "unsupported_media_type"
    http_status = 415


def submit(service, access: Access = OPERATOR) -> Job:
    """Receive ``POST /v1/jobs`` (multipart with an ``archive`` file, or the archive as the
    body with fields as query parameters), validate it and publish the job of ``access``'s
    desk, queued."""
    store: JobStore = service.jobs
    request.max_content_length = service.settings.max_upload_bytes
    multipart = request.mimetype == "multipart/form-data"
    if not multipart and request.mimetype not in RAW_TYPES:
        raise UnsupportedMediaType(
            "send the archive as multipart/form-data (file field 'archive') or as the body "
            f"with Content-Type application/zip or application/gzip, not "
            f"{request.mimetype or 'no Content-Type'}", content_type=request.mimetype)
    fields = request.args.to_dict()
    # A raw body's fields are all in the URL: refuse bad ones before reading the body.
    params = None if multipart else job_params(fields, service, access)
    incoming = store.incoming()
    try:
        if multipart:
            form, upload, upload_name = _receive_multipart(incoming)
            fields.update(form)
            params = job_params(fields, service, access)
        else:
            upload, upload_name = _receive_raw(incoming), _disposition_filename()
        name, size = _place_archive(incoming, upload, fields.get("filename") or upload_name)
        job = Job(id=secrets.token_hex(8), created=stamp(), filename=name, size=size,
                  desk=access.desk, **params)
        return store.publish(incoming, job)
    except OSError as exc:  # disk full, permissions: the server's problem, not the client's
        shutil.rmtree(incoming, ignore_errors=True)
        raise StoreError(f"cannot store the upload: {exc.strerror or exc}") from None
    except BaseException:
        shutil.rmtree(incoming, ignore_errors=True)
        raise


def job_params(fields: dict, service, access: Access = OPERATOR) -> dict:
    """target, source, glossary, format of a job, checked like ``/v1/translate`` checks them."""
    unknown = sorted(set(fields) - set(FIELDS))
    if unknown:
        raise UnknownField(f"unknown field {unknown[0]!r}; fields: {', '.join(FIELDS)}",
                           field=unknown[0])
    if not fields.get("target"):
        raise MissingField("field 'target' is required", field="target")
    target = language_field(fields["target"], "target")
    source = language_field(fields.get("source", AUTO), "source", allow_auto=True)
    check_route(service.pipeline, source, target)
    # desk/name: the runner finds the desk's glossary (an unknown name is refused now)
    glossary = service.glossary_reference(fields.get("glossary") or None, access)
    fmt = fields.get("format") or "jsonl"
    if fmt not in FORMATS:
        raise InvalidField(f"field 'format' must be one of {', '.join(FORMATS)}", field="format")
    return {"target": target, "source": source, "glossary": glossary, "format": fmt}


def check_route(pipeline, source: str, target: str) -> None:
    """Refuse a pair no route serves (with ``auto``: a target nothing translates to)."""
    if source == target:
        return
    if source != AUTO:
        pipeline.route(source, target)
    elif not pipeline.router.sources(target):
        raise UnsupportedPair(f"nothing can be translated to {target}; languages: "
                              f"{', '.join(pipeline.languages()) or 'none'}",
                              source=source, target=target)


def _receive_multipart(incoming: Path) -> tuple[dict, Path, str | None]:
    """Stream the form's files into ``incoming``; (text fields, the archive part, its name)."""
    parts: list = []

    def stream_factory(total_content_length, content_type, filename, content_length=None):
        handle = open(incoming / f"part-{len(parts)}", "wb+")
        parts.append(handle)
        return handle

    parser = FormDataParser(stream_factory=stream_factory, max_form_memory_size=64 * 1024,
                            max_form_parts=100, silent=False)
    try:
        _, form, files = parser.parse(request.stream, request.mimetype, request.content_length,
                                      request.mimetype_params)
    except UnicodeDecodeError as exc:  # a part's headers (werkzeug would drop the form)
        field = part_name(exc.object)
        raise InvalidEncoding(f"the headers of form field {field!r} (its name or file name) "
                              "are not UTF-8", field=field) from None
    except ValueError:  # a malformed form: no fields, as werkzeug's silent parser gives
        form, files = MultiDict(), MultiDict()
    finally:
        for handle in parts:
            handle.close()
    if None in form or None in files:  # werkzeug keys a part without a name None
        raise UnknownField("a part of the form has no name; give each part one "
                           "(Content-Disposition: form-data; name=...)", field="")
    others = sorted(set(files) - {"archive"})
    if others:
        raise UnknownField(f"unknown file field {others[0]!r}; send the archive as 'archive'",
                           field=others[0])
    uploads = files.getlist("archive")
    if not uploads:
        raise MissingField("file field 'archive' is required (a .zip or .tar.gz)", field="archive")
    if len(uploads) > 1:
        raise InvalidField("send one archive per job", field="archive")
    return form.to_dict(), Path(uploads[0].stream.name), uploads[0].filename


def _receive_raw(incoming: Path) -> Path:
    """Stream the request body into ``incoming`` (its size bounded by max_content_length)."""
    path = incoming / "body"
    with open(path, "wb") as out:
        shutil.copyfileobj(request.stream, out, 1024 * 1024)
    return path


def _disposition_filename() -> str | None:
    """The archive's name from a raw body's Content-Disposition header, if any."""
    _, options = parse_options_header(request.headers.get("Content-Disposition", ""))
    return options.get("filename")


def _place_archive(incoming: Path, upload: Path, raw_name: str | None) -> tuple[str, int]:
    """Check the upload is a readable archive; move it to ``input/`` under a safe name
    ending in the suffix its content calls for. Returns (name, size)."""
    size = upload.stat().st_size
    if size == 0:
        raise BadArchive("the upload is empty; send a .zip or .tar.gz archive", field="archive")
    with open(upload, "rb") as handle:
        magic = handle.read(4)
    if magic.startswith(ZIP_MAGIC):
        kind = ".zip"
    elif magic.startswith(GZIP_MAGIC):
        kind = ".tar.gz"
    else:
        raise BadArchive("the upload is not a .zip or .tar.gz archive", field="archive")
    name = archive_name(raw_name, kind)
    (incoming / "input").mkdir()
    path = incoming / "input" / name
    os.rename(upload, path)
    with open_archive(path, label=name) as archive:
        if not any(True for _ in archive.members()):
            raise BadArchive(f"{name}: the archive holds no files", field="archive")
    return name, size


_UNSAFE_NAME = re.compile(r"[^\w.\-]+")


def archive_name(raw: str | None, kind: str) -> str:
    """A safe file name for the upload (no folders, no odd characters) ending in ``kind``,
    or in .tgz when a gzip upload was named so."""
    base = re.split(r"[\\/]", raw or "")[-1]
    base = _UNSAFE_NAME.sub("_", base).strip("._")[:100]
    lower = base.lower()
    if kind == ".tar.gz" and lower.endswith((".tar.gz", ".tgz")):
        return base
    if kind == ".zip" and lower.endswith(".zip"):
        return base
    for suffix in ARCHIVE_SUFFIXES:
        if lower.endswith(suffix):
            base = base[:-len(suffix)]
            break
    return (base or "upload") + kind
