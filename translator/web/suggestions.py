"""LibreTranslate's ``/suggest``: a user's better translation, fed to the translation memory.

A suggestion is a reviewed segment of the suggesting key's desk: it goes to that desk's
memory (never the newsroom-wide one, which only approved reviews write), and the desk's
next translations of the same sentence use it. ``q`` and ``s`` are cut into sentences the
way translation cuts them, and paired one to one; texts whose sentences do not pair are
refused, since the memory holds sentences. Accepted only with the setting ``suggestions``.
"""

from __future__ import annotations

from ..segment import segment
from ..store import Access
from ..store.memory import TranslationMemory
from .errors import InvalidField
from .validation import language_field, text_value


def suggestion_pairs(p: dict, max_chars: int) -> tuple[str, str, list[tuple[str, str]]]:
    """(source, target, [(sentence, its suggested translation)]) of a /suggest request
    (its parameters checked by the schema ``LibreSuggestRequest``)."""
    q = text_value(p["q"], "q", max_chars)
    s = text_value(p["s"], "s", max_chars)
    source = language_field(p["source"], "source")
    target = language_field(p["target"], "target")
    if source == target:
        raise InvalidField("Invalid request: source and target are the same language",
                           field="target")
    originals = [sentence.text for sentence in segment(q, source)]
    suggested = [sentence.text for sentence in segment(s, target)]
    if len(originals) != len(suggested):
        raise InvalidField(f"Invalid request: q holds {len(originals)} sentences and s "
                           f"{len(suggested)}; a suggestion pairs them one to one", field="s")
    return source, target, list(zip(originals, suggested))


def add_suggestion(svc, access: Access, p: dict) -> int:
    """Store a suggestion in ``access``'s desk memory, all its sentences in one transaction;
    returns how many sentences were stored."""
    source, target, pairs = suggestion_pairs(p, svc.settings.max_chars)
    memory = svc.store.memory
    with memory.db.transaction() as conn:
        for original, suggested in pairs:
            TranslationMemory.put(conn, source, target, original, suggested,
                                  document_id=None, desk=access.desk)
    return len(pairs)
