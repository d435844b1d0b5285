"""Command line: ``python -m quadrants <command>`` (also installed as the ``quadrants`` console script).

Commands:

* ``doctor [--json]`` — what this machine can run: every registered backend with ``available`` / ``unavailable`` and
  the reason its ``probe()`` gives, its archs and a one-line capability summary, the versions that affect results, and
  the ``QD_*`` variables that are set. Paste its output into bug reports. Exits 1 when no backend is available.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import platform
import sys
import warnings
from collections.abc import Sequence
from typing import Any

__all__ = ["main", "collect_report"]

_DISTRIBUTION = "quadrants-core"


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m quadrants`` and of the ``quadrants`` console script; returns the exit status."""
    parser = _build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    return int(args.handler(args))


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="quadrants", description="Quadrants kernel DSL tools.")
    commands = parser.add_subparsers(dest="command", metavar="<command>")
    doctor = commands.add_parser("doctor", help="show the backends this machine can run, and versions")
    doctor.add_argument("--json", action="store_true", help="print the report as JSON")
    doctor.set_defaults(handler=_run_doctor)
    return parser


def _run_doctor(args: argparse.Namespace) -> int:
    report = collect_report()
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(_format_report(report))
    return 0 if any(b["available"] for b in report["backends"]) else 1


def collect_report() -> dict[str, Any]:
    """Everything ``doctor`` shows, as plain JSON-serialisable data."""
    from quadrants import config  # imported here so that `--help` works even with a broken core
    from quadrants.backend import discover_backends

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        backends = discover_backends()
    try:
        env_error = ""
        config.read_env()
    except ValueError as exc:
        env_error = str(exc)
    return {
        "versions": _versions(),
        "platform": platform.platform(),
        "backends": [_describe_backend(backend) for _, backend in sorted(backends.items())],
        "problems": [str(w.message) for w in caught],
        "environment": config.set_variables(),
        "environment_error": env_error,
    }


def _versions() -> dict[str, str]:
    import numpy

    try:
        quadrants_version = importlib.metadata.version(_DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        quadrants_version = "not installed (source tree)"
    return {
        "python": f"{platform.python_version()} ({sys.executable})",
        "numpy": numpy.__version__,
        "quadrants": quadrants_version,
    }


def _describe_backend(backend: Any) -> dict[str, Any]:
    try:
        availability = backend.probe()
        available, reason, device = bool(availability.available), availability.reason, availability.device
    except Exception as exc:  # a probe must not take the doctor down: report it as the reason
        available, reason, device = False, f"probe() raised {type(exc).__name__}: {exc}", ""
    caps = getattr(backend, "capabilities", None)
    return {
        "id": backend.id,
        "available": available,
        "reason": reason,
        "device": device,
        "archs": list(getattr(backend, "archs", ())),
        "capabilities": _describe_capabilities(caps) if caps is not None else None,
    }


def _describe_capabilities(caps: Any) -> dict[str, Any]:
    return {
        "dtypes": _dtype_names(caps.dtypes),
        "atomic_dtypes": _dtype_names(caps.atomic_dtypes),
        "features": sorted(caps.features),
        "max_ndim": caps.max_ndim,
    }


def _dtype_names(dtypes: Any) -> list[str]:
    kind_order = {"bool": 0, "int": 1, "uint": 2, "float": 3}
    ordered = sorted(dtypes, key=lambda t: (kind_order.get(t.kind, 9), t.bits, t.name))
    return [t.name for t in ordered]


def _format_report(report: dict[str, Any]) -> str:
    versions = report["versions"]
    lines = [
        "quadrants doctor",
        f"  python     {versions['python']}",
        f"  numpy      {versions['numpy']}",
        f"  quadrants  {versions['quadrants']}",
        f"  platform   {report['platform']}",
        "",
        f"backends ({len(report['backends'])} registered)",
    ]
    if not report["backends"]:
        lines.append("  none: install quadrants-ref (or another backend package)")
    for backend in report["backends"]:
        lines.extend(_format_backend(backend))
    if report["problems"]:
        lines += ["", "problems"] + [f"  {p}" for p in report["problems"]]
    lines += ["", "environment"]
    env = report["environment"]
    lines += [f"  {name}={value}" for name, value in env.items()] or ["  no QD_* variables set"]
    if report["environment_error"]:
        lines.append(f"  error: {report['environment_error']}")
    return "\n".join(lines)


def _format_backend(backend: dict[str, Any]) -> list[str]:
    status = "available" if backend["available"] else "unavailable"
    detail = backend["device"] if backend["available"] else backend["reason"]
    head = f"  {backend['id']:<12} {status:<12} {detail}".rstrip()
    lines = [head, f"  {'':<12} archs: {', '.join(backend['archs']) or '-'}"]
    caps = backend["capabilities"]
    if caps is not None:
        summary = (
            f"dtypes: {' '.join(caps['dtypes']) or '-'}; atomics: {' '.join(caps['atomic_dtypes']) or '-'}; "
            f"features: {' '.join(caps['features']) or '-'}; max_ndim {caps['max_ndim']}"
        )
        lines.append(f"  {'':<12} {summary}")
    return lines


if __name__ == "__main__":
    sys.exit(main())
