"""quadrants.config: parsing of the QD_* environment variables."""

from __future__ import annotations

from pathlib import Path

import pytest

from quadrants import config
from quadrants.config import Env, read_env

DOCS_CONFIGURATION = Path(__file__).resolve().parents[3] / "docs" / "configuration.md"


def test_empty_environment_gives_defaults():
    env = read_env({"HOME": "/home/u"})
    assert env == Env(cache_dir=Path("/home/u/.cache/quadrants"))
    assert env.dump_ir == frozenset()
    assert env.log == frozenset()
    assert env.full_traceback is False
    assert env.verify_ir is False
    assert env.arch is None
    assert env.lane_order == "ascending"


def test_env_is_frozen():
    env = read_env({})
    with pytest.raises(AttributeError):
        env.arch = "ref"  # type: ignore[misc]


def test_dump_ir_names_and_all():
    env = read_env({"QD_DUMP_IR": " lower_for, simplify ,"})
    assert env.dump_ir == {"lower_for", "simplify"}
    assert env.dumps_ir_after("simplify")
    assert not env.dumps_ir_after("dce")
    assert read_env({"QD_DUMP_IR": "all"}).dumps_ir_after("dce")


def test_log_channels():
    env = read_env({"QD_LOG": "cache,Launch"})
    assert env.log == {"cache", "launch"}
    assert env.logs("cache")
    assert not env.logs("compile")


def test_unknown_log_channel_names_the_variable():
    with pytest.raises(ValueError, match=r"QD_LOG.*cahce"):
        read_env({"QD_LOG": "cahce"})


@pytest.mark.parametrize(("text", "expected"), [("1", True), ("true", True), ("ON", True), ("0", False), ("", False)])
def test_booleans(text, expected):
    env = read_env({"QD_FULL_TRACEBACK": text, "QD_VERIFY_IR": text})
    assert env.full_traceback is expected
    assert env.verify_ir is expected


def test_malformed_boolean_names_the_variable():
    with pytest.raises(ValueError, match="QD_VERIFY_IR"):
        read_env({"QD_VERIFY_IR": "maybe"})


def test_cache_dir_expands_home_from_the_given_mapping():
    assert read_env({"HOME": "/h", "QD_CACHE_DIR": "~/qc"}).cache_dir == Path("/h/qc")
    assert read_env({"QD_CACHE_DIR": "/tmp/qd"}).cache_dir == Path("/tmp/qd")


def test_arch_is_normalised():
    assert read_env({"QD_ARCH": " CPU "}).arch == "cpu"
    assert read_env({"QD_ARCH": ""}).arch is None


def test_lane_order():
    assert read_env({"QD_LANE_ORDER": "reversed"}).lane_order == "reversed"
    with pytest.raises(ValueError, match="QD_LANE_ORDER"):
        read_env({"QD_LANE_ORDER": "random"})


def test_set_variables_lists_only_known_set_names():
    environ = {"QD_ARCH": "ref", "QD_UNKNOWN": "1", "PATH": "/bin", "QD_LOG": "cache"}
    assert config.set_variables(environ) == {"QD_LOG": "cache", "QD_ARCH": "ref"}


@pytest.mark.parametrize("name", config.VARIABLES)
def test_every_variable_is_documented_in_the_module_table(name):
    assert f"``{name}``" in (config.__doc__ or "")


@pytest.mark.skipif(not DOCS_CONFIGURATION.is_file(), reason="not running from a source checkout")
@pytest.mark.parametrize("name", config.VARIABLES)
def test_every_variable_is_documented_in_the_user_docs(name):
    assert f"`{name}`" in DOCS_CONFIGURATION.read_text(encoding="utf-8")
