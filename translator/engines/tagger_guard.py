"""Keep Apertium's HMM tagger from carrying state from one sentence to the next.

``apertium-tagger`` changes itself for good whenever it meets a word whose set of readings
it was not trained on ("a new ambiguity class"): it looks for a similar known class and,
in doing so, overwrites its own open class, the readings it gives unknown words. Every
later sentence the process tags then comes out as if that word had come before it.
``-z`` (null flush) does not undo it, so in a long-running pipeline a sentence's
translation depends on the sentences translated before it (measured on es-fr: one
sentence in seven of Debian's manuals has such a word, "como" among them).

This program stands in for the tagger in a null-flush pipeline::

    python -m translator.engines.tagger_guard apertium-tagger -z -g FILE.prob

It passes each NUL-terminated unit through the real tagger, run with ``-d`` so that it
says when it met a new ambiguity class, and replaces a tagger that did by a fresh one
(started ahead of time, so the swap costs nothing on the way). Each unit is thus tagged
by a tagger in the state a new process starts in, as if it were translated alone.
"""

from __future__ import annotations

import fcntl
import os
import queue
import subprocess
import sys
import threading

# What apertium-tagger -d writes when it has just overwritten its open class.
CHANGED = b"new ambiguity class"
#: fresh taggers kept ready (one sentence in seven changes the es-fr tagger)
SPARES = 2


class Tagger:
    """One tagger process; its standard error is read without blocking."""

    def __init__(self, argv: list[str]):
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        flags = fcntl.fcntl(self.proc.stderr.fileno(), fcntl.F_GETFL)
        fcntl.fcntl(self.proc.stderr.fileno(), fcntl.F_SETFL, flags | os.O_NONBLOCK)
        self.pending = b""

    def tag(self, unit: bytes) -> bytes:
        """The tagger's output for one unit (which ends with NUL), NUL included."""
        self.proc.stdin.write(unit)
        self.proc.stdin.flush()
        out = self.pending
        stdout = self.proc.stdout.fileno()
        while b"\0" not in out:
            chunk = os.read(stdout, 1 << 16)
            if not chunk:
                raise EOFError("apertium-tagger stopped")
            out += chunk
        end = out.index(b"\0") + 1
        self.pending = out[end:]
        return out[:end]

    def changed(self) -> bool:
        """Whether the tagger said, since the last call, that it changed itself."""
        said = b""
        while True:
            try:
                chunk = os.read(self.proc.stderr.fileno(), 1 << 16)
            except BlockingIOError:
                break
            if not chunk:
                break
            said += chunk
        return CHANGED in said

    def close(self) -> None:
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            try:
                stream.close()
            except OSError:
                pass
        self.proc.kill()
        self.proc.wait()


class Spares:
    """Fresh taggers made ahead of time, and used ones closed, on a thread of their own:
    swapping a tagger costs the unit being tagged nothing."""

    def __init__(self, argv: list[str], count: int = SPARES):
        self.argv = argv
        self.ready: queue.Queue[Tagger] = queue.Queue(maxsize=count)
        self.used: queue.Queue[Tagger | None] = queue.Queue()
        self.thread = threading.Thread(target=self._work, daemon=True)
        self.thread.start()

    def swap(self, used: Tagger) -> Tagger:
        self.used.put(used)
        return self.ready.get()

    def _work(self) -> None:
        while True:
            if not self.ready.full():  # only this thread fills the queue
                self.ready.put(Tagger(self.argv))
                continue
            used = self.used.get()  # wakes up after each swap
            if used is None:
                return
            used.close()

    def close(self) -> None:
        self.used.put(None)
        self.thread.join()
        while not self.ready.empty():
            self.ready.get().close()


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: python -m translator.engines.tagger_guard apertium-tagger ARGS...",
              file=sys.stderr)
        return 2
    argv = [argv[0], "-d", *argv[1:]]
    current, spares = Tagger(argv), Spares(argv)
    stdin, stdout = sys.stdin.buffer.raw, sys.stdout.buffer
    buffer = b""
    try:
        while True:
            chunk = os.read(stdin.fileno(), 1 << 16)
            if not chunk:
                break
            buffer += chunk
            *units, buffer = buffer.split(b"\0")
            for unit in units:
                stdout.write(current.tag(unit + b"\0"))
                stdout.flush()
                if current.changed():
                    current = spares.swap(current)
        if buffer:  # a last unit without NUL: tag it as the tagger would at the end
            current.proc.stdin.write(buffer)
            current.proc.stdin.close()
            stdout.write(current.proc.stdout.read())
            stdout.flush()
    except (BrokenPipeError, EOFError):
        return 1
    finally:
        current.close()
        spares.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
