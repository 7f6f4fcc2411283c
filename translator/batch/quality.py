"""A job's quality at a glance, tallied from its committed records as the outputs are
written: the confidence over all its segments, the words left untranslated and the
most frequent of them, and the articles to review first.

The tally streams: it keeps sums, a counter of distinct words (bounded by the
vocabulary, not by the number of articles) and the few least trusted articles, never
the records themselves.
"""

from __future__ import annotations

import heapq
from collections import Counter
from itertools import count

from ..quality import REVIEW_FIRST

#: how many of the most frequent untranslated words a summary lists
TOP_WORDS = 20


class JobQuality:
    """Feed it every done article's record (:meth:`add`), then read :meth:`to_dict`."""

    def __init__(self, top: int = TOP_WORDS, review_first: int = REVIEW_FIRST):
        self.top, self.review_first = top, review_first
        self.articles = self.segments = self.untranslated = 0
        self.weighted = self.weight = 0.0
        self.lowest: float | None = None
        self.words: Counter[tuple[str, str]] = Counter()
        self._worst: list[tuple[float, int, str]] = []  # a max-heap on confidence, negated
        self._order = count()

    def add(self, article_id: str, result: dict) -> None:
        """Count one article's segments (its record as written: the API's result)."""
        self.articles += 1
        weighted = weight = 0.0
        for seg in result.get("segments", ()):
            for entry in seg.get("untranslated") or ():
                self.untranslated += 1
                self.words[(entry.get("word", ""), entry.get("language", ""))] += 1
            confidence = seg.get("confidence")
            if confidence is None:
                continue
            # Weighted by length, as quality.summary weighs a document's segments.
            w = max(1, len(seg.get("source", "")))
            weighted += confidence * w
            weight += w
            self.segments += 1
            self.lowest = confidence if self.lowest is None else min(self.lowest, confidence)
        if not weight:
            return
        self.weighted += weighted
        self.weight += weight
        article = round(weighted / weight, 3)
        if article < 1.0 and self.review_first:
            item = (-article, -next(self._order), article_id)  # ties: the earlier article
            if len(self._worst) < self.review_first:
                heapq.heappush(self._worst, item)
            elif item > self._worst[0]:
                heapq.heapreplace(self._worst, item)

    def to_dict(self) -> dict:
        """``confidence`` (mean over every rated segment, weighted by length),
        ``min_confidence``, ``segments`` rated, ``untranslated`` words in all,
        ``top_untranslated`` (word, language, count; most frequent first) and
        ``review_first`` (the least trusted articles: id and confidence, worst first)."""
        worst = sorted(self._worst, reverse=True)
        return {"confidence": round(self.weighted / self.weight, 3) if self.weight else None,
                "min_confidence": self.lowest,
                "segments": self.segments,
                "untranslated": self.untranslated,
                "top_untranslated": [{"word": word, "language": language, "count": n}
                                     for (word, language), n in self._most_common()],
                "review_first": [{"id": article_id, "confidence": -negated}
                                 for negated, _, article_id in worst]}

    def _most_common(self) -> list[tuple[tuple[str, str], int]]:
        # Ties in a stable order (alphabetical), so the same ledger gives the same summary.
        return sorted(self.words.items(), key=lambda item: (-item[1], item[0]))[:self.top]

    def lines(self) -> list[str]:
        """The end-of-run lines: confidence, words left untranslated, the most frequent."""
        data = self.to_dict()
        if data["confidence"] is None:
            return []
        lines = [f"confidence {data['confidence']:.2f} (mean over {data['segments']} segments), "
                 f"lowest {data['min_confidence']:.2f}; {data['untranslated']} words left "
                 "untranslated"]
        if data["top_untranslated"]:
            lines.append("most frequent untranslated: " + ", ".join(
                f"{w['word']} ({w['language']}) {w['count']}" for w in data["top_untranslated"]))
        if data["review_first"]:
            lines.append("review first: " + ", ".join(
                f"{a['id']} ({a['confidence']:.2f})" for a in data["review_first"]))
        return lines
