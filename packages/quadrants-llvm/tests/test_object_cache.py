"""The llvm-cpu offline object cache (cpu/object_cache.py): a second compile of the same IR skips O3 and code
generation, a damaged file is a miss, ``offline_cache=False`` writes nothing, and ``qd.init`` places it."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np
import pytest

from quadrants.backend import CompileOptions
from quadrants.ir import dtypes as T, nodes as N
from quadrants.ir.ops import Op
from quadrants_llvm.cpu import BACKEND, object_cache
from quadrants_llvm.cpu.jit import get_jit

from .conftest import pfor, program, ref, var


def _scale(factor: int) -> N.Program:
    """``x[i] = factor * x[i]`` over a 1-d i32 ndarray."""
    i, v = var("i"), var("v")
    body = [
        N.Load(v, 0, (ref(i),)),
        N.Store(0, (ref(i),), N.OpExpr(Op.MUL, (ref(v), N.Const(factor, T.i32)), T.i32)),
    ]
    return program([N.NdarrayArg("x", T.i32, 1)], [pfor([i], [0], [N.Shape(0, 0, T.i32)], body)], name="scale")


@pytest.fixture
def cache_dir(tmp_path):
    get_jit().forget()  # what this process compiled before comes from memory, not from the files under test
    before = object_cache.directory()
    object_cache.configure(tmp_path, True)
    yield tmp_path / "llvm_cpu_objects"
    object_cache.configure(before.parent if before else None, before is not None)


def _files(folder):
    return sorted(folder.glob("*.obj")) if folder.exists() else []


def test_second_compile_of_the_same_ir_loads_the_object_and_runs(cache_dir, monkeypatch):
    first = BACKEND.compile(_scale(7), CompileOptions())
    assert len(_files(cache_dir)) == 1 and first.timings["optimize"] > 0

    def no_optimiser(*args, **kwargs):
        raise AssertionError("the optimiser ran on a cached IR")

    monkeypatch.setattr(get_jit(), "_optimized", no_optimiser)
    get_jit().forget()  # as in a new process: from the file
    again = BACKEND.compile(_scale(7), CompileOptions())
    assert "object_cache" in again.timings and again.timings["optimize"] == 0.0
    assert (again.object_code, again.prefix, again.ir_text) == (first.object_code, first.prefix, first.ir_text)
    x = np.arange(4, dtype=np.int32)
    BACKEND.load(again).launch([BACKEND.wrap_numpy(x)])
    assert x.tolist() == [0, 7, 14, 21]
    with pytest.raises(AssertionError, match="optimiser ran"):
        BACKEND.compile(_scale(8), CompileOptions())  # other IR, other key: compiled (here: refused)


def test_damaged_or_foreign_files_are_misses_and_get_rewritten(cache_dir):
    first = BACKEND.compile(_scale(5), CompileOptions())
    (path,) = _files(cache_dir)
    data = path.read_bytes()
    path.write_bytes(data[:-10])  # truncated
    get_jit().forget()
    assert BACKEND.compile(_scale(5), CompileOptions()).timings["optimize"] > 0
    assert path.read_bytes() == data  # the good object replaced the damaged one
    path.write_bytes(b"something else entirely")
    get_jit().forget()
    again = BACKEND.compile(_scale(5), CompileOptions())
    assert again.timings["optimize"] > 0 and again.object_code == first.object_code


def test_off_reads_and_writes_nothing(tmp_path):
    before = object_cache.directory()
    object_cache.configure(tmp_path, False)
    try:
        assert object_cache.directory() is None
        BACKEND.compile(_scale(3), CompileOptions())
        assert list(tmp_path.iterdir()) == []
    finally:
        object_cache.configure(before.parent if before else None, before is not None)


def test_the_key_covers_ir_placeholder_and_target():
    base = object_cache.key_of("ir", "P", "cpu A")
    assert len({base, object_cache.key_of("ir2", "P", "cpu A"), object_cache.key_of("ir", "Q", "cpu A")}) == 3
    assert object_cache.key_of("ir", "P", "cpu B") != base and object_cache.key_of("ir", "P", "cpu A") == base


def test_qd_init_places_it_under_offline_cache_file_path(tmp_path):
    # a fresh process: qd.init configures the backend; a second process finds the first one's object
    script = textwrap.dedent(
        """
        import sys
        import numpy as np
        import quadrants as qd
        from quadrants_llvm.cpu import object_cache
        qd.init(arch=qd.cpu, offline_cache_file_path=sys.argv[1], offline_cache=sys.argv[2] == "on")
        print(object_cache.directory())

        @qd.kernel
        def twice(x: qd.types.ndarray(qd.i32, ndim=1)):
            for i in x:
                x[i] = 2 * x[i]

        x = np.arange(3, dtype=np.int32)
        twice(x)
        assert x.tolist() == [0, 2, 4]
        """
    )

    program_file = tmp_path / "program.py"  # kernels need a source file
    program_file.write_text(script)
    cache = tmp_path / "cache"

    def run(mode: str) -> str:
        done = subprocess.run(
            [sys.executable, str(program_file), str(cache), mode], capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    assert run("off") == "None" and not (cache / "llvm_cpu_objects").exists()
    assert run("on") == str(cache / "llvm_cpu_objects")
    stored = _files(cache / "llvm_cpu_objects")
    assert stored
    mtimes = [p.stat().st_mtime_ns for p in stored]
    run("on")  # the second process hits: nothing new is written
    assert _files(cache / "llvm_cpu_objects") == stored and [p.stat().st_mtime_ns for p in stored] == mtimes


def test_llvm_cuda_keeps_its_ptx_beside_the_objects(cache_dir, monkeypatch):
    """The same cache serves llvm-cuda (kind ``GPU``): a second compile of the same program gives the stored PTX
    without the optimiser; a damaged file is compiled again. PTX only: no device needed."""
    from quadrants_llvm.cuda import compile_ptx, compiler

    gpu_dir = cache_dir.parent / object_cache.GPU
    first = compile_ptx(_scale(5))
    assert len(_files(gpu_dir)) == 1 and "ld.global" in first.ptx

    def no_optimiser(*args, **kwargs):
        raise AssertionError("the optimiser ran on a cached IR")

    with monkeypatch.context() as m:
        m.setattr(compiler, "_optimize_and_emit", no_optimiser)
        again = compile_ptx(_scale(5))
        assert (again.code, again.ir_text) == (first.code, first.ir_text)
        with pytest.raises(AssertionError, match="optimiser ran"):
            compile_ptx(_scale(6))
    (stored,) = _files(gpu_dir)
    stored.write_bytes(stored.read_bytes()[:-7])  # truncated: a miss, compiled and written again
    assert compile_ptx(_scale(5)).code == first.code


def test_the_same_ir_is_optimised_once_per_process_without_the_offline_cache(tmp_path, monkeypatch):
    """With the disk cache off, a second program with the same IR reuses the first one's object code from memory
    (mgpcg's ``dot`` on two pairs of vectors of one type was optimised and code-generated twice)."""
    before = object_cache.directory()
    object_cache.configure(tmp_path, False)
    try:
        get_jit().forget()
        first = BACKEND.compile(_scale(11), CompileOptions())
        assert first.timings["optimize"] > 0 and "memo" not in first.timings

        def no_optimiser(*args, **kwargs):
            raise AssertionError("the optimiser ran on IR compiled before")

        monkeypatch.setattr(get_jit(), "_optimized", no_optimiser)
        again = BACKEND.compile(_scale(11), CompileOptions())
        assert again.timings["optimize"] == 0.0 and "memo" in again.timings
        assert (again.object_code, again.prefix, again.ir_text) == (first.object_code, first.prefix, first.ir_text)
        x = np.arange(4, dtype=np.int32)
        BACKEND.load(again).launch([BACKEND.wrap_numpy(x)])
        assert x.tolist() == [0, 11, 22, 33]
        with pytest.raises(AssertionError, match="optimiser ran"):
            BACKEND.compile(_scale(12), CompileOptions())  # other IR: compiled (here: refused)
        get_jit().forget()
        with pytest.raises(AssertionError, match="optimiser ran"):
            BACKEND.compile(_scale(11), CompileOptions())  # forgotten: compiled again
        assert list(tmp_path.iterdir()) == []
    finally:
        object_cache.configure(before.parent if before else None, before is not None)


def test_the_memory_keeps_the_most_recent_entries(monkeypatch):
    from quadrants_llvm.cpu import jit as jit_module

    monkeypatch.setattr(jit_module, "MEMO_ENTRIES", 2)
    jit = get_jit()
    jit.forget()
    for k in range(3):
        jit._remember(f"k{k}", ("t", "p", b"o"))
    assert list(jit._compiled) == ["k1", "k2"]
    monkeypatch.setattr(jit_module, "MEMO_BYTES", 25)  # 10 bytes an entry: two fit
    jit._remember("k3", ("t" * 8, "p", b"o"))
    assert list(jit._compiled) == ["k2", "k3"] and jit._compiled_bytes == 13
    jit._remember("k4", ("t" * 30, "p", b"o"))  # larger than the budget alone: kept, the others go
    assert list(jit._compiled) == ["k4"] and jit._compiled_bytes == 32
    jit.forget()
    assert jit._compiled_bytes == 0


def test_llvm_cuda_side_modules_come_from_the_cache_too(cache_dir, monkeypatch):
    """The one-block ``do_while`` kernels (and the fused condition kernels) are built when a process first launches a
    graph: a second build of the same module loads the stored PTX without the optimiser."""
    from quadrants_llvm.cuda import compiler
    from quadrants_llvm.cuda.compiler import compile_block_loops, gpu_target
    from quadrants_llvm.target import NVPTX

    i, c = var("i"), var("c")
    body = (pfor([i], [0], [N.Shape(1, 0, T.i32)], [N.Store(1, (ref(i),), ref(i))]),)
    countdown = N.SerialBlock(
        (N.Load(c, 0, ()), N.Store(0, (), N.OpExpr(Op.SUB, (ref(c), N.Const(1, T.i32)), T.i32))),
    )
    loop = N.DoWhile(level=0, cond_arg=0, body=(*body, countdown))
    prog = program([N.NdarrayArg("c", T.i32, 0), N.NdarrayArg("x", T.i32, 1)], [loop], name="countdown")
    target = gpu_target(NVPTX, "sm_90")
    first = compile_block_loops(prog, CompileOptions(), target, {0: (loop, [0, 1])})
    assert len(_files(cache_dir.parent / object_cache.GPU)) == 1

    def no_optimiser(*args, **kwargs):
        raise AssertionError("the optimiser ran on a cached IR")

    monkeypatch.setattr(compiler, "_optimize_and_emit", no_optimiser)
    assert compile_block_loops(prog, CompileOptions(), target, {0: (loop, [0, 1])}) == first
