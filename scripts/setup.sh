#!/usr/bin/env bash
# Create .venv (once) with CPU torch 2.13.0 and tuneforge installed editable with the extras the tests exercise
# (dev, quant: bitsandbytes QLoRA on CPU, galore). Idempotent: a second run only re-installs tuneforge itself
# (fast), so entry points stay current.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
. .venv/bin/activate
echo "torch==2.13.0" > .venv/constraints.txt
if ! python -c "import torch" 2>/dev/null; then
  # Install torch first and pin it, so no later requirement can pull a CUDA build.
  python -m pip install -q --disable-pip-version-check torch==2.13.0
fi
python -m pip install -q --disable-pip-version-check -c .venv/constraints.txt -e ".[dev,quant,galore]"
