"""The core distribution's version, in a module of its own.

Lower layers (fastcache keys) read it from here rather than from ``quadrants/__init__`` (the public facade sits on
top of every layer) or from ``importlib.metadata`` (30–60 ms per process start, paid on every warm fastcache hit).
A test keeps it equal to the installed distribution's metadata.
"""

__version__ = "0.1.0"
