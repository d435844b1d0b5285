"""Launch-overhead shapes for ``bench_launch.py`` (issue 24), and the timing worker that runs them.

Each shape is one kernel with one lane of work per array it touches, so its cost is the host path of a launch:
binding the arguments, the specialization key, the cache lookup and the marshalling of every array a compound
argument carries (Genesis launches many such kernels per step, each reading tens of arrays through dataclasses):

* ``plain``: two ``qd.types.NDArray`` parameters and an f32 scalar;
* ``dataclass``: a (mutable) dataclass parameter with 20 members, 10 ndarrays and 10 fields, and an f32 scalar;
* ``frozen_dataclass``: the same dataclass declared ``frozen=True``;
* ``data_oriented``: a ``@qd.data_oriented`` object with the same 20 members, its kernel method and an f32 scalar;
* ``solver``: a Genesis solver kernel's signature: three frozen 20-member dataclasses, a static configuration object
  passed as ``qd.template()`` (hashable, compared by value) and a bool template.

The file only uses API that upstream Quadrants 1.3.3 shares, so the same worker runs under this project's interpreter
and upstream's. Worker protocol (one JSON line each way, on the original stdout; everything else goes to stderr):

* ``{"cmd": "start"}``: ``qd.init(arch=qd.cpu)``, build and warm every shape; answers ``{"shapes": [name, ...]}``;
* ``{"cmd": "time", "shape": NAME, "reps": R}``: R launches then ``qd.sync()``; answers ``{"seconds": per launch}``;
* ``{"cmd": "quit"}``.
"""

import dataclasses
import json
import os
import sys
import time


def _answer_channel():
    """A duplicate of the original stdout for answers; stdout itself then points at stderr (import banners)."""
    answers = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return answers


ANSWERS = _answer_channel() if __name__ == "__main__" else None

import quadrants as qd  # noqa: E402 - after the redirect: upstream prints a banner when imported

MEMBERS = 20  # ten ndarrays and ten fields per compound argument, about what one Genesis solver kernel reads
ND = qd.types.NDArray[qd.f32, 1]


def _state_class(frozen: bool):
    @dataclasses.dataclass(frozen=frozen)
    class State:
        n0: ND
        n1: ND
        n2: ND
        n3: ND
        n4: ND
        n5: ND
        n6: ND
        n7: ND
        n8: ND
        n9: ND
        f0: qd.template()
        f1: qd.template()
        f2: qd.template()
        f3: qd.template()
        f4: qd.template()
        f5: qd.template()
        f6: qd.template()
        f7: qd.template()
        f8: qd.template()
        f9: qd.template()

    return State


State = _state_class(frozen=False)
FrozenState = _state_class(frozen=True)


def _members() -> dict:
    nds = {f"n{k}": qd.ndarray(qd.f32, 4) for k in range(MEMBERS // 2)}
    fields = {f"f{k}": qd.field(qd.f32, shape=4) for k in range(MEMBERS // 2)}
    return {**nds, **fields}


@qd.kernel
def step_state(s: State, dt: qd.f32):
    for i in range(1):
        s.n0[i] += dt
        s.n1[i] += dt
        s.n2[i] += dt
        s.n3[i] += dt
        s.n4[i] += dt
        s.n5[i] += dt
        s.n6[i] += dt
        s.n7[i] += dt
        s.n8[i] += dt
        s.n9[i] += dt
        s.f0[i] += dt
        s.f1[i] += dt
        s.f2[i] += dt
        s.f3[i] += dt
        s.f4[i] += dt
        s.f5[i] += dt
        s.f6[i] += dt
        s.f7[i] += dt
        s.f8[i] += dt
        s.f9[i] += dt


@qd.kernel
def step_frozen(s: FrozenState, dt: qd.f32):
    for i in range(1):
        s.n0[i] += dt
        s.n1[i] += dt
        s.n2[i] += dt
        s.n3[i] += dt
        s.n4[i] += dt
        s.n5[i] += dt
        s.n6[i] += dt
        s.n7[i] += dt
        s.n8[i] += dt
        s.n9[i] += dt
        s.f0[i] += dt
        s.f1[i] += dt
        s.f2[i] += dt
        s.f3[i] += dt
        s.f4[i] += dt
        s.f5[i] += dt
        s.f6[i] += dt
        s.f7[i] += dt
        s.f8[i] += dt
        s.f9[i] += dt


@qd.data_oriented
class Solver:
    """A data_oriented object with the same twenty members (ndarrays and fields)."""

    def __init__(self):
        for name, value in _members().items():
            setattr(self, name, value)

    @qd.kernel
    def step(self, dt: qd.f32):
        for i in range(1):
            self.n0[i] += dt
            self.n1[i] += dt
            self.n2[i] += dt
            self.n3[i] += dt
            self.n4[i] += dt
            self.n5[i] += dt
            self.n6[i] += dt
            self.n7[i] += dt
            self.n8[i] += dt
            self.n9[i] += dt
            self.f0[i] += dt
            self.f1[i] += dt
            self.f2[i] += dt
            self.f3[i] += dt
            self.f4[i] += dt
            self.f5[i] += dt
            self.f6[i] += dt
            self.f7[i] += dt
            self.f8[i] += dt
            self.f9[i] += dt


class Config:
    """A static configuration passed as a template: hashable, compared by its values (as Genesis's static configs)."""

    def __init__(self, substeps: int, enabled: bool):
        self.substeps, self.enabled = substeps, enabled

    def __eq__(self, other):
        return type(other) is type(self) and vars(other) == vars(self)

    def __hash__(self):
        return hash((type(self), self.substeps, self.enabled))


@qd.kernel
def step_solver(a: FrozenState, b: FrozenState, c: FrozenState, cfg: qd.template(), flag: qd.template()):
    for i in range(1):
        if qd.static(cfg.enabled and flag):
            for _ in qd.static(range(cfg.substeps)):
                a.n0[i] += b.n1[i] + c.n2[i]
                a.f0[i] += b.f1[i] + c.f2[i]


@qd.kernel
def step_plain(a: ND, b: ND, dt: qd.f32):
    for i in range(1):
        a[i] += dt
        b[i] += dt


def make(name: str):
    """A callable launching shape ``name`` once (see ``SHAPES``)."""
    if name == "dataclass":
        state = State(**_members())
        return lambda: step_state(state, 0.5)
    if name == "frozen_dataclass":
        frozen = FrozenState(**_members())
        return lambda: step_frozen(frozen, 0.5)
    if name == "data_oriented":
        solver = Solver()
        return lambda: solver.step(0.5)
    if name == "solver":
        states, cfg = [FrozenState(**_members()) for _ in range(3)], Config(2, True)
        return lambda: step_solver(states[0], states[1], states[2], cfg, True)
    if name == "plain":
        a, b = qd.ndarray(qd.f32, 4), qd.ndarray(qd.f32, 4)
        return lambda: step_plain(a, b, 0.5)
    raise KeyError(name)


SHAPES = ("plain", "dataclass", "frozen_dataclass", "data_oriented", "solver")


def main() -> int:
    """The worker's command loop (see the module docstring)."""
    answers = ANSWERS or _answer_channel()
    calls: dict = {}
    for line in sys.stdin:
        if not line.strip():
            continue
        command = json.loads(line)
        try:
            if command["cmd"] == "quit":
                break
            if command["cmd"] == "start":
                qd.init(arch=qd.cpu, offline_cache=False)
                arch = qd.lang.impl.current_cfg().arch
                if arch not in (qd.x64, qd.arm64):  # a broken CPU backend falls back silently: never time that
                    raise RuntimeError(f"qd.init(arch=qd.cpu) started {arch}, not the CPU backend")
                calls = {name: make(name) for name in SHAPES}
                for call in calls.values():
                    call()
                    call()
                qd.sync()
                answer = {"shapes": list(calls)}
            else:
                call, reps = calls[command["shape"]], int(command["reps"])
                t0 = time.perf_counter()
                for _ in range(reps):
                    call()
                qd.sync()
                answer = {"seconds": (time.perf_counter() - t0) / reps}
        except Exception as exc:
            answer = {"error": f"{type(exc).__name__}: {exc}"}
        answers.write(json.dumps(answer) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
