"""Random streams with common random numbers.

One seed makes a run. `numpy.random.SeedSequence(seed).spawn` gives every decision its own stream.
Draws for a subset of households come from a counter-based hash of (stream, month, household, k),
so a household's number for a decision does not depend on who else is drawing: two scenarios run
with one seed differ by their policy, not by noise (common random numbers). Draws for all
households at once use the stream's own Generator, called every month whatever the policy.
"""

from __future__ import annotations

import numpy as np

STREAMS = (
    "population", "network", "awareness", "decision", "destination", "documents", "processing",
    "selection", "moving", "payment", "arrival", "housing", "jobs", "adaptation",
    "returns", "services",
)

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

    def generator(self, name: str) -> np.random.Generator:
        """The stream's Generator: for set-up and for draws over all households."""
        return self._gens[name]

    def uniform(self, name: str, month: int, idx: np.ndarray, k: int = 0) -> np.ndarray:
        """U(0,1) per household in `idx` for (stream, month, k); independent of who else draws."""
        base = _mix_int(self._keys[name] + (month + 1) * 0x9E3779B97F4A7C15 + (k + 1) * 0xD1B54A32D192ED03)
        z = idx.astype(np.uint64) * _GOLDEN + np.uint64(base)
        return (_mix(z) >> np.uint64(11)).astype(np.float64) * (1.0 / 9007199254740992.0)
