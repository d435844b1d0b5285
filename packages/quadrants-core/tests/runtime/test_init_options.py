"""qd.init options (quadrants/init_options.py): every upstream option is accepted, applied ones act, typos are named."""

from __future__ import annotations

from pathlib import Path

import pytest

import quadrants as qd
from quadrants import config
from quadrants.fastcache import keys
from quadrants.init_options import ACCEPTED, APPLIED, OPTIONS, UNKEYED, nearest_option

DOCS_CONFIGURATION = Path(__file__).resolve().parents[4] / "docs" / "configuration.md"

# Options upstream 1.3.3's qd.init accepts that upstream programs (and Genesis) pass; all must start a session.
UPSTREAM_EXAMPLES = {
    "print_full_traceback": True,
    "real_matrix_scalarize": False,
    "short_circuit_operators": True,
    "cuda_stack_limit": 8192,
    "random_seed": 7,
    "device_memory_GB": 2.0,
    "device_memory_fraction": 0.5,
    "kernel_profiler": True,
    "enable_fallback": True,
    "force_scalarize_matrix": True,
    "cfg_optimization": False,
    "ad_stack_sparse_threshold_bytes": 1 << 20,
    "ad_stack_experimental_enabled": False,
    "offline_cache_max_size_of_files": 1 << 30,
    "log_level": "warn",
    "debug": True,
    "offline_cache": True,
    "default_ip": qd.i64,
    "default_fp": qd.f64,
    "opt_level": 3,
    "advanced_optimization": False,
    "check_out_of_bound": True,
}


@pytest.fixture(autouse=True)
def _reset():
    yield
    qd.reset()
    qd.set_logging_level(qd.WARN)


def test_every_table_row_is_well_formed():
    for name, option in OPTIONS.items():
        assert option.name == name
        assert option.effect in (APPLIED, ACCEPTED)
        assert option.meaning, name


def test_upstream_options_start_a_session():
    session = qd.init(arch=qd.ref, **UPSTREAM_EXAMPLES)
    assert session.options.debug is True
    assert session.default_ip is qd.i64 and session.default_fp is qd.f64
    assert session.extra["random_seed"] == 7
    assert qd.cfg.cuda_stack_limit == 8192


@pytest.mark.parametrize("name", sorted(OPTIONS))
def test_each_option_is_accepted_with_its_default(name):
    option = OPTIONS[name]
    if name == "arch" or option.default is None:
        pytest.skip("no default value to pass")
    qd.init(arch=qd.ref, **{name: option.default})
    if name not in ("lane_order", "seed", "check_races"):
        assert getattr(qd.cfg, name) == option.default


def test_misspelled_option_names_the_nearest_one():
    with pytest.raises(KeyError, match=r"Unrecognized keyword argument.*fastmath.*did you mean 'fast_math'"):
        qd.init(arch=qd.ref, fastmath=True)
    with pytest.raises(KeyError, match=r"print_full_tracebak.*'print_full_traceback'"):
        qd.init(arch=qd.ref, print_full_tracebak=True)
    assert nearest_option("zzzz_not_an_option") is None


def test_environment_variables_set_options_and_arguments_win(monkeypatch):
    monkeypatch.setenv("QD_DEBUG", "1")
    monkeypatch.setenv("QD_RANDOM_SEED", "11")
    monkeypatch.setenv("QD_DEFAULT_FP", "64")
    session = qd.init(arch=qd.ref)
    assert session.options.debug and session.default_fp is qd.f64 and session.extra["random_seed"] == 11
    session = qd.init(arch=qd.ref, debug=False, random_seed=3)
    assert not session.options.debug and session.extra["random_seed"] == 3


def test_malformed_environment_values_name_the_variable():
    with pytest.raises(ValueError, match="QD_DEBUG"):
        config.read_init_options({"QD_DEBUG": "maybe"})
    with pytest.raises(ValueError, match="QD_DEFAULT_IP"):
        config.read_init_options({"QD_DEFAULT_IP": "16"})
    with pytest.raises(ValueError, match="QD_CUDA_STACK_LIMIT"):
        config.read_init_options({"QD_CUDA_STACK_LIMIT": "lots"})


def test_enable_fallback_false_raises_for_an_unavailable_arch():
    backend = qd.init(arch=qd.cuda).backend
    if backend.id == "llvm-cuda":
        pytest.skip("a CUDA device is available")
    with pytest.raises(RuntimeError, match="enable_fallback=False"):
        qd.init(arch=qd.cuda, enable_fallback=False)


def test_require_version():
    qd.init(arch=qd.ref, require_version="1.3.0")
    with pytest.raises(Exception, match="version mismatch"):
        qd.init(arch=qd.ref, require_version="1.4.0")
    with pytest.raises(Exception, match="version mismatch"):
        qd.init(arch=qd.ref, require_version="2.0")


def test_print_full_traceback_keeps_compiler_frames():
    assert qd.init(arch=qd.ref, print_full_traceback=True).env.full_traceback


def test_log_level_sets_the_quadrants_logger():
    qd.init(arch=qd.ref, log_level=qd.ERROR)
    assert not qd.is_logging_effective(qd.WARN)
    assert qd.is_logging_effective(qd.CRITICAL)


def _l1(**init):
    session = qd.init(arch="ref", **init)
    return keys.l1_key(session, "m", "k", "/p.py", "h", "0", keys.backend_identity(session.backend))


def test_fastcache_key_ignores_defaults_and_unkeyed_options():
    base = _l1()
    assert _l1(random_seed=0, opt_level=1) == base  # defaults given explicitly
    special = {"log_level": "error", "require_version": "1.0", "enable_fallback": True}
    for name in sorted(UNKEYED):
        value = OPTIONS[name].default
        changed = (not value) if isinstance(value, bool) else ("x" if not isinstance(value, (int, float)) else 1)
        assert _l1(**{name: special.get(name, changed)}) == base, name
    assert _l1(random_seed=5) != base
    assert _l1(real_matrix_scalarize=False) != base  # accepted options stay keyed: a wrong miss is harmless


@pytest.mark.skipif(not DOCS_CONFIGURATION.is_file(), reason="not running from a source checkout")
@pytest.mark.parametrize("name", sorted(OPTIONS))
def test_every_option_is_documented_in_the_user_docs(name):
    assert f"| `{name}` |" in DOCS_CONFIGURATION.read_text(encoding="utf-8")
