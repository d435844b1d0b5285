"""Lane groups (builder/spmd.py, issue 23): parallel loops whose lanes run divergent serial loops become vector code
over 8 lanes. Every result must be bit-identical to the scalar code's; each test runs its kernels both ways."""

from __future__ import annotations

import math

import numpy as np
import pytest

import quadrants as qd
from quadrants_llvm.builder import spmd, tasks
from quadrants_llvm.builder.reductions import LARGE_PRIVATE_LIMIT

WIDTH = spmd.width  # the real rule (the fixture below replaces it)
N_I, N_J = 37, 11  # 407 lanes: whole groups of 8 or 16 and a remainder


@pytest.fixture(params=[8, 16], autouse=True)
def group_width(request, monkeypatch):
    """Every test at both widths (spmd.width picks 16 on AVX-512 hosts, 8 elsewhere)."""
    monkeypatch.setattr(spmd, "width", lambda target: request.param)
    return request.param


def _both(monkeypatch, build_and_run):
    """``build_and_run()`` with the scalar code and with lane groups: both results, and how many tasks took groups."""
    real = spmd.supports
    results, used = [], []
    for allow in (False, True):
        taken = []

        def supports(em, item, allow=allow, taken=taken):
            ok = real(em, item)
            taken.append(ok)
            return ok and allow

        monkeypatch.setattr(tasks.spmd, "supports", supports)
        qd.init(arch=qd.cpu, offline_cache=False)
        results.append(build_and_run())
        used.append(sum(taken))
    assert used[1] > 0, "no task took lane groups"
    return results


def _same(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for k in a:
        x, y = np.asarray(a[k]), np.asarray(b[k])
        assert x.dtype == y.dtype and x.shape == y.shape, k
        assert x.tobytes() == y.tobytes(), f"{k}: {x} != {y}"


def test_escape_time_loop_with_reductions(monkeypatch):
    def build_and_run():
        counts = qd.field(qd.i32, shape=(N_I, N_J))
        last = qd.field(qd.f32, shape=(N_I, N_J))
        total = qd.field(qd.f32, shape=())

        @qd.kernel
        def escape(scale: qd.f32, limit: qd.i32) -> qd.i32:
            inside = 0
            for i, j in counts:
                cx, cy = (i - N_I * 0.6) * scale, (j - N_J * 0.5) * scale
                x, y, n = 0.0, 0.0, 0
                while n < limit and x * x + y * y <= 4.0:
                    x, y = x * x - y * y + cx, 2.0 * x * y + cy
                    n += 1
                counts[i, j] = n
                last[i, j] = qd.sqrt(x * x + y * y)
                if n == limit:
                    inside += 1
                else:
                    total[None] += x
            return inside

        inside = escape(0.07, 60)
        return {"counts": counts.to_numpy(), "last": last.to_numpy(), "inside": inside, "total": total[None]}

    scalar, groups = _both(monkeypatch, build_and_run)
    assert 0 < groups["inside"] < N_I * N_J and len(np.unique(groups["counts"])) > 10  # divergent lanes
    # the float reduction's order is unspecified (docs/semantics.md §12): equal up to rounding
    assert groups["total"] == pytest.approx(scalar["total"], rel=1e-5)
    scalar.pop("total"), groups.pop("total")
    _same(scalar, groups)


def test_break_continue_nested_ifs_varying_bounds_and_casts(monkeypatch):
    def build_and_run():
        a = qd.ndarray(qd.f32, shape=(N_I * N_J,))
        a.from_numpy(np.linspace(-7.5, 7.5, N_I * N_J).astype(np.float32))
        out_f = qd.field(qd.f64, shape=(N_I, N_J))
        out_i = qd.field(qd.i64, shape=(N_I, N_J))
        out_u = qd.field(qd.u32, shape=(N_I, N_J))

        @qd.kernel
        def walk(src: qd.types.ndarray(dtype=qd.f32, ndim=1), offset: qd.f32):
            for i, j in out_f:
                acc = qd.f64(0.0)
                hits = qd.i64(0)
                bits = qd.u32(0)
                for k in range(i % 5, j + 3):
                    v = src[(i * 7 + j * 13 + k * 3) % (N_I * N_J)] + offset
                    if k == 4:
                        continue
                    if v > 6.0:
                        if j % 2 == 0:
                            break
                        acc += 1.0
                    elif v < -6.5:
                        hits -= 100
                        continue
                    acc += qd.f64(qd.sin(v)) * qd.floor(v) - v % 1.5
                    hits += qd.cast(v * 1000.0, qd.i64)
                    bits = bits ^ qd.cast(qd.abs(v) * 1e9, qd.u32)  # saturates above 2^32 - 1
                    m = qd.max(qd.min(v, 3.0), -2.0)
                    hits = qd.select(m > 0, hits + 1, qd.min(hits, qd.i64(50000)))
                out_f[i, j] = acc
                out_i[i, j] = hits
                out_u[i, j] = bits

        walk(a, 0.25)
        return {"f": out_f.to_numpy(), "i": out_i.to_numpy(), "u": out_u.to_numpy()}

    scalar, groups = _both(monkeypatch, build_and_run)
    _same(scalar, groups)


def test_three_axes_with_offsets_lane_owned_updates_and_nan(monkeypatch):
    def build_and_run():
        x = qd.Vector.field(2, qd.f32, shape=(7, 6, 5))
        x.from_numpy(np.full((7, 6, 5, 2), 0.5, np.float32))
        seen = qd.field(qd.i32, shape=())

        @qd.kernel
        def relax(poison: qd.f32):
            for i, j, k in qd.ndrange((1, 6), (2, 5), 5):
                t = i * 0.5 + j * 0.25 + k * 0.125
                if k == 3:
                    t = poison  # NaN lanes: every ordered comparison false, != true
                steps = 0
                while True:
                    if not (t < 20.0) or steps >= 40:
                        break
                    steps += 1
                    if steps % 3 == 0:
                        t += 0.5
                        continue
                    for q in range(k):  # an inner counted loop without a break
                        t += q * 0.1
                    t = t * 1.5 + qd.sqrt(t)
                x[i, j, k] += qd.Vector([t, qd.cast(steps, qd.f32)])
                if t != t:
                    seen[None] += 1

        relax(math.nan)
        return {"x": x.to_numpy(), "seen": seen[None]}

    scalar, groups = _both(monkeypatch, build_and_run)
    assert groups["seen"] == 5 * 3
    _same(scalar, groups)


def test_bodies_outside_the_whitelist_keep_the_scalar_code():
    qd.init(arch=qd.cpu, offline_cache=False)
    taken = []
    real = spmd.supports

    def supports(em, item):
        taken.append(real(em, item))
        return taken[-1]

    tasks.spmd.supports = supports
    try:
        out = qd.field(qd.i32, shape=64)
        # larger than any private copy: the plain range function (where the SPMD choice is made) is the one built
        hist = qd.field(qd.i32, shape=LARGE_PRIVATE_LIMIT + 8)

        @qd.kernel
        def scatter_counts():
            for i in out:
                n = i
                while n > 1:
                    n = n // 2
                hist[n % 8] += 1  # an atomic at a computed index: neither a reduction nor lane-owned
                out[i] = n

        @qd.kernel
        def straight():
            for i in out:
                out[i] = i * 2  # no divergent loop: LLVM's own loop vectoriser handles it

        scatter_counts()
        straight()
    finally:
        tasks.spmd.supports = real
    assert taken == [False, False]
    assert out.to_numpy().tolist() == [2 * i for i in range(64)] and hist.to_numpy().sum() == 64


def test_width_follows_the_vector_registers():
    from types import SimpleNamespace

    assert WIDTH(SimpleNamespace(features="+avx,+avx2,+avx512f,+fma")) == 16
    assert WIDTH(SimpleNamespace(features="+avx,+avx2,-avx512f,+fma")) == 8
    assert WIDTH(SimpleNamespace(features="+neon")) == 8
