"""Apertium: is every sentence translated alone, and at what speed?

On real text nobody on the team wrote (Debian's manuals in French and English, loaded by
``align_eval.py``, which fetches them once into ``benchmarks/.cache/align/``; plus the
project's news articles), for each mode of the default routes (fr-es, spa-eng, eng-spa,
es-fr: the Spanish side is the first step's output):

* **isolation**: the engine's translation of every sentence inside one big batch, the
  same batch reversed, and shuffled, against each sentence alone in a pipeline of its own
  (a sample: a pipeline start costs a tenth of a second) -- the number of sentences whose
  output differs, which must be 0;
* **speed**, side by side in one run, the same sentences, alternating rounds (two shared
  cores: compare ratios; medians and spread printed):

  (a) ``apertium -u MODE``: one raw Apertium process over every sentence, one per line
      (what the engine did before: one stream, so words could move between sentences);
  (b) the engine, pipelines already running (a service, a batch job after its first chunk);
  (c) the engine started cold for the batch (``translator translate`` on one article).

Target: (b)/(a) >= 0.9.

    python benchmarks/apertium.py                    # 400 blocks a manual, 5 rounds
    python benchmarks/apertium.py --blocks 100 --rounds 3 --alone 20
    python benchmarks/apertium.py --tagger guard --modes es-fr   # without the tagger fix
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from align_eval import bitext_units, load_corpus  # noqa: E402
from translator.engines.apertium import ApertiumEngine  # noqa: E402
from translator.segment import segment  # noqa: E402

MANUALS = ("maint-guide", "developers-reference", "debian-reference", "debian-faq")
NEWS = ROOT / "tests" / "data" / "align"


def sentences(lang: str, blocks: int, seed: int) -> list[str]:
    """Distinct sentences of a seeded sample of each manual's prose blocks, and the news."""
    rng = random.Random(seed)
    out: dict[str, None] = {}
    for name in MANUALS:
        units = [u for chapter in load_corpus(name, ("fr", "en"))
                 for u in bitext_units(chapter, "fr", "en")]
        side = 0 if lang == "fr" else 1
        for unit in rng.sample(units, min(blocks, len(units))):
            out.update((s.text, None) for s in segment(unit[side], lang))
    for path in sorted(NEWS.glob(f"*.{lang}.txt")):
        out.update((s.text, None) for s in segment(path.read_text(encoding="utf-8"), lang))
    return [s for s in out if "\n" not in s]


def raw(mode: str, batch: list[str]) -> list[str]:
    """One ``apertium -u`` process over the batch, one sentence a line."""
    text = "".join(" ".join(s.split()) + "\n" for s in batch)
    out = subprocess.run(["apertium", "-u", mode], input=text.encode(), capture_output=True,
                         check=True).stdout.decode()
    return out.split("\n")[:len(batch)]


def isolation(engine: ApertiumEngine, source: str, target: str, batch: list[str],
              alone: int, seed: int, tagger: str) -> dict[str, int]:
    """Sentences whose translation changes with the batch's order, or from alone."""
    forward = engine.translate(batch, source, target)
    backward = engine.translate(batch[::-1], source, target)[::-1]
    order = list(range(len(batch)))
    random.Random(seed).shuffle(order)
    shuffled = dict(zip(order, engine.translate([batch[i] for i in order], source, target)))
    differ = {"reversed": sum(a != b for a, b in zip(forward, backward)),
              "shuffled": sum(forward[i] != shuffled[i] for i in range(len(batch)))}
    fresh = 0
    for i in random.Random(seed).sample(range(len(batch)), min(alone, len(batch))):
        own = ApertiumEngine(max_pipelines=1, tagger=tagger)
        try:
            fresh += own.translate([batch[i]], source, target)[0] != forward[i]
        finally:
            own.close()
    differ[f"alone ({min(alone, len(batch))})"] = fresh
    return differ


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def speed(engine: ApertiumEngine, mode: str, source: str, target: str, batch: list[str],
          rounds: int, tagger: str) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {"a": [], "b": [], "c": []}

    def cold():
        fresh = ApertiumEngine(max_pipelines=1, tagger=tagger)
        fresh.translate(batch, source, target)
        fresh.close()

    engine.translate(batch[:10], source, target)  # warm
    for _ in range(rounds):
        times["a"].append(timed(lambda: raw(mode, batch)))
        times["b"].append(timed(lambda: engine.translate(batch, source, target)))
        times["c"].append(timed(cold))
    return times


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blocks", type=int, default=400, help="prose blocks sampled per manual")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--alone", type=int, default=40,
                        help="sentences checked against a pipeline of their own, per mode")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--tagger", choices=["auto", "fix", "guard"], default="auto",
                        help="how the engine keeps apertium-tagger fresh (default: the fix)")
    parser.add_argument("--modes", nargs="+", default=["fr-es", "spa-eng", "eng-spa", "es-fr"])
    args = parser.parse_args(argv)

    engine = ApertiumEngine(max_pipelines=1, tagger=args.tagger)
    french, english = sentences("fr", args.blocks, args.seed), sentences("en", args.blocks, args.seed)
    spanish_fr = [o.text for o in engine.translate(french, "fr", "es")]
    spanish_en = [o.text for o in engine.translate(english, "en", "es")]
    modes = [("fr-es", "fr", "es", french), ("spa-eng", "es", "en", spanish_fr),
             ("eng-spa", "en", "es", english), ("es-fr", "es", "fr", spanish_en)]
    ok = True
    print(f"{len(french)} French and {len(english)} English sentences; rounds of (a) raw "
          f"apertium -u, (b) engine warm, (c) engine cold; seconds: median [min-max]")
    for mode, source, target, batch in modes:
        if mode not in args.modes:
            continue
        differ = isolation(engine, source, target, batch, args.alone, args.seed, args.tagger)
        times = speed(engine, mode, source, target, batch, args.rounds, args.tagger)
        med = {k: statistics.median(v) for k, v in times.items()}
        spread = {k: f"{med[k]:.2f} [{min(v):.2f}-{max(v):.2f}]" for k, v in times.items()}
        ratio = med["a"] / med["b"]
        ok = ok and ratio >= 0.9 and not any(differ.values())
        print(f"{mode:8} {len(batch):5} sentences  differ: "
              + ", ".join(f"{k} {v}" for k, v in differ.items())
              + f"\n         (a) {spread['a']}  (b) {spread['b']}  (c) {spread['c']}"
              f"  (b)/(a) speed {ratio:.2f}  (c)/(a) {med['a'] / med['c']:.2f}")
    engine.close()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
