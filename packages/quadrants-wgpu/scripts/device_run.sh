#!/usr/bin/env bash
# One full run of the wgpu backend on a GPU machine of the `run` tool (see docs/backends/wgpu.md): carries `.gl`
# (Vulkan loader debs) and `.whl` (wgpu and its deps as wheels); writes logs under $OUT.
set -o pipefail
for f in .gl/*.deb; do dpkg -x "$f" /; done; ldconfig
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl || exit 1
export PYTHONPATH=/tmp/site PYTHONUNBUFFERED=1
python3 -m pip install -q --no-index --no-deps --no-build-isolation -e packages/quadrants-core -e packages/quadrants-ref \
  -e packages/quadrants-wgpu -e conformance 2>&1 | grep -v WARNING | tail -3
if ! python3 -c "import wgpu; assert any(a.info['adapter_type'] != 'CPU' for a in wgpu.gpu.enumerate_adapters_sync())"; then
  export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
fi
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
python3 -m quadrants doctor 2>&1 | tee "$OUT/doctor.txt"
timeout 300 python3 -m pytest --pyargs quadrants_conformance.cases --backend wgpu -q -p no:cacheprovider -rfE \
  --timeout 30 --conformance-json "$OUT/conformance.json" > "$OUT/conformance.log" 2>&1
grep -E "^(FAILED|ERROR)|conformance:" "$OUT/conformance.log" | grep -v "reference (ref)" | head -40
timeout 120 python3 -m pytest packages/quadrants-wgpu/tests -q -p no:cacheprovider -rfE > "$OUT/unit.log" 2>&1
tail -3 "$OUT/unit.log"
timeout 120 python3 packages/quadrants-wgpu/scripts/probe_numerics.py 2>&1 | tee "$OUT/probe.txt"
# no llvm-cuda here (benchmarks/gpu_bench.sh runs the bench against it): wgpu rows only, within the timeout
QD_BENCH_WGPU_BUDGET=110 timeout 120 python3 benchmarks/run.py -k wgpu --out "$OUT/bench.json" 2>&1 | tail -16
