"""Logic shared by the adapter-method plugins: finding a model's decoder layers, freezing by module name, the LoRA
options and peft configuration (lora and qlora), and optimizers built from the run's TrainingArguments."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable, Optional, Union

from tuneforge.core.errors import ConfigError, ModelError
from tuneforge.core.report import say as report

PISSA_INIT = re.compile(r"^pissa(_niter_[1-9][0-9]*)?$")
LORA_INITS = ("default", "gaussian", "pissa", "pissa_niter_N")


def say(line: str) -> None:
    """One line of the run report, kept on one line even when longer than the terminal."""
    report(line, one_line=True)


def is_peft_model(model) -> bool:
    """Whether `model` carries peft adapters that can be switched off (the reference is then the bare base)."""
    return hasattr(model, "peft_config") and hasattr(model, "disable_adapter")


# ---------------------------------------------------------------------------------------------------------------
# Layers and freezing
# ---------------------------------------------------------------------------------------------------------------


def decoder_layers(model) -> tuple[str, Any]:
    """(qualified name, ModuleList) of the model's stack of repeated blocks: the ModuleList of same-class modules
    holding the most parameters (`model.layers` in Llama, `transformer.h` in GPT-2 ...)."""
    import torch

    best: Optional[tuple[int, str, Any]] = None
    for name, module in model.named_modules():
        if not isinstance(module, torch.nn.ModuleList) or len(module) == 0:
            continue
        if len({type(child) for child in module}) != 1:
            continue
        size = sum(p.numel() for p in module.parameters())
        if best is None or size > best[0]:
            best = (size, name, module)
    if best is None or best[0] == 0:
        raise ModelError(f"{type(model).__name__} has no stack of repeated decoder layers (a ModuleList of blocks); "
                         "this adapter method needs one")
    return best[1], best[2]


def freeze_all(model) -> None:
    for parameter in model.parameters():
        parameter.requires_grad_(False)


def find_modules(root, patterns: Iterable[str], option: str) -> dict[str, list[str]]:
    """For each pattern, the names of the modules under `root` it selects: a module is selected when its qualified
    name is the pattern or ends with `.pattern`; a pattern selecting nothing is a ConfigError naming `option`."""
    names = [name for name, _ in root.named_modules() if name]
    found: dict[str, list[str]] = {}
    missing = []
    for pattern in patterns:
        hits = [name for name in names if name == pattern or name.endswith("." + pattern)]
        if hits:
            found[pattern] = hits
        else:
            missing.append(pattern)
    if missing:
        children = sorted({name.split(".")[-1] for name in names if not name.split(".")[-1].isdigit()})
        raise ConfigError(f"{option}: no module named {', '.join(repr(m) for m in missing)} here; module names are: "
                          f"{', '.join(children)} (give a name or a dotted path such as `self_attn.o_proj`)")
    return found


def input_grads_for_checkpointing(model, run) -> None:
    """With activation checkpointing and frozen embeddings, checkpointed blocks get inputs that need no grad and
    would train nothing; make the embedding output require grad."""
    if run.config.training.activation_checkpointing:
        model.enable_input_require_grads()


def task_type(run):
    from peft import TaskType

    return TaskType.SEQ_CLS if run.stage.head == "sequence_classification" else TaskType.CAUSAL_LM


def linear_names(model) -> set[str]:
    import torch

    return {name.rsplit(".", 1)[-1] for name, module in model.named_modules() if isinstance(module, torch.nn.Linear)}


def resolve_targets(model, targets: Union[str, list[str], tuple[str, ...]], run) -> Union[str, list[str]]:
    """`auto`: the family's lora_targets, else every linear layer but the output head (peft's `all-linear`); or a
    list of linear-layer names, each checked to exist so a typo fails before training."""
    if targets == "auto":
        family_targets = list(run.family.lora_targets) if run.family is not None else []
        wanted: Union[str, list[str]] = family_targets or "all-linear"
    elif targets == "all-linear":
        wanted = "all-linear"
    else:
        wanted = [targets] if isinstance(targets, str) else list(targets)
    if wanted == "all-linear":
        return wanted
    available = linear_names(model)
    missing = [name for name in wanted if name not in available]
    if missing:
        raise ConfigError(f"adapter.targets: no linear layer named {', '.join(missing)} in this model; "
                          f"linear layers are: {', '.join(sorted(available))}")
    return wanted


# ---------------------------------------------------------------------------------------------------------------
# LoRA (used by the lora and qlora methods)
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoraOptions:
    """r: rank; alpha: scaling numerator (scaling = alpha / r, or alpha / sqrt(r) with rslora); targets: `auto`
    (the family's list, else every linear layer but the head), `all-linear`, or module names; dora: weight-decomposed
    LoRA (trainable magnitude vectors); init: `default` (A random, B zero), `gaussian`, `pissa` (A and B from the
    weight's principal singular vectors, the base keeps the residual) or `pissa_niter_N` (fast randomised SVD with N
    iterations); loraplus_ratio: LoRA+, B matrices learn at learning_rate * ratio (the paper suggests 16)."""

    r: int = 8
    alpha: int = 16
    dropout: float = 0.0
    targets: Union[str, list[str]] = "auto"
    rslora: bool = False
    dora: bool = False
    init: str = "default"
    loraplus_ratio: Optional[float] = None

    def __post_init__(self) -> None:
        if self.r <= 0:
            raise ValueError(f"`r` (the rank) must be a positive integer, got {self.r}")
        if self.alpha <= 0:
            raise ValueError(f"`alpha` must be positive, got {self.alpha}")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"`dropout` must be in [0, 1), got {self.dropout}")
        if isinstance(self.targets, list) and not self.targets:
            raise ValueError("`targets` is an empty list; give module names, `auto` or `all-linear`")
        if isinstance(self.targets, str) and self.targets not in ("auto", "all-linear") and not self.targets.strip():
            raise ValueError("`targets` is empty; give module names, `auto` or `all-linear`")
        if self.init not in ("default", "gaussian") and not PISSA_INIT.match(self.init):
            raise ValueError(f"`init` must be one of {', '.join(LORA_INITS)} (N a positive integer, e.g. "
                             f"pissa_niter_4), got {self.init!r}")
        if self.pissa and self.dora:
            raise ValueError("`init: pissa` cannot be combined with `dora: true`: a PiSSA adapter is converted to a "
                             "plain LoRA adapter for the original weights after training, which has no DoRA form")
        if self.loraplus_ratio is not None and self.loraplus_ratio < 1.0:
            raise ValueError(f"`loraplus_ratio` is the ratio of B's learning rate to A's and must be >= 1 (the "
                             f"LoRA+ paper suggests 16), got {self.loraplus_ratio}")

    @property
    def pissa(self) -> bool:
        return self.init.startswith("pissa")


def lora_config(model, options: LoraOptions, run):
    from peft import LoraConfig

    init: Any = {"default": True, "gaussian": "gaussian"}.get(options.init, options.init)
    return LoraConfig(r=options.r, lora_alpha=options.alpha, lora_dropout=options.dropout,
                      target_modules=resolve_targets(model, options.targets, run), use_rslora=options.rslora,
                      use_dora=options.dora, init_lora_weights=init, task_type=task_type(run))


def attach_lora(model, options: LoraOptions, run):
    """Wrap `model` in a peft LoRA model per `options` (the base weights are frozen by peft)."""
    from peft import get_peft_model

    config = lora_config(model, options, run)
    input_grads_for_checkpointing(model, run)
    return get_peft_model(model, config)


def loraplus_optimizer(model, options: LoraOptions, training_arguments: dict[str, Any]):
    """LoRA+: the run's optimizer with B matrices (and DoRA magnitudes) at learning_rate * loraplus_ratio; None
    (the trainer's default optimizer) when LoRA+ is off."""
    if options.loraplus_ratio is None:
        return None
    from peft.optimizers import create_loraplus_optimizer

    optimizer_cls, kwargs = optimizer_class_and_kwargs(model, training_arguments, "LoRA+ (adapter.loraplus_ratio)")
    learning_rate = kwargs.pop("lr")
    return create_loraplus_optimizer(model, optimizer_cls, lr=learning_rate, loraplus_lr_ratio=options.loraplus_ratio,
                                     loraplus_weight_decay=training_arguments.get("weight_decay", 0.0), **kwargs)


# ---------------------------------------------------------------------------------------------------------------
# Optimizers
# ---------------------------------------------------------------------------------------------------------------


def optimizer_class_and_kwargs(model, training_arguments: dict[str, Any], who: str) -> tuple[type, dict[str, Any]]:
    """The optimizer class and keyword arguments the Trainer would use for `training.optimizer`, for a method that
    builds its own parameter groups. Optimizers that take over parameter grouping (GaLore, LOMO ...) are refused."""
    from transformers import Trainer, TrainingArguments

    arguments = TrainingArguments(**training_arguments)
    optimizer_cls, kwargs = Trainer.get_optimizer_cls_and_kwargs(arguments, model)
    kwargs = dict(kwargs)
    taken_over = {"params", "model", "optimizer_dict"} & set(kwargs)
    if taken_over or not isinstance(optimizer_cls, type):
        raise ConfigError(f"{who} builds its own parameter groups and cannot use training.optimizer="
                          f"{arguments.optim!r}; pick an ordinary optimizer such as adamw_torch")
    return optimizer_cls, kwargs


def decay_groups(parameters: Iterable[Any], weight_decay: float) -> list[dict[str, Any]]:
    """Two parameter groups like the Trainer's: matrices decay, biases and norm weights (1-D) do not."""
    decay, no_decay = [], []
    for parameter in parameters:
        (decay if parameter.ndim >= 2 else no_decay).append(parameter)
    return [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
