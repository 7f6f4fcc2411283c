"""Subword tokenizers of model packages: SentencePiece, or Moses + BPE for older Argos packages."""

from __future__ import annotations

from pathlib import Path

from ..errors import EngineError


class SentencePieceTokenizer:
    def __init__(self, model_file: Path):
        import sentencepiece

        self.processor = sentencepiece.SentencePieceProcessor(model_file=str(model_file))

    def encode(self, sentences: list[str]) -> list[list[str]]:
        # The batch call runs in C++ without one Python round trip per sentence.
        return self.processor.encode(sentences, out_type=str)

    def decode(self, tokens: list[str]) -> str:
        return self.processor.decode_pieces(tokens)


class BPETokenizer:
    """Moses tokenisation + subword-nmt BPE, as used by some older Argos packages."""

    def __init__(self, codes_file: Path, source: str, target: str):
        try:
            from sacremoses import MosesDetokenizer, MosesPunctNormalizer, MosesTokenizer
            from subword_nmt.apply_bpe import BPE
        except ImportError:
            raise EngineError(f"{codes_file}: this package uses BPE; install the 'bpe' extra "
                              "(pip install 'newsroom-translator[bpe]')") from None
        self.normalizer = MosesPunctNormalizer(lang=source)
        self.tokenizer = MosesTokenizer(lang=source)
        self.detokenizer = MosesDetokenizer(lang=target)
        with open(codes_file, encoding="utf-8") as codes:
            self.bpe = BPE(codes)

    def encode(self, sentences: list[str]) -> list[list[str]]:
        out = []
        for sentence in sentences:
            words = self.tokenizer.tokenize(self.normalizer.normalize(sentence), escape=False)
            out.append(self.bpe.segment_tokens(words))
        return out

    def decode(self, tokens: list[str]) -> str:
        words = " ".join(tokens).replace("@@ ", "").removesuffix("@@").split()
        return self.detokenizer.detokenize(words)
