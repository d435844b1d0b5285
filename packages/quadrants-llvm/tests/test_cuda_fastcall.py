"""cuda/fastcall.py: which driver calls go through ctypes, with which argument types, and when they are off.
The launch path's use of them runs against the fake driver in test_cuda_streams.py; on a GPU, conformance on
llvm-cuda runs with them (and ``QD_CUDA_FASTCALL=0`` without)."""

from __future__ import annotations

import ctypes

import pytest

from quadrants_llvm.cuda import fastcall


class _Symbol:
    argtypes = restype = None


class _Library:
    def __init__(self, missing=()):
        for name in fastcall._SIGNATURES:
            if name not in missing:
                setattr(self, name, _Symbol())


def test_the_hot_calls_get_fixed_argument_types_and_an_int_status():
    lib = _Library()
    calls = fastcall.FastCalls(lib)
    assert calls.launch_kernel is lib.cuLaunchKernel and calls.copy_in is lib.cuMemcpyHtoDAsync_v2
    assert calls.graph_launch is lib.cuGraphLaunch and calls.stream_query is lib.cuStreamQuery
    assert len(lib.cuLaunchKernel.argtypes) == 11 and lib.cuLaunchKernel.argtypes[0] is ctypes.c_void_p
    assert lib.cuMemcpyHtoDAsync_v2.argtypes[0] is ctypes.c_uint64  # a CUdeviceptr is 64-bit on every platform
    assert all(getattr(lib, name).restype is ctypes.c_int for name in fastcall._SIGNATURES)


def test_a_missing_symbol_or_library_leaves_the_bindings_in_charge(monkeypatch):
    with pytest.raises(AttributeError):
        fastcall.FastCalls(_Library(missing={"cuGraphLaunch"}))
    monkeypatch.setattr(fastcall, "_LIBRARY", "libquadrants-no-such-driver.so.1")
    assert fastcall.load() is None


def test_qd_cuda_fastcall_0_switches_them_off(monkeypatch):
    monkeypatch.setattr(fastcall.ctypes, "CDLL", lambda name: _Library())
    assert isinstance(fastcall.load(), fastcall.FastCalls)
    monkeypatch.setenv("QD_CUDA_FASTCALL", "0")
    assert fastcall.load() is None


def test_handles_come_from_the_bindings_objects_int():
    class Handle:
        def __int__(self):
            return 0x7F00

    assert fastcall.handle(Handle()) == 0x7F00 and fastcall.handle(5) == 5
