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


def test_objects_made_in_the_pause_leave_it_in_the_oldest_generation():
    gc.collect()
    with paused():
        made = [[i] for i in range(5000)]  # 5000 young containers: several young collections' worth
    assert gc.get_count()[0] < 700  # none of them is waiting for a young collection
    assert gc.get_freeze_count() == 0 and len(made) == 5000


def test_a_callers_frozen_objects_stay_frozen():
    gc.collect()
    kept = [[i] for i in range(100)]
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with paused():
            made = [[i] for i in range(1000)]
        assert gc.get_freeze_count() == frozen  # the pause did not unfreeze them
        assert len(kept) + len(made) == 1100
    finally:
        gc.unfreeze()


def test_a_garbage_cycle_made_in_the_pause_is_still_collected():
    import weakref

    class Node:
        pass

    with paused():
        a, b = Node(), Node()
        a.other, b.other = b, a
        gone = weakref.ref(a)
        del a, b
    assert gone() is not None  # the cycle outlived the pause: only the collector frees it
    gc.collect()
    assert gone() is None
