"""Upstream's unified tensor API (docs/tensor.md): ``qd.tensor``, ``qd.Vector.tensor``, ``qd.Matrix.tensor`` with
``backend=qd.Backend.FIELD`` / ``qd.Backend.NDARRAY``, the ``qd.Tensor`` annotation and ``isinstance`` classes, and
``@qd.perf_dispatch`` (docs/perf_dispatch.md: one implementation per call). Golden values are upstream 1.3.3's on
``qd.cpu``.
"""

import dataclasses

import numpy as np

import quadrants as qd
from quadrants_conformance import case

BACKENDS = (qd.Backend.FIELD, qd.Backend.NDARRAY)


@dataclasses.dataclass(frozen=True)
class Pair:
    a: qd.Tensor
    b: qd.Tensor


# ------------------------------------------------------------------------------------------ allocation


@case(section="14", golden={"field": [4, 0, 0, 0], "ndarray": [4, 0, 0, 0]})
def tensor_backends_allocate_zeroed_tensors():
    out = {}
    for backend, name in zip(BACKENDS, ("field", "ndarray")):
        t = qd.tensor(qd.i32, (4,), backend=backend)
        t[0] = 4
        out[name] = t.to_numpy()
    return out


@case(section="14", golden={"shape": [3, 2], "dtype": "f32", "default_is_ndarray": 1, "field_is_field": 1})
def tensor_introspection():
    nd = qd.tensor(qd.f32, shape=(3, 2))
    f = qd.tensor(qd.f32, shape=(3, 2), backend=qd.Backend.FIELD)
    return {
        "shape": list(nd.shape),
        "dtype": str(nd.dtype),
        "default_is_ndarray": int(isinstance(nd._unwrap(), qd.Ndarray)),
        "field_is_field": int(isinstance(f._unwrap(), qd.Field)),
    }


@case(section="14", golden={"checks": [1, 1, 0, 1, 0, 1, 1, 0, 0, 0]})
def tensor_isinstance_classes():
    s = qd.tensor(qd.f32, (2,), backend=qd.Backend.FIELD)
    v = qd.Vector.tensor(3, qd.f32, (2,), backend=qd.Backend.NDARRAY)
    m = qd.Matrix.tensor(2, 2, qd.f32, (2,), backend=qd.Backend.FIELD)
    checks = [
        isinstance(s, qd.Tensor),
        isinstance(v, qd.Tensor),
        isinstance(s, qd.VectorTensor),
        isinstance(v, qd.VectorTensor),
        isinstance(v, qd.MatrixTensor),
        isinstance(m, qd.MatrixTensor),
        isinstance(m, qd.Tensor),
        isinstance(np.zeros(2), qd.Tensor),
        isinstance(3, qd.Tensor),
        isinstance(qd.Vector([1.0, 2.0]), qd.Tensor),
    ]
    return {"checks": [int(c) for c in checks]}


@case(section="14", golden={"vec": [3], "mat": [2, 3], "vec_np": [2, 3], "mat_np": [4, 2, 3]})
def vector_and_matrix_tensor_element_shapes():
    v = qd.Vector.tensor(3, qd.f32, (2,), backend=qd.Backend.FIELD)
    m = qd.Matrix.tensor(2, 3, qd.i32, shape=(4,), backend=qd.Backend.NDARRAY)
    return {
        "vec": list(v.element_shape),
        "mat": list(m.element_shape),
        "vec_np": list(v.to_numpy().shape),
        "mat_np": list(m.to_numpy().shape),
    }


# ------------------------------------------------------------------------------------------ in kernels


@case(section="8", golden={"field": [0, 2, 4, 6], "ndarray": [0, 2, 4, 6]})
def tensor_annotation_takes_field_and_ndarray():
    @qd.kernel
    def double(x: qd.Tensor, y: qd.Tensor):
        for i in range(x.shape[0]):
            y[i] = 2 * x[i]

    out = {}
    for backend, name in zip(BACKENDS, ("field", "ndarray")):
        x = qd.tensor(qd.i32, (4,), backend=backend)
        y = qd.tensor(qd.i32, (4,), backend=backend)
        x.from_numpy(np.arange(4, dtype=np.int32))
        double(x, y)
        out[name] = y.to_numpy()
    return out


@case(section="8", golden={"mixed": [1.5, 3.0, 4.5]})
def tensor_annotation_mixes_backends_in_one_call():
    @qd.kernel
    def scale(x: qd.Tensor, y: qd.Tensor, s: qd.f32):
        for i in x:
            y[i] = x[i] * s

    x = qd.tensor(qd.f32, (3,), backend=qd.Backend.FIELD)
    y = qd.tensor(qd.f32, (3,), backend=qd.Backend.NDARRAY)
    x.from_numpy(np.array([1.0, 2.0, 3.0], dtype=np.float32))
    scale(x, y, 1.5)
    return {"mixed": y.to_numpy()}


@case(
    section="19.3", golden={"field": [[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]], "ndarray": [[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]]}
)
def tensor_members_of_a_dataclass_parameter():
    @qd.kernel
    def fill(p: Pair):
        for i in range(p.a.shape[0]):
            p.a[i] = p.b[None] + qd.Vector([0.0, 1.0, 2.0])

    out = {}
    for backend, name in zip(BACKENDS, ("field", "ndarray")):
        p = Pair(a=qd.Vector.tensor(3, qd.f32, (2,), backend=backend), b=qd.tensor(qd.f32, (), backend=backend))
        p.b.fill(1.0)
        fill(p)
        out[name] = p.a.to_numpy()
    return out


# ------------------------------------------------------------------------------------------ errors


@case(section="14", raises=(ValueError, "is not a valid qd.Backend"))
def tensor_invalid_backend_error():
    qd.tensor(qd.f32, (2,), backend=7)


@case(section="14", raises=(TypeError, "got unexpected keyword argument(s) ['offset']"))
def tensor_unexpected_keyword_error():
    qd.tensor(qd.f32, (2,), backend=qd.Backend.FIELD, offset=(1,))


@case(section="14", raises=(TypeError, "does not accept order="))
def tensor_order_keyword_error():
    qd.Vector.tensor(3, qd.f32, (2,), order="i")


@case(section="14", raises=(ValueError, "is not a permutation of range(2)"))
def tensor_layout_not_a_permutation_error():
    qd.tensor(qd.f32, (2, 3), layout=(0, 0))


# ------------------------------------------------------------------------------------------ perf_dispatch


@case(section="8", golden={"x": [6, 6, 6, 6]})
def perf_dispatch_runs_one_compatible_implementation_per_call():
    # both implementations add n: x == 6 after six calls says that each call ran exactly one of them
    @qd.perf_dispatch(get_geometry_hash=lambda x, n: x.shape[0], first_warmup=1, warmup=0, active=1)
    def add(x: qd.types.NDArray[qd.i32, 1], n: qd.i32): ...

    @add.register
    @qd.kernel
    def add_parallel(x: qd.types.NDArray[qd.i32, 1], n: qd.i32):
        for i in x:
            x[i] += n

    @add.register(is_compatible=lambda x, n: x.shape[0] < 100)
    def add_host(x, n):
        x.from_numpy(x.to_numpy() + n)

    x = qd.ndarray(qd.i32, (4,))
    for _ in range(6):
        add(x, 1)
    return {"x": x.to_numpy()}


@case(section="8", raises=(qd.QuadrantsRuntimeError, "No suitable functions were found"))
def perf_dispatch_without_compatible_implementation_error():
    @qd.perf_dispatch(get_geometry_hash=lambda x: 0)
    def proto(x: qd.types.NDArray[qd.i32, 1]): ...

    @proto.register(is_compatible=lambda x: False)
    @qd.kernel
    def never(x: qd.types.NDArray[qd.i32, 1]):
        x[0] = 1

    proto(qd.ndarray(qd.i32, (2,)))


@case(section="8", raises=(qd.QuadrantsSyntaxError, "not in perf_dispatch function prototype"))
def perf_dispatch_parameter_mismatch_error():
    @qd.perf_dispatch(get_geometry_hash=lambda x: 0)
    def proto(x: qd.types.NDArray[qd.i32, 1]): ...

    @proto.register
    @qd.kernel
    def impl(y: qd.types.NDArray[qd.i32, 1]):
        y[0] = 1


@case(section="8", golden={"present": [0, 1, 1], "out": [0, 5, 5]})
def tensor_parameter_may_be_none():
    """An absent optional ``qd.Tensor`` argument is ``None``, tested at compile time with ``qd.static(x is None)``."""

    @qd.kernel
    def k(x: qd.Tensor, out: qd.types.NDArray[qd.i32, 1], i: qd.i32) -> qd.i32:
        if qd.static(x is not None):
            x[0] = 5
            out[i] = x[0]
        return 1 if qd.static(x is not None) else 0

    out = qd.ndarray(qd.i32, (3,))
    present = [k(None, out, 0), k(qd.field(qd.i32, shape=(1,)), out, 1), k(qd.ndarray(qd.i32, (1,)), out, 2)]
    return {"present": present, "out": out.to_numpy()}
