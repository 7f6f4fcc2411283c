"""Glossaries: term bases, matching in the source, enforcement through any engine."""

from .enforce import GlossaryLayer
from .match import Matcher
from .model import Entry, Glossary

__all__ = ["Entry", "Glossary", "GlossaryLayer", "Matcher"]
