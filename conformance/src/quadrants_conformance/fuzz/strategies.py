"""The program generator as hypothesis strategies: ``programs(options)`` draws a
:class:`~quadrants_conformance.fuzz.program.Program` with every decision taken from hypothesis, so hypothesis can
shrink it too (``@given(programs())`` in a property test)."""

from __future__ import annotations

from hypothesis import strategies as st

from quadrants_conformance.fuzz.generate import GenOptions, generate

__all__ = ["programs", "HypothesisChooser"]


class HypothesisChooser:
    """A :class:`~quadrants_conformance.fuzz.generate.Chooser` over hypothesis' ``draw``."""

    def __init__(self, draw):
        self.draw = draw

    def int(self, lo: int, hi: int) -> int:
        return self.draw(st.integers(lo, hi))

    def choice(self, seq):
        return seq[self.draw(st.integers(0, len(seq) - 1))]

    def chance(self, p: float) -> bool:
        return self.draw(st.floats(0, 1, exclude_max=True)) < p


@st.composite
def programs(draw, options: GenOptions | None = None):
    """A random well-typed, race-free program (inputs seeded from a drawn seed)."""
    seed = draw(st.integers(0, 2**31 - 1))
    return generate(HypothesisChooser(draw), options or GenOptions(), seed)
