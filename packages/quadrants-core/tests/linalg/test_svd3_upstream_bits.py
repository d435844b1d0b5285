"""The f32 3×3 ``qd.svd`` and ``qd.polar_decompose`` are upstream 1.3.3's factors bit for bit (lang/linalg_svd3.py).

The expected bits below were printed by upstream 1.3.3 on ``qd.cpu`` with ``fast_math=False`` (its default
``fast_math=True`` fuses multiply-adds, docs/parity.md): a kernel running ``qd.svd(a[i], qd.f32)`` and
``qd.polar_decompose(a[i], qd.f32)`` over these matrices, each factor's float32 bits in row-major order as hex
(``x.reshape(-1).view(np.uint32)``; for ``S`` its diagonal).
"""

from __future__ import annotations

import numpy as np
import pytest

import quadrants as qd

M3 = qd.types.matrix(3, 3, qd.f32)

# (A, U, diag S, V, R, P): a full-rank matrix with det < 0, another with det < 0, rank one, a near-identity, a
# diagonal matrix with a negative entry (the final sort), a well-conditioned general matrix
CASES = [
    (
        [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 10.0]],
        (0xBE565C8B, 0x3F76E1EB, 0x3E258F2A, 0xBF00FC38, 0x3D10B018, 0xBF5CF224, 0xBF5689F3, 0xBE86367E, 0x3EF4FF29),
        (0x418B4CD4, 0x3F600A98, 0xBE499770),
        (0xBEEDE8EC, 0xBF55527D, 0xBE995AAA, 0xBF0DC2DD, 0x3C1BCCC0, 0x3F5526F7, 0xBF30E36F, 0x3F0D8155, 0xBEEE84C6),
        (0xBF413854, 0x3E84F8BC, 0x3F1A368D, 0x3EED27AE, 0xBEE0E7F8, 0x3F450D7A, 0x3EEDD5DE, 0x3F5C28B8, 0x3E5851D3),
        (0x408B307A, 0x4090B934, 0x40A51F75, 0x4090B934, 0x40A67F57, 0x40D7CA91, 0x40A51F76, 0x40D7CA92, 0x41089C11),
    ),
    (
        [[-1.5, 0.25, 2.0], [0.5, 1.0, -0.75], [2.0, -1.0, 0.5]],
        (0xBF4E3FAD, 0x3ED56DD6, 0x3ED77EA2, 0x3E5ABC39, 0xBEEAA23E, 0x3F5CDE11, 0x3F0D7258, 0x3F48F5AC, 0x3E8F71CE),
        (0x4039554D, 0x4004502D, 0xBF5879BF),
        (0x3F55F737, 0x3EB137AD, 0xBEDA341D, 0xBE3F115E, 0xBF0D0BD3, 0xBF503B3B, 0xBF042F82, 0x3F4265D3, 0xBECAB4F1),
        (0xBF355DBD, 0xBED7E85A, 0x3F10DF9D, 0xBEB20FC0, 0xBEFA7106, 0xBF4CC436, 0x3F1D367D, 0xBF4373E6, 0x3E4CAE68),
        (0x40077D6B, 0xBF91CAE8, 0xBF595A58, 0xBF91CAE8, 0x3E2CF964, 0xBF5BB7EE, 0xBF595A58, 0xBF5BB7EE, 0x3FEA741D),
    ),
    (
        [[0.5, 0.75, 1.0], [1.0, 1.5, 2.0], [1.5, 2.25, 3.0]],
        (0x3E88D67B, 0xBEB79650, 0x3F64F930, 0x3F08D67B, 0xBF379650, 0xBEE4F930, 0x3F4D41B4, 0x3F18FD43, 0x00000000),
        (0x40A13212, 0x3318FD42, 0x00000000),
        (0x3EBE26EE, 0x3F67347A, 0xBE5C931A, 0x3F0E9D33, 0xBCFF3B50, 0x3F547260, 0x3F3E26EC, 0xBEDB3DB4, 0xBF03C367),
        (0xBED5A121, 0x3F66FE4E, 0xBDDDCEAC, 0xBEB4A61C, 0xBD50F0B8, 0x3F6F2E0D, 0x3F5666E1, 0x3EDB287C, 0x3EADE66A),
        (0x3F31DEFE, 0x3F85673F, 0x3FB1DEFD, 0x3F856740, 0x3FC81AE0, 0x4005673E, 0x3FB1DEFD, 0x4005673E, 0x4031DEFB),
    ),
    (
        [
            [1.0010000467300415, 0.00019999999494757503, -0.0003000000142492354],
            [9.999999747378752e-05, 0.9994999766349792, 0.00039999998989515007],
            [-0.00019999999494757503, 9.999999747378752e-05, 1.0006999969482422],
        ],
        (0x3F5F1675, 0x3EF2ACA5, 0x3E014FC4, 0x3B9F80E6, 0x3E7F0EE1, 0xBF77EDAA, 0xBEFB20AA, 0x3F583615, 0x3E5BE78D),
        (0x3F802565, 0x3F8014BC, 0x3F7FDA49),
        (0x3F5F14DA, 0x3EF2B090, 0x3E015F4A, 0x3BA35760, 0x3E7EF3EB, 0xBF77EF60, 0xBEFB2646, 0x3F5836FE, 0x3E5BBFDB),
        (0x3F7FFFF6, 0x3851D800, 0xB851C800, 0xB851C800, 0x3F7FFFF7, 0x391D3000, 0x38510200, 0xB91D3000, 0x3F7FFFF6),
        (0x3F8020BE, 0x391D5600, 0xB9832580, 0x391D5800, 0x3F7FDF2D, 0x39830200, 0xB98325C0, 0x39830000, 0x3F8016E8),
    ),
    (
        [[3.0, 0.0, 0.0], [0.0, -2.0, 0.0], [0.0, 0.0, 1.0]],
        (0x3F7FFFFC, 0x00000000, 0x80000000, 0x00000000, 0xBF7FFFFE, 0x80000000, 0x00000000, 0x00000000, 0xBF7FFFFE),
        (0x403FFFFD, 0x3FFFFFFE, 0xBF7FFFFE),
        (0x3F800000, 0x00000000, 0x00000000, 0x00000000, 0x3F800000, 0x00000000, 0x00000000, 0x00000000, 0x3F800000),
        (0x3F7FFFFC, 0x00000000, 0x00000000, 0x00000000, 0xBF7FFFFE, 0x00000000, 0x00000000, 0x00000000, 0xBF7FFFFE),
        (0x403FFFFD, 0x00000000, 0x00000000, 0x00000000, 0x3FFFFFFE, 0x00000000, 0x00000000, 0x00000000, 0xBF7FFFFE),
    ),
    (
        [
            [0.10000000149011612, -1.7000000476837158, 0.30000001192092896],
            [1.899999976158142, 0.20000000298023224, -0.4000000059604645],
            [-0.6000000238418579, 0.800000011920929, 1.2999999523162842],
        ],
        (0x3E5E8176, 0xBF5A3570, 0x3EF38794, 0x3F432631, 0x3EE7B2A0, 0x3EECE984, 0xBF1C1274, 0x3E862A05, 0x3F3F8381),
        (0x400E243E, 0x3FEDBFC6, 0x3F86B1C4),
        (0x3F539D78, 0x3EAA2CC7, 0x3EE88262, 0xBEA2720F, 0x3F71151E, 0xBDE4D119, 0xBEEDF94A, 0xBD53DE36, 0x3F6247C0),
        (0x3DE60254, 0xBF6CBF2B, 0x3EBA1F3F, 0x3F7D9CDF, 0x3E07C9F0, 0x3D002098, 0xBD9DF814, 0x3EB69674, 0x3F6E5A04),
        (0x3FF84B1F, 0xBD5F3860, 0xBEECFABA, 0xBD5F3840, 0x3FF1259F, 0x3E085108, 0xBEECFABA, 0x3E085109, 0x3FA7493C),
    ),
]


@pytest.fixture(autouse=True)
def ref():
    qd.init(arch="ref")
    yield
    qd.reset()


def _factors(mats: np.ndarray) -> dict[str, np.ndarray]:
    @qd.kernel
    def k(
        a: qd.types.NDArray[M3, 1],
        u: qd.types.NDArray[M3, 1],
        s: qd.types.NDArray[M3, 1],
        v: qd.types.NDArray[M3, 1],
        r: qd.types.NDArray[M3, 1],
        p: qd.types.NDArray[M3, 1],
    ):
        for i in a:
            U, S, V = qd.svd(a[i], qd.f32)
            u[i], s[i], v[i] = U, S, V
            R, P = qd.polar_decompose(a[i], qd.f32)
            r[i], p[i] = R, P

    arrays = [qd.ndarray(M3, (len(mats),)) for _ in range(6)]
    arrays[0].from_numpy(mats)
    k(*arrays)
    return {name: arr.to_numpy() for name, arr in zip("ausvrp", arrays)}


def _bits(x: np.ndarray) -> list[str]:
    return [f"0x{b:08X}" for b in np.ascontiguousarray(x, np.float32).reshape(-1).view(np.uint32)]


@pytest.mark.parametrize("index", range(len(CASES)))
def test_svd_and_polar_3x3_f32_are_upstreams_bits(index):
    a, *expected = CASES[index]
    got = _factors(np.array([a], np.float32))
    actual = {
        "U": got["u"][0],
        "S": np.diag(got["s"][0]),
        "V": got["v"][0],
        "R": got["r"][0],
        "P": got["p"][0],
    }
    for (name, value), bits in zip(actual.items(), expected):
        assert _bits(value) == [f"0x{b:08X}" for b in bits], name
    # S is diagonal: the off-diagonal entries are exact zeros
    assert np.all(got["s"][0][~np.eye(3, dtype=bool)] == 0)
