"""merge_serial_blocks: runs of serial blocks of one stream become one block, bodies in order."""

from __future__ import annotations

from quadrants.ir.dtypes import i32
from quadrants.ir.nodes import Const, DoWhile, LocalRef, ParallelFor, Program, SerialBlock, Store, Var
from quadrants.passes import merge_serial_blocks

IV = Var(0, "i", i32)


def put(value):
    return Store(0, (Const(0, i32),), Const(value, i32))


def serial(*values, stream=0):
    return SerialBlock(tuple(put(v) for v in values), stream=stream)


def loop():
    return ParallelFor((IV,), (Const(0, i32),), (Const(4, i32),), (Store(0, (LocalRef(IV),), Const(9, i32)),))


def prog(*items):
    return Program("k", (), (), (), items)


def test_adjacent_blocks_become_one_in_order():
    out = merge_serial_blocks(prog(serial(1, 2), serial(3), serial(4), loop(), serial(5)))
    assert out.items == (serial(1, 2, 3, 4), loop(), serial(5))


def test_blocks_of_other_streams_and_tasks_between_stay_apart():
    items = (serial(1), serial(2, stream=1), serial(3, stream=1), serial(4), loop(), serial(5))
    out = merge_serial_blocks(prog(*items))
    assert out.items == (serial(1), serial(2, 3, stream=1), serial(4), loop(), serial(5))


def test_graph_bodies_are_merged_and_graph_nodes_separate_blocks():
    body = (serial(1), serial(2), loop())
    out = merge_serial_blocks(prog(serial(0), DoWhile(1, 0, body), serial(3)))
    assert out.items == (serial(0), DoWhile(1, 0, (serial(1, 2), loop())), serial(3))


def test_a_program_without_pairs_is_returned_as_it_is():
    program = prog(serial(1), loop(), serial(2))
    assert merge_serial_blocks(program).items is program.items
