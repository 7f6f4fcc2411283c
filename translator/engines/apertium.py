"""Apertium, the offline rule-based engine from Debian, kept warm in null-flush mode.

Each sentence is translated alone. Apertium's transfer rules reorder words across a
single line break (``La casa\\nblanca`` gives ``The white\\nhouse``), so sentences must
never share a stream: one process per sentence would isolate them but costs a start-up
each. Like Apertium's own server (APY), the engine keeps one pipeline per mode running
with every program in null-flush mode (``apertium-wblank-mode -z``): a NUL byte ends a
unit of work and each program flushes and starts afresh. One does not quite:
``apertium-tagger`` rewrites itself for good on a word of a new ambiguity class, so it
runs with a fix of that function loaded into it (:mod:`.tagger_fix`), or, where the fix
cannot be built, under :mod:`.tagger_guard`, which swaps it for a fresh one. A
batch is written as one NUL-terminated sentence after another and read back the same
way, so the pipeline's programs work on several sentences at once; what each sentence
becomes is what it becomes alone (tests/test_isolation.py, benchmarks/apertium.py).

The engine formats text itself (what ``apertium-destxt`` and ``apertium-retxt`` do for
one line) and asks for Apertium's marks: ``*`` unknown word, ``#`` generation error,
``@`` transfer error. The marks are taken out of the text and reported as leftovers.
Literal ``* # @ ~`` of the source are sent as superblanks (format the engine passes
through), so a mark in the output is always Apertium's. So are the characters Apertium's
stream cannot carry, as their code point (``[U+00A0]``): non-breaking spaces, which it would
turn into spaces, and U+FFFF and the like, which end its unit of work (``_KEPT_OUT``).
"""

from __future__ import annotations

import os
import re
import secrets
import select
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from .. import languages
from ..errors import Cancelled, EngineError
from . import tagger_fix
from .base import Engine, EngineOutput, Leftover, Pair, CancelSignal, cancel_signal

# Escaped by apertium-destxt in plain text; the four of _AS_FORMAT are Apertium's marks.
_ESCAPE = re.compile(r"([\\\[\]^$/<>{}])")
_AS_FORMAT = re.compile(r"([*#@~])")
# Control characters are read as spaces (NUL would end a unit of work; the pipeline says
# when a translation lost some).
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# Characters that never enter Apertium's stream as they are: non-breaking spaces (its
# programs turn them into spaces), noncharacters (U+FFFF is ICU's end of file: the programs
# end the unit there and write one output more than they were given) and lone surrogates
# (not UTF-8). Each goes as a superblank holding its code point, format that Apertium
# passes through, and comes back as itself where that superblank lands.
_KEPT_OUT = re.compile("[\u00a0\u2007\u202f\ufdd0-\ufdef"
                       "\ud800-\udfff" + "".join(f"{chr(plane + 0xFFFE)}{chr(plane + 0xFFFF)}"
                                             for plane in range(0, 0x110000, 0x10000)) + "]")
_SPACE = re.compile(r"\s+")
_CODE_POINT = re.compile(r"U\+([0-9A-F]{4,6})")
# Apertium's output: an escaped character, a superblank, a mark before a word, a stray
# post-generation tilde, or plain text.
_OUTPUT = re.compile(r"\\(.)|\[([^\]]*)\]|([*#@])(?=[\w<])|(~)|([^\\\[*#@~]+|.)", re.DOTALL)
# What a mark flags: a word, or the bare tags of a word that could not be generated.
_WORD = re.compile(r"\w+(?:['’\-]\w+)*|(?:<[\w\-]+>)+")
_MARKS = {"*": "unknown", "#": "generation", "@": "transfer"}
_TAGGER = re.compile(r"(^|\|\s*)apertium-tagger(?=\s)")
_SPACES = re.compile(r" {2,}")
MAX_PIPELINES = os.cpu_count() or 1
MIN_PART = 64  # sentences worth a pipeline of their own


def parse_mode(mode: str) -> Pair | None:
    """``fr-es`` -> ("fr", "es"), ``spa-eng`` -> ("es", "en"); None for variants and debug modes."""
    parts = mode.split("-")
    if len(parts) != 2 or any("_" in p for p in parts):
        return None
    source, target = (languages.maybe_canonical(p) for p in parts)
    if source is None or target is None or source == target:
        return None
    return source, target


def deformat(sentence: str) -> str:
    """One sentence in Apertium's stream format, as ``apertium-destxt`` writes a line:
    special characters escaped, whitespace and controls one space, a period inserted at the
    end (``.[]``); the characters of ``_KEPT_OUT`` as superblanks of their code point."""
    out = []
    for piece in _KEPT_OUT.split(_CONTROL.sub(" ", sentence)):
        out.append(_AS_FORMAT.sub(r"[\1]", _ESCAPE.sub(r"\\\1", _SPACE.sub(" ", piece))))
    kept = [f"[U+{ord(ch):04X}]" for ch in _KEPT_OUT.findall(sentence)]
    text = "".join(piece + code for piece, code in zip(out, kept + [""]))
    return text.strip(" ") + ".[]"


def reformat(output: str) -> EngineOutput:
    """Apertium's output for one sentence back to text, its marks turned into leftovers."""
    if output.endswith(".[]"):
        output = output[:-3]  # the period deformat inserted
    text = ""
    marks: list[tuple[int, str]] = []
    for m in _OUTPUT.finditer(output):
        escaped, blank, mark, tilde, plain = m.groups()
        if mark:
            marks.append((len(text), _MARKS[mark]))
        elif not tilde:
            if blank is not None and _CODE_POINT.fullmatch(blank):
                blank = chr(int(blank[2:], 16))  # a character deformat kept out of the stream
            piece = escaped if escaped is not None else (blank if blank is not None else plain)
            piece = _SPACES.sub(" ", piece)  # a word the engine dropped leaves two spaces
            text += piece[1:] if piece[:1] == " " and text[-1:] == " " else piece
    lead = len(text) - len(text.lstrip())
    text = text.strip()
    leftovers = []
    for start, kind in marks:
        word = _WORD.match(text, start - lead)
        if word:
            leftovers.append(Leftover(word.start(), word.end(), kind))
    return EngineOutput(text, tuple(leftovers))


def _protect_taggers(script: str, fix: Path | None) -> str:
    """The pipeline with each ``apertium-tagger`` kept from carrying what it met in one
    sentence into the next: with the fix loaded into it (:mod:`.tagger_fix`), or else
    run under :mod:`.tagger_guard`."""
    if fix is not None:
        command = f"LD_PRELOAD={shlex.quote(str(fix))} apertium-tagger"
    else:
        command = f"{shlex.quote(sys.executable)} -m translator.engines.tagger_guard apertium-tagger"
    return _TAGGER.sub(lambda m: m.group(1) + command, script)


class _Pipeline:
    """One running Apertium mode with every program in null-flush mode."""

    def __init__(self, script: str, env: dict, timeout: float):
        self.timeout = timeout
        self.pid = os.getpid()
        # "$1" is the generator's mark option (-g: keep the marks), "$2" the tagger's
        # (empty); the same arguments the apertium command gives a mode.
        self.proc = subprocess.Popen(["bash", "-c", script, "apertium", "-g", ""],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, env=env, start_new_session=True)

    def translate(self, units: list[bytes], cancelled: CancelSignal | None = None) -> list[bytes]:
        """Write every unit NUL-terminated, then a nonce; read the outputs up to the nonce.
        Raises :class:`Cancelled` once ``cancelled`` is set (the caller then kills the pipeline)."""
        nonce = ("[" + secrets.token_hex(8) + "]").encode()
        payload = b"".join(unit + b"\0" for unit in units) + nonce + b"\0"
        writer = threading.Thread(target=self._write, args=(payload,), daemon=True)
        writer.start()
        deadline = time.monotonic() + self.timeout + 0.05 * len(units)
        stdout = self.proc.stdout.fileno()
        buffer = bytearray()
        while not buffer.endswith(nonce + b"\0"):
            if cancelled is not None and cancelled.is_set():
                raise Cancelled("apertium stopped: nobody waits for the translation")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise EngineError("apertium timed out")
            if not select.select([stdout], [], [], min(remaining, 0.05))[0]:
                continue  # look at the signal again
            chunk = os.read(stdout, 1 << 16)
            if not chunk:
                raise EngineError("apertium stopped unexpectedly")
            buffer += chunk
        writer.join()
        outputs = bytes(buffer[:-len(nonce) - 1]).split(b"\0")
        outputs.pop()  # what follows the last unit's NUL: nothing
        if len(outputs) != len(units):
            raise EngineError(f"apertium returned {len(outputs)} translations for {len(units)} sentences")
        return outputs

    def _write(self, payload: bytes) -> None:
        try:
            self.proc.stdin.write(payload)
            self.proc.stdin.flush()
        except (BrokenPipeError, ValueError, OSError):
            pass  # the reader reports the process's end

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                stream.close()
            except OSError:
                pass
        self.proc.wait()


class ApertiumEngine(Engine):
    """The pairs of the installed Apertium language packages, one direct step each.

    Multi-step routes (fr->es->en) are built by the router from these steps.
    ``data_dir`` holds ``modes/*.mode`` (Apertium's data folder); ``binary`` is the
    ``apertium`` command, whose folder holds the programs the modes run.
    """

    kind = "apertium"
    cost = 1.5  # a CTranslate2 model, when installed, gives better translations

    def __init__(self, binary: str = "apertium", timeout: float = 120.0,
                 data_dir: str | os.PathLike | None = None, max_pipelines: int = MAX_PIPELINES,
                 tagger: str = "auto"):
        if tagger not in ("auto", "fix", "guard"):
            raise ValueError(f"tagger must be auto, fix or guard, not {tagger!r}")
        self.binary = binary
        self.timeout = timeout
        self.tagger = tagger  # how taggers are kept fresh: the fix where it builds, or the guard
        self.data_dir = Path(data_dir or os.environ.get("APERTIUM_DATADIR") or "/usr/share/apertium")
        self.max_pipelines = max(1, max_pipelines)
        self._modes: dict[Pair, str] | None = None
        self._idle: dict[str, list[_Pipeline]] = {}
        self._running: dict[str, int] = {}
        self._cond = threading.Condition()
        # Counts close() calls: a pipeline started before the last one was translating
        # then, and is stopped when it comes back rather than kept (see close).
        self._closes = 0

    @classmethod
    def available(cls, binary: str = "apertium") -> bool:
        return shutil.which(binary) is not None

    @property
    def name(self) -> str:
        return "apertium"

    def modes(self) -> dict[Pair, str]:
        """Installed translation modes by pair: the data folder's ``modes/*.mode``."""
        if self._modes is None:
            modes: dict[Pair, str] = {}
            if self.available(self.binary):
                for path in sorted((self.data_dir / "modes").glob("*.mode")):
                    pair = parse_mode(path.stem)
                    if pair is not None:
                        modes.setdefault(pair, path.stem)
            self._modes = modes
        return self._modes

    def pairs(self) -> set[Pair]:
        return set(self.modes())

    def describe(self) -> dict:
        return {**super().describe(), "modes": sorted(self.modes().values())}

    def translate(self, sentences: list[str], source: str, target: str) -> list[EngineOutput]:
        mode = self.modes().get((source, target))
        if mode is None:
            raise EngineError(f"apertium has no {source}-{target} pair installed")
        if not sentences:
            return []
        units = [deformat(s).encode("utf-8") for s in sentences]
        # A big batch is shared out among pipelines (each sentence is translated alone
        # anyway): one pipeline's programs keep about one core and a half busy.
        parts = max(1, min(self.max_pipelines, len(units) // MIN_PART))
        size = -(-len(units) // parts)
        slices = [units[i:i + size] for i in range(0, len(units), size)]
        results: list = [None] * len(slices)
        cancelled = cancel_signal()  # read here: the helper threads start without it

        def run(index: int) -> None:
            try:
                results[index] = self._run(mode, slices[index], cancelled)
            except BaseException as exc:  # raised below, in the caller's thread
                results[index] = exc

        helpers = [threading.Thread(target=run, args=(i,), daemon=True)
                   for i in range(1, len(slices))]
        for helper in helpers:
            helper.start()
        run(0)
        for helper in helpers:
            helper.join()
        for result in results:
            if isinstance(result, BaseException):
                raise result
        return [reformat(out.decode("utf-8", "replace")) for part in results for out in part]

    def check(self, sentence: str, source: str, target: str) -> EngineOutput:
        """The pair's mode still loads (a running pipeline would hide its removal until the
        next one starts), and a sentence goes through."""
        mode = self.modes().get((source, target))
        if mode is None:
            raise EngineError(f"apertium has no {source}-{target} pair installed")
        self._script(mode)
        return self.translate([sentence], source, target)[0]

    def _run(self, mode: str, units: list[bytes], cancelled: CancelSignal | None) -> list[bytes]:
        pipeline = self._acquire(mode)
        try:
            outputs = pipeline.translate(units, cancelled)
        except BaseException:
            self._discard(mode, pipeline)
            raise
        self._release(mode, pipeline)
        return outputs

    # -- the pool of running pipelines, per mode ------------------------------------

    def _acquire(self, mode: str) -> _Pipeline:
        with self._cond:
            while True:
                idle = self._idle.setdefault(mode, [])
                while idle:
                    pipeline = idle.pop()
                    if pipeline.pid == os.getpid() and pipeline.proc.poll() is None:
                        return pipeline
                    self._running[mode] -= 1  # forked or dead: never share its pipes
                if self._running.get(mode, 0) < self.max_pipelines:
                    self._running[mode] = self._running.get(mode, 0) + 1
                    closes = self._closes
                    break
                self._cond.wait()
        try:
            pipeline = self._start(mode)
        except BaseException:
            self._discard(mode, None)
            raise
        pipeline.closes = closes
        return pipeline

    def _release(self, mode: str, pipeline: _Pipeline) -> None:
        with self._cond:
            if pipeline.closes == self._closes:
                self._idle[mode].append(pipeline)
                self._cond.notify()
                return
        self._discard(mode, pipeline)  # the engine was closed while it translated

    def _discard(self, mode: str, pipeline: _Pipeline | None) -> None:
        if pipeline is not None:
            pipeline.close()
        with self._cond:
            self._running[mode] -= 1
            self._cond.notify()

    def _start(self, mode: str) -> _Pipeline:
        return _Pipeline(_protect_taggers(self._script(mode), self._tagger_fix()), self._env(),
                         self.timeout)

    def _script(self, mode: str) -> str:
        """The mode's pipeline as a null-flush shell script."""
        mode_file = self.data_dir / "modes" / f"{mode}.mode"
        if not mode_file.is_file():
            raise EngineError(f"apertium's {mode} mode is not installed any more")
        try:
            script = subprocess.run(["apertium-wblank-mode", "-z", str(mode_file)],
                                    capture_output=True, timeout=30, env=self._env(),
                                    check=True).stdout.decode("utf-8")
        except FileNotFoundError:
            raise EngineError("apertium is not installed (apertium-wblank-mode not found)") from None
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
            raise EngineError(f"apertium cannot read its {mode} mode") from None
        return script.strip()

    def _tagger_fix(self) -> Path | None:
        if self.tagger == "guard":
            return None
        fix = tagger_fix.library()
        if fix is None and self.tagger == "fix":
            raise EngineError("the apertium-tagger fix cannot be built on this machine")
        return fix

    def _env(self) -> dict:
        # As the apertium command does: its own folder first on PATH, a UTF-8 locale; and
        # this package importable by the tagger guard.
        folder = os.path.dirname(shutil.which(self.binary) or "")
        path = os.environ.get("PATH", "")
        package_root = str(Path(__file__).resolve().parents[2])
        python_path = os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")]))
        return {**os.environ, "PATH": f"{folder}:{path}" if folder else path, "LC_ALL": "C.UTF-8",
                "PYTHONPATH": python_path}

    def close(self) -> None:
        """Stop the idle pipelines, and those translating now once their batch ends (a
        batch job's engine thread may still be in one). The engine stays usable: a later
        translation starts pipelines afresh."""
        with self._cond:
            self._closes += 1
            pipelines = [p for idle in self._idle.values() for p in idle]
            for mode, idle in self._idle.items():
                self._running[mode] -= len(idle)
                idle.clear()
        for pipeline in pipelines:
            pipeline.close()
