"""Throughput of the pipeline against raw CTranslate2 and argostranslate's decoding pattern.

All three translate the same sentences with the same synthetic transformer-base model
(6+6 layers, d_model 512, ffn 2048, 32k vocabulary, int8, random weights) and the same
forced output length, so they do the same decoding work:

  (a) raw ``ctranslate2.Translator.translate_batch`` on pre-tokenised sentences, at the
      best batch size and thread split found on this machine (a short grid search);
  (b) this project's pipeline (segmentation, tokenisation, batching, detokenisation,
      aligned result) with the same settings, source language given;
  (c) argostranslate's pattern: one ``translate_batch`` per paragraph,
      ``max_batch_size=32, batch_type="tokens"``, beam 4, its default threads.

Prints sentences/s and the ratios (b)/(a) (target >= 0.9) and (b)/(c) (target >= 5).

    python benchmarks/throughput.py                 # 1000 sentences
    python benchmarks/throughput.py --sentences 300 # quicker
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

import ctranslate2
import sentencepiece

from translator import testing
from translator.engines.ctranslate2 import CTranslate2Engine
from translator.packages import read_package
from translator.pipeline import Pipeline
from translator.segment import segment
from translator.settings import Settings

CACHE = Path(__file__).resolve().parent / ".cache"
WORDS = ("le gouvernement président ministre pays ville accord sanctions visite coopération "
         "économie sécurité relations nations conseil armée réforme élection député sénat "
         "commission budget frontière réunion sommet entreprise marché emploi santé école "
         "hôpital route port navire avion accord traité région province capitale journal "
         "agence annonce semaine mardi jeudi mois année projet loi vote tribunal police "
         "manifestation grève salaire prix inflation croissance banque énergie pétrole gaz "
         "électricité climat tempête inondation incendie récolte exportation importation").split()


def make_documents(count: int, seed: int = 0) -> list[str]:
    """Distinct French-like sentences, five to a paragraph, three paragraphs to a document."""
    rng = random.Random(seed)
    seen: set[str] = set()
    sentences: list[str] = []
    while len(sentences) < count:
        words = [rng.choice(WORDS) for _ in range(rng.randint(6, 24))]
        sentence = " ".join(words).capitalize() + "."
        if sentence not in seen:
            seen.add(sentence)
            sentences.append(sentence)
    paragraphs = [" ".join(sentences[i:i + 5]) for i in range(0, count, 5)]
    return ["\n".join(paragraphs[i:i + 3]) for i in range(0, len(paragraphs), 3)]


def paragraphs_of(documents: list[str]) -> list[list[str]]:
    """The sentences of every paragraph, as the pipeline's segmenter splits them."""
    out = []
    for doc in documents:
        current, last = [], None
        for sentence in segment(doc, "fr"):
            if last is not None and sentence.paragraph != last:
                out.append(current)
                current = []
            current.append(sentence.text)
            last = sentence.paragraph
        out.append(current)
    return out


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def raw_runner(model_dir: Path, tokens, length: int, beam: int, inter: int, intra: int, batch: int):
    translator = ctranslate2.Translator(str(model_dir), device="cpu", compute_type="int8",
                                        inter_threads=inter, intra_threads=intra)

    def run():
        translator.translate_batch(tokens, max_batch_size=batch, batch_type="tokens",
                                   beam_size=beam, min_decoding_length=length,
                                   max_decoding_length=length)
    return run


def base_model():
    """The synthetic transformer-base package (built once into benchmarks/.cache), the
    package read back, and its SentencePiece processor."""
    package_dir = CACHE / "base-fr_en"
    if not (package_dir / "model" / "model.bin").is_file():
        print(f"building the synthetic transformer-base model in {package_dir} ...", flush=True)
        testing.build_base_model(package_dir)
    package = read_package(package_dir)
    return package_dir, package, sentencepiece.SentencePieceProcessor(model_file=str(package.sp_model))


def argos_runner(model_dir: Path, sp, paragraphs: list[list[str]], length: int):
    """argostranslate's decoding pattern: one ``translate_batch`` per paragraph, 32-token
    batches, beam 4, its default threads."""
    translator = ctranslate2.Translator(str(model_dir), device="cpu", compute_type="int8")

    def run():
        for paragraph in paragraphs:
            translator.translate_batch(sp.encode(paragraph, out_type=str), max_batch_size=32,
                                       batch_type="tokens", beam_size=4, num_hypotheses=1,
                                       length_penalty=0.2, replace_unknowns=True,
                                       return_scores=True, min_decoding_length=length,
                                       max_decoding_length=length)
    return run


def best_raw_settings(model_dir: Path, tokens, length: int, beam: int) -> tuple[int, int, int]:
    """Short grid search over thread split and batch size on a sample of the sentences."""
    cores = os.cpu_count() or 2
    splits = sorted({(1, cores), (cores, 1)} | ({(2, cores // 2)} if cores >= 4 else set()))
    sample = tokens[: max(64, len(tokens) // 5)]
    results = {}
    for inter, intra in splits:
        for batch in (1024, 2048, 4096):
            run = raw_runner(model_dir, sample, length, beam, inter, intra, batch)
            results[(inter, intra, batch)] = min(timed(run) for _ in range(1))
            print(f"  grid inter={inter} intra={intra} batch={batch}: "
                  f"{len(sample) / results[(inter, intra, batch)]:.1f} sentences/s", flush=True)
    return min(results, key=results.get)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=1000)
    parser.add_argument("--length", type=int, default=32, help="forced output length in tokens")
    parser.add_argument("--beam", type=int, default=Settings().beam_size)
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds of (a) and (b)")
    args = parser.parse_args(argv)

    package_dir, package, sp = base_model()

    documents = make_documents(args.sentences)
    paragraphs = paragraphs_of(documents)
    sentences = [s for p in paragraphs for s in p]
    assert len(sentences) == args.sentences, "the segmenter must see the generated sentences"
    tokens = sp.encode(sentences, out_type=str)
    print(f"{len(sentences)} sentences in {len(documents)} documents, "
          f"{sum(map(len, tokens)) / len(tokens):.1f} source tokens each, "
          f"{args.length} output tokens forced, beam {args.beam}, {os.cpu_count()} cores")

    inter, intra, batch = best_raw_settings(package.model_dir, tokens, args.length, args.beam)
    print(f"best raw settings: inter_threads={inter} intra_threads={intra} max_batch_size={batch} tokens")
    raw = raw_runner(package.model_dir, tokens, args.length, args.beam, inter, intra, batch)

    # The pipeline runs with its own defaults (threads, batch size): the point is what
    # a user gets without tuning.
    settings = Settings(beam_size=args.beam, compute_type="int8", apertium=False)
    print(f"pipeline settings: inter_threads,intra_threads={settings.threads()} "
          f"max_batch_tokens={settings.max_batch_tokens}")
    engine = CTranslate2Engine(package, settings, decode_options={
        "min_decoding_length": args.length, "max_decoding_length": args.length})
    pipeline = Pipeline([engine], settings)
    engine.load()

    def run_pipeline():
        results = pipeline.translate_many(documents, target="en", source="fr")
        assert sum(len(r.segments) for r in results) == len(sentences)

    raw_times, pipe_times = [], []
    for _ in range(args.rounds):  # alternate, so drift on a noisy machine hits both sides
        raw_times.append(timed(raw))
        pipe_times.append(timed(run_pipeline))

    argos_time = timed(argos_runner(package.model_dir, sp, paragraphs, args.length))

    n = len(sentences)
    a, b, c = n / min(raw_times), n / min(pipe_times), n / argos_time
    print(f"(a) raw translate_batch      {a:8.1f} sentences/s")
    print(f"(b) pipeline                 {b:8.1f} sentences/s")
    print(f"(c) argostranslate pattern   {c:8.1f} sentences/s")
    print(f"(b)/(a) = {b / a:.2f}  (target >= 0.9)")
    print(f"(b)/(c) = {b / c:.2f}  (target >= 5)")
    return 0 if b / a >= 0.9 and b / c >= 5 else 1


if __name__ == "__main__":
    sys.exit(main())
