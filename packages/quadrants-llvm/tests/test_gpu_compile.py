"""The compile-only GPU tier (runs in CI, no GPU): every conformance kernel is lowered to PTX and to AMDGPU code.

The conformance suite runs in a subprocess with the backends of ``gpu_compile_plugin`` (``llvm-cuda-compile``,
``llvm-amdgpu-compile``): each compiles every kernel for the GPU target (verified LLVM module, O3, PTX for sm_90 —
assembled with ``ptxas`` when it is installed — or an AMDGPU code object for gfx90a) and then runs it on llvm-cpu, so
a code generation failure fails the case. Cases the compile-only backends cannot run are listed in
``tests/gpu_compile_expectations``. Unit tests below pin the float rules of the generated PTX.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import quadrants as qd
from quadrants.backend import CompileOptions, discover_backends

HERE = Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def programs():
    """Programs of a few kernels, compiled through the frontend on llvm-cpu."""
    qd.init(arch="llvm-cpu")

    @qd.kernel
    def madd(x: qd.types.NDArray[qd.f32, 1], y: qd.types.NDArray[qd.f32, 1], a: qd.f32):
        for i in range(x.shape[0]):
            y[i] = a * x[i] + y[i]

    @qd.kernel
    def total(x: qd.types.NDArray[qd.f64, 1], s: qd.types.NDArray[qd.f64, 0]):
        for i in range(x.shape[0]):
            s[()] += qd.sin(x[i]) + x[i] % 3.0

    import numpy as np

    madd(np.ones(4, np.float32), np.ones(4, np.float32), 2.0)
    total(np.ones(4), np.zeros(()))
    return {"madd": madd._last.program, "total": total._last.program}


def test_ptx_has_no_contraction_and_marks_kernels(programs):
    from quadrants_llvm.cuda import compile_ptx

    ptx = compile_ptx(programs["madd"]).ptx
    assert ".entry qd_task_0" in ptx
    assert "mul.rn.f32" in ptx and "add.rn.f32" in ptx
    assert "fma" not in ptx  # a*b+c stays two rounded operations (docs/semantics.md §4.4)
    fast = compile_ptx(programs["madd"], CompileOptions(fast_math=True)).ptx
    assert "fma.rn.f32" in fast


def test_reductions_combine_per_warp_and_math_needs_no_library(programs):
    from quadrants_llvm.cuda import compile_ptx

    ptx = compile_ptx(programs["total"]).ptx
    assert "shfl.sync.bfly" in ptx
    assert "atom.global.add.f64" in ptx or "atom.add.f64" in ptx
    assert ".extern" not in ptx  # no libm/libdevice call: sin and fmod are IR (quadrants_llvm.builder.mathlib)


@pytest.mark.parametrize("arch", ["gfx90a", "gfx942", "gfx1100"])
def test_amdgpu_code_objects(programs, arch):
    from quadrants_llvm.amdgpu import compile_code_object

    for program in programs.values():
        code = compile_code_object(program, arch=arch).code
        assert code[:4] == b"\x7fELF"


def test_probes_explain_why_unavailable():
    backends = discover_backends()
    amd = backends["llvm-amdgpu"].probe()
    assert not amd.available and amd.reason
    cuda = backends["llvm-cuda"].probe()
    if not cuda.available:
        assert "cuda" in cuda.reason.lower()


@pytest.mark.parametrize("backend", ["llvm-cuda-compile", "llvm-amdgpu-compile"])
def test_every_conformance_kernel_compiles(backend, tmp_path):
    log = tmp_path / "compiled.txt"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]),
        "QD_GPU_COMPILE_LOG": str(log),
    }
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        "--pyargs",
        "quadrants_conformance.cases",
        "--backend",
        backend,
        "-p",
        "gpu_compile_plugin",
        "--expectations",
        str(HERE / "gpu_compile_expectations"),
        "--conformance-json",
        str(tmp_path / "report.json"),
        "-q",
        "-p",
        "no:cacheprovider",
    ]
    if _have_xdist():
        cmd += ["-n", str(min(8, os.cpu_count() or 1))]
    r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=1800, cwd=tmp_path)
    summary = [line for line in r.stdout.splitlines() if line.startswith("conformance:") and "passed" in line]
    assert r.returncode == 0, r.stdout[-6000:] + r.stderr[-2000:]
    assert summary and " 0 failed" in summary[-1], summary
    assert len(log.read_text().splitlines()) > 500  # every case's kernels went through the GPU compiler


def _have_xdist() -> bool:
    try:
        import xdist  # noqa: F401
    except ImportError:
        return False
    return True


def test_reduction_into_a_local_combines_per_warp():
    """``s += x[i]`` into a kernel-scope local: per-thread partials, a warp shuffle, one atomic on the slot per warp."""
    from quadrants.ir.nodes import VarAtomicRMW
    from quadrants.ir.walk import contains
    from quadrants_llvm.cuda import compile_ptx

    qd.init(arch="llvm-cpu")

    @qd.kernel
    def total(x: qd.types.NDArray[qd.f32, 1]) -> qd.f32:
        s = 0.0
        for i in range(x.shape[0]):
            s += x[i]
        return s

    import numpy as np

    assert total(np.ones(8, np.float32)) == 8.0
    program = total._last.program
    assert contains(program.items, VarAtomicRMW)
    ptx = compile_ptx(program).ptx
    assert "shfl.sync.bfly" in ptx
    assert ptx.count("atom.") == 1  # the warp leader's add into the kernel var's slot


def test_innermost_runtime_loops_are_unrolled_and_grids_use_global_memory():
    """n-body's inner loop gets GPU_UNROLL copies (a distinct self-referencing loop ID reaches LLVM), a 2-d stencil
    divides once per thread rather than per lane, and ndarray accesses are global loads and stores."""
    from quadrants_llvm.builder.stmts import GPU_UNROLL, distinct_loop_ids
    from quadrants_llvm.cuda import compile_ptx

    tagged = '!7 = !{ !"qd.loop.7", !6 }\n!6 = !{ !"x" }'
    assert distinct_loop_ids(tagged) == '!7 = distinct !{ !7, !6 }\n!6 = !{ !"x" }'
    qd.init(arch="llvm-cpu")

    @qd.kernel
    def pairs(p: qd.types.NDArray[qd.f32, 1], out: qd.types.NDArray[qd.f32, 1]):
        for i in range(p.shape[0]):
            s = 0.0
            for j in range(p.shape[0]):
                d = p[j] - p[i]
                s += d / qd.sqrt(d * d + 0.5)
            out[i] = s

    @qd.kernel
    def stencil(a: qd.types.NDArray[qd.f32, 2], b: qd.types.NDArray[qd.f32, 2]):
        for i, j in qd.ndrange((1, a.shape[0] - 1), (1, a.shape[1] - 1)):
            b[i, j] = a[i - 1, j] + a[i, j + 1]

    import numpy as np

    pairs(np.ones(4, np.float32), np.zeros(4, np.float32))
    stencil(np.ones((4, 4), np.float32), np.zeros((4, 4), np.float32))
    ptx = compile_ptx(pairs._last.program).ptx
    # the plain loop's unrolled copies and its remainder's one, and the in-order split's chunk (builder/ordered_sums.py)
    assert ptx.count("sqrt.rn.f32") == GPU_UNROLL + 2
    ptx = compile_ptx(stencil._last.program).ptx
    # the thread's first lane and its stride are decoded (2 divisions, each with a 32-bit fast path), no more
    assert len([line for line in ptx.splitlines() if "div.u" in line]) <= 4
    assert "ld.global.b32" in ptx and "st.global.b32" in ptx
    assert not [line for line in ptx.splitlines() if line.strip().startswith(("ld.b32", "st.b32"))]


def test_squares_are_products_on_the_gpu_not_a_software_pow():
    """``x ** 2`` is a multiplication in the PTX for small operands (passes/square_powers.py) and for operands too large
    to write twice (builder/exprs.py), and the kernel gives the products; ``x ** 2.5`` still needs the software pow."""
    import numpy as np

    from quadrants_llvm.builder.tasks import build_module
    from quadrants_llvm.cuda import compile_ptx
    from quadrants_llvm.cuda.compiler import gpu_target
    from quadrants_llvm.target import NVPTX

    qd.init(arch="llvm-cpu")

    @qd.kernel
    def squares(x: qd.types.NDArray[qd.f32, 1], y: qd.types.NDArray[qd.f32, 1]):
        for i in range(x.shape[0]):
            big = qd.max(x[i] * 0.5 + 1.0, x[i] - 2.0, qd.abs(x[i]) * 3.0 - 1.0)  # a tree of more than 8 nodes
            y[i] = x[i] ** 2 + (x[i] + big * 2.0 - qd.sqrt(qd.abs(big) + 1.0)) ** 2

    @qd.kernel
    def other(x: qd.types.NDArray[qd.f32, 1]):
        for i in range(x.shape[0]):
            x[i] = x[i] ** 2.5

    x = np.array([1.5, -3.25, 7.0], np.float32)
    y = np.zeros(3, np.float32)
    squares(x, y)
    big = np.maximum(np.maximum(x * np.float32(0.5) + 1, x - 2), np.abs(x) * 3 - 1)
    inner = x + big * np.float32(2.0) - np.sqrt(np.abs(big) + 1)
    assert np.array_equal(y, x * x + inner * inner)
    other(x)

    def module_text(program):  # before O3, which inlines (and so hides) the software pow
        target = gpu_target(NVPTX, "sm_90")
        return str(build_module(program, target, "qd", debug=False, fast_math=False).module)

    assert "qd_math_pow" not in module_text(squares._last.program)
    assert "qd_math_pow" in module_text(other._last.program)
    assert "fma.rn" not in compile_ptx(squares._last.program).ptx  # strict IEEE: products and sums stay apart


def test_f32_cubes_and_fourth_powers_are_f64_products_equal_to_the_rounded_f64_power():
    """``x ** 3`` and ``x ** 4`` of an f32 need no software pow (builder/exprs.py): products in f64, rounded once,
    bit for bit the f64 power rounded to f32; an f64 base keeps the pow (its square is not exact in f64)."""
    import numpy as np

    from quadrants_llvm.builder.tasks import build_module
    from quadrants_llvm.cuda.compiler import gpu_target
    from quadrants_llvm.target import NVPTX

    qd.init(arch="llvm-cpu")

    @qd.kernel
    def powers(x: qd.types.NDArray[qd.f32, 1], y: qd.types.NDArray[qd.f32, 1], z: qd.types.NDArray[qd.f32, 1]):
        for i in range(x.shape[0]):
            y[i] = x[i] ** 3
            z[i] = (1.0 - x[i]) ** 4

    @qd.kernel
    def wide(x: qd.types.NDArray[qd.f64, 1]):
        for i in range(x.shape[0]):
            x[i] = x[i] ** 3

    rng = np.random.default_rng(5)
    specials = np.array([0.0, -0.0, 1.0, -1.0, np.inf, -np.inf, np.nan, 3e38, 1e-30, -2.5], np.float32)
    x = np.concatenate([specials, (rng.standard_normal(4000) * 10.0 ** rng.integers(-12, 12, 4000)).astype(np.float32)])
    y, z = np.zeros_like(x), np.zeros_like(x)
    powers(x, y, z)
    with np.errstate(all="ignore"):
        assert np.array_equal(y, np.power(x.astype(np.float64), 3.0).astype(np.float32), equal_nan=True)
        fourth = np.power((np.float32(1) - x).astype(np.float64), 4.0).astype(np.float32)
        assert np.array_equal(z, fourth, equal_nan=True)
    assert np.signbit(y[1])  # (-0.0) ** 3 is -0.0
    wide(np.ones(2))

    def module_text(program):
        target = gpu_target(NVPTX, "sm_90")
        return str(build_module(program, target, "qd", debug=False, fast_math=False).module)

    assert "qd_math_pow" not in module_text(powers._last.program)
    assert "qd_math_pow" in module_text(wide._last.program)
