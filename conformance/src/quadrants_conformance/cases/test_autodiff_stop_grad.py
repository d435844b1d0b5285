"""``qd.stop_grad(x)`` (docs/autodiff.md): no derivative flows through the reads of field ``x`` in the block that
holds the call (kernel body, loop body, branch), nested blocks and reads before the call included.

A stopped read behaves as a read of a constant copy of ``x``. Each case checks the gradient (or dual) against central
differences of a *frozen* forward kernel, the same kernel with the stopped reads taken from a copy ``c`` of ``x``
that the differences do not move (``fd_ok``), and returns the gradients, which the parity run compares with
upstream 1.3.3.
"""

import numpy as np

import quadrants as qd
from quadrants_conformance import case

H = 1e-2
RTOL = ATOL = 2e-2
N = 4
X0 = np.array([0.3, -0.6, 0.9, 1.2], np.float32)


def _frozen_differences(forward, x, loss) -> np.ndarray:
    """d loss / d x by central differences; ``forward()`` recomputes ``loss`` (its stopped reads use a copy)."""
    base = x.to_numpy()
    out = np.zeros(base.shape, np.float64)
    for index in np.ndindex(base.shape):
        values = []
        for sign in (1.0, -1.0):
            moved = base.copy()
            moved[index] += np.float32(sign * H)
            x.from_numpy(moved)
            loss[None] = 0.0
            forward()
            values.append(float(loss[None]))
        out[index] = (values[0] - values[1]) / (2 * H)
    x.from_numpy(base)
    return out


def _with_adstack():
    """``qd.init`` again on the backend under test with ``ad_stack_experimental_enabled=True`` (a run-time range loop
    inside a loop is differentiated only with it, as upstream)."""
    try:
        from quadrants.runtime.state import current_session

        arch = current_session().backend_id
    except ImportError:  # upstream 1.3.3 in the parity run: its qd.cpu
        arch = qd.lang.impl.current_cfg().arch
    qd.init(arch=arch, ad_stack_experimental_enabled=True)


def _fields(n=N):
    x = qd.field(qd.f32, shape=n, needs_grad=True)
    c = qd.field(qd.f32, shape=n)  # the frozen copy of x
    loss = qd.field(qd.f32, shape=(), needs_grad=True)
    x.from_numpy(X0[:n])
    c.from_numpy(X0[:n])
    return x, c, loss


def _check(kernel, frozen, x, loss) -> dict:
    with qd.ad.Tape(loss=loss):
        kernel()
    grad = x.grad.to_numpy()
    value = np.float32(loss[None])  # an f32 sum: compared with the f32 reduction tolerance
    ok = bool(np.allclose(grad, _frozen_differences(frozen, x, loss), rtol=RTOL, atol=ATOL))
    return {"fd_ok": ok, "grad": grad, "loss": value}


@case(section="autodiff", golden={"fd_ok": True, "grad": [0.0, 2.0, 4.0, 6.0]}, tol="reduction")
def stop_grad_in_one_of_two_loops():
    """Upstream's own test: the same sum of squares in two loops, the first stopped: x.grad is 2x, not 4x."""
    x, c, loss = _fields()
    x.from_numpy(np.arange(N, dtype=np.float32))
    c.from_numpy(np.arange(N, dtype=np.float32))

    @qd.kernel
    def twice():
        for i in range(N):
            qd.stop_grad(x)
            loss[None] += x[i] ** 2
        for i in range(N):
            loss[None] += x[i] ** 2

    @qd.kernel
    def frozen():
        for i in range(N):
            loss[None] += c[i] ** 2
        for i in range(N):
            loss[None] += x[i] ** 2

    return _check(twice, frozen, x, loss)


@case(section="autodiff", golden={"fd_ok": True}, tol="reduction")
def stop_grad_covers_its_branch_only_reads_before_the_call_included():
    x, c, loss = _fields()
    y = qd.field(qd.f32, shape=N, needs_grad=True)
    y.from_numpy(np.array([0.5, 1.5, -1.0, 2.0], np.float32))

    @qd.kernel
    def branchy():
        for i in range(N):
            if i % 2 == 0:
                loss[None] += qd.sin(x[i]) * y[i]  # read before the call: stopped as well
                qd.stop_grad(x)
                loss[None] += x[i] * x[i]
            else:
                loss[None] += qd.exp(x[i]) * y[i]
            loss[None] += 0.5 * x[i] * x[i] * x[i]

    @qd.kernel
    def frozen():
        for i in range(N):
            if i % 2 == 0:
                loss[None] += qd.sin(c[i]) * y[i]
                loss[None] += c[i] * c[i]
            else:
                loss[None] += qd.exp(x[i]) * y[i]
            loss[None] += 0.5 * x[i] * x[i] * x[i]

    out = _check(branchy, frozen, x, loss)
    out["y_grad"] = y.grad.to_numpy()  # y is not stopped: sin(x[i]) or exp(x[i])
    return out


@case(section="autodiff", golden={"fd_ok": True}, tol="reduction")
def stop_grad_in_an_inner_loop_with_carried_state():
    """The call in a serial loop's body stops the reads in that body only; the loop carries ``v`` (the adstack)."""
    _with_adstack()
    x, c, loss = _fields()

    @qd.kernel
    def power():
        for i in range(N):
            v = qd.cos(x[i])
            for _ in range(3):  # a run-time loop (not qd.static, which is no block of its own)
                v = v * x[i] + 0.25
                qd.stop_grad(x)
            loss[None] += v

    @qd.kernel
    def frozen_power():
        for i in range(N):
            v = qd.cos(x[i])
            for _ in range(3):
                v = v * c[i] + 0.25
            loss[None] += v

    return _check(power, frozen_power, x, loss)


@case(section="autodiff", golden={"fd_ok": True}, tol="reduction")
def stop_grad_at_kernel_level_covers_every_task():
    """At kernel level the call stops the reads of every loop, the ones before it too."""
    x, c, loss = _fields()
    y = qd.field(qd.f32, shape=N, needs_grad=True)
    y.from_numpy(np.array([0.5, 1.5, -1.0, 2.0], np.float32))

    @qd.kernel
    def tasks():
        for i in range(N):
            loss[None] += x[i] * x[i] * y[i]
        qd.stop_grad(x)
        for i in range(N):
            loss[None] += qd.sin(x[i]) + y[i] * y[i]

    @qd.kernel
    def frozen():
        for i in range(N):
            loss[None] += c[i] * c[i] * y[i]
        for i in range(N):
            loss[None] += qd.sin(c[i]) + y[i] * y[i]

    out = _check(tasks, frozen, x, loss)
    out["y_grad"] = y.grad.to_numpy()  # x * x + 2 * y: y is not stopped
    return out


@case(section="autodiff", golden={"fd_ok": True}, tol="reduction")
def stop_grad_in_a_func_marks_the_callers_block():
    """A ``@qd.func`` is inlined into the calling block: its call stops the caller's reads of the field too, and
    a template parameter names the field it is bound to."""
    x, c, loss = _fields()

    @qd.func
    def stopped_square(f: qd.template(), i):
        qd.stop_grad(f)
        return f[i] * f[i]

    @qd.kernel
    def caller():
        for i in range(N):
            loss[None] += x[i] * 5.0 + stopped_square(x, i)
        for i in range(N):
            loss[None] += x[i] * x[i] * x[i]

    @qd.kernel
    def frozen():
        for i in range(N):
            loss[None] += c[i] * 5.0 + c[i] * c[i]
        for i in range(N):
            loss[None] += x[i] * x[i] * x[i]

    return _check(caller, frozen, x, loss)


@case(section="autodiff", golden={"v_grad": [[0.0, 0.0, 1.0]] * 2, "m_grad": [[[0.0, 0.0], [0.0, 0.0]]] * 2})
def stop_grad_of_vector_and_matrix_fields_stops_every_component():
    v = qd.Vector.field(3, qd.f32, shape=2, needs_grad=True)
    m = qd.Matrix.field(2, 2, qd.f32, shape=2, needs_grad=True)
    loss = qd.field(qd.f32, shape=(), needs_grad=True)
    v.fill(2.0)
    m.fill(3.0)

    @qd.kernel
    def k():
        for i in range(2):
            if i >= 0:
                qd.stop_grad(v)
                qd.stop_grad(m)
                loss[None] += v[i][0] * v[i][1] + m[i][0, 1] * m[i][1, 0]
            loss[None] += v[i][2]

    with qd.ad.Tape(loss=loss):
        k()
    return {"v_grad": v.grad.to_numpy(), "m_grad": m.grad.to_numpy()}


@case(section="autodiff", golden={"fd_ok": True, "dual": 7.2}, tol="reduction")
def stop_grad_in_forward_mode_gives_a_zero_dual():
    x = qd.field(qd.f32, shape=N, needs_dual=True)
    c = qd.field(qd.f32, shape=N)
    loss = qd.field(qd.f32, shape=(), needs_dual=True)
    x.from_numpy(X0)
    c.from_numpy(X0)

    @qd.kernel
    def k():
        for i in range(N):
            if i == 0:
                qd.stop_grad(x)
                loss[None] += x[i] ** 2
            loss[None] += x[i] * 3.0 * x[0]

    @qd.kernel
    def frozen():
        for i in range(N):
            if i == 0:
                loss[None] += c[i] ** 2
            loss[None] += x[i] * 3.0 * x[0]

    seed = [1.0, 1.0, 0.0, 0.0]
    with qd.ad.FwdMode(loss=loss, param=x, seed=seed):
        k()
    dual = np.float32(loss.dual[None])
    values = []
    for sign in (1.0, -1.0):
        x.from_numpy(X0 + np.float32(sign * H) * np.array(seed, np.float32))
        loss[None] = 0.0
        frozen()
        values.append(float(loss[None]))
    differences = (values[0] - values[1]) / (2 * H)
    # 3 * sum(x) + 6 * x[0] along the seed: the x[0] ** 2 of the branch adds nothing
    return {"fd_ok": bool(np.isclose(dual, differences, rtol=RTOL, atol=ATOL)), "dual": dual}


@case(section="autodiff", golden={"a_grad": [0.0, 0.0], "b_grad": [0.0, 0.0]})
def stop_grad_of_a_struct_field_stops_every_member():
    """Upstream 1.3.3 stops only the first member's reads (b_grad [3, 3]): a deliberate difference."""
    s = qd.Struct.field({"a": qd.f32, "b": qd.f32}, shape=2, needs_grad=True)
    loss = qd.field(qd.f32, shape=(), needs_grad=True)

    @qd.kernel
    def k():
        for i in range(2):
            qd.stop_grad(s)
            loss[None] += s[i].a * 2.0 + s[i].b * 3.0

    with qd.ad.Tape(loss=loss):
        k()
    return {"a_grad": s.a.grad.to_numpy(), "b_grad": s.b.grad.to_numpy()}


@case(section="autodiff", raises=(qd.QuadrantsCompilationError, ""))
def stop_grad_of_an_ndarray_is_a_compile_error():
    a = qd.ndarray(qd.f32, shape=N, needs_grad=True)
    loss = qd.field(qd.f32, shape=(), needs_grad=True)

    @qd.kernel
    def k(a: qd.types.ndarray()):
        for i in range(N):
            qd.stop_grad(a)
            loss[None] += a[i]

    k(a)


@case(section="autodiff", raises=(qd.QuadrantsRuntimeError, ""))
def stop_grad_in_python_scope_is_an_error():
    x = qd.field(qd.f32, shape=N, needs_grad=True)
    qd.stop_grad(x)
