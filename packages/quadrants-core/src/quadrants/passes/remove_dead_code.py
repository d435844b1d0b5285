"""Dead-code removal on structured IR.

* statements after a ``Break`` or ``Continue`` in the same block never run;
* an ``If`` on a ``Const`` condition is replaced by the branch it takes (spliced into the enclosing block; the
  branch's declarations are unique program-wide, so widening their scope is harmless), and an ``If`` with two empty
  branches is dropped (expressions are pure);
* an empty ``SerialBlock`` and a ``ParallelFor`` with an empty body do nothing (bounds are pure) and are dropped.

Graph nodes (``DoWhile``, ``Checkpoint``) are kept even when empty: they carry host-visible behaviour.
"""

from __future__ import annotations

from quadrants.ir.nodes import Break, Const, Continue, If, Item, ParallelFor, Program, SerialBlock, Stmt
from quadrants.ir.rewrite import map_blocks, map_item_blocks

__all__ = ["remove_dead_code"]


def _simplify_block(stmts: tuple[Stmt, ...]) -> tuple[Stmt, ...]:
    out: list[Stmt] = []
    for s in stmts:
        if isinstance(s, If) and isinstance(s.cond, Const):
            out.extend(s.then if s.cond.value else s.orelse)
        elif isinstance(s, If) and not s.then and not s.orelse:
            continue
        else:
            out.append(s)
    for i, s in enumerate(out):
        if isinstance(s, (Break, Continue)):
            del out[i + 1 :]
            break
    return tuple(out)


def _drop_empty_tasks(items: tuple[Item, ...]) -> tuple[Item, ...]:
    return tuple(it for it in items if not (isinstance(it, (SerialBlock, ParallelFor)) and not it.body))


def remove_dead_code(program: Program) -> Program:
    """Return ``program`` without statements and tasks that can never have an effect."""
    return map_item_blocks(map_blocks(program, _simplify_block), _drop_empty_tasks)
