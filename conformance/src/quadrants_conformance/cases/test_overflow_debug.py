"""Integer overflow reports under qd.init(debug=True), as upstream 1.3.3: an integer +, -, * or << whose exact result
does not fit its dtype prints '<Op> overflow detected in File "...", line N, in <kernel>:' with the line and a caret,
and the kernel goes on with the wrapped value (docs/language.md, "Integer overflow under debug")."""

import re

import numpy as np

import quadrants as qd
from quadrants_conformance import case

# (dtype, ndarray dtype, op symbol, operand pairs): pairs around each dtype's limits, overflowing and not
_PAIRS = {
    "add": [(1, 2), (-5, 3), (2**6, 2**6), (2**6, 2**6 - 1), (-(2**6), -(2**6) - 1), (127, 0), (-128, -128)],
    "sub": [(1, 2), (-5, 3), (2**6, -(2**6)), (-(2**6), 2**6 + 1), (0, 127), (3, 3)],
    "mul": [(2**4 + 1, 2**3 + 1), (2**4, 2**3 - 1), (-1, -128), (-1, 127), (0, -128), (-16, 8), (11, 12), (16, 16)],
    "shl": [(2, 6), (2, 5), (1, 7), (-1, 7), (3, 1), (64, 1), (2, 7)],
}
_OPS = {"add": (np.add, "+", "Addition"), "sub": (np.subtract, "-", "Subtraction")}
_OPS |= {"mul": (np.multiply, "*", "Multiplication"), "shl": (np.left_shift, "<<", "Shift left")}


def _operands(op: str, np_dtype) -> tuple[np.ndarray, np.ndarray]:
    """The i8 pairs scaled to the dtype (shifts keep their counts) and made non-negative for unsigned types."""
    info = np.iinfo(np_dtype)
    scale = 2 ** (info.bits - 8)
    a, b = [], []
    for x, y in _PAIRS[op]:
        if op == "shl":
            y = y + info.bits - 8
        elif op == "mul":
            root = 2 ** ((info.bits - 8) // 2)  # the product grows as the square
            x, y = x * root, y * root
        else:
            x, y = x * scale, y * scale
        if info.min == 0:
            x, y = abs(x), abs(y)
        a.append(min(max(x, info.min), info.max))
        b.append(min(max(y, info.min), info.max))
    return np.array(a, dtype=np_dtype), np.array(b, dtype=np_dtype)


_EXACT = {"add": lambda x, y: x + y, "sub": lambda x, y: x - y, "mul": lambda x, y: x * y}
_EXACT["shl"] = lambda x, y: x << y


def _expected(op: str, np_dtype) -> tuple[list, int]:
    """Wrapped results and how many pairs overflow (exact Python integers against the dtype's range)."""
    info = np.iinfo(np_dtype)
    a, b = _operands(op, np_dtype)
    wrapped, overflows = [], 0
    for x, y in zip(a.tolist(), b.tolist()):
        exact = _EXACT[op](x, y)
        r = exact % 2**info.bits
        r = r - 2**info.bits if info.min < 0 and r > info.max else r
        wrapped.append(r)
        if op == "shl":
            back = (r >> y) if info.min < 0 else ((r % 2**info.bits) >> y)
            overflows += back != x
        else:
            overflows += not info.min <= exact <= info.max
    return wrapped, overflows


def _report(name: str, symbol: str, count: int) -> re.Pattern:
    one = rf'{name} overflow detected in File "[^"]*test_overflow_debug\.py", line \d+, in k:\n'
    one += rf" +r\[i\] = a\[i\] {re.escape(symbol)} b\[i\]\n +\^+\n\n"
    return re.compile(f"(?:{one}){{{count}}}")


_NARROW = [(qd.i8, np.int8), (qd.u8, np.uint8), (qd.i16, np.int16), (qd.u16, np.uint16)]
_NARROW += [(qd.i32, np.int32), (qd.u32, np.uint32)]
_WIDE = [(qd.i64, np.int64), (qd.u64, np.uint64)]
A1 = qd.types.ndarray(ndim=1)


def _golden(op: str, types) -> dict:
    return {np.dtype(nt).name: np.array(_expected(op, nt)[0], dtype=nt) for _, nt in types}


def _stdout(op: str, types) -> re.Pattern:
    _, symbol, name = _OPS[op]
    return _report(name, symbol, sum(_expected(op, nt)[1] for _, nt in types))


def _run(kernel, op: str, types) -> dict:
    out = {}
    for dtype, nt in types:
        xa, xb = _operands(op, nt)
        a, b, r = (qd.ndarray(dtype, shape=(len(xa),)) for _ in range(3))
        a.from_numpy(xa)
        b.from_numpy(xb)
        kernel(a, b, r)
        out[np.dtype(nt).name] = r.to_numpy()
    return out


def _add_kernel():
    @qd.kernel
    def k(a: A1, b: A1, r: A1):
        qd.loop_config(serialize=True)
        for i in range(a.shape[0]):
            r[i] = a[i] + b[i]

    return k


def _sub_kernel():
    @qd.kernel
    def k(a: A1, b: A1, r: A1):
        qd.loop_config(serialize=True)
        for i in range(a.shape[0]):
            r[i] = a[i] - b[i]

    return k


def _mul_kernel():
    @qd.kernel
    def k(a: A1, b: A1, r: A1):
        qd.loop_config(serialize=True)
        for i in range(a.shape[0]):
            r[i] = a[i] * b[i]

    return k


def _shl_kernel():
    @qd.kernel
    def k(a: A1, b: A1, r: A1):
        qd.loop_config(serialize=True)
        for i in range(a.shape[0]):
            r[i] = a[i] << b[i]

    return k


@case(section="15", requires=("print",), debug=True, stdout=_stdout("add", _NARROW), golden=_golden("add", _NARROW))
def addition_overflow_is_reported_and_wraps():
    return _run(_add_kernel(), "add", _NARROW)


@case(section="15", requires=("print",), debug=True, stdout=_stdout("sub", _NARROW), golden=_golden("sub", _NARROW))
def subtraction_overflow_is_reported_and_wraps():
    return _run(_sub_kernel(), "sub", _NARROW)


@case(section="15", requires=("print",), debug=True, stdout=_stdout("mul", _NARROW), golden=_golden("mul", _NARROW))
def multiplication_overflow_is_reported_and_wraps():
    return _run(_mul_kernel(), "mul", _NARROW)


@case(section="15", requires=("print",), debug=True, stdout=_stdout("shl", _NARROW), golden=_golden("shl", _NARROW))
def shift_left_overflow_is_reported_and_wraps():
    return _run(_shl_kernel(), "shl", _NARROW)


@case(section="15", requires=("print", "i64"), debug=True, stdout=_stdout("add", _WIDE), golden=_golden("add", _WIDE))
def addition_overflow_is_reported_for_64_bit_types():
    return _run(_add_kernel(), "add", _WIDE)


@case(section="15", requires=("print", "i64"), debug=True, stdout=_stdout("sub", _WIDE), golden=_golden("sub", _WIDE))
def subtraction_overflow_is_reported_for_64_bit_types():
    return _run(_sub_kernel(), "sub", _WIDE)


@case(section="15", requires=("print", "i64"), debug=True, stdout=_stdout("mul", _WIDE), golden=_golden("mul", _WIDE))
def multiplication_overflow_is_reported_for_64_bit_types():
    return _run(_mul_kernel(), "mul", _WIDE)


@case(section="15", requires=("print", "i64"), debug=True, stdout=_stdout("shl", _WIDE), golden=_golden("shl", _WIDE))
def shift_left_overflow_is_reported_for_64_bit_types():
    return _run(_shl_kernel(), "shl", _WIDE)


@case(section="15", requires=("print",), stdout="", golden={"r": -(2**31)})
def overflow_is_not_reported_without_debug():
    @qd.kernel
    def k(x: qd.i32) -> qd.i32:
        return x + 1073741824

    return {"r": k(2**30)}
