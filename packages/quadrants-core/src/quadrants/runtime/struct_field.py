"""Fields of structs: ``MyStruct.field(shape=..., layout=qd.Layout.SOA)``, ``qd.Struct.field({...}, shape=...)``.

A :class:`StructField` holds one ordinary field per member (nested structs give nested struct fields), so every member
is stored, bound into kernels and copied exactly like a ``qd.field``. ``x.pos`` is the member field; ``x[i]`` is one
struct: in kernel code a struct of that element's members, in Python scope a :class:`StructFieldElement` whose
members read and write the fields. The layout (``qd.Layout.AOS`` places all members under one dense node,
``qd.Layout.SOA`` gives each its own) shapes the SNode tree only; values and semantics do not depend on it.
"""

from __future__ import annotations

from quadrants.errors import QuadrantsSyntaxError
from quadrants.frontend.struct_types import Struct, StructType, dataclass as _dataclass, register_field_factory
from quadrants.ir import dtypes
from quadrants.runtime.field import Field, place_with_shape
from quadrants.runtime.listed_api import ListedApi
from quadrants.runtime.ndarray import normalize_shape
from quadrants.runtime.state import RUNTIME

__all__ = ["StructField", "StructFieldElement", "make_struct_field", "struct", "dataclass"]


def _defaults() -> tuple:
    """``int`` / ``float`` members take the session's default_ip / default_fp (i32 / f32 before ``qd.init``)."""
    session = RUNTIME.session
    return (session.default_ip, session.default_fp) if session is not None else (dtypes.i32, dtypes.f32)


def struct(**members) -> StructType:
    """``qd.types.struct(a=qd.i32, v=vec3)``: a struct type with these members, in this order."""
    ip, fp = _defaults()
    return StructType(members, default_ip=ip, default_fp=fp)


def dataclass(cls) -> StructType:
    """``@qd.dataclass``: annotations become members, functions become methods (``@qd.func`` ones in kernels)."""
    ip, fp = _defaults()
    return _dataclass(cls, ip, fp)


def _layout_name(layout) -> str:
    """``qd.Layout.AOS`` / ``qd.Layout.SOA`` (runtime/enums.py) by name; ``None`` is AOS."""
    name = "AOS" if layout is None else getattr(layout, "name", None)
    if name not in ("AOS", "SOA"):
        raise TypeError(f"layout must be qd.Layout.AOS or qd.Layout.SOA, got {layout!r}")
    return name


def make_struct_field(
    stype,
    methods: dict | None = None,
    shape=None,
    name: str = "<Struct>",
    offset=None,
    needs_grad: bool = False,
    needs_dual: bool = False,
    layout=None,
) -> StructField:
    """A field of ``stype`` structs (a StructType, or a member dict as in ``qd.Struct.field``); with ``shape`` it
    is placed at once, otherwise with ``node.place(x)`` later."""
    if not isinstance(stype, StructType):
        ip, fp = _defaults()
        stype = StructType(stype, methods, default_ip=ip, default_fp=fp)
    if shape is None and offset is not None:
        raise QuadrantsSyntaxError("shape cannot be None when offset is being set")
    layout = _layout_name(layout)
    members: dict[str, object] = {}
    for key, t in stype.members.items():
        member_name = f"{name}.{key}"
        members[key] = (
            make_struct_field(t, name=member_name, needs_grad=needs_grad, needs_dual=needs_dual)
            if isinstance(t, StructType)
            else Field(t, name=member_name, needs_grad=needs_grad, needs_dual=needs_dual)
        )
    result = StructField(stype, members, name)
    if shape is not None:
        dims = normalize_shape(shape)
        if layout == "SOA":
            for member in members.values():
                place_with_shape([member], dims, offset)
        else:
            place_with_shape(list(members.values()), dims, offset)
    return result


class StructField(metaclass=ListedApi):
    """A field whose elements are structs; members are reached as attributes (``x.pos``) or ``get_member_field``."""

    _is_quadrants_field = True  # bound into kernels like any field (frontend/structs.py)
    _qd_struct_field = True  # ... as a struct of member fields
    _qd_unlisted = frozenset({"ndim"})  # the runtime's accessor, not upstream's API (runtime/listed_api.py)

    def __init__(self, stype: StructType, members: dict, name: str = "<Struct>"):
        self.struct_type = stype
        self.field_dict = dict(members)
        self.struct_methods = stype.methods
        self.name = name
        for key, member in members.items():  # as upstream: members shadow methods of the same name
            setattr(self, key, member)

    # ------------------------------------------------------------------------------------------- members
    @property
    def keys(self) -> list[str]:
        return list(self.field_dict)

    @property
    def _members(self) -> list:
        return list(self.field_dict.values())

    @property
    def _items(self):
        return self.field_dict.items()

    def get_member_field(self, key: str):
        """The field of member ``key``."""
        return self.field_dict[key]

    # ----------------------------------------------------------------------------------------- placement
    def _qd_leaf_fields(self) -> list:
        out = []
        for member in self._members:
            out.extend(member._qd_leaf_fields())
        return out

    @property
    def _qd_placed(self) -> bool:
        return all(leaf._qd_placed for leaf in self._qd_leaf_fields())

    @property
    def shape(self) -> tuple[int, ...]:
        return self._members[0].shape

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def dtype(self) -> StructType:
        return self.struct_type

    @property
    def snode(self):
        """The place SNode of the first member (as upstream, a representative)."""
        return self._members[0].snode

    def parent(self, n: int = 1):
        return self._members[0].parent(n)

    @property
    def layout(self):
        """``None``: struct fields are stored in canonical (row-major) order; only ``qd.tensor`` records a layout."""
        return None

    def has_grad(self) -> bool:
        """Whether every member field has its gradient companion placed (``needs_grad=True``, ``lazy_grad()``)."""
        leaves = self._qd_leaf_fields()
        return bool(leaves) and all(leaf.has_grad() for leaf in leaves)

    def has_dual(self) -> bool:
        """Whether every member field has its dual companion placed (``needs_dual=True``, ``lazy_dual()``)."""
        leaves = self._qd_leaf_fields()
        return bool(leaves) and all(leaf.has_dual() for leaf in leaves)

    def to_dlpack(self, versioned: bool = False):
        """Not available: a struct field is several arrays, one per member; export a member (``s.pos.to_dlpack()``)."""
        raise NotImplementedError(
            f"a struct field has no single array to export through DLPack; export its members instead "
            f"(e.g. {self.name if self.name != '<Struct>' else 's'}.{self.keys[0] if self.keys else 'member'}"
            ".to_dlpack())"
        )

    # ---------------------------------------------------------------------------------------- host copies
    def fill(self, value) -> None:
        """Set every leaf of every element to ``value``."""
        for member in self._members:
            member.fill(value)

    def to_numpy(self, *, copy: bool = True) -> dict:
        """``{member: array}`` (nested dicts for nested structs)."""
        return {k: v.to_numpy() for k, v in self._items}

    def to_torch(self, device=None, *, copy: bool = True) -> dict:
        """``{member: tensor}`` (nested dicts for nested structs), like :meth:`to_numpy` with torch tensors."""
        return {k: v.to_torch(device, copy=copy) for k, v in self._items}

    def from_torch(self, tensors: dict) -> None:
        """Copy each member from ``tensors[member]`` (a dict like the one :meth:`to_torch` returns)."""
        for k, v in self._items:
            v.from_torch(tensors[k])

    def from_numpy(self, arrays: dict) -> None:
        """Copy each member from ``arrays[member]`` (a dict like the one :meth:`to_numpy` returns)."""
        for k, v in self._items:
            v.from_numpy(arrays[k])

    def copy_from(self, other: StructField) -> None:
        """Copy every member from a struct field with the same members and shape."""
        if not isinstance(other, StructField) or set(other.keys) != set(self.keys):
            raise TypeError("copy_from needs a struct field with the same members")
        self.from_numpy(other.to_numpy())

    # ------------------------------------------------------------------------------------ element access
    def __getitem__(self, index) -> StructFieldElement:
        self._qd_leaf_fields()[0]._index(index)  # the index is checked here, not at the first member access
        return StructFieldElement(self, index)

    def __setitem__(self, index, value) -> None:
        self[index]._set_entries(value)

    def __repr__(self) -> str:
        placed = f"shape={self.shape}" if self._qd_placed else "unplaced"
        return f"<qd.StructField {self.name} {placed} members={self.keys}>"


class StructFieldElement(Struct):
    """``x[i]`` of a struct field in Python scope: a struct whose members read and write the field."""

    def __init__(self, owner: StructField, index):
        object.__setattr__(self, "_owner", owner)
        object.__setattr__(self, "_index", index)
        object.__setattr__(self, "_entries", dict.fromkeys(owner.keys))
        object.__setattr__(self, "_methods", dict(owner.struct_methods))
        object.__setattr__(self, "_type", owner.struct_type)

    def _get(self, key: str):
        return self._owner.field_dict[key][self._index]  # a nested struct field gives a nested element

    def _set(self, key: str, value) -> None:
        member = self._owner.field_dict[key]
        if isinstance(member, StructField):
            member[self._index]._set_entries(value)
        else:
            member[self._index] = value


register_field_factory(make_struct_field)
