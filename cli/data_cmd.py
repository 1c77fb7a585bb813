"""`tune data ...`: the datasets you can train on, a dataset's records as a template writes them (trained text
highlighted), and what a run's data becomes (counts, token lengths, what was cut or dropped and why)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Optional

import typer

app = typer.Typer(
    help="Inspect datasets and what a run makes of them.\n\nExamples:\n\n  tune data list --stage sft\n\n"
         "  tune data preview run.yaml -n 2\n\n  tune data preview --dataset alpaca_en_demo --template llama3\n\n"
         "  tune data stats run.yaml --json",
    no_args_is_help=True)

TRAINED = "bold black on green"  # trained text
CUT = "dim strike"  # text beyond cutoff_len

LIST_HELP = ("List the datasets you can name in a run: every registered one, and those of a local index "
             "(datasets.yaml or dataset_info.json) with --dataset-dir.")
PREVIEW_HELP = (
    "Show the first records of a run's datasets as the template writes them, trained text highlighted (and text "
    "beyond cutoff_len struck out).\n\nGive a run configuration (with optional key=value overrides), or --dataset "
    "and --template; add --tokenizer for token counts and the cut-off.")
STATS_HELP = ("Prepare a run's data as `tune train` would (the encoded-data cache included) and report record and "
              "token counts, a histogram of token lengths, and how many records were cut or dropped, and why.")


# ---------------------------------------------------------------------------------------------------------------
# list
# ---------------------------------------------------------------------------------------------------------------


@app.command("list", help=LIST_HELP)
def list_datasets(
    stage: Optional[str] = typer.Option(None, "--stage", "-s", help="Only datasets made for this stage (sft, dpo)."),
    dataset_dir: Optional[Path] = typer.Option(None, "--dataset-dir", help="Also list the datasets of the local "
                                               "index in this folder."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output (one object per dataset)."),
) -> None:
    from tuneforge.core.errors import ConfigError, did_you_mean
    from tuneforge.registry import get_catalog

    catalog = get_catalog()
    rows = [_listing_row(entry.spec, entry.plugin.name) for entry in catalog.items("dataset")]
    if dataset_dir is not None:
        rows += _index_rows(dataset_dir)
    if stage is not None:
        # Datasets may name stages whose plugin is not installed: those are valid filters too.
        stages = sorted(set(catalog.names("stage")).union(*(row["stages"] for row in rows)))
        if stage not in stages:
            raise ConfigError(f"unknown stage '{stage}'{did_you_mean(stage, stages)}; stages: {', '.join(stages)}")
        rows = [row for row in rows if stage in row["stages"]]
    if as_json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    from rich.text import Text

    from tuneforge.cli.console import console

    header = ("name", "format", "stages", "size", "source")
    cells = [(row["name"], row["format"] or "?", ",".join(row["stages"]) or "-",
              str(row["size"]) if row["size"] is not None else "-", row["source"]) for row in rows]
    widths = [max(len(cell[i]) for cell in cells + [header]) for i in range(len(header))]
    text = Text()
    text.append("  ".join(h.ljust(w) for h, w in zip(header, widths)) + "  description\n", style="bold")
    for cell, row in zip(cells, rows):
        text.append("  ".join(c.ljust(w) for c, w in zip(cell, widths)) + "  ")
        text.append(row["description"] + "\n", style="yellow" if row.get("problem") else "")
    text.append(f"{len(rows)} datasets" + (f" for stage {stage}" if stage else "") +
                "; `tune data preview --dataset NAME --template T` shows one", style="dim")
    console.print(text, soft_wrap=True, highlight=False)


def _listing_row(spec, provider: str) -> dict[str, Any]:
    source = (f"hub:{spec.hub_id}" + (f"/{spec.subset}" if spec.subset else "") if spec.hub_id
              else spec.url or (f"{spec.package}:{spec.file}" if spec.package else spec.file))
    return {"name": spec.name, "format": spec.format, "stages": list(spec.stages), "size": spec.size,
            "languages": list(spec.languages), "license": spec.license, "source": source,
            "description": spec.description, "provider": provider}


def _index_rows(folder: Path) -> list[dict[str, Any]]:
    from tuneforge.core.dataset_index import load_index
    from tuneforge.core.errors import ConfigError

    index = load_index(folder) if folder.is_dir() else None
    if index is None:
        raise ConfigError(f"--dataset-dir {folder}: no datasets.yaml or dataset_info.json there")
    rows = []
    for name in index.names():
        entry = index.get(name)
        if entry.spec is None:
            rows.append({"name": name, "format": None, "stages": [], "size": None, "languages": [], "license": None,
                         "source": str(entry.source), "description": f"cannot be used: {entry.problem}",
                         "provider": f"local index {entry.source}", "problem": entry.problem})
        else:
            rows.append(_listing_row(entry.spec, f"local index {entry.source}"))
    return rows


# ---------------------------------------------------------------------------------------------------------------
# preview
# ---------------------------------------------------------------------------------------------------------------


@app.command("preview", help=PREVIEW_HELP)
def preview(
    config: Optional[Path] = typer.Argument(None, help="Run configuration (YAML)."),
    overrides: list[str] = typer.Argument(None, help="key=value overrides with dotted keys, e.g. data.cutoff_len=256"),
    dataset: Optional[str] = typer.Option(None, "--dataset", "-d", help="Instead of a config: a dataset name or a "
                                          "data file."),
    dataset_dir: Optional[Path] = typer.Option(None, "--dataset-dir", help="With --dataset: the folder of a local "
                                               "index (datasets.yaml or dataset_info.json) naming it; default: the "
                                               "current folder's, if any."),
    template: Optional[str] = typer.Option(None, "--template", "-t", help="With --dataset: the chat template."),
    tokenizer_path: Optional[Path] = typer.Option(None, "--tokenizer", help="With --dataset: a tokenizer folder, "
                                                  "for token counts and the cut-off."),
    cutoff_len: Optional[int] = typer.Option(None, "--cutoff-len", help="With --dataset and --tokenizer: cut "
                                             "records at this many tokens."),
    count: int = typer.Option(3, "--count", "-n", min=1, help="Records to show from each dataset."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    from tuneforge.core.errors import ConfigError

    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    if (config is None) == (dataset is None):
        raise ConfigError("give a run configuration, or --dataset with --template (not both): e.g. "
                          "`tune data preview run.yaml` or `tune data preview --dataset alpaca_en_demo --template "
                          "llama3`")
    if config is not None:
        run, tokenizer, catalog = _resolve_run(config, overrides or [])
        datasets, chat_template = run.datasets, run.template
        options = {"cutoff_len": run.config.data.cutoff_len, "truncation": run.config.data.truncation,
                   "mask_history": run.config.template.mask_history,
                   "train_on_prompt": run.config.template.train_on_prompt}
    else:
        if template is None:
            raise ConfigError("--dataset needs --template: the chat template to write the records with "
                              "(see `tune templates list`)")
        datasets, chat_template, tokenizer, catalog = _resolve_dataset(dataset, template, tokenizer_path, dataset_dir)
        options = {"cutoff_len": cutoff_len, "truncation": "drop_turns", "mask_history": False,
                   "train_on_prompt": False}
    previews = [preview for resolved in datasets for item in _head(resolved, catalog, count)
                for preview in _preview_record(item, chat_template, tokenizer, options)]
    if as_json:
        print(json.dumps({"template": chat_template.name, "options": options, "records": previews}, indent=2,
                         ensure_ascii=False))
        return
    _print_previews(previews, chat_template.name, options, tokenizer is not None)


def _resolve_run(config: Path, overrides: list[str]):
    """The run, its tokenizer (template settled as `tune train` settles it) and the catalog."""
    from tuneforge.core.config import load_config
    from tuneforge.core.model_loader import check_template_fits, load_tokenizer
    from tuneforge.core.resolve import resolve
    from tuneforge.core.template_choice import choose_template
    from tuneforge.registry import get_catalog

    catalog = get_catalog()
    run = resolve(load_config(config, overrides), catalog)
    tokenizer = load_tokenizer(run, catalog.plugin_manager)
    run = choose_template(run, tokenizer, catalog)
    check_template_fits(run, tokenizer)
    return run, tokenizer, catalog


def _resolve_dataset(name: str, template: str, tokenizer_path: Optional[Path], dataset_dir: Optional[Path]):
    from tuneforge.cli.templates_cmd import load_tokenizer
    from tuneforge.core.config import DataSection
    from tuneforge.core.data_resolve import resolve_datasets
    from tuneforge.registry import get_catalog

    catalog = get_catalog()
    datasets = resolve_datasets(DataSection(datasets=[name], dataset_dir=dataset_dir), catalog, Path.cwd(), [])
    chat_template = catalog.spec("template", template)
    tokenizer = load_tokenizer(tokenizer_path) if tokenizer_path is not None else None
    if tokenizer is not None:
        from tuneforge.core.verify import add_special_tokens

        add_special_tokens(tokenizer, chat_template)
    return datasets, chat_template, tokenizer, catalog


def _head(resolved, catalog, count: int) -> list[dict[str, Any]]:
    """The first `count` records of a dataset, read lazily (a large or remote dataset is not loaded whole)."""
    import itertools

    from tuneforge.core.data_worker import aligned, dataset_format

    fmt = dataset_format(resolved, catalog)
    return [{"dataset": resolved.label, "format": fmt.name, "row": row, "record": record}
            for record, row in itertools.islice(aligned(resolved, fmt, strict=False), count)]


def _preview_record(item: dict[str, Any], template, tokenizer, options: dict[str, Any]) -> list[dict[str, Any]]:
    """The conversations of a record as text, their trained character spans, and with a tokenizer their token counts
    and the cut. A preference record shows the conversation with each answer; like KTO records, only the final
    answer is trained (as the preference stages encode them)."""
    record = item["record"]
    head = {"dataset": item["dataset"], "format": item["format"], "row": item["row"], "kind": record.kind}
    if record.kind == "text":
        return [dict(head, note="a pretraining text record: no chat template, every token is trained")]
    if record.kind == "preference":
        sides = [("chosen", record.chosen), ("rejected", record.rejected)]
        return [_preview_conversation(dict(head, side=side), tuple(record.messages) + (answer,), record.tools,
                                      template, tokenizer, dict(options, mask_history=True))
                for side, answer in sides if answer is not None]
    if record.kind == "kto":
        head["side"] = "desirable" if record.kto_label else "undesirable"
        options = dict(options, mask_history=True)
    return [_preview_conversation(head, record.messages, record.tools, template, tokenizer, options)]


def _preview_conversation(out: dict[str, Any], messages, tools, template, tokenizer,
                          options: dict[str, Any]) -> dict[str, Any]:
    from tuneforge.core.errors import TemplateError
    from tuneforge.core.templates import IGNORE_INDEX, TRUNCATED, TURNS_DROPPED, encode_rendered, training_segments

    try:
        segments = training_segments(template, messages, tools)
    except TemplateError as exc:
        out["rejected"] = f"template '{template.name}': {exc}"
        return out
    text = "".join(s.text for s in segments)
    out["text"] = text
    if tokenizer is None:
        last_turn, position, spans = segments[-1].turn, 0, []
        for segment in segments:
            if options["train_on_prompt"] or (segment.trainable and
                                              (not options["mask_history"] or segment.turn == last_turn)):
                spans.append([position, position + len(segment.text)])
            position += len(segment.text)
        out["trained_spans"] = _merged(spans)
        return out
    batch = encode_rendered(template, tokenizer, [segments], cutoff_len=options["cutoff_len"],
                            mask_history=options["mask_history"], train_on_prompt=options["train_on_prompt"],
                            truncation=options["truncation"])
    labels = batch.labels.tolist()
    offsets = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)["offset_mapping"]
    out["trained_spans"] = _merged([list(offsets[k]) for k, label in enumerate(labels) if label != IGNORE_INDEX])
    out["tokens"], out["tokens_before_cutoff"] = len(labels), len(offsets)
    out["trained_tokens"] = sum(label != IGNORE_INDEX for label in labels)
    out["cut_at"] = offsets[len(labels) - 1][1] if len(labels) < len(offsets) and labels else None
    out["status"] = {TRUNCATED: "truncated", TURNS_DROPPED: "turns dropped"}.get(int(batch.status[0]), "fits")
    return out


def _merged(spans: list[list[int]]) -> list[list[int]]:
    merged: list[list[int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return merged


def _print_previews(previews: list[dict[str, Any]], template: str, options: dict[str, Any], tokens: bool) -> None:
    from rich.rule import Rule
    from rich.text import Text

    from tuneforge.cli.console import console

    for item in previews:
        side = f", {item['side']}" if "side" in item else ""
        console.print(Rule(f"row {item['row']}{side} of {item['dataset']} ({item['format']})", align="left",
                           style="dim"))
        if "text" not in item:
            console.print(Text(item.get("note") or item["rejected"], style="yellow"), soft_wrap=True)
            continue
        text = Text()
        cut = item.get("cut_at") or len(item["text"])
        position = 0
        for start, end in item["trained_spans"] + [[len(item["text"]), len(item["text"])]]:
            _append(text, item["text"], position, start, "", cut)
            _append(text, item["text"], start, end, TRAINED, cut)
            position = end
        console.print(text, soft_wrap=True, highlight=False)
        trained = sum(end - start for start, end in item["trained_spans"])
        summary = f"{len(item['text'])} characters, {trained} trained (highlighted)"
        if tokens:
            summary += f"; {item['tokens']} tokens, {item['trained_tokens']} trained"
            if item["status"] != "fits":
                summary += (f"; {item['status']} at cutoff_len={options['cutoff_len']} (from "
                            f"{item['tokens_before_cutoff']} tokens; struck-out text is not trained on)")
        console.print(summary, style="dim", highlight=False)
    if not previews:
        console.print("no records to show", style="yellow")
    console.print(f"template {template}" + ("" if tokens else "; add --tokenizer for token counts and the cut-off"),
                  style="dim", highlight=False)


def _append(text, source: str, start: int, end: int, style: str, cut: int) -> None:
    if start < min(end, cut):
        text.append(source[start:min(end, cut)], style=style)
    if max(start, cut) < end:
        text.append(source[max(start, cut):end], style=(style + " " + CUT).strip())


# ---------------------------------------------------------------------------------------------------------------
# stats
# ---------------------------------------------------------------------------------------------------------------


@app.command("stats", help=STATS_HELP, no_args_is_help=True)
def stats(
    config: Path = typer.Argument(..., help="Run configuration (YAML)."),
    overrides: list[str] = typer.Argument(None, help="key=value overrides with dotted keys, e.g. data.cutoff_len=256"),
    bins: int = typer.Option(10, "--bins", min=1, help="Bars in the length histogram."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    from tuneforge.core.config import load_config
    from tuneforge.core.data_worker import prepare_data

    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    overrides = list(overrides or [])
    # A streamed run's data is the same data: counting it needs every record anyway, so it is read in memory.
    streamed = load_config(config, overrides).config.data.streaming
    if streamed:
        overrides.append("data.streaming=false")
    run, tokenizer, catalog = _resolve_run(config, overrides)
    prepared = prepare_data(run, tokenizer, catalog)
    report = data_stats(prepared, run, bins)
    report["streaming"] = streamed
    if as_json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
        return
    _print_stats(report)


def data_stats(prepared, run, bins: int = 10) -> dict[str, Any]:
    """Counts, token lengths and drop reasons of prepared data, as a JSON-serialisable dict."""
    import numpy as np
    import pyarrow.compute as pc

    lengths = np.asarray(prepared.lengths, dtype=np.int64)
    trained = 0
    for split in (prepared.train, prepared.eval):
        if len(split):
            labels = pc.list_flatten(split.data.table.column("labels"))
            trained += int(pc.sum(pc.not_equal(labels, -100)).as_py() or 0)
    cutoff = run.config.data.cutoff_len
    edges = np.linspace(0, max(cutoff, int(lengths.max(initial=0))), bins + 1).round().astype(int)
    counts, _ = np.histogram(lengths, bins=edges)
    datasets = []
    for r in prepared.reports:
        reasons: dict[str, list[int]] = {}
        for dropped in r.dropped:
            reasons.setdefault(dropped.reason, []).append(dropped.row)
        by_reason = sorted(({"reason": reason, "count": len(rows), "rows": rows[:5]}
                            for reason, rows in reasons.items()), key=lambda item: -item["count"])
        datasets.append({"dataset": r.label, "source": r.source, "format": r.format, "rows": r.rows,
                         "aligned": r.aligned, "dropped": len(r.dropped), "dropped_by_reason": by_reason})
    return {
        "template": run.template.name, "cutoff_len": cutoff, "truncation": run.config.data.truncation,
        "datasets": datasets, "examples": len(lengths), "train_rows": len(prepared.train),
        "eval_rows": len(prepared.eval), "packed": prepared.packed, "truncated": prepared.truncated,
        "turns_dropped": prepared.turns_dropped, "dropped_nothing_to_train": prepared.untrainable,
        "tokens": {"total": int(lengths.sum()), "trained": trained, "min": int(lengths.min()) if len(lengths) else 0,
                   "mean": round(float(lengths.mean()), 1) if len(lengths) else 0,
                   "median": int(np.median(lengths)) if len(lengths) else 0, "max": int(lengths.max(initial=0))},
        "histogram": [{"from": int(a), "to": int(b), "examples": int(n)} for a, b, n in zip(edges, edges[1:], counts)],
        "cache": prepared.cache,
    }


def _print_stats(report: dict[str, Any]) -> None:
    from rich.markup import escape
    from rich.table import Table

    from tuneforge.cli.console import console

    table = Table(title="datasets", title_justify="left")
    for column in ("dataset", "format", "rows", "aligned", "dropped"):
        table.add_column(column, justify="right" if column in ("rows", "aligned", "dropped") else "left")
    for d in report["datasets"]:
        table.add_row(escape(d["dataset"]), d["format"], str(d["rows"]), str(d["aligned"]), str(d["dropped"]))
    console.print(table)
    for d in report["datasets"]:
        for item in d["dropped_by_reason"][:10]:
            rows = ", ".join(map(str, item["rows"])) + (", ..." if item["count"] > len(item["rows"]) else "")
            console.print(f"  [yellow]{item['count']} dropped[/yellow] from {escape(d['dataset'])}: "
                          f"{escape(item['reason'])} [dim](rows {rows})[/dim]", highlight=False)
    tokens = report["tokens"]
    console.print(
        f"\n{report['examples']} examples encoded with template {report['template']}: {report['train_rows']} training "
        f"and {report['eval_rows']} evaluation rows" + (" (packed)" if report["packed"] else "")
        + (" (read in memory here; the run streams them)" if report.get("streaming") else ""), highlight=False)
    console.print(f"cutoff_len {report['cutoff_len']} ({report['truncation']}): {report['truncated']} cut into an "
                  f"answer ({report['dropped_nothing_to_train']} of them left with nothing to train, dropped), "
                  f"{report['turns_dropped']} lost whole trailing turns", highlight=False)
    console.print(f"tokens: {tokens['total']} ({tokens['trained']} trained); per example min {tokens['min']}, "
                  f"median {tokens['median']}, mean {tokens['mean']}, max {tokens['max']}", highlight=False)
    histogram = Table(title="token lengths", title_justify="left", show_header=False, box=None)
    most = max((item["examples"] for item in report["histogram"]), default=0) or 1
    for item in report["histogram"]:
        bar = "█" * round(40 * item["examples"] / most)
        histogram.add_row(f"{item['from']:>6}-{item['to']:<6}", f"{item['examples']:>7}", bar)
    console.print(histogram)
    cache = report["cache"]
    console.print(f"cache: {cache['status']}" + (f" ({cache['path']})" if cache.get("path") else ""), style="dim",
                  highlight=False)
