"""Fuzzy translation-memory lookups at 10k, 100k and 1M stored segments, in one run.

The memory is the service's own (``translator.store``: a real SQLite file, the FTS5
index kept by its triggers) filled with synthetic French-like sentences: a vocabulary
of 40,000 made-up words with Zipf frequencies under a few dozen very common function
words (``de``, ``la``, ``le``...), 6 to 30 words a sentence, so that the index has the
long posting lists of real text. After each size is reached, 300 lookups are timed:
200 near repeats of stored sentences (one word changed, or one dropped: each should
come back as the best match) and 100 new sentences (mostly nothing to find). Each
lookup is what the review page asks for a segment: ``TranslationMemory.fuzzy``, up to
five matches with their differences.

Printed per size: p50 / p99 / max of a lookup in milliseconds, how often a near repeat
found its original first, and the seconds the load took. The target (docs/product.md):
p99 under 50 ms at 1 million segments.

Usage::

    python benchmarks/memory.py                       # 10k, 100k, 1M (a few minutes)
    python benchmarks/memory.py --sizes 10000 50000   # quicker
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from translator.store import Store  # noqa: E402
from translator.store.db import now  # noqa: E402
from translator.store.typography import typography_key  # noqa: E402

FUNCTION_WORDS = ("de la le les des et à en un une du que qui dans pour sur par au est a "
                  "pas ne se il elle ont sont avec ce cette plus son sa ses leur été").split()
SYLLABLES = ("ba be bi bo bu da de di do du fa fe fi fo ga ge go la le li lo lu ma me mi mo "
             "mu na ne ni no nu pa pe pi po ra re ri ro ru sa se si so su ta te ti to tu va "
             "ve vi vo za ze zo an en in on un ar er ir or ur al el il ol").split()


class Corpus:
    """A seeded generator of sentences over a Zipf vocabulary."""

    def __init__(self, seed: int = 13, vocabulary: int = 40_000):
        self.random = random.Random(seed)
        words = set()
        while len(words) < vocabulary:
            words.add("".join(self.random.choice(SYLLABLES) for _ in range(self.random.randint(2, 4))))
        self.words = sorted(words)
        self.random.shuffle(self.words)
        total, self.cumulative = 0.0, []
        for rank in range(len(self.words)):
            total += 1 / (rank + 1) ** 1.05
            self.cumulative.append(total)

    def sentence(self) -> str:
        length = self.random.randint(6, 30)
        content = self.random.choices(self.words, cum_weights=self.cumulative, k=length)
        out = []
        for word in content:
            if self.random.random() < 0.45:
                out.append(self.random.choice(FUNCTION_WORDS))
            out.append(word)
        out[0] = out[0].capitalize()
        return " ".join(out) + "."

    def near(self, sentence: str) -> str:
        """The sentence with one content word changed, or one word dropped."""
        words = sentence[:-1].split(" ")
        at = self.random.randrange(len(words))
        if self.random.random() < 0.5 and len(words) > 6:
            del words[at]
        else:
            words[at] = self.random.choice(self.words[:20_000])
        return " ".join(words) + "."


def load(store: Store, corpus: Corpus, count: int, kept: list[str]) -> None:
    """Add ``count`` sentences in transactions of 20,000 (the triggers index each one)."""
    stamp = now()
    for start in range(0, count, 20_000):
        rows = []
        for _ in range(min(20_000, count - start)):
            source = corpus.sentence()
            if len(kept) < 5000 and corpus.random.random() < 0.01:
                kept.append(source)
            rows.append(("*", "fr", "en", source, source.upper(), typography_key(source), None,
                         "benchmark", stamp, stamp))
        with store.db.transaction() as conn:
            conn.executemany(
                "INSERT OR IGNORE INTO memory (desk, source_lang, target_lang, source, target, key, "
                "document_id, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows)


def measure(store: Store, corpus: Corpus, kept: list[str], lookups: int = 300) -> dict:
    rng = random.Random(7)
    originals = rng.sample(kept, min(len(kept), lookups * 2 // 3))
    queries = [(corpus.near(s), s) for s in originals]
    queries += [(corpus.sentence(), None) for _ in range(lookups - len(queries))]
    rng.shuffle(queries)
    for query, _ in queries[:20]:  # warm the page cache
        store.memory.fuzzy("fr", "en", query)
    times, found = [], 0
    for query, original in queries:
        start = time.perf_counter()
        matches = store.memory.fuzzy("fr", "en", query, "default")
        times.append((time.perf_counter() - start) * 1000)
        if original is not None and matches and matches[0].source == original:
            found += 1
    times.sort()
    return {"p50": statistics.median(times), "p99": times[int(len(times) * 0.99) - 1],
            "max": times[-1], "found": found, "near": len(originals)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--dir", type=Path, help="where the database goes (default: a temporary folder)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as folder:
        store = Store(Path(folder) / "memory.db")
        corpus, kept, stored = Corpus(), [], 0
        print(f"{'segments':>10} {'load s':>8} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}  near repeats found first")
        for size in sorted(args.sizes):
            start = time.perf_counter()
            load(store, corpus, size - stored, kept)
            loaded = time.perf_counter() - start
            stored = size
            result = measure(store, corpus, kept)
            print(f"{store.memory.count():>10,} {loaded:>8.1f} {result['p50']:>8.2f} {result['p99']:>8.2f} "
                  f"{result['max']:>8.2f}  {result['found']}/{result['near']}", flush=True)
        store.close()


if __name__ == "__main__":
    main()
