"""Compile time of programs that grow in one dimension: does it grow about linearly?

For each shape of :mod:`program_shapes` (a long expression, nested funcs, many parameters, many statements) the
first call (compile + run) is timed at size ``n`` and ``2n`` on ``ref`` and ``llvm-cpu``. The row's value is the time
at ``2n``, its baseline the time at ``n`` measured in the same run: a ratio near 2 is linear growth, near 4 quadratic.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from program_shapes import SHAPES, load_kernel

import quadrants as qd

SIZES = {"long_expression": 450, "nested_funcs": 75, "many_parameters": 125, "many_statements": 100}
ARCHS = {"ref": qd.ref, "llvm-cpu": qd.cpu}


def first_call_seconds(shape: str, n: int) -> float:
    source, args, want = SHAPES[shape](n)
    kernel = load_kernel(source)
    t0 = time.perf_counter()
    got = kernel(*args)
    elapsed = time.perf_counter() - t0
    if abs(got - want) > 1e-3 * abs(want):
        raise AssertionError(f"{shape}({n}) returned {got}, expected {want}")
    return elapsed


def run() -> list[dict]:
    rows = []
    for arch_name, arch in ARCHS.items():
        qd.init(arch=arch)
        try:
            for shape, n in SIZES.items():
                first_call_seconds(shape, 8)  # warm the compiler's imports
                small = min(first_call_seconds(shape, n) for _ in range(2))
                big = min(first_call_seconds(shape, 2 * n) for _ in range(2))
                rows.append(
                    {
                        "name": f"compile {shape} {2 * n} vs {n} [{arch_name}]",
                        "value": big * 1e3,
                        "unit": "ms",
                        "baseline": small * 1e3,
                    }
                )
        finally:
            qd.reset()
    return rows


if __name__ == "__main__":
    for row in run():
        growth = row["value"] / row["baseline"]
        print(f"{row['name']:55s} {row['value']:9.1f} ms  (n: {row['baseline']:8.1f} ms, x{growth:.2f})")
