"""docs/semantics.md §18.6: fastcache across processes.

Each case writes a small program to a fresh temp directory and runs it several times, each time in a fresh
subprocess (``sys.executable``) on the backend under test (``QD_ARCH=<backend id>``), with one shared cache
directory. Between runs the case edits the program or the cache exactly as one row of the table says. Each run
prints its observation flags (generated/validated/loaded/stored), its results and the ``quadrants`` log records and
warnings it saw; the case returns them per row, and the golden values are the rows of §18.6.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from quadrants_conformance import case

T, F = True, False
_MARK = "QD-FASTCACHE-OBSERVATION "

_PRELUDE = """\
import dataclasses, enum, json, logging, os, typing, warnings
import numpy as np
import quadrants as qd
from quadrants.lang._fast_caching import FIELD_METADATA_CACHE_VALUE

_records, _warnings = [], []


class _Collect(logging.Handler):
    def emit(self, record):
        _records.append(record.getMessage())


logging.getLogger("quadrants").addHandler(_Collect())
warnings.simplefilter("always")
warnings.showwarning = lambda message, category, *rest, **kw: _warnings.append(f"{category.__name__}: {message}")


def init(**options):
    qd.init(offline_cache_file_path=os.environ["QD_FASTCACHE_CASE_DIR"], **options)


def _plain(value):
    return value.tolist() if hasattr(value, "tolist") else repr(value)


def report(kernel, **results):
    o = kernel._primal.src_ll_cache_observations
    flags = [o.cache_key_generated, o.cache_validated, o.cache_loaded, o.cache_stored]
    out = {"flags": flags, "results": results, "records": _records, "warnings": _warnings}
    print("QD-FASTCACHE-OBSERVATION " + json.dumps(out, default=_plain))
"""


class _Programs:
    """A temp directory with one program file (always the same path) and one cache directory."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="qd-fastcache-case-"))
        self.cache = self.dir / "cache"
        self.path = self.dir / "prog.py"
        self.runs: list[dict] = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        shutil.rmtree(self.dir, ignore_errors=True)

    def run(self, body: str, main: str) -> dict:
        """Write the program, run it in a fresh process and return (and keep) its observation."""
        from quadrants.runtime.state import RUNTIME

        self.path.write_text(_PRELUDE + body + "\n" + main + "\n")
        env = dict(os.environ, QD_ARCH=RUNTIME.session.backend_id, QD_FASTCACHE_CASE_DIR=str(self.cache))
        env.pop("QD_LOG", None)
        proc = subprocess.run(
            [sys.executable, str(self.path)], capture_output=True, text=True, env=env, cwd=self.dir, timeout=600
        )
        lines = [ln for ln in proc.stdout.splitlines() if ln.startswith(_MARK)]
        if proc.returncode != 0 or not lines:
            raise AssertionError(
                f"program failed (exit {proc.returncode}):\n{proc.stdout[-2000:]}{proc.stderr[-4000:]}"
            )
        obs = json.loads(lines[-1][len(_MARK) :])
        self.runs.append(obs)
        return obs

    def flags(self) -> list:
        return [r["flags"] for r in self.runs]

    def results(self) -> list:
        return [r["results"] for r in self.runs]

    def logged(self, fragment: str) -> list[bool]:
        """Per run: whether a ``quadrants`` log record contains ``fragment``."""
        return [any(fragment in m for m in r["records"]) for r in self.runs]

    def warned(self, fragment: str) -> list[bool]:
        """Per run: whether a Python warning contains ``fragment``."""
        return [any(fragment in m for m in r["warnings"]) for r in self.runs]


# ------------------------------------------------------------------------------------------ source edits

_EDITS = """
@qd.func
def helper(x):
    return x + {inc}
{gap}
@qd.kernel(fastcache=True{deco})
def k(a: qd.types.NDArray[qd.i32, 1]):
    for i in range(a.shape[0]):
        a[i] = helper(a[i]) + i
UNUSED = {after}
"""

_EDITS_MAIN = """
init({init})
a = qd.ndarray(qd.i32, shape=(4,))
k(a)
report(k, a=a.to_numpy())
"""


@case(
    section="18.6",
    golden={
        "flags": [
            [T, F, F, T],  # cold
            [T, T, T, F],  # none
            [T, F, F, T],  # body of the called @qd.func edited (recompiled, new result)
            [T, T, T, F],  # none
            [T, F, F, T],  # only the kernel's decorator line edited
            [T, T, T, F],  # the line after the kernel's last line edited
            [T, T, T, F],  # the kernel moved down by one line
            [F, F, F, F],  # src_ll_cache=False
        ],
        "a": [[1, 2, 3, 4], [1, 2, 3, 4], [10, 11, 12, 13], [10, 11, 12, 13]] + [[10, 11, 12, 13]] * 4,
    },
)
def fastcache_source_edits_and_switch():
    rows = [
        {"inc": 1, "gap": "", "deco": "", "after": 1, "init": ""},
        {"inc": 1, "gap": "", "deco": "", "after": 1, "init": ""},
        {"inc": 10, "gap": "", "deco": "", "after": 1, "init": ""},
        {"inc": 10, "gap": "", "deco": "", "after": 1, "init": ""},
        {"inc": 10, "gap": "", "deco": ", graph=False", "after": 1, "init": ""},
        {"inc": 10, "gap": "", "deco": ", graph=False", "after": 2, "init": ""},
        {"inc": 10, "gap": "\n", "deco": ", graph=False", "after": 2, "init": ""},
        {"inc": 10, "gap": "\n", "deco": ", graph=False", "after": 2, "init": "src_ll_cache=False"},
    ]
    with _Programs() as p:
        for row in rows:
            p.run(_EDITS.format(**row), _EDITS_MAIN.format(**row))
        return {"flags": p.flags(), "a": [r["a"] for r in p.results()]}


# ------------------------------------------------------------------------------------------ arguments

_ARGS = """
@qd.kernel(fastcache=True)
def k(a: qd.types.ndarray(), t: qd.template()):
    for i in range(a.shape[0]):
        a[i] = a[i] + t
"""

_ARGS_MAIN = """
init()
a = qd.ndarray(qd.{dtype}, shape=(3,))
k(a, {t})
report(k, a=a.to_numpy())
"""


@case(
    section="18.6",
    golden={
        # cold; template value 2->3; then ndarray dtype f32->i32 (f64 in the table: any dtype change); back, t=2
        "flags": [[T, F, F, T], [T, F, F, T], [T, F, F, T], [T, T, T, F]],
        "a": [[2.0, 2.0, 2.0], [3.0, 3.0, 3.0], [3, 3, 3], [2.0, 2.0, 2.0]],
    },
)
def fastcache_template_value_and_dtype():
    with _Programs() as p:
        for dtype, t in (("f32", 2), ("f32", 3), ("i32", 3), ("f32", 2)):
            p.run(_ARGS, _ARGS_MAIN.format(dtype=dtype, t=t))
        return {"flags": p.flags(), "a": [r["a"] for r in p.results()]}


# ------------------------------------------------------------------------------------------ data_oriented

_SIM = """
@qd.data_oriented{options}
class Sim:
    def __init__(self, n, dtype, extra_field):
        self.n = n
        self.x = qd.ndarray(dtype, shape=(8,))
        if extra_field:
            self.unused = qd.field(qd.f32, shape=(2,))

    @qd.kernel(fastcache=True)
    def step(self):
        for i in range(self.n):
            self.x[i] += 1
"""

_SIM_MAIN = """
init()
s = Sim({n}, qd.{dtype}, {extra})
s.step()
report(Sim.step, x=s.x.to_numpy())
"""


@case(
    section="18.6",
    golden={
        "flags": [
            [T, F, F, T],  # cold, n=4
            [T, F, F, T],  # primitive member 4 -> 6
            [T, T, T, F],  # an unread qd.field member added
            [T, F, F, T],  # ndarray member dtype i32 -> f32
            [T, T, T, F],  # the same class gains stable_members=True
        ],
        "x": [[1, 1, 1, 1, 0, 0, 0, 0]] + [[1, 1, 1, 1, 1, 1, 0, 0]] * 2 + [[1.0] * 6 + [0.0] * 2] * 2,
    },
)
def fastcache_data_oriented_members():
    rows = [
        ("", 4, "i32", False),
        ("", 6, "i32", False),
        ("", 6, "i32", True),
        ("", 6, "f32", True),
        ("(stable_members=True)", 6, "f32", True),
    ]
    with _Programs() as p:
        for options, n, dtype, extra in rows:
            p.run(_SIM.format(options=options), _SIM_MAIN.format(n=n, dtype=dtype, extra=extra))
        return {"flags": p.flags(), "x": [r["x"] for r in p.results()]}


_SIM_RUNTIME = """
@qd.data_oriented(template_primitives=False)
class Sim:
    def __init__(self, n):
        self.n = n
        self.x = qd.ndarray(qd.i32, shape=(8,))

    @qd.kernel(fastcache=True)
    def step(self):
        for i in range(self.n):
            self.x[i] += 1
"""


@case(
    section="18.6",
    golden={
        "flags": [[T, F, F, T], [T, T, T, F]],  # template_primitives=False, member 4 -> 6: the new value is used
        "x": [[1, 1, 1, 1, 0, 0, 0, 0], [1, 1, 1, 1, 1, 1, 0, 0]],
    },
)
def fastcache_template_primitives_false():
    main = "init()\ns = Sim({n})\ns.step()\nreport(Sim.step, x=s.x.to_numpy())"
    with _Programs() as p:
        for n in (4, 6):
            p.run(_SIM_RUNTIME, main.format(n=n))
        return {"flags": p.flags(), "x": [r["x"] for r in p.results()]}


_FIELD_MEMBER = """
@qd.data_oriented
class Sim:
    def __init__(self):
        self.f = qd.field(qd.i32, shape=(4,))
        self.x = qd.ndarray(qd.i32, shape=(4,))

    @qd.kernel(fastcache=True)
    def step(self):
        for i in range(4):
            self.f[i] += i
            self.x[i] = self.f[i] * 2
"""


@case(
    section="18.6",
    golden={
        "flags": [[F, F, F, F], [F, F, F, F]],
        "invalid_func_logged": [T, T],
        "x": [[0, 2, 4, 6], [0, 2, 4, 6]],
    },
)
def fastcache_data_oriented_read_field_member():
    main = "init()\ns = Sim()\ns.step()\nreport(Sim.step, x=s.x.to_numpy())"
    with _Programs() as p:
        for _ in range(2):
            p.run(_FIELD_MEMBER, main)
        return {
            "flags": p.flags(),
            "invalid_func_logged": p.logged("[FASTCACHE][INVALID_FUNC]"),
            "x": [r["x"] for r in p.results()],
        }


_PROPERTY = """
@qd.data_oriented
class Sim:
    def __init__(self, scale):
        self._scale = scale
        self.x = qd.ndarray(qd.i32, shape=(2,))

    @property
    def scale(self):
        return self._scale

    @qd.kernel(fastcache=True)
    def step(self):
        for i in range(2):
            self.x[i] = self.scale * (i + 1)
"""


@case(
    section="18.6",
    golden={"flags": [[T, F, F, T], [T, T, T, F], [T, F, F, T]], "x": [[1, 2], [1, 2], [3, 6]]},
)
def fastcache_read_property_value():
    main = "init()\ns = Sim({v})\ns.step()\nreport(Sim.step, x=s.x.to_numpy())"
    with _Programs() as p:
        for v in (1, 1, 3):  # cold, none, a read @property value 1 -> 3
            p.run(_PROPERTY, main.format(v=v))
        return {"flags": p.flags(), "x": [r["x"] for r in p.results()]}


_STR_MEMBER = """
@qd.data_oriented
class Sim:
    def __init__(self, mode):
        self.mode = mode
        self.x = qd.ndarray(qd.i32, shape=(2,))

    @qd.kernel(fastcache=True)
    def step(self):
        for i in range(2):
            if qd.static(self.mode == "a"):
                self.x[i] = 1
            else:
                self.x[i] = 2
"""


@case(
    section="18.6",
    golden={
        "flags": [[F, F, F, F], [F, F, F, F]],
        "unknown_type_logged": [T, T],
        "x": [[1, 1], [2, 2]],
    },
)
def fastcache_str_member_in_static():
    main = "init()\ns = Sim({mode!r})\ns.step()\nreport(Sim.step, x=s.x.to_numpy())"
    with _Programs() as p:
        for mode in ("a", "b"):
            p.run(_STR_MEMBER, main.format(mode=mode))
        return {
            "flags": p.flags(),
            "unknown_type_logged": p.logged("[FASTCACHE][UNKNOWN_TYPE] Unrecognised type builtins.str"),
            "x": [r["x"] for r in p.results()],
        }


# ------------------------------------------------------------------------------------------ dataclasses

_DATACLASS = """
@dataclasses.dataclass(frozen=True)
class P:
    x: qd.types.NDArray[qd.i32, 1]
    n: int
    f: typing.Final[int]
    m: int = dataclasses.field(default=0, metadata={FIELD_METADATA_CACHE_VALUE: True})


@qd.kernel(fastcache=True)
def k(p: P):
    for i in range(p.n):
        p.x[i] += p.f + p.m
"""

_DATACLASS_MAIN = """
init()
p = P(qd.ndarray(qd.i32, shape=(4,)), {n}, {f}, {m})
k(p)
report(k, x=p.x.to_numpy())
"""


@case(
    section="18.6",
    golden={
        "flags": [
            [T, F, F, T],  # cold
            [T, T, T, F],  # plain int member 2 -> 4
            [T, F, F, T],  # typing.Final member changed
            [T, F, F, T],  # member with FIELD_METADATA_CACHE_VALUE changed
        ],
        "x": [[1, 1, 0, 0], [1, 1, 1, 1], [2, 2, 2, 2], [7, 7, 7, 7]],
    },
)
def fastcache_dataclass_members():
    with _Programs() as p:
        for n, f, m in ((2, 1, 0), (4, 1, 0), (4, 2, 0), (4, 2, 5)):
            p.run(_DATACLASS, _DATACLASS_MAIN.format(n=n, f=f, m=m))
        return {"flags": p.flags(), "x": [r["x"] for r in p.results()]}


# ------------------------------------------------------------------------------------------ damaged caches

_SIMPLE = """
@qd.kernel(fastcache=True)
def k(a: qd.types.NDArray[qd.i32, 1]):
    for i in range(a.shape[0]):
        a[i] = a[i] * 3 + 1
"""

_SIMPLE_MAIN = """
init({init})
a = qd.ndarray(qd.i32, shape=(3,))
a.from_numpy(np.array([1, 2, 3], dtype=np.int32))
k(a)
report(k, a=a.to_numpy())
"""


@case(
    section="18.6",
    golden={
        "flags": [[T, F, F, T], [T, F, F, T], [T, T, T, F]],
        "parse_warning": [F, T, F],
        "a": [[4, 7, 10]] * 3,
    },
)
def fastcache_junk_entries():
    with _Programs() as p:
        p.run(_SIMPLE, _SIMPLE_MAIN.format(init=""))
        for entry in (p.cache / "python_side_cache").glob("*.cache.txt"):
            entry.write_text("{ this is not an entry")
        p.run(_SIMPLE, _SIMPLE_MAIN.format(init=""))
        p.run(_SIMPLE, _SIMPLE_MAIN.format(init=""))
        return {
            "flags": p.flags(),
            "parse_warning": p.warned("UserWarning: Failed to parse L1 cache entry"),
            "a": [r["a"] for r in p.results()],
        }


@case(
    section="18.6",
    golden={"flags": [[T, F, F, T], [T, T, F, T], [T, T, T, F]], "a": [[4, 7, 10]] * 3},
)
def fastcache_artifact_directory_deleted():
    with _Programs() as p:
        p.run(_SIMPLE, _SIMPLE_MAIN.format(init=""))
        shutil.rmtree(p.cache / "kernel_compilation_manager")
        p.run(_SIMPLE, _SIMPLE_MAIN.format(init=""))
        p.run(_SIMPLE, _SIMPLE_MAIN.format(init=""))
        return {"flags": p.flags(), "a": [r["a"] for r in p.results()]}


@case(
    section="18.6",
    golden={"flags": [[T, F, F, T], [T, T, F, T], [T, T, F, T], [T, T, T, F]], "a": [[4, 7, 10]] * 4},
)
def fastcache_offline_cache_false_then_true():
    with _Programs() as p:
        for init in ("offline_cache=False", "offline_cache=False", "offline_cache=True", "offline_cache=True"):
            p.run(_SIMPLE, _SIMPLE_MAIN.format(init=init))
        return {"flags": p.flags(), "a": [r["a"] for r in p.results()]}


# ------------------------------------------------------------------------------------------ checkpoints

_CHECKPOINTS = """
class Stage(enum.IntEnum):
    A = 5
    B = 6


@qd.data_oriented
class G:
    def __init__(self):
        self.x = qd.ndarray(qd.i32, shape=(1,))
        self.flag = qd.ndarray(qd.i32, shape=())
        self.cnt = qd.ndarray(qd.i32, shape=())

    @qd.kernel(graph=True, checkpoints=True, fastcache=True)
    def run(self):
        while qd.graph.do_while(self.cnt):
            with qd.checkpoint(Stage.A, yield_on=self.flag):
                for _ in range(1):
                    self.x[0] += 1
            with qd.checkpoint(Stage.B, yield_on=self.flag):
                for _ in range(1):
                    self.x[0] += 10
            for _ in range(1):
                self.cnt[()] -= 1
"""

_CHECKPOINTS_MAIN = """
init()
g = G()
g.cnt[()] = 2
g.flag[()] = 1
first = g.run()
x_after_yield = int(g.x.to_numpy()[0])
g.flag[()] = 0
second = g.run.resume(from_checkpoint=first.checkpoint)
kernel = G.run._primal
report(
    G.run,
    first=repr(first),
    first_is_stage=isinstance(first.checkpoint, Stage),
    second=repr(second),
    x_after_yield=x_after_yield,
    x=int(g.x.to_numpy()[0]),
    cnt=int(g.cnt[()]),
    labels=repr(kernel.checkpoint_user_labels_by_cp_id),
    label_types=[type(label).__name__ for label in kernel.checkpoint_user_labels_by_cp_id],
    yield_on=kernel.checkpoint_yield_on_args,
    levels=[lv.cond_arg_name for lv in kernel.graph_do_while_levels],
)
"""


@case(
    section="18.6",
    golden={
        "flags": [[T, F, F, T], [T, T, T, F]],
        "warm_equals_cold": T,
        "first": "GraphStatus(yielded=True, checkpoint=<Stage.A: 5>)",
        "first_is_stage": T,
        "labels": "[<Stage.A: 5>, <Stage.B: 6>, None]",
        "label_types": ["Stage", "Stage", "NoneType"],
        "yield_on": ["self.flag", "self.flag", None],
        "levels": ["self.cnt"],
    },
)
def fastcache_checkpoint_intenum_labels():
    with _Programs() as p:
        cold = p.run(_CHECKPOINTS, _CHECKPOINTS_MAIN)
        warm = p.run(_CHECKPOINTS, _CHECKPOINTS_MAIN)
        r = warm["results"]
        return {
            "flags": p.flags(),
            "warm_equals_cold": cold["results"] == warm["results"],
            "first": r["first"],
            "first_is_stage": r["first_is_stage"],
            "second": r["second"],
            "x": [r["x_after_yield"], r["x"], r["cnt"]],
            "labels": r["labels"],
            "label_types": r["label_types"],
            "yield_on": r["yield_on"],
            "levels": r["levels"],
        }
