"""``dir()`` of the public modules and classes lists their API, not the names their implementation imports."""

from __future__ import annotations

import pytest

import quadrants as qd


def _public(obj) -> list[str]:
    return sorted(n for n in dir(obj) if not n.startswith("_"))


def test_graph_module_holds_its_three_constructs():
    assert _public(qd.graph) == ["do_while", "parallel", "parallel_context"]
    assert qd.GraphStatus is not None and qd.checkpoint is not None  # their home is qd itself


@pytest.mark.parametrize("module", [qd.ad, qd.algorithms])
def test_module_dir_is_its_all(module):
    assert _public(module) == sorted(module.__all__)
    for name in module.__all__:
        assert getattr(module, name) is not None


def test_no_future_import_leaks_into_qd():
    assert "annotations" not in dir(qd)


def test_snode_retired_methods_are_not_listed_but_explain_themselves():
    assert not {"hash", "bit_struct", "bit_array"} & set(dir(qd.SNode))
    assert "access_error" not in dir(qd.FieldsBuilder)
    qd.init(arch=qd.ref)
    try:
        node = qd.root.dense(qd.i, 4)
        with pytest.raises(NotImplementedError, match="hash SNodes"):
            node.hash(qd.j, 4)
        with pytest.raises(NotImplementedError, match="quantized bit arrays"):
            node.bit_array(qd.j, 4, 32)
        with pytest.raises(AttributeError, match="no attribute 'not_a_method'"):
            node.not_a_method  # noqa: B018
    finally:
        qd.reset()
