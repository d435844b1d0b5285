"""``@qd.perf_dispatch``: one meta-function, several registered implementations with identical effects; each call
runs the fastest compatible one, found by timing them in turn (docs/perf_dispatch.md).

Per geometry (``get_geometry_hash(*args, **kwargs)``), a measuring round spreads over successive calls: as upstream,
each call runs exactly one implementation (the compatible one run least so far in the round), so a call's side effects
happen once. Each implementation is run ``first_warmup`` times untimed (later rounds: ``warmup``), then ``active``
times timed with a sync before and after; once all have their timed runs, the fastest mean wins until
``repeat_after_count`` more calls or ``repeat_after_seconds`` have passed, then a new round starts. An implementation
whose ``is_compatible(*args, **kwargs)`` returns False is never run for those arguments.
"""

from __future__ import annotations

import inspect
import time
from collections import defaultdict

from quadrants.errors import QuadrantsRuntimeError, QuadrantsSyntaxError, caller_loc
from quadrants.runtime.state import sync

__all__ = ["perf_dispatch", "PerformanceDispatcher", "DispatchImpl"]

DEFAULT_REPEAT_AFTER_COUNT = 300


def _parameters(fn) -> list[str]:
    target = getattr(fn, "fn", fn)  # a @qd.kernel / @qd.func wraps the Python function
    return list(inspect.signature(target).parameters)


class DispatchImpl:
    """A registered implementation and its compatibility predicate."""

    def __init__(self, implementation, is_compatible=None):
        self.__wrapped__ = implementation
        self.is_compatible = is_compatible
        self.__name__ = getattr(implementation, "__name__", repr(implementation))

    def __call__(self, *args, **kwargs):
        return self.__wrapped__(*args, **kwargs)


class PerformanceDispatcher:
    """The meta-function object ``@qd.perf_dispatch`` returns; register implementations with ``.register``."""

    def __init__(
        self,
        get_geometry_hash,
        fn,
        first_warmup=1,
        warmup=0,
        active=1,
        repeat_after_count=None,
        repeat_after_seconds=None,
    ):
        self._name = fn.__name__
        self._params = _parameters(fn)
        self._geometry = get_geometry_hash
        self.num_first_warmup, self.num_warmup, self.num_active = first_warmup, warmup, active
        if repeat_after_count is None and repeat_after_seconds is None:
            repeat_after_count = DEFAULT_REPEAT_AFTER_COUNT
        self.repeat_after_count, self.repeat_after_seconds = repeat_after_count, repeat_after_seconds
        self._impls: list[DispatchImpl] = []
        self._fastest: dict = {}
        self._times: dict = defaultdict(lambda: defaultdict(list))
        self._calls_since: dict = defaultdict(int)
        self._chosen_at: dict = defaultdict(float)
        self._rounds: dict = defaultdict(int)
        self._trials: dict = defaultdict(lambda: defaultdict(int))  # runs of each implementation in the round

    def register(self, implementation=None, *, is_compatible=None):
        """``@meta.register`` or ``@meta.register(is_compatible=...)`` above an implementation."""

        def decorator(fn):
            params = _parameters(fn)
            for name in params:
                if name not in self._params:
                    raise QuadrantsSyntaxError(
                        f"Signature parameter {name} of function not in perf_dispatch function prototype",
                        caller_loc(),  # the user's @meta.register line
                    )
            if len(params) != len(self._params):
                raise QuadrantsSyntaxError(
                    f"Number of function parameters {len(params)} doesn't match number of parameters in perf_dispatch "
                    f"function prototype {len(self._params)}",
                    caller_loc(),
                )
            impl = DispatchImpl(fn, is_compatible)
            self._impls.append(impl)
            return impl

        return decorator(implementation) if implementation is not None else decorator

    def _expired(self, geometry) -> bool:
        """Counts this call (upstream: the ``repeat_after_count``-th call after a choice starts a new round)."""
        self._calls_since[geometry] += 1
        if self.repeat_after_count is not None and 0 < self.repeat_after_count <= self._calls_since[geometry]:
            return True
        seconds = self.repeat_after_seconds
        return seconds is not None and seconds > 0 and time.perf_counter() - self._chosen_at[geometry] >= seconds

    def __call__(self, *args, **kwargs):
        compatible = [i for i in self._impls if i.is_compatible is None or i.is_compatible(*args, **kwargs)]
        if not compatible:
            raise QuadrantsRuntimeError(f"perf_dispatch '{self._name}': No suitable functions were found.")
        if len(compatible) == 1:
            return compatible[0](*args, **kwargs)
        geometry = self._geometry(*args, **kwargs)
        chosen = self._fastest.get(geometry)
        if chosen is not None and chosen in compatible and not self._expired(geometry):
            return chosen(*args, **kwargs)
        if chosen is not None:  # a new round
            del self._fastest[geometry]
            self._trials[geometry].clear()
            self._times[geometry].clear()
        return self._trial(geometry, compatible, args, kwargs)

    def _trial(self, geometry, compatible, args, kwargs):
        """One call of a measuring round: the implementation run least so far in the round runs once."""
        trials, times = self._trials[geometry], self._times[geometry]
        warmup = self.num_first_warmup if self._rounds[geometry] == 0 else self.num_warmup
        impl = min(compatible, key=lambda i: trials[i])
        timed = trials[impl] >= warmup
        trials[impl] += 1
        if not timed:
            return impl(*args, **kwargs)
        sync()
        start = time.perf_counter()
        result = impl(*args, **kwargs)
        sync()
        times[impl].append(time.perf_counter() - start)
        if all(trials[i] >= warmup + max(1, self.num_active) for i in compatible):
            self._fastest[geometry] = min(compatible, key=lambda i: sum(times[i]) / len(times[i]))
            self._rounds[geometry] += 1
            self._calls_since[geometry] = 0
            self._chosen_at[geometry] = time.perf_counter()
        return result


def perf_dispatch(
    *, get_geometry_hash, first_warmup=1, warmup=0, active=1, repeat_after_count=None, repeat_after_seconds=None
):
    """Declare a meta-function (its body is never run) whose registered implementations are timed and the fastest
    used; ``get_geometry_hash(*args, **kwargs)`` groups calls whose best implementation may differ."""

    def decorator(fn):
        return PerformanceDispatcher(
            get_geometry_hash, fn, first_warmup, warmup, active, repeat_after_count, repeat_after_seconds
        )

    return decorator
