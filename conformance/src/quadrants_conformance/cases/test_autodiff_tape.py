"""Reverse-mode autodiff of whole programs (docs/autodiff.md): ``qd.ad.Tape`` over several kernels, fields and
ndarrays, loops and branches inside a task, custom gradients, and the errors for what cannot be differentiated.

Gradients are checked against central differences of the loss, each computed by launching the forward kernels with
one input element moved by ``±h`` (``fd_ok``, golden); the gradients themselves are compared between backends.
"""

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


def _with_adstack():
    """``qd.init`` again on the backend under test with ``ad_stack_experimental_enabled=True`` (run-time range loops
    inside loops are differentiated only with it, as upstream)."""
    qd.init(arch=current_session().backend_id, ad_stack_experimental_enabled=True)


@case(section="autodiff", golden={"fd_ok": True, "loss": 2.68}, tol="reduction")
def tape_over_two_kernels_of_fields():
    n = 4
    x = qd.field(qd.f32, shape=n, needs_grad=True)
    y = qd.field(qd.f32, shape=n, needs_grad=True)
    loss = qd.field(qd.f32, shape=(), needs_grad=True)

    @qd.kernel
    def step():
        for i in x:
            y[i] = qd.sin(x[i]) * 2.0 + x[i]

    @qd.kernel
    def total():
        for i in y:
            loss[None] += y[i] * y[i]

    x.from_numpy(np.array([0.0, 0.5, -0.25, 0.0], np.float32))

    def forward():
        loss[None] = 0.0
        step()
        total()

    with qd.ad.Tape(loss=loss):
        step()
        total()
    grad = x.grad.to_numpy()
    loss_value = loss[None]
    ok = _agrees(grad, _central_differences(forward, x, loss))
    return {"fd_ok": ok, "grad": grad, "loss": round(float(loss_value), 2)}


@case(section="autodiff", golden={"fd_ok": True, "loss_grad": 1.0}, tol="reduction")
def tape_over_ndarray_kernels():
    a = qd.ndarray(qd.f32, (3, 2), needs_grad=True)
    w = qd.ndarray(qd.f32, 2, needs_grad=True)
    loss = qd.ndarray(qd.f32, (), needs_grad=True)

    @qd.kernel
    def energy(a: qd.types.ndarray(), w: qd.types.ndarray(), loss: qd.types.ndarray()):
        for i, j in a:
            loss[None] += qd.exp(a[i, j] * w[j]) / (1.0 + a[i, j] ** 2)

    a.from_numpy(np.array([[0.1, 0.4], [-0.3, 0.8], [0.5, -0.6]], np.float32))
    w.from_numpy(np.array([0.7, -1.2], np.float32))
    with qd.ad.Tape(loss=loss):
        energy(a, w, loss)

    def forward():
        loss.fill(0.0)
        energy(a, w, loss)

    ok = _agrees(a.grad.to_numpy(), _central_differences(forward, a, loss))
    ok = ok and _agrees(w.grad.to_numpy(), _central_differences(forward, w, loss))
    return {"fd_ok": ok, "a_grad": a.grad.to_numpy(), "w_grad": w.grad.to_numpy(), "loss_grad": loss.grad[None]}


@case(section="autodiff", golden={"fd_ok": True}, tol="reduction")
def serial_loops_inside_the_task_carry_state():
    """A nonlinear recurrence (Horner's rule) in a static-bound and a run-time-bound loop, with a branch."""
    _with_adstack()
    x = qd.field(qd.f32, shape=5, needs_grad=True)
    c = qd.field(qd.f32, shape=3, needs_grad=True)
    loss = qd.field(qd.f32, shape=(), needs_grad=True)

    @qd.kernel
    def horner(n: qd.i32):
        for i in x:
            s = 0.0
            for j in range(3):
                s = s * x[i] + c[j]
            t = 1.0
            for _j in range(n):
                t = qd.sin(t * x[i]) + 0.5
            if s > 1.0:
                s = s * t
            else:
                s = s - t * t
            loss[None] += s

    x.from_numpy(np.array([0.2, -0.7, 0.9, 1.3, 0.45], np.float32))
    c.from_numpy(np.array([0.8, -0.3, 0.6], np.float32))
    with qd.ad.Tape(loss=loss):
        horner(4)

    def forward():
        loss[None] = 0.0
        horner(4)

    ok = _agrees(x.grad.to_numpy(), _central_differences(forward, x, loss))
    ok = ok and _agrees(c.grad.to_numpy(), _central_differences(forward, c, loss))
    return {"fd_ok": ok, "x_grad": x.grad.to_numpy(), "c_grad": c.grad.to_numpy()}


@case(section="autodiff", golden={"fd_ok": True}, tol="reduction")
def nested_loops_and_accumulators():
    _with_adstack()
    m = qd.field(qd.f32, shape=(3, 3), needs_grad=True)
    v = qd.field(qd.f32, shape=3, needs_grad=True)
    loss = qd.field(qd.f32, shape=(), needs_grad=True)

    @qd.kernel
    def quadratic_form():
        for _k in range(1):
            acc = 0.0
            for i in range(3):
                row = 0.0
                for j in range(3):
                    row += m[i, j] * v[j]
                acc += v[i] * qd.tanh(row)
            loss[None] += acc

    m.from_numpy(np.array([[1.0, 0.2, -0.4], [0.3, 0.9, 0.1], [-0.2, 0.5, 1.1]], np.float32))
    v.from_numpy(np.array([0.6, -0.8, 0.4], np.float32))
    with qd.ad.Tape(loss=loss):
        quadratic_form()

    def forward():
        loss[None] = 0.0
        quadratic_form()

    ok = _agrees(m.grad.to_numpy(), _central_differences(forward, m, loss))
    ok = ok and _agrees(v.grad.to_numpy(), _central_differences(forward, v, loss))
    return {"fd_ok": ok, "m_grad": m.grad.to_numpy(), "v_grad": v.grad.to_numpy()}


@case(section="autodiff", golden={"x_grad": [0.0, 2.0, 4.0, 6.0], "placed": True, "lazy": [2.0, 2.0]})
def place_grad_and_lazy_grad():
    x = qd.field(qd.f32)
    y = qd.field(qd.f32)
    total = qd.field(qd.f32)
    qd.root.dense(qd.i, 4).place(x, x.grad)
    qd.root.dense(qd.i, 2).place(y)
    qd.root.place(total)
    qd.root.lazy_grad()  # places y.grad and total.grad beside them

    @qd.kernel
    def compute():
        for i in x:
            total[None] += x[i] * x[i]
        for i in y:
            total[None] += 2.0 * y[i]

    for i in range(4):
        x[i] = float(i)
    compute()
    total.grad[None] = 1.0
    compute.grad()
    return {"x_grad": x.grad.to_numpy(), "placed": y.has_grad(), "lazy": y.grad.to_numpy()}


@case(section="autodiff", golden={"fd_ok": True}, tol="reduction")
def vector_field_norms():
    p = qd.Vector.field(3, qd.f32, shape=4, needs_grad=True)
    loss = qd.field(qd.f32, shape=(), needs_grad=True)

    @qd.kernel
    def lengths():
        for i in p:
            loss[None] += p[i].norm() + 0.5 * p[i].dot(p[i])

    p.from_numpy(np.arange(12, dtype=np.float32).reshape(4, 3) * 0.25 - 1.0)
    with qd.ad.Tape(loss=loss):
        lengths()

    def forward():
        loss[None] = 0.0
        lengths()

    grad = p.grad.to_numpy()
    return {"fd_ok": _agrees(grad, _central_differences(forward, p, loss)), "grad": grad}


@case(section="autodiff", golden={"x_grad": [4.0, 4.0, 4.0], "twice": [2.0, 2.0, 2.0]})
def grad_replaced_and_accumulation():
    x = qd.field(qd.f32, shape=3, needs_grad=True)
    total = qd.field(qd.f32, shape=(), needs_grad=True)

    @qd.kernel
    def accumulate(mul: qd.f32):
        for i in x:
            total[None] += x[i] * mul

    @qd.ad.grad_replaced
    def forward(mul):
        accumulate(mul)
        accumulate(mul)

    @qd.ad.grad_for(forward)
    def backward(mul):
        accumulate.grad(mul)  # deliberately once: the custom gradient is what runs

    with qd.ad.Tape(loss=total):
        forward(4.0)
    custom = x.grad.to_numpy()
    # kernel.grad accumulates into .grad; clear_all_gradients zeroes every gradient field
    qd.ad.clear_all_gradients()
    total.grad[None] = 1.0
    accumulate.grad(1.0)
    accumulate.grad(1.0)
    return {"x_grad": custom, "twice": x.grad.to_numpy()}


@case(section="autodiff", golden={"x_grad": [3.0, 3.0], "frozen": [0.0, 0.0]})
def no_grad_functions_are_skipped():
    x = qd.field(qd.f32, shape=2, needs_grad=True)
    z = qd.field(qd.f32, shape=2, needs_grad=True)
    loss = qd.field(qd.f32, shape=(), needs_grad=True)

    @qd.kernel
    def add_x():
        for i in x:
            loss[None] += 3.0 * x[i]

    @qd.kernel
    def add_z():
        for i in z:
            loss[None] += z[i]

    @qd.ad.no_grad
    def untracked():
        add_z()

    with qd.ad.Tape(loss=loss):
        add_x()
        untracked()
    return {"x_grad": x.grad.to_numpy(), "frozen": z.grad.to_numpy()}


@case(section="autodiff", golden={"grad": [1.5, 1.5, 1.5]})
def data_oriented_kernel_grad():
    @qd.data_oriented
    class Scaled:
        def __init__(self):
            self.x = qd.field(qd.f32, shape=3, needs_grad=True)
            self.loss = qd.field(qd.f32, shape=(), needs_grad=True)

        @qd.kernel
        def run(self, k: qd.f32):
            for i in self.x:
                self.loss[None] += k * self.x[i]

    s = Scaled()
    s.run(1.5)
    s.loss.grad[None] = 1.0
    s.run.grad(1.5)
    return {"grad": s.x.grad.to_numpy()}


@case(section="autodiff", golden={"store": [2.0, 0.0], "store_clears": 0.0})
def store_reads_and_clears_the_output_gradient():
    """``y[i] = 2 x[i]``: the adjoint adds ``2 y.grad[i]`` to ``x.grad[i]`` and then zeroes ``y.grad[i]`` (the
    stored value replaced the old one), as upstream."""
    x = qd.ndarray(qd.f32, 2, needs_grad=True)
    y = qd.ndarray(qd.f32, 2, needs_grad=True)

    @qd.kernel
    def double(x: qd.types.ndarray(), y: qd.types.ndarray()):
        for i in x:
            y[i] = 2.0 * x[i]

    y.grad.from_numpy(np.array([1.0, 0.0], np.float32))
    double.grad(x, y)
    return {"store": x.grad.to_numpy(), "store_clears": float(y.grad.to_numpy().sum())}


# ------------------------------------------------------------------------------------------------------- errors


@case(section="autodiff", raises=(qd.QuadrantsCompilationError, "does not support while loops"))
def while_loop_cannot_be_differentiated():
    x = qd.field(qd.f32, shape=2, needs_grad=True)
    loss = qd.field(qd.f32, shape=(), needs_grad=True)

    @qd.kernel
    def k():
        for i in x:
            j = 0
            while j < 3:
                loss[None] += x[i]
                j += 1

    k.grad()


@case(section="autodiff", raises=(qd.QuadrantsCompilationError, "does not support 'break'"))
def break_cannot_be_differentiated():
    _with_adstack()
    x = qd.field(qd.f32, shape=2, needs_grad=True)
    loss = qd.field(qd.f32, shape=(), needs_grad=True)

    @qd.kernel
    def k():
        for i in x:
            for j in range(4):
                if j > i:
                    break
                loss[None] += x[i]

    k.grad()


@case(section="autodiff", raises=(RuntimeError, "The loss of `Tape` must be a 0-D field"))
def tape_loss_must_be_0d():
    loss = qd.field(qd.f32, shape=2, needs_grad=True)
    with qd.ad.Tape(loss=loss):
        pass


@case(section="autodiff", raises=(RuntimeError, "Gradients of loss are not allocated"))
def tape_loss_needs_a_gradient():
    loss = qd.ndarray(qd.f32, ())
    with qd.ad.Tape(loss=loss):
        pass


@case(section="autodiff", raises=(RuntimeError, "i32 is not supported for field with `needs_grad=True`"))
def integer_fields_have_no_gradient():
    qd.field(qd.i32, shape=2, needs_grad=True)


@case(section="autodiff", raises=(RuntimeError, "must be a **python** function"))
def grad_for_needs_a_python_function():
    @qd.kernel
    def k():
        pass

    @qd.ad.grad_for(k)
    def k_grad():
        pass


@case(section="autodiff", golden={"grad": [3.0, 3.0, 12.0, 8.0, 6.0]})
def serial_code_and_loops_in_one_kernel():
    """Serial statements and a parallel loop in one kernel (upstream refuses this mix): a kernel-level local carries
    its adjoint from the statement that reads it back to the one that computed it."""
    x = qd.field(qd.f32, shape=5, needs_grad=True)
    loss = qd.field(qd.f32, shape=(), needs_grad=True)
    for i in range(5):
        x[i] = float(i)

    @qd.kernel
    def mixed():
        a = x[3] * x[4]
        loss[None] += a * x[2]
        for i in range(2):
            loss[None] += x[i] * 3.0

    with qd.ad.Tape(loss=loss):
        mixed()
    return {"grad": x.grad.to_numpy()}


# -------------------------------------------------------------------------------------------------- forward mode


@case(section="autodiff", golden={"dual": 7.0, "primal": 12.0, "seed_cleared": 0.0})
def fwd_mode_jacobian_vector_product():
    x = qd.field(qd.f32, shape=5)
    loss = qd.field(qd.f32, shape=5)
    qd.root.lazy_dual()
    for i in range(5):
        x[i] = float(i)

    @qd.kernel
    def compute():
        loss[1] += x[3] * x[4]

    with qd.ad.FwdMode(loss=loss, param=x, seed=[0, 0, 0, 1, 1]):
        compute()
    return {"dual": loss.dual[1], "primal": loss[1], "seed_cleared": float(x.dual.to_numpy().sum())}


@case(section="autodiff", golden={"fd_ok": True}, tol="reduction")
def fwd_mode_matches_central_differences():
    x = qd.field(qd.f32, shape=(), needs_dual=True)
    y = qd.field(qd.f32, shape=4, needs_dual=True)

    @qd.kernel
    def chain(n: qd.i32):
        for i in y:
            s = x[None] + 0.1 * i
            for _ in range(n):
                s = qd.sin(s) * x[None] + qd.sqrt(s * s + 1.0)
            if s > 1.5:
                s = qd.log(s)
            y[i] = s

    x[None] = 0.6
    with qd.ad.FwdMode(loss=y, param=x):
        chain(3)
    dual = y.dual.to_numpy()
    values = []
    for sign in (1.0, -1.0):
        x[None] = 0.6 + sign * H
        chain(3)
        values.append(y.to_numpy().astype(np.float64))
    differences = (values[0] - values[1]) / (2 * H)
    return {"fd_ok": _agrees(dual, differences), "dual": dual}


@case(section="autodiff", raises=(RuntimeError, "`seed` is not set for non 0-D field"))
def fwd_mode_needs_a_seed_for_several_parameters():
    x = qd.field(qd.f32, shape=3, needs_dual=True)
    loss = qd.field(qd.f32, shape=(), needs_dual=True)
    with qd.ad.FwdMode(loss=loss, param=x):
        pass


@case(section="autodiff", raises=(RuntimeError, "Cross-iteration read-after-write on the `needs_grad` global field"))
def cross_lane_read_after_write_is_refused():
    """``x[i] = x[i - 1] * 0.5`` in one parallel loop: the adjoint would need another lane's write (upstream raises
    the same RuntimeError)."""
    x = qd.field(qd.f32, shape=4, needs_grad=True)

    @qd.kernel
    def smooth():
        for i in range(1, 4):
            x[i] = x[i - 1] * 0.5

    smooth.grad()


@case(section="autodiff", golden={"grad": [0.5, 0.5, 0.5]})
def disjoint_slices_and_in_place_updates_are_allowed():
    x = qd.field(qd.f32, shape=(2, 3), needs_grad=True)
    loss = qd.field(qd.f32, shape=(), needs_grad=True)

    @qd.kernel
    def step():
        for i in range(3):
            x[1, i] = x[0, i] * 0.5  # another slice of the same field

    @qd.kernel
    def total():
        for i in range(3):
            loss[None] += x[1, i]

    with qd.ad.Tape(loss=loss):
        step()
        total()
    return {"grad": x.grad.to_numpy()[0]}


@case(section="autodiff", golden={"read": 20.0, "frozen": [0.0, 0.0, 0.0], "y_grad": [1.0, 1.0, 1.0]})
def ndarray_grad_in_kernel_code_and_needs_grad_false():
    """``x.grad`` of an ndarray argument is readable in kernel code; ``qd.types.ndarray(needs_grad=False)`` keeps an
    argument out of the gradient."""
    a = qd.ndarray(qd.f32, 10, needs_grad=True)
    b = qd.ndarray(qd.f32, (), needs_grad=True)

    @qd.kernel
    def read_grad(x: qd.types.ndarray(), b: qd.types.ndarray()):
        for i in x:
            b[None] += x.grad[i]

    a.grad.fill(2.0)
    read_grad(a, b)

    @qd.kernel
    def scaled(x: qd.types.ndarray(needs_grad=False), y: qd.types.ndarray(), out: qd.types.ndarray()):
        for i in y:
            out[None] += x[i] * y[i]

    x = qd.ndarray(qd.f32, 3, needs_grad=True)
    y = qd.ndarray(qd.f32, 3, needs_grad=True)
    out = qd.ndarray(qd.f32, (), needs_grad=True)
    x.fill(1.0)
    y.fill(3.0)
    out.grad.fill(1.0)
    scaled.grad(x, y, out)
    return {"read": b[None], "frozen": x.grad.to_numpy(), "y_grad": y.grad.to_numpy()}


@case(section="autodiff", raises=(RuntimeError, "Cannot automatically differentiate through a grad tensor"))
def differentiating_a_kernel_that_reads_a_gradient_is_refused():
    a = qd.ndarray(qd.f32, 4, needs_grad=True)
    b = qd.ndarray(qd.f32, (), needs_grad=True)

    @qd.kernel
    def read_grad(x: qd.types.ndarray(), b: qd.types.ndarray()):
        for i in x:
            b[None] += x.grad[i]

    read_grad.grad(a, b)


@case(section="autodiff", raises=(RuntimeError, "RandStmt not supported"))
def random_numbers_cannot_be_differentiated():
    x = qd.field(qd.f32, shape=(), needs_grad=True)
    loss = qd.field(qd.f32, shape=(), needs_grad=True)

    @qd.kernel
    def noisy():
        loss[None] = x[None] * qd.random()

    with qd.ad.Tape(loss=loss):
        noisy()
