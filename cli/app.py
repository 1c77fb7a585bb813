"""The `tune` command: root application, global options and error display.

Sub-commands live in their own modules and import heavy libraries only inside the command functions, so
`tune --help` and `tune plugins list` never import torch.
"""

from __future__ import annotations

import sys

import typer

from tuneforge import __version__
from tuneforge.cli import data_cmd, env_cmd, estimate_cmd, models_cmd, plugins_cmd, templates_cmd, train_cmd
from tuneforge.cli.console import print_error

app = typer.Typer(
    name="tune",
    help=(
        "tuneforge: fine-tune large language models; every model, template, dataset format, adapter method and "
        "training stage is a plugin.\n\n"
        "Examples:\n\n"
        "  tune train examples/quickstart.yaml\n\n"
        "  tune train run.yaml training.learning_rate=1e-4 adapter.r=16\n\n"
        "  tune plugins list --kind model\n\n"
        "  tune models list\n\n"
        "  tune templates verify llama3 --reference tokenizer_config.json --tokenizer path/to/tokenizer\n\n"
        "  tune env"
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)

_state = {"verbose": False}


def _version(value: bool) -> None:
    if value:
        typer.echo(f"tuneforge {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Show full tracebacks and debug details."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version."),
) -> None:
    _state["verbose"] = verbose


app.command("env", help=env_cmd.HELP)(env_cmd.env)
app.add_typer(plugins_cmd.app, name="plugins")
app.add_typer(models_cmd.app, name="models")
app.add_typer(templates_cmd.app, name="templates")
app.add_typer(data_cmd.app, name="data")
app.command("train", help=train_cmd.HELP, no_args_is_help=True)(train_cmd.train)
app.command("estimate", help=estimate_cmd.HELP, no_args_is_help=True)(estimate_cmd.estimate)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the `tune` and `tuneforge` scripts and `python -m tuneforge`."""
    from tuneforge.core.errors import TuneforgeError

    try:
        app(args=argv, prog_name="tune")
    except TuneforgeError as exc:
        print_error(exc, verbose=_state["verbose"])
        sys.exit(2)
    except KeyboardInterrupt:
        print_error(RuntimeError("interrupted"), verbose=False, title="stopped")
        sys.exit(130)
    except Exception as exc:  # an unexpected bug: one readable panel, the traceback only with --verbose
        print_error(exc, verbose=_state["verbose"], title=f"unexpected {type(exc).__name__}",
                    hint="This is probably a bug; rerun with --verbose and report the traceback.")
        sys.exit(1)
