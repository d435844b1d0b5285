"""Fastcache on a specialization-table miss (docs/architecture.md (the path of one kernel call) step 3;
docs/semantics.md §18): look up, else compile and store.

Lookup: L1 key (source + config) → L1 entry (read-path union, function records) → narrow-args hash over those
paths → L2 key → L2 entry → every recorded function's source hash still matches (*validated*) → artifact →
:class:`~quadrants.runtime.kernel.Compiled` without running the frontend (*loaded*).

This layer sits below the runtime: it never imports it, and reaches the kernel and session only through the
objects passed in (``kernel._compile``, ``kernel.assemble_compiled``, ``session.backend``).

Store (after a compile): grow the L1 union with the paths this specialization read, recompute the L2 key over the
union, write the artifact (``offline_cache=True``) and the L2 entry. Every failure on the way is a miss or a skipped
store with a reason on the ``quadrants`` logger; a cache problem never fails a call.
"""

from __future__ import annotations

import time
import warnings

from quadrants.fastcache import log
from quadrants.fastcache.entries import EntryError, L1Entry, L2Entry, parse_l1, parse_l2
from quadrants.fastcache.functions import FunctionRecord, record_of, source_block, validate_records
from quadrants.fastcache.keys import backend_identity, l1_key, l2_key
from quadrants.fastcache.narrow import FastcacheSkip, flat_name, narrow_args_hash, paths_by_param
from quadrants.fastcache.observations import observations_of
from quadrants.fastcache.restore import Payload, label_qualname, pack, restore_label, unpack
from quadrants.fastcache.storage import CacheStore, open_store
from quadrants.version import __version__

__all__ = ["compile_or_load"]


def compile_or_load(kernel, session, bound: list):
    """The :class:`Compiled` of one new specialization: from the cache when possible, else compiled (and stored)."""
    if not kernel.fastcache:
        if session.extra.get("print_non_pure"):
            print(f"[NOT_PURE] Debug information: not pure: {kernel.fn.__qualname__}")
        return kernel._compile(session, bound)
    plan = _Plan.make(kernel, session)
    if plan is None:
        return kernel._compile(session, bound)
    compiled = plan.lookup(bound)
    if compiled is not None:
        return compiled
    built: dict = {}
    t0 = time.perf_counter()
    compiled = kernel._compile(session, bound, built)
    plan.compile_ms = (time.perf_counter() - t0) * 1e3
    try:
        plan.store(bound, built)
    except FastcacheSkip as skip:
        plan.skip(skip)
    except Exception as exc:  # a cache problem must never fail the call
        log.diagnostic(f"[FASTCACHE] could not store {plan.name}: {type(exc).__name__}: {exc}")
    return compiled


# skips that are no misuse, so no [FASTCACHE] record: a field given to a qd.Tensor parameter, which accepts fields by
# design (upstream warns nothing); the call is still not cached (a field is bound by identity)
QUIET_SKIPS = frozenset({"TENSOR_FIELD"})


class _Plan:
    """One fastcache attempt for one call of one kernel."""

    def __init__(self, kernel, session, store: CacheStore, block, l1: str):
        self.kernel, self.session, self.disk, self.l1_key = kernel, session, store, l1
        self.name = kernel.fn.__qualname__
        self.block = block
        self.obs = observations_of(kernel, session)
        self.offline = bool(session.extra.get("offline_cache", True))
        self.l1: L1Entry | None = None
        self.skipped = False
        self.compile_ms = 0.0

    @classmethod
    def make(cls, kernel, session) -> _Plan | None:
        """``None`` (after saying why) when fastcache does not apply to this kernel in this session."""
        if not session.extra.get("src_ll_cache", True):
            log.explain(session, f"{kernel.fn.__qualname__}: off (qd.init(src_ll_cache=False))")
            return None
        root = session.extra.get("offline_cache_file_path") or session.env.cache_dir
        store = open_store(root)
        if store is None:
            return None
        block = source_block(kernel.fn)
        if block is None:
            log.explain(session, f"{kernel.fn.__qualname__}: off (its source cannot be read)")
            return None
        fn = kernel.fn
        key = l1_key(
            session,
            fn.__module__,
            fn.__qualname__,
            block.path,
            block.hash,
            __version__,
            backend_identity(session.backend),
        )
        return cls(kernel, session, store, block, key)

    # ------------------------------------------------------------------------------------------------- lookup
    def lookup(self, bound: list):
        self.l1 = self._valid_l1(bound)
        if self.l1 is None:
            return None
        try:
            key = self._l2_key(bound, self.l1.used_paths)
        except FastcacheSkip as skip:
            self.skip(skip)
            return None
        entry = self._read_l2(key)
        if entry is None:
            return None
        ok, why, blocks = validate_records(entry.functions, _roots(self.kernel, bound))
        if not ok:
            self._explain(f"recompile: {why} since L2 entry {key[:12]} was written")
            return None
        self.obs.cache_validated = True
        if not self.offline:
            self._explain(f"validated L2 {key[:12]}; offline_cache=False: compiling (artifacts are not read)")
            return None
        t0 = time.perf_counter()
        compiled = self._load_artifact(entry, blocks, bound)
        if compiled is not None:
            self.obs.cache_loaded = True
            self._explain(f"hit: loaded L2 {key[:12]} in {(time.perf_counter() - t0) * 1e3:.2f} ms (no compile)")
        return compiled

    def _valid_l1(self, bound: list) -> L1Entry | None:
        try:
            text = self.disk.read_entry(self.l1_key)
            if text is None:
                self._explain(f"miss: no L1 entry {self.l1_key[:12]} for this source and config; compiling")
                return None
            entry = parse_l1(text)
        except (EntryError, ValueError) as exc:
            warnings.warn(f"Failed to parse L1 cache entry {self.l1_key[:12]}: {exc}", UserWarning, stacklevel=5)
            self._explain(f"miss: L1 entry {self.l1_key[:12]} is unreadable ({exc}); compiling")
            return None
        ok, why, _ = validate_records(entry.functions, _roots(self.kernel, bound))
        if not ok:
            self._explain(f"miss: L1 entry {self.l1_key[:12]} is stale ({why}); compiling")
            return None
        return entry

    def _l2_key(self, bound: list, used_paths) -> str:
        params = self.kernel._session_params(self.session)
        narrow = narrow_args_hash(params, bound, paths_by_param(used_paths, self.kernel.param_names))
        key = l2_key(self.l1_key, narrow)
        self.obs.cache_key_generated = True
        return key

    def _read_l2(self, key: str) -> L2Entry | None:
        try:
            text = self.disk.read_entry(key)
            if text is None:
                self._explain(f"miss: no L2 entry {key[:12]} for these argument types/values; compiling")
                return None
            entry = parse_l2(text)
            if entry.l1_key != self.l1_key:
                raise EntryError("it belongs to another L1 key")
            return entry
        except (EntryError, ValueError) as exc:
            warnings.warn(f"Failed to parse L2 cache entry {key[:12]}: {exc}", UserWarning, stacklevel=5)
            self._explain(f"miss: L2 entry {key[:12]} is unreadable ({exc}); compiling")
            return None

    def _load_artifact(self, entry: L2Entry, blocks: dict, bound: list):
        key = entry.artifact_key
        try:
            data = self.disk.read_artifact(key)
            if data is None:
                if entry.artifact_written:
                    warnings.warn(
                        f"Failed to load cache artifact {key[:12]}: the file is missing; recompiling",
                        UserWarning,
                        stacklevel=5,
                    )
                self._explain(f"recompile: artifact {key[:12]} is not on disk")
                return None
            payload = unpack(data, blocks)
            return _assemble(self.kernel, self.session, bound, entry, payload)
        except Exception as exc:  # corrupt, truncated, from an incompatible backend build …
            warnings.warn(
                f"Failed to load cache artifact {key[:12]}: {type(exc).__name__}: {exc}; recompiling",
                UserWarning,
                stacklevel=5,
            )
            self._explain(f"recompile: artifact {key[:12]} is unusable ({type(exc).__name__}: {exc})")
            return None

    # -------------------------------------------------------------------------------------------------- store
    def store(self, bound: list, built: dict) -> None:
        if self.skipped:
            return
        ctx = built["ctx"]
        fields = [src[1] for src in ctx.arg_sources if src[0] == "field"]
        if fields:
            given = self._tensor_fields(bound)
            if all(id(f) in given for f in fields):  # fields given to qd.Tensor parameters: no misuse to report
                raise FastcacheSkip("TENSOR_FIELD", "a qd.Tensor parameter is given a qd.field")
            raise FastcacheSkip("INVALID_FUNC", "the kernel reads a qd.field")
        checkpoints = ctx.graph.checkpoints
        labels = [c.label for c in checkpoints]
        if any(label is not None and not isinstance(label, int) for label in labels):
            raise FastcacheSkip("INVALID_FUNC", "a checkpoint label is not an int")
        records, blocks = self._records(ctx)
        names = self.kernel.param_names
        spec_paths = {flat_name(names[i], path) for i, reads in ctx.member_reads.items() for path in reads}
        l1 = self._fresh_l1(bound)  # read again: another process may have grown the union since the lookup
        union = spec_paths | set(l1.used_paths if l1 else ())
        functions = _merge(l1.functions if l1 else [], records)
        levels = [[lv.cond_arg_name, lv.parent_id, lv.cond_cpp_arg_id, lv.checkpoint_id] for lv in ctx.graph.levels]
        if l1 is None or union != set(l1.used_paths) or functions != l1.functions:
            self.disk.write_entry(self.l1_key, L1Entry(self.name, sorted(union), functions, levels).to_json())
        key = self._l2_key(bound, union)
        written = False
        if self.offline:
            data = pack(_payload(self.session, ctx, built), blocks)
            written = self.disk.write_artifact(key, data)
        else:
            written = self.disk.artifact_path(key).exists()
        entry = L2Entry(
            l1_key=self.l1_key,
            kernel=self.name,
            artifact_key=key,
            artifact_written=written,
            functions=records,
            used_paths=sorted(union),
            levels=levels,
            yield_on_args=[c.yield_on_name for c in checkpoints],
            yield_on_arg_ids=[c.yield_on_arg for c in checkpoints],
            labels=[None if label is None else int(label) for label in labels],
            label_enum_qualnames=[label_qualname(label) for label in labels],
        )
        if self.disk.write_entry(key, entry.to_json()) and (written or not self.offline):
            self.obs.cache_stored = True
            what = "entry and artifact" if self.offline else "entry (offline_cache=False: no artifact)"
            self._explain(f"stored L2 {key[:12]} ({what}) after compiling in {self.compile_ms:.1f} ms")

    def _records(self, ctx) -> tuple[list[FunctionRecord], list]:
        records, blocks = [], []
        for fn in (self.kernel, *ctx.reached_funcs):
            found = record_of(fn)
            if found is None:
                raise FastcacheSkip("INVALID_FUNC", f"the source of {fn.__qualname__} cannot be read")
            records.append(found[0])
            blocks.append(found[1])
        return records, blocks

    def _fresh_l1(self, bound: list) -> L1Entry | None:
        try:
            text = self.disk.read_entry(self.l1_key)
            entry = parse_l1(text) if text is not None else None
        except (EntryError, ValueError):
            return None
        if entry is None or not validate_records(entry.functions, _roots(self.kernel, bound))[0]:
            return None
        return entry

    def _tensor_fields(self, bound: list) -> set[int]:
        """Ids of the fields passed to ``qd.Tensor`` parameters in this call."""
        params = self.kernel.resolved_signature().parameters.values()
        return {
            id(b.value)
            for p, b in zip(params, bound)
            if getattr(p.annotation, "_qd_tensor_annotation", False) and getattr(b.value, "_is_quadrants_field", False)
        }

    def skip(self, skip: FastcacheSkip) -> None:
        """Fastcache is off for this call: say why with the record of docs/semantics.md §18.4."""
        self.skipped = True
        if skip.tag in QUIET_SKIPS:  # not the user's mistake: only QD_LOG=cache says why
            self._explain(f"off for this call: {skip.reason}")
            return
        if skip.tag == "UNKNOWN_TYPE":
            log.unknown_type(skip.value)
        elif skip.tag in ("CACHED_PROPERTY", "PROPERTY_RAISED"):
            log.diagnostic(f"[FASTCACHE][{skip.tag}] {self.name}: {skip.reason}")
        log.invalid_func(self.name, skip.reason)
        self._explain(f"off for this call: {skip.reason}")

    def _explain(self, message: str) -> None:
        log.explain(self.session, f"{self.name}: {message}")


def _roots(kernel, bound: list) -> tuple:
    """Where functions defined in ``<locals>`` scopes can be found again (see ``resolve_function``)."""
    fn = kernel.fn
    cells = []
    for cell in fn.__closure__ or ():
        try:
            cells.append(cell.cell_contents)
        except ValueError:
            continue
    values = [b.value for b in bound]
    return (kernel, *cells, *values, *(type(v) for v in values), *fn.__globals__.values())


def _merge(old: list[FunctionRecord], new: list[FunctionRecord]) -> list[FunctionRecord]:
    by_name = {(r.module, r.qualname): r for r in old}
    for r in new:
        by_name[(r.module, r.qualname)] = r
    return list(by_name.values())


def _payload(session, ctx, built: dict) -> Payload:
    backend = session.backend
    artifact = built["artifact"]
    serialize = getattr(backend, "serialize", None)
    data = serialize(artifact) if callable(serialize) else None
    return Payload(
        program=built["program"],
        artifact=None if data is not None else artifact,
        artifact_bytes=data,
        arg_sources=tuple(ctx.arg_sources),
        return_layout=built["layout"],
        member_reads={i: dict(reads) for i, reads in ctx.member_reads.items()},
        ir_text=built["ir_text"],
    )


def _assemble(kernel, session, bound: list, entry: L2Entry, payload: Payload):
    """The :class:`Compiled` of a cache hit (the launcher tables come from the payload and the entry)."""
    backend = session.backend
    artifact = payload.artifact
    if payload.artifact_bytes is not None:
        artifact = backend.deserialize(payload.artifact_bytes)
    exe = backend.load(artifact)
    graph = _graph_tables(entry) if kernel.graph else None  # not a graph kernel: no tables, no frontend import
    for param, reads in payload.member_reads.items():
        kernel._member_reads.setdefault((param, type(bound[param].value)), {}).update(reads)
    program = payload.program
    return kernel.assemble_compiled(
        session, bound, program, exe, payload.return_layout, payload.arg_sources, graph, payload.ir_text
    )


def _graph_tables(entry: L2Entry):
    """The do_while level and checkpoint tables of a graph kernel, labels restored to their enum members."""
    from quadrants.ir.graph_tables import CheckpointRecord, GraphDoWhileLevel, GraphInfo

    labels = [restore_label(q, v) for q, v in zip(entry.label_enum_qualnames, entry.labels)]
    checkpoints = [
        CheckpointRecord(label, name, arg)
        for label, name, arg in zip(labels, entry.yield_on_args, entry.yield_on_arg_ids)
    ]
    return GraphInfo([GraphDoWhileLevel(*lv) for lv in entry.levels], checkpoints)
