"""Writers that render results in the formats users read (text, JSON, TSV, TMX, XLIFF,
HTML, side by side), and the registry that declares each format once."""

from .registry import FORMATS, Format, UnknownFormat
from .writers import render

__all__ = ["FORMATS", "Format", "UnknownFormat", "render"]
