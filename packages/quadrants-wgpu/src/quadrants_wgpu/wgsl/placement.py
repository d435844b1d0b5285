"""Where a task's ndarrays sit among its shader's bindings, when one storage buffer per array does not work.

The normal layout binds each ndarray a task uses as one storage buffer (:mod:`.emit`, binding 3 on). Two adapter
limits can rule that out, and a :class:`BindingPlan` (chosen by :mod:`quadrants_wgpu.runtime.placement`) says what
to do instead, per argument:

* **arena**: a task that uses more ndarrays than ``max-storage-buffers-per-shader-stage`` leaves room for gets
  some of them copied into one *arena* buffer before its dispatch (and the written ones back after it). The arena is
  bound once per WGSL element type its arrays are declared with (a *view*: ``qd_v_f32``, ``qd_v_atomic_u32``, ...),
  so a task with 512 i32 arrays needs one binding for all of them. Each array starts at a 16-byte aligned byte
  offset (:attr:`Placement.arena_offset`, a constant of the shader: the plan is made for the launch's array sizes),
  and element ``i`` is ``view[base + i]`` with ``base`` that offset in the view's elements.
* **chunked**: an ndarray larger than ``max-storage-buffer-binding-size`` (but within ``max-buffer-size``) is bound
  as ``chunks`` consecutive windows of ``2^chunk_log2`` bytes (``qd_a3_c0``, ``qd_a3_c1``, ...). Its accessor and
  atomic functions are emitted once per window, and a dispatcher of the usual name picks the window from the
  element index (a shift and a mask: windows are a power of two bytes).
* **shared** (aliases): one buffer that reaches a task through several arguments, at least one of them written
  (``step(x, x)``, views of one ndarray), is bound once, under its first argument's binding; the others
  read and write that same WGSL variable, declared for all of them (``read_write``, atomic words when any of them
  needs them; :func:`~quadrants_wgpu.wgsl.aliases.share_bindings`). WebGPU refuses one buffer bound read-only and
  writable in one dispatch, and two bindings of one buffer would be distinct variables that the shader compiler
  may assume do not overlap (a lane's store through one would not be seen by its load through the other).

Everything else about the array (element types, packing, atomics on words, the f64/i64 emulations) is unchanged:
the emitters only ask :func:`~quadrants_wgpu.wgsl.packing.cell` for the WGSL reference of a storage word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Placement", "BindingPlan", "view_name", "view_bytes", "chunk_dispatcher"]


@dataclass(frozen=True)
class Placement:
    """How one ndarray argument is reached in one task's shader (see the module docstring)."""

    arena_offset: int | None = None  # its byte offset in the arena (16-byte aligned; None: not in the arena)
    chunks: int = 1  # bindings (windows) the array's buffer is split into
    chunk_log2: int = 0  # log2 of a window's bytes (chunks > 1 only)

    @property
    def in_arena(self) -> bool:
        return self.arena_offset is not None


@dataclass(frozen=True)
class BindingPlan:
    """The non-default placements of one task (hashable: pipelines and variants are cached by it)."""

    arena: tuple[tuple[int, int], ...] = ()  # (arg, byte offset in the arena), in argument order
    chunks: tuple[tuple[int, int, int], ...] = ()  # (arg, windows, log2 of window bytes), in argument order
    aliases: tuple[tuple[int, int], ...] = ()  # (arg, owner): arg's buffer is owner's, bound once under owner

    def owner(self, arg: int) -> int:
        """The argument whose binding holds ``arg``'s storage (``arg`` itself unless it is an alias)."""
        for a, owner in self.aliases:
            if a == arg:
                return owner
        return arg

    def placement(self, arg: int) -> Placement | None:
        for a, offset in self.arena:
            if a == arg:
                return Placement(arena_offset=offset)
        for a, n, log2 in self.chunks:
            if a == arg:
                return Placement(chunks=n, chunk_log2=log2)
        return None

    def __bool__(self) -> bool:
        return bool(self.arena or self.chunks or self.aliases)


def view_name(elem: str) -> str:
    """The WGSL name of the arena binding whose elements are ``elem`` (``atomic<u32>`` -> ``qd_v_atomic_u32``)."""
    return "qd_v_" + re.sub(r"\W+", "_", elem).strip("_")


# bytes per element of an arena view (everything else is 4): the base word offset is scaled to the view's elements
_VIEW_BYTES = {"f16": 2, "vec2<u32>": 8, "i64": 8, "u64": 8, "f64": 8, "atomic<i64>": 8, "atomic<u64>": 8}


def view_bytes(elem: str) -> int:
    """Bytes per element of a storage array of ``elem``."""
    return _VIEW_BYTES.get(elem, 4)


_HEADER = re.compile(r"fn (\w+)\(([^)]*)\)(?: -> (\S+))? \{")


def chunk_dispatcher(functions: list[str], chunks: int, shift: int) -> list[str]:
    """Per-window copies of ``functions`` (accessor or atomic functions of one chunked array, generated for window
    ``c`` each: ``functions[c]``) renamed ``<name>_c<c>``, and the dispatcher under the original name that calls
    the window of element ``i`` (``i >> shift``) with the index inside it."""
    first = _HEADER.match(functions[0])
    if first is None:
        raise ValueError(f"not an emitted function: {functions[0][:60]!r}")
    name, params, ret = first.group(1), first.group(2), first.group(3)
    out = [f.replace(f"fn {name}(", f"fn {name}_c{c}(", 1) for c, f in enumerate(functions)]
    names = [p.split(":")[0].strip() for p in params.split(",")]
    if names[0] != "i":
        raise ValueError(f"{name}: the element index must be the first parameter")
    call_args = ", ".join(["qd_j", *names[1:]])
    lines = [f"  let qd_c = i >> {shift}u;", f"  let qd_j = i & {hex((1 << shift) - 1)}u;"]
    for c in range(chunks):
        call = f"{name}_c{c}({call_args})"
        body = f"return {call};" if ret else f"{call}; return;"
        lines.append(f"  if (qd_c == {c}u) {{ {body} }}" if c < chunks - 1 else f"  {body}")
    head = f"fn {name}({params})" + (f" -> {ret}" if ret else "")
    out.append(head + " {\n" + "\n".join(lines) + "\n}")
    return out
