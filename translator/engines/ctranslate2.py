"""CTranslate2 engine over Argos Translate packages and NLLB-style multilingual models."""

from __future__ import annotations

import math
import threading

from ..errors import EngineError
from ..packages import ModelPackage
from ..settings import Settings
from .base import Engine, EngineOutput, Pair
from .tokenizers import BPETokenizer, SentencePieceTokenizer


class CTranslate2Engine(Engine):
    """One loaded CTranslate2 model; loaded on first use, then shared by every caller.

    ``decode_options`` are passed to ``translate_batch`` as they are (benchmarks
    use them to force output lengths); settings give beam size, batch size and threads.
    """

    kind = "ctranslate2"
    cost = 1.0

    def __init__(self, package: ModelPackage, settings: Settings, decode_options: dict | None = None):
        self.package = package
        self.settings = settings
        self.decode_options = dict(decode_options or {})
        self._lock = threading.Lock()
        self._translator = None
        self._tokenizer = None

    @property
    def name(self) -> str:
        return self.package.name

    def pairs(self) -> set[Pair]:
        return set(self.package.pairs)

    def describe(self) -> dict:
        return {**super().describe(), "model": self.package.name, "kind": self.package.kind,
                "version": self.package.version, "path": str(self.package.path)}

    def load(self) -> None:
        """Load the model and tokenizer now rather than on the first request."""
        self._ensure_loaded()

    @property
    def loaded(self) -> bool:
        return self._translator is not None

    def _ensure_loaded(self):
        if self._translator is not None:
            return self._translator, self._tokenizer
        with self._lock:
            if self._translator is None:
                import ctranslate2

                pkg = self.package
                if pkg.sp_model is not None:
                    tokenizer = SentencePieceTokenizer(pkg.sp_model)
                else:
                    source, target = pkg.pairs[0]
                    tokenizer = BPETokenizer(pkg.bpe_model, source, target)
                try:
                    inter, intra = self.settings.threads()
                    translator = ctranslate2.Translator(
                        str(pkg.model_dir), device=self.settings.device,
                        compute_type=self.settings.compute_type,
                        inter_threads=inter, intra_threads=intra)
                except (RuntimeError, ValueError) as exc:
                    raise EngineError(f"cannot load model {pkg.name}: {exc}", model=pkg.name) from None
                self._tokenizer = tokenizer
                self._translator = translator
        return self._translator, self._tokenizer

    def translate(self, sentences: list[str], source: str, target: str) -> list[EngineOutput]:
        """Translations with the model's confidence: its mean token probability (the
        exponential of CTranslate2's length-normalised log-probability score)."""
        if not sentences:
            return []
        results, prefix, tokenizer = self._decode(sentences, source, target, {})
        return [EngineOutput(self._detokenize(r.hypotheses[0], prefix, tokenizer),
                             score=math.exp(r.scores[0]) if r.scores else None)
                for r in results]

    def hypotheses(self, sentences: list[str], source: str, target: str,
                   count: int) -> list[list[str]]:
        """The ``count`` best hypotheses of the beam (``num_hypotheses``), duplicates
        after detokenization removed, best first."""
        if not sentences:
            return []
        count = max(1, count)
        beam = max(self.settings.beam_size, count)
        results, prefix, tokenizer = self._decode(sentences, source, target,
                                                  {"beam_size": beam, "num_hypotheses": count})
        return [list(dict.fromkeys(self._detokenize(h, prefix, tokenizer) for h in r.hypotheses))
                for r in results]

    def _decode(self, sentences: list[str], source: str, target: str, extra: dict):
        """CTranslate2's results for ``sentences`` (one per sentence), the target prefix and
        the tokenizer that decodes them."""
        if (source, target) not in self.package.pairs:
            raise EngineError(f"{self.name} does not serve {source}-{target}")
        translator, tokenizer = self._ensure_loaded()
        tokens = tokenizer.encode(sentences)
        prefix = self._prefix_tokens(target)
        if self.package.kind == "nllb":
            src_token = self.package.lang_tokens[source]
            tokens = [[src_token, *t, "</s>"] for t in tokens]
        options = {
            "max_batch_size": self._batch_tokens(tokens),
            "batch_type": "tokens",
            "beam_size": self.settings.beam_size,
            "replace_unknowns": True,
            "return_scores": True,
            **self.decode_options,
            **extra,
        }
        try:
            results = translator.translate_batch(
                tokens, target_prefix=[prefix] * len(tokens) if prefix else None, **options)
        except (RuntimeError, ValueError) as exc:
            raise EngineError(f"{self.name} failed to translate: {exc}", model=self.name) from None
        return results, prefix, tokenizer

    def _batch_tokens(self, tokens: list[list[str]]) -> int:
        """Tokens per batch: the configured size, but small enough to give every
        parallel translator replica a batch, so one short article uses all cores
        (``Settings.split``: the same on every Ray actor of a batch job)."""
        total = sum(len(t) for t in tokens)
        return max(64, min(self.settings.max_batch_tokens, -(-total // self.settings.split())))

    def _prefix_tokens(self, target: str) -> list[str]:
        if self.package.kind == "nllb":
            return [self.package.lang_tokens[target]]
        return [self.package.target_prefix] if self.package.target_prefix else []

    @staticmethod
    def _detokenize(hypothesis: list[str], prefix: list[str], tokenizer) -> str:
        if prefix and hypothesis[: len(prefix)] == prefix:
            hypothesis = hypothesis[len(prefix):]
        return tokenizer.decode(hypothesis).strip()

    def close(self) -> None:
        with self._lock:
            self._translator = None
            self._tokenizer = None
