"""Aligned archives into the translation memory: which beads are kept, and folder pairs.

``translator align SOURCE TARGET --into-memory`` and ``translator align DIR_VI DIR_FR``
use these. A bead goes to the memory only when the aligner is confident about it
(:func:`confident_pairs`); the others are counted by reason, so that the translator is told
what was left out and why. Files of two folders are paired by name (:func:`pair_folders`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .result import Alignment

#: reasons a bead is left out of the memory, as the report names them
UNMATCHED = "no counterpart on the other side"
LOW_SCORE = "low alignment score"
SAME_TEXT = "same text on both sides (not a translation)"
# A language tag at the end of a file's stem: floods.vi.txt and floods.fr.txt pair.
_LANG_SUFFIX = re.compile(r"\.[a-z]{2,3}(?:[-_][a-z0-9]{2,8})?$", re.IGNORECASE)


@dataclass
class Selection:
    """The pairs of one alignment that go to the memory, and what was left out (by reason)."""

    pairs: list[tuple[str, str]] = field(default_factory=list)
    left_out: dict[str, int] = field(default_factory=dict)

    def leave_out(self, reason: str) -> None:
        self.left_out[reason] = self.left_out.get(reason, 0) + 1

    def describe_left_out(self) -> str:
        if not self.left_out:
            return "none left out"
        n = sum(self.left_out.values())
        reasons = ", ".join(f"{count} {reason}" for reason, count in self.left_out.items())
        return f"{n} left out ({reasons})"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def confident_pairs(alignment: Alignment) -> Selection:
    """Beads with text on both sides and a score at or above the low-confidence threshold,
    as (source, target) pairs, whitespace collapsed (a 2-1 bead gives its two sentences as
    one source)."""
    chosen = Selection()
    for bead in alignment.beads:
        source, target = _one_line(bead.source_text), _one_line(bead.target_text)
        if not source or not target:
            chosen.leave_out(UNMATCHED)
        elif bead.low_confidence:
            chosen.leave_out(LOW_SCORE)
        elif source == target:
            chosen.leave_out(SAME_TEXT)
        else:
            chosen.pairs.append((source, target))
    return chosen


def match_key(path: Path) -> str:
    """The name files are paired by: the stem, without a trailing language tag (a code we
    know: ``floods.vi.txt`` and ``floods.fr.txt`` -> ``floods``; ``floods.txt`` ->
    ``floods``; ``report.new.txt`` keeps ``report.new``), case aside."""
    stem = path.stem
    tag = _LANG_SUFFIX.search(stem)
    if tag and tag.start() > 0 and _is_language(tag.group()[1:]):
        stem = stem[:tag.start()]
    return stem.casefold()


def _is_language(code: str) -> bool:
    from .. import languages
    from ..errors import UnknownLanguage

    try:
        languages.canonical(code)
    except UnknownLanguage:
        return False
    return True


@dataclass
class FolderPairs:
    pairs: list[tuple[Path, Path]]
    only_source: list[Path]
    only_target: list[Path]
    ambiguous: list[tuple[str, list[Path]]]  # a name shared by several files of one folder


def _files(folder: Path) -> dict[str, list[Path]]:
    found: dict[str, list[Path]] = {}
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or not path.is_file():
            continue
        found.setdefault(match_key(path), []).append(path)
    return found


def pair_folders(source_dir: Path, target_dir: Path) -> FolderPairs:
    """The files of two folders (not their subfolders; hidden files ignored) paired by
    :func:`match_key`; files present on one side only, and names that several files of one
    folder share, reported apart."""
    left, right = _files(source_dir), _files(target_dir)
    result = FolderPairs([], [], [], [])
    for key in sorted(set(left) | set(right)):
        a, b = left.get(key, []), right.get(key, [])
        if len(a) > 1 or len(b) > 1:
            result.ambiguous.append((key, a + b))
        elif a and b:
            result.pairs.append((a[0], b[0]))
        elif a:
            result.only_source.append(a[0])
        else:
            result.only_target.append(b[0])
    return result
