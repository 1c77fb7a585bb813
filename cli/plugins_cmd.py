"""`tune plugins ...`: what is installed, what each plugin registers, and what did not load."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from tuneforge.core.kinds import KIND_BY_NAME

app = typer.Typer(help="Inspect installed plugins.\n\nExamples:\n\n  tune plugins list\n\n  tune plugins list "
                       "--kind template --json\n\n  tune plugins info llama", no_args_is_help=True)

STATUS_STYLE = {"ok": "green", "broken": "red", "incompatible": "yellow", "disabled": "dim", "conflict": "magenta"}


def _summary(registered: dict[str, list[str]]) -> str:
    parts = []
    for kind, names in registered.items():
        shown = ", ".join(names[:3]) + (f", +{len(names) - 3}" if len(names) > 3 else "")
        parts.append(f"{kind}: {shown}")
    return "; ".join(parts)


def _listing(rows: list[tuple[str, ...]]):
    """A plain aligned table; status is coloured, long detail lines are left to the terminal to wrap."""
    from rich.text import Text

    header = ("kind", "name", "distribution", "version", "status", "registers / reason")
    widths = [max(len(row[i]) for row in rows + [header]) for i in range(len(header) - 1)]
    text = Text()
    text.append("  ".join(h.ljust(w) for h, w in zip(header, widths)) + "  " + header[-1] + "\n", style="bold")
    for row in rows:
        for i, width in enumerate(widths):
            text.append(row[i].ljust(width) + "  ", style=STATUS_STYLE.get(row[i], "") if i == 4 else "")
        text.append(row[-1] + "\n")
    text.append(f"{len(rows)} plugins", style="dim")
    return text


@app.command("list")
def list_plugins(
    kind: str = typer.Option(None, "--kind", "-k", help=f"Only one kind: {', '.join(KIND_BY_NAME)}."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output (one object per plugin and kind)."),
) -> None:
    """List every installed plugin with its kind, distribution, version and status (ok / broken / ...)."""
    from tuneforge.core.errors import ConfigError, did_you_mean
    from tuneforge.registry import get_catalog

    if kind is not None and kind not in KIND_BY_NAME:
        raise ConfigError(f"unknown kind '{kind}'{did_you_mean(kind, KIND_BY_NAME)}; kinds: {', '.join(KIND_BY_NAME)}")
    catalog = get_catalog()
    rows = []
    for info in catalog.plugins:
        for listed_kind in info.kinds:
            if kind is None or listed_kind == kind:
                rows.append((listed_kind, info))
    rows.sort(key=lambda row: (list(KIND_BY_NAME).index(row[0]), row[1].name))
    if as_json:
        print(json.dumps([dict(info.to_dict(), kind=k) for k, info in rows], indent=2))
        return
    from tuneforge.cli.console import console

    # Aligned columns written as one Text block: rich's Table layout costs ~0.2 s with hundreds of plugins,
    # and this listing must stay fast however many packs are installed.
    console.print(_listing([(k, info.name, info.distribution, info.version, info.status,
                             info.reason if info.status != "ok" else _summary(info.registered)) for k, info in rows]),
                  soft_wrap=True)
    problems = catalog.problems
    if problems:
        console.print(f"[yellow]{len(problems)} plugin(s) did not load cleanly; `tune plugins info NAME` "
                      "(with --verbose for the traceback) says why.[/yellow]")


@app.command("info")
def info(
    name: str = typer.Argument(..., help="Plugin name (the entry-point name shown by `tune plugins list`)."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Show what one plugin registers, which hooks it implements, its distribution and status."""
    from tuneforge.cli.app import _state
    from tuneforge.registry import get_catalog

    plugin = get_catalog().plugin(name)
    if as_json:
        print(json.dumps(plugin.to_dict(), indent=2))
        return
    from rich.markup import escape
    from rich.table import Table

    from tuneforge.cli.console import console

    table = Table(show_header=False, title=f"plugin {plugin.name}", title_justify="left")
    style = STATUS_STYLE.get(plugin.status, "")
    table.add_row("status", f"[{style}]{plugin.status}[/{style}]")
    if plugin.reason:
        table.add_row("reason", escape(plugin.reason))
    table.add_row("kinds", ", ".join(plugin.kinds))
    table.add_row("module", plugin.module)
    table.add_row("distribution", f"{plugin.distribution} {plugin.version}")
    table.add_row("hook API", plugin.api or "any")
    table.add_row("hooks", ", ".join(plugin.hooks) or "-")
    for kind, names in plugin.registered.items():
        table.add_row(f"registers {kind}", ", ".join(names))
    console.print(table)
    if plugin.traceback and _state["verbose"]:
        console.print(plugin.traceback, markup=False, highlight=False)


new_app = typer.Typer(help="Scaffold a new plugin pack.\n\nExample:\n\n  tune plugins new model mymodel --dir .",
                      no_args_is_help=True)
app.add_typer(new_app, name="new")


@new_app.command("model")
def new_model(
    name: str = typer.Argument(..., help="Family name, lowercase (e.g. `mymodel`); the pack is tuneforge-NAME."),
    directory: Path = typer.Option(Path("."), "--dir", help="Where to create the pack folder."),
    template: str = typer.Option("chatml", "--template", help="Default chat template of the family."),
) -> None:
    """Write a pip-installable pack with one model-family plugin, its entry point and a conformance test."""
    from tuneforge.cli.console import console
    from tuneforge.cli.scaffold import scaffold_model_pack

    root = scaffold_model_pack(name, directory, template)
    console.print(f"created [bold]{root}[/bold]\nnext: pip install -e {root} && tune plugins list --kind model "
                  f"&& python -m pytest {root / 'tests'}")
