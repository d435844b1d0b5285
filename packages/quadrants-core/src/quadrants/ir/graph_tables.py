"""Per-specialization graph tables (docs/semantics.md §16–§17): what the host runner, ``resume`` and introspection read.

The frontend fills them while lowering; a fastcache hit rebuilds them from the cache entry without importing the
frontend. They sit in the IR layer because the frontend, fastcache and runtime all read them.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["GraphDoWhileLevel", "CheckpointRecord", "GraphInfo"]


@dataclass(frozen=True)
class GraphDoWhileLevel:
    """One ``qd.graph.do_while`` level of a compiled specialization (docs/semantics.md §16.3)."""

    cond_arg_name: str
    parent_id: int
    cond_cpp_arg_id: int
    checkpoint_id: int


@dataclass
class CheckpointRecord:
    label: object  # the user's label object, or None for an implicit checkpoint
    yield_on_name: str | None
    yield_on_arg: int


@dataclass
class GraphInfo:
    """Per-specialization graph tables (introspection, resume)."""

    levels: list
    checkpoints: list
    alias_warned: bool = False

    @property
    def labels(self) -> list:
        return [c.label for c in self.checkpoints]

    def resume_point(self, label, kernel_name: str) -> int:
        """The internal id of the explicit checkpoint whose label ``== label`` (docs/semantics.md §17.8 errors)."""
        if not self.checkpoints:
            raise RuntimeError(
                "`from_checkpoint=` is only valid for kernels that contain at least one "
                "qd.checkpoint(yield_on=...) block"
            )
        explicit = [c.label for c in self.checkpoints if c.label is not None]
        for cp_id, c in enumerate(self.checkpoints):
            if c.label is not None and c.label == label:
                return cp_id
        raise RuntimeError(
            f"from_checkpoint={label!r} does not match any qd.checkpoint(cp_id=...) in kernel '{kernel_name}'. "
            f"Available cp_id labels (source-declaration order): {explicit!r}"
        )
