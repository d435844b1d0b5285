"""runtime/arg_memo.py: a launch with the very argument objects of the previous launch reuses their conversion, and
every argument whose contents may change in place is converted again."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import quadrants as qd
from quadrants.runtime.arg_memo import ArgMemo

ND = qd.types.NDArray[qd.i32, 1]


@dataclasses.dataclass
class State:
    x: ND


@pytest.fixture(autouse=True, params=["ref", "cpu"])
def _session(request):
    if request.param == "cpu":
        pytest.importorskip("quadrants_llvm")
    qd.init(arch=getattr(qd, request.param))
    yield
    qd.reset()


@qd.kernel
def add(s: State, a: ND, v: qd.i32, flag: qd.template()):
    for i in range(2):
        s.x[i] += a[i] * v if flag else 0


def _memo(kernel) -> ArgMemo:
    return kernel._primal._arg_memo


def test_the_same_objects_reuse_the_conversion():
    s, a = State(qd.ndarray(qd.i32, (2,))), qd.ndarray(qd.i32, (2,))
    a.fill(1)
    add(s, a, 3, True)
    first = _memo(add).last
    assert first is not None and first[0][0] is s
    add(s, a, 3, True)
    assert _memo(add).last is first  # nothing converted again
    a.fill(2)  # contents of an ndarray: the same storage, seen by the launch
    add(s, a, 3, True)
    assert s.x.to_numpy().tolist() == [12, 12]


def test_other_objects_are_converted_again():
    s, a, b = State(qd.ndarray(qd.i32, (2,))), qd.ndarray(qd.i32, (2,)), qd.ndarray(qd.i32, (2,))
    a.fill(1)
    b.fill(10)
    add(s, a, 3, True)
    add(s, b, 3, True)  # another ndarray
    add(s, b, 4, True)  # another scalar
    add(s, b, 4, False)  # another template value: another specialization
    assert s.x.to_numpy().tolist() == [73, 73]
    assert _memo(add).last[0][1] is b


def test_a_launch_that_changes_one_argument_converts_only_that_one():
    s, a, b = State(qd.ndarray(qd.i32, (2,))), qd.ndarray(qd.i32, (2,)), qd.ndarray(qd.i32, (2,))
    a.fill(1)
    b.fill(10)
    add(s, a, 3, True)
    first = _memo(add).last[2]
    add(s, a, 4, True)  # only the scalar is another object
    second = _memo(add).last[2]
    assert [second[k] is first[k] for k in range(4)] == [True, True, False, True]
    add(s, b, 4, True)  # another ndarray in the same position: converted, the rest reused
    third = _memo(add).last[2]
    assert [third[k] is second[k] for k in range(4)] == [True, False, True, True]
    add(s, a, 2, False)  # another template value: another specialization, its conversion made anew
    assert _memo(add).last[2][3] is not third[3]
    assert s.x.to_numpy().tolist() == [47, 47]


def test_a_rebound_member_of_the_same_dataclass_is_seen():
    s, a = State(qd.ndarray(qd.i32, (2,))), qd.ndarray(qd.i32, (2,))
    a.fill(1)
    add(s, a, 1, True)
    old = s.x
    s.x = qd.ndarray(qd.i32, (2,))
    add(s, a, 1, True)
    assert old.to_numpy().tolist() == [1, 1] and s.x.to_numpy().tolist() == [1, 1]


def test_numpy_arguments_are_converted_at_every_launch():
    @qd.kernel
    def inc(x: ND):
        for i in range(2):
            x[i] += 1

    x = np.zeros(2, np.int32)
    inc(x)
    assert _memo(inc).last is None
    inc(x)
    assert x.tolist() == [2, 2]


def test_by_value_vectors_are_never_reused():
    @qd.kernel
    def put(out: ND, v: qd.types.vector(2, qd.i32)):
        out[0] = v[0] + v[1]

    out = qd.ndarray(qd.i32, (1,))
    v = [1, 2]
    put(out, v)
    assert not _memo(put).kinds_ok
    v[1] = 40  # changed in place: the same list
    put(out, v)
    assert out.to_numpy().tolist() == [41]


def test_keyword_arguments_are_compared_by_name_and_object():
    s, a = State(qd.ndarray(qd.i32, (2,))), qd.ndarray(qd.i32, (2,))
    a.fill(1)
    add(s, a, v=2, flag=True)
    first = _memo(add).last
    add(s, a, v=2, flag=True)
    assert _memo(add).last is first
    add(s, a, v=5, flag=True)  # another object under the same name
    add(s, a, flag=True, v=5)  # the same objects, named in another order: bound again, same result
    add(s, a, 5, flag=True)  # positional now
    assert s.x.to_numpy().tolist() == [19, 19]


def test_an_ndarray_of_an_earlier_session_is_refused_after_reset():
    @qd.kernel
    def inc(x: ND):
        for i in range(2):
            x[i] += 1

    x = qd.ndarray(qd.i32, (2,))
    inc(x)
    inc(x)
    qd.reset()
    qd.init(arch=qd.ref)
    with pytest.raises(qd.QuadrantsRuntimeError, match="created before the latest"):
        inc(x)


def test_torch_tensors_are_converted_at_every_launch():
    torch = pytest.importorskip("torch")

    @qd.kernel
    def inc(x: ND):
        for i in range(2):
            x[i] += 1

    x = torch.zeros(2, dtype=torch.int32)
    inc(x)
    assert _memo(inc).last is None
    x[1] = 10  # changed from torch between the launches
    inc(x)
    assert x.tolist() == [2, 11]
