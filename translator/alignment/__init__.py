"""Sentence alignment of existing translations (bitexts): beads with scores and spans.

``align_texts(source_text, target_text)`` is the entry point of the CLI
(``translator align``) and of ``POST /v1/align``; ``align_sentences`` aligns two
lists of sentences. See ``docs/alignment.md`` for the method.
"""

from .aligner import AlignOptions, RawAlignment, RawBead, align_sentences
from .api import align_texts
from .render import ALIGN_FORMATS, render_alignment
from .result import Alignment, Bead

__all__ = ["align_texts", "align_sentences", "AlignOptions", "Alignment", "Bead", "RawAlignment",
           "RawBead", "ALIGN_FORMATS", "render_alignment"]
