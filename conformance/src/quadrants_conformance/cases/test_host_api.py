"""docs/semantics.md §14 (host API of ndarrays and fields) and §13 (host vectors and matrices), as upstream Quadrants
has
them: ``copy_from``, ``to_numpy(dtype=)``, ``from_numpy`` layouts, ``element_shape``, ``layout``, the ndarray and field
classes, element access through ``qd.Vector``/``qd.Matrix`` values, and Python-scope vector/matrix arithmetic."""

import numpy as np

import quadrants as qd
from quadrants_conformance import case

F32_1 = qd.types.NDArray[qd.f32, 1]


# ------------------------------------------------------------------------------------------ copies


@case(
    section="14",
    golden={"a": [1.0, 2.0, 3.0], "i": [1, 2, 3], "v": [[1.0, 2.0], [3.0, 4.0]], "f": [4.0, 5.0, 6.0], "fi": [4, 5, 6]},
)
def copy_from_between_arrays_of_one_shape():
    @qd.kernel
    def double(x: F32_1):
        for i in x:
            x[i] = x[i] * 2.0

    src = qd.ndarray(qd.f32, shape=(3,))
    src.from_numpy(np.array([1.0, 2.0, 3.0], np.float32))
    a = qd.ndarray(qd.f32, shape=(3,))
    a.copy_from(src)
    double(src)  # the copy does not share storage
    i = qd.ndarray(qd.i32, shape=(3,))
    i.copy_from(a)  # values are converted to the destination type
    vs = qd.Vector.ndarray(2, qd.f32, shape=(2,))
    vs.from_numpy(np.array([[1.0, 2.0], [3.0, 4.0]], np.float32))
    v = qd.Vector.ndarray(2, qd.f32, shape=(2,))
    v.copy_from(vs)
    fs = qd.field(qd.f32, shape=(3,))
    fs.from_numpy(np.array([4.0, 5.0, 6.0], np.float32))
    f = qd.field(qd.f32, shape=(3,))
    f.copy_from(fs)
    fi = qd.field(qd.i32, shape=(3,))
    fi.copy_from(fs)
    return {"a": a.to_numpy(), "i": i.to_numpy(), "v": v.to_numpy(), "f": f.to_numpy(), "fi": fi.to_numpy()}


@case(section="14", raises=(AssertionError, "copy_from shape mismatch: destination (4,) vs source (3,)"))
def ndarray_copy_from_another_shape_error():
    qd.ndarray(qd.f32, shape=(4,)).copy_from(qd.ndarray(qd.f32, shape=(3,)))


@case(section="14", raises=(ValueError, "qd.field shape (3,) does not match the source field shape (4,)"))
def field_copy_from_another_shape_error():
    qd.field(qd.f32, shape=(3,)).copy_from(qd.field(qd.f32, shape=(4,)))


@case(section="14", raises=(TypeError, "Cannot copy from a non-field object"))
def field_copy_from_an_ndarray_error():
    qd.field(qd.f32, shape=(3,)).copy_from(qd.ndarray(qd.f32, shape=(3,)))


@case(section="14", golden={"value": 3.0})
def copy_from_of_zero_dimensional_fields():
    a, b = qd.field(qd.f32, shape=()), qd.field(qd.i32, shape=())
    b[None] = 3
    a.copy_from(b)
    return {"value": a[None]}


@case(section="14", raises=(qd.QuadrantsIndexError, "2d ndarray indexed with 1d indices"))
def ndarray_indexed_with_too_few_indices_error():
    qd.ndarray(qd.f32, shape=(4, 4))[0]


@case(section="14", raises=(AssertionError, "Slicing is not supported on qd.field"))
def field_indexed_with_too_few_indices_error():
    qd.field(qd.i32, shape=(1, 2, 3))[0, 0] = 1


@case(section="14", raises=(TypeError, "Detected illegal element of type"))
def field_sliced_in_python_scope_error():
    qd.field(qd.i32, shape=(2, 2))[0, :]


@case(section="14", raises=(NotImplementedError, "Struct for is only available in Quadrants scope"))
def field_iterated_in_python_scope_error():
    for _ in qd.field(qd.i32, shape=(3,)):
        pass


# ------------------------------------------------------------------------------------------ NumPy layouts


@case(section="14", raises=(TypeError, "as a data type"))
def to_numpy_of_a_quadrants_dtype_error():
    a = qd.ndarray(qd.f32, shape=(3,))
    a.to_numpy(dtype=qd.f64)  # to_numpy takes a NumPy dtype: dtype=np.float64


@case(
    section="14",
    golden={
        "as_i32": [1, 2, 3],
        "as_f64": [1.5, 2.5, 3.5],
        "dtypes": ["int32", "float64", "float64", "int64"],
        "keep_dims": [3, 2, 1],
        "column": [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]],
        "fortran": [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]],
        "from_int": [1.0, 2.0, 3.0],
    },
)
def numpy_conversions_and_layouts():
    a = qd.ndarray(qd.f32, shape=(3,))
    a.from_numpy(np.array([1.5, 2.5, 3.5], np.float32))
    as_i32 = a.to_numpy(dtype=np.int32)
    as_f64 = a.to_numpy(dtype=np.float64)  # a NumPy dtype (a Quadrants type is a TypeError, as upstream)
    vn = qd.Vector.ndarray(2, qd.f32, shape=(3,))
    vf = qd.Vector.field(2, qd.f32, shape=(3,))
    sf = qd.field(qd.i32, shape=(3,))
    dtypes = [
        str(as_i32.dtype),
        str(vn.to_numpy(dtype=np.float64).dtype),
        str(vf.to_numpy(dtype=np.float64).dtype),
        str(sf.to_numpy(dtype=np.int64).dtype),
    ]
    keep_dims = list(vf.to_numpy(keep_dims=True).shape)
    vf.from_numpy(np.arange(1, 7, dtype=np.float32).reshape(3, 2, 1))  # n x 1 columns, as keep_dims gives
    fortran = qd.ndarray(qd.f32, shape=(2, 3))
    fortran.from_numpy(np.asfortranarray(np.arange(6, dtype=np.float32).reshape(2, 3)))
    from_int = qd.ndarray(qd.f32, shape=(3,))
    from_int.from_numpy(np.array([1, 2, 3], np.int32))
    return {
        "as_i32": as_i32,
        "as_f64": as_f64,
        "dtypes": dtypes,
        "keep_dims": keep_dims,
        "column": vf.to_numpy(),
        "fortran": fortran.to_numpy(),
        "from_int": from_int.to_numpy(),
    }


@case(section="14", raises=(ValueError, "qd.field shape (3,) does not match the numpy array shape (4,)"))
def field_from_numpy_of_another_shape_error():
    qd.field(qd.f32, shape=(3,)).from_numpy(np.ones(4, np.float32))


@case(section="14", raises=(ValueError, "Mismatch shape: (3, 2) expected, but (3, 2, 1) provided"))
def vector_ndarray_from_numpy_columns_error():
    qd.Vector.ndarray(2, qd.f32, shape=(3,)).from_numpy(np.ones((3, 2, 1), np.float32))


# ------------------------------------------------------------------------------------------ classes and attributes


@case(
    section="14",
    golden={
        "classes": ["ScalarNdarray", "VectorNdarray", "MatrixNdarray", "VectorNdarray", "ScalarField", "MatrixField"],
        "checks": [True, True, True, False, False, True, True, False, True],
        "element_shape": [[], [2], [2, 3]],
        "layout": [None, None, None],
        "dtype": ["f32", "f32", "i32", "f32"],
        "nm": [2, 2, 3, 2, 1, 3, 3],
        "vector_ndarray_has_m": False,
    },
)
def ndarray_and_field_classes_and_attributes():
    s = qd.ndarray(qd.f32, shape=(2,))
    v = qd.Vector.ndarray(2, qd.f32, shape=(2,))
    m = qd.Matrix.ndarray(2, 3, qd.i32, shape=(2,))
    t = qd.ndarray(qd.types.vector(2, qd.f32), shape=(2,))
    sf = qd.field(qd.f32, shape=(2,))
    vf = qd.Vector.field(2, qd.f32, shape=(2,))
    mf = qd.Matrix.field(3, 3, qd.f32, shape=(2,))
    checks = [
        isinstance(s, qd.Ndarray),
        isinstance(v, qd.VectorNdarray),
        isinstance(m, qd.MatrixNdarray),
        isinstance(sf, qd.Ndarray),  # a field is no ndarray
        isinstance(s, qd.Field),
        isinstance(vf, qd.Field),
        isinstance(vf, qd.MatrixField),
        isinstance(vf, qd.ScalarField),
        isinstance(mf, qd.MatrixField),
    ]
    return {
        "classes": [type(x).__name__ for x in (s, v, m, t, sf, vf)],
        "checks": checks,
        "element_shape": [list(x.element_shape) for x in (s, v, m)],
        "layout": [s.layout, v.layout, sf.layout],
        "dtype": [str(v.dtype), str(s.dtype), str(m.dtype), str(vf.dtype)],  # the scalar type of the components
        "nm": [v.n, m.n, m.m, vf.n, vf.m, mf.n, mf.m],
        "vector_ndarray_has_m": hasattr(v, "m"),  # as upstream: a vector ndarray has n only (a vector field m == 1)
    }


# ------------------------------------------------------------------------------------------ element access


@case(
    section="14",
    golden={
        "types": ["Vector", "Matrix", "Vector"],
        "read": [3.0, 4.0],
        "v": [[9.0, 5.0], [3.0, 4.0], [0.0, 7.0]],
        "m": [[[0.0, 0.0], [5.0, 0.0]], [[1.0, 2.0], [3.0, 4.0]]],
        "f": [[6.0, 2.0], [1.0, 2.0]],
        "equal": [True, False],
    },
)
def elements_are_host_vectors_that_write_back():
    v = qd.Vector.ndarray(2, qd.f32, shape=(3,))
    v.fill([3.0, 4.0])
    e = v[1]
    read = [float(e[0]), float(e.y)]
    v[0][0] = 9.0  # modifying an element value writes the element back
    v[0].y = 5.0
    v[2] = qd.Vector([0.0, 7.0])
    m = qd.Matrix.ndarray(2, 2, qd.f32, shape=(2,))
    m[0][1, 0] = 5.0
    m[1] = [[1.0, 2.0], [3.0, 4.0]]
    f = qd.Vector.field(2, qd.f32, shape=(2,))
    f.fill(qd.Vector([1.0, 2.0]))
    f[0].x = 6.0
    return {
        "types": [type(v[0]).__name__, type(m[0]).__name__, type(f[0]).__name__],
        "read": read,
        "v": v.to_numpy(),
        "m": m.to_numpy(),
        "f": f.to_numpy(),
        "equal": [bool((v[1] == [3.0, 4.0]).all()), bool((v[1] == [3.0, 5.0]).all())],
    }


# ------------------------------------------------------------------------------------------ host vectors and matrices


@case(
    section="13",
    golden={
        "swizzle": [[2, 1], [3, 2, 1], [1, 2, 3], [5, 6, 3]],
        "shape": [[3], [2, 2], 3, 1, 2, 2],
        "arith": [[0.5, 1.0, 1.5], [2, 4, 6], [True, True, False], [-1, -2, -3]],
        "methods": [14, 6, 3, 1, True, False, 30, 5.0],
        "linalg": [[[-2.0, 1.0], [1.5, -0.5]], [[1, 3], [2, 4]], [-3, 6, -3], 5],
        "products": [[5, 11], [7, 10], 5],
        "lists": [[1, 2, 3], [[1, 2], [3, 4]]],
        "ctors": [[[2, 0], [0, 2]], [[1, 3], [2, 4]], [[1, 2], [3, 4]]],
        "classes": [True, True, False, True],
        "math": [[2.0, 3.0], [2, 3], [2, 5]],
    },
)
def host_vectors_and_matrices():
    v = qd.Vector([1, 2, 3])
    m = qd.Matrix([[1, 2], [3, 4]])
    w = qd.Vector([1, 2, 3])
    w.xy = [5, 6]
    return {
        "swizzle": [v.yx.to_list(), v.zyx.to_list(), v.rgb.to_list(), w.to_list()],
        "shape": [list(v.get_shape()), list(m.get_shape()), v.n, v.m, m.n, m.m],
        "arith": [(v / 2).to_list(), (v * 2).to_list(), (v < 3).to_list(), (-v).to_list()],
        "methods": [
            v.dot(v),
            v.sum(),
            v.max(),
            v.min(),
            v.any(),
            qd.Vector([0, 1]).all(),
            m.frobenius_inner(m),
            qd.Vector([3.0, 4.0]).norm(),
        ],
        "linalg": [
            m.inverse().to_numpy(),
            m.transpose().to_numpy(),
            v.cross(qd.Vector([4, 5, 6])).to_list(),
            m.trace(),
        ],
        "products": [(m @ qd.Vector([1, 2])).to_list(), (m @ m).to_list()[0], qd.Vector([1, 2]) @ qd.Vector([1, 2])],
        "lists": [v.to_list(), m.to_numpy()],
        "ctors": [  # zero / one / unit / identity are kernel-only (host_constructors_that_are_kernel_only)
            qd.Matrix.diag(2, 2).to_list(),
            qd.Matrix.cols([[1, 2], [3, 4]]).to_list(),
            qd.Matrix.rows([[1, 2], [3, 4]]).to_list(),
        ],
        "classes": [
            isinstance(v, qd.Vector),
            isinstance(v, qd.Matrix),
            isinstance(m, qd.Vector),
            isinstance(m, qd.Matrix),
        ],
        "math": [  # host math functions apply per component, as upstream
            qd.sqrt(qd.Vector([4.0, 9.0])).to_list(),
            qd.max(2, qd.Vector([1, 3])).to_list(),
            qd.select(qd.Vector([1, 0]), qd.Vector([2, 3]), qd.Vector([4, 5])).to_list(),
        ],
    }


@case(section="13", golden={"raised": [True, True, True, True]})
def host_constructors_that_are_kernel_only():
    def raises(fn):
        try:
            fn()
        except AssertionError as exc:
            return "cannot be called in Python-scope" in str(exc)
        return False

    return {
        "raised": [
            raises(lambda: qd.Vector.zero(qd.f32, 3)),
            raises(lambda: qd.Vector.one(qd.i32, 2)),
            raises(lambda: qd.Vector.unit(3, 1)),
            raises(lambda: qd.Matrix.identity(qd.f32, 2)),
        ]
    }


@case(section="13", golden={"k": [[0, 0, 1], [1, 1, 2]], "h": [[1, 0, 0], [2, 1, 1]], "v4": [1.0, 2.0, 3.0, 4.0]})
def type_constructor_concatenates_vectors_and_scalars():
    # vec3i(v, s) in kernels and vec3i(s, v) in Python scope: the components of vector arguments, in order
    vec2f = qd.types.vector(2, qd.f32)
    vec3i = qd.types.vector(3, qd.i32)
    x = vec3i.field(shape=2)

    @qd.kernel
    def k():
        for i in x:
            v = vec2f(i + 0.2)
            x[i] = vec3i(v, i + 1.2)

    k()
    from_kernel = x.to_numpy()
    for i in range(2):
        x[i] = vec3i(i + 1.8, vec2f(i + 0.2))
    v4 = qd.math.vec4(qd.math.vec2(1, 2), 3, 4)
    return {"k": from_kernel, "h": x.to_numpy(), "v4": [float(c) for c in v4]}
