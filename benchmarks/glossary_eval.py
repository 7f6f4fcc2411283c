"""Glossary evaluation on real news text: term use rate, source-term leakage, and whether
the text around the terms is degraded compared with translating without the glossary.

    pip install sacrebleu            # chrF
    python benchmarks/glossary_eval.py [FILE...] [--to en]

For every sentence of the input (default: the sample SGGP article), on every engine
available here (Apertium fr->es->en; the CTranslate2 copy model the repository builds):

- term use rate: matched glossary terms whose exact rendering is in the output, with
  spans pointing at it (target 100%);
- leakage: matched source forms still present in the output (target 0);
- surrounding text: chrF of the glossary output against the glossary-free output, both
  with every term's source form, rendering and variants cut out. 100 means the words
  around the terms are unchanged; the protected pass may legitimately change a few
  (an article, a preposition), so a high score, not 100, is expected.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from pathlib import Path

from translator import testing
from translator.engines.apertium import ApertiumEngine
from translator.engines.ctranslate2 import CTranslate2Engine
from translator.glossary.store import default_glossary
from translator.packages import read_package
from translator.pipeline import Pipeline
from translator.settings import Settings
from translator.glossary.match import matcher_for

SAMPLE = Path(__file__).resolve().parent.parent / "examples" / "sggp-putin-dprk.fr.txt"


def strip_terms(text: str, forms: set[str]) -> str:
    """``text`` without any of ``forms`` (longest first), spaces normalised."""
    for form in sorted(forms, key=len, reverse=True):
        text = re.sub(r"(?<!\w)" + re.escape(form) + r"(?!\w)", " ", text, flags=re.IGNORECASE)
    return " ".join(text.split())


def evaluate(name: str, pipeline: Pipeline, texts: list[str], source: str, target: str) -> dict:
    import sacrebleu

    started = time.perf_counter()
    with_glossary = pipeline.translate_many(texts, target, source)
    elapsed = time.perf_counter() - started
    without = pipeline.translate_many(texts, target, source, glossary=None)
    matcher = matcher_for(pipeline.glossary, source, target)
    matched = used = leaked = 0
    hyps, refs = [], []
    for result, plain in zip(with_glossary, without):
        for seg, plain_seg in zip(result.segments, plain.segments):
            found = matcher.find(seg.source)
            matched += len(found)
            used += sum(1 for t in seg.terms if seg.target[slice(*t["target_span"])] == t["target"])
            forms = set()
            for match in found:
                forms |= {f for lang in (source, target) for f in match.entry.terms.get(lang, ())}
                rendering = next((t["target"] for t in seg.terms
                                  if t["source_span"] == [match.start, match.end]), None)
                if rendering != match.text and re.search(
                        r"(?<!\w)" + re.escape(match.text) + r"(?!\w)", seg.target):
                    leaked += 1
            hyps.append(strip_terms(seg.target, forms))
            refs.append(strip_terms(plain_seg.target, forms))
    chrf = sacrebleu.corpus_chrf(hyps, [refs]).score
    warnings = sum(len(seg.warnings) for r in with_glossary for seg in r.segments)
    return {"engine": name, "sentences": len(hyps), "terms": matched, "used": used,
            "leaked": leaked, "chrf": chrf, "warnings": warnings, "seconds": elapsed}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, default=[SAMPLE])
    parser.add_argument("--source", default="fr")
    parser.add_argument("--to", default="en")
    args = parser.parse_args(argv)
    texts = [f.read_text(encoding="utf-8") for f in args.files]
    settings = Settings(apertium=False)
    glossary = default_glossary(settings)
    print(f"glossary {glossary.name}: {len(glossary.entries)} entries; "
          f"{sum(map(len, texts))} characters in {len(texts)} document(s)")
    engines = []
    if ApertiumEngine.available():
        engines.append(("apertium", ApertiumEngine()))
    with tempfile.TemporaryDirectory() as tmp:
        package = testing.build_argos_package(Path(tmp) / "copy", args.source, args.to)
        engines.append(("ctranslate2 copy model", CTranslate2Engine(read_package(package), settings)))
        rows = [evaluate(name, Pipeline([engine], settings, glossary=glossary), texts,
                         args.source, args.to) for name, engine in engines]
    print(f"{'engine':24} {'sentences':>9} {'terms':>6} {'use rate':>9} {'leaked':>7} "
          f"{'chrF around':>12} {'warnings':>9} {'seconds':>8}")
    for r in rows:
        rate = 100.0 * r["used"] / r["terms"] if r["terms"] else 100.0
        print(f"{r['engine']:24} {r['sentences']:>9} {r['terms']:>6} {rate:>8.1f}% {r['leaked']:>7} "
              f"{r['chrf']:>12.1f} {r['warnings']:>9} {r['seconds']:>8.2f}")
    return 0 if all(r["used"] == r["terms"] and r["leaked"] == 0 for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
