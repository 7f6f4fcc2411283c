"""Sentence alignment, measured on real parallel text that no one on the team wrote.

Data: Debian's translated manuals, translated with po4a. po4a cuts the English
original into blocks (paragraphs, titles, list items, table cells), each block is
one PO entry (msgid) translated as a unit (msgstr), and the translated HTML is
rebuilt with exactly the original's structure. So the k-th block of a chapter in
French or Vietnamese is the translation of the k-th English block: the same gold
correspondence as the PO files, read from the installed HTML (a chapter whose
block counts differ between languages is skipped). vi<->fr pivots through the
English block.

=====================  =====================================================  ==========
corpus                 Debian packages                                        languages
=====================  =====================================================  ==========
maint-guide            maint-guide, maint-guide-fr, maint-guide-vi            en fr vi
developers-reference   developers-reference, developers-reference-fr          en fr
debian-reference       debian-reference-en, debian-reference-fr               en fr
debian-faq             debian-faq, debian-faq-fr                              en fr
=====================  =====================================================  ==========

The script fetches them itself into ``benchmarks/.cache/align/`` (git-ignored)::

    apt-get update    # once, as root
    apt-get download maint-guide maint-guide-fr maint-guide-vi developers-reference \\
        developers-reference-fr debian-reference-en debian-reference-fr debian-faq debian-faq-fr
    dpkg-deb -x PACKAGE_VERSION_all.deb benchmarks/.cache/align/PACKAGE

Blocks that are code (``<pre>``), table cells, empty, or left untranslated
(identical to the English, or to the other side) are dropped: they are not prose
bitext. A chapter is cut
into documents of at most ``--units`` blocks. Documents are laid out as

* ``running``: consecutive blocks grouped into paragraphs of about 1-4 blocks (same
  grouping on both sides; a block that does not end with a sentence terminator on
  either side, such as a title, ends its paragraph), paragraphs separated by a
  blank line;
* ``nopara``: ``running``, with the aligner's paragraph anchors switched off;
* ``flat``: every block of a document in one paragraph (titles and list items
  without a final period then run into the next sentence: a segmentation stress
  test, not in the default set);
* ``paragraphs``: one block a paragraph.

Perturbations, on the second (target) side, at random but seeded, known places:

* ``delete``: 6 % of the blocks removed (their source sentences become 1-0);
* ``insert``: a block from another chapter inserted after 6 % of the blocks that
  end with a sentence terminator (0-1);
* ``merge``: 6 % of adjacent block pairs made one sentence (terminator -> ``;``);
* ``split``: 6 % of the blocks split in two sentences at a comma near their middle;
* ``mixed``: all four at 4 % each;
* ``reflow``: ``mixed``, and the target's paragraphs re-cut: 15 % of paragraph
  breaks removed and 10 % of paragraphs split at a sentence end.

Gold beads: both texts are segmented with the translator's own segmenter; a
sentence covers one or more blocks (a title without a final period runs into the
next block, a merge joins two); blocks linked through a sentence on either side
form one unit, and a unit's source and target sentences form one gold bead
(a unit with sentences on one side only gives one 1-0 or 0-1 bead per sentence).
The sentence correspondence inside a unit with at least two sentences on both
sides, or three on one side, is unknown (po4a aligns blocks, not sentences): such
a unit is *ambiguous*, and predicted beads lying wholly inside it are merged before
comparison, so any alignment inside it that respects its borders counts as right.
Everything else is strict: a predicted bead is right when it is exactly a gold bead.
Precision = right predicted beads / predicted beads, recall = gold beads found /
gold beads.

Usage::

    python benchmarks/align_eval.py                       # every pair and condition
    python benchmarks/align_eval.py --pairs fr-en vi-fr --conditions running:mixed
    python benchmarks/align_eval.py --mt                  # + Apertium similarity for fr/en pairs

Not part of the test suite (it downloads Debian packages and takes minutes).
"""

from __future__ import annotations

import argparse
import dataclasses
import glob
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from translator.alignment import AlignOptions, align_texts  # noqa: E402
from translator.settings import Settings  # noqa: E402

CACHE = ROOT / "benchmarks" / ".cache" / "align"

# corpus -> language -> (package, glob of chapter files inside the package, chapter key regex)
CORPORA = {
    "maint-guide": {
        "en": ("maint-guide", "usr/share/doc/maint-guide/html/*.en.html"),
        "fr": ("maint-guide-fr", "usr/share/doc/maint-guide-fr/html/*.fr.html"),
        "vi": ("maint-guide-vi", "usr/share/doc/maint-guide-vi/html/*.vi.html"),
    },
    "developers-reference": {
        "en": ("developers-reference", "usr/share/developers-reference/*.html"),
        "fr": ("developers-reference-fr", "usr/share/developers-reference/fr/*.html"),
    },
    "debian-reference": {
        "en": ("debian-reference-en", "usr/share/debian-reference/*.en.html"),
        "fr": ("debian-reference-fr", "usr/share/debian-reference/*.fr.html"),
    },
    "debian-faq": {
        "en": ("debian-faq", "usr/share/doc/debian/FAQ/*.en.html"),
        "fr": ("debian-faq-fr", "usr/share/doc/debian/FAQ/fr/*.fr.html"),
    },
}
SKIP_CHAPTERS = {"search", "genindex", "index"}  # tables of contents and search pages

PAIRS = ["fr-en", "en-fr", "vi-fr", "fr-vi", "vi-en", "en-vi"]
CONDITIONS = ["running:clean", "running:delete", "running:insert", "running:merge",
              "running:split", "running:mixed", "nopara:mixed", "paragraphs:reflow"]
RATE = 0.06
MIXED_RATE = 0.04


# --------------------------------------------------------------------------- data


def fetch(packages: list[str]) -> None:
    """apt-get download + dpkg-deb -x every package not yet in the cache."""
    missing = [p for p in packages if not (CACHE / p).is_dir()]
    if not missing:
        return
    CACHE.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        os.chmod(tmp, 0o777)  # apt's download user must be able to write there
        print(f"downloading {' '.join(missing)} ...", file=sys.stderr)
        subprocess.run(["apt-get", "download", *missing], cwd=tmp, check=True,
                       stdout=subprocess.DEVNULL)
        for package in missing:
            deb = glob.glob(os.path.join(tmp, f"{package}_*.deb"))[0]
            target = CACHE / package
            subprocess.run(["dpkg-deb", "-x", deb, str(target) + ".part"], check=True)
            os.replace(str(target) + ".part", target)


_BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dt", "dd", "td", "th", "title", "pre",
           "caption"}


class _BlockText(HTMLParser):
    """Text of every leaf block of an HTML page, in document order ('pre' marked)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[list] = []
        self.blocks: list[tuple[str, str]] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1
        if tag in _BLOCKS:
            if self.stack:
                self.stack[-1][1].append("\x00")  # a nested block cuts its parent
            self.stack.append([tag, []])

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skip -= 1
        if tag in _BLOCKS and self.stack and self.stack[-1][0] == tag:
            name, parts = self.stack.pop()
            for piece in "".join(parts).split("\x00"):
                if piece.strip():
                    self.blocks.append((name, " ".join(piece.split())))

    def handle_data(self, data):
        if not self.skip and self.stack:
            self.stack[-1][1].append(data)


_NOT_PROSE = {"pre", "td", "th"}  # code listings and table cells


def blocks(path: Path) -> list[tuple[str, str]]:
    parser = _BlockText()
    parser.feed(path.read_text(encoding="utf-8", errors="replace"))
    return parser.blocks


def _chapter_key(path: str) -> str:
    name = os.path.basename(path)
    return re.sub(r"\.(en|fr|vi)\.html$|\.html$", "", name)


def load_corpus(name: str, langs: tuple[str, ...]) -> list[list[dict[str, str]]]:
    """Chapters as lists of blocks {lang: text} (English always kept, as the pivot)."""
    spec = CORPORA[name]
    if not all(lang in spec for lang in langs):
        return []
    wanted = sorted(set(langs) | {"en"})
    fetch([spec[lang][0] for lang in wanted])
    files = {lang: {_chapter_key(p): Path(p)
                    for p in glob.glob(str(CACHE / spec[lang][0] / spec[lang][1]))}
             for lang in wanted}
    chapters = []
    for key in sorted(files["en"]):
        if key in SKIP_CHAPTERS or not all(key in files[lang] for lang in wanted):
            continue
        per_lang = {lang: blocks(files[lang][key]) for lang in wanted}
        counts = {len(b) for b in per_lang.values()}
        if len(counts) != 1:
            continue  # structure differs: no trustworthy gold
        chapter = []
        for k in range(counts.pop()):
            if any(per_lang[lang][k][0] in _NOT_PROSE for lang in wanted):
                continue
            chapter.append({lang: per_lang[lang][k][1] for lang in wanted})
        chapters.append(chapter)
    return chapters


def bitext_units(chapter, a: str, b: str) -> list[tuple[str, str]]:
    """(a, b) block pairs that are real translations: non-empty, translated."""
    out = []
    for unit in chapter:
        ta, tb, en = unit[a], unit[b], unit["en"]
        if not ta.strip() or not tb.strip() or ta == tb:
            continue
        if (a != "en" and ta == en) or (b != "en" and tb == en):
            continue  # left untranslated: not in the language it claims
        if not re.search(r"[^\W\d_]", ta):
            continue
        out.append((ta, tb))
    return out


# --------------------------------------------------------------------------- documents


_ENDS_SENTENCE = re.compile(r"[.!?…][\s»”\"')\]]*$")
_TERMINATOR = re.compile(r"[.!?…:;]+(?=[\s»”\"')\]]*$)")


def _merge(first: str, second: str) -> str:
    first = _TERMINATOR.sub("", first.rstrip()).rstrip()
    if len(second) > 1 and second[0].isupper() and second[1].islower():
        second = second[0].lower() + second[1:]
    return f"{first}; {second}"


def _split(text: str) -> str | None:
    commas = [m.start() for m in re.finditer(r", (?=[^\W\d_])", text)]
    middle = [c for c in commas if 0.3 * len(text) < c < 0.7 * len(text)]
    if not middle:
        return None
    c = min(middle, key=lambda x: abs(x - len(text) / 2))
    rest = text[c + 2:]
    return text[:c] + ". " + rest[0].upper() + rest[1:]


def perturb(units, kind: str, rng: random.Random, foreign: list[str]):
    """Target pieces: (text, ids of the source units it translates) in order."""
    rate = MIXED_RATE if kind in ("mixed", "reflow") else RATE
    ops = {"delete", "insert", "merge", "split"} if kind in ("mixed", "reflow") else {kind}
    pieces: list[tuple[str, tuple[int, ...]]] = []
    k = 0
    inserted = 0
    while k < len(units):
        text = units[k][1]
        ids: tuple[int, ...] = (k,)
        roll = rng.random()
        if "delete" in ops and roll < rate:
            k += 1
            continue
        if "merge" in ops and rate <= roll < 2 * rate and k + 1 < len(units):
            text = _merge(text, units[k + 1][1])
            ids = (k, k + 1)
            k += 1
        elif "split" in ops and 2 * rate <= roll < 3 * rate:
            text = _split(text) or text
        pieces.append((text, ids))
        if "insert" in ops and rng.random() < rate and foreign and _ENDS_SENTENCE.search(text):
            inserted += 1
            pieces.append((rng.choice(foreign), (-inserted,)))
        k += 1
    return pieces


def compose(pieces, layout: str, groups: list[int], rng: random.Random | None = None,
            reflow: bool = False):
    """Text and the span of every piece. ``groups``: paragraph number of each piece."""
    text, spans = [], []
    pos = 0
    for index, (piece, _) in enumerate(pieces):
        if index:
            sep = " "
            if layout == "paragraphs" or (layout == "running" and groups[index] != groups[index - 1]):
                sep = "\n\n"
            if reflow and rng is not None and sep == "\n\n" and rng.random() < 0.15:
                sep = " "
            text.append(sep)
            pos += len(sep)
        if reflow and rng is not None and rng.random() < 0.10:
            piece = re.sub(r"(?<=[.!?]) (?=[A-ZÀ-Ỹ])", "\n\n", piece, count=1)
        spans.append((pos, pos + len(piece)))
        text.append(piece)
        pos += len(piece)
    return "".join(text), spans


def _owners(sentences, spans) -> list[set[int]]:
    """Indices of the pieces each sentence overlaps."""
    out = []
    k = 0
    for s in sentences:
        while k < len(spans) and spans[k][1] <= s.start:
            k += 1
        owners = set()
        x = k
        while x < len(spans) and spans[x][0] < s.end:
            owners.add(x)
            x += 1
        out.append(owners)
    return out


def gold_beads(src_sents, src_spans, src_ids, tgt_sents, tgt_spans, tgt_ids):
    """Gold beads (frozenset source, frozenset target, ambiguous) from unit ids."""
    parent: dict = {}

    def find(x):
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(items):
        items = list(items)
        for other in items[1:]:
            parent[find(other)] = find(items[0])

    src_units = [{u for p in owners for u in src_ids[p]} for owners in _owners(src_sents, src_spans)]
    tgt_units = [{u for p in owners for u in tgt_ids[p]} for owners in _owners(tgt_sents, tgt_spans)]
    for units in src_units + tgt_units:
        union(units)
    groups: dict = defaultdict(lambda: ([], []))
    for i, units in enumerate(src_units):
        groups[find(next(iter(units)))][0].append(i)
    for j, units in enumerate(tgt_units):
        groups[find(next(iter(units)))][1].append(j)
    gold = []
    for s, t in groups.values():
        if s and t:
            ambiguous = min(len(s), len(t)) >= 2 or max(len(s), len(t)) >= 3
            gold.append((frozenset(s), frozenset(t), ambiguous))
        else:
            gold += [(frozenset([i]), frozenset(), False) for i in s]
            gold += [(frozenset(), frozenset([j]), False) for j in t]
    return gold


def score(predicted, gold) -> tuple[int, int, int]:
    """(right predicted beads, predicted beads, gold beads, wrong beads), predicted
    beads lying wholly inside one ambiguous gold unit being merged first."""
    owner_s, owner_t = {}, {}
    for g, (s, t, ambiguous) in enumerate(gold):
        if ambiguous:
            for i in s:
                owner_s[i] = g
            for j in t:
                owner_t[j] = g
    merged: dict[int, tuple[set, set]] = {}
    final = []
    for s, t in predicted:
        owners = {owner_s.get(i) for i in s} | {owner_t.get(j) for j in t}
        if len(owners) == 1 and None not in owners:
            g = owners.pop()
            bucket = merged.setdefault(g, (set(), set()))
            bucket[0].update(s)
            bucket[1].update(t)
        else:
            final.append((frozenset(s), frozenset(t)))
    final += [(frozenset(s), frozenset(t)) for s, t in merged.values()]
    gold_set = {(s, t) for s, t, _ in gold}
    wrong = [bead for bead in final if bead not in gold_set]
    return len(final) - len(wrong), len(final), len(gold_set), wrong


# --------------------------------------------------------------------------- the run


def documents(chapters, a, b, max_units, seed):
    """(source units, target units of other chapters) per document."""
    rng = random.Random(seed)
    pairs = [bitext_units(ch, a, b) for ch in chapters]
    docs = []
    for c, units in enumerate(pairs):
        foreign = [u[1] for cc, other in enumerate(pairs) if cc != c for u in other]
        for start in range(0, len(units), max_units):
            chunk = units[start:start + max_units]
            if len(chunk) >= 8:
                docs.append((chunk, rng.sample(foreign, min(200, len(foreign)))))
    return docs


def paragraph_groups(units, rng):
    """Paragraph number of each block: 1-4 blocks a paragraph; a block that does not
    end a sentence on either side (a title, a list item) ends its paragraph, as on a page."""
    groups, g = [], 0
    for k in range(len(units)):
        if k and (rng.random() < 0.4 or not all(_ENDS_SENTENCE.search(t) for t in units[k - 1])):
            g += 1
        groups.append(g)
    return groups


def run_condition(docs, a, b, condition, seed, translate=None, options=None):
    layout, kind = condition.split(":")
    options = options or AlignOptions()
    if layout == "nopara":  # the running layout, paragraph anchors off
        layout, options = "running", dataclasses.replace(options, paragraphs=False)
    totals = [0, 0, 0, 0]
    seconds = 0.0
    sentences = 0
    flagged_wrong = flagged = 0
    settings = Settings(max_chars=10_000_000)
    for d, (units, foreign) in enumerate(docs):
        rng = random.Random(f"{seed}:{condition}:{a}-{b}:{d}")
        groups = paragraph_groups(units, rng)
        src_pieces = [(u[0], (k,)) for k, u in enumerate(units)]
        tgt_pieces = [(u[1], (k,)) for k, u in enumerate(units)] if kind == "clean" else \
            perturb(units, kind, rng, foreign)
        # target paragraphs follow the source blocks they translate
        tgt_groups = [groups[ids[0]] if ids[0] >= 0 else -1 for _, ids in tgt_pieces]
        for x in range(len(tgt_groups)):
            if tgt_groups[x] < 0:
                tgt_groups[x] = tgt_groups[x - 1] if x else 0
        src_text, src_spans = compose(src_pieces, layout, groups)
        tgt_text, tgt_spans = compose(tgt_pieces, layout, tgt_groups, rng, reflow=kind == "reflow")
        started = time.perf_counter()
        result = align_texts(src_text, tgt_text, a, b, settings=settings, options=options,
                             translate=translate, mt="auto" if translate else "off")
        seconds += time.perf_counter() - started
        gold = gold_beads(result.source_sentences, src_spans, [ids for _, ids in src_pieces],
                          result.target_sentences, tgt_spans, [ids for _, ids in tgt_pieces])
        predicted = [(b_.source, b_.target) for b_ in result.beads]
        right, npred, ngold, _ = score(predicted, gold)
        gold_set = {(s, t) for s, t, _ in gold}
        totals[0] += right  # beads are disjoint: a right prediction finds one gold bead
        totals[1] += npred
        totals[2] += right
        totals[3] += ngold
        sentences += len(result.source_sentences) + len(result.target_sentences)
        for bead in result.beads:
            if bead.low_confidence:
                flagged += 1
                if (frozenset(bead.source), frozenset(bead.target)) not in gold_set:
                    flagged_wrong += 1
    precision = totals[0] / max(totals[1], 1)
    recall = totals[2] / max(totals[3], 1)
    f1 = 2 * precision * recall / max(precision + recall, 1e-9)
    return {"precision": precision, "recall": recall, "f1": f1, "gold": totals[3],
            "seconds": seconds, "sentences": sentences, "flagged": flagged,
            "flagged_wrong": flagged_wrong}


def _translator(pipeline, source: str, target: str):
    def translate(batch):
        return [r.target_text for r in pipeline.translate_many(batch, target, source)]

    return translate


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", nargs="+", default=PAIRS)
    parser.add_argument("--conditions", nargs="+", default=CONDITIONS)
    parser.add_argument("--corpora", nargs="+", default=list(CORPORA))
    parser.add_argument("--units", type=int, default=120, help="blocks per document at most")
    parser.add_argument("--max-docs", type=int, default=0, help="documents per corpus and pair (0: all)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--mt", action="store_true",
                        help="add machine-translation similarity (Apertium) where a route exists")
    parser.add_argument("--no-anchors", action="store_true", help="lengths alone")
    args = parser.parse_args(argv)
    options = AlignOptions(anchors=not args.no_anchors)
    pipeline = None
    if args.mt:
        from translator.pipeline import Pipeline

        pipeline = Pipeline.from_settings(Settings(max_chars=10_000_000))
    print(f"{'corpus':<21} {'pair':<6} {'condition':<18} {'docs':>4} {'gold':>6} "
          f"{'P':>6} {'R':>6} {'F1':>6} {'flag':>5} {'fl.err':>6} {'sec':>6}")
    summary: dict = defaultdict(lambda: [0.0, 0.0, 0])
    for pair in args.pairs:
        a, b = pair.split("-")
        for corpus in args.corpora:
            chapters = load_corpus(corpus, (a, b))
            if not chapters:
                continue
            docs = documents(chapters, a, b, args.units, args.seed)
            if args.max_docs:
                docs = docs[:args.max_docs]
            translate = None
            if pipeline is not None and pipeline.router.find(a, b) is not None:
                translate = _translator(pipeline, a, b)
            for condition in args.conditions:
                r = run_condition(docs, a, b, condition, args.seed, translate, options)
                print(f"{corpus:<21} {pair:<6} {condition:<18} {len(docs):>4} {r['gold']:>6} "
                      f"{r['precision']:>6.3f} {r['recall']:>6.3f} {r['f1']:>6.3f} "
                      f"{r['flagged']:>5} {r['flagged_wrong']:>6} {r['seconds']:>6.1f}", flush=True)
                key = (pair, condition)
                summary[key][0] += r["f1"] * r["gold"]
                summary[key][1] += r["seconds"]
                summary[key][2] += r["gold"]
    print("\nF1 weighted by gold beads, over corpora:")
    for (pair, condition), (f1, seconds, gold) in summary.items():
        print(f"  {pair:<6} {condition:<18} F1 {f1 / max(gold, 1):.3f}  ({gold} beads, {seconds:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
