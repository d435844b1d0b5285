"""Run one corpus program in this process and print one JSON line describing how it ended.

``python -m quadrants_conformance.robustness.child BACKEND PROGRAM.py`` — the parent (:mod:`.classify`) reads the last
line that starts with ``ROBUSTNESS-RESULT ``.
"""

from __future__ import annotations

import json
import runpy
import sys
import traceback

MARK = "ROBUSTNESS-RESULT "


def main() -> None:
    backend, path = sys.argv[1], sys.argv[2]
    sys.argv = [path, backend]
    result: dict = {"outcome": "ok"}
    try:
        runpy.run_path(path, run_name="__main__")
    except SystemExit as exc:
        result = {"outcome": "ok"} if exc.code in (0, None) else {"outcome": "exit", "code": str(exc.code)}
    except BaseException as exc:  # classified by the parent
        frames = traceback.extract_tb(exc.__traceback__)
        result = {
            "outcome": "exception",
            "classes": [c.__name__ for c in type(exc).__mro__],
            "message": str(exc)[:4000],
            "last_frame": frames[-1].filename if frames else "",
            "raised_in_program": bool(frames) and frames[-1].filename == path,
        }
    sys.stdout.flush()
    print(MARK + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
