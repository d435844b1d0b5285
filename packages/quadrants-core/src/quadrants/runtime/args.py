"""Kernel parameters at call time: checking each argument, its specialization-key component, its launch value.

Each parameter kind (docs/semantics.md §8) has one converter class; the launcher builds the converter list once per
kernel and session and then only calls :meth:`convert` per argument.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect

import numpy as np

from quadrants.errors import QuadrantsElementTypeError, QuadrantsRuntimeTypeError, QuadrantsSyntaxError
from quadrants.frontend.annotations import NdarrayType, ScalarType, Template, TemplateType, parse_annotation
from quadrants.frontend.buffer_views import BufferViewType
from quadrants.frontend.compound_types import MatrixType
from quadrants.frontend.host_values import binds_by_identity, is_user_dataclass, template_key
from quadrants.frontend.struct_types import Struct, StructType, leaf_paths
from quadrants.ir import nodes as ir
from quadrants.ir.dtypes import DataType, from_numpy_dtype, to_dtype
from quadrants.runtime.bound import Bound
from quadrants.runtime.dataclass_members import check_dataclass_members
from quadrants.runtime.external import external_array
from quadrants.runtime.matrix_param import MatrixParam
from quadrants.runtime.ndarray import Ndarray

__all__ = ["Bound", "Param", "make_params", "bind_arguments", "shape_returns", "check_read_only"]


def _upstream_tensor_name(t: MatrixType) -> str:
    """A vector/matrix element type as upstream's scalar-parameter message writes it: ``[Tensor (3) i32]``."""
    return f"[Tensor ({', '.join(map(str, t.shape))}) {t.dtype}]"


def _upstream_type_name(t) -> str:
    """A vector/matrix element type as upstream writes it: ``VectorType[2, i32]``, ``MatrixType[2,3, i32]``."""
    if isinstance(t, MatrixType):
        if t.is_vector:
            return f"VectorType[{t.shape[0]}, {t.dtype}]"
        return f"MatrixType[{t.shape[0]},{t.shape[1]}, {t.dtype}]"
    return str(t)


class Param:
    """Base class: ``name`` and a ``convert(value, session)`` that returns a :class:`Bound`.

    ``kind`` names the parameter class for the layers below the runtime (fastcache's narrow-args hash).
    """

    kind = "param"

    position = 0  # index among the kernel's parameters (set by make_params), as upstream's messages name it

    def __init__(self, name: str):
        self.name = name


class NdarrayParam(Param):
    kind = "ndarray"

    def __init__(self, name: str, anno: NdarrayType, session=None):
        super().__init__(name)
        dtype = anno.dtype
        if isinstance(dtype, MatrixType) and session is not None:
            dtype = dtype.resolved(session.default_fp)
        self.dtype, self.ndim = dtype, anno.ndim
        self.needs_grad = anno.needs_grad  # False: no gradient flows into this argument (runtime/autodiff.py)
        self.boundary = anno.boundary  # "clamp": the kernel clamps its indices (frontend/exprs.py)

    def _check(self, dtype, ndim: int, numpy: bool, np_dtype=None, shape=None) -> None:
        wildcard = isinstance(self.dtype, MatrixType) and self.dtype.is_wildcard
        if wildcard and not (isinstance(dtype, MatrixType) and self.dtype.matches(dtype)):
            got = _upstream_type_name(dtype) if isinstance(dtype, MatrixType) else dtype
            raise ValueError(
                f"Invalid value for argument {self.name} - required element type: {self.dtype}, but {got} is provided"
            )
        if self.dtype is not None and not wildcard and dtype != self.dtype:
            if numpy:
                got = dtype if dtype is not None else np_dtype
                raise ValueError(
                    f"Invalid value for argument {self.name} - required array has dtype={self.dtype}, array with "
                    f"dtype={got} is provided"
                )
            if isinstance(self.dtype, MatrixType):
                want, got = _upstream_type_name(self.dtype), _upstream_type_name(dtype)
                raise QuadrantsElementTypeError(
                    f"Expect element type {self.dtype} for argument {self.name}, but get {dtype} (Invalid value for "
                    f"argument {self.name} - required element type: {want}, but {got} is provided)"
                )
            shown = f"{_upstream_tensor_name(dtype)} (a {dtype} element)" if isinstance(dtype, MatrixType) else dtype
            raise TypeError(f"Expect element type {self.dtype} for argument {self.name}, but get {shown}")
        if self.ndim is not None and ndim != self.ndim:
            if numpy:  # upstream words the two cases differently
                raise ValueError(
                    f"Invalid value for argument {self.name} - required array has ndim={self.ndim}, array with "
                    f"{ndim} dimensions is provided"
                )
            shape_text = f" with shape {tuple(shape)}" if shape is not None else ""
            raise ValueError(
                f"Invalid value for argument {self.name} - required ndim={self.ndim}, but {ndim}d ndarray"
                f"{shape_text} is provided"
            )

    def convert(self, value, session) -> Bound:
        if isinstance(value, Ndarray) and not getattr(value, "_is_quadrants_field", False):
            self._check(value.element_type, value.ndim, numpy=False, shape=value.shape)
            elem = value.element_shape
            spec = ir.NdarrayArg(self.name, value.scalar_dtype, value.ndim + len(elem))
            return Bound(("nd", repr(value.element_type), value.ndim), spec, value.storage(), None, elem, host=value)
        if isinstance(value, np.ndarray) and not (value.flags.c_contiguous or value.flags.f_contiguous):
            # as upstream: a strided view is refused (a Fortran-ordered array is copied in and written back)
            raise ValueError(
                f"Invalid value for argument {self.name}: Non contiguous numpy arrays are not supported, please call "
                "np.ascontiguousarray(arr) before passing it into quadrants kernel"
            )
        if isinstance(value, np.ndarray) and isinstance(self.dtype, MatrixType):
            return self._convert_numpy_matrix(value, session)
        if isinstance(value, np.ndarray):
            dtype = from_numpy_dtype(value.dtype)
            if dtype is None:
                raise ValueError(
                    f"Invalid value for argument {self.name} - required array has "
                    f"dtype={self.dtype or 'a Quadrants dtype'}, array with dtype={value.dtype} is provided"
                )
            self._check(dtype, value.ndim, numpy=True, shape=value.shape)
            spec = ir.NdarrayArg(self.name, dtype, value.ndim)
            if not value.flags.writeable:  # a key of its own: its compile checks that the kernel only reads it
                key = ("nd", dtype.name, value.ndim, "read-only")
                return Bound(key, spec, session.backend.wrap_numpy(value), value, read_only=True)
            return Bound(("nd", dtype.name, value.ndim), spec, session.backend.wrap_numpy(value), value)
        if getattr(value, "_is_quadrants_field", False):
            raise QuadrantsRuntimeTypeError(
                f"Argument {self.name}: a qd.field cannot be converted into required type ndarray; pass it through "
                "a qd.template() parameter"
            )
        ext = external_array(value, session.backend)  # torch tensors, DLPack and CUDA-array objects
        if ext is not None:
            return self._convert_external(ext, session)
        raise QuadrantsRuntimeTypeError(
            f"Invalid type for argument {self.name}, got {value!r}: expected a qd.ndarray or NumPy array"
        )

    def _convert_external(self, ext, session) -> Bound:
        if ext.storage is None:  # host memory: the NumPy path (the backend shares or copies back)
            bound = self.convert(ext.host, session)
            bound.after = ext.after
            return bound
        dtype, ndim = ext.dtype, len(ext.storage.shape)
        if isinstance(self.dtype, MatrixType):
            raise QuadrantsRuntimeTypeError(
                f"Argument {self.name}: a device array cannot be passed to a vector/matrix ndarray parameter; "
                "use a qd.ndarray (from_dlpack) or a scalar ndarray parameter"
            )
        self._check(dtype, ndim, numpy=True)
        return Bound(("nd", dtype.name, ndim), ir.NdarrayArg(self.name, dtype, ndim), ext.storage)

    def _convert_numpy_matrix(self, value: np.ndarray, session) -> Bound:
        mtype: MatrixType = self.dtype
        if mtype.is_wildcard:  # a NumPy array's trailing axes could be element or array axes: nothing tells which
            raise ValueError(
                f"Invalid value for argument {self.name} - required element type: {mtype}; a NumPy array does not "
                "say which of its axes are the element's: pass a qd.ndarray of vectors/matrices"
            )
        elem = mtype.shape
        dtype = from_numpy_dtype(value.dtype)
        if dtype is None:
            raise ValueError(
                f"Invalid value for argument {self.name} - required array has dtype={mtype.dtype}, array with "
                f"dtype={value.dtype} is provided"
            )
        # as upstream, a NumPy array keeps its own component type: the annotation fixes the element's shape only
        mtype = MatrixType(elem, dtype)
        if self.ndim is not None and value.ndim != self.ndim + len(elem):
            raise ValueError(
                f"Invalid value for argument {self.name} - required array has ndim={self.ndim} "
                f"element_dim={len(elem)}, array with {value.ndim} dimensions is provided"
            )
        if value.ndim < len(elem) or tuple(value.shape[value.ndim - len(elem) :]) != elem:
            raise ValueError(
                f"Invalid value for argument {self.name} - required element_shape={elem}, array with element shape "
                f"of {tuple(value.shape[max(value.ndim - len(elem), 0) :])} is provided"
            )
        ndim = value.ndim - len(elem)  # (checked above against the annotation's ndim)
        spec = ir.NdarrayArg(self.name, dtype, value.ndim)
        ro = not value.flags.writeable
        key = ("nd", repr(mtype), ndim, "read-only") if ro else ("nd", repr(mtype), ndim)
        return Bound(key, spec, session.backend.wrap_numpy(value), value, elem, read_only=ro)


class ScalarParam(Param):
    kind = "scalar"

    def __init__(self, name: str, anno: ScalarType, session=None):
        super().__init__(name)
        self.dtype = anno.dtype
        self.key = ("s", anno.dtype.name)
        self.spec = ir.ScalarArg(name, anno.dtype)
        # the common cases, decided once: a float for a float parameter, an int its dtype holds as it is
        self._float = anno.dtype.is_float
        self._range = (0, -1) if self._float else (anno.dtype.min, anno.dtype.max)

    def convert(self, value, session) -> Bound:
        kind = type(value)
        if kind is float and self._float:
            return Bound(self.key, self.spec, value)
        if kind is int and self._range[0] <= value <= self._range[1]:
            return Bound(self.key, self.spec, value)
        dtype = self.dtype
        if isinstance(value, (bool, np.bool_)):
            value = int(value)
        if isinstance(value, (int, np.integer)):
            value = int(value)
            if dtype.is_float:
                return Bound(self.key, self.spec, float(value))
            if value < 0 and dtype.kind in ("uint", "bool"):
                raise TypeError(f"Argument {self.name}: negative value {value} for unsigned parameter type {dtype}")
            return Bound(self.key, self.spec, _wrap(value, dtype))
        if isinstance(value, (float, np.floating)):
            if not dtype.is_float:
                raise QuadrantsRuntimeTypeError(
                    f"Argument ({self.position},) (type={type(value)}) cannot be converted into required type {dtype} "
                    f"(parameter '{self.name}' got {value})"
                )
            return Bound(self.key, self.spec, float(value))
        raise QuadrantsRuntimeTypeError(
            f"Invalid type for argument {self.name}: {type(value).__name__} cannot be converted into required type "
            f"{dtype}"
        )


def _wrap(value: int, dtype: DataType) -> int:
    mask = (1 << dtype.bits) - 1
    value &= mask
    if dtype.kind == "int" and value > dtype.max:
        value -= 1 << dtype.bits
    return value


class TemplateParam(Param):
    kind = "template"

    def __init__(self, name: str, anno: TemplateType, session=None):
        super().__init__(name)

    def convert(self, value, session) -> Bound:
        if _plain_template(type(value)):  # a field or another plain object: what the tests below would give
            return Bound(("t", ("id", id(value))), None, value)
        if isinstance(value, Ndarray) and not getattr(value, "_is_quadrants_field", False):
            raise QuadrantsRuntimeTypeError(
                f"Argument {self.name}: Ndarray shouldn't be passed in via `qd.template()`, please annotate your "
                "kernel using `qd.types.ndarray(...)` (or qd.types.NDArray[...]) instead"
            )
        if _is_struct(value):
            if type(value).__hash__ is None and is_user_dataclass(value):  # upstream hashes a template dataclass
                raise TypeError(
                    f"unhashable type: '{type(value).__name__}': argument '{self.name}' is a qd.template() parameter "
                    "and its value must be hashable; annotate the parameter with the dataclass type itself "
                    f"({self.name}: {type(value).__name__}), or declare the dataclass frozen=True"
                )
            return Bound(("t", type(value), id(value)), None, value, struct=True)
        return Bound(("t", template_key(value)), None, value)


class TensorParam(Param):
    """``x: qd.Tensor`` (runtime/tensor.py): a field binds like a ``qd.template()`` argument, anything else like a
    ``qd.types.ndarray()`` argument of any dtype and ndim, so the key tells the two apart."""

    kind = "tensor"

    def __init__(self, name: str, session=None):
        super().__init__(name)
        self._as_template = TemplateParam(name, Template)
        self._as_ndarray = NdarrayParam(name, NdarrayType(), session)

    def convert(self, value, session) -> Bound:
        # a field, or None (an absent optional tensor: `qd.static(x is None)` tests it, as upstream), binds like a
        # qd.template() argument
        if value is None or getattr(value, "_is_quadrants_field", False):
            return self._as_template.convert(value, session)
        return self._as_ndarray.convert(value, session)


@functools.cache
def _plain_template(cls: type) -> bool:
    """A ``qd.template()`` value of type ``cls`` binds by identity with no other test (ndarrays, which the parameter
    rejects unless they are fields, take the full path)."""
    return not issubclass(cls, Ndarray) and binds_by_identity(cls)


def _is_struct(value) -> bool:
    return getattr(type(value), "_qd_data_oriented", False) or is_user_dataclass(value)


class DataclassParam(Param):
    kind = "dataclass"

    """A parameter annotated with a ``dataclasses.dataclass`` type: its read members are flattened."""

    def __init__(self, name: str, cls: type, session=None):
        super().__init__(name)
        self.cls = cls

    def convert(self, value, session) -> Bound:
        if not isinstance(value, self.cls):
            raise QuadrantsRuntimeTypeError(
                f"Invalid type for argument {self.name}: expected {self.cls.__name__}, got {type(value).__name__}"
            )
        return Bound(("dc", self.cls), None, value, struct=True)


class BufferViewParam(Param):
    """``v: qd.BufferView[dtype]``: the view's ndarray, offset and size are read like a dataclass's members (the
    frontend's ``buffer_views.ref_view``), so the key is the class and the ndarray's type, not the range."""

    kind = "dataclass"

    def __init__(self, name: str, dtype=None, session=None):
        super().__init__(name)
        self.dtype = dtype

    def convert(self, value, session) -> Bound:
        if not getattr(type(value), "_qd_buffer_view", False):
            raise QuadrantsRuntimeTypeError(
                f"Invalid type for argument {self.name}: expected a qd.BufferView (slice an ndarray: data[8:24]), "
                f"got {type(value).__name__}"
            )
        actual = getattr(value.arr, "dtype", None)
        if self.dtype is not None and actual is not None and to_dtype(self.dtype) != actual:
            raise TypeError(f"Expect element type {to_dtype(self.dtype)} for argument {self.name}, but get {actual}")
        return Bound(("dc", type(value)), None, value, struct=True)


class StructParam(Param):
    """A parameter annotated with a struct type (``qd.types.struct`` / ``@qd.dataclass``): passed by value, one
    run-time scalar per leaf (the frontend reads them through ``("member", position, path)`` sources)."""

    kind = "struct"

    def __init__(self, name: str, stype: StructType, session=None):
        super().__init__(name)
        self.stype = stype
        self.key = ("qs", stype)

    def convert(self, value, session) -> Bound:
        if not isinstance(value, Struct) or not _same_members(value, self.stype):
            raise QuadrantsRuntimeTypeError(
                f"Argument {type(value)} cannot be converted into required type {self.stype!r}: pass a struct of "
                f"this type (members {list(self.stype.members)}, each of its type and size)"
            )
        return Bound(self.key, None, value)


def _same_members(value, stype: StructType) -> bool:
    if set(value.keys) != set(stype.members):
        return False
    return all(_same_member(value[k], t) for k, t in stype.members.items())


def _same_member(member, t) -> bool:
    if isinstance(t, StructType):
        return isinstance(member, Struct) and _same_members(member, t)
    if isinstance(member, Struct):
        return False
    if isinstance(t, MatrixType):  # a vector/matrix member of another size is another struct type
        return np.shape(member) == tuple(t.shape)
    return np.ndim(member) == 0  # a scalar member


_PARAM_KINDS = {NdarrayType: NdarrayParam, ScalarType: ScalarParam, TemplateType: TemplateParam}


def make_params(kernel_name: str, signature: inspect.Signature, session) -> list[Param]:
    """One converter per parameter; annotation errors are compile errors of the kernel."""
    params = []
    for position, p in enumerate(signature.parameters.values()):
        if p.kind in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD):
            raise QuadrantsSyntaxError(f"kernel '{kernel_name}': *args and **kwargs parameters are not supported")
        if position == 0 and p.name == "self" and p.annotation is inspect.Parameter.empty:
            params.append(TemplateParam(p.name, Template))  # data_oriented methods: self is an implicit template
            continue
        if isinstance(p.annotation, StructType):
            params.append(StructParam(p.name, p.annotation))
            continue
        if isinstance(p.annotation, MatrixType):  # v: qd.types.vector(3, qd.f32): by value (runtime/matrix_param.py)
            params.append(MatrixParam(p.name, p.annotation, session))
            continue
        if isinstance(p.annotation, type) and dataclasses.is_dataclass(p.annotation):
            check_dataclass_members(kernel_name, p.name, p.annotation)
            params.append(DataclassParam(p.name, p.annotation))
            continue
        if isinstance(p.annotation, BufferViewType) or getattr(p.annotation, "_qd_buffer_view", False):
            params.append(BufferViewParam(p.name, getattr(p.annotation, "dtype", None)))
            continue
        if getattr(p.annotation, "_qd_tensor_annotation", False):  # x: qd.Tensor (a field or an ndarray)
            params.append(TensorParam(p.name, session))
            continue
        if p.annotation is inspect.Parameter.empty:
            raise QuadrantsSyntaxError(
                f"kernel '{kernel_name}': parameter '{p.name}' must be annotated (qd.types.NDArray[...], a dtype, "
                "or qd.template())"
            )
        anno = parse_annotation(p.annotation, session.default_ip, session.default_fp)
        if anno is None:
            raise QuadrantsSyntaxError(
                f"kernel '{kernel_name}': unsupported annotation {p.annotation!r} for parameter '{p.name}'"
            )
        params.append(_PARAM_KINDS[type(anno)](p.name, anno, session))
    for position, param in enumerate(params):
        param.position = position
    return params


def bind_arguments(params: list[Param], args: tuple, kwargs: dict) -> list:
    """Map positional and keyword arguments onto ``params`` in declaration order (§7 call errors)."""
    if len(args) > len(params):
        raise QuadrantsSyntaxError(f"Too many arguments: expected {len(params)}, got {len(args)}")
    values = list(args)
    if not kwargs and len(values) == len(params):
        return values
    names = [p.name for p in params]
    for name in kwargs:
        if name not in names:
            raise QuadrantsSyntaxError(f"Unexpected argument '{name}'")
    for p in params[len(values) :]:
        if p.name not in kwargs:
            raise QuadrantsSyntaxError(f"Missing argument '{p.name}'")
        values.append(kwargs[p.name])
    for name in kwargs:
        if names.index(name) < len(args):
            raise QuadrantsSyntaxError(f"Argument '{name}' given both positionally and as a keyword")
    return values


def host_matrix(components: np.ndarray):
    """A returned vector/matrix as upstream gives it: a host ``qd.Vector`` / ``qd.Matrix`` over the components (it
    indexes, converts with ``to_numpy()`` / ``np.asarray`` and computes like a NumPy array)."""
    from quadrants.runtime.host_matrix import Matrix, Vector

    return (Vector if components.ndim == 1 else Matrix)(components)


def shape_returns(layout: tuple, values: tuple):
    """Host return value: scalars as Python numbers, vectors/matrices as host ``qd.Vector`` / ``qd.Matrix`` (as
    upstream), structs as ``qd.Struct``, tuples as tuples."""
    out, slot = [], 0
    for t in layout:
        if isinstance(t, StructType):
            size = len(leaf_paths(t))
            out.append(t.from_leaves(values[slot : slot + size]))
            slot += size
        elif isinstance(t, MatrixType):
            size = int(np.prod(t.shape))
            out.append(host_matrix(np.array(values[slot : slot + size], dtype=t.dtype.np).reshape(t.shape)))
            slot += size
        else:
            out.append(values[slot])
            slot += 1
    if not out:
        return None
    return out[0] if len(out) == 1 else tuple(out)


def check_read_only(kernel_name: str, program: ir.Program, arg_sources, bound: list[Bound], params: list) -> None:
    """Refuse a specialization whose kernel writes a read-only NumPy argument (the write would be lost, or land in
    memory that NumPy promised not to change): ``ValueError`` naming the argument."""
    from quadrants.ir.walk import iter_stmts, iter_tasks

    writes = (ir.Store, ir.AtomicRMW)
    bodies = [t.body for t in iter_tasks(program.items)] + [f.body for f in program.functions]  # callees write too
    written = {s.arg for body in bodies for s in iter_stmts(body) if isinstance(s, writes)}
    for k, src in enumerate(arg_sources):
        if src[0] == "param" and k in written and bound[src[1]].read_only:
            raise ValueError(
                f"argument '{params[src[1]].name}' of kernel '{kernel_name}' is a read-only NumPy array "
                "(flags.writeable is False) and the kernel writes it: pass a writeable array, e.g. np.array(a)"
            )
