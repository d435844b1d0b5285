"""``qd.types`` under upstream's names (docs/semantics.md §1, §3): the long aliases (``qd.int32``, ``qd.float32``,
``qd.uint8``, …) are the primitive types themselves, in annotations, casts and ``qd.static`` type questions."""

import quadrants as qd
from quadrants_conformance import case


@case(section="3", golden={"x": [44.0, -1.0, 2.5, 7.0], "r": -15})
def long_type_names_in_kernels():
    @qd.kernel
    def k(x: qd.types.NDArray[qd.types.float32, 1], a: qd.int16, b: qd.uint8) -> qd.int32:
        x[0] = qd.uint8(a + 305)  # 300 wraps in u8: 44
        x[1] = qd.cast(qd.int8(b + 55), qd.types.primitive_types.float32)  # 255 wraps in i8: -1
        x[2] = qd.float32(2.5)
        x[3] = qd.types.int64(b) - 193
        return qd.types.int32(a) * 3

    x = qd.ndarray(qd.float32, shape=(4,))
    r = k(x, -5, 200)
    return {"x": x.to_numpy(), "r": r}


@case(section="3", golden={"x": [1, 0, 1, 10, 12, 11]})
def type_questions_at_compile_time():
    def kind(dt):
        if qd.types.is_real(dt):
            return 0
        return 1 if qd.types.is_signed(dt) else 2

    @qd.kernel
    def k(x: qd.types.NDArray[qd.i32, 1]):
        if qd.static(qd.types.is_integral(qd.uint16)):
            x[0] = 1
        if qd.static(qd.types.is_integral(qd.float64)):
            x[1] = 1
        if qd.static(not qd.types.is_tensor(qd.f32)):
            x[2] = 1
        for t in qd.static(range(3)):
            if qd.static(kind((qd.f16, qd.uint64, qd.int8)[t]) == 0):
                x[3 + t] = 10
            elif qd.static(kind((qd.f16, qd.uint64, qd.int8)[t]) == 1):
                x[3 + t] = 11
            else:
                x[3 + t] = 12

    x = qd.ndarray(qd.i32, shape=(6,))
    k(x)
    return {"x": x.to_numpy()}
