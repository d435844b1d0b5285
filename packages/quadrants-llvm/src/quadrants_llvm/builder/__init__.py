"""The LLVM IR builder shared by every LLVM target: Quadrants IR (``quadrants.ir.nodes``) → ``llvmlite.ir``.

Modules, one job each: :mod:`~.types` (dtypes → LLVM types, constants, intrinsics), :mod:`~.numerics` (the integer and
float rules of docs/semantics.md §4–§6), :mod:`~.exprs` (the op emitter table keyed by ``Op``), :mod:`~.atomics`,
:mod:`~.stmts` (statement emitters keyed by node type), :mod:`~.layout` (the launch context), :mod:`~.reductions`
and :mod:`~.tasks` (task functions and the launch entry).
"""
