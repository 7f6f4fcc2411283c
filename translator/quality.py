"""How far to trust a segment: the words left untranslated and a confidence in [0, 1].

A segment's confidence multiplies what is known about its translation:

* the engines' own scores: for a CTranslate2 model, the mean probability of the
  tokens it chose (the exponential of its length-normalised log-probability); steps
  without a score (Apertium) count as 1;
* the share of the target's words that were translated: a word an engine left as it
  was (Apertium's unknown ``*``, generation ``#`` and transfer ``@`` marks, followed
  through every step of a route) counts against it;
* halved for each glossary term that could not be enforced.

So 1.0 is a translation nothing speaks against, 0.9 a ten-word Apertium sentence with one
unknown word, and an empty translation 0. Reviewed translations from the memory and
text passed through unchanged are 1.0. Scores of different engines are not on one scale:
compare segments of one route (one document), worst first.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Iterable

from .engines.base import EngineOutput

if TYPE_CHECKING:
    from .result import Segment
    from .router import Route

_WORD = re.compile(r"\w+")
#: the confidence of a translation a person reviewed, or of text left as it was
CERTAIN = 1.0
#: the factor for each glossary term the engine's output lacks
GLOSSARY_FAILURE = 0.5
#: how many of the least trusted segments (of a document) or articles (of a batch job) a
#: summary names
REVIEW_FIRST = 10


def confidence(output: EngineOutput, failed_terms: int = 0) -> float:
    """The confidence of one engine translation (see the module docstring)."""
    words = len(_WORD.findall(output.text))
    if not words:
        return 0.0
    translated = 1.0 - min(len(output.leftovers), words) / words
    score = output.score if output.score is not None else 1.0
    return round(min(1.0, score) * translated * GLOSSARY_FAILURE ** failed_terms, 3)


def untranslated(output: EngineOutput, route: "Route") -> list[dict]:
    """The output's leftovers as a segment reports them: the word, its span in the
    segment's target, why, the step of the route that left it, and the word's language:
    the step's source language, but its target for a generation error (a target-language
    word the step could not inflect, such as "give" for "given")."""
    return [{"word": output.text[lo.start:lo.end], "target_span": [lo.start, lo.end],
             "kind": lo.kind, "step": lo.step,
             "language": (route.steps[lo.step].target if lo.kind == "generation"
                          else route.steps[lo.step].source)}
            for lo in output.leftovers]


def summary(segments: Iterable["Segment"]) -> dict:
    """A document's confidence at a glance: the mean over its segments weighted by their
    length, the lowest, the words left untranslated, and which segments to review first."""
    rated = [s for s in segments if s.confidence is not None]
    if not rated:
        return {"confidence": None, "min_confidence": None, "untranslated": 0, "review_first": []}
    weights = [max(1, len(s.source)) for s in rated]
    mean = sum(s.confidence * w for s, w in zip(rated, weights)) / sum(weights)
    worst = sorted((s for s in rated if s.confidence < CERTAIN),
                   key=lambda s: (s.confidence, s.index))
    return {"confidence": round(mean, 3),
            "min_confidence": min(s.confidence for s in rated),
            "untranslated": sum(len(s.untranslated) for s in rated),
            "review_first": [s.index for s in worst[:REVIEW_FIRST]]}
