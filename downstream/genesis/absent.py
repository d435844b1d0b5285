"""Stand-ins for the modules Genesis imports when it loads but the project's scenes never call.

Genesis 1.4.5 imports about thirty third-party packages at ``import genesis`` (mesh repair, EXR images, video,
URDF macros, an SMT solver, ...). The headless scenes of ``scenes.py`` call into a dozen of them (``pack_gpu.py``
lists those); the others only need to import. On a machine that cannot install them (the offline GPU machine of
``gpu_run.sh``, whose working tree may carry a few tens of MiB), :func:`install` lets such an import succeed with an
empty stand-in module, so Genesis runs unchanged. The stand-ins sit behind every real finder, so an installed module
always loads for real, and any use of a stand-in beyond importing it (calling anything from it) raises
:class:`AbsentModuleError` naming the module: a scene that starts to need one fails loudly instead of computing
something else.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import sys
import types

__all__ = ["ABSENT", "AbsentModuleError", "install"]

# top-level modules Genesis imports at load time that the scenes never call (profiled on gs.cpu)
ABSENT = (
    "coacd",  # convex decomposition
    "Imath",  # OpenEXR
    "OpenEXR",
    "tetgen",  # tetrahedral meshing (FEM)
    "pygel3d",  # hybrid entities
    "DracoPy",  # glTF mesh compression
    "pygltflib",
    "fast_simplification",
    "skimage",  # marching cubes for SDF meshes
    "z3",  # collision pair pruning of hand-made models
    "av",  # video recording
    "xacro",  # URDF macros
    "zstandard",  # trajectory recorder
    "matplotlib",  # plotting recorders, hybrid entities
    "freetype",  # viewer text
)


class AbsentModuleError(ModuleNotFoundError):
    """A stand-in of :data:`ABSENT` was used beyond its import."""


class _Placeholder:
    """Any name read from a stand-in module: reading further names gives more placeholders, calling one raises."""

    def __init__(self, name: str):
        self._name = name

    def __getattr__(self, attr: str):
        if attr.startswith("__"):
            raise AttributeError(attr)
        return _Placeholder(f"{self._name}.{attr}")

    def __call__(self, *args, **kwargs):
        top = self._name.partition(".")[0]
        raise AbsentModuleError(
            f"{self._name} was called, but '{top}' is not installed here: downstream/genesis/absent.py stands in for "
            f"it at import only. Install it (add it to pack_gpu.py's CARRIED for the GPU machine).",
            name=top,
        )

    def __mro_entries__(self, bases):
        # `class X(absent_module.Base)` at import time: the class is made, using it later fails on its own terms
        return (object,)

    def __repr__(self) -> str:
        return f"<absent {self._name}>"


class _AbsentModule(types.ModuleType):
    def __getattr__(self, attr: str):
        if attr == "__version__":  # a version check under `except ImportError` then finds the module missing
            message = f"'{self.__name__}' is not installed (absent.py stands in for it)"
            raise AbsentModuleError(message, name=self.__name__)
        if attr.startswith("__"):
            raise AttributeError(attr)
        return _Placeholder(f"{self.__name__}.{attr}")


class _Finder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def __init__(self, names: frozenset[str]):
        self.names = names

    def find_spec(self, fullname, path=None, target=None):
        if fullname.partition(".")[0] not in self.names:
            return None
        return importlib.machinery.ModuleSpec(fullname, self, is_package=True)

    def create_module(self, spec):
        module = _AbsentModule(spec.name)
        module.__path__ = []  # a package, so that `from matplotlib.patches import X` finds a submodule here too
        return module

    def exec_module(self, module) -> None:
        pass


def install(names=ABSENT) -> list[str]:
    """Stand in for those of ``names`` that are not installed; returns them (sorted). Call before ``import
    genesis``; installing twice adds nothing."""
    missing = sorted(n for n in names if n not in sys.modules and importlib.util.find_spec(n) is None)
    if missing and not any(isinstance(f, _Finder) for f in sys.meta_path):
        sys.meta_path.append(_Finder(frozenset(missing)))
    return missing
