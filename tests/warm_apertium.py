"""Warm Apertium pipelines kept across the engines a test module opens and closes.

The service keeps one warm pipeline per mode across requests; a CLI process starts its own
and ends with it. Tests that run the CLI in-process (tests/cli_runner.py) or build many
services would start a fresh pipeline for every invocation: about a quarter of a CPU-second
each (bash, lt-proc, the tagger and the transfer programs loading their data), a hundred
times in the suite. With the fixture ``warm_apertium`` an engine's ``close()`` hands its idle
pipelines to a pool instead of killing them, and the next engine that would start the same
script (same mode, same data, same tagger fix, same environment) takes one from the pool.

What it does not change: the mode is still read (``apertium-wblank-mode``) at every start,
so a mode removed under a test is still an error; a pipeline that failed or was cancelled is
still killed (``_discard``); a forked process never takes its parent's pipelines. That a
warm pipeline translates each sentence as a fresh one does is what tests/test_isolation.py
proves against fresh engines, which is why that module does not use this fixture.
"""

from __future__ import annotations

import os
import threading

import pytest

from translator.engines import apertium

_lock = threading.Lock()
_pool: dict[tuple, list] = {}


def _key(script: str, env: dict) -> tuple:
    return script, tuple(sorted(env.items()))


@pytest.fixture(scope="module")
def warm_apertium():
    """Within the module, closed Apertium engines leave their idle pipelines warm for the
    next engine; all of them are killed at the module's end."""
    real_pipeline, real_close = apertium._Pipeline, apertium.ApertiumEngine.close

    def pipeline(script: str, env: dict, timeout: float):
        with _lock:
            idle = _pool.get(_key(script, env), [])
            while idle:
                warm = idle.pop()
                if warm.pid == os.getpid() and warm.proc.poll() is None:
                    warm.timeout = timeout
                    return warm
                warm.close()
        made = real_pipeline(script, env, timeout)
        made.warm_key = _key(script, env)
        return made

    def close(engine) -> None:
        with engine._cond:
            engine._closes += 1  # as the real close(): a pipeline in flight stops when it ends
            idle = [p for pipelines in engine._idle.values() for p in pipelines]
            for mode, pipelines in engine._idle.items():
                engine._running[mode] -= len(pipelines)
                pipelines.clear()
        with _lock:
            for warm in idle:
                if hasattr(warm, "warm_key") and warm.pid == os.getpid():
                    _pool.setdefault(warm.warm_key, []).append(warm)
                else:
                    warm.close()

    apertium._Pipeline, apertium.ApertiumEngine.close = pipeline, close
    try:
        yield
    finally:
        apertium._Pipeline, apertium.ApertiumEngine.close = real_pipeline, real_close
        with _lock:
            pipelines = [p for idle in _pool.values() for p in idle]
            _pool.clear()
        for warm in pipelines:
            warm.close()
