"""docs/semantics.md §16.4 and §17: random graph/do_while/checkpoint scenarios checked against a model of the driver.

Each case runs a batch of generated scenarios (:mod:`quadrants_conformance.graph_scenarios`): for every scenario the
kernel source is written to a file and imported, the §17.6 host loop runs it, and the result of every launch (status,
label identity, arrays, introspection tables) is compared with a pure-Python model of the §16.4 driver. A difference
raises ``AssertionError`` (the case declares no exception, so this fails the case, with the scenario's source in the
message). The returned observables are per-scenario summaries, compared between the reference and the backend.

``QD_GRAPH_SCENARIOS`` sets the number of scenarios (default 50, in batches of 10) and ``QD_GRAPH_SEED`` the base seed.
"""

from quadrants_conformance import case
from quadrants_conformance.graph_scenarios import check_many, scenario_count

BATCH = 10
COUNT = scenario_count(50)


def _batch(lo: int, hi: int):
    def run():
        return check_many(range(lo, hi))

    run.__name__ = run.__qualname__ = f"graph_scenarios_{lo:04d}_{hi - 1:04d}"
    run.__module__ = __name__
    run.__doc__ = f"Generated graph scenarios {lo}..{hi - 1} against the §16.4 model."
    return case(run, section="16.4")


def _register() -> None:
    for lo in range(0, COUNT, BATCH):
        c = _batch(lo, min(COUNT, lo + BATCH))
        globals()[c.id] = c


_register()
