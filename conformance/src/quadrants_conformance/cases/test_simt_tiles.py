"""docs/simt.md "Tiles": the register tiles ``qd.simt.Tile16x16`` / ``Tile32x32``, one row per subgroup lane.

Goldens of loads, stores and identities are NumPy slices of the inputs under the clipping rules (rows past the stop or
the array skipped, columns past ``min(stop, width)`` skipped). The arithmetic cases compare with ``_Emulated``, a
NumPy replay of upstream 1.3.3's operation order in the tile's own precision (the two partial sums of the Cholesky
dot product, the eps floor read on the pivot's lane, the left-to-right sums of the solve), bit for bit, and with
``numpy.linalg`` within a precision bound.
"""

import numpy as np

import quadrants as qd
from quadrants_conformance import case

F32_2 = qd.types.NDArray[qd.f32, 2]
F32_3 = qd.types.NDArray[qd.f32, 3]
F64_3 = qd.types.NDArray[qd.f64, 3]
T16, T32 = qd.simt.Tile16x16, qd.simt.Tile32x32
RNG_SEED = 1234


def _arange(shape, scale=1.0):
    return (np.arange(int(np.prod(shape)), dtype=np.float64).reshape(shape) * scale + 1.0).astype(np.float32)


def _spd(batch, n, seed, dtype):
    m = np.random.default_rng(seed).standard_normal((batch, n, n))
    return (m @ m.transpose(0, 2, 1) / n + np.eye(n)).astype(dtype)


def _nd(values, dtype=qd.f32):
    x = qd.ndarray(dtype, values.shape)
    x.from_numpy(values)
    return x


class _Emulated:
    """Upstream's tile arithmetic replayed on NumPy scalars of ``dt`` (row i is lane i)."""

    def __init__(self, dt):
        self.dt = dt

    def cholesky(self, a, eps):
        dt, r = self.dt, a.astype(self.dt).copy()
        n = r.shape[0]
        norm = np.zeros(n, dt)
        for k in range(n):
            r[k, k] = dt(np.sqrt(dt(max(r[k, k] - norm[k], eps[k]))))
            for i in range(k + 1, n):
                sums = [dt(0), dt(0)]
                for j in range(k):
                    sums[j % 2] = dt(sums[j % 2] + r[k, j] * r[i, j])
                v = dt((r[i, k] - dt(sums[0] + sums[1])) / r[k, k])
                r[i, k] = v
                norm[i] = dt(norm[i] + v * v)
        return r

    def solve(self, lower, b):
        dt, x = self.dt, b.astype(self.dt).copy()
        for row in x:
            for c in range(x.shape[1]):
                dot = dt(0)
                for j in range(c):
                    dot = dt(dot + row[j] * lower[c, j])
                row[c] = dt((row[c] - dot) / lower[c, c])
        return x

    def rank1(self, t, a, b):
        return (t - np.outer(a, b).astype(self.dt)).astype(self.dt)


# -------------------------------------------------------------------------------------------- loads and stores


def _clipped_load(src, base, r0, r1, c0, c1):
    """``t = base; t[:] = src[r0:r1, c0:c1]`` in NumPy."""
    t = base.copy()
    n = t.shape[0]
    for lane in range(n):
        row = r0 + lane
        if row < min(r1, src.shape[0]):
            for j in range(n):
                if c0 + j < min(c1, src.shape[1]):
                    t[lane, j] = src[row, c0 + j]
    return t


def _clipped_store(dst, t, r0, r1, c0, c1):
    out = dst.copy()
    n = t.shape[0]
    for lane in range(n):
        row = r0 + lane
        if row < min(r1, out.shape[0]):
            for j in range(n):
                if c0 + j < min(c1, out.shape[1]):
                    out[row, c0 + j] = t[lane, j]
    return out


SRC2 = _arange((20, 20), 0.5)
EYE16 = np.eye(16, dtype=np.float32)
_T1 = _clipped_load(SRC2, EYE16, 5, 30, 9, 14)  # rows 5..19 (lane 15 past the array), columns 9..13
_T2 = _clipped_load(SRC2, np.zeros((16, 16), np.float32), 2, 9, 6, 40)  # rows 2..8, columns 6..19 (array width)


@case(
    section="simt",
    golden={
        "eye_loaded": _clipped_store(np.zeros((16, 16), np.float32), _T1, 0, 16, 0, 16),
        "partial": _clipped_store(np.full((10, 12), -1.0, np.float32), _T2, 1, 9, 2, 40),
    },
)
def tile16_load_store_2d_ndarray_clips_rows_and_columns():
    @qd.kernel
    def k(src: F32_2, full: F32_2, part: F32_2):
        qd.loop_config(block_dim=16)
        for _ in range(16):
            t = T16.eye(dtype=qd.f32)
            t[:] = src[5:30, 9:14]
            full[0:16, 0:16] = t
            u = T16.zeros()
            u[:] = src[2:9, 6:40]
            part[1:9, 2:40] = u

    full, part = _nd(np.zeros((16, 16), np.float32)), _nd(np.full((10, 12), -1.0, np.float32))
    k(_nd(SRC2), full, part)
    return {"eye_loaded": full.to_numpy(), "partial": part.to_numpy()}


SRC3 = _arange((3, 40, 36), 0.25)


def _batched_expected():
    out = np.zeros((3, 40, 36), np.float32)
    for b in range(3):  # block b copies the 32x32 tile at (4 + b, 3) of batch b to (b, 8, 4 - b)
        t = _clipped_load(SRC3[b], np.zeros((32, 32), np.float32), 4 + b, 4 + b + 32, 3, 35)
        out[b] = _clipped_store(out[b], t, 8, 40, 4 - b, 36)
    return out


@case(section="simt", golden={"out": _batched_expected()})
def tile32_load_store_3d_ndarray_with_a_batch_index():
    @qd.kernel
    def k(src: F32_3, out: F32_3):
        qd.loop_config(block_dim=32)
        for i in range(3 * 32):
            b = i // 32
            t = T32.zeros(dtype=qd.f32)
            t[:] = src[b, 4 + b : 4 + b + 32, 3:35]
            out[b, 8:40, 4 - b : 36] = t

    out = _nd(np.zeros((3, 40, 36), np.float32))
    k(_nd(SRC3), out)
    return {"out": out.to_numpy()}


def _shared_expected():
    src = _arange((2, 18, 18))
    out = np.zeros((2, 16, 16), np.float32)
    for b in range(2):
        t = _clipped_load(src[b], np.zeros((16, 16), np.float32), 1, 17, 2, 18)
        sh = _clipped_store(np.zeros((12, 20), np.float32), t, 0, 16, 1, 17)  # rows past 12 skipped
        back = _clipped_load(sh, np.full((16, 16), 7.0, np.float32), 0, 16, 0, 16)
        out[b] = back
    return src, out


_SH_SRC, _SH_OUT = _shared_expected()


@case(section="simt", golden={"out": _SH_OUT})
def tile16_moves_through_a_field_and_a_shared_array():
    f = qd.field(qd.f32, shape=(2, 18, 18))

    @qd.kernel
    def k(out: F32_3):
        qd.loop_config(block_dim=16)
        for i in range(32):
            b = i // 16
            sh = qd.simt.block.SharedArray((12, 20), qd.f32)
            tid = qd.simt.block.thread_idx()
            for j in range(20):
                if tid < 12:
                    sh[tid, j] = 0.0
            qd.simt.block.sync()
            t = T16.zeros(dtype=qd.f32)
            t[:] = f[b, 1:17, 2:18]
            sh[0:16, 1:17] = t
            qd.simt.block.sync()
            back = T16.zeros(dtype=qd.f32)
            back.r[0] = 7.0
            for j in qd.static(range(1, 16)):
                back.r[j] = 7.0
            back[:] = sh[0:16, 0:16]
            out[b, 0:16, 0:16] = back

    f.from_numpy(_SH_SRC)
    out = _nd(np.zeros((2, 16, 16), np.float32), qd.f32)
    k(out)
    return {"out": out.to_numpy()}


# ------------------------------------------------------------------------------------- identities and updates

_EYE_SRC = _arange((16, 16))


@case(
    section="simt",
    golden={
        "eye": np.eye(16, dtype=np.float32),
        "zeros": np.zeros((16, 16), np.float32),
        "reset": np.eye(16, dtype=np.float32),
        "row3": _EYE_SRC[3],
    },
)
def tile16_eye_zeros_and_eye_in_place():
    @qd.kernel
    def k(src: F32_2, eye: F32_2, zeros: F32_2, reset: F32_2, row3: qd.types.NDArray[qd.f32, 1]):
        qd.loop_config(block_dim=16)
        for i in range(16):
            e = T16.eye()
            eye[0:16, 0:16] = e
            z = T16.zeros(dtype=qd.f32)
            zeros[0:16, 0:16] = z
            t = T16.zeros(dtype=qd.f32)
            t[:] = src[0:16, 0:16]
            if i == 3:
                for j in qd.static(range(16)):
                    row3[j] = t.r[j]
            t.eye_()
            reset[0:16, 0:16] = t

    outs = [_nd(np.full((16, 16), -1.0, np.float32)) for _ in range(3)]
    row3 = _nd(np.zeros(16, np.float32))
    k(_nd(_EYE_SRC), *outs, row3)
    return {
        "eye": outs[0].to_numpy(),
        "zeros": outs[1].to_numpy(),
        "reset": outs[2].to_numpy(),
        "row3": row3.to_numpy(),
    }


def _rank1_expected(dt):
    em = _Emulated(dt)
    a = _arange((20, 6), 0.125).astype(dt)
    t = em.rank1(np.zeros((16, 16), dt), a[0:16, 2], a[0:16, 2])  # symmetric, from a column slice
    col = np.zeros(16, dt)
    col[:12] = a[8:20, 5]  # rows past the array give 0
    t = em.rank1(t, col, col)
    lane = np.arange(16, dtype=dt)
    t = em.rank1(t, lane * dt(0.5) + dt(1), (lane - dt(3)) * dt(0.25))  # general, per-lane scalars
    return a, t


def _rank1_case(dtype, nd_type, dt):
    a_np, expected = _rank1_expected(dt)

    @qd.kernel
    def k(a: nd_type, out: nd_type):
        qd.loop_config(block_dim=16)
        for _ in range(16):
            t = T16.zeros(dtype=dtype)
            v = a[0:16, 2]
            t -= qd.outer(v, v)
            t -= qd.outer(a[8:30, 5], a[8:30, 5])
            lane = qd.cast(qd.simt.subgroup.invocation_id(), dtype)
            t -= qd.outer(lane * 0.5 + 1.0, (lane - 3.0) * 0.25)
            out[0:16, 0:16] = t

    out = _nd(np.zeros((16, 16), dt), dtype)
    k(_nd(a_np, dtype), out)
    got = out.to_numpy()
    assert np.array_equal(got, expected), np.abs(got - expected).max()
    return {"t": got}


@case(section="simt", golden={"t": _rank1_expected(np.float32)[1]})
def tile16_symmetric_and_general_outer_updates_f32():
    return _rank1_case(qd.f32, F32_2, np.float32)


@case(section="simt", requires=("f64",), golden={"t": _rank1_expected(np.float64)[1]})
def tile16_symmetric_and_general_outer_updates_f64():
    return _rank1_case(qd.f64, qd.types.NDArray[qd.f64, 2], np.float64)


# ------------------------------------------------------------------------------------------ Cholesky and solve


def _chol_inputs(n, dt):
    a = _spd(2, n, RNG_SEED + n, dt)
    a[1, 5, :] = a[1, :, 5] = 0  # batch 1: row and column 5 vanish, so pivot 5 is floored by eps
    a[1, 5, 5] = dt(-1)
    return a


def _chol_case(tile, dtype, nd_type, dt, per_lane):
    n = tile.SIZE
    a_np = _chol_inputs(n, dt)
    em = _Emulated(dt)

    @qd.kernel
    def k(a: nd_type, out: nd_type):
        qd.loop_config(block_dim=n)
        for i in range(2 * n):
            b = i // n
            t = tile.zeros(dtype=dtype)
            t[:] = a[b, 0:n, 0:n]
            if qd.static(per_lane):  # lane k floors pivot k with its own value
                t.cholesky_(qd.cast(qd.simt.subgroup.invocation_id() + 1, dtype) * qd.cast(1e-4, dtype))
            else:
                t.cholesky_(qd.cast(1e-3, dtype))
            out[b, 0:n, 0:n] = t

    out = _nd(np.zeros_like(a_np), dtype)
    k(_nd(a_np, dtype), out)
    got = out.to_numpy()
    eps = (np.arange(n) + 1).astype(dt) * dt(1e-4) if per_lane else np.full(n, dt(1e-3))
    for b in range(2):
        expected = em.cholesky(a_np[b], eps.astype(dt))
        assert np.array_equal(got[b], expected), np.abs(got[b] - expected).max()
    lower = np.tril(got[0].astype(np.float64))
    exact = np.linalg.cholesky(a_np[0].astype(np.float64))
    bound = 1e-4 if dt == np.float32 else 1e-12
    assert np.abs(lower - exact).max() < bound * np.abs(exact).max()
    assert got[1][5, 5] == dt(np.sqrt(eps[5])), got[1][5, 5]  # the floored pivot
    return {"out": got}


@case(section="simt")
def tile16_cholesky_uniform_eps_f32():
    return _chol_case(T16, qd.f32, F32_3, np.float32, per_lane=False)


@case(section="simt", requires=("f64",))
def tile16_cholesky_per_lane_eps_f64():
    return _chol_case(T16, qd.f64, F64_3, np.float64, per_lane=True)


@case(section="simt")
def tile32_cholesky_per_lane_eps_f32():
    return _chol_case(T32, qd.f32, F32_3, np.float32, per_lane=True)


def _solve_inputs(dt):
    lower = np.linalg.cholesky(_spd(1, 32, RNG_SEED, np.float64)[0]).astype(dt)
    lower[np.triu_indices(32, 1)] = dt(5)  # the upper part is not read
    rhs = np.random.default_rng(RNG_SEED + 1).standard_normal((32, 32)).astype(dt)
    return lower, rhs


@case(section="simt", requires=("f64",))
def tile32_solve_triangular_f64():
    lower_np, rhs_np = _solve_inputs(np.float64)

    @qd.kernel
    def k(lower: qd.types.NDArray[qd.f64, 2], rhs: qd.types.NDArray[qd.f64, 2]):
        qd.loop_config(block_dim=32)
        for _ in range(32):
            L = T32.zeros(dtype=qd.f64)
            L[:] = lower[0:32, 0:32]
            B = T32.zeros(dtype=qd.f64)
            B[:] = rhs[0:32, 0:32]
            L.solve_triangular_(B, lower=True)
            rhs[0:32, 0:32] = B

    rhs = _nd(rhs_np, qd.f64)
    k(_nd(lower_np, qd.f64), rhs)
    got = rhs.to_numpy()
    assert np.array_equal(got, _Emulated(np.float64).solve(lower_np, rhs_np))
    exact = np.linalg.solve(np.tril(lower_np), rhs_np.T).T  # X @ L^T = B
    assert np.abs(got - exact).max() < 1e-12 * np.abs(exact).max()
    return {"x": got}


def _blocked_reference(a, dt, t=16):
    """The blocked left-looking factor below, replayed with _Emulated (rows past n stay identity / zero)."""
    em, n = _Emulated(dt), a.shape[0]
    lo = np.tril(a).astype(dt)
    blocks = (n + t - 1) // t

    def load(base, r0, c0):
        return _clipped_load(lo, base, r0, r0 + t, c0, min(c0 + t, n))

    def column(r0, col):
        v = np.zeros(t, dt)
        rows = lo[r0 : min(r0 + t, n), col]
        v[: len(rows)] = rows
        return v

    for kb in range(blocks):
        k0 = kb * t
        kk = load(np.eye(t, dtype=dt), k0, k0)
        for jb in range(kb):
            for c in range(t):
                v = column(k0, jb * t + c)
                kk = em.rank1(kk, v, v)
        kk = em.cholesky(kk, np.full(t, dt(1e-6)))
        for ib in range(kb + 1, blocks):
            i0 = ib * t
            ik = load(np.zeros((t, t), dt), i0, k0)
            for jb in range(kb):
                for c in range(t):
                    ik = em.rank1(ik, column(i0, jb * t + c), column(k0, jb * t + c))
            ik = em.solve(kk, ik)
            lo = _clipped_store(lo, ik, i0, min(i0 + t, n), k0, min(k0 + t, n))
        lo = _clipped_store(lo, kk, k0, min(k0 + t, n), k0, min(k0 + t, n))
    return np.tril(lo)


_BT = 16  # the blocked factor's tile width


def _blocked_factor(dtype, n):
    blocks = (n + _BT - 1) // _BT

    @qd.func
    def factor(lo: qd.template(), Tile: qd.template(), b):
        # Genesis's order: column block k takes the updates of the blocks left of it, is factored, then solves the
        # blocks below it; lo holds A's lower triangle on entry and L on return
        for kb in range(blocks):
            k0 = kb * _BT
            k1 = qd.min(k0 + _BT, n)
            kk = Tile.eye(dtype=dtype)
            kk[:] = lo[b, k0:k1, k0:k1]
            for jb in range(kb):
                for c in range(_BT):
                    v = lo[b, k0:k1, jb * _BT + c]
                    kk -= qd.outer(v, v)
            kk.cholesky_(qd.cast(1e-6, dtype))
            for ib in range(kb + 1, blocks):
                i0 = ib * _BT
                i1 = qd.min(i0 + _BT, n)
                ik = Tile.zeros(dtype=dtype)
                ik[:] = lo[b, i0:i1, k0:k1]
                for jb in range(kb):
                    for c in range(_BT):
                        ik -= qd.outer(lo[b, i0:i1, jb * _BT + c], lo[b, k0:k1, jb * _BT + c])
                kk.solve_triangular_(ik)
                lo[b, i0:i1, k0:k1] = ik
            lo[b, k0:k1, k0:k1] = kk

    return factor


@qd.func
def _copy_lower(dst: qd.template(), db, src: qd.template(), sb, tid, n: qd.template()):
    """Rows tid, tid + 16, ... of src[sb]'s lower triangle into dst[db] (the rest of those rows zeroed)."""
    r = tid
    while r < n:
        for c in range(n):
            dst[db, r, c] = 0.0
            if c <= r:
                dst[db, r, c] = src[sb, r, c]
        r += _BT


def _blocked_case(dtype, nd_type, dt, n, shared):
    batch = 2
    a_np = _spd(batch, n, RNG_SEED, dt)
    factor = _blocked_factor(dtype, n)

    @qd.kernel
    def k(a: nd_type, out: nd_type):
        qd.loop_config(block_dim=_BT)
        for i in range(batch * _BT):
            b, tid = i // _BT, i % _BT
            if qd.static(shared):  # staged in a block's shared array, a padded row as Genesis's sh_L
                sh = qd.simt.block.SharedArray((1, n, n + 1), dtype)
                _copy_lower(sh, 0, a, b, tid, n)
                qd.simt.block.sync()
                factor(sh, qd.simt.Tile16x16, 0)
                qd.simt.block.sync()
                _copy_lower(out, b, sh, 0, tid, n)
            else:  # in place in global memory
                _copy_lower(out, b, a, b, tid, n)
                qd.simt.block.sync()
                factor(out, qd.simt.Tile16x16, b)

    out = _nd(np.zeros_like(a_np), dtype)
    k(_nd(a_np, dtype), out)
    got = np.tril(out.to_numpy())
    bound = 1e-4 if dt == np.float32 else 1e-12
    for b in range(batch):
        assert np.array_equal(got[b], _blocked_reference(a_np[b], dt)), b
        exact = np.linalg.cholesky(a_np[b].astype(np.float64))
        assert np.abs(got[b] - exact).max() < bound * np.abs(exact).max()
    return {"L": got}


@case(section="simt")
def tile16_blocked_cholesky_40x40_in_an_ndarray_f32():
    return _blocked_case(qd.f32, F32_3, np.float32, 40, shared=False)


@case(section="simt", requires=("f64",))
def tile16_blocked_cholesky_48x48_in_a_shared_array_f64():
    return _blocked_case(qd.f64, F64_3, np.float64, 48, shared=True)
