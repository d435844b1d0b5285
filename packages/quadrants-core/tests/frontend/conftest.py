"""Helpers for frontend tests: lower a kernel to IR text without any backend."""

from __future__ import annotations

import numpy as np
import pytest

from quadrants.backend import CompileOptions
from quadrants.frontend.kernel import build_program
from quadrants.ir.printer import format_program
from quadrants.ir.verifier import verify
from quadrants.passes import DEFAULT_PASSES, run_pipeline
from quadrants.runtime import state
from quadrants.runtime.args import bind_arguments, make_params
from quadrants.runtime.state import Session


class _HostOnlyBackend:
    """Just enough of a backend to bind NumPy arguments: lowering never launches."""

    id = "host-only"

    def wrap_numpy(self, array):
        return array

    def allocate(self, dtype, shape):
        return np.zeros(shape, dtype.np)


@pytest.fixture
def session():
    saved = state.RUNTIME.session
    sess = Session(backend=_HostOnlyBackend(), arch=None, options=CompileOptions())
    state.RUNTIME.session = sess
    yield sess
    state.RUNTIME.session = saved


@pytest.fixture
def lower(session):
    """``lower(kernel, *args, optimize=True) -> Program`` (verified)."""

    def run(kernel, *args, optimize: bool = True, **kwargs):
        params = make_params(kernel.fn.__name__, kernel.resolved_signature(), session)
        values = bind_arguments(params, args, kwargs)
        bound = [p.convert(v, session) for p, v in zip(params, values)]
        _, program = build_program(kernel, session, bound, kernel.fn.__name__)
        verify(program)
        if optimize:
            program = run_pipeline(program, DEFAULT_PASSES, verify=True)
        return program

    return run


@pytest.fixture
def lower_text(lower):
    def run(kernel, *args, **kwargs):
        return format_program(lower(kernel, *args, **kwargs))

    return run
