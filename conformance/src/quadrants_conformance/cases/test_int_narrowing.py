"""docs/semantics.md §5: integer → integer conversions wrap, at every width, signed and unsigned.

``qd.cast(qd.cast(x, T), W)`` keeps the low bits of ``x`` that fit ``T`` (two's complement) and then sign- or
zero-extends them by ``T``'s signedness. The kernels write the four or six narrowings of one value side by side, the
shape that LLVM's SLP vectoriser packs into one vector op (it once turned ``u8(-1)`` into -1 instead of 255 on
llvm-cpu). Goldens are NumPy's ``astype`` wraparound, checked against upstream Quadrants 1.3.3 on ``qd.cpu``.
"""

import numpy as np

import quadrants as qd
from quadrants_conformance import case

I32_1 = qd.types.NDArray[qd.i32, 1]
I32_2 = qd.types.NDArray[qd.i32, 2]
I64_1 = qd.types.NDArray[qd.i64, 1]
I64_2 = qd.types.NDArray[qd.i64, 2]
U32_1 = qd.types.NDArray[qd.u32, 1]
U32_2 = qd.types.NDArray[qd.u32, 2]

I32_VALUES = [
    0, 1, 127, 128, 255, 256, -1, -128, -129, 32767, 32768, 65407, 65535, 65536, -32768, -32769, -65409,
    (1 << 20) | 127, (1 << 20) | 255, 2**31 - 1, -(2**31), 0x12345678, -0x12345678,
]  # fmt: skip
I64_VALUES = [
    *I32_VALUES, 2**32 + 255, 2**32 - 1, -(2**32) - 129, 2**40 + 32767, 2**63 - 1, -(2**63), 0x123456789ABCDEF,
]  # fmt: skip
U32_VALUES = [0, 127, 128, 255, 256, 32767, 32768, 65407, 65535, 65536, 2**31, 2**32 - 1, 2**32 - 129, 0x89ABCDEF]
NARROW = (np.int8, np.uint8, np.int16, np.uint16)


def _golden(values, source, types, wide) -> list:
    a = np.array(values, dtype=np.int64).astype(source)
    return np.stack([a.astype(t).astype(wide) for t in types], axis=1).tolist()


@case(
    section="5",
    requires=("i8", "u8", "i16", "u16"),
    golden={"o": _golden(I32_VALUES, np.int32, NARROW, np.int32)},
)
def i32_narrowing_wraps_in_parallel():
    @qd.kernel
    def k(x: I32_1, o: I32_2):
        for i in range(x.shape[0]):
            o[i, 0] = qd.cast(qd.cast(x[i], qd.i8), qd.i32)
            o[i, 1] = qd.cast(qd.cast(x[i], qd.u8), qd.i32)
            o[i, 2] = qd.cast(qd.cast(x[i], qd.i16), qd.i32)
            o[i, 3] = qd.cast(qd.cast(x[i], qd.u16), qd.i32)

    x = np.array(I32_VALUES * 8, dtype=np.int32)  # long enough to run vectorised
    o = qd.ndarray(qd.i32, shape=(len(x), 4))
    k(x, o)
    return {"o": o.to_numpy()[: len(I32_VALUES)]}


@case(
    section="5",
    requires=("i8", "u8", "i16", "u16"),
    golden={"o": _golden(I32_VALUES, np.int32, NARROW, np.int32)},
)
def i32_narrowing_wraps_in_serial_code():
    @qd.kernel
    def k(x: I32_1, o: I32_2):
        qd.loop_config(serialize=True)
        for i in range(x.shape[0]):
            v = x[i]
            o[i, 0] = qd.cast(qd.cast(v, qd.i8), qd.i32)
            o[i, 1] = qd.cast(qd.cast(v, qd.u8), qd.i32)
            o[i, 2] = qd.cast(qd.cast(v, qd.i16), qd.i32)
            o[i, 3] = qd.cast(qd.cast(v, qd.u16), qd.i32)

    o = qd.ndarray(qd.i32, shape=(len(I32_VALUES), 4))
    k(np.array(I32_VALUES, dtype=np.int32), o)
    return {"o": o.to_numpy()}


@case(
    section="5",
    requires=("i8", "u8", "i16", "u16", "i64"),
    golden={"o": _golden(I64_VALUES, np.int64, (*NARROW, np.int32, np.uint32), np.int64)},
)
def i64_narrowing_wraps():
    @qd.kernel
    def k(x: I64_1, o: I64_2):
        for i in range(x.shape[0]):
            o[i, 0] = qd.cast(qd.cast(x[i], qd.i8), qd.i64)
            o[i, 1] = qd.cast(qd.cast(x[i], qd.u8), qd.i64)
            o[i, 2] = qd.cast(qd.cast(x[i], qd.i16), qd.i64)
            o[i, 3] = qd.cast(qd.cast(x[i], qd.u16), qd.i64)
            o[i, 4] = qd.cast(qd.cast(x[i], qd.i32), qd.i64)
            o[i, 5] = qd.cast(qd.cast(x[i], qd.u32), qd.i64)

    x = np.array(I64_VALUES * 8, dtype=np.int64)
    o = qd.ndarray(qd.i64, shape=(len(x), 6))
    k(x, o)
    return {"o": o.to_numpy()[: len(I64_VALUES)]}


@case(
    section="5",
    requires=("i8", "u8", "i16", "u16"),
    golden={"o": _golden(U32_VALUES, np.uint32, NARROW, np.uint32)},
)
def u32_narrowing_wraps():
    @qd.kernel
    def k(x: U32_1, o: U32_2):
        for i in range(x.shape[0]):
            o[i, 0] = qd.cast(qd.cast(x[i], qd.i8), qd.u32)
            o[i, 1] = qd.cast(qd.cast(x[i], qd.u8), qd.u32)
            o[i, 2] = qd.cast(qd.cast(x[i], qd.i16), qd.u32)
            o[i, 3] = qd.cast(qd.cast(x[i], qd.u16), qd.u32)

    x = np.array(U32_VALUES * 8, dtype=np.uint32)
    o = qd.ndarray(qd.u32, shape=(len(x), 4))
    k(x, o)
    return {"o": o.to_numpy()[: len(U32_VALUES)]}


@case(
    section="5",
    requires=("i8", "u8", "i16", "u16"),
    golden={"r": [[127, 127, -129, 65407], [-1, 255, -1, 65535], [-1, 255, 32767, 32767], [127, 127, 127, 127]]},
)
def narrowing_of_scalar_arguments_and_constants():
    @qd.kernel
    def k(v: qd.i32) -> tuple[qd.i32, qd.i32, qd.i32, qd.i32]:
        return (
            qd.cast(qd.cast(v, qd.i8), qd.i32),
            qd.cast(qd.cast(v, qd.u8), qd.i32),
            qd.cast(qd.cast(v, qd.i16), qd.i32),
            qd.cast(qd.cast(v, qd.u16), qd.i32),
        )

    @qd.kernel
    def folded() -> tuple[qd.i32, qd.i32, qd.i32, qd.i32]:
        v = (1 << 20) | 127  # a compile-time constant: the casts fold
        return (
            qd.cast(qd.cast(v, qd.i8), qd.i32),
            qd.cast(qd.cast(v, qd.u8), qd.i32),
            qd.cast(qd.cast(v, qd.i16), qd.i32),
            qd.cast(qd.cast(v, qd.u16), qd.i32),
        )

    return {"r": [list(k(-129)), list(k(-1)), list(k(-32769)), list(folded())]}
