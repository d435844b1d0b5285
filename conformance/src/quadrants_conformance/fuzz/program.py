"""The generated program as a small tree (expressions, statements, arrays), rendered to a self-contained source file.

The tree exists so that a failing program can be *shrunk* (:mod:`quadrants_conformance.fuzz.shrink`): statements are
removed and expressions replaced by their operands or by zero, and the result is rendered again. The source text is
what runs: kernels need a real file (the frontend reads their source), so every program is written to a ``.py`` file
and imported.

A rendered program defines ``run()`` (build the inputs, call the kernel, return ``{name: array, "ret": value}``) and,
as ``__main__``, runs itself on ``ref`` and on the backend named on the command line and prints both results.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field, replace

import numpy as np

from quadrants_conformance.fuzz.types import NP_NAMES

__all__ = ["Expr", "Line", "Block", "Array", "Func", "Program", "zero_literal", "render"]


@dataclass(frozen=True)
class Expr:
    """``fmt`` with ``{0}``, ``{1}``, … filled by the rendered ``kids``; ``dtype`` is the expression's type."""

    fmt: str
    dtype: str
    kids: tuple[Expr, ...] = ()

    def render(self) -> str:
        return self.fmt.format(*(k.render() for k in self.kids)) if self.kids else self.fmt

    def size(self) -> int:
        return 1 + sum(k.size() for k in self.kids)


def zero_literal(dtype: str) -> Expr:
    """A literal 0 of ``dtype`` (the smallest replacement the shrinker tries)."""
    if dtype == "u1":
        return Expr("False", "u1")
    if dtype == "i32":
        return Expr("0", "i32")
    if dtype == "f32":
        return Expr("0.0", "f32")
    return Expr(f"qd.cast(0, qd.{dtype})", dtype)


@dataclass(frozen=True)
class Line:
    """A simple statement: ``fmt`` filled with the rendered ``exprs`` (``o[i] = {0}``, ``v3 = {0}``)."""

    fmt: str
    exprs: tuple[Expr, ...] = ()
    removable: bool = True  # False for statements later code depends on structurally (a while counter)

    def render(self, indent: int) -> list[str]:
        return [" " * indent + self.fmt.format(*(e.render() for e in self.exprs))]


@dataclass(frozen=True)
class Block:
    """A compound statement: ``header`` (filled with ``exprs``), ``body``, and optionally an ``else`` body."""

    header: str
    body: tuple = ()
    exprs: tuple[Expr, ...] = ()
    orelse: tuple | None = None
    prefix: tuple = ()  # statements that must stay right before the header (``qd.loop_config``, a loop counter)
    removable: bool = True

    def render(self, indent: int) -> list[str]:
        pad = " " * indent
        out: list[str] = []
        for p in self.prefix:
            out.extend(p.render(indent))
        out.append(pad + self.header.format(*(e.render() for e in self.exprs)))
        out.extend(_render_body(self.body, indent + 4))
        if self.orelse is not None:
            out.append(pad + "else:")
            out.extend(_render_body(self.orelse, indent + 4))
        return out


def _render_body(stmts, indent: int) -> list[str]:
    lines = [line for s in stmts for line in s.render(indent)]
    return lines or [" " * indent + "pass"]


@dataclass(frozen=True)
class Array:
    """A kernel ndarray argument and its seeded initial contents."""

    name: str
    dtype: str
    shape: tuple[int, ...]
    data: bytes

    def annotation(self) -> str:
        return f"qd.types.ndarray(dtype=qd.{self.dtype}, ndim={len(self.shape)})"

    def initial(self) -> np.ndarray:
        return np.frombuffer(self.data, dtype=NP_NAMES[self.dtype]).reshape(self.shape).copy()


@dataclass(frozen=True)
class Func:
    """A ``@qd.func`` with annotated scalar parameters and a body that ends in ``return``."""

    name: str
    params: tuple[tuple[str, str], ...]
    body: tuple
    result: Expr

    def render(self, indent: int) -> list[str]:
        pad = " " * indent
        params = ", ".join(f"{p}: qd.{t}" for p, t in self.params)
        out = [pad + "@qd.func", pad + f"def {self.name}({params}):"]
        out.extend(line for s in self.body for line in s.render(indent + 4))
        out.append(pad + f"    return {self.result.render()}")
        return out


@dataclass(frozen=True)
class Program:
    """One generated test program: arrays, scalar arguments, funcs, the kernel body and an optional return."""

    arrays: tuple[Array, ...]
    scalars: tuple[tuple[str, str, object], ...]  # (name, dtype, value)
    funcs: tuple[Func, ...]
    body: tuple
    ret: Expr | None = None
    tol: str = "exact"
    features: frozenset[str] = field(default_factory=frozenset)  # what the program uses, for reports

    def with_body(self, body) -> Program:
        return replace(self, body=tuple(body))


def _hex(data: bytes) -> str:
    text = data.hex()
    return "\n".join(textwrap.wrap(text, 96)) if len(text) > 96 else text


def render(prog: Program, header: str = "") -> str:
    """The complete source file of ``prog``."""
    lines = ['"""Generated by quadrants_conformance.fuzz.' + (f" {header}" if header else "") + '"""', ""]
    lines += ["import sys", "", "import numpy as np", "", "import quadrants as qd", ""]
    lines.append(f"TOL = {prog.tol!r}")
    lines += ["", ""]
    lines.append("def _array(hex_text, dtype, shape):")
    lines.append("    return np.frombuffer(bytes.fromhex(hex_text), dtype=dtype).reshape(shape).copy()")
    lines += ["", ""]
    lines.append("def run():")
    lines.append(
        '    """Build the inputs, run the kernel on the current backend, return every array and the result."""'
    )
    for f in prog.funcs:
        lines.extend(f.render(4))
        lines.append("")
    params = [f"{a.name}: {a.annotation()}" for a in prog.arrays]
    params += [f"{n}: qd.{t}" for n, t, _ in prog.scalars]
    ret = f" -> qd.{prog.ret.dtype}" if prog.ret is not None else ""
    lines.append("    @qd.kernel")
    lines.append(f"    def kern({', '.join(params)}){ret}:")
    lines.extend(_render_body(prog.body, 8) if prog.body or prog.ret is None else [])
    if prog.ret is not None:
        lines.append(f"        return {prog.ret.render()}")
    lines.append("")
    for a in prog.arrays:
        hex_text = _hex(a.data)
        if "\n" in hex_text:
            joined = "\n".join(f'        "{chunk}"' for chunk in hex_text.split("\n"))
            lines.append(f"    {a.name} = _array(\n{joined},\n        {NP_NAMES[a.dtype]!r}, {a.shape!r})")
        else:
            lines.append(f"    {a.name} = _array({hex_text!r}, {NP_NAMES[a.dtype]!r}, {a.shape!r})")
    call_args = [a.name for a in prog.arrays] + [repr(v) for _, _, v in prog.scalars]
    if prog.ret is not None:
        # compared in the declared return type: an f32 result is within its tolerance in f32 ulps, not f64 ulps
        lines.append(f"    ret = np.{NP_NAMES[prog.ret.dtype]}(kern({', '.join(call_args)}))")
    else:
        lines.append(f"    ret = kern({', '.join(call_args)})")
    out = ", ".join(f"{a.name!r}: {a.name}" for a in prog.arrays)
    lines.append(f'    return {{{out}, "ret": ret}}')
    lines += ["", ""]
    lines.append('if __name__ == "__main__":')
    lines.append("    np.set_printoptions(threshold=10_000)")
    lines.append('    for arch in ("ref", sys.argv[1] if len(sys.argv) > 1 else "llvm-cpu"):')
    lines.append("        qd.init(arch=arch)")
    lines.append("        result = run()")
    lines.append('        print(f"--- {arch}")')
    lines.append("        for key, value in result.items():")
    lines.append('            print(f"{key} = {value!r}")')
    return "\n".join(lines) + "\n"
