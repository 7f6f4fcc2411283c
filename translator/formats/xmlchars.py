"""Characters XML 1.0 cannot carry, even escaped: what every XML writer drops or escapes.

XML 1.0 allows tab, line feed, carriage return, U+0020-U+D7FF, U+E000-U+FFFD and
U+10000 and above. Text can hold the rest (C0 controls, U+FFFE, U+FFFF, and lone
surrogates from a JSON ``\\ud800`` escape), so a writer that passed them on would
produce a file no XML parser reads.
"""

from __future__ import annotations

import re

#: one character XML 1.0 forbids (a capturing group, so ``split`` keeps it)
NOT_XML = re.compile("([\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff])")


def dropped(text: str) -> list[str]:
    """The characters of ``text`` XML 1.0 forbids, in order."""
    return NOT_XML.findall(text)


def xml_text(text: str) -> str:
    """``text`` without the characters XML 1.0 forbids."""
    return NOT_XML.sub("", text)


def describe(chars: list[str]) -> str:
    """``U+FFFE, U+0001``: the distinct characters, in the order first met."""
    return ", ".join(f"U+{ord(ch):04X}" for ch in dict.fromkeys(chars))


def warning(chars: list[str]) -> str:
    """The warning a writer adds where it dropped characters."""
    return (f"{len(chars)} character{'s' if len(chars) != 1 else ''} XML 1.0 cannot carry "
            f"left out ({describe(chars)})")
