"""Which pivot gives better French<->English with Apertium: Spanish or Catalan?

With ``apertium-fr-es`` and ``apertium-eng-spa`` installed, fr->en is fr->es->en; add
``apertium-fra-cat`` and ``apertium-eng-cat`` and fr->ca->en costs exactly the same.
This measures both routes (and en->es->fr against en->ca->fr), step by step through the
project's own engine (``ApertiumEngine.translate``: warm null-flush pipelines, one
sentence a unit), on real parallel text that no one on the team wrote.

Data:

* Debian's manuals translated with po4a (maint-guide, developers-reference,
  debian-reference, debian-faq, en/fr), loaded by ``align_eval.py`` (which fetches the
  packages with ``apt-get download`` into ``benchmarks/.cache/align/``, git-ignored):
  the k-th French block translates the k-th English block. The same prose filters as
  ``align_eval.py`` (no code listings, no table cells, nothing left untranslated);
  identical (fr, en) pairs counted once; a seeded sample of ``--blocks`` blocks per
  manual, the same blocks in both directions. A block is cut into sentences with
  ``translator.segment.segment``, each sentence is translated alone, and the block's
  translation is its sentences' joined with spaces: one hypothesis per block.
* The project's news set, ``tests/data/align/{floods,inflation}.{fr,en}.txt``: whole
  articles, segmented the same way and compared whole (one hypothesis per article):
  the two sides are translations of each other, but not sentence by sentence.

Scores: sacrebleu's corpus chrF (chrF2, character 6-grams) and BLEU (13a tokenizer)
against the reference, per corpus and over everything (``all``: every block and article
pooled). The difference between the pivots is tested with a paired bootstrap
(``--samples`` resamples of the corpus's units, the same resample for both routes, as
sacrebleu's ``--paired-bs``): the 95 % interval of ``es - ca`` and the share of
resamples the Spanish pivot wins. ``blocks es>ca`` counts the units whose sentence chrF is
higher through Spanish / through Catalan. Too few news articles for a bootstrap: their
line tells only which pivot won.

Unknown words: Apertium's ``*`` marks, which the engine returns as leftovers, per step:
``unk1`` the source words the first step did not know, ``unk2`` the words of the pivot
text the second step did not know *and that were not already unknown at step 1* (an
unknown word passes through and is marked again), ``gen/tr`` generation (``#``) and
transfer (``@``) errors over both steps. Timings: seconds of each step over the whole
run, every mode warmed up first (a pipeline's start-up is not counted); two shared
cores, so compare ratios in one run.

Batch order: in null-flush mode some Apertium modes carry a little state from one
sentence to the next (measured: reversing the order of a batch changes 0-6 % of the
sentences of es-fr, ca-fr, ca-en, fr-ca; none of fr-es, es-en). Reversing the whole
run's order moved the pooled scores by under 0.1 chrF: far less than the gaps measured.

Usage::

    pip install -e '.[bench]'     # sacrebleu
    python benchmarks/pivot_quality.py                       # 300 blocks a manual, both directions
    python benchmarks/pivot_quality.py --blocks 100 --directions fr-en --examples 5
    python benchmarks/pivot_quality.py --directions en-fr --exclude packag   # without "package"

Not part of the test suite (it downloads Debian packages and takes minutes).
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from align_eval import CORPORA, bitext_units, load_corpus  # noqa: E402
from translator.engines.apertium import ApertiumEngine  # noqa: E402
from translator.segment import segment  # noqa: E402

NEWS = ROOT / "tests" / "data" / "align"
NEWS_DOCS = ["floods", "inflation"]
DIRECTIONS = ["fr-en", "en-fr"]
PIVOTS = ["es", "ca"]


# --------------------------------------------------------------------------- data


@dataclass
class Corpus:
    """Parallel units (blocks or whole articles) of one corpus, fr and en side by side."""

    name: str
    fr: list[str]
    en: list[str]
    documents: bool = False  # units are whole articles (no bootstrap on two units)


def manual_sample(name: str, n: int, seed: int) -> Corpus:
    """A seeded sample of ``n`` distinct prose block pairs of one Debian manual."""
    chapters = load_corpus(name, ("fr", "en"))
    units = list(dict.fromkeys(u for ch in chapters for u in bitext_units(ch, "fr", "en")))
    rng = random.Random(f"{seed}:{name}")
    picked = sorted(rng.sample(range(len(units)), min(n, len(units))))
    return Corpus(name, [units[i][0] for i in picked], [units[i][1] for i in picked])


def news() -> Corpus:
    texts = {lang: [(NEWS / f"{doc}.{lang}.txt").read_text(encoding="utf-8") for doc in NEWS_DOCS]
             for lang in ("fr", "en")}
    return Corpus("news (2 articles)", texts["fr"], texts["en"], documents=True)


# --------------------------------------------------------------------------- translation


@dataclass
class RouteRun:
    """One route's translations of one corpus, and what it cost."""

    hypotheses: list[str]
    unknown_first: int = 0
    unknown_second: int = 0
    errors: int = 0  # generation and transfer marks, both steps
    seconds: list[float] = field(default_factory=lambda: [0.0, 0.0])
    sentences: int = 0


def _words(output, kind=None):
    return [output.text[lo.start:lo.end] for lo in output.leftovers
            if kind is None or lo.kind == kind]


def translate_units(engine: ApertiumEngine, units: list[str], source: str, pivot: str,
                    target: str) -> RouteRun:
    """Every unit cut into sentences, each sentence through ``source -> pivot -> target``."""
    sentences, owner = [], []
    for u, text in enumerate(units):
        for s in segment(text, source):
            sentences.append(" ".join(s.text.split()))
            owner.append(u)
    run = RouteRun([], sentences=len(sentences))
    started = time.perf_counter()
    first = engine.translate(sentences, source, pivot)
    run.seconds[0] = time.perf_counter() - started
    started = time.perf_counter()
    second = engine.translate([o.text for o in first], pivot, target)
    run.seconds[1] = time.perf_counter() - started
    for a, b in zip(first, second):
        carried = {w.lower() for w in _words(a, "unknown")}
        run.unknown_first += len(_words(a, "unknown"))
        run.unknown_second += sum(1 for w in _words(b, "unknown") if w.lower() not in carried)
        run.errors += sum(1 for o in (a, b) for lo in o.leftovers if lo.kind != "unknown")
    joined: dict[int, list[str]] = defaultdict(list)
    for o, u in zip(second, owner):
        joined[u].append(o.text)
    run.hypotheses = [" ".join(joined[u]) for u in range(len(units))]
    return run


def warm_up(engine: ApertiumEngine, directions: list[str], pivots: list[str]) -> None:
    """Start every mode's pipeline, so that timings are translation, not start-up."""
    for direction in directions:
        source, target = direction.split("-")
        for pivot in pivots:
            engine.translate(["Bonjour." if source == "fr" else "Hello."], source, pivot)
            engine.translate(["Hola."], pivot, target)


# --------------------------------------------------------------------------- scores


def _metrics():
    from sacrebleu.metrics import BLEU, CHRF

    return {"chrF": CHRF(), "BLEU": BLEU()}


def corpus_scores(hypotheses: list[str], references: list[str]) -> dict[str, float]:
    return {name: m.corpus_score(hypotheses, [references]).score for name, m in _metrics().items()}


def paired_bootstrap(hyps_a, hyps_b, references, samples: int, seed: int) -> dict:
    """95 % interval of score(a) - score(b) and the share of resamples a wins, per metric.

    Resamples units with replacement and recomputes each corpus score from per-unit
    sufficient statistics, as sacrebleu's own paired bootstrap does.
    """
    # The metrics' statistics hooks are the ones sacrebleu.significance uses; its
    # PairedTest gives a p-value of |a - b| but neither the sign nor an interval.
    rng = np.random.default_rng(seed)
    idx = rng.choice(len(references), size=(samples, len(references)), replace=True)
    out = {}
    for name, metric in _metrics().items():
        stats = [np.array(metric._extract_corpus_statistics(h, [references]), dtype="float64")
                 for h in (hyps_a, hyps_b)]
        diffs = np.array([metric._compute_score_from_stats(list(stats[0][i].sum(0))).score
                          - metric._compute_score_from_stats(list(stats[1][i].sum(0))).score
                          for i in idx])
        out[name] = {"low": float(np.percentile(diffs, 2.5)),
                     "high": float(np.percentile(diffs, 97.5)),
                     "wins": float((diffs > 0).mean())}
    return out


def unit_wins(hyps_a, hyps_b, references) -> tuple[int, int]:
    """Units whose sentence chrF is higher through a / through b."""
    from sacrebleu.metrics import CHRF

    chrf = CHRF()
    a = b = 0
    for ha, hb, ref in zip(hyps_a, hyps_b, references):
        sa, sb = chrf.sentence_score(ha, [ref]).score, chrf.sentence_score(hb, [ref]).score
        a += sa > sb
        b += sb > sa
    return a, b


# --------------------------------------------------------------------------- the run


def _words_in(texts: list[str]) -> int:
    return sum(len(t.split()) for t in texts)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blocks", type=int, default=300, help="sampled blocks per manual")
    parser.add_argument("--corpora", nargs="+", default=list(CORPORA))
    parser.add_argument("--no-news", action="store_true", help="leave out the news articles")
    parser.add_argument("--directions", nargs="+", default=DIRECTIONS)
    parser.add_argument("--pivots", nargs=2, default=PIVOTS, metavar=("A", "B"),
                        help="the two pivots compared (the bootstrap tests A - B)")
    parser.add_argument("--samples", type=int, default=1000, help="bootstrap resamples")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--exclude", metavar="REGEX",
                        help="leave out the units whose source text matches (e.g. 'packag')")
    parser.add_argument("--examples", type=int, default=0,
                        help="print this many units per corpus where the pivots differ most")
    args = parser.parse_args(argv)
    pa, pb = args.pivots

    corpora = [manual_sample(name, args.blocks, args.seed) for name in args.corpora]
    if not args.no_news:
        corpora.append(news())
    engine = ApertiumEngine()
    missing = [f"{s}-{t}" for d in args.directions for p in args.pivots
               for s, t in ((d.split("-")[0], p), (p, d.split("-")[1]))
               if (s, t) not in engine.pairs()]
    if missing:
        print(f"apertium lacks the modes {' '.join(missing)}", file=sys.stderr)
        return 2
    warm_up(engine, args.directions, args.pivots)
    try:
        for direction in args.directions:
            run_direction(engine, corpora, direction, pa, pb, args)
    finally:
        engine.close()
    return 0


def run_direction(engine, corpora: list[Corpus], direction: str, pa: str, pb: str, args) -> None:
    source, target = direction.split("-")
    print(f"\n{direction}: {source}->{pa}->{target} against {source}->{pb}->{target}")
    print(f"{'corpus':<21} {'units':>5} {'words':>6} {'pivot':>5} {'chrF':>6} {'BLEU':>6} "
          f"{'unk1':>5} {'unk2':>5} {'gen/tr':>6} {'step1 s':>7} {'step2 s':>7}")
    pooled: dict[str, list[str]] = {pa: [], pb: []}
    pooled_refs: list[str] = []
    totals = {p: RouteRun([]) for p in (pa, pb)}
    verdicts = []
    words_by_corpus = []
    for corpus in corpora:
        sources = corpus.fr if source == "fr" else corpus.en
        references = corpus.en if target == "en" else corpus.fr
        if args.exclude:
            kept = [k for k, text in enumerate(sources) if not re.search(args.exclude, text)]
            sources, references = [sources[k] for k in kept], [references[k] for k in kept]
        runs = {p: translate_units(engine, sources, source, p, target) for p in (pa, pb)}
        words = _words_in(sources)
        words_by_corpus.append(words)
        for p, run in runs.items():
            s = corpus_scores(run.hypotheses, references)
            print(f"{corpus.name:<21} {len(sources):>5} {words:>6} {p:>5} {s['chrF']:>6.2f} "
                  f"{s['BLEU']:>6.2f} {run.unknown_first:>5} {run.unknown_second:>5} "
                  f"{run.errors:>6} {run.seconds[0]:>7.2f} {run.seconds[1]:>7.2f}")
            pooled[p] += run.hypotheses
            t = totals[p]
            t.unknown_first += run.unknown_first
            t.unknown_second += run.unknown_second
            t.errors += run.errors
            t.sentences += run.sentences
            t.seconds = [t.seconds[0] + run.seconds[0], t.seconds[1] + run.seconds[1]]
        pooled_refs += references
        verdicts.append(compare(corpus.name, runs[pa].hypotheses, runs[pb].hypotheses,
                                references, pa, pb, args, corpus.documents))
        if args.examples:
            show_examples(sources, references, runs, pa, pb, args.examples)
    words = sum(words_by_corpus)
    for p in (pa, pb):
        s = corpus_scores(pooled[p], pooled_refs)
        t = totals[p]
        print(f"{'all':<21} {len(pooled_refs):>5} {words:>6} {p:>5} {s['chrF']:>6.2f} "
              f"{s['BLEU']:>6.2f} {t.unknown_first:>5} {t.unknown_second:>5} {t.errors:>6} "
              f"{t.seconds[0]:>7.2f} {t.seconds[1]:>7.2f}"
              f"   ({1000 * sum(t.seconds) / max(t.sentences, 1):.1f} ms a sentence, "
              f"{t.sentences} sentences)")
    verdicts.append(compare("all", pooled[pa], pooled[pb], pooled_refs, pa, pb, args, False))
    print(f"\n{pa} - {pb}, paired bootstrap ({args.samples} resamples): 95 % interval, "
          f"share of resamples {pa} wins; units with higher sentence chrF")
    for line in verdicts:
        print(line)


def compare(name, hyps_a, hyps_b, references, pa, pb, args, documents: bool) -> str:
    """One line: the score differences a - b, their bootstrap interval, the units each wins."""
    a, b = unit_wins(hyps_a, hyps_b, references)
    score_a, score_b = corpus_scores(hyps_a, references), corpus_scores(hyps_b, references)
    delta = {k: score_a[k] - score_b[k] for k in ("chrF", "BLEU")}
    if documents:
        return (f"  {name:<21} chrF {delta['chrF']:+6.2f}   BLEU {delta['BLEU']:+6.2f}   "
                f"(no bootstrap on {len(references)} articles)   "
                f"articles {pa}>{pb} {a}, {pb}>{pa} {b}")
    bs = paired_bootstrap(hyps_a, hyps_b, references, args.samples, args.seed)
    return f"  {name:<21} " + "   ".join(
        f"{k} {delta[k]:+6.2f} [{bs[k]['low']:+.2f}, {bs[k]['high']:+.2f}] "
        f"{pa} wins {bs[k]['wins']:.0%}" for k in ("chrF", "BLEU")
    ) + f"   units {pa}>{pb} {a}, {pb}>{pa} {b}"


def show_examples(sources, references, runs, pa, pb, n) -> None:
    from sacrebleu.metrics import CHRF

    chrf = CHRF()
    gaps = []
    for k, ref in enumerate(references):
        ha, hb = runs[pa].hypotheses[k], runs[pb].hypotheses[k]
        gap = chrf.sentence_score(ha, [ref]).score - chrf.sentence_score(hb, [ref]).score
        gaps.append((gap, k))
    gaps.sort()
    shown = sorted(set(gaps[:n // 2] + gaps[len(gaps) - (n - n // 2):]))
    for gap, k in shown:
        print(f"    [{gap:+.1f}] src: {sources[k][:200]}\n"
              f"            ref: {references[k][:200]}\n"
              f"            {pa}:  {runs[pa].hypotheses[k][:200]}\n"
              f"            {pb}:  {runs[pb].hypotheses[k][:200]}")


if __name__ == "__main__":
    sys.exit(main())
