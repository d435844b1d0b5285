"""``qd.math``: GLSL-style vector/matrix types and functions, complex numbers as 2D vectors, bit counting, constants.

Every public name of upstream Quadrants 1.3.3's ``qd.math`` is here (docs/math.md lists them with their rules), plus
the other math functions of the ``qd`` namespace. The functions are kernel-language functions defined by the frontend
(``frontend/math_api.py``, ``frontend/intrinsics.py``); this module only assembles their names.
"""

import math as _pymath

from quadrants.frontend.compound_types import MatrixType as _MatrixType, matrix as _matrix, vector as _vector
from quadrants.frontend.intrinsics import MATH_FUNCTIONS as _MATH
from quadrants.frontend.math_api import KERNEL_FUNCTIONS as _FUNCS
from quadrants.ir import dtypes as _dt

# constants (Python floats, as upstream: they become default_fp values where they meet run-time values)
e = _pymath.e
pi = _pymath.pi
inf = _pymath.inf
nan = _pymath.nan

popcnt, clz, ffs = _MATH["popcnt"], _MATH["clz"], _MATH["ffs"]
sqrt, rsqrt, exp, log = _MATH["sqrt"], _MATH["rsqrt"], _MATH["exp"], _MATH["log"]
sin, cos, tan, asin, acos, atan = _MATH["sin"], _MATH["cos"], _MATH["tan"], _MATH["asin"], _MATH["acos"], _MATH["atan"]
sinh, cosh, tanh, atan2 = _MATH["sinh"], _MATH["cosh"], _MATH["tanh"], _MATH["atan2"]
floor, ceil, round, trunc = _MATH["floor"], _MATH["ceil"], _MATH["round"], _MATH["trunc"]
max, min, pow = _MATH["max"], _MATH["min"], _MATH["pow"]

# component-wise functions
clamp, mix, step, smoothstep = _FUNCS["clamp"], _FUNCS["mix"], _FUNCS["step"], _FUNCS["smoothstep"]
fract, sign, mod, log2 = _FUNCS["fract"], _FUNCS["sign"], _FUNCS["mod"], _FUNCS["log2"]
degrees, radians, isnan, isinf, fns = (
    _FUNCS["degrees"],
    _FUNCS["radians"],
    _FUNCS["isnan"],
    _FUNCS["isinf"],
    _FUNCS["fns"],
)

# vectors and matrices
dot, cross, length, distance = _FUNCS["dot"], _FUNCS["cross"], _FUNCS["length"], _FUNCS["distance"]
normalize, reflect, refract = _FUNCS["normalize"], _FUNCS["reflect"], _FUNCS["refract"]
determinant, inverse, eye, vdir = _FUNCS["determinant"], _FUNCS["inverse"], _FUNCS["eye"], _FUNCS["vdir"]
rotation2d, rotation3d, rot_yaw_pitch_roll = _FUNCS["rotation2d"], _FUNCS["rotation3d"], _FUNCS["rot_yaw_pitch_roll"]
rot_by_axis, translate, scale = _FUNCS["rot_by_axis"], _FUNCS["translate"], _FUNCS["scale"]

# complex numbers as 2D vectors (re, im)
cmul, cdiv, cconj, cinv = _FUNCS["cmul"], _FUNCS["cdiv"], _FUNCS["cconj"], _FUNCS["cinv"]
csqrt, cpow, cexp, clog = _FUNCS["csqrt"], _FUNCS["cpow"], _FUNCS["cexp"], _FUNCS["clog"]

# vector/matrix types; as upstream's, their component types follow the session: default_fp for vec*/mat*,
# default_ip for ivec* and the unsigned type of default_ip's width for uvec* (i32 and u32 by default)
vec2, vec3, vec4 = _vector(2), _vector(3), _vector(4)
ivec2, ivec3, ivec4 = (_MatrixType((n,), _dt.i32, follows="ip") for n in (2, 3, 4))
uvec2, uvec3, uvec4 = (_MatrixType((n,), _dt.u32, follows="up") for n in (2, 3, 4))
mat2, mat3, mat4 = _matrix(2, 2), _matrix(3, 3), _matrix(4, 4)

__all__ = [
    "e",
    "pi",
    "inf",
    "nan",
    "vec2",
    "vec3",
    "vec4",
    "ivec2",
    "ivec3",
    "ivec4",
    "uvec2",
    "uvec3",
    "uvec4",
    "mat2",
    "mat3",
    "mat4",
    "popcnt",
    "clz",
    "ffs",
    "fns",
    "sqrt",
    "rsqrt",
    "exp",
    "log",
    "log2",
    "sin",
    "cos",
    "tan",
    "asin",
    "acos",
    "atan",
    "sinh",
    "cosh",
    "tanh",
    "atan2",
    "floor",
    "ceil",
    "round",
    "trunc",
    "max",
    "min",
    "pow",
    "clamp",
    "mix",
    "step",
    "smoothstep",
    "fract",
    "sign",
    "mod",
    "degrees",
    "radians",
    "isnan",
    "isinf",
    "dot",
    "cross",
    "length",
    "distance",
    "normalize",
    "reflect",
    "refract",
    "determinant",
    "inverse",
    "eye",
    "vdir",
    "rotation2d",
    "rotation3d",
    "rot_yaw_pitch_roll",
    "rot_by_axis",
    "translate",
    "scale",
    "cmul",
    "cdiv",
    "cconj",
    "cinv",
    "csqrt",
    "cpow",
    "cexp",
    "clog",
]
