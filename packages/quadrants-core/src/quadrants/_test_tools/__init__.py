"""Test helpers upstream ships inside its package (``quadrants._test_tools``), written here for programs and test
suites that import them: :func:`qd_init_same_arch` and :mod:`quadrants._test_tools.load_kernel_string`."""

from __future__ import annotations

__all__ = ["qd_init_same_arch"]


def qd_init_same_arch(**options) -> None:
    """``qd.init`` again on the arch of the current session, with ``options``."""
    from quadrants.runtime.config_view import session_arch
    from quadrants.runtime.state import current_session, init

    init(arch=session_arch(current_session()), **options)
