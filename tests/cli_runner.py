"""`translator ...` run in the test's own process, as a user would run it in a shell: the
same arguments, standard input, output and error as bytes, and the exit status.

Starting an interpreter per command cost the CLI tests most of their time; only tests
whose subject is the process itself (signals, kill and resume, the server) start one.
The command runs under click's ``CliRunner`` (click 8.2 and later keep stderr apart).
"""

from __future__ import annotations

import contextlib
import subprocess

from click.testing import CliRunner

from translator import cli


def run_cli(*args, stdin: bytes | None = None, cwd=None,
            env_extra: dict | None = None) -> subprocess.CompletedProcess:
    """``translator ARGS`` in this process; returns what ``subprocess.run(...,
    capture_output=True)`` would (``stdout`` and ``stderr`` as bytes). An exception the
    CLI does not turn into an exit status propagates, with its traceback."""
    argv = [str(a) for a in args]
    env = {k: str(v) for k, v in (env_extra or {}).items()}
    with contextlib.ExitStack() as stack:
        if cwd is not None:
            stack.enter_context(contextlib.chdir(cwd))
        result = CliRunner().invoke(cli.app, argv, input=stdin or b"", env=env,
                                    catch_exceptions=False)
    return subprocess.CompletedProcess(["translator", *argv], result.exit_code,
                                       result.stdout_bytes, result.stderr_bytes)
