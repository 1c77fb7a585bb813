"""Shared rich console and the one-panel error display."""

from __future__ import annotations

import traceback

from rich.console import Console
from rich.markup import escape
from rich.panel import Panel

console = Console()
err_console = Console(stderr=True)


def print_error(exc: BaseException, verbose: bool, title: str | None = None, hint: str | None = None) -> None:
    """One red panel saying what went wrong; the traceback above it only with --verbose."""
    if verbose:
        err_console.print("".join(traceback.format_exception(exc)), markup=False, highlight=False)
    body = str(exc) or type(exc).__name__
    if hint:
        body += f"\n\n{hint}"
    elif not verbose:
        body += "\n\n(rerun with --verbose for the traceback)"
    err_console.print(Panel(escape(body), title=title or getattr(exc, "title", "error"), border_style="red",
                            title_align="left"))
