"""Struct types and host struct values: ``qd.types.struct(...)``, ``@qd.dataclass``, ``qd.Struct``.

A :class:`StructType` lists named members (scalar dtypes, ``qd.types.vector/matrix`` types or other struct types) and
optional methods. Calling it builds a :class:`Struct`: in Python scope a host value (members converted to the member
types: ints truncate, vectors become NumPy arrays), in kernel code a struct of run-time values
(:mod:`quadrants.frontend.struct_values`). ``StructType.field(...)`` allocates a field of structs; the runtime, which
owns fields, registers that factory with :func:`register_field_factory` (this layer never imports the runtime).
"""

from __future__ import annotations

import typing
from collections.abc import Callable
from types import MethodType

import numpy as np

from quadrants.errors import QuadrantsSyntaxError, QuadrantsTypeError, caller_loc
from quadrants.frontend.compound_types import HOST_VALUES, MatrixType
from quadrants.ir import dtypes
from quadrants.ir.dtypes import DataType, to_dtype

__all__ = [
    "StructType",
    "Struct",
    "dataclass",
    "register_field_factory",
    "host_array",
    "leaf_paths",
    "same_struct_type",
]

_FIELD_FACTORY: list[Callable] = []


def register_field_factory(factory: Callable) -> None:
    """The runtime's ``factory(struct_type_or_members, methods=None, shape=..., **options)`` behind ``.field``."""
    _FIELD_FACTORY[:] = [factory]


def _as_host_matrix(arr: np.ndarray):
    """A host ``qd.Vector``/``qd.Matrix`` holding ``arr`` (the maker the runtime registers; NumPy before that)."""
    make = HOST_VALUES.get("make")
    return make(arr) if make is not None else arr


def host_array(value) -> np.ndarray | None:
    """The components of a host vector/matrix member (a NumPy array or a host ``qd.Vector``/``qd.Matrix``)."""
    if isinstance(value, np.ndarray):
        return value
    if getattr(type(value), "_is_quadrants_matrix", False):
        return np.asarray(value.to_numpy())
    return None


def _member_type(name: str, t, default_ip: DataType, default_fp: DataType):
    """Normalise one member annotation into a DataType, a resolved MatrixType or a StructType.

    ``int`` and ``float`` (and vector types without a dtype) take the defaults in force when the type is created, as
    upstream does.
    """
    if isinstance(t, StructType):
        return t
    if isinstance(t, MatrixType):
        return t.resolved(default_fp, default_ip)
    try:
        return to_dtype(t, default_ip, default_fp)
    except TypeError:
        raise QuadrantsTypeError(
            f"struct member '{name}' has type {t!r}; use a dtype (qd.f32, int, float), qd.types.vector/matrix(...) or "
            "another struct type"
        ) from None


def leaf_paths(stype: StructType, prefix: tuple = ()) -> list[tuple]:
    """``[(path, scalar dtype), ...]`` of every scalar leaf, depth first in member order.

    A path is a tuple of member names followed, for a vector/matrix member, by the component index tuple.
    """
    out: list[tuple] = []
    for name, t in stype.members.items():
        if isinstance(t, StructType):
            out.extend(leaf_paths(t, (*prefix, name)))
        elif isinstance(t, MatrixType):
            for index in np.ndindex(*t.shape):
                out.append(((*prefix, name, tuple(int(k) for k in index)), t.dtype))
        else:
            out.append(((*prefix, name), t))
    return out


def same_struct_type(a: StructType, b: StructType) -> bool:
    """Whether two struct types have the same members of the same types, in the same order."""
    if a is b:
        return True
    if list(a.members) != list(b.members):
        return False
    for k, ta in a.members.items():
        tb = b.members[k]
        if isinstance(ta, StructType) != isinstance(tb, StructType):
            return False
        if not (same_struct_type(ta, tb) if isinstance(ta, StructType) else ta == tb):
            return False
    return True


class StructType:
    """The type of a struct: ``qd.types.struct(a=qd.i32, v=vec3)`` or a ``@qd.dataclass`` class."""

    def __init__(
        self,
        members: dict | None = None,
        methods: dict | None = None,
        name: str = "",
        *,
        default_ip: DataType = dtypes.i32,
        default_fp: DataType = dtypes.f32,
    ):
        members = dict(members or {})
        methods = dict(methods or {})
        methods.update(members.pop("__struct_methods", {}) or {})
        self.members: dict[str, object] = {k: _member_type(k, t, default_ip, default_fp) for k, t in members.items()}
        self.methods: dict[str, object] = methods
        self.name = name

    # ------------------------------------------------------------------------------------------ Python scope
    def __call__(self, *args, **kwargs) -> Struct:
        """A host struct; positional arguments fill members in order, missing members are 0."""
        names = list(self.members)
        if len(args) > len(names):
            raise TypeError(f"{self!r} takes at most {len(names)} positional member(s), got {len(args)}")
        unknown = [k for k in kwargs if k not in self.members]
        if unknown:
            raise TypeError(f"{self!r} has no member(s) {unknown}; its members are {names}")
        values = dict(zip(names, args))
        for k, v in kwargs.items():
            if k in values:
                raise TypeError(f"member '{k}' given both positionally and by keyword")
            values[k] = v
        return self.cast({k: values.get(k, 0) for k in names})

    def cast(self, value) -> Struct:
        """Convert a host :class:`Struct` or dict with the same members into a struct of this type."""
        entries = value.entries if isinstance(value, Struct) else value
        if not isinstance(entries, dict) or set(entries) != set(self.members):
            got = list(entries) if isinstance(entries, dict) else type(value).__name__
            raise QuadrantsTypeError(f"Member mismatch between structs: {list(self.members)} expected, got {got}")
        out = {k: _host_member(t, entries[k]) for k, t in self.members.items()}
        return Struct._typed(self, out)

    def from_leaves(self, values) -> Struct:
        """The host struct whose leaves, in :func:`leaf_paths` order, are ``values`` (kernel returns)."""
        it = iter(values)
        return self._build_from(it)

    def _build_from(self, it) -> Struct:
        out = {}
        for k, t in self.members.items():
            if isinstance(t, StructType):
                out[k] = t._build_from(it)
            elif isinstance(t, MatrixType):
                size = int(np.prod(t.shape))
                out[k] = _host_matrix(t, [next(it) for _ in range(size)])
            else:
                out[k] = _host_member(t, next(it))
        return Struct._typed(self, out)

    def filled_with_scalar(self, value) -> Struct:
        """Every leaf set to ``value`` (used by ``StructField.fill``)."""
        out = {}
        for k, t in self.members.items():
            out[k] = t.filled_with_scalar(value) if isinstance(t, StructType) else _host_member(t, value)
        return Struct._typed(self, out)

    def field(self, shape=None, **options):
        """A field of these structs (``layout=qd.Layout.SOA`` or ``AOS``); without ``shape`` it is placed later."""
        if not _FIELD_FACTORY:
            raise RuntimeError("struct fields need the quadrants runtime (import quadrants)")
        return _FIELD_FACTORY[0](self, shape=shape, **options)

    def ndarray(self, *args, **kwargs):
        raise NotImplementedError(
            "ndarrays of structs do not exist in Quadrants; use a struct field (MyStruct.field(shape=...)) or one "
            "ndarray per member"
        )

    # ------------------------------------------------------------------------------------------- protocol
    def __instancecheck__(self, instance) -> bool:
        if not isinstance(instance, Struct):
            return False
        if instance._type is not None:
            return instance._type is self
        return list(instance.keys) == list(self.members)

    def __repr__(self) -> str:
        items = ", ".join(f"{k}={getattr(t, '__name__', t)}" for k, t in self.members.items())
        label = f" {self.name}" if self.name else ""
        return f"<qd.StructType{label} {items}, struct_methods={self.methods}>"

    __str__ = __repr__


def _host_member(t, value):
    """A Python-scope member value converted to member type ``t``."""
    if isinstance(t, StructType):
        if isinstance(value, (Struct, dict)):
            return t.cast(value)
        return t(value)  # a scalar: the first member gets it, as upstream
    if isinstance(t, MatrixType):
        return _host_matrix(t, value)
    arr = host_array(value)
    if isinstance(value, Struct) or (arr is not None and arr.ndim > 0):
        raise TypeError(f"A number is expected for a scalar struct member, got {type(value).__name__}")
    return float(value) if t.is_float else int(value)


def _host_matrix(t: MatrixType, value) -> np.ndarray:
    """A vector/matrix member: a scalar broadcasts, otherwise the component count must match (ints truncate)."""
    np_dtype = t.dtype.np
    arr = host_array(value)
    arr = np.asarray(value) if arr is None else arr
    size = int(np.prod(t.shape))
    if arr.size == 1:
        flat = np.full(size, arr.reshape(-1)[0])
    elif arr.size == size:
        flat = arr.reshape(-1)
    else:
        raise TypeError(f"a {t!r} member needs {size} components, got {arr.size}")
    return _as_host_matrix(flat.astype(np_dtype).reshape(t.shape))


class Struct:
    """``qd.Struct``: a struct value. ``qd.Struct(a=1, b=qd.Vector([1, 2]))`` or ``qd.Struct({"a": 1, ...})``.

    Members are read and written as attributes (``s.a``) or items (``s["a"]``). In kernel code ``qd.Struct(...)``
    builds a struct of run-time values whose member types are inferred.
    """

    _is_quadrants_class = True

    def __init__(self, *args, **kwargs):
        if len(args) == 1 and not kwargs and isinstance(args[0], dict):
            entries = dict(args[0])
        elif not args:
            entries = dict(kwargs)
        else:
            raise QuadrantsSyntaxError(
                "Custom structs need to be initialized using either dictionary or keyword arguments", caller_loc()
            )
        methods = entries.pop("__struct_methods", {}) or {}
        for k, v in entries.items():
            if isinstance(v, (list, tuple)):
                entries[k] = _as_host_matrix(np.asarray(v))
            elif isinstance(v, dict):
                entries[k] = Struct(v)
        object.__setattr__(self, "_entries", entries)
        object.__setattr__(self, "_methods", dict(methods))
        object.__setattr__(self, "_type", None)

    @classmethod
    def _typed(cls, stype: StructType, entries: dict) -> Struct:
        s = cls(entries)
        object.__setattr__(s, "_methods", dict(stype.methods))
        object.__setattr__(s, "_type", stype)
        return s

    @classmethod
    def field(cls, members: dict, methods: dict | None = None, shape=None, **options):
        """A field of structs with ``members`` (``{"a": qd.f32, "v": vec3}``); see ``StructType.field``."""
        if not _FIELD_FACTORY:
            raise RuntimeError("struct fields need the quadrants runtime (import quadrants)")
        return _FIELD_FACTORY[0](members, methods=methods, shape=shape, **options)

    # -------------------------------------------------------------------------------------------- members
    @property
    def keys(self) -> list[str]:
        """Member names, in order."""
        return list(self._entries)

    @property
    def entries(self) -> dict:
        return {k: self._get(k) for k in self._entries}

    @property
    def items(self):
        return self.entries.items()

    @property
    def methods(self) -> dict:
        return self._methods

    @property
    def _members(self) -> list:
        return [self._get(k) for k in self._entries]

    def _get(self, key: str):
        return self._entries[key]

    def _set(self, key: str, value) -> None:
        current = self._entries[key]
        if isinstance(current, Struct):
            current._set_entries(value)
        elif host_array(current) is not None:
            current_arr = host_array(current)
            new = host_array(value)
            new = np.asarray(value) if new is None else new
            self._entries[key] = _as_host_matrix(np.broadcast_to(new, current_arr.shape).astype(current_arr.dtype))
        elif isinstance(value, (int, float, np.integer, np.floating, bool)):
            self._entries[key] = value
        else:
            raise TypeError("A number is expected when assigning struct members")

    def _set_entries(self, value) -> None:
        if isinstance(value, dict):
            value = Struct(value)
        if not isinstance(value, Struct) or set(value.keys) != set(self.keys):
            got = value.keys if isinstance(value, Struct) else type(value).__name__
            raise QuadrantsTypeError(f"Member mismatch between structs {self.keys}, {got}")
        for k in self.keys:
            self._set(k, value._get(k))

    def __getattr__(self, name: str):
        entries = self.__dict__.get("_entries", {})
        if name in entries:
            return self._get(name)
        method = self.__dict__.get("_methods", {}).get(name)
        if method is not None:
            return MethodType(method, self)
        raise AttributeError(f"struct has no member '{name}' (members: {list(entries)})")

    def __setattr__(self, name: str, value) -> None:
        if name in self._entries:
            self._set(name, value)
        else:
            raise AttributeError(f"struct has no member '{name}' (members: {self.keys})")

    def __getitem__(self, key: str):
        return self._get(key)

    def __setitem__(self, key: str, value) -> None:
        self._set(key, value)

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self):
        return iter(self._members)

    def to_dict(self, include_methods: bool = False, include_ndim: bool = False) -> dict:
        """Members as a dict; vectors and matrices as (nested) lists, nested structs as dicts."""
        out = {}
        for k in self.keys:
            v = self._get(k)
            if isinstance(v, Struct):
                out[k] = v.to_dict(include_methods=include_methods, include_ndim=include_ndim)
            elif host_array(v) is not None:
                out[k] = host_array(v).tolist()
            else:
                out[k] = v
        if include_methods:
            out["__struct_methods"] = self._methods
        if include_ndim:
            out["__matrix_ndim"] = {k: host_array(v).ndim for k, v in self.entries.items() if host_array(v) is not None}
        return out

    def __repr__(self) -> str:
        return str(self.to_dict())

    __str__ = __repr__


def dataclass(cls, default_ip: DataType = dtypes.i32, default_fp: DataType = dtypes.f32) -> StructType:
    """``@qd.dataclass``: the class's annotations become members, its functions become methods.

    Methods decorated ``@qd.func`` are callable in kernels (``s.area()``, with ``s`` passed by reference); plain
    functions are callable on host structs.
    """
    try:
        annotations = typing.get_type_hints(cls)
    except Exception:
        annotations = dict(getattr(cls, "__annotations__", {}))
    for k in annotations:
        if k in cls.__dict__:
            raise QuadrantsSyntaxError(
                f"Default value in @dataclass is not supported ('{cls.__name__}.{k}'); set the member when "
                "constructing the struct",
                caller_loc(),
            )
    methods = {}
    for attr in dir(cls):
        if attr.startswith("__"):
            continue
        value = getattr(cls, attr)
        if callable(value):
            methods[attr] = value
    return StructType(annotations, methods, name=cls.__name__, default_ip=default_ip, default_fp=default_fp)
