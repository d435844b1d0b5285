#!/usr/bin/env bash
# The conformance suite on llvm-cuda and wgpu on one GPU machine of the `run` tool: carry `.gl` (Vulkan loader debs)
# and `.whl` (wgpu wheels), see docs/backends/wgpu.md; logs and JSON reports go to $OUT.
set -o pipefail
for f in .gl/*.deb; do dpkg -x "$f" /; done; ldconfig
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl || exit 1
export PYTHONPATH=/tmp/site PYTHONUNBUFFERED=1
python3 -m pip install -q --no-index --no-deps --no-build-isolation -e packages/quadrants-core -e packages/quadrants-ref \
  -e packages/quadrants-llvm -e packages/quadrants-wgpu -e conformance 2>&1 | grep -v WARNING | tail -3
python3 -c "import llvmlite, numpy; print('llvmlite', llvmlite.__version__, 'numpy', numpy.__version__)"
if ! python3 -c "import wgpu; assert any(a.info['adapter_type'] != 'CPU' for a in wgpu.gpu.enumerate_adapters_sync())"; then
  export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
fi
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
python3 -m quadrants doctor 2>&1 | tee "$OUT/doctor.txt"
python3 -c "import xdist" 2>/dev/null && N="-n 8" || N=""
for b in ${QD_GPU_BACKENDS:-llvm-cuda wgpu}; do
  timeout ${QD_GPU_TIMEOUT:-270} python3 -m pytest --pyargs quadrants_conformance.cases --backend $b -q -p no:cacheprovider $N \
    --conformance-json "$OUT/conformance-$b.json" > "$OUT/conformance-$b.log" 2>&1
  echo "== $b"; grep -E "^(FAILED|ERROR)|^conformance:" "$OUT/conformance-$b.log" | head -20
done
