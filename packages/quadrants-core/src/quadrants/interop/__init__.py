"""``qd.interop``: upstream's hooks into other GPU runtimes. ``get_mps_command_queue()`` returns PyTorch MPS's Metal
command queue for sharing it with the Metal backend; this implementation's Metal path (wgpu) keeps its own queue, so
it returns 0 — upstream's answer whenever extraction is not possible (docs/interop.md)."""

__all__ = ["get_mps_command_queue"]


def get_mps_command_queue() -> int:
    """The raw ``MTLCommandQueue*`` of PyTorch MPS, or 0 when it is not available: always 0 here."""
    return 0
