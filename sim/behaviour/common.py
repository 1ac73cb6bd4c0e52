"""Small vectorised helpers shared by the phases."""

from __future__ import annotations

import numpy as np

from sim.maths import sigmoid  # noqa: F401  (the phases' logistic, kept in sim.maths for the programme's rules too)


def timer_done(m, idx: np.ndarray) -> np.ndarray:
    """The households of `idx` whose waiting time is over this month; the others' timers count down."""
    t = m.timer[idx]
    m.timer[idx[t > 0]] -= 1
    return idx[t <= 0]


def start_delay(m, who: np.ndarray, kind: str, draw) -> None:
    """Set the timers of `who` to a delay of `kind` drawn from the survey's categories with `draw`
    (a declared draw of two rounds: the category and the place within it)."""
    u_bin, u_within = m.streams.all_rounds(draw, m.month, who)
    m.timer[who] = m.prog.draw_delay(kind, u_bin, u_within)[0]


def group_order(groups: np.ndarray, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sort by (group, key); return (order, start index of each sorted element's group)."""
    order = np.lexsort((keys, groups))
    g = groups[order]
    starts = np.r_[0, np.flatnonzero(np.diff(g)) + 1] if len(g) else np.zeros(0, np.int64)
    seg = np.repeat(starts, np.diff(np.r_[starts, len(g)]))
    return order, seg


def size_ahead(groups: np.ndarray, keys: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """For each element, the total size of the elements of its group with a smaller key (ahead of it
    in line), aligned with the inputs."""
    order, seg = group_order(groups, keys)
    s = sizes[order].astype(np.float64)
    cs = np.cumsum(s)
    out = np.empty(len(groups))
    out[order] = cs - s - (cs[seg] - s[seg])
    return out


def fill_in_order(groups: np.ndarray, keys: np.ndarray, sizes: np.ndarray, capacity: np.ndarray,
                  skip_ahead: bool = False) -> np.ndarray:
    """First come, first served: accept, per group in key order, while the running total fits.

    With `skip_ahead`, what is left after the first one that does not fit goes to the next ones in
    order that still fit (a smaller family behind a large one). Returns a boolean mask over the
    inputs; the accepted sizes of a group never exceed its capacity.
    """
    if len(groups) == 0:
        return np.zeros(0, bool)
    order, seg = group_order(groups, keys)
    s = sizes[order].astype(np.float64)
    cs = np.cumsum(s)
    within = cs - (cs[seg] - s[seg])
    ok = within <= capacity[groups[order]]
    # strict queue order: once one does not fit, those behind it wait too
    nok = (~ok).astype(np.int64)
    cum = np.cumsum(nok)
    accept_sorted = (cum - (cum[seg] - nok[seg])) == 0
    if skip_ahead:
        _skip_ahead(accept_sorted, groups[order], s, capacity)
    out = np.zeros(len(groups), bool)
    out[order] = accept_sorted
    return out


def _skip_ahead(accept: np.ndarray, g: np.ndarray, s: np.ndarray, capacity: np.ndarray) -> None:
    """Give each group's remaining capacity to the next candidates in order that fit (in place).

    Each round admits at most one candidate per group and uses at least the smallest size, so the
    rounds are bounded by the largest remainder, not by the number of households."""
    left = capacity.astype(np.float64) - np.bincount(g[accept], weights=s[accept], minlength=len(capacity))
    while True:
        fits = ~accept & (s <= left[g])
        if not fits.any():
            return
        pos = np.flatnonzero(fits)
        first = pos[np.r_[True, g[pos][1:] != g[pos][:-1]]]  # earliest fitting candidate of each group
        accept[first] = True
        left -= np.bincount(g[first], weights=s[first], minlength=len(capacity))


def stochastic_round(x: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Round down or up with probability equal to the fraction (keeps scaled totals unbiased)."""
    fl = np.floor(x)
    return (fl + (u < (x - fl))).astype(np.int64)


def choose(prob: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Row-wise categorical draw from a (n x k) probability matrix with one uniform per row."""
    cdf = np.cumsum(prob, axis=1)
    cdf /= cdf[:, -1:]
    return np.minimum((u[:, None] > cdf).sum(axis=1), prob.shape[1] - 1)


def sorted_distinct(a: np.ndarray, counts: bool = False, presorted: bool = False):
    """`np.unique(a)` (and its counts) by one sort (none if `presorted`): numpy's unique of integers
    hashes, several times slower than sorting the arrays of tens of thousands the phases pass."""
    s = a if presorted else np.sort(a)
    first = np.flatnonzero(np.r_[True, s[1:] != s[:-1]]) if len(s) else np.zeros(0, np.intp)
    if not counts:
        return s[first]
    return s[first], np.diff(np.r_[first, len(s)])
