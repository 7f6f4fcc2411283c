"""The alignment of two existing texts: beads of sentences with spans, scores and signals."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..segment import Sentence


@dataclass
class Bead:
    """Sentences of the source and of the target that translate each other.

    ``source``/``target`` are sentence indices (empty for 1-0 / 0-1 beads);
    spans are character offsets into the original texts (None for an empty side);
    ``score`` is the posterior probability of the bead under the model (0..1).
    """

    index: int
    type: str
    source: tuple[int, ...]
    target: tuple[int, ...]
    source_span: tuple[int, int] | None
    target_span: tuple[int, int] | None
    source_text: str
    target_text: str
    score: float
    low_confidence: bool
    signals: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "index": self.index,
            "type": self.type,
            "source": list(self.source),
            "target": list(self.target),
            "source_span": list(self.source_span) if self.source_span else None,
            "target_span": list(self.target_span) if self.target_span else None,
            "source_text": self.source_text,
            "target_text": self.target_text,
            "score": round(self.score, 4),
            "low_confidence": self.low_confidence,
            "signals": self.signals,
        }


def _sentence_dict(index: int, sentence: Sentence) -> dict:
    return {"index": index, "paragraph": sentence.paragraph,
            "span": [sentence.start, sentence.end], "text": sentence.text}


@dataclass
class Alignment:
    """Two texts aligned sentence by sentence: the one type every alignment output renders."""

    source_text: str
    target_text: str
    source_lang: str | None
    target_lang: str | None
    detection: dict
    source_sentences: list[Sentence]
    target_sentences: list[Sentence]
    beads: list[Bead]
    summary: dict
    warnings: list[str] = field(default_factory=list)
    settings: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        """The JSON body of ``translator align --format json`` and ``POST /v1/align``."""
        return {
            "source_lang": self.source_lang,
            "target_lang": self.target_lang,
            "detection": self.detection,
            "source_text": self.source_text,
            "target_text": self.target_text,
            "source_sentences": [_sentence_dict(i, s) for i, s in enumerate(self.source_sentences)],
            "target_sentences": [_sentence_dict(i, s) for i, s in enumerate(self.target_sentences)],
            "beads": [b.to_dict() for b in self.beads],
            "summary": self.summary,
            "warnings": self.warnings,
            "settings": self.settings,
        }
