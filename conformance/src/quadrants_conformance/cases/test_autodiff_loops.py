"""Reverse-mode autodiff of serial loops that carry state (the adstack) and of reductions into kernel-level locals
(docs/autodiff.md).

Gradients are checked against central differences of the loss (``fd_ok``, golden) or against their closed form;
the gradients themselves are compared between backends.
"""

import math

import numpy as np

import quadrants as qd
from quadrants.runtime.state import current_session
from quadrants_conformance import case

H = 1e-2
RTOL = ATOL = 2e-2


def _central_differences(forward, array, loss) -> np.ndarray:
    """d loss / d array by central differences: ``forward()`` recomputes ``loss`` from the current inputs."""
    base = array.to_numpy()
    out = np.zeros(base.shape, np.float64)
    for index in np.ndindex(base.shape):
        values = []
        for sign in (1.0, -1.0):
            moved = base.copy()
            moved[index] += np.float32(sign * H)
            array.from_numpy(moved)
            forward()
            values.append(float(loss.to_numpy()))
        out[index] = (values[0] - values[1]) / (2 * H)
    array.from_numpy(base)
    forward()
    return out


def _agrees(grad, differences) -> bool:
    return bool(np.allclose(grad, differences, rtol=RTOL, atol=ATOL))


def _reinit(**options):
    """``qd.init`` again on the backend under test with extra options (the harness chose the backend)."""
    qd.init(arch=current_session().backend_id, **options)


# ------------------------------------------------------------------------------------------------------ adstack


@case(section="autodiff", golden={"fd_ok": True, "closed_form_ok": True}, tol="reduction")
def adstack_run_time_loop_carries_state():
    """``v = sin(v) * 1.1 + 0.1`` repeated ``n`` times (``n`` a kernel argument): each reverse iteration pops the
    state at its start from the adstack."""
    _reinit(ad_stack_experimental_enabled=True)
    x = qd.ndarray(qd.f32, 4, needs_grad=True)
    y = qd.ndarray(qd.f32, 4, needs_grad=True)
    loss = qd.ndarray(qd.f32, (), needs_grad=True)

    @qd.kernel
    def iterate(x: qd.types.ndarray(), y: qd.types.ndarray(), loss: qd.types.ndarray(), n: qd.i32):
        for i in x:
            v = x[i]
            for _j in range(n):
                v = qd.sin(v) * 1.1 + 0.1
            y[i] = v
            loss[None] += v * v

    x.from_numpy(np.array([0.0, 0.1, 0.2, 0.3], np.float32))

    def forward():
        loss.fill(0.0)
        iterate(x, y, loss, 5)

    forward()
    loss.grad.fill(1.0)
    iterate.grad(x, y, loss, 5)
    grad = x.grad.to_numpy()
    expected = []
    for x0 in (0.0, 0.1, 0.2, 0.3):
        v, d = x0, 1.0
        for _ in range(5):
            d *= math.cos(v) * 1.1
            v = math.sin(v) * 1.1 + 0.1
        expected.append(2 * v * d)
    closed = bool(np.allclose(grad, expected, rtol=1e-4, atol=1e-5))
    return {"fd_ok": _agrees(grad, _central_differences(forward, x, loss)), "closed_form_ok": closed, "grad": grad}


@case(section="autodiff", golden={"fd_ok": True}, tol="reduction")
def adstack_nested_loops_carry_state():
    """Both loops of a nest carry state (the inner one the outer's local too); the inner stack is refilled for each
    reversed outer iteration."""
    _reinit(ad_stack_experimental_enabled=True)
    x = qd.field(qd.f32, shape=3, needs_grad=True)
    w = qd.field(qd.f32, shape=4, needs_grad=True)
    loss = qd.field(qd.f32, shape=(), needs_grad=True)

    @qd.kernel
    def nest(n: qd.i32):
        for i in x:
            a = x[i]
            b = 0.5
            for k in range(n):
                b = b * a + w[k]
                for _j in range(3):
                    a = qd.tanh(a * b) + 0.3
            loss[None] += a * b

    x.from_numpy(np.array([0.3, -0.6, 0.9], np.float32))
    w.from_numpy(np.array([0.1, -0.2, 0.3, 0.05], np.float32))

    def forward():
        loss[None] = 0.0
        nest(4)

    with qd.ad.Tape(loss=loss):
        nest(4)
    ok = _agrees(x.grad.to_numpy(), _central_differences(forward, x, loss))
    ok = ok and _agrees(w.grad.to_numpy(), _central_differences(forward, w, loss))
    return {"fd_ok": ok, "x_grad": x.grad.to_numpy(), "w_grad": w.grad.to_numpy()}


@case(section="autodiff", golden={"fd_ok": True}, tol="reduction")
def adstack_lanes_of_a_2d_loop_and_of_serial_code():
    """Stacks indexed by the lane of a 2-d ``qd.ndrange`` with a nonzero start (bounds from a shape and a kernel-level
    local), and by the one lane of a serialized loop; the loop body branches on the iteration."""
    _reinit(ad_stack_experimental_enabled=True)
    x = qd.ndarray(qd.f32, (3, 4), needs_grad=True)
    loss = qd.ndarray(qd.f32, (), needs_grad=True)

    @qd.kernel
    def grid(x: qd.types.ndarray(), loss: qd.types.ndarray()):
        n = x.shape[1]
        for i, j in qd.ndrange((1, x.shape[0]), (0, n)):
            v = x[i, j]
            for t in range(n):
                if t % 2 == 0:
                    v = qd.sin(v) * 1.1 + 0.05 * j
                else:
                    v = v * v * 0.5 + 0.1
            loss[None] += v * (i + 1)

    @qd.kernel
    def serial(x: qd.types.ndarray(), loss: qd.types.ndarray()):
        qd.loop_config(serialize=True)
        for i in range(x.shape[0]):
            v = x[i, 0]
            for _t in range(5):
                v = qd.cos(v) + v * 0.3
            loss[None] += v

    x.from_numpy(np.linspace(0.1, 0.9, 12, dtype=np.float32).reshape(3, 4))
    ok, grads = True, {}
    for name, kernel in (("grid", grid), ("serial", serial)):

        def forward(kernel=kernel):
            loss.fill(0.0)
            kernel(x, loss)

        x.grad.fill(0.0)
        forward()
        loss.grad.fill(1.0)
        kernel.grad(x, loss)
        grads[name] = x.grad.to_numpy()
        ok = ok and _agrees(grads[name], _central_differences(forward, x, loss))
    return {"fd_ok": ok, **grads}


@case(section="autodiff", golden={"fd_ok": True}, tol="reduction")
def data_dependent_loop_bounds_are_measured():
    """A trip count read from a field is not known before the launch: a sizing launch measures the largest one, and
    the stack is that deep."""
    _reinit(ad_stack_experimental_enabled=True)
    x = qd.field(qd.f32, shape=3, needs_grad=True)
    m = qd.field(qd.i32, shape=3)
    loss = qd.field(qd.f32, shape=(), needs_grad=True)

    @qd.kernel
    def k():
        for i in x:
            v = x[i]
            for _j in range(m[i]):
                v = qd.cos(v) * v + 0.2
            loss[None] += v

    x.from_numpy(np.array([0.4, 0.8, -0.5], np.float32))
    m.from_numpy(np.array([1, 3, 6], np.int32))

    def forward():
        loss[None] = 0.0
        k()

    with qd.ad.Tape(loss=loss):
        k()
    return {"fd_ok": _agrees(x.grad.to_numpy(), _central_differences(forward, x, loss)), "grad": x.grad.to_numpy()}


def _sum_of_sines(n_iter: int):
    """Upstream's overflow kernel: ``y += sin(v); v += 1`` for ``n_iter`` iterations of one lane."""
    x = qd.field(qd.f32, shape=1, needs_grad=True)
    y = qd.field(qd.f32, shape=(), needs_grad=True)

    @qd.kernel
    def compute():
        for i in x:
            v = x[i]
            for _ in range(n_iter):
                y[None] += qd.sin(v)
                v = v + 1.0

    x[0] = 0.1
    compute()
    y.grad[None] = 1.0
    return compute, x


@case(section="autodiff", raises=(AssertionError, "Adstack overflow"))
def adstack_overflow_raises():
    """``ad_stack_size=32`` and a 64-iteration loop: the push past the capacity is upstream's error (a
    ``QuadrantsAssertionError``)."""
    _reinit(ad_stack_experimental_enabled=True, ad_stack_size=32)
    compute, _ = _sum_of_sines(64)
    compute.grad()
    qd.sync()


@case(section="autodiff", golden={"ok": True}, tol="reduction")
def adstack_size_large_enough():
    _reinit(ad_stack_experimental_enabled=True, ad_stack_size=1024)
    compute, x = _sum_of_sines(64)
    compute.grad()
    expected = sum(math.cos(0.1 + k) for k in range(64))
    return {"ok": abs(x.grad[0] - expected) < 1e-3 * 64, "grad": np.float32(x.grad[0])}


@case(section="autodiff", raises=(qd.QuadrantsCompilationError, "Cannot use non static range in Backwards mode"))
def run_time_range_in_a_loop_needs_the_adstack_option():
    """Upstream's default (``ad_stack_experimental_enabled=False``) refuses to reverse a run-time ``range`` loop
    nested in a loop; ``qd.static(range(...))`` (unrolled) is accepted."""
    x = qd.field(qd.f32, shape=2, needs_grad=True)
    y = qd.field(qd.f32, shape=(), needs_grad=True)

    @qd.kernel
    def unrolled():
        for i in x:
            v = x[i]
            for _ in qd.static(range(3)):
                v = v * 0.95 + 0.01
            y[None] += v

    @qd.kernel
    def run_time():
        for i in x:
            v = x[i]
            for _ in range(3):
                v = v * 0.95 + 0.01
            y[None] += v

    unrolled.grad()
    run_time.grad()


# ------------------------------------------------------------------------------------- kernel-level reductions


@case(section="autodiff", golden={"fd_ok": True, "loss": 1.4}, tol="reduction")
def reduction_into_a_kernel_level_local():
    n = 8
    x = qd.field(qd.f32, shape=n, needs_grad=True)
    loss = qd.field(qd.f32, shape=(), needs_grad=True)

    @qd.kernel
    def sum_of_squares():
        s = 0.0
        for i in range(n):
            s += x[i] * x[i]
        loss[None] = s

    x.from_numpy((0.1 * np.arange(n)).astype(np.float32))
    with qd.ad.Tape(loss=loss):
        sum_of_squares()
    grad = x.grad.to_numpy()
    ok = _agrees(grad, _central_differences(sum_of_squares, x, loss))
    return {"fd_ok": ok, "grad": grad, "loss": round(float(loss[None]), 2)}


@case(section="autodiff", golden={"fd_ok": True}, tol="reduction")
def reductions_read_nonlinearly_by_later_code():
    """``s -= sin(x)`` and ``c += 1`` in one loop, ``t`` defined from ``s`` afterwards, a second loop reading both:
    the adjoint recomputes the reductions before reversing the tasks that read them."""
    n = 6
    x = qd.ndarray(qd.f32, n, needs_grad=True)
    loss = qd.ndarray(qd.f32, (), needs_grad=True)

    @qd.kernel
    def k(x: qd.types.ndarray(), loss: qd.types.ndarray()):
        s = 0.0
        c = 0
        for i in x:
            s -= qd.sin(x[i])
            c += 1
        t = s * 2.0
        for i in x:
            loss[None] += x[i] * t + s * s / c

    x.from_numpy(np.array([0.3, -0.2, 0.9, 1.4, -0.7, 0.05], np.float32))

    def forward():
        loss.fill(0.0)
        k(x, loss)

    forward()
    loss.grad.fill(1.0)
    k.grad(x, loss)
    grad = x.grad.to_numpy()
    return {"fd_ok": _agrees(grad, _central_differences(forward, x, loss)), "grad": grad}


@case(section="autodiff", raises=(qd.QuadrantsCompilationError, "supports only '+=' / '-=' reductions"))
def max_reduction_into_a_kernel_level_local_is_refused():
    x = qd.field(qd.f32, shape=4, needs_grad=True)
    loss = qd.field(qd.f32, shape=(), needs_grad=True)

    @qd.kernel
    def k():
        m = -1e9
        for i in x:
            qd.atomic_max(m, x[i])
        loss[None] = m

    k()
    k.grad()
