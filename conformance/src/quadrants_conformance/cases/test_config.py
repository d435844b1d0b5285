"""``qd.cfg``, ``qd.extension`` and the default types (docs/configuration.md): the session's options read back under
upstream's names, extensions answered from the backend's capabilities, and ``default_ip`` / ``default_fp`` (set
through upstream's runtime handle, as its tests do) changing what literals are, on every backend."""

import quadrants as qd
from quadrants.lang import impl, misc
from quadrants_conformance import case

I64_1 = qd.types.NDArray[qd.i64, 1]
F64_1 = qd.types.NDArray[qd.f64, 1]


@case(section="configuration", golden={"cfg": True, "fp": "f32", "ip": "i32", "fast_math": False, "arch_usable": True})
def cfg_reads_the_session_options():
    cfg = qd.cfg
    return {
        "cfg": cfg is not None,
        "fp": str(cfg.default_fp),
        "ip": str(cfg.default_ip),
        "fast_math": cfg.fast_math,
        "arch_usable": getattr(qd, cfg.arch.name) == cfg.arch,
    }


@case(section="configuration", requires=("f64", "i64"), golden={"data64": True})
def data64_extension_follows_the_capabilities():
    return {"data64": misc.is_extension_supported(qd.cfg.arch, qd.extension.data64)}


@case(section="configuration", requires=("i64",), golden={"x": [1099511627776, 3]})
def default_ip_changes_literal_types():
    impl.get_runtime().set_default_ip(qd.i64)  # as qd.init(default_ip=qd.i64): literals are i64 from the next compile

    @qd.kernel
    def k(x: I64_1):
        big = 1 << 40  # would overflow an i32 literal
        x[0] = big
        x[1] = 7 // 2 + 0 * big

    x = qd.ndarray(qd.i64, shape=(2,))
    k(x)
    return {"x": x.to_numpy()}


@case(section="configuration", requires=("f64",), golden={"third": 1.0 / 3.0, "fp": "f64"})
def default_fp_changes_float_literals():
    impl.get_runtime().set_default_fp(qd.f64)

    @qd.kernel
    def k(x: F64_1):
        t = 1.0
        x[0] = t / 3.0  # an f64 division: f32 would give 0.3333333432674408

    x = qd.ndarray(qd.f64, shape=(1,))
    k(x)
    return {"third": float(x.to_numpy()[0]), "fp": str(impl.get_runtime().default_fp)}


@case(
    section="configuration",
    requires=("f64", "i64"),
    golden={"dtypes": ["f64", "i64", "i64", "f64", "u64", "f32"], "x": [0.5, 0.5]},
)
def default_types_follow_into_vector_and_matrix_arrays():
    # a component type given as Python float/int (or qd.math.ivec*/uvec*) is the session's default_fp/default_ip
    rt = impl.get_runtime()
    rt.set_default_fp(qd.f64)
    rt.set_default_ip(qd.i64)
    arrays = (
        qd.Vector.ndarray(2, float, shape=(2,)),
        qd.Vector.ndarray(2, int, shape=()),
        qd.field(qd.math.ivec2, shape=()),
        qd.Matrix.field(2, 2, float, shape=()),
        qd.ndarray(qd.math.uvec3, shape=(1,)),
        qd.Vector.ndarray(2, qd.f32, shape=()),  # an explicit type stays
    )

    @qd.kernel
    def k(v: qd.types.NDArray[qd.types.vector(2, float), 1]):
        for i in range(v.shape[0]):
            v[i][0] = 1.0 / 2.0

    k(arrays[0])
    return {"dtypes": [str(a.dtype) for a in arrays], "x": arrays[0].to_numpy()[:, 0]}


@case(section="configuration", requires=("f64", "i64"), golden={"id": [9223372036854775807, 3], "k": -1099511627776})
def default_types_follow_into_struct_members():
    # qd.math.uvec2 / ivec2 members of a qd.dataclass take the session's default_ip width, as upstream
    rt = impl.get_runtime()
    rt.set_default_fp(qd.f64)
    rt.set_default_ip(qd.i64)

    @qd.dataclass
    class Ray:
        pos: qd.math.vec3
        id: qd.math.uvec2
        k: qd.math.ivec2

    @qd.kernel
    def k(out: qd.types.NDArray[qd.u64, 1]) -> qd.i64:
        ray = Ray(qd.math.vec3(0.5), id=qd.math.uvec2(qd.u64(2**63 - 1), qd.u64(3)), k=qd.math.ivec2(-(2**40)))
        out[0], out[1] = ray.id.x, ray.id.y
        return ray.k.y

    out = qd.ndarray(qd.u64, shape=(2,))
    r = k(out)
    return {"id": out.to_numpy(), "k": r}
