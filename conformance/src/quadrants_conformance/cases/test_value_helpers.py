"""docs/language.md: ``qd.zero(x)`` / ``qd.one(x)`` (``x``'s shape and type) and ``qd.rescale_index(a, b, I)``.

The results were checked against upstream Quadrants 1.3.3 on ``qd.cpu`` (same programs, same values).
"""

import numpy as np

import quadrants as qd
from quadrants_conformance import case

_HOST = qd.Vector([3, 4])  # a host vector captured by the kernel is a constant there


@case(
    section="13",
    golden={
        "f": [0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 1.0],
        "i": [0, 0, 0, 1, 1, 1, 1, 1, 256, 4, 0, 1],
    },
)
def zero_and_one_keep_shape_and_type():
    @qd.kernel
    def k(f: qd.types.NDArray[qd.f32, 1], i: qd.types.NDArray[qd.i32, 1]):
        v = qd.Vector([1.5, -2.0])
        m = qd.Matrix([[1, 2], [3, 4]])
        z, o, om = qd.zero(v), qd.one(v), qd.one(m)
        f[0], f[1], f[2], f[3] = z[0], z[1], o[0], o[1]
        f[4], f[5], f[6], f[7] = om[0, 0], om[0, 1], om[1, 0], om[1, 1]
        f[8], f[9] = qd.zero(2.5), qd.one(f[0] + 7.25)
        zm = qd.zero(m)
        i[0], i[1], i[2] = zm[0, 0], zm[1, 1], qd.zero(i[11] + 5)
        oh = qd.one(_HOST)
        i[3], i[4] = oh[0], oh[1]
        i[5] = qd.one(3)
        iv = qd.one(qd.Vector([7, 8]))
        i[6], i[7] = iv << 0  # integer ops stay legal: the vector is still i32
        u = qd.one(qd.u8(200))
        i[8] = u + qd.u8(255)  # x * 0 with an int literal widens u8 to i32 (upstream gives 256 too)
        i[9] = qd.one(m).sum() * qd.one(1)
        i[10] = qd.i32(qd.zero(qd.i64(9)))
        i[11] = qd.one(i[11])

    f, i = qd.ndarray(qd.f32, (10,)), qd.ndarray(qd.i32, (12,))
    k(f, i)
    return {"f": f.to_numpy(), "i": i.to_numpy()}


def _rescaled_sums(fine: np.ndarray, block: tuple[int, int]) -> np.ndarray:
    n0, n1 = fine.shape
    return fine.reshape(n0 // block[0], block[0], n1 // block[1], block[1]).sum(axis=(1, 3))


_FINE = np.arange(32, dtype=np.int32).reshape(8, 4)


@case(
    section="13",
    golden={
        "coarse": _rescaled_sums(_FINE, (4, 2)).tolist(),
        "back": np.repeat(np.repeat(_rescaled_sums(_FINE, (4, 2)), 4, axis=0), 2, axis=1).tolist(),
        "by_snode": _rescaled_sums(_FINE, (4, 2)).tolist(),
        "list_index": [[2, 3], [0, 2]],
    },
)
def rescale_index_between_fine_and_coarse_fields_and_snodes():
    fine = qd.field(qd.i32, shape=(8, 4))
    coarse = qd.field(qd.i32, shape=(2, 2))
    back = qd.field(qd.i32, shape=(8, 4))
    blocked = qd.field(qd.i32)
    block = qd.root.dense(qd.ij, (2, 2))
    block.dense(qd.ij, (4, 2)).place(blocked)
    by_snode = qd.field(qd.i32, shape=(2, 2))
    out = qd.field(qd.i32, shape=(2, 2))
    fine.from_numpy(_FINE)
    blocked.from_numpy(_FINE)

    @qd.kernel
    def k():
        for I in qd.grouped(fine):  # noqa: E741 (upstream's name)
            coarse[qd.rescale_index(fine, coarse, I)] += fine[I]
        for I in qd.grouped(blocked):  # noqa: E741 (upstream's name)
            by_snode[qd.rescale_index(blocked, blocked.parent(2), I)] += blocked[I]
        for I in qd.grouped(fine):  # noqa: E741 (coarse -> fine: the first fine cell of each block)
            J = qd.rescale_index(coarse, fine, qd.rescale_index(fine, coarse, I))
            back[I] = coarse[qd.rescale_index(fine, coarse, J)]
        r = qd.rescale_index(fine, coarse, [7, 1])  # a list index; I[k] // 4, I[k] // 2
        out[0, 0], out[0, 1] = r[0] + 1, r[1] + 3
        s = qd.rescale_index(coarse, fine, qd.Vector([0, 1]))  # coarser -> finer: I[k] * 4, I[k] * 2
        out[1, 0], out[1, 1] = s[0], s[1]

    k()
    return {
        "coarse": coarse.to_numpy(),
        "back": back.to_numpy(),
        "by_snode": by_snode.to_numpy(),
        "list_index": out.to_numpy(),
    }
