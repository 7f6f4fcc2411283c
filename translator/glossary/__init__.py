"""Glossaries: term bases, matching in the source, enforcement through any engine."""

from .enforce import GlossaryLayer
from .files import load_directory, read_bytes, read_glossary
from .rules import check
from .writers import dumps, save
from .match import Matcher
from .model import Entry, Glossary
from .store import GlossaryStore, default_glossary, open_glossary

__all__ = ["Entry", "Glossary", "GlossaryLayer", "GlossaryStore", "Matcher", "check",
           "default_glossary", "dumps", "load_directory", "open_glossary", "read_bytes",
           "read_glossary", "save"]
