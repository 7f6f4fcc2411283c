"""Where inline marks land: HTML placement (translator/formats/markup.py) measured on the
sample article, on Apertium and on CTranslate2.

Every sentence of the article (segmented as the pipeline does) becomes a ``<p>``; each
``<p>`` holds one ``<b>`` mark: one per word of 5+ letters ("word" marks; the set-up of the
first figure in docs/api.md) and, seeded, four runs of 2-3 words per sentence ("phrase"
marks: verb groups and names, where a translation alone gains words). One HTML document
holds them all and goes through ``translate_html`` with the pipeline as its engine, as
``format: html`` and ``.html`` files do. Each mark ends:

- **kept whole**: around the whole block, with a warning;
- **placed, confirmed**: the translations of the words before the mark (P) and of P plus
  the mark (P+M) both begin the sentence's translation, so the mark's words are known
  (their difference) and the tag is exactly on them;
- **placed, wrong**: that evidence exists (one side or both) and the tag covers a word of
  P's translation or one past P+M's (the audit's ``<b>It has eaten</b> the apple.``), or
  misses the difference;
- **placed, unverified**: no such evidence; these are listed with ``--show``, to be read.

The "audit" marks are judged against their words in Apertium's translation, read by hand.

The judge needs no reference translation, but it is the same evidence the current method
places with: a method that places only on that evidence is "confirmed" by construction;
what the judge shows is the wrong placements of a method that does not (the one before).

Engines: ``apertium`` (fr->es->en, the default route); ``copy`` and ``random``:
CTranslate2 on the synthetic fr->en models of translator/testing.py. The copy model
writes each sentence back (monotone, no reordering): it shows the CTranslate2 path works
end to end (probe batch, tokens, offsets) and that every mark is placed where the engine
keeps word order, and nothing about reordering. The random model writes meaningless text
that no piece of context begins or ends: it shows what happens when nothing matches (every
mark kept whole, none on wrong words). Neither stands for a trained model's placement rate.

    python benchmarks/html_placement.py                    # apertium
    python benchmarks/html_placement.py --engine copy --engine random
    python benchmarks/html_placement.py --show 20          # unverified placements to read
"""

from __future__ import annotations

import argparse
import html
import json
import random
import re
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from translator.formats.markup import translate_html  # noqa: E402
from translator.pipeline import Pipeline  # noqa: E402
from translator.segment import segment  # noqa: E402
from translator.settings import Settings  # noqa: E402

SAMPLE = Path("/work/shared/samples/sggp-putin-dprk.fr.txt")
WORD = re.compile(r"[^\W\d_]{5,}")
TOKEN = re.compile(r"\w+|[^\w\s]")
MARKED = re.compile(r"<p>(.*?)</p>", re.DOTALL)
#: short sentences with a subject pronoun, the marks on their verbs ("audit" marks): where a
#: verb translated alone gains a subject (the sample article has few such sentences)
#: (sentence, marked words, their words in Apertium's translation: read by hand)
AUDIT = [("Il a mangé la pomme.", "a mangé", "has eaten"),
         ("Nous mangeons des pommes.", "mangeons", "eat"),
         ("Nous sommes prêts à collaborer.", "sommes prêts", "are ready"),
         ("Elle dort.", "dort", "sleeps"), ("Ils ont signé un accord.", "ont signé", "have signed"),
         ("Hier, nous avons parlé.", "avons parlé", "have spoken"),
         ("Il pleut sur Hanoï.", "pleut", "rains"), ("Vous partez demain.", "partez", "leave")]


def marks(text: str, seed: int) -> list[tuple[str, str, int, int]]:
    """(kind, sentence, start, end) of every mark: each 5+ letter word, four seeded phrases."""
    rng = random.Random(seed)
    out = []
    for sentence in segment(text, "fr"):
        s = sentence.text
        out += [("word", s, m.start(), m.end()) for m in WORD.finditer(s)]
        words = list(re.finditer(r"\S+", s))
        for _ in range(4):
            if len(words) < 4:
                break
            length = rng.choice((2, 3))
            first = rng.randrange(0, len(words) - length)
            start, end = words[first].start(), words[first + length - 1].end()
            while end > start and not s[end - 1].isalnum():
                end -= 1  # the punctuation after a word stays out of the mark
            out.append(("phrase", s, start, end))
    for s, words, _ in AUDIT:
        out.append(("audit", s, s.index(words), s.index(words) + len(words)))
    return out


def document(items) -> str:
    return "\n".join(f"<p>{html.escape(s[:a])}<b>{html.escape(s[a:b])}</b>{html.escape(s[b:])}</p>"
                     for _, s, a, b in items)


def tokens(text: str) -> list[str]:
    return [t.casefold() for t in TOKEN.findall(text)]


def judge(translate, sentence: str, start: int, end: int, out: str, read: bool) -> str:
    """One mark's outcome (the module docstring)."""
    inner = re.sub(r"</?b>", "", out)
    if out.startswith("<b>") and out.endswith("</b>") and out.count("<b>") == 1:
        return "kept whole"
    if "<b>" not in out:
        return "lost"
    placed = out.index("<b>"), out.index("</b>") - 3
    gold = {(s, w): g for s, w, g in AUDIT}.get((sentence, sentence[start:end]))
    if gold is not None and read:  # read by hand, on Apertium's translation
        return "placed, confirmed" if inner[placed[0]:placed[1]] == gold else "placed, wrong"
    target = html.unescape(inner)
    spans = [m.span() for m in TOKEN.finditer(target)]
    first = sum(1 for a, _ in spans if a < len(html.unescape(inner[:placed[0]])))
    last = sum(1 for a, _ in spans if a < len(html.unescape(inner[:placed[1]])))
    body = tokens(target)
    before, with_words = (sentence[:start].strip(), sentence[:end].strip())
    tp = tokens(translate([before])[0]) if before else []
    tpm = tokens(translate([with_words])[0])
    starts = body[:len(tp)] == tp
    ends = len(tpm) > len(tp) and body[:len(tpm)] == tpm
    if starts and ends:
        return "placed, confirmed" if (first, last) == (len(tp), len(tpm)) else "placed, wrong"
    if (starts and first < len(tp)) or (ends and last > len(tpm)):
        return "placed, wrong"
    return "placed, unverified"


class Memo:
    """The pipeline as a ``translate`` callable, each distinct text translated once."""

    def __init__(self, pipeline: Pipeline):
        self.pipeline, self.done, self.calls = pipeline, {}, 0

    def __call__(self, texts):
        self.calls += 1
        fresh = [t for t in dict.fromkeys(texts) if t not in self.done and t.strip()]
        if fresh:
            results = self.pipeline.translate_many(fresh, "en", "fr", None)
            self.done.update((t, r.target_text) for t, r in zip(fresh, results))
        return [self.done.get(t, t) for t in texts]


def pipeline_for(engine: str, work: Path) -> Pipeline:
    if engine == "apertium":
        return Pipeline.from_settings(Settings(models_dir=work / "models",
                                               argos_packages_dir=work / "argos",
                                               glossary="none"))
    from translator import testing

    packages = work / "argos"
    packages.mkdir(exist_ok=True)
    testing.build_argos_package(packages / f"translate-fr_en-{engine}", "fr", "en",
                                copy=engine == "copy", seed=11)
    # Random weights never stop early: a sentence's worth of tokens is enough to show it.
    decoding = {} if engine == "copy" else {"max_decoding_length": 48}
    return Pipeline.from_settings(Settings(models_dir=work / "models", argos_packages_dir=packages,
                                           apertium=False, glossary="none",
                                           decode_options=json.dumps(decoding)))


def run(engine: str, items, show: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        pipeline = pipeline_for(engine, Path(folder))
        try:
            plain = time.perf_counter()
            pipeline.translate_many(sorted({s for _, s, _, _ in items}), "en", "fr", None)
            plain = time.perf_counter() - plain
            memo = Memo(pipeline)
            began = time.perf_counter()
            out, warnings = translate_html(document(items), memo)
            took = time.perf_counter() - began
            calls = memo.calls
            outcomes: dict[str, Counter] = {"word": Counter(), "phrase": Counter(),
                                            "audit": Counter()}
            unverified = []
            for (kind, s, a, b), block in zip(items, MARKED.findall(out)):
                outcome = judge(memo, s, a, b, block, engine == "apertium")
                outcomes[kind][outcome] += 1
                if outcome in ("placed, unverified", "placed, wrong"):
                    unverified.append((outcome, s[a:b], block))
        finally:
            pipeline.close()
    print(f"\n{engine}: {len(items)} marks in {len({s for _, s, _, _ in items})} sentences; "
          f"{len(warnings)} warnings; translate_html {took:.2f} s in {calls} engine calls "
          f"(the sentences alone: {plain:.2f} s)")
    for kind, counts in outcomes.items():
        total = sum(counts.values())
        print(f"  {kind:6} {total:4}: " + ", ".join(f"{name} {counts[name]}" for name in (
            "placed, confirmed", "placed, unverified", "placed, wrong", "kept whole", "lost")))
    for outcome, words, block in unverified[:show]:
        print(f"    {outcome}: {words!r} -> {block}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", action="append", choices=("apertium", "copy", "random"))
    parser.add_argument("--sample", type=Path, default=SAMPLE)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--show", type=int, default=0, help="placements to print (unverified, wrong)")
    args = parser.parse_args(argv)
    items = marks(args.sample.read_text(encoding="utf-8"), args.seed)
    for engine in args.engine or ["apertium"]:
        run(engine, items, args.show)
    return 0


if __name__ == "__main__":
    sys.exit(main())
