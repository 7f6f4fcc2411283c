"""The aligned result: the one data type every output (CLI, HTTP, batch, page) renders."""

from __future__ import annotations

from dataclasses import dataclass, field

from . import quality


@dataclass
class Segment:
    """One source sentence and its translation, with character spans on both sides."""

    index: int
    paragraph: int
    source: str
    target: str
    source_span: tuple[int, int]
    target_span: tuple[int, int]
    source_lang: str
    origin: str = "engine"  # engine | memory | passthrough
    terms: list[dict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    untranslated: list[dict] = field(default_factory=list)
    confidence: float | None = None  # see translator/quality.py

    def to_dict(self) -> dict:
        return {
            "index": self.index,
            "paragraph": self.paragraph,
            "source": self.source,
            "target": self.target,
            "source_span": list(self.source_span),
            "target_span": list(self.target_span),
            "source_lang": self.source_lang,
            "origin": self.origin,
            "terms": self.terms,
            "warnings": self.warnings,
            "untranslated": self.untranslated,
            "confidence": self.confidence,
        }

    @classmethod
    def from_dict(cls, data: dict) -> "Segment":
        """The segment back from its :meth:`to_dict` form."""
        return cls(data["index"], data["paragraph"], data["source"], data["target"],
                   tuple(data["source_span"]), tuple(data["target_span"]), data["source_lang"],
                   data.get("origin", "engine"), list(data.get("terms", [])),
                   list(data.get("warnings", [])), list(data.get("untranslated", [])),
                   data.get("confidence"))


@dataclass
class TranslationResult:
    """A translated document aligned sentence by sentence with its source."""

    source_text: str
    target_text: str
    source_lang: str
    target_lang: str
    segments: list[Segment]
    route: dict
    detection: dict | None = None
    warnings: list[str] = field(default_factory=list)
    timings: dict = field(default_factory=dict)
    signature: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            "source_lang": self.source_lang,
            "target_lang": self.target_lang,
            "detection": self.detection,
            "route": self.route,
            "source_text": self.source_text,
            "target_text": self.target_text,
            "segments": [s.to_dict() for s in self.segments],
            "quality": quality.summary(self.segments),
            "warnings": self.warnings,
            "timings": self.timings,
            "signature": self.signature,
        }

    @classmethod
    def from_dict(cls, data: dict) -> "TranslationResult":
        """The result back from its :meth:`to_dict` form (a stored review document)."""
        return cls(
            source_text=data["source_text"], target_text=data["target_text"],
            source_lang=data["source_lang"], target_lang=data["target_lang"],
            segments=[Segment.from_dict(s) for s in data["segments"]], route=data["route"],
            detection=data.get("detection"), warnings=list(data.get("warnings", [])),
            timings=dict(data.get("timings", {})), signature=dict(data.get("signature", {})))
