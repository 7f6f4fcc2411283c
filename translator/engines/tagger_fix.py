"""Build, once per machine, the fix that keeps apertium-tagger from changing itself.

``tagger_fix.cpp`` replaces the one Apertium function that overwrites the tagger's open
class (see there). It is compiled with the system's C++ compiler into the user's cache
folder the first time an Apertium pipeline starts, and loaded into each
``apertium-tagger`` with ``LD_PRELOAD``. Where it cannot be used (no compiler, or an
Apertium whose library does not export the function it replaces), the engine falls back
on :mod:`.tagger_guard`, which gets the same result by replacing a tagger that changed
itself with a fresh one, at a cost in speed.
"""

from __future__ import annotations

import ctypes
import hashlib
import logging
import os
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

from ..fsutil import cache_dir

log = logging.getLogger("translator.apertium")

SOURCE = Path(__file__).with_name("tagger_fix.cpp")
LIBRARY = "libapertium.so.3"
# The function replaced, as the library exports it.
SYMBOL = "_ZN12tagger_utils28find_similar_ambiguity_classER10TaggerDataRSt3setIiSt4lessIiESaIiEE"

_lock = threading.Lock()
_built: dict[Path, Path | None] = {}


def replaces_a_library_function() -> bool:
    """Whether the installed Apertium library exports the function the fix replaces."""
    try:
        return hasattr(ctypes.CDLL(LIBRARY), SYMBOL)
    except OSError:
        return False


def library() -> Path | None:
    """The compiled fix (built on first use), or None when it cannot be used here."""
    folder = cache_dir()
    with _lock:
        if folder not in _built:
            _built[folder] = _build(folder)
        return _built[folder]


def _build(folder: Path) -> Path | None:
    if not replaces_a_library_function():
        log.warning("apertium-tagger fix unavailable (%s lacks the function it replaces); "
                    "using the slower tagger guard", LIBRARY)
        return None
    source = SOURCE.read_bytes()
    target = folder / f"apertium-tagger-fix-{hashlib.sha256(source).hexdigest()[:16]}.so"
    if target.exists():
        return target
    compiler = shutil.which("c++") or shutil.which("g++")
    if compiler is None:
        log.warning("apertium-tagger fix unavailable (no C++ compiler); using the slower "
                    "tagger guard")
        return None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=folder) as tmp:
            built = Path(tmp) / target.name
            subprocess.run([compiler, "-std=c++17", "-O2", "-shared", "-fPIC", "-o", str(built),
                            str(SOURCE)], check=True, capture_output=True, timeout=120)
            os.replace(built, target)  # atomic: another process may be building it too
    except (OSError, subprocess.SubprocessError) as exc:
        log.warning("cannot build the apertium-tagger fix (%s); using the slower tagger guard",
                    exc)
        return None
    return target
