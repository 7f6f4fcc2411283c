"""Writers that render results in the formats users read (text, JSON, TSV, TMX, side by side)."""

from .writers import FORMATS, render

__all__ = ["FORMATS", "render"]
