"""Game of life: Conway's cellular automaton on a torus, with a random initial soup drawn on the host.

Each step counts the eight neighbours of every cell (a compile-time ``qd.static`` loop over the offsets, wrapped
indices), applies the birth/survival rule into a second field, and copies it back; a local reduction counts the live
cells. All integer, so every backend must agree exactly. The soup comes from NumPy's generator with a fixed seed (not
``qd.random``, whose stream is this implementation's own), so upstream Quadrants starts from the same board.
"""

import numpy as np

import quadrants as qd

SIZES = {"test": {"res": 64}, "bench": {"res": 512}}
TEST_STEPS = 8
SEED = 20240501

NEIGHBOURS = tuple((di, dj) for di in (-1, 0, 1) for dj in (-1, 0, 1) if (di, dj) != (0, 0))


@qd.data_oriented
class GameOfLife:
    """A ``res`` x ``res`` periodic board."""

    def __init__(self, res: int):
        self.res = res
        self.alive = qd.field(qd.i32, shape=(res, res))
        self.next_alive = qd.field(qd.i32, shape=(res, res))
        self.population = 0
        self.seed(np.random.default_rng(SEED).random((res, res), dtype=np.float32))

    @qd.kernel
    def seed(self, u: qd.types.ndarray(dtype=qd.f32, ndim=2)):
        for i, j in self.alive:
            self.alive[i, j] = 1 if u[i, j] < 0.3 else 0

    @qd.func
    def neighbours(self, i, j):
        count = 0
        for di, dj in qd.static(NEIGHBOURS):
            count += self.alive[(i + di + self.res) % self.res, (j + dj + self.res) % self.res]
        return count

    @qd.kernel
    def evolve(self):
        for i, j in self.alive:
            n = self.neighbours(i, j)
            if self.alive[i, j] == 1:
                self.next_alive[i, j] = 1 if n == 2 or n == 3 else 0
            else:
                self.next_alive[i, j] = 1 if n == 3 else 0

    @qd.kernel
    def commit(self) -> qd.i32:
        live = 0
        for i, j in self.alive:
            self.alive[i, j] = self.next_alive[i, j]
            live += self.alive[i, j]
        return live

    def step(self):
        self.evolve()
        self.population = self.commit()

    def observe(self) -> dict:
        board = self.alive.to_numpy()
        return {"board": board, "population": self.population, "row_counts": board.sum(axis=1)}


def make(size: str = "test") -> GameOfLife:
    """A fresh board of the given size (``"test"`` or ``"bench"``)."""
    return GameOfLife(**SIZES[size])
