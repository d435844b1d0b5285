"""``kernel.grad(...)``: launching the adjoint of a kernel, and the recorder that ``qd.ad.Tape`` listens to.

The adjoint of a specialization is built from its compiled program by :func:`quadrants.passes.autodiff.make_adjoint`,
run through the default passes and compiled by the session's backend like any kernel; it is cached per forward
specialization and per set of arguments that have a gradient (docs/autodiff.md). Its launch values are the forward
launch values followed by the storage of each gradient companion (``.grad`` of an ndarray or a field).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from quadrants.errors import (
    API_ERRORS,
    QuadrantsCompilationError,
    QuadrantsRuntimeError,
    at_call_site,
    caller_loc,
    with_loc,
)
from quadrants.ir import nodes as ir
from quadrants.runtime.args import bind_arguments
from quadrants.runtime.graph import RunState, run_items
from quadrants.runtime.members import resolve_path
from quadrants.runtime.state import current_session

__all__ = ["AdjointKernel", "RECORDER", "grad_companion"]


class _Recorder:
    """Where kernel launches are reported while a ``qd.ad.Tape`` is recording (one tape at a time, as upstream).

    ``suspended`` counts the enclosing ``qd.ad.grad_replaced`` / ``no_grad`` functions: their kernels are not
    recorded (the function itself is)."""

    __slots__ = ("suspended", "tape")

    def __init__(self):
        self.tape = None
        self.suspended = 0

    def record(self, fn, args: tuple, kwargs: dict) -> None:
        if self.tape is not None and not self.suspended:
            self.tape.insert(fn, args, kwargs)


RECORDER = _Recorder()


def grad_companion(host):
    """The gradient companion of a kernel argument's host object (an ndarray or a field), or ``None``."""
    grad = getattr(host, "grad", None) if getattr(host, "_is_quadrants_ndarray", False) else None
    if grad is None:
        return None
    if getattr(grad, "_is_quadrants_field", False) and not grad._qd_placed:
        return None  # a field whose gradient was never placed: it gets no gradient (upstream: "no adjoint")
    return grad


@dataclass
class _Adjoint:
    forward: Any  # the forward Compiled it was built from (identity check: ids of dead objects are reused)
    program: ir.Program
    exe: Any
    flat: bool


class AdjointKernel:
    """``kernel.grad``: called with the forward kernel's arguments, it runs the adjoint of that launch."""

    __slots__ = ("instance", "kernel")

    def __init__(self, kernel, instance=None):
        self.kernel, self.instance = kernel, instance

    def __call__(self, *args, **kwargs):
        if self.instance is not None:
            args = (self.instance, *args)
        session = current_session()
        try:
            return self._launch(session, args, kwargs)
        except (QuadrantsCompilationError, QuadrantsRuntimeError) as exc:
            with_loc(exc, caller_loc())
            if session.env.full_traceback:
                raise
            raise exc.with_traceback(None) from None
        except API_ERRORS as exc:
            located = at_call_site(exc)
            if located is exc or session.env.full_traceback:
                raise
            raise located.with_traceback(None) from None

    def _launch(self, session, args: tuple, kwargs: dict) -> None:
        k = self.kernel
        if k.graph:
            raise QuadrantsCompilationError(
                f"reverse-mode autodiff does not support graph kernels (@qd.kernel(graph=True) '{k.fn.__name__}')"
            )
        params = k._session_params(session)
        values = args if not kwargs and len(args) == len(params) else bind_arguments(params, args, kwargs)
        bound = [p.convert(v, session) for p, v in zip(params, values)]
        key = k._key(bound) if k._has_structs else tuple(b.key for b in bound)
        compiled = k._specs.get(key) or k._specialize(session, bound, key)
        if compiled.params_only:
            forward_values = [b.value for b in bound if b.spec is not None]
        else:
            forward_values = k._source_values(session, compiled, bound, [])
        program = compiled.program
        grads, grad_values = [], []
        for index, source in enumerate(compiled.arg_sources):
            spec = program.args[index]
            if not (isinstance(spec, ir.NdarrayArg) and spec.dtype.is_float):
                continue
            grad = grad_companion(_host(source, values, bound))
            if grad is not None:
                grads.append(index)
                grad_values.append(grad.storage())
        adjoint = self._adjoint(session, compiled, tuple(grads))
        launch_values = forward_values + grad_values
        if adjoint.flat:
            adjoint.exe.launch(launch_values)
        else:
            ctx = adjoint.exe.begin(launch_values)
            run_items(adjoint.exe, ctx, adjoint.program.items, RunState())
            adjoint.exe.end(ctx)

    def _adjoint(self, session, compiled, grads: tuple[int, ...]) -> _Adjoint:
        """The compiled adjoint of one forward specialization and gradient set (built once)."""
        cache = self.kernel.__dict__.setdefault("_adjoints", {})
        entry = cache.get((id(compiled), grads))
        if entry is not None and entry.forward is compiled:
            return entry
        from quadrants.ir.printer import format_program
        from quadrants.passes import DEFAULT_PASSES, run_pipeline
        from quadrants.passes.autodiff import make_adjoint

        program = make_adjoint(compiled.program, grads)
        verify = session.env.verify_ir or session.options.debug
        program = run_pipeline(program, DEFAULT_PASSES, verify=verify, dump=session.env.dump_ir or None)
        exe = session.backend.load(session.backend.compile(program, session.options))
        session.compiled.append((program.name, format_program(program)))
        flat = hasattr(exe, "launch") and all(isinstance(i, (ir.ParallelFor, ir.SerialBlock)) for i in program.items)
        entry = cache[(id(compiled), grads)] = _Adjoint(compiled, program, exe, flat)
        return entry


def _host(source: tuple, values, bound) -> Any:
    """The host object behind one flat argument (see ``CompileCtx.arg_sources``), or ``None``."""
    kind = source[0]
    if kind == "param":
        return values[source[1]]
    if kind == "field":
        return source[1]
    if kind == "member":
        try:
            return resolve_path(bound[source[1]].value, source[2])
        except (AttributeError, KeyError, IndexError, TypeError):
            return None
    return None
