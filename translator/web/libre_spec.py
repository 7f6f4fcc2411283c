"""``GET /spec``: the LibreTranslate API described as LibreTranslate describes it (Swagger 2.0).

Declared as data, one entry per endpoint; the richer ``/v1`` API has its own OpenAPI 3.1
document at ``/v1/openapi.json``.
"""

from __future__ import annotations

from .. import __version__

_TEXT = {"type": "string"}
_ERROR = {"description": "Error", "schema": {"$ref": "#/definitions/error-response"}}

#: path, method, summary, parameters (name, in, required, description), 200 schema
_ENDPOINTS = (
    ("/translate", "post", "Translate Text", (
        ("q", "formData", True, "Text(s) to translate (a string or, in JSON, a list)"),
        ("source", "formData", False, "Source language code, or auto (the default here)"),
        ("target", "formData", True, "Target language code"),
        ("format", "formData", False, "text (default) or html"),
        ("alternatives", "formData", False, "Alternative translations wanted (integer, <= 10)"),
        ("api_key", "formData", False, "API key"),
    ), {"$ref": "#/definitions/translate"}),
    ("/translate_file", "post", "Translate a File", (
        ("file", "formData", True, "The document: .txt, .html, .docx, .odt or .pptx"),
        ("source", "formData", False, "Source language code, or auto"),
        ("target", "formData", True, "Target language code"),
        ("api_key", "formData", False, "API key"),
    ), {"type": "object", "properties": {"translatedFileUrl": _TEXT}}),
    ("/detect", "post", "Detect the language of a single text", (
        ("q", "formData", True, "Text (or, in JSON, a list of texts weighed together)"),
        ("api_key", "formData", False, "API key"),
    ), {"type": "array", "items": {"$ref": "#/definitions/detection"}}),
    ("/languages", "get", "Retrieve list of supported languages", (),
     {"type": "array", "items": {"$ref": "#/definitions/language"}}),
    ("/frontend/settings", "get", "Retrieve frontend specific settings", (), {"type": "object"}),
    ("/suggest", "post", "Submit a suggestion to improve a translation", (
        ("q", "formData", True, "Original text"),
        ("s", "formData", True, "Suggested translation"),
        ("source", "formData", True, "Language of q"),
        ("target", "formData", True, "Language of s"),
        ("api_key", "formData", False, "API key"),
    ), {"type": "object", "properties": {"success": {"type": "boolean"}}}),
)

_DEFINITIONS = {
    "error-response": {"type": "object", "properties": {"error": _TEXT, "code": _TEXT}},
    "detection": {"type": "object", "properties": {
        "confidence": {"type": "number", "minimum": 0, "maximum": 100}, "language": _TEXT}},
    "language": {"type": "object", "properties": {
        "code": _TEXT, "name": _TEXT, "targets": {"type": "array", "items": _TEXT}}},
    "translate": {"type": "object", "properties": {
        "translatedText": _TEXT, "alternatives": {"type": "array", "items": _TEXT},
        "detectedLanguage": {"$ref": "#/definitions/detection"}}},
}


def _operation(summary: str, parameters, schema: dict) -> dict:
    operation = {
        "summary": summary,
        "parameters": [{"name": name, "in": where, "required": required, "description": text,
                        "type": "file" if name == "file" else "string"}
                       for name, where, required, text in parameters],
        "responses": {"200": {"description": "Success", "schema": schema}, "400": _ERROR,
                      "403": _ERROR, "429": _ERROR},
    }
    if any(name == "file" for name, *_ in parameters):
        operation["consumes"] = ["multipart/form-data"]
    return operation


def swagger_document(settings) -> dict:
    """The Swagger 2.0 document of the LibreTranslate-compatible endpoints."""
    paths: dict = {}
    for path, method, summary, parameters, schema in _ENDPOINTS:
        paths.setdefault(path, {})[method] = _operation(summary, parameters, schema)
    paths["/download_file/{filename}"] = {"get": {
        "summary": "Download a translated file",
        "parameters": [{"name": "filename", "in": "path", "required": True, "type": "string"}],
        "produces": ["application/octet-stream"],
        "responses": {"200": {"description": "The translated file"}, "404": _ERROR}}}
    return {"swagger": "2.0", "basePath": "/",
            "info": {"title": "LibreTranslate-compatible API of translator", "version": __version__,
                     "description": "Offline machine translation; see /v1/openapi.json for the "
                                    "aligned-result API."},
            "paths": paths, "definitions": _DEFINITIONS}
