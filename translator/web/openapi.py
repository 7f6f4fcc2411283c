"""The OpenAPI 3.1 document of the service, served at ``/v1/openapi.json``.

Schemas are JSON Schema 2020-12 (OpenAPI 3.1). The request schemas are also what the
service checks request bodies against (:mod:`.bodies`): what a body may hold is stated
here once, and the limits it states (inline terms, alternatives, pairs) are declared
below for the code that needs them too. Tests validate real responses against the
response schemas.
"""

from __future__ import annotations

from .. import __version__
from ..alignment.api import MT_MODES
from ..documents import FORMATS as DOCUMENT_TYPES
from ..formats import registry
from ..glossary.model import TYPES as ENTRY_TYPES

JSON = "application/json"
REF = "#/components/schemas/"

#: inline terms one /v1/translate request may carry
MAX_INLINE_TERMS = 1000
#: most alternatives one LibreTranslate request may ask for (its --alternatives-limit)
MAX_ALTERNATIVES = 10
#: pairs one POST /align/memory may add (a long report has a few hundred sentences)
MAX_PAIRS = 5000
#: characters of a document's name on the alignment page
MAX_NAME = 200


def _formats(subject: str) -> list[str]:
    return list(registry.names(subject, web=True))


def _content(subject: str, json_schema: dict | None = None) -> dict:
    """The media types of ``subject``'s formats, JSON with ``json_schema``, the others text."""
    return {f.media_type: {"schema": json_schema} if f.name == "json" and json_schema else
            {"schema": {"type": "string", "description": f"{f.name}: {f.description}"}}
            for f in map(registry.FORMATS.get, registry.names(subject, web=True))}


def _ref(name: str) -> dict:
    return {"$ref": REF + name}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {JSON: {"schema": schema}}}


def _errors(*statuses: int) -> dict:
    text = {400: "Bad input (malformed JSON, wrong type, unknown language or field)",
            401: "API key required", 403: "Invalid API key or cross-site request",
            404: "Not found", 406: "No acceptable format",
            409: "Conflict (the job has no result yet)", 413: "Request or text too large",
            415: "Unsupported Content-Type",
            422: "Unsupported language pair or undetectable language", 429: "Rate limit exceeded",
            503: "Engine failure or models not loaded"}
    return {str(s): _json(_ref("Error"), text[s]) for s in statuses}


def _libre_errors(*statuses: int) -> dict:
    return {str(s): _json(_ref("LibreError"), "Error (LibreTranslate shape)") for s in statuses}


SPAN = {"type": "array", "items": {"type": "integer", "minimum": 0}, "minItems": 2, "maxItems": 2}
STRINGS = {"type": "array", "items": {"type": "string"}}
CONFIDENCE = {"type": ["number", "null"], "minimum": 0, "maximum": 1,
              "description": "how far to trust it, 0 to 1 (docs/api.md#confidence); null when unrated"}

# Whitespace as Python's str.strip() and the server see it, spelt out: ECMA's \s (the
# document's dialect) leaves out U+001C-U+001F and U+0085 and takes in U+FEFF, so a
# pattern written with \s would mean one thing to the server and another to a client.
SPACE = ("\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029"
         "\\u202f\\u205f\\u3000")
# A text to translate: not blank. Detecting its language also needs a letter (roughly: a
# character other than spaces, ASCII digits and ASCII punctuation; 422
# undetectable_language otherwise).
TEXT = {"type": "string", "minLength": 1, "pattern": f"[^{SPACE}]"}
LETTER = f"[^{SPACE}0-9!-/:-@\\[-`{{-~]"
DETECTABLE = {"type": "string", "minLength": 1, "pattern": LETTER}
AUTO_SOURCE = f"^[{SPACE}]*([Aa][Uu][Tt][Oo])?[{SPACE}]*$"
TEXTS = {"oneOf": [TEXT, {"type": "array", "items": TEXT, "minItems": 1}]}
# LibreTranslate reads a parameter that is null or empty as absent (its default).
NULLABLE = {"type": ["string", "null"]}
# ``alternatives`` as LibreTranslate reads it, int(value): an integer, or its digits in a
# string (a form sends nothing else); negative counts as none, empty or blank as absent.
_COUNTS = "|".join(str(n) for n in range(MAX_ALTERNATIVES, -1, -1))
ALTERNATIVES = {"type": ["integer", "string", "null"], "maximum": MAX_ALTERNATIVES,
                "pattern": f"^[{SPACE}]*(-[0-9]+|\\+?0*({_COUNTS}))?[{SPACE}]*$",
                "title": f"an integer, at most {MAX_ALTERNATIVES}",
                "description": "as a number or its digits; negative counts as 0, empty as absent"}
# A glossary entry, as GET /v1/glossaries/NAME returns it and PUT takes it back.
ENTRY_PROPERTIES = {
    "id": {"type": "string", "description": "default: NAME-index"},
    "type": {"enum": list(ENTRY_TYPES), "default": "other"},
    "terms": {"type": "object", "minProperties": 1,
              "description": "language code: [preferred term, variants...]",
              "additionalProperties": {"type": "array", "items": {"type": "string"}, "minItems": 1}},
    "note": {"type": "string"}, "dnt": {"type": "boolean", "default": False,
                                       "description": "do not translate"}}


def _detected_when_auto(language: str, *texts: str) -> dict:
    """``if`` the ``language`` field is absent or auto, ``then`` ``texts`` need a letter."""
    return {"if": {"anyOf": [{"not": {"required": [language]}},
                             {"properties": {language: {"type": "string", "pattern": AUTO_SOURCE}}}]},
            "then": {"properties": {text: {"oneOf": [DETECTABLE, {"type": "array", "items": DETECTABLE}]}
                                    for text in texts}}}


SCHEMAS: dict[str, dict] = {
    "Error": {
        "type": "object", "required": ["error"], "additionalProperties": False,
        "properties": {"error": {
            "type": "object", "required": ["code", "message"], "additionalProperties": False,
            "properties": {"code": {"type": "string", "pattern": "^[a-z0-9_]+$"},
                           "message": {"type": "string", "minLength": 1},
                           "details": {"type": "object"}}}},
    },
    "Term": {
        "type": "object", "description": "A glossary term applied to a segment; spans are "
        "relative to the segment's source and target text.",
        "required": ["source", "target"],
        "properties": {"source": {"type": "string"}, "target": {"type": "string"},
                       "source_span": SPAN, "target_span": SPAN},
    },
    "Untranslated": {
        "type": "object", "additionalProperties": False,
        "description": "A word an engine left untranslated; its span is relative to the "
        "segment's target. `step` is the step of the route that left it; `language` is the "
        "word's language: that step's source, or its target for a generation error.",
        "required": ["word", "target_span", "kind", "step", "language"],
        "properties": {"word": {"type": "string", "minLength": 1}, "target_span": SPAN,
                       "kind": {"enum": ["unknown", "generation", "transfer"]},
                       "step": {"type": "integer", "minimum": 0},
                       "language": {"type": "string"}},
    },
    "Quality": {
        "type": "object", "additionalProperties": False,
        "description": "The document's confidence: mean over segments weighted by length, the "
        "lowest, words left untranslated, and the least trusted segments (indexes, worst first).",
        "required": ["confidence", "min_confidence", "untranslated", "review_first"],
        "properties": {"confidence": CONFIDENCE, "min_confidence": CONFIDENCE,
                       "untranslated": {"type": "integer", "minimum": 0},
                       "review_first": {"type": "array", "items": {"type": "integer", "minimum": 0}}},
    },
    "Segment": {
        "type": "object", "additionalProperties": False,
        "required": ["index", "paragraph", "source", "target", "source_span", "target_span",
                     "source_lang", "origin", "terms", "warnings", "untranslated", "confidence"],
        "properties": {
            "index": {"type": "integer", "minimum": 0},
            "paragraph": {"type": "integer", "minimum": 0},
            "source": {"type": "string"}, "target": {"type": "string"},
            "source_span": SPAN, "target_span": SPAN,
            "source_lang": {"type": "string"},
            "origin": {"enum": ["engine", "memory", "passthrough", "edited", "reviewed"]},
            "terms": {"type": "array", "items": _ref("Term")},
            "warnings": STRINGS,
            "untranslated": {"type": "array", "items": _ref("Untranslated")},
            "confidence": CONFIDENCE,
        },
    },
    "Alternative": {
        "type": "object", "required": ["language", "confidence"],
        "properties": {"language": {"type": "string"},
                       "confidence": {"type": "number", "minimum": 0, "maximum": 1}},
    },
    "Detection": {
        "type": "object", "required": ["language", "name", "confidence", "alternatives"],
        "properties": {"language": {"type": "string"}, "name": {"type": "string"},
                       "confidence": {"type": "number", "minimum": 0, "maximum": 1},
                       "alternatives": {"type": "array", "items": _ref("Alternative")},
                       "note": {"type": "string"}},
    },
    "DetectResponse": {"allOf": [_ref("Detection"), {
        "type": "object", "required": ["routable"],
        "properties": {"routable": {"type": "boolean",
                                    "description": "a translation route from this language exists"}}}]},
    "Step": {
        "type": "object", "required": ["engine", "model", "source", "target"],
        "properties": {"engine": {"type": "string"}, "model": {"type": "string"},
                       "source": {"type": "string"}, "target": {"type": "string"}},
    },
    "Route": {
        "type": "object", "required": ["source", "target", "pivots", "steps"],
        "properties": {"source": {"type": "string"}, "target": {"type": "string"},
                       "pivots": STRINGS, "steps": {"type": "array", "items": _ref("Step")}},
    },
    "TranslationResult": {
        "type": "object", "additionalProperties": False,
        "required": ["source_lang", "target_lang", "detection", "route", "source_text",
                     "target_text", "segments", "quality", "warnings", "timings", "signature"],
        "properties": {
            "source_lang": {"type": "string"}, "target_lang": {"type": "string"},
            "detection": {"oneOf": [_ref("Detection"), {"type": "null"}]},
            "route": _ref("Route"),
            "source_text": {"type": "string"}, "target_text": {"type": "string"},
            "segments": {"type": "array", "items": _ref("Segment"), "minItems": 1},
            "quality": _ref("Quality"),
            "warnings": STRINGS,
            "timings": {"type": "object", "additionalProperties": {"type": "number"}},
            "signature": {"type": "object", "required": ["translator", "models"]},
        },
    },
    "TranslateRequest": {
        "type": "object", "additionalProperties": False, "required": ["text", "target"],
        **_detected_when_auto("source", "text"),
        "properties": {
            "text": {**TEXTS,
                     "description": "one document, or a list translated together; with source "
                                    "auto, each needs a letter to detect its language"},
            "source": {"type": "string", "default": "auto",
                       "description": "language code, or auto to detect"},
            "target": {"type": "string", "minLength": 1,
                       "description": "language code (fr, en, vi, fra, fr-FR...)"},
            "format": {"enum": _formats("result"), "default": "json",
                       "description": "also ?format= or the Accept header"},
            "glossary": {"type": "string",
                         "description": "a stored glossary applied over the default one, or none"},
            "terms": {"type": "array", "maxItems": MAX_INLINE_TERMS,
                      "description": "inline terms, applied over the glossaries",
                      "items": {"type": "object", "additionalProperties": False,
                                "required": ["source", "target"],
                                "properties": {"source": {"type": "string", "minLength": 1},
                                               "target": {"type": "string", "minLength": 1}}}},
        },
    },
    "GlossaryInfo": {
        "type": "object", "required": ["name", "entries", "languages", "updated"],
        "properties": {"name": {"type": "string"}, "desk": {"type": "string"},
                       "entries": {"type": "integer"},
                       "languages": {"type": "array", "items": {"type": "string"}},
                       "updated": {"type": "string"}, "source": {"type": "string"},
                       "warnings": {"type": "array", "items": {"type": "string"}}}},
    "GlossaryList": {
        "type": "object", "required": ["glossaries", "default"],
        "properties": {"glossaries": {"type": "array", "items": _ref("GlossaryInfo")},
                       "default": {"oneOf": [{"type": "null"}, {"type": "object"}]}}},
    "GlossaryEntries": {
        "type": "object", "required": ["name", "entries"],
        "properties": {"name": {"type": "string"}, "entries": {"type": "array", "items": {
            "type": "object", "required": ["id", "terms"], "properties": ENTRY_PROPERTIES}}}},
    "GlossaryUpload": {
        "type": "object", "additionalProperties": False, "required": ["entries"],
        "properties": {"entries": {"type": "array", "description": "entries as GET returns them",
                                   "items": {"type": "object", "additionalProperties": False,
                                             "required": ["terms"], "properties": ENTRY_PROPERTIES}}}},
    "TranslateResponse": {"oneOf": [_ref("TranslationResult"), {
        "type": "object", "required": ["results"], "additionalProperties": False,
        "properties": {"results": {"type": "array", "items": _ref("TranslationResult")}}}]},
    "AlignRequest": {
        "type": "object", "additionalProperties": False, "required": ["source_text", "target_text"],
        "properties": {
            "source_text": {**TEXT, "description": "the original"},
            "target_text": {**TEXT, "description": "its existing translation"},
            "source": {"type": "string", "default": "auto"},
            "target": {"type": "string", "default": "auto"},
            "mt": {"enum": list(MT_MODES), "default": "auto",
                   "description": "compare with a machine translation: when a route exists, always, never"},
            "format": {"enum": _formats("alignment"), "default": "json"},
        },
    },
    "Bead": {
        "type": "object",
        "required": ["index", "type", "source", "target", "source_span", "target_span",
                     "source_text", "target_text", "score", "low_confidence"],
        "properties": {"type": {"type": "string", "description": "1-1, 1-2, 2-1, 1-0, 0-1"},
                       "source": {"type": "array", "items": {"type": "integer"}},
                       "target": {"type": "array", "items": {"type": "integer"}},
                       "source_span": {"oneOf": [SPAN, {"type": "null"}]},
                       "target_span": {"oneOf": [SPAN, {"type": "null"}]},
                       "score": {"type": "number"}, "low_confidence": {"type": "boolean"}},
    },
    "Alignment": {
        "type": "object",
        "required": ["source_lang", "target_lang", "source_text", "target_text", "source_sentences",
                     "target_sentences", "beads", "summary", "warnings"],
        "properties": {"beads": {"type": "array", "items": _ref("Bead")},
                       "summary": {"type": "object"}, "warnings": STRINGS},
    },
    "DetectRequest": {
        "type": "object", "additionalProperties": False, "required": ["text"],
        "properties": {"text": {**DETECTABLE, "description": "needs a letter"},
                       "target": {"type": "string", "minLength": 1,
                                  "description": "only languages that can be translated to it"},
                       "routable": {"type": "boolean", "default": True,
                                    "description": "only languages that have a route"}},
    },
    "Languages": {
        "type": "object", "required": ["languages", "pairs", "engines"],
        "properties": {
            "languages": {"type": "array", "items": {
                "type": "object", "required": ["code", "name", "targets"],
                "properties": {"code": {"type": "string"}, "name": {"type": "string"},
                               "targets": STRINGS}}},
            "pairs": {"type": "array", "items": _ref("Route")},
            "engines": {"type": "array", "items": {
                "type": "object", "required": ["name", "engine", "pairs"],
                "not": {"required": ["path"]}}},
        },
    },
    "Health": {"type": "object", "required": ["status", "version"],
               "properties": {"status": {"const": "ok"}, "version": {"type": "string"}}},
    "Ready": {"type": "object", "required": ["status", "version", "models", "checks"],
              "properties": {"status": {"const": "ready"}, "version": {"type": "string"},
                             "models": {"type": "array", "items": {
                                 "type": "object", "required": ["name", "engine", "loaded"],
                                 "properties": {"loaded": {"const": True}}}},
                             "checks": {"type": "array", "description": "the last check of each "
                                        "engine step: a test sentence translated",
                                        "items": _ref("StepCheck")},
                             "checked": {"type": "string", "format": "date-time"}}},
    "StepCheck": {"type": "object", "required": ["engine", "model", "step", "ok", "routes"],
                  "properties": {"engine": {"type": "string"}, "model": {"type": "string"},
                                 "step": {"type": "string", "description": "source-target"},
                                 "ok": {"type": "boolean"}, "routes": STRINGS,
                                 "error": {"type": "string"}}},
    "SegmentUpdate": {
        "type": "object", "additionalProperties": False, "required": ["target"],
        "properties": {"target": {"type": "string"}, "reviewed": {"type": "boolean", "default": True}},
    },
    "SegmentSaved": {
        "type": "object", "required": ["segment", "reviewed", "progress"],
        "properties": {"segment": _ref("Segment"), "reviewed": {"type": "boolean"},
                       "propagated": {"type": "array", "items": {"type": "integer"},
                                      "description": "repeats of the segment given its text"},
                       "repeats": {"type": "array", "description": "those repeats as they now are",
                                   "items": {"type": "object", "required": ["index", "reviewed", "segment"],
                                             "properties": {"index": {"type": "integer"},
                                                            "reviewed": {"type": "boolean"},
                                                            "segment": _ref("Segment")}}},
                       "progress": {"type": "object", "required": ["reviewed", "total"]}},
    },
    "MemoryMatches": {
        "type": "object", "required": ["segment", "source", "matches"],
        "properties": {"segment": {"type": "integer"}, "source": {"type": "string"},
                       "matches": {"type": "array", "items": {
                           "type": "object",
                           "required": ["source", "target", "similarity", "diff", "desk",
                                        "document_id", "created_by", "updated_at"],
                           "properties": {
                               "id": {"type": "integer"},
                               "source": {"type": "string"}, "target": {"type": "string"},
                               "similarity": {"type": "integer", "minimum": 0, "maximum": 100},
                               "diff": {"type": "array", "items": {"type": "array", "items": {"type": "string"}},
                                        "description": "[equal|delete|insert, text]: delete is only in the segment, insert only in the match"},
                               "desk": {"type": "string"},
                               "document_id": {"type": ["string", "null"]},
                               "document_title": {"type": ["string", "null"]},
                               "created_by": {"type": ["string", "null"]},
                               "updated_at": {"type": "string"}}}}},
    },
    "LibreTranslateRequest": {
        "type": "object", "required": ["q", "target"],
        "properties": {"q": {**TEXTS, "description": "text without letters comes back as it is"},
                       "source": {**NULLABLE, "default": "auto"},
                       "target": {"type": "string", "minLength": 1},
                       "format": {"enum": ["text", "html", "", None], "default": "text"},
                       "alternatives": ALTERNATIVES,
                       "api_key": NULLABLE},
    },
    "LibreDetectRequest": {
        "type": "object", "required": ["q"],
        "properties": {"q": {**TEXTS, "description": "a text (of a list, every item weighs)"},
                       "api_key": NULLABLE}},
    "DocumentUpload": {
        "type": "object", "required": ["file", "target"],
        "properties": {"file": {"type": "string", "contentMediaType": "application/octet-stream",
                                "description": ".txt, .html, .htm, .docx, .odt or .pptx"},
                       "target": {"type": "string", "minLength": 1},
                       "source": {"type": "string", "default": "auto"},
                       "format": {"enum": ["document", *_formats("results")],
                                  "default": "document"},
                       "glossary": {"type": "string"}}},
    "LibreSuggestRequest": {
        "type": "object", "required": ["q", "s", "source", "target"],
        "properties": {"q": TEXT, "s": TEXT, "source": {"type": "string", "minLength": 1},
                       "target": {"type": "string", "minLength": 1}, "api_key": NULLABLE}},
    "LibreFileRequest": {
        "type": "object", "required": ["file", "target"],
        "properties": {"file": {"type": "string", "contentMediaType": "application/octet-stream",
                                "description": ".txt, .html, .htm, .docx, .odt or .pptx"},
                       "source": {"type": "string", "default": "auto"},
                       "target": {"type": "string", "minLength": 1}, "api_key": {"type": "string"}}},
    "LibreDetected": {"type": "object", "required": ["confidence", "language"],
                      "properties": {"confidence": {"type": "number", "minimum": 0, "maximum": 100},
                                     "language": {"type": "string"}}},
    "LibreTranslateResponse": {
        "type": "object", "required": ["translatedText"],
        "properties": {"translatedText": {"oneOf": [{"type": "string"}, STRINGS]},
                       "detectedLanguage": {"oneOf": [_ref("LibreDetected"),
                                                      {"type": "array", "items": _ref("LibreDetected")}]},
                       "alternatives": {"type": "array"}},
    },
    "LibreDetectResponse": {"type": "array", "items": _ref("LibreDetected"), "minItems": 1},
    "LibreLanguages": {"type": "array", "items": {
        "type": "object", "required": ["code", "name", "targets"],
        "properties": {"code": {"type": "string"}, "name": {"type": "string"}, "targets": STRINGS}}},
    "JobCounts": {
        "type": "object", "additionalProperties": False,
        "required": ["total", "done", "failed", "pending", "sentences"],
        "properties": {name: {"type": "integer", "minimum": 0}
                       for name in ("total", "done", "failed", "pending", "sentences")}},
    "JobFailure": {
        "type": "object", "required": ["id", "input", "error"],
        "properties": {"id": {"type": "string", "description": "archive:member, e.g. news.zip:2024/a.txt"},
                       "input": {"type": "string"},
                       "error": {"type": "object", "required": ["code", "message"],
                                 "properties": {"code": {"type": "string"},
                                                "message": {"type": "string"}}},
                       "attempts": {"type": "integer"}}},
    "Job": {
        "type": "object", "additionalProperties": False,
        "required": ["id", "state", "created", "started", "finished", "target", "source", "glossary",
                     "format", "filename", "size", "counts", "progress", "rate", "eta_seconds",
                     "failures", "error", "links"],
        "properties": {
            "id": {"type": "string", "pattern": "^[0-9a-f]{16}$"},
            "desk": {"type": "string", "description": "the desk that submitted it"},
            "state": {"enum": ["queued", "running", "done", "failed", "cancelled"],
                      "description": "done: every article translated or failed (see counts); "
                                     "failed: the job itself failed (see error)"},
            "created": {"type": "string", "format": "date-time"},
            "started": {"type": ["string", "null"], "format": "date-time"},
            "finished": {"type": ["string", "null"], "format": "date-time"},
            "target": {"type": "string"}, "source": {"type": "string"},
            "glossary": {"type": ["string", "null"]},
            "format": {"enum": _formats("batch")},
            "filename": {"type": "string", "description": "the uploaded archive's (sanitised) name"},
            "size": {"type": "integer", "description": "bytes uploaded"},
            "counts": _ref("JobCounts"),
            "documents": {"type": ["integer", "null"], "minimum": 0,
                          "description": "when done: the archive's documents (.docx, .odt, "
                                         ".pptx, .html) written back in their own format "
                                         "(links.documents); null for a job of plain texts"},
            "progress": {"type": "number", "minimum": 0, "maximum": 1},
            "rate": {"type": ["number", "null"], "description": "sentences per second (while running)"},
            "eta_seconds": {"type": ["number", "null"], "description": "while running, once measurable"},
            "failures": {"type": "array", "items": _ref("JobFailure"), "maxItems": 10,
                         "description": "the first failed articles"},
            "error": {"oneOf": [{"type": "null"}, {
                "type": "object", "required": ["code", "message"],
                "properties": {"code": {"type": "string"}, "message": {"type": "string"},
                               "details": {"type": "object"}}}]},
            "links": {"type": "object", "required": ["self", "result", "failures"],
                      "properties": {"documents": {"type": "string",
                                                   "description": "when documents were written"}},
                      "additionalProperties": {"type": "string"}},
        }},
    "JobList": {"type": "object", "required": ["jobs"], "additionalProperties": False,
                "properties": {"jobs": {"type": "array", "items": _ref("Job")}}},
    "JobFields": {
        "type": "object",
        "properties": {
            "target": {"type": "string", "description": "language code (required)"},
            "source": {"type": "string", "default": "auto"},
            "glossary": {"type": "string", "description": "a stored glossary over the default one, "
                                                          "or none; absent: the default glossary"},
            "format": {"enum": _formats("batch"), "default": "jsonl"},
            "filename": {"type": "string", "description": "the archive's name in article ids "
                                                          "(default: the uploaded file's)"},
        }},
    "AlignMemoryRequest": {
        "type": "object", "additionalProperties": False,
        "required": ["source_lang", "target_lang", "source_name", "target_name", "pairs"],
        "properties": {"source_lang": {"type": "string"}, "target_lang": {"type": "string"},
                       "source_name": {**TEXT, "maxLength": MAX_NAME},
                       "target_name": {**TEXT, "maxLength": MAX_NAME},
                       "pairs": {"type": "array", "minItems": 1, "maxItems": MAX_PAIRS,
                                 "items": {"type": "array", "minItems": 2, "maxItems": 2,
                                           "items": TEXT, "title": "[source, target]"}}}},
    "LibreError": {"type": "object", "required": ["error"],
                   "properties": {"error": {"type": "string", "minLength": 1},
                                  "code": {"type": "string"}}},
}

FORMATS_CONTENT = _content("result", _ref("TranslateResponse"))
DOCUMENT_CONTENT = {media.split(";")[0]: {"schema": {"type": "string", "format": "binary"}}
                    for media in DOCUMENT_TYPES.values() if not media.startswith("text/")}


def _format_query(subject: str) -> dict:
    """``?format=``: the body's ``format`` wins; any case (so no enum: a pattern with a
    case-insensitive group is not one every client's regex engine reads)."""
    names = _formats(subject)
    return {"name": "format", "in": "query", "required": False,
            "description": f"one of {', '.join(names)}, in any case (the body's format wins)",
            "schema": {"type": "string"}}


# ?format= of one stored glossary: what GET answers and what PUT reads (DELETE takes none)
GLOSSARY_FORMAT = {"name": "format", "in": "query", "required": False,
                   "schema": {"enum": _formats("glossary")}}
GLOSSARY_DESK = {"name": "desk", "in": "query", "required": False, "schema": {"type": "string"},
                 "description": "admins: the glossary of this desk (others: their own desk's)"}
GLOSSARY_REPLACE = {"name": "replace", "in": "query", "required": False,
                    "schema": {"type": "string"},
                    "description": "true, 1 or yes: replace a glossary of that name (else 409)"}


def _paths() -> dict:
    body = lambda name: {"required": True, "content": {JSON: {"schema": _ref(name)}}}  # noqa: E731
    form_or_json = lambda name: {"required": True, "content": {  # noqa: E731
        JSON: {"schema": _ref(name)}, "application/x-www-form-urlencoded": {"schema": _ref(name)}}}
    return {
        "/v1/translate": {"post": {
            "summary": "Translate one text or a list; the aligned result. Or a document (multipart "
                       "with a file): the document in its own format, or its aligned results",
            "parameters": [_format_query("result")],
            "requestBody": {"required": True, "content": {
                JSON: {"schema": _ref("TranslateRequest")},
                "multipart/form-data": {"schema": _ref("DocumentUpload")}}},
            "responses": {"200": {"description": "The aligned result in the requested format, or "
                                                 "the translated document",
                                  "content": FORMATS_CONTENT | DOCUMENT_CONTENT},
                          **_errors(400, 401, 403, 404, 406, 413, 422, 429, 503)}}},
        "/v1/align": {"post": {
            "summary": "Align an existing translation with its original, sentence by sentence",
            "parameters": [_format_query("alignment")],
            "requestBody": body("AlignRequest"),
            "responses": {"200": {"description": "Beads with scores",
                                  "content": _content("alignment", _ref("Alignment"))},
                          **_errors(400, 401, 403, 406, 413, 422, 429, 503)}}},
        "/v1/glossaries": {"get": {
            "summary": "Stored glossaries, and the default glossary applied to every translation",
            "responses": {"200": _json(_ref("GlossaryList"), "Glossaries"), **_errors(401, 403, 429)}}},
        "/v1/glossaries/{name}": {
            "parameters": [{"name": "name", "in": "path", "required": True, "schema": {"type": "string"}}],
            "get": {"summary": "One stored glossary: JSON entries or the TSV/CSV/TBX file",
                    "parameters": [GLOSSARY_FORMAT, GLOSSARY_DESK],
                    "responses": {"200": {"description": "The glossary",
                                          "content": _content("glossary", _ref("GlossaryEntries"))},
                        **_errors(400, 401, 403, 404, 429)}},
            "put": {"summary": "Create (201) or with ?replace=true replace (200) a glossary from a "
                               "TSV/CSV/TBX body or JSON entries",
                    "parameters": [GLOSSARY_FORMAT, GLOSSARY_REPLACE, GLOSSARY_DESK],
                    "requestBody": {"required": True, "content": {
                        JSON: {"schema": _ref("GlossaryUpload")},
                        "text/tab-separated-values": {"schema": {"type": "string"}},
                        "text/csv": {"schema": {"type": "string"}},
                        "application/x-tbx+xml": {"schema": {"type": "string"}}}},
                    "responses": {"200": _json(_ref("GlossaryInfo"), "Replaced"),
                                  "201": _json(_ref("GlossaryInfo"), "Created"),
                                  "409": _json(_ref("Error"), "Exists (use ?replace=true)"),
                                  **_errors(400, 401, 403, 413, 429)}},
            "delete": {"summary": "Delete a stored glossary",
                       "parameters": [GLOSSARY_DESK],
                       "responses": {"204": {"description": "Deleted"}, **_errors(401, 403, 404, 429)}}},
        **_job_paths(),
        "/v1/detect": {"post": {
            "summary": "Detect the language of a text",
            "requestBody": body("DetectRequest"),
            "responses": {"200": _json(_ref("DetectResponse"), "The detected language"),
                          **_errors(400, 401, 403, 413, 422, 429)}}},
        "/v1/languages": {"get": {
            "summary": "Languages, routable pairs and engines",
            "responses": {"200": _json(_ref("Languages"), "What this server translates"),
                          **_errors(401, 403, 429)}}},
        "/v1/openapi.json": {"get": {
            "summary": "This document",
            "responses": {"200": _json({"type": "object"}, "OpenAPI 3.1 document")}}},
        "/health": {"get": {"summary": "Liveness", "security": [],
                            "responses": {"200": _json(_ref("Health"), "The process answers")}}},
        "/health/ready": {"get": {"summary": "Readiness: every model loaded, every engine step "
                                             "translating (503 names the broken routes)",
                                  "security": [],
                                  "responses": {"200": _json(_ref("Ready"), "Ready"),
                                                **_errors(503)}}},
        "/review/{doc_id}/segments/{index}": {"put": {
            "summary": "Save a reviewed segment (review page); reviewed ones go to the memory",
            "parameters": [{"name": "doc_id", "in": "path", "required": True, "schema": {"type": "string"}},
                           {"name": "index", "in": "path", "required": True, "schema": {"type": "integer"}}],
            "requestBody": body("SegmentUpdate"),
            "responses": {"200": _json(_ref("SegmentSaved"), "Saved"), **_errors(400, 403, 404, 413)}},
            "delete": {
            "summary": "Restore the machine translation of a segment (review page): the edit and the review mark dropped",
            "parameters": [{"name": "doc_id", "in": "path", "required": True, "schema": {"type": "string"}},
                           {"name": "index", "in": "path", "required": True, "schema": {"type": "integer"}}],
            "responses": {"200": _json(_ref("SegmentSaved"), "Restored"), **_errors(403, 404)}}},
        "/v1/memory": {
            "get": {"summary": "Search the desk's translation memory (and the newsroom's): concordance (q) or fuzzy matches (match)",
                    "parameters": [{"name": n, "in": "query", "required": r, "schema": {"type": "string"}}
                                   for n, r in (("source", True), ("target", True), ("q", False), ("match", False))],
                    "responses": {"200": _json({"type": "object", "required": ["source", "target", "entries"],
                                                "properties": {"source": {"type": "string"}, "target": {"type": "string"},
                                                               "entries": {"type": "array", "items": {"type": "object"}}}},
                                               "Entries"), **_errors(400, 401, 403)}},
            "post": {"summary": "Import a TMX file (the body) into the desk's memory (into=newsroom: the newsroom's, memory writers only); all or nothing",
                     "parameters": [{"name": n, "in": "query", "required": False, "schema": {"type": "string"}}
                                    for n in ("into", "name")],
                     "requestBody": {"required": True, "content": {"application/x-tmx+xml": {"schema": {"type": "string"}}}},
                     "responses": {"200": _json({"type": "object", "required": ["stored", "skipped", "pairs"],
                                                 "properties": {"stored": {"type": "integer"}, "skipped": {"type": "integer"},
                                                                "pairs": {"type": "object"}}}, "Imported"),
                                   **_errors(400, 401, 403, 413)}}},
        "/v1/memory/export.tmx": {"get": {
            "summary": "The desk's memory as TMX 1.4b (from=newsroom: the newsroom's)",
            "parameters": [{"name": n, "in": "query", "required": False, "schema": {"type": "string"}}
                           for n in ("source", "target", "from")],
            "responses": {"200": {"description": "TMX", "content": {"application/x-tmx+xml": {"schema": {"type": "string"}}}},
                          **_errors(400, 401, 403)}}},
        "/align/memory": {"post": {
            "summary": "Add accepted pairs of the alignment page to the desk's translation memory, all or nothing (provenance align:SOURCE | TARGET)",
            "requestBody": body("AlignMemoryRequest"),
            "responses": {"200": _json({"type": "object", "required": ["stored", "desk", "source", "target"],
                                        "properties": {"stored": {"type": "integer"}, "desk": {"type": "string"},
                                                       "source": {"type": "string"}, "target": {"type": "string"}}},
                                       "Stored"), **_errors(400, 403, 413)}}},
        "/review/{doc_id}/concordance": {"get": {
            "summary": "Memory entries whose source or target holds a phrase, each with the side that matched (review page's concordance)",
            "parameters": [{"name": "doc_id", "in": "path", "required": True, "schema": {"type": "string"}},
                           {"name": "q", "in": "query", "required": True, "schema": {"type": "string", "maxLength": 500}}],
            "responses": {"200": _json({"type": "object", "required": ["q", "entries"],
                                        "properties": {"q": {"type": "string"},
                                                       "entries": {"type": "array", "items": {"type": "object"}}}},
                                       "Entries"), **_errors(400, 404)}}},
        "/review/{doc_id}/delete": {"post": {
            "summary": "Delete a review document and its edits (the start page's recent list); redirects to /",
            "parameters": [{"name": "doc_id", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {"303": {"description": "Deleted: back to the start page"}, **_errors(403, 404)}}},
        "/review/{doc_id}/segments/{index}/matches": {"get": {
            "summary": "Translation memory matches for a segment (review page): exact and fuzzy, with provenance",
            "parameters": [{"name": "doc_id", "in": "path", "required": True, "schema": {"type": "string"}},
                           {"name": "index", "in": "path", "required": True, "schema": {"type": "integer"}}],
            "responses": {"200": _json(_ref("MemoryMatches"), "Matches"), **_errors(404)}}},
        "/review/{doc_id}/export.{fmt}": {"get": {
            "summary": f"Download a reviewed document ({', '.join(_formats('result'))})",
            "parameters": [{"name": "doc_id", "in": "path", "required": True, "schema": {"type": "string"}},
                           {"name": "fmt", "in": "path", "required": True,
                            "schema": {"enum": _formats("result")}}],
            "responses": {"200": {"description": "The document as an attachment",
                                  "content": {k: v for k, v in FORMATS_CONTENT.items() if k != JSON}
                                  | {JSON: {"schema": _ref("TranslationResult")}}},
                          **_errors(400, 404)}}},
        "/translate": {"post": {
            "summary": "LibreTranslate-compatible translation",
            "requestBody": form_or_json("LibreTranslateRequest"),
            "responses": {"200": _json(_ref("LibreTranslateResponse"), "Translated text"),
                          **_libre_errors(400, 401, 403, 429, 503)}}},
        "/detect": {"post": {
            "summary": "LibreTranslate-compatible detection",
            "requestBody": form_or_json("LibreDetectRequest"),
            "responses": {"200": _json(_ref("LibreDetectResponse"), "Candidates, best first"),
                          **_libre_errors(400, 401, 403, 429)}}},
        "/languages": {method: {
            "summary": "LibreTranslate-compatible language list (no key needed)",
            "security": [],
            "responses": {"200": _json(_ref("LibreLanguages"), "Languages and their targets")}}
            for method in ("get", "post")},
        "/frontend/settings": {"get": {
            "summary": "LibreTranslate front-end settings (no key needed)",
            "security": [],
            "responses": {"200": _json({"type": "object", "required": ["charLimit"]}, "Settings")}}},
        "/suggest": {"post": {
            "summary": "LibreTranslate suggestion: a reviewed segment of the key's desk memory",
            "requestBody": form_or_json("LibreSuggestRequest"),
            "responses": {"200": _json({"type": "object", "required": ["success"]}, "Stored"),
                          **_libre_errors(400, 401, 403, 429)}}},
        "/spec": {"get": {
            "summary": "The LibreTranslate endpoints as a Swagger 2.0 document (no key needed)",
            "security": [],
            "responses": {"200": _json({"type": "object", "required": ["swagger", "paths"]},
                                       "Swagger 2.0")}}},
        "/translate_file": {"post": {
            "summary": "LibreTranslate file translation: the document in its own format",
            "requestBody": {"required": True, "content": {"multipart/form-data": {
                "schema": _ref("LibreFileRequest")}}},
            "responses": {"200": _json({"type": "object", "required": ["translatedFileUrl"],
                                        "properties": {"translatedFileUrl": {"type": "string"}}},
                                       "Where to download the translated document"),
                          **_libre_errors(400, 401, 403, 429, 503)}}},
        "/download_file/{filename}": {"get": {
            "summary": "A document translated by /translate_file (the URL is the key)",
            "security": [],
            "parameters": [{"name": "filename", "in": "path", "required": True,
                            "schema": {"type": "string"}}],
            "responses": {"200": {"description": "The document as an attachment",
                                  "content": {"application/octet-stream": {}}},
                          **_libre_errors(403, 404)}}},
    }


ARCHIVE = {"type": "string", "contentMediaType": "application/octet-stream",
           "description": "a .zip or .tar.gz of articles (.txt, .md, .html, .jsonl)"}
JOB_ID = {"name": "job_id", "in": "path", "required": True,
          "schema": {"type": "string", "pattern": "^[0-9a-f]{16}$"}}


def _job_paths() -> dict:
    """``/v1/jobs``: batch translation of uploaded archives."""
    query = [{"name": name, "in": "query", "required": False, "schema": {"type": "string"},
              "description": text} for name, text in (
        ("target", "the target language (or a form field)"), ("source", "or a form field"),
        ("glossary", "or a form field"), ("format", f"{', '.join(_formats('batch'))} (or a form field)"),
        ("filename", "the archive's name (default: the file's, or Content-Disposition)"))]
    raw = {media: {"schema": ARCHIVE} for media in
           ("application/zip", "application/gzip", "application/x-gzip", "application/x-tar+gzip",
            "application/octet-stream")}
    multipart = {"schema": {"allOf": [_ref("JobFields"), {
        "type": "object", "required": ["archive", "target"], "properties": {"archive": ARCHIVE}}]}}
    return {
        "/v1/jobs": {
            "post": {"summary": "Submit an archive of articles to translate in the background",
                     "parameters": query,
                     "requestBody": {"required": True,
                                     "content": {"multipart/form-data": multipart, **raw}},
                     "responses": {"202": _json(_ref("Job"), "Accepted, queued (Location: the job)"),
                                   **_errors(400, 401, 403, 404, 413, 415, 422, 429, 503)}},
            "get": {"summary": "Jobs, newest first",
                    "parameters": [{"name": "limit", "in": "query", "required": False,
                                    "schema": {"type": "integer", "minimum": 1, "maximum": 200,
                                               "default": 50}}],
                    "responses": {"200": _json(_ref("JobList"), "Jobs"), **_errors(400, 401, 403, 429)}}},
        "/v1/jobs/{job_id}": {
            "parameters": [JOB_ID],
            "get": {"summary": "A job's state, counts, rate, ETA and first failures",
                    "responses": {"200": _json(_ref("Job"), "The job"), **_errors(401, 403, 404, 429)}},
            "delete": {"summary": "Cancel the job if it runs and remove it with its files",
                       "responses": {"204": {"description": "Deleted"}, **_errors(401, 403, 404, 429)}}},
        "/v1/jobs/{job_id}/result": {"get": {
            "summary": "The translations of a done job",
            "parameters": [JOB_ID],
            "responses": {"200": {"description": "An attachment in the job's format",
                                  "content": _content("batch")},
                          **_errors(401, 403, 404, 409, 429)}}},
        "/v1/jobs/{job_id}/documents": {"get": {
            "summary": "A done job's documents in their own format, zipped under their paths in "
                       "the archive (404 documents_not_found for a job of plain texts)",
            "parameters": [JOB_ID],
            "responses": {"200": {"description": "A zip of the translated documents",
                                  "content": {"application/zip": {"schema": {
                                      "type": "string", "format": "binary"}}}},
                          **_errors(401, 403, 404, 409, 429)}}},
        "/v1/jobs/{job_id}/failures": {"get": {
            "summary": "The failed articles of a done job, one JSON object per line",
            "parameters": [JOB_ID],
            "responses": {"200": {"description": "JSON lines (JobFailure); empty when none failed",
                                  "content": {"application/x-ndjson": {"schema": {"type": "string"}}}},
                          **_errors(401, 403, 404, 409, 429)}}},
    }


def openapi_document() -> dict:
    """The OpenAPI document (a fresh dict each call)."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "newsroom-translator", "version": __version__,
                 "description": "Offline translation aligned with its source. "
                                "Errors share one shape: {\"error\": {\"code\", \"message\", \"details\"}}."},
        "paths": _paths(),
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"},
                                "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"}},
        },
        "security": [{}, {"bearer": []}, {"apiKey": []}],
    }
