"""Which Python parameter kinds kernels and funcs take (docs/semantics/programs.md §7): ordinary "positional or
keyword" parameters only, as upstream 1.3.3, which checks it when the function is decorated. A func's parameters may
have defaults and any parameter may be passed by keyword; a kernel's have no defaults."""

import quadrants as qd
from quadrants_conformance import case

I32_1 = qd.types.NDArray[qd.i32, 1]


@case(section="7", golden={"x": [16, 9, 7]})
def func_defaults_and_keyword_arguments():
    @qd.func
    def f(a, b=4):
        return a + b

    @qd.func
    def g(a: qd.i32, c: qd.i32 = 2) -> qd.i32:
        return a * c

    @qd.kernel
    def k(x: I32_1, n: qd.i32):
        x[0] = f(1) + f(1, b=10)
        x[1] = g(c=3, a=n)
        x[2] = f(b=n, a=4)

    x = qd.ndarray(qd.i32, shape=(3,))
    k(x, n=3)
    return {"x": x.to_numpy()}


@case(section="7", raises=(qd.QuadrantsSyntaxError, "Quadrants kernels do not support keyword parameters"))
def func_keyword_only_parameter_is_rejected():
    @qd.func
    def f(a, *, c=3):
        return a + c


@case(section="7", raises=(qd.QuadrantsSyntaxError, "do not support variable positional parameters (i.e., *args)"))
def func_star_args_parameter_is_rejected():
    @qd.func
    def f(a, *rest):
        return a


@case(section="7", raises=(qd.QuadrantsSyntaxError, "do not support variable keyword parameters (i.e., **kwargs)"))
def func_star_star_kwargs_parameter_is_rejected():
    @qd.func
    def f(a, **options):
        return a


@case(section="7", raises=(qd.QuadrantsSyntaxError, 'only support "positional or keyword" parameters'))
def func_positional_only_parameter_is_rejected():
    @qd.func
    def f(a, /, b):
        return a + b


@case(section="7", raises=(qd.QuadrantsSyntaxError, "Quadrants kernels do not support keyword parameters"))
def kernel_keyword_only_parameter_is_rejected():
    @qd.kernel
    def k(x: I32_1, *, n: qd.i32):
        x[0] = n


@case(section="7", raises=(qd.QuadrantsSyntaxError, "Quadrants kernels do not support default values for arguments"))
def kernel_parameter_default_is_rejected():
    @qd.kernel
    def k(x: I32_1, n: qd.i32 = 3):
        x[0] = n
