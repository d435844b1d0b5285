"""Parity with upstream Quadrants: the conformance cases and fuzz programs run on upstream 1.3.3 (``qd.cpu``, in a
subprocess under upstream's own interpreter) and on the reference backend, compared with the conformance rules.

* :mod:`~quadrants_conformance.parity.plain` — observables and exceptions as plain data both interpreters share;
* :mod:`~quadrants_conformance.parity.child` — the worker that runs under upstream's interpreter;
* :mod:`~quadrants_conformance.parity.upstream` — starting, feeding and restarting that worker;
* :mod:`~quadrants_conformance.parity.differences` — the checked-in list of deliberate differences (docs/parity.md);
* :mod:`~quadrants_conformance.parity.run` — ``nox -s parity``.
"""
