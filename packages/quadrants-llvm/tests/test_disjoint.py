"""Disjoint arrays in GPU kernels (``quadrants_llvm.builder.disjoint``): the run-time test guards the unrolled lanes,
whose accesses carry alias scopes, and the read-only data path (``ld.global.nc``) is used only where it is safe. PTX
only; the GPU runs are the conformance suite on llvm-cuda (docs/backends/gpu.md)."""

from __future__ import annotations

import re

from quadrants.backend import CompileOptions
from quadrants.ir import dtypes as T, nodes as N
from quadrants.ir.ops import Op
from quadrants_llvm.builder import disjoint
from quadrants_llvm.cuda import compile_ptx

from .conftest import const, op, pfor, program, ref, var

LANE, X, Y = var("i"), var("x", T.f32), var("y", T.f32)
ARRAYS = [N.NdarrayArg("a", T.f32, 1), N.NdarrayArg("b", T.f32, 1)]


def _task(body):
    return pfor([LANE], [0], [op(Op.SUB, N.Shape(0, 0, T.i32), const(1))], body)


def _ptx(*items) -> str:
    return compile_ptx(program(ARRAYS, list(items)), CompileOptions()).ptx


def _loads(ptx: str) -> tuple[int, int]:
    """(``ld.global.nc.b32`` count, plain ``ld.global.b32`` count) of 32-bit element loads."""
    return len(re.findall(r"ld\.global\.nc\.b32", ptx)), len(re.findall(r"ld\.global\.b32", ptx))


STENCIL = [  # b[i] = a[i] + a[i + 1]: a is read-only, b written
    N.Load(X, 0, (ref(LANE),)),
    N.Load(Y, 0, (op(Op.ADD, ref(LANE), const(1)),)),
    N.Store(1, (ref(LANE),), op(Op.ADD, ref(X), ref(Y))),
]


def test_read_only_arrays_take_the_read_only_path_in_the_unrolled_copies_only():
    nc, plain = _loads(_ptx(_task(STENCIL)))
    assert nc == 2 * 4  # two loads in each of the four copies
    assert plain == 2  # the plain loop after them (any aliasing) keeps coherent loads


def test_the_unrolled_loop_is_guarded_by_the_overlap_test():
    text = compile_ptx(program(ARRAYS, [_task(STENCIL)]), CompileOptions()).ir_text
    assert "!alias.scope" in text and "!noalias" in text and "!invariant.load" in text
    assert text.count("ptrtoint") >= 2  # the two arrays' address ranges are compared before the copies run


def test_lane_own_arrays_read_before_written_also_take_it():
    saxpy = [  # b[i] = 2 * a[i] + b[i]
        N.Load(X, 0, (ref(LANE),)),
        N.Load(Y, 1, (ref(LANE),)),
        N.Store(1, (ref(LANE),), op(Op.ADD, op(Op.MUL, const(2.0, T.f32), ref(X)), ref(Y))),
    ]
    assert _loads(_ptx(_task(saxpy)))[0] == 2 * 4
    item = _task(saxpy)
    assert disjoint.lane_own_arrays(item, frozenset({1})) == frozenset({1})


def test_a_load_after_a_write_of_the_same_array_stays_coherent():
    reread = [  # b[i] = a[i]; y = b[i]; b[i] = y + 1: the second read must see the first write
        N.Load(X, 0, (ref(LANE),)),
        N.Store(1, (ref(LANE),), ref(X)),
        N.Load(Y, 1, (ref(LANE),)),
        N.Store(1, (ref(LANE),), op(Op.ADD, ref(Y), const(1.0, T.f32))),
    ]
    ptx = _ptx(_task(reread))
    assert _loads(ptx)[0] == 4  # only a's loads
    assert disjoint.task_arrays(_task(reread)) == ([0, 1], frozenset({1}))


def test_a_task_of_one_array_is_left_as_it_was():
    own = [N.Load(X, 0, (ref(LANE),)), N.Store(0, (ref(LANE),), op(Op.MUL, ref(X), ref(X)))]
    assert _loads(_ptx(_task(own)))[0] == 0


def test_stencil_addresses_share_one_base_with_constant_offsets():
    """``a[i - 1, j]``, ``a[i + 1, j]``, ``a[i, j - 1]``, ``a[i, j + 1]`` with i32 ``i``, ``j``: the index arithmetic is
    64-bit on GPUs (``FunctionEmitter.wide_index``), so the loads differ by immediate offsets, not by a sign-extended
    address chain each."""
    i, j = var("i"), var("j")
    a, b = N.NdarrayArg("a", T.f32, 2), N.NdarrayArg("b", T.f32, 2)
    xs = [var(f"x{k}", T.f32) for k in range(4)]
    near = [(op(Op.SUB, ref(i), const(1)), ref(j)), (op(Op.ADD, ref(i), const(1)), ref(j))]
    near += [(ref(i), op(Op.SUB, ref(j), const(1))), (ref(i), op(Op.ADD, ref(j), const(1)))]
    body = [N.Load(x, 0, idx) for x, idx in zip(xs, near)]
    total = op(Op.ADD, op(Op.ADD, ref(xs[0]), ref(xs[1])), op(Op.ADD, ref(xs[2]), ref(xs[3])))
    body.append(N.Store(1, (ref(i), ref(j)), total))
    item = pfor([i, j], [1, 1], [op(Op.SUB, N.Shape(0, 0, T.i32), const(1))] * 2, body)
    ptx = compile_ptx(program([a, b], [item]), CompileOptions()).ptx
    assert re.search(r"ld\.global\.nc\.b32\s+%r\d+, \[%rd\d+\+8\]", ptx)  # a[i, j + 1] = a[i, j - 1] + 2 elements
    copies = ptx[ptx.index("ld.global.nc") : ptx.rindex("ld.global.nc")]
    assert "shr.s64" not in copies and "cvt.s64.s32" not in copies  # no sign extension of 32-bit index results
