"""`tune env`: versions and devices, for bug reports."""

from __future__ import annotations

import json
import platform

import typer

HELP = "Print versions of Python and the training stack, and the devices torch sees.\n\nExample: tune env --json"

PACKAGES = ("tuneforge", "torch", "transformers", "peft", "trl", "datasets", "accelerate", "tokenizers", "pluggy",
            "bitsandbytes", "deepspeed")


def package_versions() -> dict[str, str | None]:
    """Installed versions, read from metadata (nothing is imported)."""
    from importlib.metadata import PackageNotFoundError, version

    found: dict[str, str | None] = {}
    for name in PACKAGES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = None
    return found


def devices() -> dict[str, object]:
    import torch

    info: dict[str, object] = {"cpu_threads": torch.get_num_threads(), "cuda": torch.cuda.is_available()}
    if torch.cuda.is_available():
        info["gpus"] = [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
    info["mps"] = bool(getattr(torch.backends, "mps", None) and torch.backends.mps.is_available())
    return info


def env(as_json: bool = typer.Option(False, "--json", help="Machine-readable output.")) -> None:
    report = {"python": platform.python_version(), "platform": platform.platform(), "packages": package_versions(),
              "devices": devices()}
    if as_json:
        print(json.dumps(report, indent=2))
        return
    from rich.table import Table

    from tuneforge.cli.console import console

    table = Table(title="tuneforge environment", show_header=False)
    table.add_row("python", report["python"])
    table.add_row("platform", report["platform"])
    for name, ver in report["packages"].items():
        table.add_row(name, ver or "[dim]not installed[/dim]")
    for key, value in report["devices"].items():
        table.add_row(f"device: {key}", str(value))
    console.print(table)
