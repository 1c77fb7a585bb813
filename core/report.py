"""One line of a run's report, on stderr (stdout stays free for `--json` output and piping)."""

from __future__ import annotations


def say(line: str, one_line: bool = False) -> None:
    """Print `line` with rich markup; `one_line` keeps it unwrapped even when longer than the terminal."""
    from rich.console import Console

    Console(stderr=True, soft_wrap=one_line).print(line)
