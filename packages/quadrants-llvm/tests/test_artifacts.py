"""llvm-cpu artifacts hold host object code: loading links it, never optimises or generates code."""

from __future__ import annotations

import pickle
import subprocess
import sys
import textwrap

import numpy as np

from quadrants.backend import CompileOptions
from quadrants.ir import dtypes as T, nodes as N
from quadrants.ir.ops import Op
from quadrants_llvm.cpu import BACKEND

from .conftest import pfor, program, ref, var


def _double(name: str = "k", factor: int = 2) -> N.Program:
    """``x[i] = factor * x[i]`` over a 1-d i32 ndarray."""
    i, v = var("i"), var("v")
    body = [
        N.Load(v, 0, (ref(i),)),
        N.Store(0, (ref(i),), N.OpExpr(Op.MUL, (ref(v), N.Const(factor, T.i32)), T.i32)),
    ]
    return program([N.NdarrayArg("x", T.i32, 1)], [pfor([i], [0], [N.Shape(0, 0, T.i32)], body)], name=name)


def _launch(exe, array: np.ndarray) -> None:
    exe.launch([BACKEND.wrap_numpy(array)])


def test_artifact_carries_object_code_and_load_only_links():
    artifact = BACKEND.compile(_double(), CompileOptions())
    if sys.platform.startswith("linux"):
        assert artifact.object_code.startswith(b"\x7fELF")
    assert set(artifact.timings) >= {"build", "parse", "optimize", "codegen"}
    exe = BACKEND.load(artifact)
    assert "jit" in exe.timings and "launcher" in exe.timings
    x = np.arange(5, dtype=np.int32)
    _launch(exe, x)
    assert x.tolist() == [0, 2, 4, 6, 8]


def test_symbols_are_named_by_content():
    a = BACKEND.compile(_double(factor=2), CompileOptions())
    b = BACKEND.compile(_double(factor=3), CompileOptions())
    again = BACKEND.compile(_double(factor=2), CompileOptions())
    assert a.prefix != b.prefix  # different code never defines the same symbol
    assert a.prefix == again.prefix  # the same code links once per process and is shared
    x, y = np.ones(3, np.int32), np.ones(3, np.int32)
    _launch(BACKEND.load(a), x)
    _launch(BACKEND.load(again), x)
    _launch(BACKEND.load(b), y)
    assert x.tolist() == [4, 4, 4] and y.tolist() == [3, 3, 3]


def test_a_pickled_artifact_runs_in_a_fresh_process_without_the_ir_builder():
    blob = pickle.dumps(BACKEND.compile(_double(), CompileOptions()))
    code = textwrap.dedent(
        """
        import pickle, sys
        import numpy as np
        from quadrants_llvm.cpu import BACKEND
        exe = BACKEND.load(pickle.loads(sys.stdin.buffer.read()))
        x = np.arange(4, dtype=np.int32)
        exe.launch([BACKEND.wrap_numpy(x)])
        built = [m for m in ("quadrants_llvm.builder.tasks", "quadrants.frontend.kernel") if m in sys.modules]
        print(x.tolist(), built)
        """
    )
    out = subprocess.run([sys.executable, "-c", code], input=blob, capture_output=True, check=True).stdout
    assert out.decode().strip() == "[0, 2, 4, 6] []"


def test_cache_identity_names_the_artifact_format_and_host():
    ident = BACKEND.cache_identity()
    assert len(ident) == 16 and ident == BACKEND.cache_identity()
