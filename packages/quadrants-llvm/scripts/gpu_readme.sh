#!/usr/bin/env bash
# The README's two commands on a GPU machine without a package index (the `run` tool's machines; docs/installing.md,
# "Offline machines"). Carry `.gl` (Vulkan loader debs), `.whl` (wgpu and the test plugins) and `.whl-nox` (nox,
# import-linter, setuptools and their requirements); the image's own packages (numpy, llvmlite, scipy, pytest,
# cuda-bindings) reach the session virtualenvs through PYTHONPATH. Usage: gpu_readme.sh tests|conformance.
# Logs, JUnit XML (every failure with its traceback) and the conformance JSON go to $OUT.
set -o pipefail
for f in .gl/*.deb; do dpkg -x "$f" /; done; ldconfig
SITE=$(python3 -c "import site; print(site.getsitepackages()[0])")
export PIP_NO_INDEX=1 PIP_FIND_LINKS="$PWD/.whl $PWD/.whl-nox" PYTHONPATH=$SITE PYTHONUNBUFFERED=1
export PYTEST_ADDOPTS="-rfE --junitxml=$OUT/junit-$1.xml"
if ! python3 -c "import wgpu; assert any(a.info['adapter_type'] != 'CPU' for a in wgpu.gpu.enumerate_adapters_sync())" 2>/dev/null; then
  export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
fi
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
t0=$(date +%s)
(python3 -m pip install -q nox && timeout "${QD_GPU_TIMEOUT:-540}" python3 -m nox -s "$1") > "$OUT/nox-$1.log" 2>&1
rc=$?
echo "nox -s $1: rc $rc in $(( $(date +%s) - t0 )) s"
grep -E "^(FAILED|ERROR) |^[0-9]+ (passed|failed)|^=+ .*(passed|failed)|^conformance:" "$OUT/nox-$1.log" | head -40
cp reports/*.json "$OUT/" 2>/dev/null
exit $rc
