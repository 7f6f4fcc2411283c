"""Bitext sentence alignment: the public names of :mod:`translator.alignment`.

``from translator.align import align_texts`` is what the CLI and the HTTP layer use.
"""

from .alignment import (ALIGN_FORMATS, AlignOptions, Alignment, Bead, align_sentences,
                        align_texts, render_alignment)

__all__ = ["align_texts", "align_sentences", "AlignOptions", "Alignment", "Bead",
           "ALIGN_FORMATS", "render_alignment"]
