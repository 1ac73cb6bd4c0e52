"""Random streams with common random numbers, and the register of every draw taken from them.

One seed makes a run. `numpy.random.SeedSequence(seed).spawn` gives every decision its own stream.
Draws for a subset of households come from a counter-based hash of (stream, month, household, k),
so a household's number for a decision does not depend on who else is drawing: two scenarios run
with one seed differ by their policy, not by noise (common random numbers). Draws for all
households at once use the stream's own Generator, called every month whatever the policy.

Every draw is declared once, next to the rule that uses it (`declare`): its name, stream, counter `k`
and purpose, the way Starsim modules declare their distributions. The register refuses a second
declaration of one (stream, k), so two rules cannot share a number by accident, and
`tests/test_streams.py` checks that each declared draw is taken at exactly one call site.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

STREAMS = (
    "population", "network", "awareness", "decision", "destination", "documents", "processing",
    "selection", "moving", "payment", "arrival", "housing", "jobs", "adaptation",
    "returns", "services",
)



class DrawClash(ValueError):
    """Two declarations claim one number of one stream."""


@dataclass(frozen=True)
class Draw:
    """One declared use of a stream.

    Attributes:
        name: unique name of the draw (as the rule would say it).
        stream: one of `STREAMS`.
        k: the counter that tells this draw from the stream's others; a draw of several `rounds`
            (a choice repeated up to that many times in a month) takes k, k+stride, k+2*stride...
        purpose: what the number decides, in a few words.
        owner: the module that declared it (the phase or set-up step that uses it).
        per_household: True for a number fixed per household for the whole run (drawn at month -1),
            which the household reuses every month by design.
        sequential: True for the stream's own Generator (set-up, or one draw for every household),
            which one draw alone may take; its `k` is not used (counter-based draws of the same
            stream hash the counter and never meet the Generator's sequence).
        redrawn: True for a counter-based draw that a household may take twice for one month by
            design (its purpose says why that is harmless); the run check of tests/test_streams.py
            lets it repeat.
    """

    name: str
    stream: str
    k: int
    purpose: str
    owner: str
    rounds: int = 1
    stride: int = 1
    per_household: bool = False
    sequential: bool = False
    redrawn: bool = False

    @property
    def counters(self) -> range:
        return range(self.k, self.k + self.rounds * self.stride, self.stride)


DRAWS: dict[str, Draw] = {}


def declare(name: str, stream: str, k: int, purpose: str, owner: str, *, rounds: int = 1, stride: int = 1,
            per_household: bool = False, sequential: bool = False, redrawn: bool = False,
            register: dict[str, Draw] | None = None) -> Draw:
    """Declare a draw in the register (`DRAWS` unless another is given); refuse any clash."""
    reg = DRAWS if register is None else register
    if stream not in STREAMS:
        raise DrawClash(f"draw {name!r}: unknown stream {stream!r}; streams are {', '.join(STREAMS)}")
    if rounds < 1 or stride < 1 or k < 0:
        raise DrawClash(f"draw {name!r}: k must be >= 0, rounds and stride >= 1")
    new = Draw(name, stream, int(k), purpose, owner, int(rounds), int(stride), per_household, sequential, redrawn)
    old = reg.get(name)
    if old is not None:
        if old == new:  # the same module imported again (importlib.reload)
            return old
        raise DrawClash(f"draw {name!r} is declared twice ({old.owner} and {owner})")
    for other in reg.values():
        if other.stream != stream:
            continue
        if sequential and other.sequential:
            raise DrawClash(f"draws {other.name!r} ({other.owner}) and {name!r} ({owner}) both take the "
                            f"Generator of stream {stream!r}")
        if not (sequential or other.sequential) and set(other.counters) & set(new.counters):
            raise DrawClash(f"draws {other.name!r} ({other.owner}) and {name!r} ({owner}) share stream "
                            f"{stream!r}, counter k={min(set(other.counters) & set(new.counters))}")
    reg[name] = new
    return new


_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_C1 = np.uint64(0xBF58476D1CE4E5B9)
_C2 = np.uint64(0x94D049BB133111EB)
_MASK = (1 << 64) - 1


def _mix(z: np.ndarray) -> np.ndarray:
    """SplitMix64 finaliser on a uint64 array (wrapping arithmetic)."""
    z = (z ^ (z >> np.uint64(30))) * _C1
    z = (z ^ (z >> np.uint64(27))) * _C2
    return z ^ (z >> np.uint64(31))


def _mix_int(z: int) -> int:
    z &= _MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


class Streams:
    """Named, independent random streams derived from one seed."""

    def __init__(self, seed: int):
        self.seed = int(seed)
        children = np.random.SeedSequence(self.seed).spawn(len(STREAMS))
        self._keys = {n: int(c.generate_state(1, np.uint64)[0]) for n, c in zip(STREAMS, children)}
        self._gens = {n: np.random.default_rng(c) for n, c in zip(STREAMS, children)}

    def sequence(self, draw: Draw) -> np.random.Generator:
        """The Generator of a declared sequential draw."""
        if not draw.sequential:
            raise ValueError(f"draw {draw.name!r} is counter-based: use Streams.draw")
        return self._gens[draw.stream]

    def draw(self, draw: Draw, month: int, idx: np.ndarray, round: int = 0) -> np.ndarray:
        """U(0,1) per household in `idx` for a declared counter-based draw in `month` (its `round`-th
        repetition when it has several); a per-household draw ignores the month."""
        if draw.sequential:
            raise ValueError(f"draw {draw.name!r} is sequential: use Streams.sequence")
        if not 0 <= round < draw.rounds:
            raise ValueError(f"draw {draw.name!r} has {draw.rounds} round(s), not round {round}")
        return self.uniform(draw.stream, -1 if draw.per_household else month, idx, k=draw.k + round * draw.stride)

    def all_rounds(self, draw: Draw, month: int, idx: np.ndarray) -> list[np.ndarray]:
        """Every round of a declared draw at once (e.g. a delay's category and its place within it)."""
        return [self.draw(draw, month, idx, r) for r in range(draw.rounds)]

    def uniform(self, name: str, month: int, idx: np.ndarray, k: int = 0) -> np.ndarray:
        """U(0,1) per household in `idx` for (stream, month, k); independent of who else draws."""
        base = _mix_int(self._keys[name] + (month + 1) * 0x9E3779B97F4A7C15 + (k + 1) * 0xD1B54A32D192ED03)
        z = idx.astype(np.uint64) * _GOLDEN + np.uint64(base)
        return (_mix(z) >> np.uint64(11)).astype(np.float64) * (1.0 / 9007199254740992.0)
