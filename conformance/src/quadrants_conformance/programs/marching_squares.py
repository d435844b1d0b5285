"""Marching squares: the iso-line of a metaball field, extracted as line segments every step as the balls move.

The scalar field is sampled on the grid nodes; each cell looks up its corner-sign case (0-15) in an edge table held
in an ``i32`` field, interpolates the crossing points on the cell's edges, and appends its segments to an output
buffer through an atomic counter (``qd.atomic_add`` returns the slot). The output order depends on the thread
schedule, so the observables sort the segments on the host.
"""

import numpy as np

import quadrants as qd

SIZES = {"test": {"res": 48, "n_balls": 4}, "bench": {"res": 512, "n_balls": 8}}
TEST_STEPS = 3
ISO = 1.0

# For each corner-sign case: up to two segments, each a pair of edge ids (0 bottom, 1 right, 2 top, 3 left); -1 ends.
EDGE_TABLE = [
    [-1, -1, -1, -1],
    [3, 0, -1, -1],
    [0, 1, -1, -1],
    [3, 1, -1, -1],
    [1, 2, -1, -1],
    [3, 0, 1, 2],
    [0, 2, -1, -1],
    [3, 2, -1, -1],
    [2, 3, -1, -1],
    [2, 0, -1, -1],
    [0, 1, 2, 3],
    [2, 1, -1, -1],
    [1, 3, -1, -1],
    [1, 0, -1, -1],
    [0, 3, -1, -1],
    [-1, -1, -1, -1],
]


@qd.data_oriented
class MarchingSquares:
    """Metaballs on a ``res`` x ``res`` grid over the unit square."""

    def __init__(self, res: int, n_balls: int):
        self.res = res
        self.n_balls = n_balls
        self.max_segments = res * res * 2
        self.values = qd.field(qd.f32, shape=(res + 1, res + 1))
        self.balls = qd.Vector.field(3, qd.f32, shape=n_balls)  # centre x, centre y, radius
        self.edge_table = qd.field(qd.i32, shape=(16, 4))
        self.edge_table.from_numpy(np.array(EDGE_TABLE, dtype=np.int32))
        self.segments = qd.Vector.field(4, qd.f32, shape=self.max_segments)
        self.n_segments = qd.field(qd.i32, shape=())
        self.time = 0

    def move_balls(self):
        t = self.time * 0.1
        k = np.arange(self.n_balls, dtype=np.float64)
        balls = np.stack(
            [
                0.5 + 0.3 * np.cos(t * (1.0 + 0.3 * k) + k),
                0.5 + 0.3 * np.sin(t * (0.7 + 0.2 * k) + 2.0 * k),
                0.08 + 0.02 * k / max(self.n_balls - 1, 1),
            ],
            axis=1,
        )
        self.balls.from_numpy(balls.astype(np.float32))

    @qd.kernel
    def sample(self):
        for i, j in self.values:
            p = qd.Vector([i, j]) / self.res
            v = 0.0
            for b in range(self.n_balls):
                d = p - self.balls[b].xy
                v += self.balls[b].z ** 2 / (d.norm_sqr() + 1.0e-6)
            self.values[i, j] = v

    @qd.func
    def crossing(self, i, j, edge):
        """The point where the iso-line crosses ``edge`` of cell (i, j), in grid units."""
        a = qd.Vector([0, 0])
        b = qd.Vector([1, 0])
        if edge == 1:
            a, b = qd.Vector([1, 0]), qd.Vector([1, 1])
        elif edge == 2:
            a, b = qd.Vector([1, 1]), qd.Vector([0, 1])
        elif edge == 3:
            a, b = qd.Vector([0, 1]), qd.Vector([0, 0])
        va = self.values[i + a.x, j + a.y]
        vb = self.values[i + b.x, j + b.y]
        t = (ISO - va) / (vb - va)
        return qd.Vector([i, j]) + a + t * (b - a)

    @qd.kernel
    def extract(self):
        self.n_segments[None] = 0
        for i, j in qd.ndrange(self.res, self.res):
            case_id = 0
            if self.values[i, j] > ISO:
                case_id |= 1
            if self.values[i + 1, j] > ISO:
                case_id |= 2
            if self.values[i + 1, j + 1] > ISO:
                case_id |= 4
            if self.values[i, j + 1] > ISO:
                case_id |= 8
            for s in qd.static(range(2)):
                e0 = self.edge_table[case_id, 2 * s]
                if e0 >= 0:
                    p = self.crossing(i, j, e0)
                    q = self.crossing(i, j, self.edge_table[case_id, 2 * s + 1])
                    slot = qd.atomic_add(self.n_segments[None], 1)
                    self.segments[slot] = qd.Vector([p.x, p.y, q.x, q.y]) / self.res

    def step(self):
        self.move_balls()
        self.sample()
        self.extract()
        self.time += 1

    def observe(self) -> dict:
        n = int(self.n_segments[None])
        segments = self.segments.to_numpy()[:n]
        order = np.lexsort(segments.T[::-1])
        lengths = np.hypot(segments[:, 2] - segments[:, 0], segments[:, 3] - segments[:, 1])
        return {
            "n_segments": n,
            "segments": segments[order],
            "values": self.values.to_numpy(),
            "contour_length": np.float32(np.sum(lengths, dtype=np.float64)),
        }


def make(size: str = "test") -> MarchingSquares:
    """A fresh marching-squares program of the given size (``"test"`` or ``"bench"``)."""
    return MarchingSquares(**SIZES[size])
