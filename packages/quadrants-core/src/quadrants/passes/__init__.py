"""Passes: pure ``Program -> Program`` functions, one per module, run by :func:`run_pipeline` in the order of
:data:`DEFAULT_PASSES`."""

from __future__ import annotations

from quadrants.passes.fold_constants import fold_constants
from quadrants.passes.merge_serial_blocks import merge_serial_blocks
from quadrants.passes.pipeline import Pass, PassFn, run_pipeline
from quadrants.passes.rematerialize_kernel_vars import rematerialize_kernel_vars
from quadrants.passes.remove_dead_code import remove_dead_code
from quadrants.passes.remove_unused_values import remove_unused_values
from quadrants.passes.split_deep_exprs import split_deep_exprs
from quadrants.passes.square_powers import square_powers

__all__ = [
    "DEFAULT_PASSES",
    "Pass",
    "PassFn",
    "fold_constants",
    "merge_serial_blocks",
    "rematerialize_kernel_vars",
    "remove_dead_code",
    "remove_unused_values",
    "run_pipeline",
    "split_deep_exprs",
    "square_powers",
]

#: The optimization pipeline, in order. Kernel variables that stand for expressions of the arguments are recomputed
#: where they are read first (a constant one then folds where it is used, and serial tasks may be left empty); folding
#: exposes constant ``If`` conditions to dead-code removal, which can leave locals unread (removed next, with the
#: ndarray reads that fed only them); squares become products once their exponents are folded constants; serial blocks
#: left next to each other once empty tasks are gone become one; the depth bound comes last, so that backends never
#: walk an expression deeper than ``split_deep_exprs.MAX_DEPTH``.
DEFAULT_PASSES: tuple[Pass, ...] = (
    ("rematerialize_kernel_vars", rematerialize_kernel_vars),
    ("fold_constants", fold_constants),
    ("square_powers", square_powers),
    ("remove_dead_code", remove_dead_code),
    ("merge_serial_blocks", merge_serial_blocks),
    ("remove_unused_values", remove_unused_values),
    ("split_deep_exprs", split_deep_exprs),
)
