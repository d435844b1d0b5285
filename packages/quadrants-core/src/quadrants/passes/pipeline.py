"""The pass manager: runs named ``Program -> Program`` passes in order, verifying, dumping and timing each one.

Modelled on numba's ``compiler_machinery``: a verification failure names the pass that broke the IR, the IR can be
dumped after chosen passes, and every pass is timed. Which passes to dump is a parameter; the environment variable
that selects it (``QD_DUMP_IR``) is read in :mod:`quadrants.config`, not here.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable
from typing import Literal, TextIO

from quadrants.ir.nodes import Program
from quadrants.ir.printer import format_program
from quadrants.ir.verifier import IRVerificationError, verify as verify_program

__all__ = ["Pass", "PassFn", "run_pipeline"]

PassFn = Callable[[Program], Program]
Pass = tuple[str, PassFn]


def _wants_dump(dump: Iterable[str] | Literal["all"] | None, name: str) -> bool:
    if dump is None:
        return False
    names = {dump} if isinstance(dump, str) else set(dump)
    return "all" in names or name in names


def run_pipeline(
    program: Program,
    passes: Iterable[Pass],
    *,
    verify: bool = False,
    dump: Iterable[str] | Literal["all"] | None = None,
    timings: dict[str, float] | None = None,
    stream: TextIO | None = None,
) -> Program:
    """Run ``passes`` over ``program`` in order and return the result.

    ``verify``: run the verifier after each pass; a failure is re-raised as :class:`IRVerificationError` prefixed with
    ``after pass '<name>'``. ``dump``: pass names (or ``"all"``) after which the printed IR is written to ``stream``
    (default ``sys.stderr``) under a header ``=== IR after <pass> (<kernel>) ===``. ``timings``: per-pass seconds are
    added into it (a pass that runs twice accumulates). An exception raised by a pass itself gets a note naming it.
    """
    for name, fn in passes:
        start = time.perf_counter()
        try:
            program = fn(program)
        except Exception as exc:
            exc.add_note(f"in compiler pass '{name}'")
            raise
        elapsed = time.perf_counter() - start
        if timings is not None:
            timings[name] = timings.get(name, 0.0) + elapsed
        if _wants_dump(dump, name):
            out = stream if stream is not None else sys.stderr
            out.write(f"=== IR after {name} ({program.name}) ===\n{format_program(program)}\n")
            out.flush()
        if verify:
            try:
                verify_program(program)
            except IRVerificationError as exc:
                raise IRVerificationError(f"after pass '{name}': {exc}") from exc
    return program
