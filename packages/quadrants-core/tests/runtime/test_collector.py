"""runtime/collector.py: the cyclic collector waits while a specialization is compiled or loaded, and is left as the
caller had it."""

from __future__ import annotations

import gc

import numpy as np

import quadrants as qd
from quadrants.runtime.collector import paused


def test_paused_disables_the_collector_for_the_block_and_nests():
    assert gc.isenabled()
    with paused():
        assert not gc.isenabled()
        with paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner block leaves the outer one's pause alone
    assert gc.isenabled()
    gc.disable()
    try:
        with paused():
            pass
        assert not gc.isenabled()  # a caller's own choice is kept
    finally:
        gc.enable()


def test_a_kernel_compiles_with_the_collector_paused_and_launches_with_it_running(monkeypatch):
    from quadrants.fastcache import lookup

    seen = []
    compile_or_load = lookup.compile_or_load
    monkeypatch.setattr(lookup, "compile_or_load", lambda *a: seen.append(gc.isenabled()) or compile_or_load(*a))
    qd.init(arch="ref")
    try:

        @qd.kernel
        def k(x: qd.types.NDArray[qd.i32, 1]):
            for i in range(x.shape[0]):
                x[i] = i * 2

        x = np.zeros(4, np.int32)
        k(x)
        k(x)  # the same specialization: nothing compiled
        assert seen == [False] and gc.isenabled() and x.tolist() == [0, 2, 4, 6]
    finally:
        qd.reset()
