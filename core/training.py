"""Step 5 glue shared by every stage: TrainingArguments from the config, and the built-in trainer callbacks."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any


def training_arguments(run, output_dir: Path, has_eval: bool) -> dict[str, Any]:
    """Keyword arguments for `transformers.TrainingArguments` (TRL configs accept the same keys)."""
    from tuneforge.core.model_loader import device_kind

    t = run.config.training
    on_cpu = device_kind() == "cpu"
    precision = t.precision
    if precision == "auto":
        # On CPU bf16 autocast works but is slower than fp32 (measured); on GPU bf16 where supported.
        precision = "fp32"
        if not on_cpu:
            import torch

            precision = "bf16" if torch.cuda.is_bf16_supported() else "fp16"
    kwargs: dict[str, Any] = {
        "output_dir": str(output_dir / "checkpoints"),
        "use_cpu": on_cpu,
        "per_device_train_batch_size": t.batch_size,
        "per_device_eval_batch_size": t.batch_size,
        "gradient_accumulation_steps": t.gradient_accumulation,
        "learning_rate": t.learning_rate,
        "num_train_epochs": t.epochs,
        "max_steps": t.max_steps,
        "lr_scheduler_type": t.lr_scheduler,
        "warmup_steps": t.warmup_ratio,  # transformers 5 takes a ratio here when the value is below 1
        "weight_decay": t.weight_decay,
        "max_grad_norm": t.max_grad_norm,
        "optim": t.optimizer,
        "bf16": precision == "bf16",
        "fp16": precision == "fp16",
        "activation_checkpointing": t.activation_checkpointing,
        "logging_steps": t.logging_steps,
        "save_strategy": t.save_strategy,
        "save_steps": t.save_steps,
        "eval_strategy": "epoch" if has_eval else "no",
        "report_to": [],
        "disable_tqdm": True,
        "seed": run.config.seed,
        "data_seed": run.config.seed,
        "remove_unused_columns": False,
        "dataloader_num_workers": t.dataloader_workers,
    }
    if t.activation_checkpointing:
        kwargs["activation_checkpointing_kwargs"] = {"use_reentrant": False}
    if t.neftune_alpha is not None:
        # The Trainer hooks the input embeddings for the duration of train(); the hook adds noise in training mode.
        kwargs["neftune_noise_alpha"] = t.neftune_alpha
    if t.liger:
        from tuneforge.core.model_loader import check_liger

        check_liger(t)
        kwargs["use_liger_kernel"] = True
    return kwargs


def builtin_callbacks(log_path: Path, show_progress: bool = True) -> list[Any]:
    """The JSON-lines log writer and (for terminals) the rich progress display."""
    callbacks = [as_trainer_callback(JsonlLog, log_path)]
    if show_progress:
        callbacks.append(as_trainer_callback(RichProgress))
    return callbacks


def as_trainer_callback(behaviour: type, *args: Any) -> Any:
    """An instance of `behaviour` mixed into transformers.TrainerCallback (imported only when training)."""
    from transformers import TrainerCallback

    return type(behaviour.__name__, (behaviour, TrainerCallback), {})(*args)


class JsonlLog:
    """Appends every log event (loss, learning rate, eval metrics ...) as one JSON object per line."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.start = time.monotonic()

    def on_train_begin(self, args, state, control, **kwargs):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text("", encoding="utf-8")

    def on_log(self, args, state, control, logs=None, **kwargs):
        if not state.is_world_process_zero or not logs:
            return
        entry = {"step": state.global_step, "epoch": state.epoch,
                 "elapsed_s": round(time.monotonic() - self.start, 3), **logs}
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry) + "\n")


class RichProgress:
    """A rich progress bar with the latest loss, replacing transformers' tqdm output."""

    def __init__(self) -> None:
        self.progress = None
        self.task = None

    def on_train_begin(self, args, state, control, **kwargs):
        if not state.is_world_process_zero:
            return
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, \
            TimeRemainingColumn

        self.progress = Progress(TextColumn("[bold]training"), BarColumn(), MofNCompleteColumn(),
                                 TextColumn("{task.fields[status]}"), TimeElapsedColumn(), TimeRemainingColumn())
        self.progress.start()
        self.task = self.progress.add_task("train", total=state.max_steps, status="")

    def on_step_end(self, args, state, control, **kwargs):
        if self.progress is not None:
            self.progress.update(self.task, completed=state.global_step)

    def on_log(self, args, state, control, logs=None, **kwargs):
        if self.progress is None or not logs:
            return
        parts = [f"{key} {logs[key]:.4g}" for key in ("loss", "eval_loss", "learning_rate") if key in logs]
        if parts:
            self.progress.update(self.task, status="  ".join(parts))

    def on_train_end(self, args, state, control, **kwargs):
        if self.progress is not None:
            self.progress.stop()
            self.progress = None
