"""The misuse corpus: bad or hostile programs run on every backend and classified (``nox -s robustness``).

Each program runs in a subprocess of its own (a crash or a hang costs one program). The outcome classes are listed in
:mod:`.classify`; a run fails when any program is an internal error, a crash, a hang or a wrong result. See
docs/robustness.md.
"""
