"""``kernel.grad(...)`` and forward-mode launches: running a derived program of a kernel, and the recorder that
``qd.ad.Tape`` and ``qd.ad.FwdMode`` listen to.

A derived program (the adjoint, :func:`quadrants.passes.autodiff.make_adjoint`; or the dual,
:func:`quadrants.passes.autodiff_forward.make_dual`) is built from the compiled program of a specialization, run
through the default passes and compiled by the session's backend like any kernel; it is cached per forward
specialization and per set of arguments that have a companion (docs/autodiff.md). Its launch values are the forward
launch values followed by the storage of each companion (``.grad`` or ``.dual`` of an ndarray or a field).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from quadrants.errors import (
    API_ERRORS,
    QuadrantsAssertionError,
    QuadrantsCompilationError,
    QuadrantsRuntimeError,
    at_call_site,
    caller_loc,
    with_loc,
)
from quadrants.ir import dtypes, nodes as ir
from quadrants.runtime.args import bind_arguments, shape_returns
from quadrants.runtime.graph import RunState, run_items
from quadrants.runtime.members import resolve_path
from quadrants.runtime.state import current_session
from quadrants.runtime.streams import AUTODIFF_STREAM_ERROR

__all__ = ["AdjointKernel", "RECORDER", "VALIDATION", "grad_companion", "dual_companion", "launch_dual"]


class _Recorder:
    """Where kernel launches are reported while a ``qd.ad.Tape`` is recording (one tape at a time, as upstream).

    ``suspended`` counts the enclosing ``qd.ad.grad_replaced`` / ``no_grad`` functions: their kernels are not
    recorded (the function itself is)."""

    __slots__ = ("forward_mode", "suspended", "tape")

    def __init__(self):
        self.tape = None
        self.suspended = 0
        self.forward_mode = None  # the entered qd.ad.FwdMode: kernels launch their dual programs

    def record(self, fn, args: tuple, kwargs: dict) -> None:
        if self.tape is not None and not self.suspended:
            self.tape.insert(fn, args, kwargs)


RECORDER = _Recorder()


def _companion(host, attr: str):
    value = getattr(host, attr, None) if getattr(host, "_is_quadrants_ndarray", False) else None
    if value is None:
        return None
    if getattr(value, "_is_quadrants_field", False) and not value._qd_placed:
        return None  # a field whose companion was never placed: it takes no part (upstream: "no adjoint")
    return value


def grad_companion(host):
    """The gradient companion of a kernel argument's host object (an ndarray or a field), or ``None``."""
    return _companion(host, "grad")


def dual_companion(host):
    """The dual companion of a kernel argument's host object (a field), or ``None``."""
    return _companion(host, "dual") if getattr(host, "_is_quadrants_field", False) else None


@dataclass
class _Adjoint:
    forward: Any  # the forward Compiled it was built from (identity check: ids of dead objects are reused)
    program: ir.Program
    exe: Any
    flat: bool
    stacks: tuple = ()  # adstack specs of an adjoint (passes/autodiff_stack.py), allocated per launch
    arrays: dict | None = None  # the adstack arrays of the latest launch, by shape (reused while it fits)
    sizing: Any = None  # (program, exe, flat) measuring the trip counts of loops whose bounds are data


class AdjointKernel:
    """``kernel.grad``: called with the forward kernel's arguments, it runs the adjoint of that launch."""

    __slots__ = ("instance", "kernel")

    def __init__(self, kernel, instance=None):
        self.kernel, self.instance = kernel, instance

    def __call__(self, *args, **kwargs):
        if "qd_stream" in kwargs:  # as upstream: accepted as None, a stream is an error (no stream runs an adjoint)
            kwargs = dict(kwargs)
            if kwargs.pop("qd_stream") is not None:
                raise at_call_site(RuntimeError(AUTODIFF_STREAM_ERROR))
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
        _launch_derived(self.kernel, session, args, kwargs, _ADJOINT)


@dataclass(frozen=True)
class _Kind:
    """One kind of derived program: how it is built, which companion it takes, where it is cached."""

    name: str
    build: str  # "module:function" of the pass, imported at the first compile
    companion: Any
    cache: str


_ADJOINT = _Kind("reverse-mode autodiff", "quadrants.passes.autodiff:build_adjoint_plan", grad_companion, "_adjoints")
_DUAL = _Kind("forward-mode autodiff", "quadrants.passes.autodiff_forward:make_dual", dual_companion, "_duals")
_VALIDATE = _Kind(
    "autodiff validation",
    "quadrants.passes.autodiff_validate:make_validating",
    lambda h: checkbit_companion(h),
    "_valid",
)


class _CheckBits:
    """The check bits of one array under a validating tape (passes/autodiff_validate.py): zero when made."""

    __slots__ = ("array",)

    def __init__(self, array):
        self.array = array

    def storage(self):
        return self.array


def checkbit_companion(host):
    """The check bits of a kernel argument's host object under the recording validating tape, made on first use
    (only arrays with a gradient are checked); ``None`` otherwise."""
    tape = RECORDER.tape
    if tape is None or grad_companion(host) is None:
        return None
    found = tape.checkbits.get(id(host))
    if found is None:
        shape = tuple(host.storage().shape)
        found = tape.checkbits[id(host)] = (host, _CheckBits(current_session().backend.allocate(dtypes.i32, shape)))
    return found[1]


VALIDATION = object()  # RECORDER.forward_mode while a qd.ad.Tape(validation=True) records under debug=True


def launch_dual(kernel, args: tuple, kwargs: dict):
    """Launch ``kernel`` as its dual program (inside ``qd.ad.FwdMode``), or as its validating program (inside a
    validating tape, which sets ``RECORDER.forward_mode`` to ``VALIDATION``); returns what the kernel returns."""
    kind = _VALIDATE if RECORDER.forward_mode is VALIDATION else _DUAL
    return _launch_derived(kernel, current_session(), args, kwargs, kind)


def _forward_launch(k, session, args: tuple, kwargs: dict):
    """``(params, compiled, argument values, bound, flat launch values)`` of the forward launch that a derived one
    mirrors, through the forward path's memos (runtime/arg_memo.py, runtime/member_memo.py): a tape replays the
    adjoints of a trajectory with the same argument objects, and the full walk of their members (keys, launch values)
    cost more than the launch itself (diff_chain: 15 of 20 µs per adjoint launch on llvm-cpu)."""
    params = k._params if k._session_generation == session.generation else k._session_params(session)
    bound, memo_key = k._convert_args(session, params, args, kwargs)
    values = args if not kwargs and len(args) == len(params) else bind_arguments(params, args, kwargs)
    if k._has_structs:
        hit = k._member_memo.lookup(memo_key, bound, session)
        if hit is not None:
            return params, hit[0], values, bound, hit[1]
    key = k._key(bound) if k._has_structs else tuple(b.key for b in bound)
    compiled = k._specs.get(key) or k._specialize(session, bound, key)
    if compiled.params_only:
        return params, compiled, values, bound, [b.value for b in bound if b.spec is not None]
    syncs: list = []
    forward_values = k._source_values(session, compiled, bound, syncs)
    if k._has_structs and not syncs:
        k._member_memo.store(memo_key, bound, compiled, forward_values)
    return params, compiled, values, bound, forward_values


def _launch_derived(k, session, args: tuple, kwargs: dict, kind: _Kind):
    if k.graph and kind is _ADJOINT:
        raise QuadrantsCompilationError(
            f"{kind.name} does not support graph kernels (@qd.kernel(graph=True) '{k.fn.__name__}')"
        )
    params, compiled, values, bound, forward_values = _forward_launch(k, session, args, kwargs)
    which, companion_values = [], []
    for index, source in _candidates(k, compiled, params, kind):
        companion = kind.companion(_host(source, values, bound))
        if companion is not None:
            which.append(index)
            companion_values.append(companion.storage())
    derived = _derived(k, session, compiled, tuple(which), kind)
    launch_values = forward_values + companion_values
    if derived.stacks:
        launch_values += _stack_arrays(session, derived, launch_values)
    try:
        if derived.flat:
            results = derived.exe.launch(launch_values)
        else:
            ctx = derived.exe.begin(launch_values)
            run_items(derived.exe, ctx, derived.program.items, RunState())
            results = derived.exe.end(ctx)
    except QuadrantsRuntimeError as exc:
        if "Adstack overflow" not in str(exc) or isinstance(exc, QuadrantsAssertionError):
            raise
        # upstream raises its adstack overflow as an assertion error (QuadrantsAssertionError)
        raise QuadrantsAssertionError(str(exc)) from None
    if kind is _ADJOINT or not results:
        return None
    if compiled.simple_returns:
        return results[0] if len(results) == 1 else tuple(results)
    return shape_returns(compiled.return_layout, results)


def _candidates(k, compiled, params, kind: _Kind) -> tuple:
    """The ``(index, source)`` of the arguments of a specialization that may have a companion (float ndarrays not
    declared ``needs_grad=False``), after the checks that refuse the kernel; computed once per specialization."""
    plans = k.__dict__.setdefault("_derived_plans", {})
    found = plans.get((kind.cache, id(compiled)))
    if found is not None and found[0] is compiled:
        return found[1]
    sources = compiled.arg_sources
    if kind is _ADJOINT and any(src[0] == "companion" for src in sources):
        raise QuadrantsRuntimeError(
            "Cannot automatically differentiate through a grad tensor, if you really want to do that, pass the grad "
            f"tensor into the kernel directly ('{k.fn.__name__}' reads x.grad / x.dual of an ndarray argument)"
        )
    if kind is _ADJOINT and any(src[0] == "random_state" for src in sources):
        from quadrants.passes.autodiff import NotDifferentiableError

        raise NotDifferentiableError(
            f"RandStmt not supported in reverse-mode autodiff: kernel '{k.fn.__name__}' calls qd.random(); draw the "
            "random numbers in a separate kernel and pass them in a field or ndarray"
        )
    out = []
    for index, source in enumerate(sources):
        spec = compiled.program.args[index]
        if not (isinstance(spec, ir.NdarrayArg) and spec.dtype.is_float):
            continue
        if source[0] == "param" and getattr(params[source[1]], "needs_grad", None) is False:
            continue  # qd.types.ndarray(needs_grad=False)
        out.append((index, source))
    plans[(kind.cache, id(compiled))] = (compiled, tuple(out))
    return tuple(out)


def _derived(k, session, compiled, which: tuple[int, ...], kind: _Kind) -> _Adjoint:
    """The compiled derived program of one forward specialization and companion set (built once)."""
    cache = k.__dict__.setdefault(kind.cache, {})
    entry = cache.get((id(compiled), which))
    if entry is not None and entry.forward is compiled:
        return entry
    import importlib

    from quadrants.ir.printer import format_program
    from quadrants.passes import DEFAULT_PASSES, run_pipeline

    module, function = kind.build.split(":")
    stacks = ()
    if kind is _ADJOINT:
        size = int(session.extra.get("ad_stack_size") or 0)
        loops = bool(session.extra.get("ad_stack_experimental_enabled"))
        built = getattr(importlib.import_module(module), function)(compiled.program, which, size, loops)
        program, stacks, sizing = built
    else:
        program, sizing = getattr(importlib.import_module(module), function)(compiled.program, which), None
    verify = session.env.verify_ir or session.options.debug

    def load(program):
        program = run_pipeline(program, DEFAULT_PASSES, verify=verify, dump=session.env.dump_ir or None)
        exe = session.backend.load(session.backend.compile(program, session.options))
        session.compiled.append((program.name, format_program(program)))
        flat = hasattr(exe, "launch") and all(isinstance(i, (ir.ParallelFor, ir.SerialBlock)) for i in program.items)
        return program, exe, flat

    program, exe, flat = load(program)
    entry = _Adjoint(compiled, program, exe, flat, stacks, None, load(sizing) if sizing is not None else None)
    cache[(id(compiled), which)] = entry
    return entry


def _run(exe, flat: bool, program: ir.Program, values: list):
    """Launch a loaded program with its launch values; returns its results."""
    if flat:
        return exe.launch(values)
    ctx = exe.begin(values)
    run_items(exe, ctx, program.items, RunState())
    return exe.end(ctx)


def _measured_trips(session, derived: _Adjoint, values: list) -> list[int]:
    """Run the sizing program of an adjoint: the largest trip count of each loop whose bounds are data."""
    if derived.sizing is None:
        return []
    program, exe, flat = derived.sizing
    trips = session.backend.allocate(dtypes.i32, (_measured_count(derived),))
    _run(exe, flat, program, [*values[: len(program.args) - 1], trips])
    return [int(t) for t in trips.to_numpy()]


def _measured_count(derived: _Adjoint) -> int:
    return 1 + max(spec.measured for spec in derived.stacks if spec.measured is not None)


def _stack_arrays(session, derived: _Adjoint, values: list) -> list:
    """The adstack arrays of one adjoint launch, shaped for its launch values (kept between launches of the same
    shape: a stack's contents never outlive the launch that fills it)."""
    from quadrants.passes.autodiff_stack import stack_shapes

    measured = _measured_trips(session, derived, values)
    shapes = stack_shapes(derived.stacks, values, int(session.extra.get("ad_stack_size") or 0), measured)
    arrays = derived.arrays if derived.arrays is not None and derived.arrays["shapes"] == shapes else None
    if arrays is None:
        storage = [session.backend.allocate(spec.dtype, shape) for spec, shape in zip(derived.stacks, shapes)]
        arrays = derived.arrays = {"shapes": shapes, "storage": storage}
    return list(arrays["storage"])


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
