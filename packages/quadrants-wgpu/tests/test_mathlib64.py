"""The f64 math library (:mod:`quadrants_wgpu.wgsl.mathlib64`, ``pow`` in :mod:`.float64`) against NumPy.

Each function runs on 2^14-odd random inputs over its whole domain plus special values, in a bare compute shader
(the helpers alone, with ``qd_zero`` loaded from the input buffer as the emitter does: a constant zero would let the
driver fold the opaque operands away). The bounds asserted are the conformance budgets (``transcendental``: 4 ULP,
``pow``: 8 ULP for f64); the measured worst cases are 1–3 and 5 (docs/backends/wgpu.md).
"""

from __future__ import annotations

import numpy as np
import pytest

from quadrants_wgpu.wgsl import float64, library  # noqa: F401  (registers the f64 helpers)

N = 1 << 14
SPECIALS = [0.0, -0.0, 1.0, -1.0, 0.5, np.inf, -np.inf, np.nan, 1e-300, 5e-324, 2.0, 3.0, 0.1, 1e-8, 700.0, -740.0,
            709.78, -745.1, 22.5, np.pi, np.pi / 2, 1e5 * np.pi]  # fmt: skip


@pytest.fixture(scope="module")
def f64_device(device):
    if not device.target.f64:
        pytest.skip("the adapter lacks shader-f64 (or it was disabled by QD_WGPU_DISABLE_FEATURES)")
    return device


def _run(dev, name: str, *columns: np.ndarray) -> np.ndarray:
    """``qd_<name>_f64`` applied element-wise to the columns, on the device."""
    import wgpu

    n = len(columns[0])
    args = ", ".join(f"a[i + {k * n}u]" for k in range(len(columns)))
    src = "\n\n".join(
        [
            "@group(0) @binding(0) var<storage, read> a: array<f64>;",
            "@group(0) @binding(1) var<storage, read_write> o: array<f64>;",
            library.render({f"qd_{name}_f64"}),
            "@compute @workgroup_size(64)\nfn main(@builtin(global_invocation_id) g: vec3<u32>) {\n"
            "  qd_zero = u32(bitcast<u64>(a[arrayLength(&a) - 1u]));\n  qd_zero1 = qd_zero;\n"
            f"  let i = g.x;\n  if (i < {n}u) {{ o[i] = qd_{name}_f64({args}); }}\n}}",
        ]
    )
    device = dev.device
    data = np.concatenate([*columns, [0.0]]).astype(np.float64)
    usage = wgpu.BufferUsage.STORAGE | wgpu.BufferUsage.COPY_SRC
    inp = device.create_buffer_with_data(data=data.tobytes(), usage=usage)
    out = device.create_buffer(size=n * 8, usage=usage)
    pipeline = device.create_compute_pipeline(
        layout="auto", compute={"module": device.create_shader_module(code=src), "entry_point": "main"}
    )
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
    return np.frombuffer(device.queue.read_buffer(out), np.float64)[:n].copy()


def _ulps(got: np.ndarray, want: np.ndarray) -> np.ndarray:
    assert np.array_equal(np.isnan(got), np.isnan(want)), "NaN where the reference has none, or the reverse"
    with np.errstate(all="ignore"):
        d = np.abs(got - want) / np.spacing(np.abs(want)).clip(min=5e-324)
    return np.where((got == want) | np.isnan(want), 0.0, d)


def _inputs(lo: float, hi: float, log: bool = False) -> np.ndarray:
    rng = np.random.default_rng(5)
    if log:
        v = np.exp(rng.uniform(np.log(lo), np.log(hi), N // 2))
        v = np.concatenate([v, -v])
    else:
        v = rng.uniform(lo, hi, N)
    return np.concatenate([SPECIALS, v])


UNARY = {
    "exp": (np.exp, _inputs(-750, 712)),
    "log": (np.log, _inputs(1e-310, 1e308, log=True)),
    "sin": (np.sin, _inputs(-1e5, 1e5)),
    "cos": (np.cos, _inputs(-1e5, 1e5)),
    "tan": (np.tan, _inputs(-1e4, 1e4)),
    "asin": (np.arcsin, _inputs(-1.1, 1.1)),
    "acos": (np.arccos, _inputs(-1.1, 1.1)),
    "atan": (np.arctan, _inputs(1e-10, 1e10, log=True)),
    "sinh": (np.sinh, _inputs(-720, 720)),
    "cosh": (np.cosh, _inputs(-720, 720)),
    "tanh": (np.tanh, _inputs(-30, 30)),
}


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_functions_within_the_transcendental_budget(f64_device, name):
    ref, x = UNARY[name]
    with np.errstate(all="ignore"):
        want = ref(x)
    got = _run(f64_device, name, x)
    assert _ulps(got, want).max() <= 4
    signed_zeros = (want == 0) & (got == 0)
    np.testing.assert_array_equal(np.signbit(got[signed_zeros]), np.signbit(want[signed_zeros]))


def test_atan2_special_values_and_quadrants(f64_device):
    special = [0.0, -0.0, 1.0, -1.0, np.inf, -np.inf, np.nan, 1e-300, 1e300]
    ys, xs = (a.ravel() for a in np.meshgrid(special, special))
    rng = np.random.default_rng(6)
    ys = np.concatenate([ys, rng.normal(size=N) * 10.0 ** rng.integers(-5, 5, N)])
    xs = np.concatenate([xs, rng.normal(size=N) * 10.0 ** rng.integers(-5, 5, N)])
    got = _run(f64_device, "atan2", ys, xs)
    want = np.arctan2(ys, xs)
    assert _ulps(got, want).max() <= 4
    zeros = want == 0
    np.testing.assert_array_equal(np.signbit(got[zeros]), np.signbit(want[zeros]))


def test_pow_within_the_pow_budget_and_c_special_cases(f64_device):
    special = [0.0, -0.0, 1.0, -1.0, 2.0, -2.0, 0.5, 3.0, -3.0, np.inf, -np.inf, np.nan, 1e-300]
    a, b = (v.ravel() for v in np.meshgrid(special, special))
    rng = np.random.default_rng(7)
    x = np.concatenate([a, np.exp(rng.uniform(-50, 50, N)), rng.uniform(0, 3, N), -rng.uniform(0, 3, N)])
    y = np.concatenate([b, rng.uniform(-20, 20, N), rng.uniform(-300, 300, N), np.round(rng.uniform(-300, 300, N))])
    with np.errstate(all="ignore"):
        want = np.power(x, y)
    got = _run(f64_device, "pow", x, y)
    assert _ulps(got, want).max() <= 8
