"""A GPU module of several tasks compiled one task per thread (cuda/split_compile.py), without a GPU."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import threading

import numpy as np
import pytest

import quadrants as qd
from quadrants_llvm.cuda import compile_ptx, split_compile
from quadrants_llvm.cuda.compiler import _PREFIX, gpu_target
from quadrants_llvm.target import NVPTX

N = 64


@qd.kernel
def three_tasks(a: qd.types.ndarray(dtype=qd.f32, ndim=1), b: qd.types.ndarray(dtype=qd.f32, ndim=1)):
    for i in range(a.shape[0]):
        a[i] = qd.sin(qd.cast(i, qd.f32)) * 2.0
    b[0] = a[1] + a[2]  # a serial block between the two loops
    for i in range(b.shape[0]):
        b[i] += qd.cos(a[i])


def _program():
    qd.init(arch=qd.cpu, offline_cache=False)  # every compile below compiles (a cached split would hide a whole one)
    three_tasks(np.zeros(N, np.float32), np.zeros(N, np.float32))
    return three_tasks._last.program


def _entries(ptx: str) -> list[str]:
    return re.findall(r"\.entry\s+(\w+)\(", ptx)


def test_every_part_holds_its_own_kernel_and_the_shared_helpers(monkeypatch):
    monkeypatch.setenv("QD_CUDA_SPLIT_MIN_CHARS", "0")
    art = compile_ptx(_program())
    modules = art.ptx_modules
    assert len(modules) == len(art.kernels) == 3
    for k, ptx in enumerate(modules):
        assert _entries(ptx) == [f"{_PREFIX}_task_{k}"]  # one kernel, the k-th, and no other
    assert _entries(art.ptx) == list(art.kernels)


def test_modules_stay_whole_by_default_and_below_the_size(monkeypatch):
    monkeypatch.delenv("QD_CUDA_SPLIT_MIN_CHARS", raising=False)
    art = compile_ptx(_program())  # off unless asked for
    assert len(art.ptx_modules) == 1 and _entries(art.ptx) == list(art.kernels)
    monkeypatch.setenv("QD_CUDA_SPLIT_MIN_CHARS", str(split_compile.MIN_CHARS))
    assert len(compile_ptx(_program()).ptx_modules) == 1  # far below MIN_CHARS of IR


def test_split_and_whole_code_agree_per_kernel(monkeypatch):
    """Apart from module headers, the parts carry the code the whole module has for each kernel."""
    program = _program()
    monkeypatch.setenv("QD_CUDA_SPLIT_MIN_CHARS", "0")
    split = compile_ptx(program).ptx
    monkeypatch.setenv("QD_CUDA_SPLIT_MIN_CHARS", str(10**12))
    whole = compile_ptx(program).ptx

    def bodies(ptx: str) -> dict[str, str]:
        numbered = re.sub(r"\$L__BB\d+_", "$L__BB_", ptx)  # block labels count the functions of their module
        return dict(re.findall(r"\.entry\s+(\w+)\((.*?)\n}\n", numbered, flags=re.S))

    assert bodies(split) == bodies(whole)


def test_an_unexpected_layout_is_compiled_whole():
    assert split_compile.task_texts("define void @other() {\n}\n", _PREFIX, 2) is None
    text = 'define void @"qd_task_0"(ptr %".1") nounwind\n{\nret void\n'  # no closing brace
    assert split_compile.task_texts(text, _PREFIX, 1) is None


def test_parts_round_trip():
    assert split_compile.parts(b"a\0b\0") == [b"a\0", b"b\0"]
    assert split_compile.parts(b"only\0") == [b"only\0"]


def test_workers_follow_the_cores_and_the_override(monkeypatch):
    monkeypatch.setenv("QD_COMPILE_THREADS", "3")
    assert split_compile.workers(10) == 3 and split_compile.workers(2) == 2
    monkeypatch.setenv("QD_COMPILE_THREADS", "")
    assert split_compile.workers(100) >= 1


def test_other_threads_keep_llvmlites_lock(monkeypatch):
    """After a split compile, a thread that is not compiling a part still serialises its llvmlite calls."""
    from llvmlite.binding import ffi

    monkeypatch.setenv("QD_CUDA_SPLIT_MIN_CHARS", "0")
    compile_ptx(_program())
    lock = ffi.lib._lock._lock
    assert isinstance(lock, split_compile._PrivateContextLock)
    held = threading.Event()
    release = threading.Event()

    def hold():
        lock.acquire()
        held.set()
        release.wait(5)
        lock.release()

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(5)
    assert not lock.acquire(timeout=0.05)  # the main thread is not a compile thread: it waits for the holder
    release.set()
    holder.join()
    assert lock.acquire(timeout=1)
    lock.release()


@pytest.mark.skipif(not shutil.which("ptxas"), reason="ptxas is not installed (the CUDA toolkit's assembler)")
def test_every_part_assembles(monkeypatch):
    monkeypatch.setenv("QD_CUDA_SPLIT_MIN_CHARS", "0")
    for ptx in compile_ptx(_program()).ptx_modules:
        with tempfile.NamedTemporaryFile("w", suffix=".ptx") as f:
            f.write(ptx)
            f.flush()
            done = subprocess.run(["ptxas", "-arch=sm_90", f.name, "-o", "/dev/null"], capture_output=True)
            assert done.returncode == 0, done.stderr.decode()


def test_targets_without_annotations_are_never_split(monkeypatch):
    monkeypatch.setenv("QD_CUDA_SPLIT_MIN_CHARS", "0")
    from quadrants_llvm.amdgpu import compile_code_object

    assert compile_code_object(_program(), arch="gfx90a").code[:4] == b"\x7fELF"
    assert gpu_target(NVPTX, "sm_90").kernel_annotation


def test_a_split_compile_leaves_the_process_locale_alone(monkeypatch):
    """libllvmlite switches to the C locale around a parse and back; two parses side by side used to leave the whole
    process in the C locale (a later subprocess with text=True then failed to decode UTF-8)."""
    import locale

    monkeypatch.setenv("QD_CUDA_SPLIT_MIN_CHARS", "0")
    monkeypatch.setenv("QD_COMPILE_THREADS", "3")
    before = locale.setlocale(locale.LC_CTYPE)
    for _ in range(5):
        compile_ptx(_program())
        assert locale.setlocale(locale.LC_CTYPE) == before
