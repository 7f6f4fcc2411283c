"""`translator ...` run in the test's own process, as a user would run it in a shell: the
same arguments, standard input, output and error as bytes, and the exit status.

Starting an interpreter per command cost the CLI tests most of their time; only tests
whose subject is the process itself (signals, kill and resume, the server) start one.
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys

from translator import cli


class _Stream(io.TextIOWrapper):
    """A text stream over bytes (``.buffer`` as on a real console), never closed by the CLI."""

    def __init__(self, raw: io.BytesIO):
        super().__init__(raw, encoding="utf-8", newline="", write_through=True)

    def close(self) -> None:  # the captured bytes stay readable
        self.flush()


def run_cli(*args, stdin: bytes | None = None, cwd=None,
            env_extra: dict | None = None) -> subprocess.CompletedProcess:
    """``translator ARGS`` in this process; returns what ``subprocess.run(...,
    capture_output=True)`` would (``stdout`` and ``stderr`` as bytes)."""
    argv = [str(a) for a in args]
    out, err = io.BytesIO(), io.BytesIO()
    saved_env = {name: os.environ.get(name) for name in (env_extra or {})}
    with contextlib.ExitStack() as stack:
        if cwd is not None:
            stack.enter_context(contextlib.chdir(cwd))
        stdout, stderr = _Stream(out), _Stream(err)
        stack.enter_context(contextlib.redirect_stdout(stdout))
        stack.enter_context(contextlib.redirect_stderr(stderr))
        saved_stdin = sys.stdin
        sys.stdin = _Stream(io.BytesIO(stdin or b""))
        os.environ.update({k: str(v) for k, v in (env_extra or {}).items()})
        try:
            code = cli.main(argv)
        except SystemExit as exc:  # argparse: usage errors and --help
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
            if isinstance(exc.code, str):
                print(exc.code, file=sys.stderr)
        finally:
            sys.stdin = saved_stdin
            for name, value in saved_env.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
        stdout.flush()
        stderr.flush()
    return subprocess.CompletedProcess(["translator", *argv], code or 0, out.getvalue(),
                                       err.getvalue())
