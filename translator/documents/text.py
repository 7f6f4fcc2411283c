"""Plain text: translated as one document (its paragraphs and line breaks kept)."""

from __future__ import annotations

from . import Translate, decode_text


def translate_text(data: bytes, translate: Translate) -> tuple[bytes, list[str]]:
    text = decode_text(data)
    if not any(ch.isalpha() for ch in text):
        return data, []
    return translate([text])[0].encode("utf-8"), []
