"""``qd.math``: bit counting (``popcnt``, ``clz``, ``ffs``) and the math functions also reachable as ``qd.<name>``."""

from quadrants.frontend.compound_types import matrix as _matrix, vector as _vector
from quadrants.frontend.intrinsics import MATH_FUNCTIONS as _MATH
from quadrants.ir import dtypes as _dt

popcnt, clz, ffs = _MATH["popcnt"], _MATH["clz"], _MATH["ffs"]
sqrt, rsqrt, exp, log = _MATH["sqrt"], _MATH["rsqrt"], _MATH["exp"], _MATH["log"]
sin, cos, tan, asin, acos, atan = _MATH["sin"], _MATH["cos"], _MATH["tan"], _MATH["asin"], _MATH["acos"], _MATH["atan"]
sinh, cosh, tanh, atan2 = _MATH["sinh"], _MATH["cosh"], _MATH["tanh"], _MATH["atan2"]
floor, ceil, round, trunc = _MATH["floor"], _MATH["ceil"], _MATH["round"], _MATH["trunc"]

# vector/matrix types (float components use default_fp; ivec* use i32)
vec2, vec3, vec4 = _vector(2), _vector(3), _vector(4)
ivec2, ivec3, ivec4 = _vector(2, _dt.i32), _vector(3, _dt.i32), _vector(4, _dt.i32)
uvec2, uvec3, uvec4 = _vector(2, _dt.u32), _vector(3, _dt.u32), _vector(4, _dt.u32)
mat2, mat3, mat4 = _matrix(2, 2), _matrix(3, 3), _matrix(4, 4)

__all__ = [
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
    "sqrt",
    "rsqrt",
    "exp",
    "log",
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
]
