"""Helpers of ``noxfile.py`` that are more than a session's few lines (distributions, the newcomer run).

Plain functions over paths and ``nox.Session`` objects; ``noxfile.py`` keeps one short function per session.
"""
