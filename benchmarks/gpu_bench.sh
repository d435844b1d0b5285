#!/usr/bin/env bash
# The GPU benchmarks (llvm-cuda and wgpu, each against upstream 1.3.3 where it has the same program) on a machine of
# the `run` tool, which has no package index: carry `.gl` (Vulkan loader debs), `.whl` (wgpu) and `.whl-up` (the
# quadrants-1.3.3 wheel and its requirements, rich and pygments, markdown_it_py and mdurl included), see
# docs/benchmarks.md. Usage: benchmarks/gpu_bench.sh [module substring ...] (default: llvm_cuda wgpu).
# Also runs the robustness corpus on llvm-cuda when QD_GPU_ROBUSTNESS=1. Reports go to $OUT.
set -o pipefail
for f in .gl/*.deb; do [ -e "$f" ] && dpkg -x "$f" /; done; ldconfig
pip() { python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade "$@"; }
# without .whl (llvm_cuda alone needs no wgpu: leaves room in the carry for Genesis's wheels) the wgpu rows are skipped
if ls .whl/*.whl >/dev/null 2>&1; then pip --target /tmp/site .whl/*.whl || exit 1; fi
# upstream in its own directory: both distributions are `import quadrants`
pip --target /tmp/up .whl-up/*.whl || exit 1
printf '#!/bin/sh\nPYTHONPATH=/tmp/up exec python3 "$@"\n' > /tmp/uppy && chmod +x /tmp/uppy
export PYTHONPATH=/tmp/site PYTHONUNBUFFERED=1
pip --no-build-isolation -e packages/quadrants-core -e packages/quadrants-ref -e packages/quadrants-llvm \
  -e packages/quadrants-wgpu -e conformance 2>&1 | grep -v WARNING | tail -3
if ! python3 -c "import wgpu; assert any(a.info['adapter_type'] != 'CPU' for a in wgpu.gpu.enumerate_adapters_sync())" 2>/dev/null; then
  export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
fi
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
for k in ${@:-llvm_cuda wgpu}; do
  timeout "${QD_GPU_TIMEOUT:-400}" python3 benchmarks/run.py -k "$k" --against upstream --upstream-python /tmp/uppy \
    --out "$OUT/bench-$k.json" 2>&1 | tee "$OUT/bench-$k.log" | grep -vE "^bench: (wrote|load)"
done
if [ "${QD_GPU_ROBUSTNESS:-0}" = 1 ]; then
  timeout 200 python3 -m quadrants_conformance.robustness.run --backend llvm-cuda --jobs 14 --out "$OUT/robustness-cuda.json" \
    > "$OUT/robustness.log" 2>&1; echo "robustness rc $?"; tail -15 "$OUT/robustness.log"
fi
