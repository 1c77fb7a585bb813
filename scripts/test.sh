#!/usr/bin/env bash
# Set up (first time) and run the test suite. Extra arguments go to pytest (e.g. `-m "slow or not slow"` for all).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
. .venv/bin/activate
export OMP_NUM_THREADS=1 HF_HUB_OFFLINE=1 TOKENIZERS_PARALLELISM=false
python -m pytest "$@"
