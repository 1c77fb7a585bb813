#!/usr/bin/env bash
# The main job: set up (first time) and train tiny-llama with LoRA SFT on the bundled data (CPU, about a minute).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
. .venv/bin/activate
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
tune train examples/quickstart.yaml overwrite=true "$@"
