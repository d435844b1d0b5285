"""``impl.PyQuadrants.materialize`` / ``.clear`` are called where upstream calls them, so programs may patch them;
``qd._logging._get_logging`` and ``qd.lang._template_mapper`` exist for programs that reach them."""

from __future__ import annotations

import pytest

import quadrants as qd
from quadrants.lang import impl


@pytest.fixture
def calls(monkeypatch):
    seen = []
    original_materialize, original_clear = impl.PyQuadrants.materialize, impl.PyQuadrants.clear

    def materialize(self):
        seen.append("materialize")
        original_materialize(self)

    def clear(self):
        seen.append("clear")
        original_clear(self)

    monkeypatch.setattr(impl.PyQuadrants, "materialize", materialize)
    monkeypatch.setattr(impl.PyQuadrants, "clear", clear)
    qd.init(arch=qd.ref)
    seen.clear()
    yield seen
    qd.reset()


def test_materialize_before_each_new_kernel_specialization(calls):
    @qd.kernel
    def k(x: qd.types.NDArray[qd.i32, 1]):
        x[0] += 1

    a = qd.ndarray(qd.i32, (2,))
    k(a)
    k(a)
    assert calls == ["materialize"]
    k(qd.ndarray(qd.i32, (3,)))
    assert calls == ["materialize"]  # same key: no compile, no materialize
    assert a.to_numpy().tolist() == [2, 0]


def test_materialize_at_the_first_host_access_of_each_field(calls):
    f = qd.field(qd.f32, shape=(2,))
    g = qd.field(qd.f32, shape=(2,))
    f[0] = 1.0
    f[1] = 2.0
    assert calls == ["materialize"]
    g.to_numpy()
    assert calls == ["materialize", "materialize"]


def test_a_patched_materialize_can_defer_field_fills(calls, monkeypatch):
    pending = []
    patched = impl.PyQuadrants.materialize

    def fill_pending(self):
        patched(self)
        todo = pending.copy()
        pending.clear()
        for field, value in todo:
            field.fill(value)

    monkeypatch.setattr(impl.PyQuadrants, "materialize", fill_pending)
    f = qd.field(qd.f32, shape=(3,))
    pending.append((f, 2.5))

    @qd.kernel
    def read(out: qd.types.NDArray[qd.f32, 1]):
        for i in range(3):
            out[i] = f[i]

    out = qd.ndarray(qd.f32, (3,))
    read(out)
    assert out.to_numpy().tolist() == [2.5, 2.5, 2.5]


def test_clear_on_reset_and_on_init(calls):
    qd.reset()
    assert calls == ["clear"]
    qd.init(arch=qd.ref)
    assert calls == ["clear"]  # no session to clear
    qd.init(arch=qd.ref)
    assert calls == ["clear", "clear"]


def test_get_logging_returns_the_level_functions():
    for level in (qd.TRACE, qd.DEBUG, qd.INFO, qd.WARN, qd.ERROR, qd.CRITICAL):
        assert qd._logging._get_logging(level) is getattr(qd._logging, level)


def test_template_mapper_module_has_builtins():
    assert isinstance(qd.lang._template_mapper.__builtins__, dict)
