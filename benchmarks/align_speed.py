"""Time and memory of bitext alignment on long documents (up to 10,000 x 10,000 sentences).

Sentences are real: the French and English blocks of Debian's ``debian-reference``
(fetched by ``align_eval.py``'s loader into ``benchmarks/.cache/align``; see its
docstring), or, without them, the repository's small test bitexts. A document pair
of N source sentences is built by walking the corpus in order, dropping 3 % of the
target sentences and inserting 3 % from elsewhere, numbering every pass over the
corpus so that no two sentences are identical. Only N varies, so time and memory
per sentence show whether the search is near-linear.

Printed: seconds for ``align_sentences`` (anchors, coarse-to-fine search,
forward-backward scores), peak traced memory (a separate run under tracemalloc),
and for the largest size ``align_texts`` on the texts (segmentation included).

Usage::

    python benchmarks/align_speed.py                 # 1250 ... 10000
    python benchmarks/align_speed.py --sizes 10000 20000
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from translator.alignment import align_sentences, align_texts  # noqa: E402
from translator.segment import segment  # noqa: E402
from translator.settings import Settings  # noqa: E402


def corpus() -> tuple[list[tuple[str, str]], str]:
    """(French, English) sentence pairs and where they come from."""
    try:
        import align_eval

        chapters = align_eval.load_corpus("debian-reference", ("fr", "en"))
        pairs = [u for ch in chapters for u in align_eval.bitext_units(ch, "fr", "en")]
        if len(pairs) > 1000:
            return pairs, f"debian-reference fr/en ({len(pairs)} block pairs)"
    except Exception as exc:  # no apt, no network: fall back to the fixtures
        print(f"(Debian data unavailable: {exc}; using the test fixtures)", file=sys.stderr)
    pairs = []
    data = ROOT / "tests" / "data" / "align"
    for name in ("floods", "inflation"):
        fr = [s.text for s in segment((data / f"{name}.fr.txt").read_text(), "fr")]
        en = [s.text for s in segment((data / f"{name}.en.txt").read_text(), "en")]
        if len(fr) == len(en):
            pairs += list(zip(fr, en))
    return pairs, f"test fixtures ({len(pairs)} sentence pairs)"


def bitext(pairs, n: int, seed: int = 0):
    """n source units, about n target units; the 1-1 gold pairs (source, target index)."""
    rng = random.Random(seed)
    src, tgt, gold = [], [], []
    k = 0
    while len(src) < n:
        a, b = pairs[k % len(pairs)]
        lap = k // len(pairs)
        if lap:
            a, b = f"{a} ({lap})", f"{b} ({lap})"
        src.append(a)
        roll = rng.random()
        if roll >= 0.03:
            gold.append((len(src) - 1, len(tgt)))
            tgt.append(b)
        if roll > 0.97:
            tgt.append(rng.choice(pairs)[1])
        k += 1
    return src, tgt, set(gold)


def measure(src, tgt, gold):
    started = time.perf_counter()
    raw = align_sentences(src, tgt, source_lang="fr", target_lang="en")
    seconds = time.perf_counter() - started
    found = {(b.source[0], b.target[0]) for b in raw.beads if b.type == "1-1"}
    return seconds, len(found & gold) / max(len(gold), 1), raw


def peak_memory(src, tgt) -> float:
    tracemalloc.start()
    try:
        align_sentences(src, tgt, source_lang="fr", target_lang="en")
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1250, 2500, 5000, 10000])
    parser.add_argument("--no-memory", action="store_true", help="skip the tracemalloc runs")
    args = parser.parse_args(argv)
    pairs, origin = corpus()
    print(f"sentences from {origin}; 3 % deleted and 3 % inserted on the target side")
    print(f"{'source':>7} {'target':>7} {'seconds':>8} {'ms/src':>7} {'peak MB':>8} "
          f"{'MB/1000 src':>11} {'1-1 recall':>10}")
    last = None
    for n in args.sizes:
        src, tgt, gold = bitext(pairs, n)
        seconds, recall, _ = measure(src, tgt, gold)
        memory = float("nan") if args.no_memory else peak_memory(src, tgt)
        print(f"{len(src):>7} {len(tgt):>7} {seconds:>8.2f} {1000 * seconds / n:>7.3f} "
              f"{memory:>8.1f} {memory / n * 1000:>11.2f} {recall:>10.4f}", flush=True)
        last = (src, tgt)
    src, tgt = last
    source_text, target_text = " ".join(src), " ".join(tgt)
    settings = Settings(max_chars=max(len(source_text), len(target_text)) + 1)
    started = time.perf_counter()
    alignment = align_texts(source_text, target_text, "fr", "en", mt="off", settings=settings)
    seconds = time.perf_counter() - started
    print(f"\nalign_texts, {len(alignment.source_sentences)} x {len(alignment.target_sentences)} "
          f"sentences ({len(source_text) + len(target_text):,} characters, segmentation "
          f"included): {seconds:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
