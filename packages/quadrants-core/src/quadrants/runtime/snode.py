"""Dense SNode trees: ``qd.root``, ``qd.FieldsBuilder``, ``SNode.dense(...)`` and ``SNode.place(...)``.

An SNode tree describes the index space of the fields placed in it: ``qd.root.dense(qd.i, 4).dense(qd.j, 8)`` is a
node of shape ``(4, 8)``, and ``.place(x, y)`` gives both fields that shape. The shape of a node has one entry per axis
used on its path from the root, in axis order; nesting the same axis multiplies its sizes (``dense(qd.i, 4).dense(qd.i,
8)`` has shape ``(32,)``). A field placed anywhere has the semantics of ``qd.field(dtype, shape=node.shape)``: the tree
decides the index space, never the values, so every field owns its own dense storage (the memory layout of a tree,
AoS or SoA, is a performance hint that this implementation does not need; see docs/snodes.md).

Sparse nodes (``pointer``, ``bitmasked``, ``dynamic``, ``hash``) and quantized bit structures are out of scope
(docs/semantics.md §1) and raise ``NotImplementedError`` naming the construct.
"""

from __future__ import annotations

import itertools
import numbers
import warnings
import weakref

from quadrants.errors import QuadrantsRuntimeError
from quadrants.runtime.snode_axes import normalize_axes
from quadrants.runtime.state import current_session

__all__ = ["SNode", "FieldsBuilder", "SNodeTree", "Root", "root", "session_root", "deactivate_all_snodes"]

_ids = itertools.count()

# upstream method name -> the construct named in the NotImplementedError
_SPARSE = {
    "pointer": "pointer SNodes",
    "bitmasked": "bitmasked SNodes",
    "dynamic": "dynamic SNodes",
    "hash": "hash SNodes",
    "_hash": "hash SNodes",
    "quant_array": "quantized arrays (SNode.quant_array)",
    "bit_struct": "quantized bit structs (SNode.bit_struct)",
    "bit_array": "quantized bit arrays (SNode.bit_array)",
}


_RETIRED = frozenset({"hash", "bit_struct", "bit_array"})


class SparseSNodeError(QuadrantsRuntimeError, NotImplementedError):
    """A sparse or quantized SNode: upstream's ``QuadrantsRuntimeError`` for a backend without them (every backend
    here), and a ``NotImplementedError`` (out of scope)."""


def _out_of_scope(construct: str):
    kind = construct.split()[0].capitalize()
    # upstream's words on a backend without the SNode kind ("Pointer SNode is not supported on this backend.")
    upstream = f"{kind} SNode is not supported on this backend. " if construct.endswith("SNodes") else ""

    def method(self, *args, **kwargs):
        raise SparseSNodeError(
            f"{upstream}{construct} are out of scope for this implementation (docs/semantics.md §1): only dense SNode "
            "trees are supported; use .dense(...) or qd.field(dtype, shape=...)"
        )

    method.__doc__ = f"Out of scope: {construct} raise NotImplementedError (a QuadrantsRuntimeError)."
    return method


def _place_companions(self, attr: str) -> None:
    if isinstance(self, Root):
        node = session_root()
    else:
        node = self.root if isinstance(self, FieldsBuilder) else self
    for place in [n for n in _walk(node) if n.kind == "place"]:
        field = place._field
        companion = getattr(field, attr) if field is not None and hasattr(field, "_qd_primal") else None
        if companion is not None and not companion._qd_placed:
            place._parent.place(companion, offset=field._qd_offset or None)


def _lazy_grad(self) -> None:
    """Place the gradient field of every float field under this node that has none yet, beside the field (upstream's
    ``lazy_grad``; docs/autodiff.md)."""
    _place_companions(self, "grad")


def _lazy_dual(self) -> None:
    """Place the dual field (forward-mode autodiff) of every float field under this node that has none yet."""
    _place_companions(self, "dual")


class SNode:
    """One node of an SNode tree: the root, a ``dense`` node, or the ``place`` node of one field."""

    def __init__(self, kind: str, parent: SNode | None, builder: FieldsBuilder, axes=(), sizes=(), field=None):
        self.kind = kind
        self._parent = parent
        self._builder = builder
        self._axes: tuple[int, ...] = tuple(axes)
        self._sizes: tuple[int, ...] = tuple(sizes)
        self._children: list[SNode] = []
        # a place node does not keep its field alive: a field nobody uses any more frees its storage, as before
        self._field_ref = weakref.ref(field) if field is not None else None
        self._id = next(_ids)
        extents = dict(parent._extents) if parent is not None else {}
        for a, s in zip(self._axes, self._sizes):
            extents[a] = extents.get(a, 1) * s
        self._extents: dict[int, int] = extents

    @property
    def _field(self):
        """The field of a place node (``None`` for other nodes, or once the field was garbage-collected)."""
        return self._field_ref() if self._field_ref is not None else None

    # ------------------------------------------------------------------------------------------- building
    def dense(self, axes, dimensions) -> SNode:
        """A dense child node splitting ``axes`` into ``dimensions`` cells (an int applies to every axis)."""
        self._builder._check_not_finalized()
        ax = normalize_axes(axes)
        if isinstance(dimensions, numbers.Integral):
            dims = [int(dimensions)] * len(ax)
        elif isinstance(dimensions, (list, tuple)) and all(isinstance(d, numbers.Integral) for d in dimensions):
            dims = [int(d) for d in dimensions]
        else:
            raise TypeError(f"dense() dimensions must be an int or a sequence of ints, got {dimensions!r}")
        if len(dims) == 1 and len(ax) > 1:  # one size for every axis, as an int would be (upstream's behaviour)
            dims = dims * len(ax)
        if len(ax) != len(dims):
            raise QuadrantsRuntimeError(f"axes and sizes must have the same size, but got {len(ax)} and {len(dims)}.")
        for position, d in enumerate(dims):
            if d <= 0:
                raise QuadrantsRuntimeError(
                    f"Every dimension of a Quadrants field should be positive, got {d} in dimension {position}."
                )
        if self.kind == "place":
            raise QuadrantsRuntimeError("a place SNode (of a field) cannot have children")
        child = SNode("dense", self, self._builder, ax, dims)
        self._children.append(child)
        self._builder.empty = False
        return child

    pointer = _out_of_scope(_SPARSE["pointer"])
    bitmasked = _out_of_scope(_SPARSE["bitmasked"])
    dynamic = _out_of_scope(_SPARSE["dynamic"])
    _hash = _out_of_scope(_SPARSE["_hash"])
    quant_array = _out_of_scope(_SPARSE["quant_array"])
    lazy_grad = _lazy_grad
    lazy_dual = _lazy_dual

    def __getattr__(self, name: str):
        # hash / bit_struct / bit_array: SNode methods of older upstream releases (1.3.3 has none): not part of the
        # API (dir() does not list them), but a call still says the construct is out of scope
        if name in _RETIRED:
            return _out_of_scope(_SPARSE[name]).__get__(self)
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def place(self, *args, offset=None) -> SNode:
        """Give each field (scalar, vector/matrix or struct field, or a list of them) the shape of this node;
        ``offset`` (an int or one per axis) makes the indices run from ``offset`` to ``offset + shape``."""
        self._builder._check_not_finalized()
        for arg in args:
            if isinstance(arg, (list, tuple)):
                self.place(*arg, offset=offset)
                continue
            leaves = getattr(arg, "_qd_leaf_fields", None)
            if leaves is None:
                raise ValueError(f"{arg} cannot be placed")
            for leaf in leaves():
                if leaf._qd_placed and getattr(leaf, "_qd_primal", None) is not None and leaf._snode._parent is self:
                    continue  # place(x, x.grad) of a needs_grad=True field: x's placement already placed x.grad
                if leaf._qd_placed:
                    raise QuadrantsRuntimeError(
                        "This variable has been placed. A field is placed once: either qd.field(dtype, shape=...) "
                        "or qd.field(dtype) followed by one .place(...)"
                    )
                node = SNode("place", self, self._builder, field=leaf)
                self._children.append(node)
                leaf._qd_place(node, offset)
        self._builder.empty = False
        return self

    # ---------------------------------------------------------------------------------------- introspection
    def parent(self, n: int = 1):
        """The ``n``-th ancestor (``qd.root`` for the root of a tree, ``None`` above it)."""
        p: SNode | None = self
        while p is not None and n > 0:
            p = p._parent
            n -= 1
        if p is None:
            return None
        return root if p.kind == "root" else p

    @property
    def shape(self) -> tuple[int, ...]:
        """Cells from the root along each axis used on the path to this node, in axis order."""
        return tuple(self._extents[a] for a in sorted(self._extents))

    @property
    def _qd_loop_shape(self) -> tuple[int, ...]:
        """The iteration space of a struct-for over this node (the protocol the frontend reads)."""
        return self.shape

    def _get_children(self) -> list[SNode]:
        return list(self._children)

    @property
    def _name(self) -> str:
        if self._field is not None and getattr(self._field, "name", ""):
            return self._field.name
        return f"S{self._id}"

    @property
    def _snode(self) -> SNode:
        return self

    @property
    def _dtype(self):
        return self._field.dtype if self._field is not None else None

    def _path_from_root(self) -> list:
        path, p = [self], self
        while p._parent is not None:
            p = p._parent
            path.append(root if p.kind == "root" else p)
        return path[::-1]

    def deactivate_all(self) -> None:
        """Dense cells are always active: nothing to deactivate (as upstream for a dense tree)."""

    def __repr__(self) -> str:
        return "qd.root" if self.kind == "root" else f"<qd.SNode of type {self.kind}>"

    def __str__(self) -> str:
        if self.kind == "root":
            return "qd.root"
        return f"{self._parent} => {self.kind} {list(self.shape)}"


class FieldsBuilder:
    """Builds one SNode tree; its fields can be read and written once :meth:`finalize` has been called.

    ``qd.root`` is the session's implicit builder: its fields are usable as soon as they are placed.
    """

    def __init__(self, *, implicit: bool = False):
        self._session = current_session()
        self.root = SNode("root", None, self)
        self.finalized = False
        self.destroyed = False
        self.empty = True
        self.implicit = implicit

    def _check_not_finalized(self) -> None:
        if self.finalized:
            raise QuadrantsRuntimeError("FieldsBuilder finalized: create a new qd.FieldsBuilder() for more fields")

    def _access_error(self) -> QuadrantsRuntimeError | None:
        """Why the fields of this tree cannot be accessed now, or ``None``."""
        if self.destroyed:
            return QuadrantsRuntimeError("SNode tree has been destroyed: its fields can no longer be accessed")
        if not self.implicit and not self.finalized:
            return QuadrantsRuntimeError(
                "Field builder is not finalized. Please call finalize() on it before reading or writing its fields"
            )
        return None

    def dense(self, indices, dimensions) -> SNode:
        """Same as :meth:`SNode.dense` on the builder's root."""
        return self.root.dense(indices, dimensions)

    def place(self, *args, offset=None) -> SNode:
        """Same as :meth:`SNode.place` on the builder's root."""
        return self.root.place(*args, offset=offset)

    pointer = _out_of_scope(_SPARSE["pointer"])
    bitmasked = _out_of_scope(_SPARSE["bitmasked"])
    dynamic = _out_of_scope(_SPARSE["dynamic"])
    _hash = _out_of_scope(_SPARSE["_hash"])
    quant_array = _out_of_scope(_SPARSE["quant_array"])
    lazy_grad = _lazy_grad
    lazy_dual = _lazy_dual

    def deactivate_all(self) -> None:
        """Dense cells are always active: nothing to deactivate."""

    def finalize(self, raise_warning: bool = True) -> SNodeTree:
        """Close the builder; its fields become accessible. Returns the tree (``tree.destroy()`` frees it)."""
        self._check_not_finalized()
        if self.empty and raise_warning:
            warnings.warn("Finalizing an empty FieldsBuilder!", stacklevel=2)
        self.finalized = True
        return SNodeTree(self)


class SNodeTree:
    """A finalized tree; :meth:`destroy` releases the storage of its fields."""

    _next_id = itertools.count(1)

    def __init__(self, builder: FieldsBuilder):
        self._builder = builder
        self._id = next(SNodeTree._next_id)

    @property
    def destroyed(self) -> bool:
        return self._builder.destroyed

    @property
    def id(self) -> int:
        if self.destroyed:
            raise QuadrantsRuntimeError("SNode tree has been destroyed")
        return self._id

    def destroy(self) -> None:
        """Free the fields of this tree; using them afterwards raises ``QuadrantsRuntimeError``."""
        if self.destroyed:
            raise QuadrantsRuntimeError("SNode tree has been destroyed")
        self._builder.destroyed = True
        for node in _walk(self._builder.root):
            field = node._field
            if field is not None:
                field._qd_release()


def _walk(node: SNode):
    yield node
    for child in node._children:
        yield from _walk(child)


# session generation -> the implicit builder of ``qd.root`` (the current session's only: older trees die with their
# session). Kept here, not on the session, whose option dicts feed fastcache keys.
_SESSION_ROOTS: dict[int, FieldsBuilder] = {}


def session_root() -> SNode:
    """The root node of the current session's implicit builder (``qd.root``)."""
    session = current_session()
    builder = _SESSION_ROOTS.get(session.generation)
    if builder is None:
        _SESSION_ROOTS.clear()
        builder = _SESSION_ROOTS[session.generation] = FieldsBuilder(implicit=True)
    return builder.root


class Root:
    """``qd.root``: the root of the current session's implicit tree (a new one after each ``qd.init``)."""

    def dense(self, axes, dimensions) -> SNode:
        """A dense child of the root; see :meth:`SNode.dense`."""
        return session_root().dense(axes, dimensions)

    def place(self, *args, offset=None) -> SNode:
        """Place fields directly under the root: 0-d fields (``x[None]``)."""
        return session_root().place(*args, offset=offset)

    def parent(self, n: int = 1):
        """The root has no parent."""
        return None

    @property
    def shape(self) -> tuple:
        return ()

    @property
    def _qd_loop_shape(self) -> tuple:
        return ()

    def _get_children(self) -> list[SNode]:
        return session_root()._get_children()

    @property
    def _id(self) -> int:
        return session_root()._id

    def deactivate_all(self) -> None:
        """Dense cells are always active: nothing to deactivate."""

    pointer = _out_of_scope(_SPARSE["pointer"])
    bitmasked = _out_of_scope(_SPARSE["bitmasked"])
    dynamic = _out_of_scope(_SPARSE["dynamic"])
    hash = _out_of_scope(_SPARSE["hash"])
    quant_array = _out_of_scope(_SPARSE["quant_array"])
    bit_struct = _out_of_scope(_SPARSE["bit_struct"])
    lazy_grad = _lazy_grad
    lazy_dual = _lazy_dual

    def __eq__(self, other) -> bool:
        return isinstance(other, Root) or (isinstance(other, SNode) and other.kind == "root")

    def __hash__(self) -> int:
        return hash(Root)

    def __repr__(self) -> str:
        return "qd.root"

    __str__ = __repr__


root = Root()


def deactivate_all_snodes() -> None:
    """Deactivate every sparse cell: dense trees have none, so this does nothing."""
