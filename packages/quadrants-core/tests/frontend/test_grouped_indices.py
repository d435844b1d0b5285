"""``m[I]``: a local matrix or vector indexed by the index vector of ``qd.grouped`` (read, store, augmented store)."""

from __future__ import annotations

import numpy as np
import pytest

import quadrants as qd


@pytest.fixture(autouse=True)
def ref():
    qd.init(arch=qd.ref)
    yield
    qd.reset()


def test_matrix_components_by_grouped_index():
    out = qd.Matrix.field(2, 3, qd.i32, shape=())
    total = qd.field(qd.i32, shape=())

    @qd.kernel
    def k():
        for idx in qd.static(qd.grouped(qd.ndrange(2, 3))):
            out[None][idx] = idx[0] * 10 + idx[1]
        for idx in qd.grouped(qd.ndrange(2, 3)):  # a run-time index vector
            m = out[None]
            total[None] += m[idx]
        for K in qd.static(qd.grouped(qd.ndrange(2))):
            out[None][K[0], 2] += 100

    k()
    assert out[None].to_numpy().tolist() == [[0, 1, 102], [10, 11, 112]]
    assert total[None] == 0 + 1 + 2 + 10 + 11 + 12


def test_wrong_index_count_still_reported():
    out = qd.Matrix.field(2, 2, qd.i32, shape=())

    @qd.kernel
    def k():
        for idx in qd.static(qd.grouped(qd.ndrange(2, 2, 2))):
            out[None][idx] = 1

    with pytest.raises(qd.QuadrantsIndexError, match="Expected 2 indices, got 3"):
        k()
    assert np.all(out.to_numpy() == 0)
