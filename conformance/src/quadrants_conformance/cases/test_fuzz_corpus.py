"""Fuzz findings as regular cases: each ``quadrants_conformance/fuzz/corpus/*.py`` program becomes one case.

A corpus program defines ``run()`` (builds its inputs, runs its kernel, returns its arrays and result), ``TOL`` (the
tolerance row) and optionally ``REQUIRES`` (capabilities). The case id is the file name. Known backend bugs found by
the fuzzer are listed in that backend's expectation file with the corpus case id (docs/fuzzing.md).
"""

from pathlib import Path

from quadrants_conformance import case
from quadrants_conformance.fuzz.execute import load_module

CORPUS = Path(__file__).resolve().parent.parent / "fuzz" / "corpus"


def _corpus_case(path: Path):
    module = load_module(path)

    def run_corpus_program():
        return load_module(path).run()  # a fresh import per run: kernels compile for the backend under test

    run_corpus_program.__name__ = run_corpus_program.__qualname__ = path.stem
    run_corpus_program.__module__ = __name__
    run_corpus_program.__doc__ = (module.__doc__ or "").strip().splitlines()[0] if module.__doc__ else None
    return case(run_corpus_program, tol=getattr(module, "TOL", "exact"), requires=getattr(module, "REQUIRES", ()))


for _path in sorted(CORPUS.glob("*.py")):
    if _path.name != "__init__.py":
        globals()[_path.stem] = _corpus_case(_path)
