"""Quadrants WebGPU backend (``wgpu``): IR → WGSL compute shaders run through the ``wgpu`` runtime.

What will live here (docs/writing-a-backend.md): a WGSL emitter keyed by the core ``Op`` table (structured control
flow maps
directly onto WGSL), compute pipelines cached per task, and capabilities that state what WGSL lacks (no i64/f64;
atomics only on 32-bit integers, float atomics emulated with compare-exchange loops). It runs on Vulkan, Metal and
DX12; on a machine without a GPU, on Mesa's software Vulkan driver (Debian package ``mesa-vulkan-drivers``).

This package registers no backend yet: the ``quadrants.backends`` entry point is added with the implementation.
"""
