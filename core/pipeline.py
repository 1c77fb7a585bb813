"""One training run, as data flowing through the parts (DESIGN.md section 4):
config -> resolve names -> model loader -> data worker -> stage's trainer -> output folder."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from tuneforge.core.resolve import ResolvedRun
from tuneforge.core.report import say


@dataclass
class StageContext:
    """What a stage's `build_trainer` receives."""

    run: ResolvedRun
    model: Any
    tokenizer: Any
    train_dataset: Any
    eval_dataset: Optional[Any]
    training_arguments: dict[str, Any]  # kwargs for transformers.TrainingArguments / TRL configs
    callbacks: list[Any]
    options: Any  # the stage's validated options (None when it takes none)
    optimizers: tuple[Any, Any] = (None, None)  # (optimizer, scheduler) for Trainer(optimizers=...); None: default


def _report_data(prepared) -> None:
    for report in prepared.reports:
        line = (f"data [bold]{report.label}[/bold] ({report.format}): {report.rows} rows, {report.aligned} aligned, "
                f"{len(report.dropped)} dropped")
        say(line)
        for dropped in report.dropped[:5]:
            say(f"  [yellow]dropped[/yellow] {dropped.source} row {dropped.row}: {dropped.reason}")
        if len(report.dropped) > 5:
            say(f"  ... and {len(report.dropped) - 5} more (set data.strict=true to stop at the first)")
    if prepared.truncated or prepared.untrainable or prepared.turns_dropped:
        say(f"  cutoff: {prepared.turns_dropped} records lost trailing turns, {prepared.truncated} were cut inside "
             f"an answer, {prepared.untrainable} dropped with nothing left to train")
    summary = prepared.to_dict()
    train_rows = "streamed" if summary["train_rows"] is None else summary["train_rows"]
    say(f"encoded {train_rows} training rows{' (packed)' if prepared.packed else ''}, {summary['eval_rows']} "
         "evaluation rows")


@dataclass
class TrainingOutcome:
    """What a finished run leaves in memory (the CLI only needs `output_dir`; tests and notebooks use the rest)."""

    output_dir: Path
    run: ResolvedRun
    model: Any
    tokenizer: Any
    metrics: dict[str, Any]


def run_training(config_path: Path | str, overrides: list[str] = (), show_progress: bool = True) -> TrainingOutcome:
    """Run `tune train CONFIG overrides...`."""
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    _quiet_libraries()
    from tuneforge.core.config import load_config
    from tuneforge.core.outputs import prepare_output_dir
    from tuneforge.core.resolve import resolve
    from tuneforge.registry import get_catalog

    loaded = load_config(config_path, list(overrides))
    catalog = get_catalog()
    run = resolve(loaded, catalog)
    output_dir = run.config.output_dir
    prepare_output_dir(output_dir, run.config.overwrite)
    (output_dir / "config.yaml").write_text(loaded.resolved_yaml(), encoding="utf-8")

    from transformers import set_seed

    from tuneforge.core.data_worker import prepare_data
    from tuneforge.core.model_loader import check_template_fits, load_model, load_tokenizer, parameter_report
    from tuneforge.core.template_choice import choose_template
    from tuneforge.core.training import builtin_callbacks, training_arguments

    set_seed(run.config.seed)
    pm = catalog.plugin_manager
    tokenizer = load_tokenizer(run, pm)
    run = choose_template(run, tokenizer, catalog)
    check_template_fits(run, tokenizer)
    say(f"model [bold]{run.model_source}[/bold] (family {run.family.name if run.family else '?'}), "
         f"template {run.template.name}, adapter {run.adapter.name}, stage {run.stage.name}")
    prepared = prepare_data(run, tokenizer, catalog)
    _report_data(prepared)
    model = load_model(run, pm)
    if run.config.data.packing:
        from tuneforge.core.packing import check_packing_supported

        check_packing_supported(model)  # refuse before training, naming the attention implementation
    report = parameter_report(model)
    say(str(report))

    log_path = output_dir / "train_log.jsonl"
    callbacks = builtin_callbacks(log_path, show_progress)
    for contributed in pm.hook.trainer_callbacks(run=run):
        callbacks.extend(contributed or [])
    arguments = training_arguments(run, output_dir, bool(prepared.eval))
    if run.adapter.configure_training is not None:
        arguments = run.adapter.configure_training(run.adapter_options, dict(arguments), run)
    optimizer = run.adapter.optimizer(model, run.adapter_options, arguments) if run.adapter.optimizer else None
    context = StageContext(run=run, model=model, tokenizer=tokenizer, train_dataset=prepared.train,
                           eval_dataset=prepared.eval or None, training_arguments=arguments,
                           callbacks=callbacks, options=run.stage_options, optimizers=(optimizer, None))
    trainer = run.stage.build_trainer(context)
    _quiet_default_printer(trainer)
    train_result = trainer.train()
    save_outputs(run, trainer, tokenizer, output_dir, prepared, report, train_result.metrics)
    say(f"[green]done[/green]: {output_dir}")
    return TrainingOutcome(output_dir, run, trainer.model, tokenizer, train_result.metrics)


def _quiet_libraries() -> None:
    """Our progress bar and log replace the libraries' per-file progress bars; peft still calls a transformers
    method renamed in 5.x, which warns on every step."""
    import warnings

    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()
    warnings.filterwarnings("ignore", message=".*is_gradient_checkpointing.*is deprecated", category=FutureWarning)


def _quiet_default_printer(trainer) -> None:
    """With tqdm off, transformers prints every log dict; our progress bar and JSON-lines log replace that."""
    from transformers.trainer_callback import PrinterCallback

    trainer.remove_callback(PrinterCallback)


def save_outputs(run, trainer, tokenizer, output_dir: Path, prepared, report, metrics: dict[str, Any]) -> None:
    import shutil

    from tuneforge.core.outputs import loss_summary, plot_loss, read_log, write_manifest
    from tuneforge.core.templates import to_jinja

    trainer.save_model(str(output_dir))
    # The trainer pickles its arguments next to the weights; keep outputs pickle-free and write them as JSON.
    (output_dir / "training_args.bin").unlink(missing_ok=True)
    (output_dir / "training_args.json").write_text(trainer.args.to_json_string(), encoding="utf-8")
    jinja = to_jinja(run.template)
    tokenizer.chat_template = jinja
    tokenizer.save_pretrained(str(output_dir))
    if run.config.training.save_strategy == "no":
        shutil.rmtree(output_dir / "checkpoints", ignore_errors=True)  # only the trainer's empty scaffolding
    log = read_log(output_dir / "train_log.jsonl")
    plot_loss(log, output_dir / "loss.png", f"{run.stage.name} / {run.adapter.name} on {run.model_source}")
    result = {"metrics": metrics, "loss": loss_summary(log), "trainable_parameters": report.trainable,
              "total_parameters": report.total}
    write_manifest(output_dir / "manifest.json", run, prepared.to_dict(), result, jinja)
