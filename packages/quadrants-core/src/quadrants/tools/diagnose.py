"""``qd.tools.diagnose``: print what the environment looks like (``python -m quadrants.tools.diagnose``)."""

from __future__ import annotations

import platform
import sys

__all__ = ["main"]


def main() -> None:
    """Print the Python, platform and Quadrants backend information useful in bug reports."""
    print("Quadrants system diagnose:")
    print("")
    print(f"python: {sys.version}")
    print(f"system: {sys.platform}")
    print(f"executable: {sys.executable}")
    print(f"platform: {platform.platform()}")
    print(f"architecture: {' '.join(platform.architecture())}")
    print(f"uname: {platform.uname()}")
    print("")
    from quadrants.backend import discover_backends

    for backend_id, backend in sorted(discover_backends().items()):
        availability = backend.probe()
        state = "available" if availability.available else f"unavailable ({availability.reason})"
        print(f"backend {backend_id}: {state}")


if __name__ == "__main__":
    main()
