"""`tune estimate`: predicted peak training memory and trainable parameters of a run configuration."""

from __future__ import annotations

import json
from pathlib import Path

import typer

HELP = """Predict the peak memory of training a run configuration, without loading any weights.

Counts weights (by dtype and quantization), gradients, optimizer states, activations (with or without activation
checkpointing) and logits for the configured model, adapter, precision, batch size and data.cutoff_len, and the
trainable parameters. Reads only the model's config.json.

Examples:

  tune estimate examples/quickstart.yaml

  tune estimate run.yaml adapter.method=full training.batch_size=1 training.activation_checkpointing=true

  tune estimate run.yaml model.quantization=bnb-4bit adapter.method=qlora --device cuda --json
"""


def _size(count: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(count) < 1024 or unit == "TiB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.2f} {unit}"
        count /= 1024
    return f"{count:.2f} TiB"


def estimate(
    config: Path = typer.Argument(..., help="Run configuration (YAML)."),
    overrides: list[str] = typer.Argument(None, help="key=value overrides with dotted keys, e.g. adapter=full"),
    device: str = typer.Option("auto", "--device", help="Estimate for `cpu` or `cuda` (auto: this machine)."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    from rich.console import Console
    from rich.table import Table

    from tuneforge.core.config import load_config
    from tuneforge.core.estimate import estimate_run
    from tuneforge.registry import get_catalog

    result = estimate_run(load_config(config, overrides or []), get_catalog(), device=device)
    if as_json:
        typer.echo(json.dumps(result.to_dict(), indent=2))
        return
    console = Console()
    console.print(f"[bold]{result.model}[/bold] ({result.config_source}) on {result.device}: adapter "
                  f"{result.adapter}{', ' + result.quantizer if result.quantizer else ''}, weights "
                  f"{result.weights_dtype}, precision {result.precision}, batch {result.batch_size} x "
                  f"{result.sequence_length} tokens, activation checkpointing "
                  f"{'on' if result.activation_checkpointing else 'off'}, loss {result.loss}")
    console.print(f"trainable parameters: {result.trainable_parameters:,} of {result.total_parameters:,} "
                  f"({100 * result.trainable_share:.3f}%)")
    table = Table("part", "memory", "what")
    for part in result.parts:
        table.add_row(part.name, _size(part.bytes), part.detail)
    table.add_row("[bold]peak[/bold]", f"[bold]{_size(result.peak_bytes)}[/bold]",
                  "weights + optimizer + max(activations + logits, gradients)")
    console.print(table)
    for note in result.assumptions:
        console.print(f"[dim]assumed: {note}[/dim]")
