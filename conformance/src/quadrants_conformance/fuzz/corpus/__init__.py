"""Fuzz findings kept as regression programs (each defines ``run()`` and ``TOL``; see docs/fuzzing.md)."""
