"""HTML documents: :func:`translator.formats.markup.translate_html` over the whole page."""

from __future__ import annotations

from ..formats.markup import translate_html
from . import Translate, decode_text


def translate_html_document(data: bytes, translate: Translate) -> tuple[bytes, list[str]]:
    out, warnings = translate_html(decode_text(data), translate)
    return out.encode("utf-8"), warnings
