"""Differential fuzzing: random well-typed, race-free kernels run on ``ref`` and on a backend, compared, shrunk.

* :mod:`.types` the scalar type rules the generator needs; :mod:`.program` the program tree and its rendering;
* :mod:`.choices` the decisions (a ``Chooser``) and options; :mod:`.expressions` typed expression generation;
  :mod:`.generate` statements and whole programs;
  :mod:`.strategies` the same generator as hypothesis strategies;
* :mod:`.execute` runs one rendered program on a backend; :mod:`.shrink` delta-reduces a failing program;
* :mod:`.run` the command line (``nox -s fuzz -- --backend llvm-cpu --minutes 1 --seed 1``);
* ``corpus/`` past findings, each a self-contained program; ``cases/test_fuzz_corpus.py`` runs them as cases.
"""
