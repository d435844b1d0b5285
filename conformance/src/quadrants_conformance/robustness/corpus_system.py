"""The process around the kernels: fastcache file-system faults, threads, signals, size blow-ups, dtype variants."""

from __future__ import annotations

from quadrants_conformance.robustness.program import program

CACHED = """
import os, tempfile
root = tempfile.mkdtemp()
{setup}
qd.init(arch=ARCH, offline_cache_file_path=cache)

@qd.kernel(fastcache=True)
def k(x: qd.types.NDArray[qd.i32, 1]):
    for i in range(x.shape[0]):
        x[i] = i * 3

a = qd.ndarray(qd.i32, 8)
k(a)
assert (a.to_numpy() == np.arange(8) * 3).all()
{after}
"""

FASTCACHE = [
    ("cache_path_is_a_file", "cache = os.path.join(root, 'f')\nopen(cache, 'w').write('x')", ""),
    ("cache_parent_missing", "cache = os.path.join(root, 'no', 'such', 'dir')", ""),
    (
        "cache_entries_corrupted",
        "cache = os.path.join(root, 'c')",
        "for d, _, files in os.walk(cache):\n    for f in files:\n"
        "        open(os.path.join(d, f), 'wb').write(b'junk')\n"
        "qd.init(arch=ARCH, offline_cache_file_path=cache)\nb = qd.ndarray(qd.i32, 8)\nk(b)\n"
        "assert (b.to_numpy() == np.arange(8) * 3).all()",
    ),
    (
        "cache_entries_truncated",
        "cache = os.path.join(root, 'c')",
        "for d, _, files in os.walk(cache):\n    for f in files:\n        p = os.path.join(d, f)\n"
        "        data = open(p, 'rb').read()\n        open(p, 'wb').write(data[: len(data) // 2])\n"
        "qd.init(arch=ARCH, offline_cache_file_path=cache)\nb = qd.ndarray(qd.i32, 8)\nk(b)\n"
        "assert (b.to_numpy() == np.arange(8) * 3).all()",
    ),
    (
        "cache_dir_deleted_between_sessions",
        "cache = os.path.join(root, 'c')",
        "import shutil\nshutil.rmtree(cache)\nqd.init(arch=ARCH, offline_cache_file_path=cache)\n"
        "b = qd.ndarray(qd.i32, 8)\nk(b)\nassert (b.to_numpy() == np.arange(8) * 3).all()",
    ),
    (
        "cache_dir_replaced_by_file",
        "cache = os.path.join(root, 'c')",
        "import shutil\nshutil.rmtree(cache)\nopen(cache, 'w').write('x')\n"
        "qd.init(arch=ARCH, offline_cache_file_path=cache)\nb = qd.ndarray(qd.i32, 8)\nk(b)\n"
        "assert (b.to_numpy() == np.arange(8) * 3).all()",
    ),
]

THREADS = """
import threading

@qd.kernel
def add(x: qd.types.NDArray[qd.i32, 1], v: qd.i32) -> qd.i32:
    for i in range(x.shape[0]):
        x[i] = x[i] + v
    return v

arrays = [qd.ndarray(qd.i32, 32) for _ in range(8)]
wrong = []

def work(t):
    for _ in range({launches}):
        if add(arrays[t], t + 1) != t + 1:
            wrong.append(t)

threads = [threading.Thread(target=work, args=(t,)) for t in range(8)]
[th.start() for th in threads]
[th.join() for th in threads]
assert not wrong, wrong
for t, a in enumerate(arrays):
    assert (a.to_numpy() == {launches} * (t + 1)).all(), t
"""

SIGINT = """
import os, signal, threading, time

@qd.kernel
def spin(x: qd.types.NDArray[qd.f32, 1], m: qd.i32):
    for i in range(x.shape[0]):
        s = i * 1e-6  # differs per row: no backend may compute the rows once
        for j in range(m):
            s += qd.sin(s + j)
        x[i] = s

@qd.kernel
def inc(x: qd.types.NDArray[qd.i32, 1]):
    for i in range(x.shape[0]):
        x[i] += 1

# a launch of about {seconds} s on this backend and machine, made long by its number of rows: one lane's loops may
# not be (llvmpipe, the Vulkan driver of wgpu on lavapipe, stops a shader after 65535 loop iterations)
def timed(rows):
    probe = qd.ndarray(qd.f32, rows)
    t0 = time.perf_counter()
    spin(probe, 1000)
    probe.to_numpy()
    return time.perf_counter() - t0

rows, took = 1024, timed(1024)  # compiles too
took = timed(rows)
while True:  # the cost of more rows (a launch has a fixed cost too)
    more = timed(rows * 8)
    if more - took > 0.2 or rows >= 1 << 21:
        break
    rows, took = rows * 8, more
per_row = max((more - took) / (7 * rows), 1e-9)
rows, m = int({seconds} / per_row), 1000
if rows > 1 << 24:  # a fast GPU: longer lanes rather than more memory (60000 iterations stay under llvmpipe's cap)
    m = min(60000, int(m * rows / (1 << 26)) + 1000)
    rows = 1 << 26
x = qd.ndarray(qd.f32, rows)
threading.Timer(0.5, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
t0 = time.perf_counter()
try:
    spin(x, m)
    x.to_numpy()  # waits for the device where a launch returns before the work is done (wgpu)
    raise AssertionError("the kernel finished before the interrupt arrived; make it longer")
except KeyboardInterrupt:
    late = time.perf_counter() - t0 - 0.5
    assert late < 1.0, f"KeyboardInterrupt came {{late:.2f}} s after SIGINT"
y = qd.ndarray(qd.i32, 16)
inc(y)  # works; on a GPU it runs once the interrupted launch (which a device cannot abandon) has finished
inc(y)
assert (y.to_numpy() == 2).all()
"""

SIZES = [
    ("expression_300_terms", "return " + " + ".join(f"x[{i % 4}]" for i in range(300)), "300.0"),
    ("expression_600_terms", "return " + " + ".join(f"x[{i % 4}]" for i in range(600)), "600.0"),
    ("expression_900_terms", "return " + " + ".join(f"x[{i % 4}] * {i}" for i in range(900)), "float(sum(range(900)))"),
    ("expression_2000_terms", "return " + " + ".join(f"x[{i % 4}]" for i in range(2000)), "2000.0"),
    ("statements_400", "s = 0.0\n" + "\n".join(f"s += x[{i % 4}]" for i in range(400)) + "\nreturn s", "400.0"),
    ("nested_parentheses_150", "return " + "(" * 150 + "x[0]" + " + 1.0)" * 150, "151.0"),  # Python allows 200
]

DTYPES = ["i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "f32", "f64"]


def _func_chain(n: int) -> str:
    src = "@qd.func\ndef f0(v):\n    return v + 1\n"
    src += "".join(f"@qd.func\ndef f{i}(v):\n    return f{i - 1}(v) + 1\n" for i in range(1, n))
    return src + f"@qd.kernel\ndef k(a: qd.i32) -> qd.i32:\n    return f{n - 1}(a)\nassert k(1) == {n + 1}\n"


def programs() -> list:
    out = [
        program(f"fastcache/{pid}", "fastcache", CACHED.format(setup=setup, after=after), expect="ok", init=False)
        for pid, setup, after in FASTCACHE
    ]
    out.append(program("threads/launch_8x1000", "threads", THREADS.format(launches=1000), expect="ok", timeout=300))
    out.append(program("threads/launch_8x50", "threads", THREADS.format(launches=50), expect="ok"))
    out.append(
        program(
            "signals/sigint_during_long_kernel",
            "signals",
            SIGINT.format(seconds=4.0),
            expect="ok",
            timeout=120,
        )
    )
    for pid, body, want in SIZES:
        inner = "\n".join("    " + line for line in body.splitlines())
        src = f"@qd.kernel\ndef k(x: qd.types.NDArray[qd.f32, 1]) -> qd.f32:\n{inner}\n"
        src += f"assert k(np.ones(4, np.float32)) == {want}\n"
        out.append(program(f"sizes/{pid}", "sizes", src, expect="ok", timeout=300))
    for n in (50, 100, 150, 300):
        out.append(program(f"sizes/func_chain_{n}", "sizes", _func_chain(n), expect="ok", timeout=300))
    params = ", ".join(f"a{i}: qd.i32" for i in range(250))
    total = " + ".join(f"a{i}" for i in range(250))
    out.append(
        program(
            "sizes/parameters_250",
            "sizes",
            f"@qd.kernel\ndef k({params}) -> qd.i32:\n    return {total}\nassert k(*range(250)) == sum(range(250))",
            expect="ok",
            timeout=300,
        )
    )
    # every dtype given where another one is declared: a TypeError at the call
    for i, want in enumerate(DTYPES):
        given = DTYPES[(i + 3) % len(DTYPES)]
        src = f"@qd.kernel\ndef k(x: qd.types.NDArray[qd.{want}, 1]):\n    pass\nk(qd.ndarray(qd.{given}, 2))"
        out.append(program(f"dtypes/{want}_given_{given}", "arguments", src, error="TypeError"))
        src = f"@qd.kernel\ndef k(x: qd.types.NDArray[qd.{want}, 2]):\n    pass\nk(qd.ndarray(qd.{want}, 2))"
        out.append(program(f"dtypes/{want}_ndim_mismatch", "arguments", src, error="ValueError"))
    return out
