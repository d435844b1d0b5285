"""``qd.tools.PLYWriter``: write point clouds and meshes as PLY files (ASCII or binary), one file or a numbered
series. PLY: Greg Turk's polygon file format (http://paulbourke.net/dataformats/ply/)."""

from __future__ import annotations

import sys

import numpy as np

__all__ = ["PLYWriter"]

_TYPES = {
    "char": np.int8,
    "uchar": np.uint8,
    "short": np.int16,
    "ushort": np.uint16,
    "int": np.int32,
    "uint": np.uint32,
    "float": np.float32,
    "double": np.float64,
}


class PLYWriter:
    """Collect vertex channels (``x``/``y``/``z`` required), faces (``"tri"`` or ``"quad"``) and face channels, then
    ``export`` (binary, native byte order) or ``export_ascii``; ``export_frame*`` append ``_NNNNNN`` to the name."""

    def __init__(self, num_vertices: int, num_faces=0, face_type="tri", comment="created by PLYWriter"):
        if num_vertices <= 0:
            raise AssertionError("num_vertices should be greater than 0")
        if num_faces < 0:
            raise AssertionError("num_faces shouldn't be less than 0")
        if face_type not in ("tri", "quad"):
            raise AssertionError("Only tri and quad faces are supported for now")
        self.num_vertices, self.num_faces, self.face_type, self.comment = num_vertices, num_faces, face_type, comment
        self.vertex_channels: list[str] = []
        self.vertex_data_type: list[str] = []
        self.vertex_data: list[np.ndarray] = []
        self.face_channels: list[str] = []
        self.face_data_type: list[str] = []
        self.face_data: list[np.ndarray] = []
        self.face_indices = np.zeros((num_faces, self._per_face), np.int32)

    @property
    def _per_face(self) -> int:
        return 3 if self.face_type == "tri" else 4

    @property
    def num_vertex_channels(self) -> int:
        return len(self.vertex_channels)

    @property
    def num_face_channels(self) -> int:
        return len(self.face_channels)

    # ------------------------------------------------------------------------------------------------ channels
    def _add(self, names, types, store, count, key, data_type, data) -> None:
        if data_type not in _TYPES:
            print(f"Unknown type {data_type} detected, skipping this channel")
            return
        data = np.asarray(data)
        columns = data.reshape(count, -1) if data.ndim > 1 else data.reshape(count, 1)
        if columns.size != data.size or columns.shape[0] != count:
            raise AssertionError("The dimension of the channel is not correct")
        keys = [key] if columns.shape[1] == 1 else [f"{key}_{i + 1}" for i in range(columns.shape[1])]
        for k, column in zip(keys, columns.T):
            if k in names:
                print(f"WARNING: duplicate key {k} detected")
            names.append(k)
            types.append(data_type)
            store.append(column.astype(_TYPES[data_type]))

    def add_vertex_channel(self, key: str, data_type: str, data) -> None:
        """A per-vertex property; a 2-d array adds one property per column (``key_1``, ``key_2``, …)."""
        self._add(
            self.vertex_channels, self.vertex_data_type, self.vertex_data, self.num_vertices, key, data_type, data
        )

    def add_face_channel(self, key: str, data_type: str, data) -> None:
        """A per-face property (like :meth:`add_vertex_channel`)."""
        self._add(self.face_channels, self.face_data_type, self.face_data, self.num_faces, key, data_type, data)

    def _add_vector(self, keys, data_type, arrays) -> None:
        for key, array in zip(keys, arrays):
            self.add_vertex_channel(key, data_type, array)

    def add_vertex_pos(self, x, y, z) -> None:
        self._add_vector("xyz", "float", (x, y, z))

    def add_vertex_normal(self, nx, ny, nz) -> None:
        self._add_vector(("nx", "ny", "nz"), "float", (nx, ny, nz))

    def add_vertex_vel(self, vx, vy, vz) -> None:
        self._add_vector(("vx", "vy", "vz"), "float", (vx, vy, vz))

    def add_vertex_color(self, r, g, b) -> None:
        self._add_vector(("red", "green", "blue"), "float", (r, g, b))

    def add_vertex_alpha(self, alpha) -> None:
        self.add_vertex_channel("Alpha", "float", alpha)

    def add_vertex_rgba(self, r, g, b, a) -> None:
        self._add_vector(("red", "green", "blue", "Alpha"), "float", (r, g, b, a))

    def add_vertex_id(self) -> None:
        self.add_vertex_channel("id", "int", np.arange(self.num_vertices))

    def add_vertex_piece(self, piece) -> None:
        self.add_vertex_channel("piece", "int", piece)

    def add_faces(self, indices) -> None:
        """Vertex indices, ``num_faces`` × (3 or 4) values."""
        indices = np.asarray(indices)
        if indices.size != self._per_face * self.num_faces:
            raise AssertionError("The dimension of the face vertices is not correct")
        self.face_indices = indices.reshape(self.num_faces, self._per_face).astype(np.int32)

    def add_face_id(self) -> None:
        self.add_face_channel("id", "int", np.arange(self.num_faces))

    def add_face_piece(self, piece) -> None:
        self.add_face_channel("piece", "int", piece)

    # ------------------------------------------------------------------------------------------------- export
    def sanity_check(self) -> None:
        """Positions present and face indices in range."""
        for k in "xyz":
            if k not in self.vertex_channels:
                raise AssertionError("The vertex pos channel is missing")
        if self.num_faces and not ((self.face_indices >= 0) & (self.face_indices < self.num_vertices)).all():
            raise AssertionError("The face indices are invalid")

    def print_header(self, path: str, _format: str) -> None:
        lines = ["ply", f"format {_format} 1.0", f"comment {self.comment}", f"element vertex {self.num_vertices}"]
        lines += [f"property {t} {k}" for t, k in zip(self.vertex_data_type, self.vertex_channels)]
        if self.num_faces:
            lines += [f"element face {self.num_faces}", "property list uchar int vertex_indices"]
            lines += [f"property {t} {k}" for t, k in zip(self.face_data_type, self.face_channels)]
        with open(path, "w") as f:
            f.write("\n".join([*lines, "end_header"]) + "\n")

    def _records(self, columns, names) -> np.ndarray:
        dtype = [(f"c{k}", c.dtype) for k, c in enumerate(columns)]
        records = np.zeros(len(columns[0]) if columns else 0, dtype=dtype)
        for k, c in enumerate(columns):
            records[f"c{k}"] = c
        return records

    def export(self, path: str) -> None:
        """Write a binary PLY file in the machine's byte order."""
        self.sanity_check()
        self.print_header(path, f"binary_{sys.byteorder}_endian")
        with open(path, "ab") as f:
            f.write(self._records(self.vertex_data, self.vertex_channels).tobytes())
            if self.num_faces:
                counts = np.full(self.num_faces, self._per_face, np.uint8)
                columns = [counts, *self.face_indices.T, *self.face_data]
                f.write(self._records(columns, None).tobytes())

    def export_ascii(self, path: str) -> None:
        """Write an ASCII PLY file."""
        self.sanity_check()
        self.print_header(path, "ascii")
        with open(path, "a") as f:
            for i in range(self.num_vertices):
                f.write("".join(f"{c[i]} " for c in self.vertex_data) + "\n")
            for i in range(self.num_faces):
                head = f"{self._per_face} " + " ".join(str(v) for v in self.face_indices[i]) + " "
                f.write(head + "".join(f"{c[i]} " for c in self.face_data) + "\n")

    @staticmethod
    def _frame_path(series_num: int, path: str) -> str:
        return f"{path[:-4] if path.endswith('.ply') else path}_{series_num:06d}.ply"

    def export_frame_ascii(self, series_num: int, path: str) -> None:
        """``export_ascii`` to ``path_NNNNNN.ply``."""
        self.export_ascii(self._frame_path(series_num, path))

    def export_frame(self, series_num: int, path: str) -> None:
        """``export`` to ``path_NNNNNN.ply``."""
        self.export(self._frame_path(series_num, path))
