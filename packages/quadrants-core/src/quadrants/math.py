"""``qd.math``: bit counting (``popcnt``, ``clz``, ``ffs``) and the math functions also reachable as ``qd.<name>``."""

from quadrants.lang.intrinsics import MATH_FUNCTIONS as _MATH

popcnt, clz, ffs = _MATH["popcnt"], _MATH["clz"], _MATH["ffs"]
sqrt, rsqrt, exp, log = _MATH["sqrt"], _MATH["rsqrt"], _MATH["exp"], _MATH["log"]
sin, cos, tan, asin, acos, atan = _MATH["sin"], _MATH["cos"], _MATH["tan"], _MATH["asin"], _MATH["acos"], _MATH["atan"]
sinh, cosh, tanh, atan2 = _MATH["sinh"], _MATH["cosh"], _MATH["tanh"], _MATH["atan2"]
floor, ceil, round, trunc = _MATH["floor"], _MATH["ceil"], _MATH["round"], _MATH["trunc"]

__all__ = [
    "popcnt", "clz", "ffs", "sqrt", "rsqrt", "exp", "log", "sin", "cos", "tan", "asin", "acos", "atan",
    "sinh", "cosh", "tanh", "atan2", "floor", "ceil", "round", "trunc",
]
