"""Delta reduction of a failing program over its tree: drop statements, funcs and the return value, inline blocks,
replace expressions by an operand or by zero; keep every change after which the program still fails the same way.

``fails(program) -> bool`` decides; candidates that do not compile on the reference simply do not fail, so the
reduction never needs to know the scoping rules. Greedy, first improvement, restarted after every accepted change,
within a budget of attempts and seconds.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import replace

from quadrants_conformance.fuzz.program import Block, Expr, Line, Program, zero_literal

__all__ = ["shrink", "candidates"]


def _expr_variants(e: Expr) -> Iterator[Expr]:
    zero = zero_literal(e.dtype)
    if e != zero:
        yield zero
    for kid in e.kids:
        if kid.dtype == e.dtype:
            yield kid
    for k, kid in enumerate(e.kids):
        for v in _expr_variants(kid):
            yield replace(e, kids=(*e.kids[:k], v, *e.kids[k + 1 :]))


def _exprs_variants(exprs: tuple[Expr, ...]) -> Iterator[tuple[Expr, ...]]:
    for k, e in enumerate(exprs):
        for v in _expr_variants(e):
            yield (*exprs[:k], v, *exprs[k + 1 :])


def _stmt_variants(s, structural: bool) -> Iterator[tuple]:
    """Replacements for one statement, each a tuple of statements spliced in its place."""
    if isinstance(s, Block):
        if structural:
            yield tuple(s.body)  # inline the body (drops the condition or the loop)
            if s.orelse is not None:
                yield tuple(s.orelse)
                yield (replace(s, orelse=None),)
        for body in _list_variants(s.body, structural):
            yield (replace(s, body=body),)
        if s.orelse is not None:
            for orelse in _list_variants(s.orelse, structural):
                yield (replace(s, orelse=orelse),)
        if not structural:
            for exprs in _exprs_variants(s.exprs):
                yield (replace(s, exprs=exprs),)
    elif isinstance(s, Line) and not structural:
        for exprs in _exprs_variants(s.exprs):
            yield (replace(s, exprs=exprs),)


def _list_variants(stmts: tuple, structural: bool) -> Iterator[tuple]:
    stmts = tuple(stmts)
    if structural:
        for k, s in enumerate(stmts):
            if getattr(s, "removable", True):
                yield stmts[:k] + stmts[k + 1 :]
    for k, s in enumerate(stmts):
        for v in _stmt_variants(s, structural):
            yield stmts[:k] + v + stmts[k + 1 :]


def candidates(prog: Program, structural: bool) -> Iterator[Program]:
    """Smaller programs: statement-level changes when ``structural``, else expression-level ones."""
    if structural:
        if prog.ret is not None:
            yield replace(prog, ret=None)
        for k in range(len(prog.funcs)):
            yield replace(prog, funcs=prog.funcs[:k] + prog.funcs[k + 1 :])
        for k in range(len(prog.scalars)):
            yield replace(prog, scalars=prog.scalars[:k] + prog.scalars[k + 1 :])
    for body in _list_variants(prog.body, structural):
        yield prog.with_body(body)
    if not structural and prog.ret is not None:
        for v in _expr_variants(prog.ret):
            yield replace(prog, ret=v)


def shrink(
    prog: Program, fails: Callable[[Program], bool], max_attempts: int = 400, max_seconds: float = 120.0
) -> tuple[Program, int]:
    """The smallest failing program found and the number of candidates tried."""
    deadline = time.monotonic() + max_seconds
    attempts = 0
    for structural in (True, False, True):
        improved = True
        while improved:
            improved = False
            for cand in candidates(prog, structural):
                if attempts >= max_attempts or time.monotonic() > deadline:
                    return prog, attempts
                attempts += 1
                if fails(cand):
                    prog, improved = cand, True
                    break
    return prog, attempts
