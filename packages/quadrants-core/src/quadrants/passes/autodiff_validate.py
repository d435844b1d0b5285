"""``qd.ad.Tape(validation=True)`` under ``qd.init(debug=True)``: the forward kernels run as *validating* programs
that check upstream's global data access rule (docs/autodiff.md): an element of a field or ndarray with a gradient
that was read since the tape started is not written afterwards.

``make_validating(program, checked)`` returns the program with one more argument per index in ``checked``: an i32
array of the same shape (the element's *check bit*, kept by the tape across its launches). A load of a checked array
sets the element's bit; a store first checks that the bit is clear, else the launch fails with upstream's
``QuadrantsAssertionError`` "(kernel=...) Breaks the global data access rule ...". Atomic updates (``+=``) are
accumulations, which the adjoint handles, and are not checked.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import replace

from quadrants.ir import dtypes
from quadrants.ir.nodes import (
    Check,
    Checkpoint,
    Const,
    DoWhile,
    If,
    Load,
    LocalRef,
    NdarrayArg,
    OpExpr,
    Program,
    Store,
    Var,
)
from quadrants.ir.ops import Op
from quadrants.passes.autodiff_util import max_var_id

__all__ = ["make_validating", "validating_name"]


def validating_name(name: str) -> str:
    """The validating program's name (upstream: ``<kernel>_validate_grad``)."""
    return f"{name}_validate_grad"


def make_validating(program: Program, checked: Iterable[int]) -> Program:
    """``program`` instrumented with the check bits of the arguments listed in ``checked``."""
    checked = tuple(checked)
    bit_arg = {k: len(program.args) + i for i, k in enumerate(checked)}
    new_args = program.args + tuple(
        NdarrayArg(f"{program.args[k].name}.checkbit", dtypes.i32, program.args[k].ndim) for k in checked
    )
    ids = itertools.count(max_var_id(program) + 1)
    kernel = validating_name(program.name)

    def block(stmts):
        out = []
        for s in stmts:
            if isinstance(s, Store) and s.arg in bit_arg:
                bit = Var(next(ids), "checkbit", dtypes.i32)
                clear = OpExpr(Op.EQ, (LocalRef(bit), Const(0, dtypes.i32)), dtypes.u1)
                message = (
                    f"(kernel={kernel}) Breaks the global data access rule. {program.args[s.arg].name} is "
                    "overwritten unexpectedly (an element read earlier under the tape is written: use another "
                    "field or ndarray for the new values)"
                )
                out += [Load(bit, bit_arg[s.arg], s.indices, loc=s.loc), Check(clear, "assert", message, s.loc), s]
            elif isinstance(s, Load) and s.arg in bit_arg:
                out += [s, Store(bit_arg[s.arg], s.indices, Const(1, dtypes.i32), loc=s.loc)]
            elif isinstance(s, If):
                out.append(replace(s, then=block(s.then), orelse=block(s.orelse)))
            elif hasattr(s, "body"):  # loops
                out.append(replace(s, body=block(s.body)))
            else:
                out.append(s)
        return tuple(out)

    def items(its):
        return tuple(
            replace(it, body=items(it.body))
            if isinstance(it, (DoWhile, Checkpoint))
            else replace(it, body=block(it.body))
            for it in its
        )

    return replace(program, name=kernel, args=new_args, items=items(program.items))
