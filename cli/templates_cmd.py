"""`tune templates ...`: list chat templates, show how one renders a conversation (and which tokens it trains), and
verify one token for token against a model's official Jinja template."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Optional

import typer

app = typer.Typer(
    help="Inspect and verify chat templates.\n\nExamples:\n\n  tune templates list\n\n"
         "  tune templates show llama3 --messages chat.json --tokenizer ./my-model\n\n"
         "  tune templates verify llama3 --reference ./Meta-Llama-3-8B-Instruct/tokenizer_config.json",
    no_args_is_help=True)

TRAINED = "bold black on green"  # trained text in `show`
STATUS_STYLE = {"match": "green", "mismatch": "red", "unsupported": "red", "skipped": "yellow"}


# Help texts as single-line paragraphs: typer keeps a docstring's line breaks.
LIST_HELP = "List every registered chat template, the plugin that provides it and the official template it reproduces."
SHOW_HELP = ("Render a conversation with a template: trained text highlighted, and token counts with --tokenizer.\n\n"
             "A conversation ending with a user or tool message is rendered with the generation prompt.")
VERIFY_HELP = (
    "Compare a template with a model's official Jinja chat template over a built-in suite of conversations (single "
    "and multi turn, with and without system, tools, tool calls and results, reasoning, generation prompt).\n\n"
    "Text and token ids must be identical; the first difference is shown in context. Conversations the official "
    "template refuses are skipped, not passed. Exit status 1 when any conversation differs.")


@app.command("list", help=LIST_HELP)
def list_templates(
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output (one object per template)."),
) -> None:
    from tuneforge.registry import get_catalog

    rows = [{"name": entry.name, "plugin": entry.plugin.name, "distribution": entry.plugin.distribution,
             "reference": entry.spec.reference, "special_tokens": list(entry.spec.special_tokens),
             "stop_words": list(entry.spec.stop_words), "description": entry.spec.description}
            for entry in get_catalog().items("template")]
    if as_json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    from rich.text import Text

    from tuneforge.cli.console import console

    # Aligned columns written as one Text block, as `tune plugins list` does: fast with hundreds of templates, and
    # long descriptions are left to the terminal to wrap instead of folding every column.
    header = ("name", "plugin", "reference")
    cells = [(row["name"], row["plugin"], row["reference"] or "-") for row in rows]
    widths = [max(len(cell[i]) for cell in cells + [header]) for i in range(len(header))]
    text = Text()
    text.append("  ".join(h.ljust(w) for h, w in zip(header, widths)) + "  description\n", style="bold")
    for cell, row in zip(cells, rows):
        text.append("  ".join(c.ljust(w) for c, w in zip(cell, widths)) + "  " + row["description"] + "\n")
    text.append(f"{len(rows)} chat templates; `tune templates show NAME` renders one", style="dim")
    console.print(text, soft_wrap=True, highlight=False)


@app.command("show", help=SHOW_HELP, no_args_is_help=True)
def show(
    name: str = typer.Argument(..., help="Template name (see `tune templates list`)."),
    messages: Optional[Path] = typer.Option(None, "--messages", "-m", help="A JSON file: a list of messages "
                                            "(OpenAI style), or an object with `messages` and `tools`. Default: a "
                                            "built-in sample conversation."),
    tokenizer_path: Optional[Path] = typer.Option(None, "--tokenizer", "-t", help="A tokenizer folder, for token "
                                                  "counts and trained tokens; without it text and trained spans."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    from tuneforge.core.templates import encode, render
    from tuneforge.registry import get_catalog

    template = get_catalog().spec("template", name)
    if messages is None:
        conversation, tools = _sample(template)
    else:
        conversation, tools = read_messages(messages)
    prompt = conversation[-1].role != "assistant"
    segments = render(template, conversation, tools, add_generation_prompt=prompt)
    report: dict[str, Any] = {
        "template": template.name, "add_generation_prompt": prompt, "text": "".join(s.text for s in segments),
        "segments": [{"text": s.text, "trainable": s.trainable, "turn": s.turn} for s in segments],
        "characters": sum(len(s.text) for s in segments),
        "trained_characters": sum(len(s.text) for s in segments if s.trainable)}
    added: list[str] = []
    if tokenizer_path is not None:
        tokenizer = load_tokenizer(tokenizer_path)
        added = _add_tokens(tokenizer, template)
        if prompt:
            ids = tokenizer(report["text"], add_special_tokens=False)["input_ids"]
            trained = 0  # a prompt has no answer to train on
        else:
            encoded = encode(template, tokenizer, conversation, tools)
            ids, trained = encoded.input_ids, sum(label != -100 for label in encoded.labels)
        report.update(tokenizer=str(tokenizer_path), added_tokens=added, tokens=len(ids), trained_tokens=trained)
    if as_json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
        return
    from rich.text import Text

    from tuneforge.cli.console import console

    if added:
        console.print(f"[yellow]added to the tokenizer (it lacked them): {', '.join(added)}[/yellow]",
                      highlight=False, markup=True)
    text = Text()
    for segment in segments:
        text.append(segment.text, style=TRAINED if segment.trainable else "")
    console.print(text, soft_wrap=True, highlight=False)
    summary = (f"\n{report['characters']} characters, {report['trained_characters']} trained "
               f"({sum(s.trainable for s in segments)} trained spans, highlighted)")
    if "tokens" in report:
        summary += f"; {report['tokens']} tokens, {report['trained_tokens']} trained"
    if prompt:
        summary += "; ends with the generation prompt"
    console.print(summary, style="dim", highlight=False)


@app.command("verify", help=VERIFY_HELP, no_args_is_help=True)
def verify_command(
    name: str = typer.Argument(..., help="Template name (see `tune templates list`)."),
    reference: Path = typer.Option(..., "--reference", "-r", help="The official template: a tokenizer_config.json, "
                                   "a .jinja file, or a model folder holding one."),
    tokenizer_path: Optional[Path] = typer.Option(None, "--tokenizer", "-t", help="Tokenizer folder for the token "
                                                  "ids. Default: the reference's folder, if it holds tokenizer.json."),
    variables: list[str] = typer.Option([], "--var", help="KEY=VALUE passed to the official template (repeatable; "
                                        "VALUE is JSON when it parses as JSON), e.g. --var date_string='26 Jul 2024'."),
    today: Optional[str] = typer.Option(None, "--today", help="YYYY-MM-DD: the date the official template's "
                                        "strftime_now() gives, for templates that date their system turn (gpt-oss)."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    from tuneforge.core.verify import load_reference, verify
    from tuneforge.registry import get_catalog

    template = get_catalog().spec("template", name)
    official = load_reference(reference)
    tokenizer_path = tokenizer_path or _tokenizer_beside(reference)
    tokenizer = load_tokenizer(tokenizer_path)
    added = _add_tokens(tokenizer, template, official)
    report = verify(template, official, tokenizer, variables=_parse_variables(variables), today=_parse_date(today))
    if as_json:
        print(json.dumps(dict(report.to_dict(), tokenizer=str(tokenizer_path), added_tokens=added), indent=2,
                         ensure_ascii=False))
    else:
        _print_report(report, tokenizer_path, added)
    if not report.ok:
        raise typer.Exit(1)


# ---------------------------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------------------------


def load_tokenizer(path: Path) -> Any:
    """A tokenizer from a local folder (never the hub: a typo must not start a download)."""
    from tuneforge.core.errors import ConfigError

    if not path.is_dir():
        raise ConfigError(f"tokenizer folder {path} does not exist: give a folder holding tokenizer.json or "
                          "tokenizer_config.json")
    from transformers import AutoTokenizer

    try:
        tokenizer = AutoTokenizer.from_pretrained(str(path), local_files_only=True)
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot load a tokenizer from {path}: {exc}") from None
    tokenizer.clean_up_tokenization_spaces = False  # show exactly what was encoded
    return tokenizer


def _tokenizer_beside(reference: Path) -> Path:
    from tuneforge.core.errors import ConfigError

    folder = reference if reference.is_dir() else reference.parent
    if (folder / "tokenizer.json").is_file():
        return folder
    raise ConfigError(f"no tokenizer.json beside {reference}: give the model's tokenizer folder with --tokenizer "
                      "(or any tokenizer: the template's special tokens are added to it when missing)")


def _add_tokens(tokenizer: Any, template: Any, reference: Any = None) -> list[str]:
    from tuneforge.core.verify import add_special_tokens

    return add_special_tokens(tokenizer, template, reference)


def _parse_variables(items: list[str]) -> dict[str, Any]:
    from tuneforge.core.errors import ConfigError

    variables: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--var {item!r}: expected KEY=VALUE, e.g. --var enable_thinking=false")
        try:
            variables[key.strip()] = json.loads(value)
        except json.JSONDecodeError:
            variables[key.strip()] = value  # plain text, e.g. a date
    return variables


def _parse_date(text: Optional[str]):
    from datetime import date

    from tuneforge.core.errors import ConfigError

    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"--today {text!r}: expected a date as YYYY-MM-DD, e.g. --today 2025-08-05") from None


def read_messages(path: Path) -> tuple[list, tuple]:
    """Messages (and tools) from a JSON file: a list of OpenAI-style messages, or {"messages": [...], "tools": [...]}.
    Tool calls may be OpenAI-style or `{"name", "arguments"}`; reasoning is `reasoning_content` (or `reasoning`)."""
    from tuneforge.core.data import parse_tool_calls
    from tuneforge.core.errors import ConfigError
    from tuneforge.core.records import Message

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from None
    except json.JSONDecodeError as err:
        raise ConfigError(f"{path} is not valid JSON: {err.msg} (line {err.lineno})") from None
    items, tools = (data.get("messages"), data.get("tools") or []) if isinstance(data, dict) else (data, [])
    if not isinstance(items, list) or not items or not all(isinstance(m, dict) for m in items):
        raise ConfigError(f"{path}: expected a non-empty list of messages (objects with `role` and `content`), or an "
                          "object with `messages` and `tools`")
    if not isinstance(tools, list) or not all(isinstance(t, dict) for t in tools):
        raise ConfigError(f"{path}: `tools` must be a list of tool schemas (objects)")
    messages = []
    for i, item in enumerate(items):
        try:
            calls = parse_tool_calls(item["tool_calls"], f"the tool_calls of message {i}") if item.get(
                "tool_calls") else ()
            reasoning = item.get("reasoning_content", item.get("reasoning"))
            messages.append(Message(item.get("role", ""), item.get("content") or "", tool_calls=calls,
                                    reasoning=reasoning, name=item.get("name"), tool_call_id=item.get("tool_call_id")))
        except ValueError as exc:
            raise ConfigError(f"{path}: message {i}: {exc}") from None
    return messages, tuple(tools)


def _sample(template: Any) -> tuple[list, tuple]:
    """The richest suite conversation the template can render, for `show` without --messages."""
    from tuneforge.core.errors import TemplateError
    from tuneforge.core.templates import render
    from tuneforge.core.verify import SUITE

    by_name = {c.name: c for c in SUITE}
    for name in ("tool-call-system", "multi-turn-system", "multi-turn", "single-turn"):
        conversation = by_name[name]
        try:
            render(template, conversation.messages, conversation.tools)
        except TemplateError:
            continue
        return list(conversation.messages), conversation.tools
    conversation = by_name["single-turn"]
    return list(conversation.messages), conversation.tools  # render raises the template's own reason


def _print_report(report: Any, tokenizer_path: Path, added: list[str]) -> None:
    from rich.markup import escape
    from rich.table import Table

    from tuneforge.cli.console import console

    console.print(f"template [bold]{escape(report.template)}[/bold] vs {escape(report.reference)} "
                  f"(tokenizer {escape(str(tokenizer_path))})", highlight=False)
    if added:
        console.print(f"[yellow]added to the tokenizer (it lacked them): {escape(', '.join(added))}[/yellow]",
                      highlight=False)
    for note in report.notes:
        console.print(f"[yellow]note: {escape(note)}[/yellow]", highlight=False)
    table = Table(box=None, pad_edge=False)
    for column in ("conversation", "status", "tokens", "detail"):
        table.add_column(column, overflow="fold")
    for result in report.results:
        style = STATUS_STYLE[result.status]
        table.add_row(result.conversation, f"[{style}]{result.status}[/{style}]",
                      "" if result.tokens is None else str(result.tokens), escape(result.reason))
    console.print(table)
    for result in report.failures:
        if result.text is None and result.ids is None:
            continue
        console.print(f"\n[bold red]{escape(result.conversation)}[/bold red]: first difference", highlight=False)
        for what, diff in (("text, at character", result.text), ("token ids, at token", result.ids)):
            if diff is None:
                continue
            console.print(f"  {what} {diff.index}", highlight=False)
            if what.startswith("text"):
                ours, official, context = repr(diff.ours), repr(diff.official), repr(diff.context)
            else:
                ours, official, context = diff.ours, diff.official, diff.context
            console.print(f"    before  : {escape(context)}", highlight=False)
            console.print(f"    ours    : {escape(ours)}", highlight=False)
            console.print(f"    official: {escape(official)}", highlight=False)
    verdict = "[green]exact[/green]" if report.ok else f"[red]{report.status}[/red]"
    console.print(f"\n{verdict}: {report.compared} compared, {report.skipped} skipped, "
                  f"{len(report.failures)} failed", highlight=False)
