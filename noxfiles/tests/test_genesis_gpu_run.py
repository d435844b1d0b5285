"""The offline GPU run of Genesis (downstream/genesis/gpu_run.sh): its stand-ins for load-time-only imports, the wheel
trimming of pack_gpu.py and the comparison with stored states, all of which run without Genesis."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
GENESIS = ROOT / "downstream" / "genesis"
sys.path.insert(0, str(GENESIS))

import compare_stored  # noqa: E402
import pack_gpu  # noqa: E402


def _python(code: str) -> subprocess.CompletedProcess:
    # a fresh interpreter: install() changes sys.meta_path for good
    return subprocess.run([sys.executable, "-c", code], cwd=GENESIS, capture_output=True, text=True, timeout=60)


def test_a_stand_in_imports_with_its_submodules_and_fails_when_called():
    done = _python(
        "import absent, sys\n"
        "absent.ABSENT = ('qd_surely_not_installed',)\n"
        "assert absent.install(absent.ABSENT) == ['qd_surely_not_installed']\n"
        "import qd_surely_not_installed as m\n"
        "from qd_surely_not_installed.sub.deeper import Thing\n"
        "class Derived(m.Base): pass\n"
        "try:\n"
        "    m.__version__\n"
        "except ImportError as e:\n"
        "    print('version:', type(e).__name__)\n"
        "try:\n"
        "    Thing(1)\n"
        "except absent.AbsentModuleError as e:\n"
        "    print('call:', e)\n"
    )
    assert done.returncode == 0, done.stderr
    assert "version: AbsentModuleError" in done.stdout
    assert "call: qd_surely_not_installed.sub.deeper.Thing was called" in done.stdout


def test_an_installed_module_is_never_stood_in():
    done = _python("import absent; print(absent.install(('json', 'qd_nope'))); import json; print(json.dumps([1]))")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:2] == ["['qd_nope']", "[1]"]


def test_repack_drops_what_the_scenes_never_load_and_rewrites_the_record(tmp_path):
    src = tmp_path / "src" / "genesis_world-1.4.5-py3-none-any.whl"
    src.parent.mkdir()
    files = {
        "genesis/__init__.py": b"x = 1\n",
        "genesis/assets/meshes/big.obj": b"v 0 0 0\n" * 100,
        "genesis/assets/xml/ant.xml": b"<mujoco/>",
        "genesis_world-1.4.5.dist-info/METADATA": b"Name: genesis-world\n",
        "genesis_world-1.4.5.dist-info/RECORD": b"stale\n",
    }
    with zipfile.ZipFile(src, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    out = tmp_path / "out"
    out.mkdir()
    packed = pack_gpu.repack(src, out)
    with zipfile.ZipFile(packed) as z:
        names = set(z.namelist())
        record = z.read("genesis_world-1.4.5.dist-info/RECORD").decode().splitlines()
        assert {i.compress_type for i in z.infolist()} == {zipfile.ZIP_LZMA}
    assert "genesis/assets/meshes/big.obj" not in names and "genesis/assets/xml/ant.xml" in names
    assert record[-1] == "genesis_world-1.4.5.dist-info/RECORD,,"
    rows = {r.split(",")[0]: r for r in record}
    assert set(rows) == names
    digest = pack_gpu._digest(files["genesis/__init__.py"])
    assert rows["genesis/__init__.py"] == f"genesis/__init__.py,{digest},6"


def test_every_carried_or_absent_module_is_named_once():
    import absent

    carried = {r.split("==")[0].lower() for r in pack_gpu.CARRIED}
    assert len(set(absent.ABSENT)) == len(absent.ABSENT)
    # a module both carried and stood in for would hide a failed install
    assert not carried & {m.lower() for m in absent.ABSENT}


def _packed(path: Path, scenes: dict) -> Path:
    flat = {f"{s}/{side}/{k}": v for s, sides in scenes.items() for side, a in sides.items() for k, v in a.items()}
    np.savez(path, **flat)
    return path


def test_compare_with_stored_states_both_sides_and_the_exit_status(tmp_path):
    base = {"body0.qpos": np.arange(7.0), "body0.dofs_vel": np.zeros(6)}
    near = {k: v + 2e-5 for k, v in base.items()}
    far = {k: v + 1e-2 for k, v in base.items()}
    states = _packed(tmp_path / "s.npz", {"rigid_primitives": {"ours": near, "upstream": base}})
    stored = tmp_path / "stored.json"
    script = str(GENESIS / "compare_stored.py")
    save = [sys.executable, script, str(states), "--save", str(stored), "--side", "upstream"]
    assert subprocess.run(save, capture_output=True, timeout=60).returncode == 0
    assert set(json.loads(stored.read_text())["scenes"]) == {"rigid_primitives"}
    results = compare_stored.compare_with_stored(compare_stored.load_packed(states), compare_stored.load_stored(stored))
    assert results["rigid_primitives"]["ours"]["ok"] and results["rigid_primitives"]["upstream"]["arrays"] == {
        "body0.dofs_vel": 0.0,
        "body0.qpos": 0.0,
    }
    assert results["rigid_primitives"]["ours"]["arrays"]["body0.qpos"] == pytest.approx(2e-5)
    bad = _packed(tmp_path / "b.npz", {"rigid_primitives": {"ours": far}})
    done = subprocess.run(
        [sys.executable, str(GENESIS / "compare_stored.py"), str(bad), "--stored", str(stored)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1 and "DIFFER" in done.stdout
