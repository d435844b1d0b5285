#!/usr/bin/env bash
# Genesis 1.4.5 on gs.gpu, this project against upstream Quadrants 1.3.3, on a machine without a package index
# (the `run` tool's GPU machine; docs/genesis.md, "On a GPU machine without internet"). Carry `.whl-gs` (made here
# by downstream/genesis/pack_gpu.py: trimmed Genesis wheel, the dozen wheels its scenes call into, EGL loader debs)
# and `.whl-up` (upstream's quadrants-1.3.3 wheel, pydantic and the rest of its requirements).
#
# Usage: downstream/genesis/gpu_run.sh [scene ...]   (default: sph_liquid mjcf_robot rigid_primitives)
# Environment: QD_GS_KERNEL_TIMES=1 (then per-kernel step times, kernel_times.py), QD_GS_TASK_PROFILE=1 (then
# each scene under the kernel profiler, task_profile.py, into $OUT/profile-SCENE-SIDE.txt), QD_GS_BUILD_PROFILE=1
# (then each scene's warm build under cProfile, build_phases.py, into $OUT/build-profile-SCENE-SIDE.txt),
# QD_GS_WARM_RUNS (1: warm runs per side and scene, alternating sides; the later ones are phases warm2, warm3, ...),
# QD_GS_BACKEND=gpu|cpu (gpu), QD_GS_PYTHON (python3), QD_GS_WHEELS (.whl-gs), QD_GS_UP_WHEELS (.whl-up;
# a folder without a quadrants wheel runs this project alone), QD_GS_STEPS (each scene's own), QD_GS_BUDGET_S (540:
# no run starts after that many seconds, and a run is cut there), QD_GS_PARALLEL_COLD (1: the two cold runs of a
# scene go side by side; the warm runs, which give the step times, never do), QD_GS_WORK (/tmp/qd-gs), OUT ($WORK/out).
# Writes to $OUT: genesis-runs.jsonl (one line per run: build and step times), genesis-states.npz (each side's
# state after the warm run, `scene/side/array`), genesis-compare.json (ours against upstream, compare.py's
# tolerances), genesis.log. Compare with stored states here: downstream/genesis/compare_stored.py.
set -o pipefail
cd "$(dirname "$0")/../.." || exit 1
ROOT=$PWD
BACKEND=${QD_GS_BACKEND:-gpu}
PY=${QD_GS_PYTHON:-python3}
WHEELS=${QD_GS_WHEELS:-.whl-gs}
UP_WHEELS=${QD_GS_UP_WHEELS:-.whl-up}
WORK=${QD_GS_WORK:-/tmp/qd-gs}
OUT=${OUT:-$WORK/out}
BUDGET=${QD_GS_BUDGET_S:-540}
SCENES=${*:-sph_liquid mjcf_robot rigid_primitives}
START=$SECONDS
rm -rf "$WORK/site" "$WORK/up" "$WORK/states" && mkdir -p "$WORK/states" "$OUT"
LOG=$OUT/genesis.log
: > "$OUT/genesis-runs.jsonl"
say() { echo "$*" | tee -a "$LOG"; }

# EGL: Genesis always builds an offscreen rasterizer, even headless; the loader debs come with .whl-gs
if [ "$BACKEND" = gpu ] && ! ldconfig -p | grep -q 'libEGL.so.1'; then
  for f in "$WHEELS"/debs/*.deb; do [ -e "$f" ] && dpkg -x "$f" /; done; ldconfig
fi
# no X server or X libraries there: pyglet (imported by Genesis's viewer module) must take its EGL path
[ "$BACKEND" = gpu ] && export PYGLET_HEADLESS=${PYGLET_HEADLESS:-true}
vendor=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
[ -z "$__EGL_VENDOR_LIBRARY_FILENAMES" ] && [ -f $vendor ] && export __EGL_VENDOR_LIBRARY_FILENAMES=$vendor

pipi() { "$PY" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade "$@" 2>&1 | { grep -v WARNING || true; }; }
# Genesis and its wheels, plus upstream's requirements that .whl-gs does not hold already (pydantic, rich, ...)
deps=$("$PY" - "$WHEELS" "$UP_WHEELS" <<'EOF'
import sys
from pathlib import Path
name = lambda w: w.name.split("-")[0].lower()
ours = sorted(Path(sys.argv[1]).glob("*.whl"))
have = {name(w) for w in ours}
theirs = [w for w in sorted(Path(sys.argv[2]).glob("*.whl")) if name(w) not in have and name(w) != "quadrants"]
print(" ".join(str(w) for w in ours + theirs))
EOF
)
pipi --target "$WORK/site" $deps || { say "installing the wheels failed"; exit 1; }
up=$(ls "$UP_WHEELS"/quadrants-1.3.3-*.whl 2>/dev/null | head -1)
[ -n "$up" ] && { pipi --target "$WORK/up" "$up" || exit 1; }
# this project, editable (its backends are entry points, so it needs its metadata installed)
pipi --no-build-isolation -e packages/quadrants-core -e packages/quadrants-ref -e packages/quadrants-llvm || exit 1

say "backend gs.$BACKEND, $("$PY" -c 'import sys, llvmlite, numpy, torch; print("python", sys.version.split()[0], "llvmlite", llvmlite.__version__, "numpy", numpy.__version__, "torch", torch.__version__)')"
[ "$BACKEND" = gpu ] && nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee -a "$LOG"
say "install: $((SECONDS - START)) s; sides: ours${up:+ upstream}"

on_side() {  # scene side command...: run the command with that side's Quadrants and that scene's caches
  local path=$WORK/site cache=$WORK/cache-$1-$2
  [ "$2" = upstream ] && path=$WORK/up:$WORK/site
  shift 2
  PYTHONPATH=$path GS_CACHE_FILE_PATH=$cache/genesis QD_OFFLINE_CACHE_FILE_PATH=$cache/quadrants \
    XDG_CACHE_HOME=$cache/xdg NUMBA_CACHE_DIR=$cache/numba "$@"
}

run() {  # scene side phase
  local left=$((BUDGET - (SECONDS - START)))
  if [ $left -le 5 ]; then
    echo "{\"scene\": \"$1\", \"side\": \"$2\", \"phase\": \"$3\", \"skipped\": \"budget\"}" >> "$OUT/genesis-runs.jsonl"
    return
  fi
  local line
  line=$(on_side "$1" "$2" timeout $left "$PY" downstream/genesis/run_scene.py "$1" \
    "$WORK/states/$1-$2-$3.npz" --backend "$BACKEND" --stand-ins ${QD_GS_STEPS:+--steps $QD_GS_STEPS} \
    2>&1 | tee -a "$LOG" | tail -1)
  local rc=$?
  case $line in
    "{"*) echo "$line" | "$PY" -c "import json,sys; d=json.load(sys.stdin); d.update(side='$2', phase='$3'); print(json.dumps(d))" ;;
    *) echo "{\"scene\": \"$1\", \"side\": \"$2\", \"phase\": \"$3\", \"failed\": $rc}" ;;
  esac | tee -a "$OUT/genesis-runs.jsonl"
}

sides="ours"
[ -n "$up" ] && sides="ours upstream"
for scene in $SCENES; do
  rm -rf "$WORK"/cache-"$scene"-*
  if [ "${QD_GS_PARALLEL_COLD:-1}" = 1 ]; then
    for side in $sides; do run "$scene" "$side" cold & done; wait
  else
    for side in $sides; do run "$scene" "$side" cold; done
  fi
  for side in $sides; do run "$scene" "$side" warm; done
  for k in $(seq 2 "${QD_GS_WARM_RUNS:-1}"); do
    for side in $sides; do run "$scene" "$side" "warm$k"; done
  done
done

# each side's state after its warm run (its cold one if the warm run did not finish) in one file, ours against
# upstream, and how far each side's cold and warm states are apart (the caches must not change results)
PYTHONPATH=downstream/genesis "$PY" - "$WORK/states" "$OUT" <<'EOF'
import json, sys
from pathlib import Path
import numpy as np
from compare import compare_states
states, out = Path(sys.argv[1]), Path(sys.argv[2])
runs = {}
for f in sorted(states.glob("*.npz")):
    scene, side, phase = f.stem.rsplit("-", 2)
    runs.setdefault(scene, {}).setdefault(side, {})[phase] = dict(np.load(f))
sides = {s: {side: p.get("warm", p.get("cold")) for side, p in d.items()} for s, d in runs.items()}
packed = {f"{s}/{side}/{k}": v for s, d in sides.items() for side, a in d.items() for k, v in a.items()}
np.savez(out / "genesis-states.npz", **packed)
result = {s: compare_states(s, d["ours"], d["upstream"]) for s, d in sides.items() if len(d) == 2}
cold_warm = {
    f"{s}/{side}": compare_states(s, p["cold"], p["warm"])["arrays"]
    for s, d in runs.items() for side, p in d.items() if len(p) == 2
}
summary = {"ours_vs_upstream": result, "cold_vs_warm": cold_warm}
(out / "genesis-compare.json").write_text(json.dumps(summary, indent=1))
for s, r in result.items():
    print(f"{s}: {'match' if r['ok'] else 'DIFFER'} " + ", ".join(f"{k} {v:.2g}" for k, v in r["arrays"].items()))
for k, arrays in cold_warm.items():
    print(f"{k} cold vs warm: largest difference {max(arrays.values(), default=0.0):.2g}")
EOF
# the extra measurements below, each run per scene and side with the warm caches while the budget (plus two minutes
# for them) lasts: the command given, with $scene, $side and $left (seconds) set
per_scene_side() {
  local scene side left
  for scene in $SCENES; do
    for side in $sides; do
      left=$((BUDGET + 120 - (SECONDS - START)))
      [ $left -le 20 ] && return
      "$@"
    done
  done
}
# QD_GS_KERNEL_TIMES=1: each scene's step per kernel on both sides (kernel_times.py)
kernel_times() {
  on_side "$scene" "$side" timeout $left "$PY" downstream/genesis/kernel_times.py "$scene" --backend "$BACKEND" \
    --stand-ins 2>>"$LOG" | tail -1 | tee -a "$OUT/genesis-kernel-times.jsonl"
}
# QD_GS_BUILD_PROFILE=1: each scene's warm build on both sides under cProfile (build_phases.py --profile)
build_profile() {
  on_side "$scene" "$side" timeout $left "$PY" downstream/genesis/build_phases.py "$scene" --backend "$BACKEND" \
    --stand-ins --profile "$OUT/build-profile-$scene-$side.txt" 2>>"$LOG" | tail -1 \
    | tee -a "$OUT/genesis-build-phases.jsonl" | cut -c1-400
}
# QD_GS_TASK_PROFILE=1: each scene's step under the kernel profiler on both sides (task_profile.py): per kernel and,
# on this project, per task with its launch dimensions; on upstream, its offloaded tasks
task_profile() {
  on_side "$scene" "$side" timeout $left "$PY" downstream/genesis/task_profile.py "$scene" --backend "$BACKEND" \
    --stand-ins > "$OUT/profile-$scene-$side.txt" 2>>"$LOG"
  head -3 "$OUT/profile-$scene-$side.txt"
}
[ "${QD_GS_KERNEL_TIMES:-0}" = 1 ] && per_scene_side kernel_times
[ "${QD_GS_BUILD_PROFILE:-0}" = 1 ] && per_scene_side build_profile
[ "${QD_GS_TASK_PROFILE:-0}" = 1 ] && per_scene_side task_profile
say "total: $((SECONDS - START)) s"
