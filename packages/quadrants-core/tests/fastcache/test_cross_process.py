"""Fastcache across fresh processes (reference backend): robustness, concurrency, relocation, path unions."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from quadrants.fastcache.keys import SCHEMA_VERSION

from .conftest import parse

T, F = True, False

KERNEL = """
@qd.func
def helper(x):
    return x * 3 + 1


@qd.kernel(fastcache=True)
def k(a: qd.types.NDArray[qd.i32, 1]):
    for i in range(a.shape[0]):
        a[i] = helper(a[i])


init()
a = qd.ndarray(qd.i32, shape=(3,))
a.from_numpy(np.array([1, 2, 3], dtype=np.int32))
k(a)
report(k, a=a.to_numpy())
"""


@pytest.mark.parametrize("arch", ["ref", "llvm-cpu"])
def test_eight_processes_compile_into_one_directory_at_once(programs, arch):
    pytest.importorskip("quadrants_llvm" if arch == "llvm-cpu" else "quadrants_ref")
    path = programs.write(KERNEL)
    env = programs.env(QD_FC_TEST_ARCH=arch)
    pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "text": True}
    procs = [subprocess.Popen([sys.executable, str(path)], env=env, **pipes) for _ in range(8)]
    outs = []
    for p in procs:
        stdout, stderr = p.communicate(timeout=300)
        outs.append(parse(subprocess.CompletedProcess(p.args, p.returncode, stdout, stderr)))
    assert all(o["results"]["a"] == [4, 7, 10] for o in outs)
    assert not any(o["warnings"] for o in outs), [o["warnings"] for o in outs]
    leftovers = [f for f in programs.cache.rglob("*") if f.name.endswith(".tmp")]
    assert not leftovers
    after = programs.run(QD_FC_TEST_ARCH=arch)
    assert after["flags"] == [T, T, T, F] and after["results"]["a"] == [4, 7, 10]


def test_corrupt_truncated_and_garbage_files_are_misses(programs):
    assert programs.run(KERNEL)["flags"] == [T, F, F, T]
    entries = sorted((programs.cache / "python_side_cache").glob("*.cache.txt"))
    artifacts = sorted((programs.cache / "kernel_compilation_manager").glob("*"))
    assert len(entries) == 2 and len(artifacts) == 1
    # a truncated artifact
    data = artifacts[0].read_bytes()
    artifacts[0].write_bytes(data[: len(data) // 2])
    out = programs.run()
    assert out["flags"] == [T, T, F, T] and out["results"]["a"] == [4, 7, 10]
    assert any("Failed to load cache artifact" in w for w in out["warnings"])
    assert programs.run()["flags"] == [T, T, T, F]
    # truncated entries (both levels), then binary garbage
    for damage in (lambda b: b[: len(b) // 3], lambda b: bytes(range(256))):
        for e in entries:
            e.write_bytes(damage(e.read_bytes()))
        out = programs.run()
        assert out["flags"] == [T, F, F, T] and out["results"]["a"] == [4, 7, 10]
        assert any("UserWarning: Failed to parse L1 cache entry" in w for w in out["warnings"])
        assert programs.run()["flags"] == [T, T, T, F]
    # only the L2 entry damaged
    l1_names = {e.name for e in entries}
    for e in (programs.cache / "python_side_cache").glob("*.cache.txt"):
        if '"kind": "l2"' in e.read_text():
            e.write_text(json.dumps({"schema": SCHEMA_VERSION, "kind": "l2"}))
    out = programs.run()
    assert out["flags"] == [T, F, F, T] and any("Failed to parse L2 cache entry" in w for w in out["warnings"])
    assert l1_names
    assert programs.run()["flags"] == [T, T, T, F]


@pytest.mark.parametrize("arch", ["ref", "llvm-cpu"])
def test_a_flipped_byte_in_an_artifact_is_a_miss(programs, arch):
    # the llvm-cpu artifact is machine code: a damaged one must never reach the loader (it could run or abort)
    pytest.importorskip("quadrants_llvm" if arch == "llvm-cpu" else "quadrants_ref")
    assert programs.run(KERNEL, QD_FC_TEST_ARCH=arch)["flags"] == [T, F, F, T]
    (artifact,) = (programs.cache / "kernel_compilation_manager").glob("*")
    data = bytearray(artifact.read_bytes())
    for at in (len(data) // 3, len(data) // 2, len(data) - 40):
        damaged = bytearray(data)
        damaged[at] ^= 0x5A
        artifact.write_bytes(bytes(damaged))
        out = programs.run(QD_FC_TEST_ARCH=arch)
        assert out["flags"] == [T, T, F, T] and out["results"]["a"] == [4, 7, 10]
        assert any("checksum" in w for w in out["warnings"]), out["warnings"]
        assert programs.run(QD_FC_TEST_ARCH=arch)["flags"] == [T, T, T, F]
        data = bytearray(artifact.read_bytes())  # the recompile rewrote it


def test_deleted_artifact_recompiles_with_a_warning(programs):
    programs.run(KERNEL)
    for f in (programs.cache / "kernel_compilation_manager").glob("*"):
        f.unlink()
    out = programs.run()
    assert out["flags"] == [T, T, F, T] and out["results"]["a"] == [4, 7, 10]
    assert any("Failed to load cache artifact" in w and "missing" in w for w in out["warnings"])
    assert programs.run()["flags"] == [T, T, T, F]


def test_schema_version_change_never_reads_old_entries(programs, monkeypatch):
    programs.run(KERNEL)
    for e in (programs.cache / "python_side_cache").glob("*.cache.txt"):
        e.write_text(e.read_text().replace(f'"{SCHEMA_VERSION}"', '"qd-fastcache-0"'))
    out = programs.run()
    assert out["flags"] == [T, F, F, T]


def test_read_only_cache_directory_degrades_with_one_warning(programs):
    if os.geteuid() == 0:
        pytest.skip("root ignores directory permissions; test_lookup covers an unusable directory")
    programs.run(KERNEL)
    for d in (programs.cache, *programs.cache.iterdir()):
        d.chmod(0o555)
    try:
        out = programs.run()
    finally:
        for d in (programs.cache, *programs.cache.iterdir()):
            d.chmod(0o755)
    assert out["flags"] == [F, F, F, F] and out["results"]["a"] == [4, 7, 10]
    assert len([w for w in out["warnings"] if "not usable" in w]) == 1


MOVABLE = """
{gap}
@qd.kernel(fastcache=True)
def k(a: qd.types.NDArray[qd.i32, 1]):
    for i in range(4):
        a[i] = a[i] + 1


init(debug=True)
a = qd.ndarray(qd.i32, shape=(3,))
try:
    k(a)
    message = ""
except Exception as exc:
    message = str(exc)
import re
report(k, line=int(re.search(r"line (\\d+)", message).group(1)), text="a[i] = a[i] + 1" in message)
"""


def test_moved_kernel_hits_and_reports_its_new_lines(programs):
    cold = programs.run(MOVABLE.format(gap=""))
    warm = programs.run(MOVABLE.format(gap="\n\n\n"))
    assert cold["flags"] == [T, F, F, T] and warm["flags"] == [T, T, T, F]
    assert cold["results"]["text"] and warm["results"]["text"]
    assert warm["results"]["line"] == cold["results"]["line"] + 3


UNION = """
@qd.data_oriented
class S:
    def __init__(self, flag):
        self.flag = flag
        self.a = qd.ndarray(qd.i32, shape=(2,))
        self.b = qd.ndarray(qd.{b_dtype}, shape=(2,))

    @qd.kernel(fastcache=True)
    def run(self):
        for i in range(2):
            if qd.static(self.flag):
                self.a[i] = 1
            else:
                self.b[i] = 2


init()
outs = []
for flag in {flags}:
    s = S(flag)
    s.run()
    outs.append([s.a.to_numpy().tolist(), s.b.to_numpy().tolist()])
report(S.run, outs=outs)
"""


def test_read_path_union_over_specializations_stays_correct(programs):
    one = programs.run(UNION.format(b_dtype="i32", flags="[True]"))
    assert one["flags"] == [T, F, F, T]
    both = programs.run(UNION.format(b_dtype="i32", flags="[True, False]"))
    assert both["results"]["outs"] == [[[1, 1], [0, 0]], [[0, 0], [2, 2]]]
    # the union grew, so the flag=True entry (keyed over {flag, a}) is re-keyed once over {flag, a, b}
    regrown = programs.run(UNION.format(b_dtype="i32", flags="[True, False]"))
    assert regrown["flags"] == [T, T, T, T]
    again = programs.run(UNION.format(b_dtype="i32", flags="[True, False]"))
    assert again["flags"] == [T, T, T, F] and again["results"] == both["results"]
    # a dtype change at a path only the flag=False specialization reads still changes every key (the union)
    changed = programs.run(UNION.format(b_dtype="f32", flags="[False]"))
    assert changed["flags"] == [T, F, F, T] and changed["results"]["outs"] == [[[0, 0], [2.0, 2.0]]]
