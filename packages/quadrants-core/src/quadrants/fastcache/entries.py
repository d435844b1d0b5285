"""The two JSON entry kinds of fastcache and their validation (docs/semantics.md §18.3, §18.7).

Entries are small, human-readable JSON files (``python_side_cache/<key>.cache.txt``). Parsing is strict: any
missing field, wrong type or foreign schema raises :class:`EntryError`, which the caller turns into a warning and a
miss, so a damaged entry can never be half-used.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from quadrants.fastcache.functions import FunctionRecord
from quadrants.fastcache.keys import SCHEMA_VERSION

__all__ = ["EntryError", "L1Entry", "L2Entry", "parse_l1", "parse_l2"]


_KEY = re.compile(r"[0-9a-f]{16,128}")  # artifact keys name files: hex only, never a path


class EntryError(ValueError):
    """An entry that cannot be used (corrupt, truncated, foreign schema)."""


@dataclass
class L1Entry:
    """Per kernel source and config: the read-path union, the reached functions, the do_while level table."""

    kernel: str
    used_paths: list[str] = field(default_factory=list)
    functions: list[FunctionRecord] = field(default_factory=list)
    levels: list[list] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps(
            {
                "schema": SCHEMA_VERSION,
                "kind": "l1",
                "kernel": self.kernel,
                "used_paths": sorted(self.used_paths),
                "functions": [r.to_json() for r in self.functions],
                "levels": self.levels,
            },
            indent=1,
        )


@dataclass
class L2Entry:
    """Per specialization: where its artifact is and what a restore needs besides it."""

    l1_key: str
    kernel: str
    artifact_key: str
    artifact_written: bool
    functions: list[FunctionRecord]
    used_paths: list[str]
    levels: list[list]
    yield_on_args: list
    yield_on_arg_ids: list[int]
    labels: list  # plain ints or None
    label_enum_qualnames: list  # "module.Class.MEMBER" or None, parallel to labels

    def to_json(self) -> str:
        return json.dumps(
            {
                "schema": SCHEMA_VERSION,
                "kind": "l2",
                "l1_key": self.l1_key,
                "kernel": self.kernel,
                "artifact_key": self.artifact_key,
                "artifact_written": self.artifact_written,
                "functions": [r.to_json() for r in self.functions],
                "used_paths": sorted(self.used_paths),
                "levels": self.levels,
                "checkpoint_yield_on_args": self.yield_on_args,
                "checkpoint_yield_on_cpp_arg_ids": self.yield_on_arg_ids,
                "checkpoint_user_labels_by_cp_id": self.labels,
                "checkpoint_user_label_enum_qualnames": self.label_enum_qualnames,
            },
            indent=1,
        )


def _load(text: str, kind: str) -> dict:
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
        raise EntryError(f"not JSON ({exc})") from None
    if not isinstance(data, dict):
        raise EntryError("not a JSON object")
    if data.get("schema") != SCHEMA_VERSION:
        raise EntryError(f"schema {data.get('schema')!r} is not {SCHEMA_VERSION!r}")
    if data.get("kind") != kind:
        raise EntryError(f"kind {data.get('kind')!r} is not {kind!r}")
    return data


def _get(data: dict, name: str, types):
    if name not in data:
        raise EntryError(f"missing field {name!r}")
    value = data[name]
    if not isinstance(value, types):
        raise EntryError(f"field {name!r} has type {type(value).__name__}")
    return value


def _str_list(data: dict, name: str) -> list[str]:
    value = _get(data, name, list)
    if not all(isinstance(x, str) for x in value):
        raise EntryError(f"field {name!r} must hold strings")
    return value


def _functions(data: dict) -> list[FunctionRecord]:
    try:
        return [FunctionRecord.from_json(r) for r in _get(data, "functions", list)]
    except ValueError as exc:
        raise EntryError(str(exc)) from None


def _levels(data: dict) -> list[list]:
    levels = _get(data, "levels", list)
    for lv in levels:
        ok = isinstance(lv, list) and len(lv) == 4 and isinstance(lv[0], str)
        if not ok or not all(isinstance(x, int) and not isinstance(x, bool) for x in lv[1:]):
            raise EntryError(f"bad level {lv!r}")
    return levels


def parse_l1(text: str) -> L1Entry:
    """Parse and validate an L1 entry."""
    data = _load(text, "l1")
    return L1Entry(_get(data, "kernel", str), _str_list(data, "used_paths"), _functions(data), _levels(data))


def parse_l2(text: str) -> L2Entry:
    """Parse and validate an L2 entry."""
    data = _load(text, "l2")
    labels = _get(data, "checkpoint_user_labels_by_cp_id", list)
    qualnames = _get(data, "checkpoint_user_label_enum_qualnames", list)
    names = _get(data, "checkpoint_yield_on_args", list)
    arg_ids = _get(data, "checkpoint_yield_on_cpp_arg_ids", list)
    if not (len(labels) == len(qualnames) == len(names) == len(arg_ids)):
        raise EntryError("checkpoint tables have different lengths")
    if not all(x is None or (isinstance(x, int) and not isinstance(x, bool)) for x in labels):
        raise EntryError("checkpoint labels must be ints or null")
    if not all(x is None or isinstance(x, str) for x in (*qualnames, *names)):
        raise EntryError("checkpoint names must be strings or null")
    if not all(isinstance(x, int) and not isinstance(x, bool) for x in arg_ids):
        raise EntryError("checkpoint argument ids must be ints")
    artifact_key = _get(data, "artifact_key", str)
    if not _KEY.fullmatch(artifact_key):
        raise EntryError(f"bad artifact key {artifact_key!r}")
    return L2Entry(
        l1_key=_get(data, "l1_key", str),
        kernel=_get(data, "kernel", str),
        artifact_key=artifact_key,
        artifact_written=_get(data, "artifact_written", bool),
        functions=_functions(data),
        used_paths=_str_list(data, "used_paths"),
        levels=_levels(data),
        yield_on_args=names,
        yield_on_arg_ids=arg_ids,
        labels=labels,
        label_enum_qualnames=qualnames,
    )
