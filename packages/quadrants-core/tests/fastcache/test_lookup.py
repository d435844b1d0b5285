"""Fastcache in one process: observation flags (docs/semantics.md §18.5), switches (§18.1), QD_LOG=cache,
degradation."""

from __future__ import annotations

import logging
import warnings

import pytest

import quadrants as qd

I1 = qd.types.NDArray[qd.i32, 1]


def make_kernel(**decorator):
    """A new kernel object each call, from the same source block (so a second one can hit the first's entries)."""
    decorator = decorator or {"fastcache": True}

    @qd.func
    def bump(x):
        return x + 1

    @qd.kernel(**decorator)
    def k(a: I1, t: qd.template()):
        for i in range(a.shape[0]):
            a[i] = bump(a[i]) * t

    return k


def _flags(k):
    return k._primal.src_ll_cache_observations.as_tuple()


def test_flags_per_session_and_table_hits_do_not_consult(cache_dir):
    k = make_kernel()
    a = qd.ndarray(qd.i32, shape=(3,))
    assert _flags(k) == (False, False, False, False)
    k(a, 2)
    assert _flags(k) == (True, False, False, True)
    k(a, 2)  # the in-process table: fastcache is not consulted, nothing changes
    assert _flags(k) == (True, False, False, True)
    assert a.to_numpy().tolist() == [6, 6, 6]
    k(a, 3)  # a new specialization: a miss again; the flags stay True
    assert _flags(k) == (True, False, False, True)
    qd.init(arch="ref", offline_cache_file_path=str(cache_dir))  # only qd.init() resets
    assert _flags(k) == (False, False, False, False)
    a = qd.ndarray(qd.i32, shape=(3,))
    k(a, 3)
    assert _flags(k) == (True, True, True, False)
    assert a.to_numpy().tolist() == [3, 3, 3]
    assert k.compile_count == 2  # two compiles in the first session, none since


def test_a_hit_does_not_parse_or_lower(cache_dir, monkeypatch):
    a = qd.ndarray(qd.i32, shape=(3,))
    make_kernel()(a, 2)
    fresh = make_kernel()  # same source, new objects: nothing parsed yet

    def no_parsing(*args, **kwargs):
        raise AssertionError("a cache hit parsed or lowered the kernel")

    monkeypatch.setattr("quadrants.frontend.funcdef.parse_function", no_parsing)
    monkeypatch.setattr("quadrants.frontend.kernel.build_program", no_parsing)
    b = qd.ndarray(qd.i32, shape=(3,))
    fresh(b, 2)
    assert _flags(fresh) == (True, True, True, False)
    assert fresh._parsed is None and fresh.compile_count == 0
    assert b.to_numpy().tolist() == [2, 2, 2]


def test_src_ll_cache_false_keeps_every_flag_false(tmp_path):
    qd.init(arch="ref", offline_cache_file_path=str(tmp_path), src_ll_cache=False)
    k = make_kernel()
    k(qd.ndarray(qd.i32, shape=(2,)), 1)
    assert _flags(k) == (False, False, False, False)
    assert not (tmp_path / "python_side_cache").exists()


def test_offline_cache_false_stores_entries_but_no_artifacts(tmp_path):
    qd.init(arch="ref", offline_cache_file_path=str(tmp_path), offline_cache=False)
    k = make_kernel()
    k(qd.ndarray(qd.i32, shape=(2,)), 1)
    assert _flags(k) == (True, False, False, True)
    assert list((tmp_path / "python_side_cache").glob("*.cache.txt"))
    assert not list((tmp_path / "kernel_compilation_manager").glob("*"))


def test_kernels_not_marked_fastcache_and_print_non_pure(tmp_path, capsys):
    qd.init(arch="ref", offline_cache_file_path=str(tmp_path), print_non_pure=True)
    plain = make_kernel(fastcache=False)
    plain(qd.ndarray(qd.i32, shape=(2,)), 1)
    assert _flags(plain) == (False, False, False, False)
    assert "[NOT_PURE] Debug information: not pure: make_kernel.<locals>.k" in capsys.readouterr().out
    with pytest.warns(DeprecationWarning):
        deprecated = make_kernel(pure=True)
    deprecated(qd.ndarray(qd.i32, shape=(2,)), 1)
    assert _flags(deprecated) == (True, False, False, True)
    assert "[NOT_PURE]" not in capsys.readouterr().out


def test_qd_log_cache_explains_miss_store_and_hit(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("QD_LOG", "cache")
    qd.init(arch="ref", offline_cache_file_path=str(tmp_path))
    caplog.set_level(logging.INFO, logger="quadrants")
    make_kernel()(qd.ndarray(qd.i32, shape=(2,)), 1)
    qd.init(arch="ref", offline_cache_file_path=str(tmp_path))
    make_kernel()(qd.ndarray(qd.i32, shape=(2,)), 1)
    text = "\n".join(r.getMessage() for r in caplog.records if r.name == "quadrants")
    assert "miss: no L1 entry" in text and "stored L2" in text and "hit: loaded L2" in text


def test_no_cache_log_without_qd_log(tmp_path, monkeypatch, caplog):
    monkeypatch.delenv("QD_LOG", raising=False)
    qd.init(arch="ref", offline_cache_file_path=str(tmp_path))
    caplog.set_level(logging.DEBUG, logger="quadrants")
    make_kernel()(qd.ndarray(qd.i32, shape=(2,)), 1)
    assert not [r for r in caplog.records if "[fastcache]" in r.getMessage()]


def test_unusable_cache_directory_degrades_with_one_warning(tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    qd.init(arch="ref", offline_cache_file_path=str(blocker / "cache"))
    k = make_kernel()
    with pytest.warns(UserWarning, match="not usable") as record:
        k(qd.ndarray(qd.i32, shape=(2,)), 1)
        k(qd.ndarray(qd.i32, shape=(2,)), 2)
        make_kernel()(qd.ndarray(qd.i32, shape=(2,)), 3)
    assert len([w for w in record if "not usable" in str(w.message)]) == 1
    assert _flags(k) == (False, False, False, False)


def test_unknown_type_is_logged_once_per_type(cache_dir, caplog):
    @qd.kernel(fastcache=True)
    def k(a: I1, mode: qd.template()):
        if qd.static(mode == "x"):
            a[0] = 1

    caplog.set_level(logging.WARNING, logger="quadrants")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        k(qd.ndarray(qd.i32, shape=(1,)), "x")
        k(qd.ndarray(qd.i32, shape=(1,)), "y")
    messages = [r.getMessage() for r in caplog.records]
    assert sum("[FASTCACHE][UNKNOWN_TYPE] Unrecognised type builtins.str" in m for m in messages) <= 1
    assert sum("[FASTCACHE][INVALID_FUNC]" in m for m in messages) == 2
    assert _flags(k) == (False, False, False, False)


def test_cached_graph_kernels_keep_their_tables_and_errors(cache_dir):
    def make():
        @qd.kernel(graph=True, checkpoints=True, fastcache=True)
        def k(x: I1):
            x[0] += 1

        return k

    x = qd.ndarray(qd.i32, shape=(1,))
    make()(x)
    qd.init(arch="ref", offline_cache_file_path=str(cache_dir))
    k = make()
    x = qd.ndarray(qd.i32, shape=(1,))
    assert k(x).yielded is False
    assert _flags(k) == (True, True, True, False)
    assert k.checkpoint_user_labels_by_cp_id == [] and k.graph_do_while_levels == []
    with pytest.raises(RuntimeError, match="only valid for kernels that contain at least one"):
        k.resume(x, from_checkpoint=1)


def test_last_compiled_kernel_data_is_the_same_program_when_loaded(cache_dir):
    from quadrants.lang._kernel_types import SrcLlCacheObservations

    k = make_kernel()
    assert k._primal._last_compiled_kernel_data is None
    a = qd.ndarray(qd.i32, shape=(3,))
    k(a, 2)
    compiled = k._primal._last_compiled_kernel_data._debug_dump_to_string()
    assert compiled and "k" in k._primal._last_compiled_kernel_data.name
    k._primal.src_ll_cache_observations = SrcLlCacheObservations()  # the flags can be reset to watch one call
    assert _flags(k) == (False, False, False, False)
    k(a, 3)
    assert _flags(k) == (True, False, False, True)
    assert k._primal._last_compiled_kernel_data._debug_dump_to_string() != compiled  # another specialization
    qd.init(arch="ref", offline_cache_file_path=str(cache_dir))
    k(qd.ndarray(qd.i32, shape=(3,)), 2)
    assert _flags(k) == (True, True, True, False)
    assert k._primal._last_compiled_kernel_data._debug_dump_to_string() == compiled  # loaded, not compiled


def test_diagnostics_reach_stderr_when_no_handler_prints_them(cache_dir, caplog, capsys):
    # pytest's capture handler keeps records to itself, as an application's file handler would: the [FASTCACHE]
    # line is then written to stderr too, as upstream's always is; a field given to a qd.Tensor parameter is no
    # misuse and says nothing (not cached all the same: fields are bound by identity)
    f = qd.field(qd.i32, shape=(2,))

    @qd.kernel(fastcache=True)
    def through_template(x: qd.template()):
        x[0] = 1

    @qd.kernel(fastcache=True)
    def through_tensor(x: qd.Tensor):
        x[1] = 2

    caplog.set_level(logging.WARNING, logger="quadrants")
    through_template(f)
    assert "[FASTCACHE][INVALID_FUNC]" in capsys.readouterr().err
    assert any("[FASTCACHE][INVALID_FUNC]" in r.getMessage() for r in caplog.records)
    caplog.clear()
    through_tensor(f)
    assert "[FASTCACHE]" not in capsys.readouterr().err
    assert not any("[FASTCACHE]" in r.getMessage() for r in caplog.records)
    assert f.to_numpy().tolist() == [1, 2]
    assert _flags(through_tensor)[3] is False  # not stored
