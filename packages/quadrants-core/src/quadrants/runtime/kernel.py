"""``@qd.kernel`` and ``@qd.func``: decorator objects, specialization table and the launch path.

A :class:`Kernel` compiles nothing at decoration. A call binds the arguments (:mod:`quadrants.runtime.args`),
builds the specialization key, compiles on a miss (frontend → passes → ``backend.compile`` → ``backend.load``) and
then drives the compiled item tree with the graph runner. A repeated launch skips what cannot have changed: the
conversion of arguments that are the very objects of the previous launch (:mod:`quadrants.runtime.arg_memo`) and the
member walk of compound arguments whose read members are the same objects as at the latest walk
(:mod:`quadrants.runtime.member_memo`).
"""

from __future__ import annotations

import inspect
import threading
import warnings
from dataclasses import dataclass
from typing import Any

from quadrants.errors import (
    API_ERRORS,
    QuadrantsCompilationError,
    QuadrantsRuntimeError,
    QuadrantsSyntaxError,
    at_call_site,
    caller_loc,
    with_loc,
)
from quadrants.frontend.funcdef import Func, SourceBacked
from quadrants.frontend.param_kinds import check_parameter_kinds
from quadrants.ir import nodes as ir
from quadrants.ir.dtypes import DataType
from quadrants.runtime import collector
from quadrants.runtime.arg_memo import ArgMemo
from quadrants.runtime.args import (
    Bound,
    DataclassParam,
    NdarrayParam,
    ScalarParam,
    TemplateParam,
    TensorParam,
    bind_arguments,
    check_read_only,
    make_params,
    shape_returns,
)
from quadrants.runtime.autodiff import RECORDER, AdjointKernel, launch_dual
from quadrants.runtime.deep_compile import is_depth_failure, run_with_deep_stack
from quadrants.runtime.frozen_structs import FrozenMemo, is_deeply_frozen
from quadrants.runtime.graph import RunState, run_program
from quadrants.runtime.graph_status import GraphStatus
from quadrants.runtime.member_memo import MemberMemo
from quadrants.runtime.members import member_key, source_value
from quadrants.runtime.profiler import TaskTimer, records_of, task_names, timed
from quadrants.runtime.state import Session, current_session, materialize, sync
from quadrants.runtime.streams import AUTODIFF_STREAM_ERROR, launch_scope

__all__ = ["Kernel", "Func", "kernel", "func", "Compiled", "assemble_compiled"]

# parameter kinds whose converted argument may be reused for the same argument object (runtime/arg_memo.py)
_REUSABLE_PARAMS = (ScalarParam, TemplateParam, DataclassParam, NdarrayParam, TensorParam)


@dataclass
class Compiled:
    """One specialization: the program and the backend executable (plus template values kept alive)."""

    program: ir.Program
    exe: Any
    keepalive: tuple = ()
    flat: bool = False  # no graph nodes and the executable offers launch(): one call per kernel launch
    return_layout: tuple = ()
    simple_returns: bool = True  # scalar returns only: no reshaping on the way out
    arg_sources: tuple = ()  # where each flat argument comes from (see CompileCtx.arg_sources)
    params_only: bool = True  # every flat argument is a parameter: the fast path
    graph: Any = None  # frontend.graph.GraphInfo: do_while levels and checkpoint tables
    ir_text: str = ""  # the printed program (what fastcache stores with it): kernel._last_compiled_kernel_data


class Kernel(SourceBacked):
    """A ``@qd.kernel``: a Python-callable entry point compiled lazily per specialization."""

    _is_quadrants_kernel = True

    def __init__(self, fn, *, fastcache: bool = False, graph: bool = False, checkpoints: bool = False):
        super().__init__(fn)
        if checkpoints and not graph:
            raise QuadrantsSyntaxError("@qd.kernel(checkpoints=True) requires graph=True", caller_loc())
        self.fastcache, self.graph, self.checkpoints = fastcache, graph, checkpoints
        self.signature = inspect.signature(fn)
        check_parameter_kinds(fn, self.signature, is_kernel=True)
        self.check_annotation_names()
        self.param_names = tuple(self.signature.parameters)
        self._primal = self
        self._session_generation = -1
        self._params: list | None = None
        self._specs: dict[tuple, Compiled] = {}
        self._stable_cache: dict[tuple, tuple] = {}  # stable_members=True: base key -> bindings
        self._frozen = FrozenMemo()  # key components and member values of deeply frozen arguments
        self._member_reads: dict[tuple, dict] = {}  # (param index, class) -> {path: what}
        self._member_memo = MemberMemo(self._member_reads)  # launches whose read members did not change
        self.compile_count = 0
        self._compile_lock = threading.RLock()  # one compile per new specialization key (see _specialize)

    @property
    def grad(self) -> AdjointKernel:
        """The adjoint kernel: ``f.grad(*args)`` takes ``f``'s arguments and accumulates into the ``.grad``
        companions of its ndarrays and fields (docs/autodiff.md)."""
        return AdjointKernel(self)

    # ------------------------------------------------------------------------------------------ descriptors
    def __get__(self, instance, owner):
        if instance is None:
            return self
        if not getattr(type(instance), "_qd_data_oriented", False):
            raise QuadrantsSyntaxError(
                f"Please decorate class {type(instance).__name__} with @qd.data_oriented to use its @qd.kernel "
                f"method '{self.fn.__name__}'",
                caller_loc(),
            )
        return BoundKernel(self, instance)

    # -------------------------------------------------------------------------------------------------- call
    def __call__(self, *args, **kwargs):
        return self._call(args, kwargs, None)

    def resume(self, *args, from_checkpoint=None, **kwargs):
        """Run again from the explicit checkpoint labelled ``from_checkpoint`` (docs/semantics.md §17.4)."""
        if not self.checkpoints:
            raise QuadrantsSyntaxError("Unexpected argument '_qd_from_checkpoint'", caller_loc())
        if not isinstance(from_checkpoint, int):
            raise at_call_site(
                RuntimeError(
                    "from_checkpoint= must be an int or IntEnum value: the label of a qd.checkpoint(...) of kernel "
                    f"'{self.fn.__name__}', usually `status.checkpoint` of the GraphStatus the last launch returned; "
                    f"got {from_checkpoint!r}"
                )
            )
        return self._call(args, kwargs, from_checkpoint)

    def _call(self, args, kwargs, resume_label):
        stream = None
        if "qd_stream" in kwargs:  # the launch goes to that stream where the backend has streams (runtime/streams.py)
            kwargs = dict(kwargs)
            stream = kwargs.pop("qd_stream")
            if stream is not None:
                _check_stream_launch(self)
        if RECORDER.tape is not None:  # inside qd.ad.Tape: the launch is replayed backwards on exit
            RECORDER.record(self, args, kwargs)
        session = current_session()
        try:
            if RECORDER.forward_mode is not None:  # inside qd.ad.FwdMode: the dual program runs instead
                return launch_dual(self, args, kwargs)
            if stream is not None:
                with launch_scope(session, stream):
                    return self._launch(session, args, kwargs, resume_label)
            return self._launch(session, args, kwargs, resume_label)
        except (QuadrantsCompilationError, QuadrantsRuntimeError) as exc:
            with_loc(exc, caller_loc())  # errors without a kernel line point at the user's call
            if session.env.full_traceback:
                raise
            raise exc.with_traceback(None) from None
        except API_ERRORS as exc:  # argument checks (wrong dtype, ndim, ...): the same class, at the user's call
            located_exc = at_call_site(exc)
            if located_exc is exc or session.env.full_traceback:
                raise
            raise located_exc.with_traceback(None) from None

    def _session_params(self, session: Session) -> list:
        if self._session_generation != session.generation:
            self._specs.clear()
            self._stable_cache.clear()
            self._frozen.clear()
            self._member_reads.clear()
            self._member_memo.clear()
            self._params = make_params(self.fn.__name__, self.resolved_signature(), session)
            # compound arguments (templates, dataclasses) extend the key by their read members
            self._has_structs = any(not isinstance(p, (ScalarParam, NdarrayParam)) for p in self._params)
            # NumPy arrays (directly or as members) are copied back after a launch
            self._may_sync = any(not isinstance(p, ScalarParam) for p in self._params)
            # the parameters whose own argument may be a NumPy array or a host copy of a torch tensor
            self._sync_positions = tuple(
                i for i, p in enumerate(self._params) if isinstance(p, (NdarrayParam, TensorParam))
            )
            self._arg_memo = ArgMemo(all(isinstance(p, _REUSABLE_PARAMS) for p in self._params))
            self._session_generation = session.generation
        return self._params

    def _convert_args(self, session: Session, params, args: tuple, kwargs: dict):
        """``(bound, memo key)`` of a launch's arguments through the arg memo (runtime/arg_memo.py): the very objects
        of the latest launch reuse all their conversions; positional arguments of which only some changed (a time
        step's ``t``) convert those alone. Shared by the forward launch and the derived ones (runtime/autodiff.py)."""
        last = self._arg_memo.get(args, kwargs)
        if last is not None:
            return last
        positional = not kwargs and len(args) == len(params)
        prior = self._arg_memo.prior(len(args)) if positional else None
        if prior is not None:  # some arguments are the objects of the latest launch: their conversions hold
            objects, done = prior
            bound = [d if v is o else p.convert(v, session) for p, v, o, d in zip(params, args, objects, done)]
        else:
            values = args if positional else bind_arguments(params, args, kwargs)
            bound = [p.convert(v, session) for p, v in zip(params, values)]
        memo_key = self._member_memo.entry_key(bound) if self._has_structs else None
        self._arg_memo.put(args, kwargs, bound, memo_key)
        return bound, memo_key

    def _launch(self, session: Session, args: tuple, kwargs: dict, resume_label=None):
        # the per-call path: keep it short (docs/benchmarks.md); everything else is prepared per specialization
        params = self._params if self._session_generation == session.generation else self._session_params(session)
        bound, memo_key = self._convert_args(session, params, args, kwargs)
        syncs: list = []
        if self._has_structs:
            # the same argument objects with the same read members: the latest full walk holds (runtime/member_memo.py)
            hit = self._member_memo.lookup(memo_key, bound, session)
            if hit is not None:
                self._specialization_found = True
                return self._run(session, hit[0], hit[1], bound, syncs, resume_label)
            stable = self._stable_members(bound)
            if stable is not None:
                compiled, runtime_values = self._stable_launch(session, bound, stable)
                return self._run(session, compiled, runtime_values, bound, syncs, resume_label)
        key = self._key(bound) if self._has_structs else tuple([b.key for b in bound])
        compiled = self._specs.get(key)
        self._specialization_found = compiled is not None  # kernel.launch_observations
        if compiled is None:
            compiled = self._specialize(session, bound, key)
        if compiled.params_only:
            runtime_values = [b.value for b in bound if b.spec is not None] if bound else []
        else:
            runtime_values = self._source_values(session, compiled, bound, syncs)
        if self._has_structs and not syncs:
            self._member_memo.store(memo_key, bound, compiled, runtime_values)
        return self._run(session, compiled, runtime_values, bound, syncs, resume_label)

    def _source_values(self, session: Session, compiled: Compiled, bound: list[Bound], syncs: list) -> list:
        """The flat launch values. Those read from deeply frozen arguments are computed at the first launch of a
        specialization with those objects and reused (only the other sources are read again)."""
        specs = compiled.program.args
        frozen = tuple(i for i, b in enumerate(bound) if b.struct and is_deeply_frozen(b.value))
        if not frozen:
            return [source_value(src, bound, session, specs[k], syncs) for k, src in enumerate(compiled.arg_sources)]
        objects = tuple(bound[i].value for i in frozen)
        entry = self._frozen.get(objects[0], ("values", id(compiled)))
        if entry is not None and all(a is b for a, b in zip(entry[0], objects)):
            values = list(entry[1])
            for k in entry[2]:
                values[k] = source_value(compiled.arg_sources[k], bound, session, specs[k], syncs)
            return values
        values, reread = [], []
        for k, src in enumerate(compiled.arg_sources):
            pending = len(syncs)
            values.append(source_value(src, bound, session, specs[k], syncs))
            # a NumPy member is copied back after each launch, so it is read again like any other source
            if src[0] != "member" or src[1] not in frozen or len(syncs) != pending:
                reread.append(k)
        self._frozen.put(objects[0], ("values", id(compiled)), (objects, tuple(values), tuple(reread)))
        return values

    def _specialize(self, session: Session, bound: list[Bound], key: tuple) -> Compiled:
        """A key missed the table: compile (or load) it once, however many threads ask for it at the same time."""
        with self._compile_lock:
            compiled = self._specs.get(key)  # another thread may have compiled it while this one waited
            if compiled is None:
                materialize()  # upstream materializes before compiling a kernel (state.materialize)
                try:
                    compiled = self._compile_or_load(session, bound)
                except Exception as exc:
                    if not is_depth_failure(exc):
                        raise
                    # nested deeper than the default recursion limit allows: the same compile with room to recurse
                    compiled = run_with_deep_stack(lambda: self._compile_or_load(session, bound))
                if any(b.read_only for b in bound):
                    check_read_only(self.fn.__name__, compiled.program, compiled.arg_sources, bound, self._params)
                self._specs[self._key(bound)] = compiled  # with the member paths this compile discovered
                self._member_memo.clear()  # its entries check the member paths known before this compile
        return compiled

    # ---------------------------------------------------------------------------------- stable_members=True
    def _stable_members(self, bound: list[Bound]):
        """The base key when every compound argument promises stable members (``stable_members=True``) or is a
        frozen dataclass whose members cannot change (runtime/frozen_structs.py; keyed by identity, since its key
        names only its class)."""
        if not any(b.struct for b in bound):
            return None
        key = []
        for b in bound:
            if not b.struct or getattr(type(b.value), "_qd_stable_members", False):
                key.append(b.key)
            elif is_deeply_frozen(b.value):
                key.append((b.key, id(b.value)))  # the cache entry keeps the object alive: the id stays its own
            else:
                return None
        return tuple(key)

    def _stable_launch(self, session: Session, bound: list[Bound], base_key: tuple):
        """Reuse the key and member bindings computed at an instance's first launch (the user promised them)."""
        entry = self._stable_cache.get(base_key)
        self._specialization_found = entry is not None
        if entry is None:
            key = self._key(bound)
            compiled = self._specs.get(key) or self._specialize(session, bound, key)
            specs = compiled.program.args
            fixed = [
                None if src[0] == "param" else source_value(src, bound, session, specs[k], [])
                for k, src in enumerate(compiled.arg_sources)
            ]
            params = [src[1] if src[0] == "param" else -1 for src in compiled.arg_sources]
            entry = (compiled, fixed, params, tuple(b.value for b in bound if b.struct))  # keeps objects alive
            self._stable_cache[base_key] = entry
        compiled, fixed, params, _ = entry
        values = [fixed[k] if p < 0 else bound[p].value for k, p in enumerate(params)]
        return compiled, values

    def _run(self, session: Session, compiled: Compiled, runtime_values: list, bound, syncs, resume_label):
        """Launch a compiled specialization (timed under ``qd.init(kernel_profiler=True)``)."""
        if session.extra.get("kernel_profiler"):
            run, name = self._run_launch, self.fn.__name__
            timer = TaskTimer(compiled.exe, task_names(name, compiled.program), records_of(session), sync)
            args = (session, compiled, runtime_values, bound, syncs, resume_label, timer)
            return timed(session, name, lambda: run(*args))
        return self._run_launch(session, compiled, runtime_values, bound, syncs, resume_label)

    def _run_launch(
        self, session: Session, compiled: Compiled, runtime_values: list, bound, syncs, resume_label, timer=None
    ):
        """Launch a compiled specialization and shape its result (``timer``: the profiler's per-task view of the
        executable, which walks the tasks one by one)."""
        exe = compiled.exe
        self._last = compiled
        state = None
        if resume_label is not None:
            state = RunState(resume_point=compiled.graph.resume_point(resume_label, self.fn.__name__))
        if compiled.flat and state is None and timer is None:
            results = exe.launch(runtime_values)  # the backend runs the whole task list itself
        else:
            state = state or RunState()
            results = run_program(timer or exe, runtime_values, compiled.program.items, state)
        session.last_launch = (compiled, state)  # introspection of "the last call" (qd.lang.impl's program handle)
        if self._may_sync:
            for i in self._sync_positions:
                b = bound[i]
                if b.numpy_array is not None:
                    session.backend.sync_back(b.value, b.numpy_array)
                if b.after is not None:
                    b.after()
            for wrapped, array in syncs:
                session.backend.sync_back(wrapped, array)
        if self.checkpoints:
            if state is None or state.yield_signal == -1:
                return GraphStatus(False, None)
            return GraphStatus(True, compiled.graph.checkpoints[state.yield_signal].label)
        if compiled.simple_returns:
            if not results:
                return None
            return results[0] if len(results) == 1 else tuple(results)
        return shape_returns(compiled.return_layout, results)

    def _key(self, bound: list[Bound]) -> tuple:
        """Specialization key: per-parameter components, plus the read members of compound arguments."""
        key = tuple(b.key for b in bound)
        if not any(b.struct for b in bound):
            return key
        extra = tuple(self._member_key(i, b.value) for i, b in enumerate(bound) if b.struct)
        return key + extra

    def _member_key(self, position: int, obj) -> tuple:
        """``member_key`` of one compound argument; for a deeply frozen one, computed once per object and set of
        read paths (compiles only add paths)."""
        reads = self._member_reads.get((position, type(obj)), {})
        if not is_deeply_frozen(obj):
            return member_key(obj, reads)
        memo_key = ("key", position, len(reads))
        component = self._frozen.get(obj, memo_key)
        if component is None:
            component = member_key(obj, reads)
            self._frozen.put(obj, memo_key, component)
        return component

    # ------------------------------------------------------------------------------------- graph introspection
    def _graph_tables(self):
        last = getattr(self, "_last", None)
        return last.graph if last is not None else None

    @property
    def checkpoint_user_labels_by_cp_id(self) -> list:
        g = self._graph_tables()
        return [c.label for c in g.checkpoints] if g else []

    @property
    def checkpoint_yield_on_args(self) -> list:
        g = self._graph_tables()
        return [c.yield_on_name for c in g.checkpoints] if g else []

    @property
    def checkpoint_yield_on_cpp_arg_ids(self) -> list:
        g = self._graph_tables()
        return [c.yield_on_arg for c in g.checkpoints] if g else []

    @property
    def graph_do_while_levels(self) -> list:
        g = self._graph_tables()
        return list(g.levels) if g else []

    @property
    def graph_do_while_arg(self) -> str | None:
        """Upstream's single-level name: the condition argument of the outermost do_while (``None`` without one)."""
        levels = self.graph_do_while_levels
        return levels[0].cond_arg_name if levels else None

    @property
    def used_member_paths(self) -> dict:
        """``{(parameter name, class): {path: what was read}}`` over every compile so far (pruning, for tests)."""
        return {(self.param_names[i], cls): dict(reads) for (i, cls), reads in self._member_reads.items()}

    # ---------------------------------------------------------------------- fastcache (issue 7): begin
    def _compile_or_load(self, session: Session, bound: list[Bound]) -> Compiled:
        """A new specialization: from fastcache when it applies and hits, else compiled (docs/semantics.md §18)."""
        from quadrants.fastcache.lookup import compile_or_load

        with collector.paused():  # a large kernel's IR objects would set off full collections of the whole heap
            return compile_or_load(self, session, bound)

    @property
    def src_ll_cache_observations(self):
        """The four fastcache flags of this kernel in the current session (docs/semantics.md §18.5)."""
        from quadrants.fastcache.observations import observations_of
        from quadrants.runtime.state import RUNTIME

        return observations_of(self, RUNTIME.session)

    @src_ll_cache_observations.setter
    def src_ll_cache_observations(self, value) -> None:
        """Replace the flags (tests reset them between calls: ``k._primal.src_ll_cache_observations = ...()``)."""
        from quadrants.fastcache.observations import replace_observations
        from quadrants.runtime.state import RUNTIME

        replace_observations(self, RUNTIME.session, value)

    @property
    def _last_compiled_kernel_data(self):
        """The specialization the latest launch ran (compiled or loaded from fastcache), as upstream's private
        handle: ``._debug_dump_to_string()`` is its printed program; ``None`` before the first launch."""
        from quadrants.fastcache.observations import CompiledKernelData

        last = getattr(self, "_last", None)
        return CompiledKernelData(last.program.name, last.ir_text) if last is not None else None

    # ------------------------------------------------------------------------ fastcache (issue 7): end

    @property
    def launch_observations(self):
        """Whether the latest launch found its specialization already compiled (no frontend, no fastcache lookup)."""
        from quadrants.runtime.launch_stats import LaunchObservations

        return LaunchObservations(getattr(self, "_specialization_found", False))

    @property
    def launch_stats(self):
        """Flat arguments of this kernel's latest launch, by kind (:mod:`quadrants.runtime.launch_stats`)."""
        from quadrants.runtime.launch_stats import launch_stats_of

        last = getattr(self, "_last", None)
        if last is None:
            return launch_stats_of(None)
        return launch_stats_of(last.program, getattr(last.exe, "last_runner", ""), last.arg_sources)

    def _compile(self, session: Session, bound: list[Bound], built: dict | None = None) -> Compiled:
        """Frontend, passes, backend compile and load; ``built`` receives what fastcache stores."""
        from quadrants.frontend.kernel import build_program
        from quadrants.ir.printer import format_program
        from quadrants.passes import DEFAULT_PASSES, run_pipeline

        ctx, program = build_program(self, session, bound, self.fn.__name__)
        if self.fastcache:  # docs/semantics.md §18.2: the kernel and every func it reached
            from quadrants.fastcache.purity import check_purity

            check_purity(self.fn.__qualname__, ctx.global_reads, session.warned_sites)
        for param, reads in ctx.member_reads.items():
            self._member_reads.setdefault((param, type(bound[param].value)), {}).update(reads)
        verify = session.env.verify_ir or session.options.debug
        timings: dict[str, float] = {}
        program = run_pipeline(
            program, DEFAULT_PASSES, verify=verify, dump=session.env.dump_ir or None, timings=timings
        )
        if "compile" in session.env.log:
            total = sum(timings.values()) * 1e3
            detail = ", ".join(f"{k} {v * 1e3:.2f} ms" for k, v in timings.items())
            warnings.warn(f"[compile] {self.fn.__name__}: passes {total:.2f} ms ({detail})", stacklevel=4)
        backend = session.backend
        artifact = backend.compile(program, session.options)
        exe = backend.load(artifact)
        ir_text = format_program(program)
        self.compile_count += 1
        from quadrants.frontend.returns import parse_returns

        layout = parse_returns(self.return_annotation, session)
        if built is not None:
            built.update(ctx=ctx, program=program, artifact=artifact, layout=layout, ir_text=ir_text)
        return assemble_compiled(session, bound, program, exe, layout, tuple(ctx.arg_sources), ctx.graph, ir_text)

    @staticmethod
    def assemble_compiled(session: Session, bound: list, program, exe, layout, sources, graph, ir_text) -> Compiled:
        """The hook fastcache calls on a hit (it sits below the runtime and cannot import it)."""
        return assemble_compiled(session, bound, program, exe, layout, sources, graph, ir_text)


def assemble_compiled(session: Session, bound: list, program, exe, layout, sources, graph, ir_text) -> Compiled:
    """The launcher's view of a specialization (shared by a compile and a fastcache hit)."""
    session.compiled.append((program.name, ir_text))
    keep = tuple(b.value for b in bound if b.spec is None)
    flat = hasattr(exe, "launch") and all(isinstance(i, (ir.ParallelFor, ir.SerialBlock)) for i in program.items)
    simple = all(isinstance(t, DataType) for t in layout)  # no vector/matrix/struct to reshape
    params_only = all(src[0] == "param" for src in sources)
    return Compiled(program, exe, keep, flat, layout, simple, sources, params_only, graph, ir_text)


def _check_stream_launch(kernel: Kernel) -> None:
    """``qd_stream=`` where upstream refuses it: graph kernels and autodiff (a RuntimeError at the call)."""
    if kernel.graph:
        raise at_call_site(RuntimeError("qd_stream is not compatible with graph=True kernels."))
    if RECORDER.forward_mode is not None:
        raise at_call_site(RuntimeError(AUTODIFF_STREAM_ERROR))
    if RECORDER.tape is not None:
        raise at_call_site(
            RuntimeError(
                "qd_stream is not compatible with autograd Tape. Launch the kernel outside the Tape context, or "
                "omit qd_stream."
            )
        )


class BoundKernel:
    """``obj.kernel`` for a data_oriented instance: calls and resumes with ``obj`` as ``self``."""

    __slots__ = ("instance", "kernel")

    def __init__(self, kernel: Kernel, instance):
        self.kernel, self.instance = kernel, instance

    def __call__(self, *args, **kwargs):
        return self.kernel._call((self.instance, *args), kwargs, None)

    def resume(self, *args, from_checkpoint=None, **kwargs):
        """See :meth:`Kernel.resume`."""
        return self.kernel.resume(self.instance, *args, from_checkpoint=from_checkpoint, **kwargs)

    @property
    def _primal(self) -> Kernel:
        return self.kernel

    @property
    def grad(self) -> AdjointKernel:
        """See :attr:`Kernel.grad`."""
        return AdjointKernel(self.kernel, self.instance)


def kernel(fn=None, *, fastcache: bool = False, graph: bool = False, checkpoints: bool = False, pure=None):
    """Decorate a kernel: ``@qd.kernel`` or ``@qd.kernel(fastcache=..., graph=..., checkpoints=...)``."""
    if pure is not None:
        warnings.warn("@qd.kernel(pure=...) is deprecated; use fastcache=...", DeprecationWarning, stacklevel=2)
        fastcache = fastcache or bool(pure)

    def wrap(f):
        return Kernel(f, fastcache=fastcache, graph=graph, checkpoints=checkpoints)

    return wrap(fn) if fn is not None else wrap


def func(fn=None, *, requires_top_level: bool = False):
    """Decorate a function inlined into kernels: ``@qd.func`` or ``@qd.func(requires_top_level=True)``."""

    def wrap(f):
        return Func(f, requires_top_level=requires_top_level)

    return wrap(fn) if fn is not None else wrap


def pure(fn):
    """Deprecated synonym of ``@qd.kernel(fastcache=True)`` applied to a kernel."""
    warnings.warn("@qd.pure is deprecated; use @qd.kernel(fastcache=True)", DeprecationWarning, stacklevel=2)
    if isinstance(fn, Kernel):
        fn.fastcache = True
        return fn
    return kernel(fn, fastcache=True)
