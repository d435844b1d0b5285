"""``qd.algorithms`` written in the kernel language: ``@qd.func(requires_top_level=True)`` functions that a kernel calls
at its top level (or directly in a ``qd.graph.do_while`` body); each emits a few top-level loops (docs/algorithms.md).

Work is split into tiles of ``BLOCK_DIM`` elements: one parallel lane per tile, then a short serial pass over the
per-tile partials, then one parallel lane per element or tile. Tiles are processed in element order, so every result
is deterministic: the sort is a stable LSB radix sort, the scans fold each tile in order.
"""

from __future__ import annotations

from quadrants.algorithms._slots import BLOCK_DIM, RADIX_DIGITS
from quadrants.frontend.annotations import template
from quadrants.frontend.intrinsics import ATOMIC_FUNCTIONS, MATH_FUNCTIONS, bit_cast, cast, loop_config, select, static
from quadrants.ir import dtypes
from quadrants.runtime.kernel import func

__all__ = [
    "sort",
    "reduce_add",
    "reduce_min",
    "reduce_max",
    "exclusive_scan_add",
    "exclusive_scan_min",
    "exclusive_scan_max",
    "select_items",
    "reduce_by_key_add",
]

u32, u64, i32 = dtypes.u32, dtypes.u64, dtypes.i32
atomic_min, atomic_max = ATOMIC_FUNCTIONS["min"], ATOMIC_FUNCTIONS["max"]
qmin, qmax = MATH_FUNCTIONS["min"], MATH_FUNCTIONS["max"]


def _identity(dtype, op: str):
    if op == "add":
        return 0.0 if dtype.is_float else 0
    if op == "min":
        return float("inf") if dtype.is_float else dtype.max
    return float("-inf") if dtype.is_float else dtype.min


def _bits_type(dtype):
    return u64 if dtype.bits == 64 else u32


@func
def _combine(a, b, op: template()):
    r = a + b
    if static(op == "min"):
        r = qmin(a, b)
    if static(op == "max"):
        r = qmax(a, b)
    return r


# ------------------------------------------------------------------------------------------------------ sort


@func
def _ordered(key, key_dtype: template()):
    """The key's bits mapped so that unsigned order is the key order (two's complement and IEEE floats)."""
    U = static(_bits_type(key_dtype))
    b = bit_cast(key, U) if static(key_dtype.kind != "uint") else cast(key, U)
    if static(key_dtype.kind == "int"):
        b = b ^ (U(1) << U(key_dtype.bits - 1))
    if static(key_dtype.is_float):
        sign = U(1) << U(key_dtype.bits - 1)
        b = select((b & sign) != U(0), ~b, b ^ sign)
    return b


@func
def _digit(key, key_dtype: template(), shift: template()):
    U = static(_bits_type(key_dtype))
    return i32((_ordered(key, key_dtype) >> U(shift)) & U(RADIX_DIGITS - 1))


@func(requires_top_level=True)
def _radix_pass(
    src_k: template(),
    src_v: template(),
    dst_k: template(),
    dst_v: template(),
    scratch: template(),
    count,
    tiles,
    shift: template(),
    key_dtype: template(),
    has_values: template(),
):
    for t in range(tiles):  # per-tile digit histograms, digit-major: scratch[d * tiles + t]
        for d in range(RADIX_DIGITS):
            scratch[d * tiles + t] = 0
        for i in range(t * BLOCK_DIM, qmin(t * BLOCK_DIM + BLOCK_DIM, count)):
            scratch[_digit(src_k[i], key_dtype, shift) * tiles + t] += 1
    running = u32(0)
    loop_config(serialize=True)
    for h in range(RADIX_DIGITS * tiles):  # exclusive scan: where each (digit, tile) run starts
        c = scratch[h]
        scratch[h] = running
        running += c
    for t in range(tiles):  # stable scatter: each tile writes its keys in order
        for i in range(t * BLOCK_DIM, qmin(t * BLOCK_DIM + BLOCK_DIM, count)):
            slot = _digit(src_k[i], key_dtype, shift) * tiles + t
            pos = i32(scratch[slot])
            scratch[slot] = u32(pos + 1)
            dst_k[pos] = src_k[i]
            if static(has_values):
                dst_v[pos] = src_v[i]


@func(requires_top_level=True)
def sort(
    keys: template(),
    tmp_keys: template(),
    values: template(),
    tmp_values: template(),
    scratch: template(),
    n: template(),
    key_dtype: template(),
    has_values: template(),
    end_bit: template(),
    log256_max_n: template(),
):
    """Stable LSB radix sort of ``keys[0:n[()]]`` (and ``values`` with them) on the low ``end_bit`` key bits, in
    place (``tmp_*`` are work buffers); keys of ``u32 i32 f32 u64 i64 f64`` (docs/algorithms.md)."""
    count = n[()]
    tiles = (count + BLOCK_DIM - 1) // BLOCK_DIM
    for p in static(range(end_bit // 8)):
        if static(p % 2 == 0):
            _radix_pass(keys, values, tmp_keys, tmp_values, scratch, count, tiles, p * 8, key_dtype, has_values)
        else:
            _radix_pass(tmp_keys, tmp_values, keys, values, scratch, count, tiles, p * 8, key_dtype, has_values)
    if static((end_bit // 8) % 2 == 1):
        for i in range(count):
            keys[i] = tmp_keys[i]
            if static(has_values):
                values[i] = tmp_values[i]


# -------------------------------------------------------------------------------------------- reduce, scan


@func(requires_top_level=True)
def _reduce(arr: template(), out: template(), n, dtype: template(), op: template()):
    acc = cast(static(_identity(dtype, op)), dtype)
    for i in range(n):
        v = cast(arr[i], dtype)
        if static(op == "add"):
            acc += v
        if static(op == "min"):
            atomic_min(acc, v)
        if static(op == "max"):
            atomic_max(acc, v)
    out[0] = acc


@func(requires_top_level=True)
def reduce_add(arr: template(), out: template(), scratch: template(), n, dtype: template(), log256_max_n: template()):
    """``out[0] = sum(arr[0:n])``."""
    _reduce(arr, out, n, dtype, "add")


@func(requires_top_level=True)
def reduce_min(arr: template(), out: template(), scratch: template(), n, dtype: template(), log256_max_n: template()):
    """``out[0] = min(arr[0:n])`` (the type's largest value for ``n == 0``)."""
    _reduce(arr, out, n, dtype, "min")


@func(requires_top_level=True)
def reduce_max(arr: template(), out: template(), scratch: template(), n, dtype: template(), log256_max_n: template()):
    """``out[0] = max(arr[0:n])`` (the type's smallest value for ``n == 0``)."""
    _reduce(arr, out, n, dtype, "max")


@func(requires_top_level=True)
def _scan(arr: template(), out: template(), scratch: template(), n, dtype: template(), op: template()):
    tiles = (n + BLOCK_DIM - 1) // BLOCK_DIM
    for t in range(tiles):  # exclusive scan inside each tile; the tile's total into scratch[t]
        acc = cast(static(_identity(dtype, op)), dtype)
        for i in range(t * BLOCK_DIM, qmin(t * BLOCK_DIM + BLOCK_DIM, n)):
            v = cast(arr[i], dtype)
            out[i] = acc
            acc = _combine(acc, v, op)
        scratch[t] = bit_cast(acc, scratch.dtype)
    running = cast(static(_identity(dtype, op)), dtype)
    loop_config(serialize=True)
    for t in range(tiles):  # exclusive scan of the tile totals
        total = bit_cast(scratch[t], dtype)
        scratch[t] = bit_cast(running, scratch.dtype)
        running = _combine(running, total, op)
    for i in range(n):
        out[i] = _combine(bit_cast(scratch[i // BLOCK_DIM], dtype), out[i], op)


@func(requires_top_level=True)
def exclusive_scan_add(
    arr: template(), out: template(), scratch: template(), n, dtype: template(), log256_max_n: template()
):
    """``out[i] = sum(arr[0:i])``."""
    _scan(arr, out, scratch, n, dtype, "add")


@func(requires_top_level=True)
def exclusive_scan_min(
    arr: template(), out: template(), scratch: template(), n, dtype: template(), log256_max_n: template()
):
    """``out[i] = min(arr[0:i])`` (the type's largest value for ``i == 0``)."""
    _scan(arr, out, scratch, n, dtype, "min")


@func(requires_top_level=True)
def exclusive_scan_max(
    arr: template(), out: template(), scratch: template(), n, dtype: template(), log256_max_n: template()
):
    """``out[i] = max(arr[0:i])`` (the type's smallest value for ``i == 0``)."""
    _scan(arr, out, scratch, n, dtype, "max")


# ------------------------------------------------------------------------------------ select, reduce by key


@func(requires_top_level=True)
def select_items(
    arr: template(),
    flags: template(),
    out: template(),
    num_out: template(),
    scratch: template(),
    n,
    log256_max_n: template(),
):
    """``out[0:k]`` = the ``arr[i]`` with ``flags[i] != 0`` in order, ``num_out[0] = k``."""
    tiles = (n + BLOCK_DIM - 1) // BLOCK_DIM
    for t in range(tiles):
        c = 0
        for i in range(t * BLOCK_DIM, qmin(t * BLOCK_DIM + BLOCK_DIM, n)):
            if flags[i] != 0:
                c += 1
        scratch[n + t] = u32(c)
    running = u32(0)
    loop_config(serialize=True)
    for t in range(tiles):
        c = scratch[n + t]
        scratch[n + t] = running
        running += c
    num_out[0] = i32(running)
    for t in range(tiles):
        pos = i32(scratch[n + t])
        for i in range(t * BLOCK_DIM, qmin(t * BLOCK_DIM + BLOCK_DIM, n)):
            if flags[i] != 0:
                out[pos] = arr[i]
                pos += 1


@func
def _is_head(keys: template(), i):
    return i == 0 or keys[i] != keys[qmax(i - 1, 0)]


@func(requires_top_level=True)
def reduce_by_key_add(
    keys_in: template(),
    values_in: template(),
    keys_out: template(),
    values_out: template(),
    num_runs: template(),
    scratch: template(),
    n,
    value_dtype: template(),
    log256_max_n: template(),
):
    """One output per run of equal consecutive keys: the key and the sum of its values (in order);
    ``num_runs[0]`` = the number of runs."""
    tiles = (n + BLOCK_DIM - 1) // BLOCK_DIM
    for t in range(tiles):
        c = 0
        for i in range(t * BLOCK_DIM, qmin(t * BLOCK_DIM + BLOCK_DIM, n)):
            if _is_head(keys_in, i):
                c += 1
        scratch[t] = u32(c)
    running = u32(0)
    loop_config(serialize=True)
    for t in range(tiles):
        c = scratch[t]
        scratch[t] = running
        running += c
    num_runs[0] = i32(running)
    for t in range(tiles):
        run = i32(scratch[t])
        for i in range(t * BLOCK_DIM, qmin(t * BLOCK_DIM + BLOCK_DIM, n)):
            if _is_head(keys_in, i):
                key = keys_in[i]
                total = cast(0, value_dtype)
                j = i
                while j < n:
                    if keys_in[j] != key:
                        break
                    total += cast(values_in[j], value_dtype)
                    j += 1
                keys_out[run] = key
                values_out[run] = total
                run += 1
