"""Keys (docs/semantics.md §18.3), source blocks, entries and artifacts (§18.7) as plain functions."""

from __future__ import annotations

import enum
import importlib
import inspect
import pkgutil
import sys
import types

import pytest

import quadrants as qd
from quadrants.fastcache import keys
from quadrants.fastcache.entries import EntryError, L1Entry, L2Entry, parse_l1, parse_l2
from quadrants.fastcache.functions import FunctionRecord, block_lines, source_block, validate_records
from quadrants.fastcache.restore import Payload, label_qualname, pack, restore_label, unpack
from quadrants.frontend.source import parse_function
from quadrants.ir.dtypes import i32
from quadrants.ir.nodes import SrcLoc


class Stage(enum.IntEnum):
    LOAD = 3
    SIM = 4


def _session(**init):
    return qd.init(arch="ref", **init)


def test_l1_key_covers_compile_config_and_not_cache_switches():
    def key(**init):
        s = _session(**init)
        return keys.l1_key(s, "m", "k", "/p.py", "h", "0.1.0", keys.backend_identity(s.backend))

    base = key()
    assert key() == base
    for changed in (
        {"debug": True},
        {"fast_math": True},
        {"default_ip": qd.i64},
        {"default_fp": qd.f64},
        {"lane_order": "reversed"},
        {"opt_level": 2},
    ):
        assert key(**changed) != base, changed
    for same in (
        {"offline_cache": False},
        {"src_ll_cache": True},
        {"print_non_pure": True},
        {"offline_cache_file_path": "/elsewhere"},
        {"log_level": "debug"},
        {"verbose": True},
    ):
        assert key(**same) == base, same
    qd.reset()


def test_l1_key_covers_identity_and_source():
    s = _session()
    ident = keys.backend_identity(s.backend)
    args = ["m", "k", "/p.py", "h", "0.1.0", ident]
    base = keys.l1_key(s, *args)
    for k in range(len(args)):
        changed = list(args)
        changed[k] = changed[k] + "x"
        assert keys.l1_key(s, *changed) != base
    assert keys.l2_key(base, "n1") != keys.l2_key(base, "n2")
    qd.reset()


def test_backend_identity_uses_cache_identity():
    class Plain:
        id = "plain"

    class WithIdentity:
        id = "fancy"

        def cache_identity(self):
            return "toolchain-1.2;sm_90"

    assert keys.backend_identity(Plain()) == "plain"
    assert keys.backend_identity(WithIdentity()) == "fancy:toolchain-1.2;sm_90"

    class Probed:
        id = "probed"

        def __init__(self, device):
            self.device = device

        def probe(self):
            return _Avail(self.device)

    assert keys.backend_identity(Probed("LLVM 22")) != keys.backend_identity(Probed("LLVM 23"))
    assert keys.backend_identity(Probed("LLVM 22")) == keys.backend_identity(Probed("LLVM 22"))


class _Avail:
    def __init__(self, device):
        self.device = device


@qd.kernel(fastcache=True)
def module_kernel(a: qd.types.NDArray[qd.i32, 1]):
    # a comment inside the block counts
    for i in range(a.shape[0]):
        a[i] = qd.max(
            i,
            0,
        )


# a trailing comment at column 0 is not part of the block


def test_source_block_is_the_parsed_source():
    block = source_block(module_kernel)
    parsed = parse_function(module_kernel.fn)
    import hashlib

    assert block.hash == hashlib.sha256(parsed.source.encode()).hexdigest()
    assert block.first_line == parsed.first_line and block.path.endswith("test_keys_and_entries.py")
    assert parsed.source.startswith("@qd.kernel(fastcache=True)\n") and parsed.source.rstrip().endswith(")")


def _codes(code):
    for c in code.co_consts:
        if isinstance(c, types.CodeType):
            yield c
            yield from _codes(c)


def test_block_finder_agrees_with_inspect_on_the_code_base():
    """The tokenizer-free block finder gives ``inspect.getsourcelines`` for every function of our packages."""
    checked = 0
    for pkg in ("quadrants", "quadrants_conformance", "quadrants_ref"):
        root = importlib.import_module(pkg)
        for info in pkgutil.walk_packages(root.__path__, pkg + "."):
            try:
                module = importlib.import_module(info.name)
            except BaseException:
                continue
            path = getattr(module, "__file__", "") or ""
            if not path.endswith(".py"):
                continue
            with open(path, encoding="utf-8") as f:
                top = compile(f.read(), path, "exec")
            for c in _codes(top):
                if c.co_name.startswith("<") or not c.co_flags & inspect.CO_OPTIMIZED:
                    continue
                cells = tuple(types.CellType() for _ in c.co_freevars)
                fn = types.FunctionType(c, module.__dict__, None, None, cells)
                lines, first = inspect.getsourcelines(fn)
                assert block_lines(fn)[1:] == (first, lines), f"{path}:{c.co_firstlineno}"
                checked += 1
    assert checked > 1000


def test_validate_records_finds_locals_and_detects_changes():
    def make():
        @qd.func
        def helper(x):
            return x

        return helper

    helper = make()
    block = source_block(helper)
    rec = FunctionRecord(helper.fn.__module__, helper.fn.__qualname__, block.path, block.hash)
    assert validate_records([rec], (helper,))[0]
    assert not validate_records([rec], ())[0]  # a <locals> function is only found from the roots
    changed = FunctionRecord(rec.module, rec.qualname, rec.path, "0" * 64)
    ok, why, _ = validate_records([changed], (helper,))
    assert not ok and "changed" in why
    mod = FunctionRecord(__name__, "module_kernel", "/x", source_block(module_kernel).hash)
    assert validate_records([mod])[0]  # module-level: found by name


def test_entries_round_trip_and_reject_damage():
    rec = FunctionRecord("m", "k", "/p.py", "ab" * 32)
    l1 = L1Entry("k", ["__qd_self__qd_x"], [rec], [["c", -1, 0, -1]])
    assert parse_l1(l1.to_json()) == l1
    l2 = L2Entry(
        "l1",
        "k",
        "ab" * 32,
        True,
        [rec],
        ["__qd_self__qd_x"],
        [],
        ["flag", None],
        [2, -1],
        [5, None],
        [f"{__name__}.Stage.LOAD", None],
    )
    assert parse_l2(l2.to_json()) == l2
    text = l2.to_json()
    for damaged in (
        "",
        "{",
        "[1, 2]",
        text[: len(text) // 2],
        text.replace(keys.SCHEMA_VERSION, "old-schema"),
        text.replace('"ab', '"../../etc/passwd'),
        l1.to_json(),
    ):
        with pytest.raises(EntryError):
            parse_l2(damaged)
    with pytest.raises(EntryError):
        parse_l1(text)


def test_artifact_round_trip_rebases_locations_and_keeps_dtypes():
    from quadrants.fastcache.functions import SourceBlock

    old = [SourceBlock("/src/a.py", 10, 5, "h"), SourceBlock("/src/b.py", 100, 3, "h")]
    locs = [SrcLoc("/src/a.py", 12, 4, 9, "x = 1"), SrcLoc("/src/b.py", 101, 0, 1, "y"), SrcLoc("/other.py", 7)]
    payload = Payload({"locs": locs, "dtype": i32}, None, None, (), (), {}, "ir")
    data = pack(payload, old)
    new = {0: SourceBlock("/src/a.py", 20, 5, "h"), 1: SourceBlock("/moved/b.py", 1, 3, "h")}
    back = unpack(data, new)
    got = back.program["locs"]
    assert (got[0].file, got[0].line, got[0].col, got[0].text) == ("/src/a.py", 22, 4, "x = 1")
    assert (got[1].file, got[1].line) == ("/moved/b.py", 2)
    assert got[2] == locs[2] and (got[2].file, got[2].line) == ("/other.py", 7)
    assert back.program["dtype"] is i32
    with pytest.raises(ValueError):
        unpack(b"junk" + data, new)


def test_a_location_and_a_dtype_referenced_many_times_are_stored_once():
    import pickle

    from quadrants.fastcache.functions import SourceBlock

    blocks = [SourceBlock("/src/a.py", 10, 5, "h")]
    loc = SrcLoc("/src/a.py", 12, 4, 9, "x = 1")
    once = pack(Payload([(loc, i32)], None, None, (), (), {}, "ir"), blocks)
    many = pack(Payload([(loc, i32)] * 1000, None, None, (), (), {}, "ir"), blocks)
    assert len(many) - len(once) < 8 * 1000  # a memo reference per repeat, not the location again
    back = unpack(many, {0: SourceBlock("/src/a.py", 30, 5, "h")})
    assert back.program[0][0] is back.program[999][0] and back.program[0][0].line == 32
    assert back.program[0][1] is i32
    body = many[many.index(b"\n", many.index(b"\n") + 1) + 1 + 32 :]
    with pytest.raises(pickle.UnpicklingError, match="artifact loader"):
        pickle.loads(body)  # a plain unpickler cannot rebase a location


def test_intenum_labels_restore_or_fall_back_to_ints():
    q = label_qualname(Stage.SIM)
    assert q == f"{__name__}.Stage.SIM"
    assert restore_label(q, 4) is Stage.SIM
    assert restore_label(q, 5) == 5 and type(restore_label(q, 5)) is int  # value changed since the store
    assert type(restore_label("no_such_module_xyz.Stage.SIM", 4)) is int
    assert type(restore_label(f"{__name__}.Stage.GONE", 4)) is int
    assert restore_label(None, 7) == 7 and restore_label(None, None) is None
    assert label_qualname(7) is None
    assert sys.modules[__name__].Stage is Stage
