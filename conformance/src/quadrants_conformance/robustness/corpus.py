"""The whole misuse corpus, assembled from its category modules."""

from __future__ import annotations

from quadrants_conformance.robustness import corpus_arguments, corpus_graph, corpus_host, corpus_language, corpus_system

__all__ = ["all_programs"]


def all_programs() -> list:
    programs = []
    for module in (corpus_arguments, corpus_language, corpus_host, corpus_graph, corpus_system):
        programs.extend(module.programs())
    ids = [p.id for p in programs]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        raise ValueError(f"duplicate corpus ids: {sorted(duplicates)}")
    return programs
