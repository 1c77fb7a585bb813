"""`tune models ...`: the model catalog (families, variants, templates) and each architecture's conformance."""

from __future__ import annotations

import json
from typing import Any

import typer

app = typer.Typer(help="Browse model families and their variants.\n\nExamples:\n\n  tune models list\n\n"
                       "  tune models list --family llama3 --json\n\n  tune models info llama3.1-8b-instruct",
                  no_args_is_help=True)


def conformance() -> dict[str, Any]:
    """Results of scripts/model_conformance.py for the built-in families (empty when never run)."""
    from importlib.resources import files

    resource = files("tuneforge.plugins.models") / "conformance.json"
    return json.loads(resource.read_text(encoding="utf-8")) if resource.is_file() else {"architectures": {}}


def _status(family, plugin, results: dict[str, Any]) -> str:
    row = results["architectures"].get(family.architecture)
    if plugin.distribution != "tuneforge" or row is None:
        return "unchecked"
    return row["status"]


def family_dict(entry, results: dict[str, Any]) -> dict[str, Any]:
    family = entry.spec
    return {
        "family": family.name,
        "architecture": family.architecture,
        "template": family.template,
        "license": family.license,
        "lora_targets": list(family.lora_targets) or "all-linear",
        "capabilities": vars(family.capabilities),
        "conformance": _status(family, entry.plugin, results),
        "plugin": entry.plugin.name,
        "distribution": entry.plugin.distribution,
        "variants": [{"name": v.name, "hub_id": v.hub_id, "params_b": v.params, "context_length": v.context_length,
                      "kind": v.kind, "template": v.template or family.template, "license": v.license or family.license}
                     for v in family.variants],
    }


@app.command("list")
def list_models(
    family: str = typer.Option(None, "--family", "-f", help="Only this family."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """List model families with their variants, default template and conformance status."""
    from tuneforge.registry import get_catalog

    catalog = get_catalog()
    entries = [catalog.get("model", family)] if family else catalog.items("model")
    results = conformance()
    rows = [family_dict(entry, results) for entry in entries]
    if as_json:
        print(json.dumps(rows, indent=2))
        return
    from rich.text import Text

    from tuneforge.cli.console import console

    style = {"passed": "green", "failed": "red", "unavailable": "yellow", "unchecked": "dim"}
    text = Text()
    for row in rows:
        text.append(f"{row['family']}", style="bold")
        text.append(f"  {row['architecture']}  template {row['template']}  ")
        text.append(row["conformance"], style=style.get(row["conformance"], ""))
        text.append(f"  ({row['distribution']})\n")
        for v in row["variants"]:
            hub = v["hub_id"] or "built locally"
            text.append(f"    {v['name']:<34} {v['params_b']:>8g}B  ctx {v['context_length']:<7} {v['kind']:<9} "
                        f"{v['template']:<14} {hub}\n")
    variants = sum(len(row["variants"]) for row in rows)
    text.append(f"{len(rows)} families, {variants} variants", style="dim")
    console.print(text, soft_wrap=True)


@app.command("info")
def info(
    name: str = typer.Argument(..., help="A family name or a variant name (e.g. llama3.1-8b-instruct)."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Show one family (or the family of a variant): variants, template, LoRA targets, capabilities, conformance."""
    from tuneforge.registry import get_catalog

    catalog = get_catalog()
    entry = catalog.find("model", name) or catalog.get("variant", name)
    results = conformance()
    row = family_dict(entry, results)
    if name != row["family"]:
        row["variants"] = [v for v in row["variants"] if v["name"] == name]
    check = results["architectures"].get(row["architecture"], {})
    row["conformance_detail"] = {k: check[k] for k in ("reason", "loss", "trainable", "total") if k in check}
    if as_json:
        print(json.dumps(row, indent=2))
        return
    from rich.table import Table

    from tuneforge.cli.console import console

    table = Table(show_header=False, title=f"model family {row['family']}", title_justify="left")
    for key in ("architecture", "template", "license", "lora_targets", "conformance", "distribution"):
        table.add_row(key, str(row[key]))
    table.add_row("capabilities", ", ".join(k for k, v in row["capabilities"].items() if v) or "-")
    for key, value in row["conformance_detail"].items():
        table.add_row(f"conformance {key}", str(value))
    for v in row["variants"]:
        table.add_row(v["name"], f"{v['hub_id'] or 'built locally'}  {v['params_b']}B  ctx {v['context_length']}  "
                                 f"{v['kind']}  template {v['template']}")
    console.print(table)
