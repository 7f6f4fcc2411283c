"""Typed errors of the translator.

Every error a user can cause is a subclass of :class:`TranslatorError`. Each
carries a stable machine-readable ``code``, the HTTP status the web layer maps
it to and the CLI exit code, so the mapping lives in one place::

    TranslatorError
    ├── InputError (400)
    │   ├── EmptyInput
    │   ├── InvalidEncoding
    │   ├── InputTooLarge (413)
    │   ├── UnknownLanguage
    │   ├── BadArchive
    │   └── GlossaryError
    │       ├── GlossaryNotFound (404)
    │       ├── GlossaryExists (409)
    │       └── GlossaryStoreUnavailable (503)
    ├── LanguageError (422)
    │   ├── UnsupportedPair
    │   └── UndetectableLanguage
    ├── ModelError
    │   ├── BadModelPackage (400)
    │   ├── ModelNotFound (404)
    │   ├── ModelExists (409)
    │   └── IndexUnavailable (503)
    ├── EngineError (503)
    └── Cancelled (499: the client hung up; nobody reads the answer)
"""

from __future__ import annotations

__all__ = [
    "TranslatorError",
    "InputError",
    "EmptyInput",
    "InvalidEncoding",
    "InputTooLarge",
    "UnknownLanguage",
    "BadArchive",
    "GlossaryError",
    "GlossaryNotFound",
    "GlossaryExists",
    "GlossaryStoreUnavailable",
    "LanguageError",
    "UnsupportedPair",
    "UndetectableLanguage",
    "ModelError",
    "BadModelPackage",
    "ModelNotFound",
    "ModelExists",
    "IndexUnavailable",
    "EngineError",
    "Cancelled",
]


class TranslatorError(Exception):
    """Base of every error the translator reports to a user."""

    code = "translator_error"
    http_status = 500
    exit_code = 1

    def __init__(self, message: str, **details):
        super().__init__(message)
        self.message = message
        self.details = details

    def to_dict(self) -> dict:
        """The JSON error body shared by the HTTP API and ``--format json``."""
        body = {"code": self.code, "message": self.message}
        if self.details:
            body["details"] = self.details
        return {"error": body}


class InputError(TranslatorError):
    code = "bad_input"
    http_status = 400
    exit_code = 2


class SettingError(InputError):
    """A setting's value is not of its type (``TRANSLATOR_BEAM_SIZE=abc``)."""

    code = "bad_setting"


class EmptyInput(InputError):
    code = "empty_input"


class InvalidEncoding(InputError):
    code = "invalid_encoding"


class InputTooLarge(InputError):
    code = "input_too_large"
    http_status = 413


class UnknownLanguage(InputError):
    code = "unknown_language"


class BadArchive(InputError):
    """A .zip or .tar.gz input that cannot be read safely, or one unsafe member of it."""

    code = "bad_archive"


class GlossaryError(InputError):
    """A glossary file or entry that cannot be used; the message says ``file:line: problem``."""

    code = "bad_glossary"


class GlossaryNotFound(GlossaryError):
    code = "glossary_not_found"
    http_status = 404


class GlossaryExists(GlossaryError):
    code = "glossary_exists"
    http_status = 409


class GlossaryStoreUnavailable(GlossaryError):
    """The glossary database cannot be opened, read or written: a server-side failure
    (the service hides the file's path, as for its own store)."""

    code = "store_unavailable"
    http_status = 503
    exit_code = 6


class LanguageError(TranslatorError):
    code = "language_error"
    http_status = 422
    exit_code = 3


class UnsupportedPair(LanguageError):
    code = "unsupported_pair"


class UndetectableLanguage(LanguageError):
    code = "undetectable_language"


class ModelError(TranslatorError):
    code = "model_error"
    http_status = 400
    exit_code = 4


class BadModelPackage(ModelError):
    code = "bad_model_package"


class ModelNotFound(ModelError):
    code = "model_not_found"
    http_status = 404


class ModelExists(ModelError):
    code = "model_exists"
    http_status = 409


class IndexUnavailable(ModelError):
    code = "index_unavailable"
    http_status = 503


class EngineError(TranslatorError):
    """An engine failed on input that should have worked (a bug or a broken install)."""

    code = "engine_error"
    http_status = 503
    exit_code = 5


class Cancelled(TranslatorError):
    """The work was stopped because whoever asked for it is gone (an HTTP client hung up)."""

    code = "cancelled"
    http_status = 499
    exit_code = 130
