"""Reporting a batch's progress: a tqdm bar on a terminal, periodic log lines otherwise."""

from __future__ import annotations

import os
import sys
import time
from typing import TextIO

from .ledger import Counts


class Progress:
    """What the runner tells a reporter. Called from the runner's thread."""

    def scanning(self) -> None:
        """The inputs are being read into the ledger."""

    def start(self, counts: Counts) -> None:
        """Translation begins; ``counts`` says how much the ledger already holds."""

    def advance(self, *, done: int, failed: int, sentences: int) -> None:
        """An article was committed (``done`` or ``failed`` is 1): a chunk's articles, one
        call each, in their order, as the chunk commits."""

    def close(self) -> None:
        """The run ended."""


class NullProgress(Progress):
    pass


class Rates:
    """Articles and sentences per second of this run, and the time left."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.articles = self.sentences = self.failed = 0
        self.total = self.already = 0

    def start(self, counts: Counts) -> None:
        self.started = time.monotonic()
        self.total = counts.total
        self.already = counts.done + counts.failed

    def advance(self, done: int, failed: int, sentences: int) -> None:
        self.articles += done + failed
        self.failed += failed
        self.sentences += sentences

    def per_second(self) -> tuple[float, float]:
        elapsed = max(time.monotonic() - self.started, 1e-9)
        return self.articles / elapsed, self.sentences / elapsed

    def eta(self) -> float | None:
        articles_per_s, _ = self.per_second()
        left = self.total - self.already - self.articles
        return left / articles_per_s if articles_per_s > 0 else None


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    return (f"{hours}h{rest // 60:02d}m" if hours else f"{rest // 60}m{rest % 60:02d}s")


def _width(stream: TextIO) -> int:
    try:
        return os.get_terminal_size(stream.fileno()).columns
    except (OSError, ValueError, AttributeError):
        return 0


class BarProgress(Progress):
    """A tqdm bar over articles, with sentences per second, failures and ETA."""

    def __init__(self, stream: TextIO | None = None):
        self.stream = stream or sys.stderr
        self.bar = None
        self.rates = Rates()

    def scanning(self) -> None:
        print("reading inputs...", file=self.stream, flush=True)

    def start(self, counts: Counts) -> None:
        from tqdm import tqdm

        self.rates.start(counts)
        # A terminal that reports no size (some CI pseudo-terminals) would hide the bar.
        sized = _width(self.stream) > 0
        self.bar = tqdm(total=counts.total, initial=counts.done + counts.failed, unit="article",
                        file=self.stream, dynamic_ncols=sized, ncols=None if sized else 100,
                        nrows=None if sized else 24, smoothing=0.1)
        self._postfix()

    def advance(self, *, done: int, failed: int, sentences: int) -> None:
        self.rates.advance(done, failed, sentences)
        if self.bar is not None:
            # tqdm redraws at most every 0.1 s: a chunk of 200 articles is not 200 redraws
            self._postfix(refresh=False)
            self.bar.update(done + failed)

    def _postfix(self, refresh: bool = True) -> None:
        _, sentences_per_s = self.rates.per_second()
        self.bar.set_postfix_str(f"{sentences_per_s:.1f} sent/s, {self.rates.failed} failed",
                                 refresh=refresh)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


class LogProgress(Progress):
    """One plain line every ``every`` seconds (and at the end): for logs and cron mail."""

    def __init__(self, stream: TextIO | None = None, every: float = 30.0):
        self.stream = stream or sys.stderr
        self.every = every
        self.rates = Rates()
        self.last = 0.0
        self.running = False

    def scanning(self) -> None:
        self._print("batch: reading inputs")

    def start(self, counts: Counts) -> None:
        self.rates.start(counts)
        self.last = time.monotonic()
        self.running = True
        self._print(f"batch: {counts.total} articles, {counts.done} already translated, "
                    f"{counts.failed} failed, {counts.pending} to translate")

    def advance(self, *, done: int, failed: int, sentences: int) -> None:
        self.rates.advance(done, failed, sentences)
        if time.monotonic() - self.last >= self.every:
            self.last = time.monotonic()
            self._status()

    def close(self) -> None:
        if self.running:  # once, and only after the translation began
            self.running = False
            self._status()

    def _status(self) -> None:
        r = self.rates
        articles_per_s, sentences_per_s = r.per_second()
        finished = r.already + r.articles
        percent = 100.0 * finished / r.total if r.total else 100.0
        self._print(f"batch: {finished}/{r.total} articles ({percent:.0f}%), {r.sentences} "
                    f"sentences this run, {articles_per_s:.2f} articles/s, {sentences_per_s:.1f} "
                    f"sentences/s, {r.failed} failed, ETA {_duration(r.eta())}")

    def _print(self, line: str) -> None:
        print(line, file=self.stream, flush=True)


def for_stream(stream: TextIO | None = None, every: float = 30.0) -> Progress:
    """A bar when ``stream`` is a terminal, log lines otherwise."""
    stream = stream or sys.stderr
    return BarProgress(stream) if stream.isatty() else LogProgress(stream, every)
