"""Build ``.whl-gs/``: the wheels Genesis needs on a GPU machine that has no package index (``gpu_run.sh``).

``python downstream/genesis/pack_gpu.py [--out .whl-gs] [--python-version 3.12] [--have .whl-up] [--with NAME==V ...]``

The machine's image already has Python with NumPy, SciPy, torch (and what torch pulls in: networkx, sympy),
llvmlite and Pillow; the working tree that travels to it may carry only a few tens of MiB. So this carries only the
distributions the project's scenes (``scenes.py``) call into, found by profiling them on ``gs.cpu``, each trimmed of
what those scenes never load (tests, documentation, Windows DLLs, GLES bindings, the 250 MB of Genesis assets less the
two files the scenes read) and recompressed with LZMA (pip reads such wheels as it reads any other). The modules
Genesis imports at load time but the scenes never call stay behind: ``absent.py`` stands in for them. Wheels already
in ``--have`` (``.whl-up/`` holds pydantic and its helpers beside upstream's wheel) are not carried twice.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

__all__ = ["CARRIED", "PYDANTIC", "repack"]

# distribution -> what the scenes use it for (profiled with sys.setprofile over all three scenes on gs.cpu)
CARRIED = {
    "genesis-world==1.4.5": "Genesis itself (installed --no-deps)",
    "mujoco==4.0.1": "MJCF parsing (mjcf_robot: MjModel.from_xml_string)",
    "mujoco-core==4.0.1": "mujoco's compiled bindings",
    "glfw==2.11.0": "imported by mujoco at load time",
    "libigl==2.6.3": "signed distance fields of the meshes (rigid SDF grids, particle sampling), on a cold cache",
    "numba==0.68.1": "genesis.utils.geom's jitted transforms at scene build (needs the image's llvmlite 0.50)",
    "PyOpenGL==3.1.10": "the offscreen rasterizer Genesis always builds (EGL context)",
    "pyglet==2.1.19": "display probing and the rasterizer's window-less platform",
    "trimesh==5.2.0": "primitive meshes (boxes, spheres, the plane) and their visuals",
    "frozendict==2.5.1": "Genesis options",
    "py-cpuinfo==9.0.0": "gs.init's device report",
    "psutil==7.2.2": "gs.init's device report",
}
# Genesis validates its options with pydantic; .whl-up carries the same set for upstream Quadrants
PYDANTIC = [
    "pydantic==2.14.4",
    "pydantic-core==2.50.5",
    "annotated-types==0.8.0",
    "typing-inspection==0.4.5",
    "typing-extensions==4.16.0",
]
# what each distribution's wheel loses (path prefixes inside the wheel); KEEP wins over DROP
DROP = {
    "genesis_world": ("genesis/assets/", "genesis/ext/VolumeSampling/", "genesis/ext/LuisaRender/"),
    "numba": ("numba/tests/", "numba/cuda/"),
    # the core bindings only: Embree, CGAL, Triangle, Spectra, predicates, static libraries and docs stay behind
    "libigl": (
        *("lib64/", "share/", "include/", "lib/"),
        *(f"igl/{d}/" for d in ("embree", "copyleft", "triangle", "spectra", "predicates", "cycodebase")),
    ),
    "mujoco_core": (
        *(f"mujoco/{d}/" for d in ("doc", "include", "testdata", "usd", "sysid", "studio", "introspect", "plugin")),
        *("mujoco/_simulate.", "mujoco/_rollout.", "mujoco/_batch."),  # the viewer, rollouts, batches: not imported
    ),
    "pyopengl": tuple(
        f"OpenGL/{d}/"
        for d in ("DLLS", "GLES1", "GLES2", "GLES3", "WGL", "raw/GLES1", "raw/GLES2", "raw/GLES3", "raw/WGL")
    ),
}
KEEP = {"genesis_world": ("genesis/assets/textures/checker.png", "genesis/assets/xml/ant.xml")}
PLATFORMS = ["manylinux_2_28_x86_64", "manylinux_2_27_x86_64", "manylinux_2_17_x86_64", "manylinux2014_x86_64",
             "manylinux_2_12_x86_64", "manylinux2010_x86_64", "manylinux1_x86_64"]  # fmt: skip


def _dist(wheel: Path) -> str:
    return wheel.name.split("-")[0].lower()


def _digest(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def repack(src: Path, out_dir: Path) -> Path:
    """Copy the wheel ``src`` into ``out_dir`` less its DROP entries, with a matching RECORD, LZMA-compressed."""
    dist = _dist(src)
    drop, keep = DROP.get(dist, ()), KEEP.get(dist, ())
    dst = out_dir / src.name
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_LZMA) as zout:
        record_name = next(n for n in zin.namelist() if n.endswith(".dist-info/RECORD"))
        rows = []
        for info in zin.infolist():
            name = info.filename
            if name == record_name or (name.startswith(drop) and not name.startswith(keep)):
                continue
            data = zin.read(info)
            zout.writestr(info, data, compress_type=zipfile.ZIP_LZMA)
            rows.append(f"{name},{_digest(data)},{len(data)}")
        rows.append(f"{record_name},,")
        zout.writestr(record_name, "\n".join(rows) + "\n", compress_type=zipfile.ZIP_LZMA)
    return dst


def download(requirements: list[str], into: Path, python_version: str) -> list[Path]:
    """Wheels for ``python_version`` on x86-64 Linux (pure ones too), without their dependencies."""
    cmd = [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary=:all:", "-d", str(into),
           "--python-version", python_version, "--implementation", "cp"]  # fmt: skip
    cmd += [a for p in PLATFORMS for a in ("--platform", p)] + ["--platform", "any"]
    subprocess.run([*cmd, *requirements], check=True)
    return sorted(into.glob("*.whl"))


# Genesis always builds an offscreen rasterizer, even headless, through EGL; the GPU machine's image may lack the
# loader (the NVIDIA driver brings the vendor library): the glvnd packages of Ubuntu, unpacked by gpu_run.sh if needed
DEBS = ["libegl1", "libglvnd0", "libopengl0", "libgl1", "libglx0"]


def download_debs(into: Path) -> None:
    """The EGL loader packages (amd64) into ``into``, with apt's own lists kept apart from the system's."""
    into.mkdir(parents=True, exist_ok=True)
    lists = Path(tempfile.mkdtemp(prefix="apt-amd64-"))
    (lists / "partial").mkdir()
    opts = ["-oAPT::Architecture=amd64", "-oAPT::Architectures=amd64", f"-oDir::State::Lists={lists}"]
    try:
        subprocess.run(["apt-get", *opts, "update"], check=True, capture_output=True)
        subprocess.run(["apt-get", *opts, "download", *DEBS], check=True, cwd=into, capture_output=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        print(f"EGL loader debs not fetched ({exc}); gpu_run.sh then relies on the image's libEGL")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=".whl-gs")
    parser.add_argument("--python-version", default="3.12")
    parser.add_argument("--have", default=".whl-up", help="a wheel folder that also travels: skip what it holds")
    parser.add_argument("--with", dest="extra", action="append", default=[], help="one more requirement, e.g. Pillow")
    args = parser.parse_args()
    have = {_dist(w) for w in Path(args.have).glob("*.whl")} if args.have else set()
    wanted = [*CARRIED, *PYDANTIC, *args.extra]
    wanted = [r for r in wanted if r.split("==")[0].lower().replace("-", "_") not in have]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for old in [*out.glob("*.whl"), *out.glob("debs/*.deb")]:
        old.unlink()
    with tempfile.TemporaryDirectory() as tmp:
        for wheel in download(wanted, Path(tmp), args.python_version):
            packed = repack(wheel, out)
            print(f"{packed.stat().st_size / 2**20:7.2f} MiB  (was {wheel.stat().st_size / 2**20:6.2f})  {packed.name}")
    download_debs(out / "debs")
    total = sum(w.stat().st_size for w in out.rglob("*") if w.is_file())
    print(f"{total / 2**20:7.2f} MiB in {out}")


if __name__ == "__main__":
    main()
