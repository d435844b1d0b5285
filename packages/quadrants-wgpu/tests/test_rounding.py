"""Correctly rounded f32 division and sqrt on adapters that round them loosely (:mod:`quadrants_wgpu.wgsl.rounding`).

On lavapipe the driver's own ``/`` and ``sqrt`` are exact, so the helpers are checked twice there: forced on through
``qd.kernel`` (they must not spoil an exact driver), and in a bare shader whose driver quotient, reciprocal and root
are *made* 3 ulp wrong (what NVIDIA's driver does, up to 2 ulp): the results must still equal NumPy's IEEE ones bit
for bit, on random operands and on the hard cases of :mod:`.rounding_cases`.
"""

from __future__ import annotations

import numpy as np
import pytest

import quadrants as qd
from quadrants.ir import dtypes as T, nodes as N
from quadrants.ir.ops import Op
from quadrants_wgpu.runtime import rounding as decision
from quadrants_wgpu.wgsl import library, rounding  # noqa: F401  (rounding registers the helpers)
from quadrants_wgpu.wgsl.emit import emit_program
from quadrants_wgpu.wgsl.target import ShaderTarget

from .conftest import op, var
from .rounding_cases import division_operands, expected_div, expected_sqrt, same, sqrt_operands

LAVAPIPE = {"vendor": "llvmpipe", "device": "llvmpipe (LLVM 15.0.6, 256 bits)", "vendor_id": 65541}
NVIDIA = {"vendor": "NVIDIA", "device": "NVIDIA H100 80GB HBM3", "vendor_id": 0x10DE}


# ------------------------------------------------------------------------------------------------ the decision


@pytest.mark.parametrize(
    ("info", "env", "corrected"),
    [
        (LAVAPIPE, {}, False),
        (NVIDIA, {}, True),
        ({"vendor": "SomeVendor", "device": "GPU", "vendor_id": 0x1234}, {}, True),  # unmeasured: corrected
        (LAVAPIPE, {"QD_WGPU_EXACT_DIV": "1"}, True),
        (NVIDIA, {"QD_WGPU_EXACT_DIV": "0"}, False),
        (NVIDIA, {"QD_WGPU_EXACT_DIV": ""}, True),
    ],
)
def test_the_decision_is_a_table_with_an_override(info, env, corrected):
    got = decision.decide(info, env)
    assert got.corrected is corrected and got.reason


def test_a_malformed_override_is_named():
    with pytest.raises(ValueError, match="QD_WGPU_EXACT_DIV='maybe'"):
        decision.decide(LAVAPIPE, {"QD_WGPU_EXACT_DIV": "maybe"})


# --------------------------------------------------------------------------------------------------- emission


def _program(o: Op, dtype=T.f32, fast_math: bool = False) -> N.Program:
    a, b = var("a", dtype), var("b", dtype)
    args = (N.LocalRef(a), N.LocalRef(b)) if o not in (Op.SQRT, Op.RSQRT) else (N.LocalRef(a),)
    body = (
        N.Load(a, 0, (N.Const(0, T.i32),)),
        N.Load(b, 0, (N.Const(1, T.i32),)),
        N.Store(0, (N.Const(2, T.i32),), op(o, *args)),
    )
    return N.Program("k", (N.NdarrayArg("x", dtype, 1),), (), (), (N.SerialBlock(body),), fast_math=fast_math)


CORRECTED = ShaderTarget(f16=True, f64=True, int64=True, corrected_div_sqrt=True)


@pytest.mark.parametrize(
    ("o", "helpers"),
    [
        (Op.TRUEDIV, {"qd_cr_div_f32"}),
        (Op.FLOORDIV, {"qd_cr_div_f32"}),
        (Op.MOD, {"qd_cr_div_f32"}),
        (Op.RAW_DIV, {"qd_cr_div_f32"}),
        (Op.RAW_MOD, {"qd_cr_div_f32"}),
        (Op.SQRT, {"qd_cr_sqrt_f32"}),
        (Op.RSQRT, {"qd_cr_div_f32", "qd_cr_sqrt_f32"}),
    ],
)
def test_every_float_division_and_sqrt_goes_through_the_helpers(o, helpers):
    wgsl = emit_program(_program(o), CORRECTED).shaders[0].wgsl
    for h in helpers:
        assert f"{h}(" in wgsl.split("fn main")[1], (h, wgsl)
    plain = emit_program(_program(o), ShaderTarget()).shaders[0].wgsl
    assert "qd_cr_" not in plain


@pytest.mark.parametrize(("dtype", "helper"), [(T.f16, "qd_cr_div_f16"), (T.f64, None)])
def test_f16_is_corrected_through_f32_and_f64_is_left_alone(dtype, helper):
    wgsl = emit_program(_program(Op.TRUEDIV, dtype), CORRECTED).shaders[0].wgsl
    assert (helper in wgsl) if helper else ("qd_cr_" not in wgsl)


def test_fast_math_keeps_the_drivers_operators():
    wgsl = emit_program(_program(Op.TRUEDIV, fast_math=True), CORRECTED).shaders[0].wgsl
    assert "qd_cr_" not in wgsl and " / " in wgsl


# ------------------------------------------------------------------------------------------- on the device


def _bare(dev, src_fn: str, call: str, columns: list[np.ndarray]) -> np.ndarray:
    """``call`` (an f32 expression of ``a0``, ``a1``, ...) element-wise over ``columns`` in a bare compute shader
    whose helpers are ``src_fn``; ``qd_zero`` is loaded from the input, as the emitter does."""
    import wgpu

    n = len(columns[0])
    lets = "".join(f"  let a{k} = a[i + {k * n}u];\n" for k in range(len(columns)))
    src = "\n\n".join(
        [
            "@group(0) @binding(0) var<storage, read> a: array<f32>;",
            "@group(0) @binding(1) var<storage, read_write> o: array<f32>;",
            src_fn,
            "@compute @workgroup_size(64)\nfn main(@builtin(global_invocation_id) g: vec3<u32>) {\n"
            "  qd_zero = bitcast<u32>(a[arrayLength(&a) - 1u]);\n  qd_zero1 = qd_zero;\n"
            f"  let i = g.x;\n  if (i >= {n}u) {{ return; }}\n{lets}  o[i] = {call};\n}}",
        ]
    )
    device = dev.device
    data = np.concatenate([*columns, [0.0]]).astype(np.float32)
    usage = wgpu.BufferUsage.STORAGE | wgpu.BufferUsage.COPY_SRC
    inp = device.create_buffer_with_data(data=data.tobytes(), usage=usage)
    out = device.create_buffer(size=n * 4, usage=usage)
    module = device.create_shader_module(code=src)
    pipeline = device.create_compute_pipeline(layout="auto", compute={"module": module, "entry_point": "main"})
    group = device.create_bind_group(
        layout=pipeline.get_bind_group_layout(0),
        entries=[{"binding": 0, "resource": {"buffer": inp}}, {"binding": 1, "resource": {"buffer": out}}],
    )
    enc = device.create_command_encoder()
    cpass = enc.begin_compute_pass()
    cpass.set_pipeline(pipeline)
    cpass.set_bind_group(0, group)
    cpass.dispatch_workgroups((n + 63) // 64)
    cpass.end()
    device.queue.submit([enc.finish()])
    return np.frombuffer(device.queue.read_buffer(out), np.float32)[:n].copy()


# A loosely rounding driver: its result moved by -3..3 ulp, pseudo-randomly (a hash of the operands' bits).
_OFF = """
fn qd_test_off(v: f32, salt: f32) -> f32 {
  let h = (bitcast<u32>(v) ^ (bitcast<u32>(salt) * 747796405u)) * 2654435761u;
  return bitcast<f32>(bitcast<u32>(bitcast<i32>(bitcast<u32>(v)) + i32((h >> 16u) % 7u) - 3i));
}"""
# (the driver's operation in the helper, its loosely rounded replacement)
_LOOSE = {
    "qd_cr_div_f32": [("(x / y)", "(qd_test_off(x / y, x))"), ("(1.0f / y)", "qd_test_off(1.0f / y, 3.0f)")],
    "qd_cr_sqrt_f32": [("(sqrt(m))", "(qd_test_off(sqrt(m), m))"), ("(0.5f / s0)", "qd_test_off(0.5f / s0, 5.0f)")],
}


def _loose_helpers(name: str) -> str:
    src = library.render({name})
    for old, new in _LOOSE[name]:
        assert src.count(old) == 1, f"the helper no longer contains {old}: update _LOOSE"
        src = src.replace(old, new)
    return src + "\n\n" + _OFF


def _assert_same(got, want, *columns):
    bad = ~same(got, want)
    assert not bad.any(), [tuple(c[bad][:4]) for c in columns] + [got[bad][:4], want[bad][:4]]


def test_division_is_correctly_rounded_from_a_loose_driver_quotient(device):
    a, b = division_operands()
    loose = _bare(device, _OFF + "\n\n" + library.render({"qd_opaque0_f32"}), "qd_test_off(a0 / a1, a0)", [a, b])
    assert (~same(loose, expected_div(a, b))).mean() > 0.5  # the simulated driver is really off
    got = _bare(device, _loose_helpers("qd_cr_div_f32"), "qd_cr_div_f32(a0, a1)", [a, b])
    _assert_same(got, expected_div(a, b), a, b)


def test_sqrt_is_correctly_rounded_from_a_loose_driver_root(device):
    v = sqrt_operands()
    got = _bare(device, _loose_helpers("qd_cr_sqrt_f32"), "qd_cr_sqrt_f32(a0)", [v])
    _assert_same(got, expected_sqrt(v), v)


@pytest.fixture
def corrected(device, monkeypatch):
    """``qd.init(arch=qd.vulkan)`` with the helpers forced on (as ``QD_WGPU_EXACT_DIV=1`` does)."""
    monkeypatch.setattr(device, "corrected_div_sqrt", True)
    qd.init(arch=qd.vulkan)
    yield
    qd.reset()


def test_kernels_divide_and_take_roots_exactly_with_the_helpers(corrected):
    from quadrants_wgpu.runtime.backend import BACKEND

    assert "corrected-div-sqrt" in BACKEND.capabilities.features  # part of fastcache keys

    @qd.kernel
    def k(a: qd.types.NDArray[qd.f32, 1], b: qd.types.NDArray[qd.f32, 1], out: qd.types.NDArray[qd.f32, 2]):
        for i in range(a.shape[0]):
            out[0, i] = a[i] / b[i]
            out[1, i] = qd.sqrt(a[i])
            out[2, i] = a[i] // b[i]
            out[3, i] = qd.rsqrt(b[i])

    a, b = division_operands(1 << 12)
    out = np.zeros((4, a.size), np.float32)
    k(a, b, out)
    with np.errstate(all="ignore"):
        want = [expected_div(a, b), expected_sqrt(a), np.floor(expected_div(a, b)), np.float32(1) / expected_sqrt(b)]
    for row, w in zip(out, want):
        _assert_same(row, w, a, b)


def test_the_math_library_divides_through_the_variant_in_force():
    """atan2 divides inside the math library: with the helpers on, its divisions are the correctly rounded ones."""
    wgsl = emit_program(_program(Op.ATAN2), CORRECTED).shaders[0].wgsl
    assert "return qd_cr_div_f32(a, b);" in wgsl
    plain = emit_program(_program(Op.ATAN2), ShaderTarget()).shaders[0].wgsl
    assert "return a / b;" in plain and "qd_cr_" not in plain
    fast = emit_program(_program(Op.ATAN2, fast_math=True), CORRECTED).shaders[0].wgsl
    assert "qd_cr_" not in fast


def _math_kernel_results(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    @qd.kernel
    def k(a: qd.types.NDArray[qd.f32, 1], b: qd.types.NDArray[qd.f32, 1], out: qd.types.NDArray[qd.f32, 2]):
        for i in range(a.shape[0]):
            out[0, i] = qd.atan2(a[i], b[i])
            out[1, i] = qd.asin(qd.sin(a[i]))
            out[2, i] = qd.acos(qd.cos(b[i]))
            out[3, i] = qd.tan(a[i])
            out[4, i] = qd.sinh(b[i] * 0.01)
            out[5, i] = qd.cosh(a[i] * 0.01)
            out[6, i] = qd.tanh(b[i] * 0.1)
            out[7, i] = a[i] ** -3.0

    out = np.zeros((8, x.size), np.float32)
    k(x, y, out)
    return out


def test_math_functions_barely_move_with_the_helpers_on_an_exact_driver(device, monkeypatch):
    """On lavapipe (exact / and sqrt) the math library gives the same results with and without the helpers, up to
    1 ulp: not bit for bit, because the driver contracts the polynomials' unguarded ``a * b + c`` into FMAs
    depending on the code around them (seen in acos, 14 of 4096 inputs)."""
    if device.corrected_div_sqrt:
        pytest.skip("this adapter's own division is not known to be exact")
    rng = np.random.default_rng(3)
    x = rng.uniform(-30, 30, 1 << 12).astype(np.float32)
    y = rng.uniform(-30, 30, 1 << 12).astype(np.float32)
    results = []
    for on in (False, True):
        monkeypatch.setattr(device, "corrected_div_sqrt", on)
        qd.init(arch=qd.vulkan)
        results.append(_math_kernel_results(x, y))
        qd.reset()
    apart = np.abs(results[0].view(np.int32).astype(np.int64) - results[1].view(np.int32).astype(np.int64))
    assert apart.max() <= 1 and (apart == 0).mean() > 0.99


def test_f16_division_and_sqrt_are_correctly_rounded_with_the_helpers(corrected, device):
    if not device.target.f16:
        pytest.skip("the adapter lacks shader-f16")

    @qd.kernel
    def k(a: qd.types.NDArray[qd.f16, 1], b: qd.types.NDArray[qd.f16, 1], out: qd.types.NDArray[qd.f16, 2]):
        for i in range(a.shape[0]):
            out[0, i] = a[i] / b[i]
            out[1, i] = qd.sqrt(a[i])

    every = np.arange(1 << 16, dtype=np.uint32).astype(np.uint16).view(np.float16)  # every f16 value
    a = every
    b = np.random.default_rng(2).permutation(every)
    out = np.zeros((2, a.size), np.float16)
    k(a, b, out)
    with np.errstate(all="ignore"):
        want = [np.divide(a, b), np.sqrt(a)]
    for got, w in zip(out, want):
        bad = (got.view(np.uint16) != w.view(np.uint16)) & ~(np.isnan(got) & np.isnan(w))
        assert not bad.any(), (a[bad][:4], b[bad][:4], got[bad][:4], w[bad][:4])
