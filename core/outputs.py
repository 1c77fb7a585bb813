"""Step 6 of a run: the output folder (weights or adapter, tokenizer with the trained chat template, resolved config,
manifest, JSON-lines log, loss plot)."""

from __future__ import annotations

import json
import platform
import time
from pathlib import Path
from typing import Any

from tuneforge.core.errors import ConfigError

MANIFEST_PACKAGES = ("torch", "transformers", "peft", "trl", "datasets", "accelerate", "tokenizers")


def prepare_output_dir(path: Path, overwrite: bool) -> None:
    """Refuse to write into a folder that holds an earlier run unless `overwrite: true`: earlier work is kept."""
    if path.exists() and not path.is_dir():
        raise ConfigError(f"output_dir {path} exists and is not a folder")
    if path.is_dir() and any(path.iterdir()) and not overwrite:
        raise ConfigError(f"output_dir {path} already holds files (an earlier run?). Choose another output_dir "
                          "(e.g. `output_dir=runs/new`) or set `overwrite=true` to replace it.")
    path.mkdir(parents=True, exist_ok=True)


def package_versions() -> dict[str, Any]:
    from importlib.metadata import PackageNotFoundError, version

    versions: dict[str, Any] = {"python": platform.python_version()}
    for name in ("tuneforge",) + MANIFEST_PACKAGES:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = None
    return versions


def write_manifest(path: Path, run, data_report: dict[str, Any], result: dict[str, Any], jinja: str) -> None:
    import hashlib

    manifest = {
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "versions": package_versions(),
        "model": {"source": run.model_source, "family": run.family.name if run.family else None,
                  "variant": run.variant.name if run.variant else None},
        "template": {"name": run.template.name, "jinja_sha256": hashlib.sha256(jinja.encode()).hexdigest()},
        "plugins": [vars(p) for p in run.plugins],
        "data": data_report,
        "seed": run.config.seed,
        "result": result,
    }
    path.write_text(json.dumps(manifest, indent=2, default=str) + "\n", encoding="utf-8")


def read_log(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def plot_loss(log: list[dict[str, Any]], path: Path, title: str) -> bool:
    """Training (and eval) loss against step as a PNG; False when there is nothing to plot."""
    train = [(e["step"], e["loss"]) for e in log if "loss" in e]
    evals = [(e["step"], e["eval_loss"]) for e in log if "eval_loss" in e]
    if not train and not evals:
        return False
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(7, 4), dpi=100)
    if train:
        axes.plot(*zip(*train), label="train loss", linewidth=1.2)
    if evals:
        axes.plot(*zip(*evals), "o-", label="eval loss")
    axes.set_xlabel("step")
    axes.set_ylabel("loss")
    axes.set_title(title)
    axes.grid(alpha=0.3)
    axes.legend()
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)
    return True


def loss_summary(log: list[dict[str, Any]]) -> dict[str, Any]:
    losses = [e["loss"] for e in log if "loss" in e]
    if not losses:
        return {}
    k = max(1, len(losses) // 10)  # mean of the first and last tenth: robust to a noisy single step
    return {"first_loss": sum(losses[:k]) / k, "last_loss": sum(losses[-k:]) / k, "logged_steps": len(losses)}
