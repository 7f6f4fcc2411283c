"""The search: a bead path of least cost through a band of the (source x target) grid.

A point ``(i, j)`` of the grid means "the first ``i`` source and ``j`` target
sentences are aligned". A bead of type ``(a, b)`` goes from ``(i - a, j - b)`` to
``(i, j)``. The cost of a path is the sum of its beads' costs (:class:`Model`)
and of the paragraph costs of the points it visits.

Only a band of the grid is searched: every row ``i`` has a range of columns
``lo[i]..hi[i]``, stored row after row in flat arrays (memory is the band's size,
not ``n * m``). The band comes from the same search run on a coarse version of
the problem (blocks of ``k`` sentences), widened by a margin and widened again if
the best path touches its edge (:func:`corridor`). Small problems are searched
whole.

Each row is computed with numpy over its columns; the 0-1 beads, which stay in
the row, are a prefix scan (running minimum for the best path, running
log-sum-exp for the forward pass). The forward and backward passes give every
bead of the best path its posterior probability.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from .model import (_MATCH_TYPES, DEFAULT_PRIORS, T01, T10, T11, T12, T21, T22, TYPES, Model,
                    Problem)

__all__ = ["Band", "Path", "search", "corridor", "align_problem", "fit"]

#: Problems up to this many grid points are searched whole.
FULL_CELLS = 300_000
#: Longest side of a coarse problem, in blocks (coarser levels follow as needed).
COARSE_UNITS = 1000

INF = math.inf


# --------------------------------------------------------------------------- the band


@dataclass
class Band:
    """Columns ``lo[i]..hi[i]`` of every row ``i`` (0..n), stored row after row.

    A band made around a path keeps the path's points and its margin, to be widened.
    """

    lo: np.ndarray
    hi: np.ndarray
    points: list | None = None
    margin: int | None = None

    def __post_init__(self):
        self.lo = np.asarray(self.lo, dtype=np.int64)
        self.hi = np.asarray(self.hi, dtype=np.int64)
        self.off = np.concatenate([[0], np.cumsum(self.hi - self.lo + 1)]).astype(np.int64)

    @classmethod
    def full(cls, n: int, m: int) -> "Band":
        return cls(np.zeros(n + 1, dtype=np.int64), np.full(n + 1, m, dtype=np.int64))

    @property
    def size(self) -> int:
        return int(self.off[-1])

    def index(self, i: int, j: int) -> int:
        return int(self.off[i] + j - self.lo[i])


def _anchor_sims(problem: Problem, band: Band, a: int, b: int) -> np.ndarray:
    """Sum of match weights of the keys shared by the beads of type (a, b), per end cell."""
    out = np.zeros(band.size, dtype=np.float64)
    n, m = problem.n, problem.m
    if len(problem.weights) == 0 or n < a or m < b:
        return out

    def level(units, keys, count, width):
        if width == 2:
            units = np.concatenate([units, units - 1])
            keys = np.concatenate([keys, keys])
        keep = (units >= 0) & (units <= count - width) & (problem.weights[keys] > 0)
        code = np.unique(keys[keep] * (count + 1) + units[keep])
        return code % (count + 1), code // (count + 1)

    su, sk = level(problem.source_units, problem.source_keys, n, a)
    tu, tk = level(problem.target_units, problem.target_keys, m, b)
    if len(su) == 0 or len(tu) == 0:
        return out
    tcode = tk * (m + 1) + tu  # sorted by construction (np.unique)
    rows = su + a
    first = np.maximum(band.lo[rows] - b, 0)
    last = band.hi[rows] - b
    left = np.searchsorted(tcode, sk * (m + 1) + first, side="left")
    right = np.searchsorted(tcode, sk * (m + 1) + last, side="right")
    counts = np.maximum(right - left, 0)
    total = int(counts.sum())
    if total == 0:
        return out
    owner = np.repeat(np.arange(len(su)), counts)
    starts = np.cumsum(counts) - counts
    position = left[owner] + (np.arange(total) - starts[owner])
    cols = tcode[position] - sk[owner] * (m + 1) + b
    cells = band.off[rows[owner]] + cols - band.lo[rows[owner]]
    return np.bincount(cells, weights=problem.weights[sk[owner]], minlength=band.size)


# --------------------------------------------------------------------------- the passes


@dataclass
class Path:
    """The best path: beads as (type, end point), with posteriors when computed."""

    types: list[int]
    ends: list[tuple[int, int]]
    posteriors: list[float] | None
    band: Band
    touches_edge: bool

    def points(self) -> list[tuple[int, int]]:
        return [(0, 0)] + list(self.ends)


#: Band cells whose costs are computed at once (bounds temporary memory).
_CHUNK_CELLS = 1 << 19
# Bead types that come from an earlier row, in the order of the DP's candidate stack.
_FROM_ABOVE = (T11, T10, T21, T12, T22)
_FROM_ABOVE_CODES = np.array(_FROM_ABOVE, dtype=np.int8)


class _Costs:
    """Costs of every cell of a band: the beads with both sides that end there, one
    array per type, and the paragraph cost of the point."""

    def __init__(self, problem: Problem, band: Band, model: Model):
        self.model = model
        prior = model.prior_costs()
        self.c10, self.c01 = float(prior[T10]), float(prior[T01])
        sb, tb = problem.source_breaks, problem.target_breaks
        paragraphs = (sb is not None and tb is not None
                      and bool(model.paragraph_bonus or model.paragraph_penalty
                               or model.paragraph_cross))
        cum_s = np.concatenate([[0.0], np.cumsum(problem.source_lengths)])
        cum_t = np.concatenate([[0.0], np.cumsum(problem.target_lengths)])
        pens = {("s", 1): problem.source_penalty[0], ("s", 2): problem.source_penalty[1],
                ("t", 1): problem.target_penalty[0], ("t", 2): problem.target_penalty[1]}
        pens = {k: v if len(v) else np.zeros(1) for k, v in pens.items()}
        size = band.size
        self.match = {t: np.empty(size) for t in _MATCH_TYPES}
        self.point = np.zeros(size) if paragraphs else None
        sims = {t: _anchor_sims(problem, band, *TYPES[t]) for t in _MATCH_TYPES}
        widths = band.hi - band.lo + 1
        row = 0
        scale = model.anchor_scale
        while row <= problem.n:
            last = int(np.searchsorted(band.off, band.off[row] + _CHUNK_CELLS, side="right")) - 1
            stop = min(max(last, row + 1), problem.n + 1)  # rows [row, stop)
            w = widths[row:stop]
            first, end = int(band.off[row]), int(band.off[stop])
            rows = np.repeat(np.arange(row, stop), w)
            cols = np.arange(end - first) - np.repeat(band.off[row:stop] - first, w) \
                + np.repeat(band.lo[row:stop], w)
            for t in _MATCH_TYPES:
                a, b = TYPES[t]
                ra, cb = np.maximum(rows - a, 0), np.maximum(cols - b, 0)
                value = prior[t] + model.length_cost(cum_s[rows] - cum_s[ra], cum_t[cols] - cum_t[cb])
                value += scale * (pens["s", a][np.minimum(ra, len(pens["s", a]) - 1)]
                                  + pens["t", b][np.minimum(cb, len(pens["t", b]) - 1)])
                value -= scale * sims[t][first:end]
                if paragraphs and model.paragraph_cross and (a == 2 or b == 2):
                    # two sentences of one side from two paragraphs, unlike the other side
                    cross_s = sb[np.maximum(rows - 1, 0)] if a == 2 else False
                    cross_t = tb[np.maximum(cols - 1, 0)] if b == 2 else False
                    value += model.paragraph_cross * (cross_s ^ cross_t)
                value[(rows < a) | (cols < b)] = INF
                self.match[t][first:end] = value
            if paragraphs:
                bs, bt = sb[rows], tb[cols]
                self.point[first:end] = np.where(
                    bs & bt, -model.paragraph_bonus, np.where(bs ^ bt, model.paragraph_penalty, 0.0))
            row = stop

    def point_row(self, base: int, width: int):
        return self.point[base:base + width] if self.point is not None else None


def _from_above(lo: list[int], hi: list[int], off: list[int], i: int):
    """For band row ``i``, every bead type ending there whose predecessor cells (row
    ``i - da``, columns shifted by ``db``) lie in the band: (index in ``_FROM_ABOVE``,
    type, first column of row ``i`` reached, start and stop of the predecessors in the
    flat band arrays)."""
    a_, b_ = lo[i], hi[i]
    for k, t in enumerate(_FROM_ABOVE):
        da, db = TYPES[t]
        r = i - da
        if r < 0:
            continue
        s_, e_ = max(a_ - db, lo[r]), min(b_ - db, hi[r])
        if s_ <= e_:
            yield k, t, s_ - a_ + db, off[r] + s_ - lo[r], off[r] + e_ - lo[r] + 1


def _viterbi(problem: Problem, band: Band, costs: _Costs, last_row: int | None = None):
    """Best cost of every cell and the type of its last bead (rows 0..last_row)."""
    n = problem.n if last_row is None else last_row
    lo, hi, off = band.lo.tolist(), band.hi.tolist(), band.off.tolist()
    best = np.full(band.size, INF)
    back = np.zeros(band.size, dtype=np.int8)
    stack = np.empty((len(_FROM_ABOVE), int((band.hi - band.lo).max()) + 1))
    c10, c01 = costs.c10, costs.c01
    for i in range(n + 1):
        a_, b_, base = lo[i], hi[i], off[i]
        w = b_ - a_ + 1
        cand = stack[:, :w]
        cand.fill(INF)
        for k, t, d0, start, stop in _from_above(lo, hi, off, i):
            prev = best[start:stop]
            if t == T10:
                np.add(prev, c10, out=cand[k, d0:d0 + len(prev)])
            else:
                np.add(prev, costs.match[t][base + d0:base + d0 + len(prev)],
                       out=cand[k, d0:d0 + len(prev)])
        arg = cand.argmin(axis=0)
        x = cand[arg, np.arange(w)]
        if i == 0:
            x[0] = 0.0
        pc = costs.point_row(base, w)
        if pc is not None:
            x = x + pc
            step = np.concatenate([[0.0], c01 + pc[1:]])
        else:
            step = np.full(w, c01)
            step[0] = 0.0
        s = np.cumsum(step)
        row = s + np.minimum.accumulate(x - s)
        types = _FROM_ABOVE_CODES[arg]
        types[row < x - 1e-9] = T01
        best[base:base + w] = row
        back[base:base + w] = types
    return best, back


def _trace(band: Band, back: np.ndarray, end: tuple[int, int]):
    lo, hi, off = band.lo, band.hi, band.off
    m = int(hi[-1])
    types, ends = [], []
    touches = False
    i, j = end
    while i > 0 or j > 0:
        t = int(back[off[i] + j - lo[i]])
        if (j == lo[i] and lo[i] > 0) or (j == hi[i] and hi[i] < m):
            touches = True
        types.append(t)
        ends.append((i, j))
        i, j = i - TYPES[t][0], j - TYPES[t][1]
    types.reverse()
    ends.reverse()
    return types, ends, touches


def search(problem: Problem, band: Band, model: Model, posteriors: bool = True,
           last_row: int | None = None) -> Path:
    """Best bead path through ``band``; with ``posteriors``, each bead's posterior
    probability (forward-backward in a narrow band around the path). ``last_row``:
    stop there (at the row's best cell) -- a sample for fitting parameters."""
    costs = _Costs(problem, band, model)
    best, back = _viterbi(problem, band, costs, last_row)
    if last_row is None:
        end = (problem.n, problem.m)
    else:
        first = int(band.off[last_row])
        row = best[first:first + int(band.hi[last_row] - band.lo[last_row]) + 1]
        end = (last_row, int(band.lo[last_row]) + int(np.argmin(row)))
    types, ends, touches = _trace(band, back, end)
    path = Path(types, ends, None, band, touches)
    if posteriors:
        path.posteriors = _posteriors(problem, model, path)
    return path


#: Columns each side of the best path searched by the forward-backward pass.
POSTERIOR_MARGIN = 8


def _posteriors(problem: Problem, model: Model, path: Path) -> list[float]:
    """P(bead | texts) of the path's beads: forward and backward log-sums over the
    paths of a narrow band around it (paths further away carry no mass that matters)."""
    n, m = problem.n, problem.m
    band = _band_around(path.points(), n, m, POSTERIOR_MARGIN)
    costs = _Costs(problem, band, model)
    inv_t = 1.0 / model.temperature
    lo, hi, off = band.lo.tolist(), band.hi.tolist(), band.off.tolist()
    stack = np.empty((len(_FROM_ABOVE), int((band.hi - band.lo).max()) + 1))
    forward = np.full(band.size, -INF)
    backward = np.full(band.size, -INF)
    c10, c01 = costs.c10 * inv_t, costs.c01 * inv_t

    def bead_cost(t, base, length):
        if t == T10:
            return c10
        return costs.match[t][base:base + length] * inv_t

    for i in range(n + 1):
        a_, b_, base = lo[i], hi[i], off[i]
        w = b_ - a_ + 1
        cand = stack[:, :w]
        cand.fill(-INF)
        for k, t, d0, start, stop in _from_above(lo, hi, off, i):
            prev = forward[start:stop]
            cand[k, d0:d0 + len(prev)] = prev - bead_cost(t, base + d0, len(prev))
        with np.errstate(invalid="ignore"):
            x = np.logaddexp.reduce(cand, axis=0)
        if i == 0:
            x[0] = 0.0
        pc = costs.point_row(base, w)
        step = np.full(w, -c01)
        if pc is not None:
            x = x - pc * inv_t
            step[1:] -= pc[1:] * inv_t
        step[0] = 0.0
        s = np.cumsum(step)
        with np.errstate(invalid="ignore"):
            forward[base:base + w] = np.logaddexp.accumulate(x - s) + s

    for i in range(n, -1, -1):
        a_, b_, base = lo[i], hi[i], off[i]
        w = b_ - a_ + 1
        cand = stack[:, :w]
        cand.fill(-INF)
        for k, t in enumerate(_FROM_ABOVE):
            da, db = TYPES[t]
            r = i + da
            if r > n:
                continue
            s_, e_ = max(a_ + db, lo[r]), min(b_ + db, hi[r])
            if s_ > e_:
                continue
            d0 = s_ - a_ - db
            rb = off[r] + s_ - lo[r]
            value = backward[rb:rb + e_ - s_ + 1] - bead_cost(t, rb, e_ - s_ + 1)
            pcr = costs.point_row(rb, e_ - s_ + 1)
            if pcr is not None:
                value = value - pcr * inv_t
            cand[k, d0:d0 + len(value)] = value
        with np.errstate(invalid="ignore"):
            x = np.logaddexp.reduce(cand, axis=0)
        if i == n and b_ == m:
            x[-1] = 0.0
        # 0-1 beads (i, j) -> (i, j + 1), scanned from the right
        pc = costs.point_row(base, w)
        step = np.full(w, -c01)  # step[k]: from column k to k + 1
        if pc is not None:
            step[:-1] -= pc[1:] * inv_t
        xr = x[::-1]
        st = np.concatenate([[0.0], step[::-1][1:]])
        s = np.cumsum(st)
        with np.errstate(invalid="ignore"):
            backward[base:base + w] = (np.logaddexp.accumulate(xr - s) + s)[::-1]

    z = forward[off[n] + m - lo[n]]
    out = []
    for t, (i, j) in zip(path.types, path.ends):
        si, sj = i - TYPES[t][0], j - TYPES[t][1]
        end = off[i] + j - lo[i]
        cost = c01 if t == T01 else c10 if t == T10 else float(costs.match[t][end]) * inv_t
        pc = float(costs.point[end]) * inv_t if costs.point is not None else 0.0
        value = forward[off[si] + sj - lo[si]] - cost - pc + backward[end] - z
        out.append(float(math.exp(min(0.0, value))) if np.isfinite(value) else 0.0)
    return out


# --------------------------------------------------------------------------- coarse to fine


def _band_around(points: list[tuple[int, int]], n: int, m: int, margin: int) -> Band:
    """Rows get the columns the path (a list of grid points) visits, +- ``margin``."""
    lo = np.full(n + 1, m, dtype=np.int64)
    hi = np.zeros(n + 1, dtype=np.int64)
    pts = np.asarray(points, dtype=np.int64)
    i0, j0, i1, j1 = pts[:-1, 0], pts[:-1, 1], pts[1:, 0], pts[1:, 1]
    # every segment covers rows i0..i1 with columns j0..j1 (a path never goes back)
    np.minimum.at(lo, i0, j0)
    np.minimum.at(lo, i1, j0)
    np.maximum.at(hi, i0, j1)
    np.maximum.at(hi, i1, j1)
    for di in range(1, int((i1 - i0).max(initial=0))):  # rows strictly inside long segments
        inside = i1 - i0 > di
        np.minimum.at(lo, i0[inside] + di, j0[inside])
        np.maximum.at(hi, i0[inside] + di, j1[inside])
    lo = np.clip(lo - margin, 0, m)
    hi = np.clip(hi + margin, 0, m)
    lo = np.minimum.accumulate(lo[::-1])[::-1]  # non-decreasing
    hi = np.maximum.accumulate(hi)
    lo[0] = 0
    hi[-1] = m
    return Band(lo, hi)


def _coarse_factor(n: int, m: int) -> int:
    return max(2, -(-max(n, m) // COARSE_UNITS))


def _margin(k: int) -> int:
    return 2 * k + 12


def corridor(problem: Problem, model: Model) -> Band:
    """The band to search: the whole grid for small problems, else the best path of
    the coarse problem (blocks of k units, itself searched in its own corridor)
    mapped back and widened by a margin."""
    n, m = problem.n, problem.m
    if (n + 1) * (m + 1) <= FULL_CELLS:
        return Band.full(n, m)
    k = _coarse_factor(n, m)
    coarse = problem.coarsen(k)
    cpath = _search_widening(coarse, corridor(coarse, model), model, posteriors=False)
    points = [(0, 0)] + [(min(i * k, n), min(j * k, m)) for i, j in cpath.ends]
    band = _band_around(points, n, m, _margin(k))
    band.points, band.margin = points, _margin(k)  # kept for widening
    return band


def _search_widening(problem: Problem, band: Band, model: Model, posteriors: bool) -> Path:
    """Search; while the best path touches the band's edge, widen the band and search again."""
    path = search(problem, band, model, posteriors=posteriors)
    margin = band.margin
    tries = 0
    while path.touches_edge and margin is not None and tries < 3:
        margin *= 2
        wider = _band_around(band.points, problem.n, problem.m, margin)
        wider.points, wider.margin = band.points, margin
        band = wider
        path = search(problem, band, model, posteriors=posteriors)
        tries += 1
    return path


#: Weight (in beads) of the default priors against the counts of a first pass.
PRIOR_STRENGTH = 100.0
#: Rows of the first pass on long documents (a sample is enough to fit the model).
FIT_ROWS = 2000


def fit(problem: Problem, path: Path, model: Model) -> Model:
    """Bead-type priors, length ratio and variance re-estimated from a first path:
    the type counts smoothed towards the default priors, the length parameters
    from its 1-1 beads (robustly: median of squared deviations)."""
    counts = np.bincount(np.asarray(path.types, dtype=np.int64), minlength=len(TYPES))
    base = np.asarray([DEFAULT_PRIORS[t] for t in range(len(TYPES))])
    priors = (counts + PRIOR_STRENGTH * base) / (counts.sum() + PRIOR_STRENGTH)
    model = replace(model, priors=tuple(float(p) for p in np.maximum(priors, 1e-4)))
    ls, lt = [], []
    for t, (i, j) in zip(path.types, path.ends):
        if t == T11:
            ls.append(problem.source_lengths[i - 1])
            lt.append(problem.target_lengths[j - 1])
    if len(ls) < 5:
        return model
    ls, lt = np.asarray(ls), np.asarray(lt)
    c = float(lt.sum() / max(ls.sum(), 1.0))
    mean = np.maximum((ls + lt / c) / 2, 1.0)
    s2 = float(np.median((lt - c * ls) ** 2 / mean) / 0.4549)
    # shrink towards the prior values when the sample is small
    weight = len(ls) / (len(ls) + 20.0)
    c = weight * c + (1 - weight) * model.ratio
    s2 = weight * s2 + (1 - weight) * model.variance
    return replace(model, ratio=c, variance=float(np.clip(s2, 2.0, 60.0)))


def align_problem(problem: Problem, model: Model, refit: bool = True) -> tuple[Path, Model]:
    """Best path with posteriors; the model fitted to the documents by a first pass
    (on the first FIT_ROWS rows of long documents)."""
    band = corridor(problem, model)
    if refit:
        sample = None if problem.n <= FIT_ROWS else FIT_ROWS
        first = search(problem, band, model, posteriors=False, last_row=sample)
        model = fit(problem, first, model)
    path = _search_widening(problem, band, model, posteriors=False)
    path.posteriors = _posteriors(problem, model, path)
    return path, model
