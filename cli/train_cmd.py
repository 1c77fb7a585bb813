"""`tune train`: one training run from a YAML file plus dotted overrides."""

from __future__ import annotations

from pathlib import Path

import typer

HELP = """Train from a YAML run configuration, with optional dotted overrides.

Examples:

  tune train examples/quickstart.yaml

  tune train examples/quickstart.yaml training.max_steps=20 adapter.r=16 output_dir=runs/try2

Writes the output folder: adapter or weights, tokenizer with the trained chat template, config.yaml (resolved),
manifest.json, train_log.jsonl and loss.png.
"""


def train(
    config: Path = typer.Argument(..., help="Run configuration (YAML).", exists=False),
    overrides: list[str] = typer.Argument(None, help="key=value overrides with dotted keys, e.g. training.epochs=2"),
) -> None:
    from tuneforge.core.pipeline import run_training

    run_training(config, overrides or [])
