"""Where the fuzz generator's decisions come from and what it may generate.

Every choice goes through a :class:`Chooser`, so the same generator runs from a seeded ``random.Random``
(:class:`RandomChooser`, what the runner uses) or from hypothesis (:mod:`quadrants_conformance.fuzz.strategies`).
:class:`GenOptions` says which types and features the backend under test supports (:func:`options_for` reads them from
its capabilities).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from quadrants_conformance.fuzz.types import INTS

__all__ = ["Chooser", "RandomChooser", "GenOptions", "options_for"]


class Chooser(Protocol):
    """The source of every random decision."""

    def int(self, lo: int, hi: int) -> int:
        """An integer in ``[lo, hi]``."""

    def choice(self, seq: Sequence[Any]) -> Any:
        """One element of a non-empty sequence."""

    def chance(self, p: float) -> bool:
        """True with probability ``p``."""


class RandomChooser:
    """A :class:`Chooser` over ``random.Random(seed)``."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)

    def int(self, lo: int, hi: int) -> int:
        return self.rng.randint(lo, hi)

    def choice(self, seq):
        return seq[self.rng.randrange(len(seq))]

    def chance(self, p: float) -> bool:
        return self.rng.random() < p


@dataclass(frozen=True)
class GenOptions:
    """What the backend under test supports (the generator only uses these types) and what to generate."""

    dtypes: tuple[str, ...] = ("i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "f32")
    atomic_dtypes: tuple[str, ...] = ("i32", "u32")
    transcendental: bool = True  # allow a final store of sin/exp/... compared with the "transcendental" row
    subnormals: bool = True  # subnormal float inputs
    avoid: frozenset[str] = frozenset()  # features not to generate (known, reported backend bugs)


def options_for(capabilities: Any, avoid: frozenset[str] = frozenset()) -> GenOptions:
    """:class:`GenOptions` from a backend's ``capabilities`` (``supports("f64")``, ``supports("atomic:i32")``)."""
    names = ("i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "f16", "f32", "f64")
    dtypes = tuple(t for t in names if capabilities.supports(t) and t not in avoid)
    atomic = tuple(t for t in INTS if t in dtypes and capabilities.supports(f"atomic:{t}"))
    return GenOptions(
        dtypes=dtypes, atomic_dtypes=atomic, subnormals=capabilities.supports("subnormals"), avoid=frozenset(avoid)
    )
