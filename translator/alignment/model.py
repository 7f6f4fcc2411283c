"""The cost model: what a bead costs (lengths, priors, anchors), and the problem it prices.

Costs are negative log-probabilities (nats). See docs/alignment.md for the method.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .anchors import CLASSES, MAX_SHARE

__all__ = ["TYPES", "TYPE_NAMES", "DEFAULT_PRIORS", "PENALISED", "Model", "Problem",
           "frequency_weights", "neg_log_two_tailed"]

#: Bead types as (source sentences, target sentences).
TYPES = ((1, 1), (1, 0), (0, 1), (2, 1), (1, 2), (2, 2))
TYPE_NAMES = tuple(f"{a}-{b}" for a, b in TYPES)
T11, T10, T01, T21, T12, T22 = range(6)
# Types whose cost depends on both sides (stored per band cell for the backward pass).
_MATCH_TYPES = (T11, T21, T12, T22)

#: Share of length outliers (free translation, added explanations) and how much wider
#: their spread is: real length ratios have heavier tails than a normal law.
OUTLIER_SHARE = 0.1
OUTLIER_WIDTH = 3.0
_TABLE_MAX = 60.0
_TABLE_STEPS = 1000  # per unit of delta


def _two_tailed_table():
    """-log of the two-tailed probability of |delta| under the normal mixture, tabulated."""
    delta = np.linspace(0.0, _TABLE_MAX, int(_TABLE_MAX * _TABLE_STEPS) + 1)
    values = []
    for d in delta:
        core = math.erfc(d / math.sqrt(2.0))
        wide = math.erfc(d / (OUTLIER_WIDTH * math.sqrt(2.0)))
        values.append(-math.log((1 - OUTLIER_SHARE) * core + OUTLIER_SHARE * wide))
    return delta, np.array(values)


_TABLE_DELTA, _TABLE_COST = _two_tailed_table()


def neg_log_two_tailed(delta: np.ndarray) -> np.ndarray:
    """-log P(|D| >= |delta|), D a mixture of a standard normal (share 1 - OUTLIER_SHARE)
    and a normal OUTLIER_WIDTH times wider: Gale & Church's length cost, with heavier tails."""
    d = np.abs(delta)
    out = np.interp(d, _TABLE_DELTA, _TABLE_COST)
    big = d > _TABLE_MAX
    if np.any(big):  # the wide component alone; erfc(y) ~ exp(-y^2) / (y sqrt(pi))
        y = d[big] / (OUTLIER_WIDTH * math.sqrt(2.0))
        out[big] = y * y + np.log(y * math.sqrt(math.pi)) - math.log(OUTLIER_SHARE)
    return out


#: Bead priors: Gale & Church's (1993, table 5: 1-1 0.89, 1-0 or 0-1 0.0099, 2-1 or 1-2
#: 0.089, 2-2 0.011) with 1-0 and 0-1 at 0.01 each, as edited news drops and adds
#: sentences more often than the parliamentary proceedings they measured.
DEFAULT_PRIORS = {T11: 0.8799, T10: 0.01, T01: 0.01, T21: 0.089 / 2, T12: 0.089 / 2, T22: 0.011}


@dataclass(frozen=True)
class Model:
    """Everything that prices a bead.

    ``ratio`` (c) is target characters per source character and ``variance`` (s2)
    the variance of a target length around ``c`` times the source length, per
    character (Gale & Church: c ~ 1, s2 = 6.8 for English/French/German).
    """

    ratio: float = 1.0
    variance: float = 6.8
    priors: tuple[float, ...] = tuple(DEFAULT_PRIORS[t] for t in range(6))
    anchor_scale: float = 1.0
    paragraph_bonus: float = 0.0
    paragraph_penalty: float = 0.0
    paragraph_cross: float = 0.0
    temperature: float = 1.0

    def prior_costs(self) -> np.ndarray:
        return -np.log(np.asarray(self.priors, dtype=np.float64))

    def length_cost(self, ls, lt) -> np.ndarray:
        """Gale & Church: -log P(|delta| >= observed), delta = (lt - c ls) / sqrt(s2 mean)."""
        c = self.ratio
        mean = (ls + lt / c) / 2.0
        with np.errstate(invalid="ignore", divide="ignore"):
            delta = (lt - c * ls) / np.sqrt(self.variance * np.maximum(mean, 1.0))
        return neg_log_two_tailed(np.nan_to_num(delta, nan=0.0))


@dataclass
class Problem:
    """One side against the other: unit lengths, anchor occurrences, paragraph breaks."""

    source_lengths: np.ndarray  # (n,) float
    target_lengths: np.ndarray  # (m,)
    source_units: np.ndarray  # anchor occurrences: unit index ...
    source_keys: np.ndarray  # ... and key id
    target_units: np.ndarray
    target_keys: np.ndarray
    key_classes: list[str]
    key_scale: np.ndarray  # per key id: factor on its class's weight (0 drops the key)
    source_breaks: np.ndarray | None = None  # (n+1,) bool: a paragraph boundary at point i
    target_breaks: np.ndarray | None = None

    def __post_init__(self):
        self.weights, pen_s, pen_t = frequency_weights(
            self.key_classes, self.source_keys, self.target_keys, self.n, self.m)
        self.weights *= self.key_scale
        self.source_penalty = _unit_penalties(self.source_units, self.source_keys,
                                              pen_s * self.key_scale, self.n)
        self.target_penalty = _unit_penalties(self.target_units, self.target_keys,
                                              pen_t * self.key_scale, self.m)

    @property
    def n(self) -> int:
        return len(self.source_lengths)

    @property
    def m(self) -> int:
        return len(self.target_lengths)

    def coarsen(self, k: int) -> "Problem":
        """Blocks of ``k`` consecutive units on each side; no paragraph breaks."""
        def lengths(values):
            return np.add.reduceat(values, np.arange(0, len(values), k)) if len(values) else values

        def occurrences(units, keys, count):
            code = np.unique(keys * (count // k + 1) + units // k)
            return code % (count // k + 1), code // (count // k + 1)

        su, sk = occurrences(self.source_units, self.source_keys, self.n)
        tu, tk = occurrences(self.target_units, self.target_keys, self.m)
        return Problem(lengths(self.source_lengths), lengths(self.target_lengths),
                       su, sk, tu, tk, self.key_classes, self.key_scale)


def _unit_penalties(units: np.ndarray, keys: np.ndarray, penalty: np.ndarray,
                    count: int) -> tuple[np.ndarray, np.ndarray]:
    """Sum of the penalties of the keys of each unit, and of each pair of consecutive
    units (a key in both counted once)."""
    single = np.bincount(units, weights=penalty[keys], minlength=count) if len(units) else np.zeros(count)
    pair = single[:-1] + single[1:] if count > 1 else np.zeros(0)
    if len(units) and count > 1:
        code = keys * (count + 1) + units
        shared = np.intersect1d(code, code + 1)  # key in unit u and in unit u - 1
        if len(shared):
            first = shared % (count + 1) - 1
            pair = pair - np.bincount(first, weights=penalty[shared // (count + 1)],
                                      minlength=count - 1)[:count - 1]
    return single, pair


#: Classes whose keys are expected on the other side: a translation bead that leaves
#: one of them unmatched pays for it (numbers, dates, punctuation, identical tokens,
#: glossary terms). Names, cognates and words only earn when they match.
PENALISED = frozenset("ndpigw")


def frequency_weights(classes: list[str], source_keys: np.ndarray, target_keys: np.ndarray,
                      n: int, m: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(match weight, penalty of a source key left unmatched, of a target key) per key id.

    Naive Bayes, "translation" against "unrelated pair": a key of the source is found
    in its translation with the class's chance p, in an unrelated target unit with
    the key's share q_t of the target units. Found: log(p / q_t); not found:
    log((1 - p) / (1 - q_t)); likewise from the target side. A match is worth both
    directions' "found" plus the "not found" penalties it avoids. Keys in more than
    MAX_SHARE of either side's units count for nothing.
    """
    count = len(classes)
    if count == 0:
        return np.zeros(0), np.zeros(0), np.zeros(0)
    p = np.array([CLASSES[c] for c in classes])
    share_s = np.bincount(source_keys, minlength=count) / max(n, 1)
    share_t = np.bincount(target_keys, minlength=count) / max(m, 1)
    q_s, q_t = np.clip(share_s, 1e-6, 0.999), np.clip(share_t, 1e-6, 0.999)
    miss_s = -np.log((1 - p) / (1 - q_t))  # a source key not found in the target
    miss_t = -np.log((1 - p) / (1 - q_s))
    penalised = np.array([c in PENALISED for c in classes])
    miss_s = np.where(penalised, np.maximum(miss_s, 0.0), 0.0)
    miss_t = np.where(penalised, np.maximum(miss_t, 0.0), 0.0)
    match = np.log(p / q_t) + np.log(p / q_s) + miss_s + miss_t
    # (a key in one or two units is never too common: short documents keep their keys)
    frequent = (((share_s > MAX_SHARE) & (share_s * max(n, 1) > 2))
                | ((share_t > MAX_SHARE) & (share_t * max(m, 1) > 2)))
    for values in (match, miss_s, miss_t):
        values[frequent] = 0.0
    return np.maximum(match, 0.0), miss_s, miss_t


