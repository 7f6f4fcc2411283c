"""Apertium, the offline rule-based engine from Debian, through its command-line tool."""

from __future__ import annotations

import re
import shutil
import subprocess

from .. import languages
from ..errors import EngineError
from .base import Engine, Pair

# Apertium marks words it could not generate (#) or transfer (@); -u only drops the
# unknown-word mark (*). The marks are noise for a reader, unless the source has them.
_MARK = re.compile(r"(?<![\w#@])[#@](?=\w)")
_SPACES = re.compile(r"[ \t]{2,}")


def parse_mode(mode: str) -> Pair | None:
    """``fr-es`` -> ("fr", "es"), ``spa-eng`` -> ("es", "en"); None for variants and debug modes."""
    parts = mode.split("-")
    if len(parts) != 2 or any("_" in p for p in parts):
        return None
    source, target = (languages.maybe_canonical(p) for p in parts)
    if source is None or target is None or source == target:
        return None
    return source, target


class ApertiumEngine(Engine):
    """The pairs of the installed Apertium language packages, one direct step each.

    Multi-step routes (fr->es->en) are built by the router from these steps.
    """

    kind = "apertium"
    cost = 1.5  # a CTranslate2 model, when installed, gives better translations

    def __init__(self, binary: str = "apertium", timeout: float = 120.0):
        self.binary = binary
        self.timeout = timeout
        self._modes: dict[Pair, str] | None = None

    @classmethod
    def available(cls, binary: str = "apertium") -> bool:
        return shutil.which(binary) is not None

    @property
    def name(self) -> str:
        return "apertium"

    def modes(self) -> dict[Pair, str]:
        """Installed translation modes by pair, read once from ``apertium -l``."""
        if self._modes is None:
            modes: dict[Pair, str] = {}
            if self.available(self.binary):
                listing = self._run(["-l"], "", timeout=30)
                for mode in listing.split():
                    pair = parse_mode(mode)
                    if pair is not None:
                        modes.setdefault(pair, mode)
            self._modes = modes
        return self._modes

    def pairs(self) -> set[Pair]:
        return set(self.modes())

    def describe(self) -> dict:
        return {**super().describe(), "modes": sorted(self.modes().values())}

    def translate_batch(self, sentences: list[str], source: str, target: str) -> list[str]:
        mode = self.modes().get((source, target))
        if mode is None:
            raise EngineError(f"apertium has no {source}-{target} pair installed")
        if not sentences:
            return []
        # One sentence per line: the text deformatter keeps line breaks, so one process
        # translates the whole batch and lines map back one to one.
        lines = [" ".join(s.split()) for s in sentences]
        output = self._run(["-u", mode], "\n".join(lines) + "\n",
                           timeout=self.timeout + len(lines) * 0.05).split("\n")
        if output and output[-1] == "":
            output.pop()
        if len(output) != len(lines):
            # Should not happen; never pair a sentence with another one's translation.
            output = [self._run(["-u", mode], line + "\n").strip("\n") for line in lines]
        return [self._clean(out, src) for out, src in zip(output, lines)]

    @staticmethod
    def _clean(output: str, source: str) -> str:
        if "#" not in source and "@" not in source:
            output = _MARK.sub("", output)
        return _SPACES.sub(" ", output).strip()

    def _run(self, args: list[str], text: str, timeout: float | None = None) -> str:
        try:
            proc = subprocess.run([self.binary, *args], input=text.encode("utf-8"),
                                  capture_output=True, timeout=timeout or self.timeout)
        except FileNotFoundError:
            raise EngineError(f"apertium is not installed ({self.binary} not found)") from None
        except subprocess.TimeoutExpired:
            raise EngineError(f"apertium {' '.join(args)} timed out") from None
        if proc.returncode != 0:
            detail = proc.stderr.decode("utf-8", "replace").strip().splitlines()
            raise EngineError(f"apertium {' '.join(args)} failed: "
                              f"{detail[-1] if detail else 'exit ' + str(proc.returncode)}")
        return proc.stdout.decode("utf-8", "replace")
