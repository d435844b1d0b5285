"""SNode axes: ``qd.i``, ``qd.j``, ``qd.ij``, … and ``qd.axes(*indices)``.

An axis names one index of a field (``qd.i`` is the first index, ``qd.j`` the second, …). ``qd.root.dense(qd.ij,
(n, m))`` splits a node along axes 0 and 1. As upstream, each name is a *list* of :class:`Axis` records, so ``qd.i``
and ``qd.axes(0)`` are interchangeable.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Axis", "axes", "MAX_AXES", "NAMED_AXES", "normalize_axes"]

# upstream's limit on the number of indices of a field (get_max_num_indices)
MAX_AXES = 12


@dataclass(frozen=True)
class Axis:
    """One field index, by position (0 for ``qd.i``)."""

    index: int

    def __post_init__(self) -> None:
        if not isinstance(self.index, int) or isinstance(self.index, bool) or not 0 <= self.index < MAX_AXES:
            raise ValueError(f"an axis index must be an int in [0, {MAX_AXES}), got {self.index!r}")

    def __repr__(self) -> str:
        return f"qd.axes({self.index})"


def axes(*indices: int) -> list[Axis]:
    """The axes with the given positions: ``qd.axes(0, 1)`` is ``qd.ij``."""
    return [Axis(i) for i in indices]


def normalize_axes(value) -> tuple[int, ...]:
    """Axis positions of ``qd.ij``, ``[qd.i, qd.j]``, ``(qd.axes(0),)`` or a single :class:`Axis`."""
    if isinstance(value, Axis):
        return (value.index,)
    if not isinstance(value, (list, tuple)):
        raise TypeError(f"expected axes such as qd.i or qd.ij, got {value!r}")
    out: list[int] = []
    for item in value:
        out.extend(normalize_axes(item))
    return tuple(out)


_LETTERS = "ijkl"
# every increasing combination of i, j, k, l: qd.i … qd.l, qd.ij … qd.kl, qd.ijk … qd.jkl, qd.ijkl
NAMED_AXES: dict[str, list[Axis]] = {}
for _mask in range(1, 16):
    _picked = [n for n in range(4) if _mask >> n & 1]
    NAMED_AXES["".join(_LETTERS[n] for n in _picked)] = axes(*_picked)
del _mask, _picked
