"""Wording shared by error messages: one-line reasons and human sizes."""

from __future__ import annotations

KiB = 1024
MiB = 1024 * KiB
GiB = 1024 * MiB


def one_line(value) -> str:
    """``str(value)`` with its whitespace (newlines included) collapsed to single spaces."""
    return " ".join(str(value).split())


def os_reason(exc: BaseException) -> str:
    """Why an operating-system call failed, in a few words ("Permission denied")."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return one_line(exc) or type(exc).__name__


def human_size(n: int) -> str:
    """``5368709120`` -> ``5 GiB``."""
    for unit, size in (("GiB", GiB), ("MiB", MiB), ("KiB", KiB)):
        if n >= size:
            return f"{n / size:.1f} {unit}".replace(".0 ", " ")
    return f"{n} bytes"
