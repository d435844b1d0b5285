#!/usr/bin/env bash
# Warm-cache A/B runs of one Genesis scene after downstream/genesis/gpu_run.sh on the same machine (it leaves the
# installed wheels and each side's caches under $QD_GS_WORK): upstream 1.3.3 as the baseline, then this project once
# per variant, a variant being environment settings (opt-in switches of docs/backends/gpu.md); QD_GS_REPEAT rounds of
# upstream then every variant. Per run: build and step time (run_scene.py) and the per-kernel times (kernel_times.py).
#
# Usage: downstream/genesis/gpu_variants.sh [scene]   (default: mjcf_robot)
# Environment: QD_GS_VARIANTS (';'-separated `name=VAR=value,VAR=value` items; default: the three opt-ins of the
# fourteenth session and the cubin cache), QD_GS_BACKEND (gpu), QD_GS_PYTHON (python3), QD_GS_WORK (/tmp/qd-gs), QD_GS_STEPS (100),
# QD_GS_REPEAT (1), QD_GS_END_S (no run starts after that many seconds, and a run is cut there: the results so far
# are kept; default none), QD_GS_PROFILE=1 (then also step_profile.py per run, into $OUT/profile-SIDE-VARIANT.txt),
# OUT ($QD_GS_WORK/out). Writes $OUT/genesis-variants.jsonl, one line per run with `variant`.
set -o pipefail
cd "$(dirname "$0")/../.." || exit 1
SCENE=${1:-mjcf_robot}
BACKEND=${QD_GS_BACKEND:-gpu}
PY=${QD_GS_PYTHON:-python3}
WORK=${QD_GS_WORK:-/tmp/qd-gs}
OUT=${OUT:-$WORK/out}
VARIANTS=${QD_GS_VARIANTS:-"base=;wide=QD_CUDA_WIDE_BLOCK_LOOPS=1;kvars=QD_CUDA_HOST_KVARS=1;both=QD_CUDA_WIDE_BLOCK_LOOPS=1,QD_CUDA_HOST_KVARS=1;cubin=QD_CUDA_CUBIN_CACHE=1"}
mkdir -p "$OUT"
for d in "$WORK/cache-$SCENE-ours" "$WORK/cache-$SCENE-upstream"; do
  [ -d "$d" ] || { echo "no $d: run downstream/genesis/gpu_run.sh $SCENE first"; exit 1; }
done
[ "$BACKEND" = gpu ] && export PYGLET_HEADLESS=${PYGLET_HEADLESS:-true}

on_side() {  # side variant-settings command...: that side's Quadrants and caches, the variant's settings
  local path=$WORK/site cache=$WORK/cache-$SCENE-$1 settings=$2
  [ "$1" = upstream ] && path=$WORK/up:$WORK/site
  shift 2
  env ${settings//,/ } PYTHONPATH=$path GS_CACHE_FILE_PATH=$cache/genesis QD_OFFLINE_CACHE_FILE_PATH=$cache/quadrants \
    XDG_CACHE_HOME=$cache/xdg NUMBA_CACHE_DIR=$cache/numba "$@"
}

START=$SECONDS
left() {  # seconds a run may take: 300, less when QD_GS_END_S is near
  local end=${QD_GS_END_S:-0}
  [ "$end" -gt 0 ] || { echo 300; return; }
  local rest=$((end - (SECONDS - START)))
  [ $rest -lt 300 ] && echo $rest || echo 300
}

one() {  # side variant-name variant-settings: one warm run and one per-kernel timing, as JSON lines
  local tag="\"side\": \"$1\", \"variant\": \"$2\""
  [ "$(left)" -gt 20 ] || { echo "{$tag, \"skipped\": \"QD_GS_END_S\"}" | tee -a "$OUT/genesis-variants.jsonl"; return; }
  on_side "$1" "$3" timeout "$(left)" "$PY" downstream/genesis/run_scene.py "$SCENE" "$WORK/variant-$1-$2.npz" \
    --backend "$BACKEND" --stand-ins ${QD_GS_STEPS:+--steps $QD_GS_STEPS} 2>/dev/null | tail -1 \
    | sed "s/^{/{$tag, \"run\": \"scene\", /" | tee -a "$OUT/genesis-variants.jsonl"
  [ "$(left)" -gt 20 ] || return
  on_side "$1" "$3" timeout "$(left)" "$PY" downstream/genesis/kernel_times.py "$SCENE" --backend "$BACKEND" --stand-ins \
    2>/dev/null | tail -1 | sed "s/^{/{$tag, \"run\": \"kernels\", /" | tee -a "$OUT/genesis-variants.jsonl"
  if [ "${QD_GS_PROFILE:-0}" = 1 ] && [ "$(left)" -gt 20 ]; then
    on_side "$1" "$3" timeout "$(left)" "$PY" downstream/genesis/step_profile.py "$SCENE" --backend "$BACKEND" \
      --stand-ins --top 45 2>/dev/null > "$OUT/profile-$1-$2.txt"
  fi
}

IFS=';' read -ra items <<< "$VARIANTS"
for _ in $(seq "${QD_GS_REPEAT:-1}"); do
  one upstream base ""
  for item in "${items[@]}"; do
    one ours "${item%%=*}" "${item#*=}"
  done
done
