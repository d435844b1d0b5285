"""cuda/cubin_cache.py: PTX is assembled (and linked) by the driver once and the cubin loaded afterwards; a stand-in
driver counts the assemblies, so this runs without a GPU."""

from __future__ import annotations

import ctypes
from types import SimpleNamespace

import pytest

from quadrants_llvm.cpu import object_cache
from quadrants_llvm.cuda import cubin_cache, device_graph

PTX = b".version 8.0\n.target sm_90\n\0"


class Driver:
    """The driver calls cubin_cache makes; ``cuLinkComplete`` hands back ``image`` (or fails with ``fail``)."""

    CUjitInputType = SimpleNamespace(CU_JIT_INPUT_PTX=1, CU_JIT_INPUT_LIBRARY=4)

    def __init__(self, image: bytes = b"CUBIN-IMAGE", fail: int = 0):
        self.image = ctypes.create_string_buffer(image, len(image))
        self.fail = fail
        self.links = 0
        self.libraries = []

    def cuLinkCreate(self, n, options, values):
        self.links += 1
        return 0, "state"

    def cuLinkAddData(self, *args):
        return (0,)

    def cuLinkAddFile(self, state, kind, path, *args):
        self.libraries.append(path)
        return (0,)

    def cuLinkComplete(self, state):
        return self.fail, ctypes.addressof(self.image), len(self.image)

    def cuLinkDestroy(self, state):
        return (0,)

    def cuDriverGetVersion(self):
        return 0, 12040


def device(driver: Driver, refuse: bytes | None = None):
    """A stand-in device whose ``load_module`` returns what it was given (and refuses the image ``refuse``)."""
    loaded = []

    def load_module(image: bytes):
        if image == refuse:
            raise RuntimeError("CUDA_ERROR_INVALID_IMAGE")
        loaded.append(image)
        return image

    return SimpleNamespace(cu=driver, sm=90, current=lambda: None, load_module=load_module, loaded=loaded)


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("QD_CUDA_CUBIN_CACHE", "1")
    before = object_cache.directory()
    object_cache.configure(tmp_path, True)
    yield tmp_path / object_cache.GPU
    object_cache.configure(before.parent if before else None, before is not None)


def test_ptx_is_assembled_once_and_the_cubin_loaded_after(cache):
    dev = device(Driver())
    assert cubin_cache.load(dev, PTX) == b"CUBIN-IMAGE"
    assert cubin_cache.load(dev, PTX) == b"CUBIN-IMAGE"
    assert dev.cu.links == 1 and dev.loaded == [b"CUBIN-IMAGE"] * 2
    assert len(list(cache.iterdir())) == 1


def test_ptx_without_its_nul_is_the_same_module(cache):
    dev = device(Driver())
    cubin_cache.load(dev, PTX)
    cubin_cache.load(dev, PTX[:-1])
    assert dev.cu.links == 1


def test_the_key_names_the_device_and_the_driver():
    keys = {cubin_cache.image_key(PTX, sm, driver) for sm in (80, 90) for driver in (12040, 12080)}
    assert len(keys) == 4
    assert cubin_cache.image_key(PTX, 90, 12040, (("lib.a", 1, 2),)) != cubin_cache.image_key(PTX, 90, 12040)


def test_a_damaged_cubin_is_assembled_again(cache):
    dev = device(Driver())
    cubin_cache.load(dev, PTX)
    (entry,) = cache.iterdir()
    entry.write_bytes(entry.read_bytes()[:-3])  # truncated: the file's checksum no longer holds
    assert cubin_cache.load(dev, PTX) == b"CUBIN-IMAGE"
    assert dev.cu.links == 2


def test_a_cubin_the_driver_refuses_is_assembled_again(cache):
    cubin_cache.load(device(Driver(b"OLD-IMAGE")), PTX)
    dev = device(Driver(b"NEW-IMAGE"), refuse=b"OLD-IMAGE")
    assert cubin_cache.load(dev, PTX) == b"NEW-IMAGE"
    assert cubin_cache.load(device(Driver(b"NEW-IMAGE")), PTX) == b"NEW-IMAGE"  # the file was overwritten


def test_a_failed_link_loads_the_ptx_as_it_is(cache):
    dev = device(Driver(fail=218))  # CUDA_ERROR_INVALID_PTX from cuLinkComplete
    assert cubin_cache.load(dev, PTX) == PTX
    assert not cache.exists() or not any(cache.iterdir())  # nothing kept


def test_by_default_or_without_a_cache_the_ptx_is_loaded(cache, monkeypatch):
    monkeypatch.delenv("QD_CUDA_CUBIN_CACHE")
    dev = device(Driver())
    assert cubin_cache.load(dev, PTX) == PTX and dev.cu.links == 0
    monkeypatch.setenv("QD_CUDA_CUBIN_CACHE", "1")
    object_cache.configure(None, False)
    assert cubin_cache.load(dev, PTX) == PTX and dev.cu.links == 0


def test_a_module_linked_with_the_device_runtime_is_linked_once(cache, tmp_path, monkeypatch):
    """The set-condition and fused condition modules need ``libcudadevrt.a``: linked once, then loaded from the
    cache; a library that changes on disk is linked again."""
    library = tmp_path / "libcudadevrt.a"
    library.write_bytes(b"archive")
    monkeypatch.setenv("QD_CUDADEVRT", str(library))
    dev = device(Driver())
    assert device_graph._link_with_devrt(dev, PTX, b"x") == b"CUBIN-IMAGE"
    assert device_graph._link_with_devrt(dev, PTX, b"x") == b"CUBIN-IMAGE"
    assert dev.cu.links == 1 and dev.cu.libraries == [str(library).encode()]
    library.write_bytes(b"another archive")
    device_graph._link_with_devrt(dev, PTX, b"x")
    assert dev.cu.links == 2


def test_without_a_cache_the_device_runtime_is_still_linked(tmp_path, monkeypatch):
    library = tmp_path / "libcudadevrt.a"
    library.write_bytes(b"archive")
    monkeypatch.setenv("QD_CUDADEVRT", str(library))
    before = object_cache.directory()
    object_cache.configure(None, False)
    try:
        dev = device(Driver(fail=218))
        with pytest.raises((ImportError, RuntimeError)):  # the error, or no bindings to name it with
            device_graph._link_with_devrt(dev, PTX, b"x")  # no plain load to fall back to: the library is needed
        dev = device(Driver())
        assert device_graph._link_with_devrt(dev, PTX, b"x") == b"CUBIN-IMAGE"
    finally:
        object_cache.configure(before.parent if before else None, before is not None)
