"""LoRA through peft: low-rank adapters on the family's target layers (or every linear layer but the head)."""

from dataclasses import dataclass
from typing import Union

from tuneforge.core import AdapterMethod, hookimpl


@dataclass(frozen=True)
class LoraOptions:
    r: int = 8
    alpha: int = 16
    dropout: float = 0.0
    targets: Union[str, list[str]] = "auto"  # "auto": the family's lora_targets, else every linear layer but the head
    rslora: bool = False
    dora: bool = False

    def __post_init__(self) -> None:
        if self.r <= 0 or self.alpha <= 0:
            raise ValueError("r and alpha must be positive")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError("dropout must be in [0, 1)")


def target_modules(model, options: LoraOptions, run) -> Union[str, list[str]]:
    """Resolve `targets`, checking that every named module exists so a typo fails before training."""
    from tuneforge.core.errors import ConfigError

    if options.targets == "auto":
        family_targets = list(run.family.lora_targets) if run.family is not None else []
        wanted = family_targets or "all-linear"
    elif options.targets == "all-linear":
        wanted = "all-linear"
    else:
        wanted = [options.targets] if isinstance(options.targets, str) else list(options.targets)
    if wanted == "all-linear":
        return wanted
    import torch

    linear_names = {name.rsplit(".", 1)[-1] for name, module in model.named_modules()
                    if isinstance(module, torch.nn.Linear)}
    missing = [name for name in wanted if name not in linear_names]
    if missing:
        raise ConfigError(f"adapter.targets: no linear layer named {', '.join(missing)} in this model; "
                          f"linear layers are: {', '.join(sorted(linear_names))}")
    return wanted


def prepare_lora(model, options: LoraOptions, run):
    from peft import LoraConfig, TaskType, get_peft_model

    task = TaskType.SEQ_CLS if run.stage.head == "sequence_classification" else TaskType.CAUSAL_LM
    config = LoraConfig(r=options.r, lora_alpha=options.alpha, lora_dropout=options.dropout,
                        target_modules=target_modules(model, options, run), use_rslora=options.rslora,
                        use_dora=options.dora, task_type=task)
    if run.config.training.activation_checkpointing:
        # With frozen embeddings, checkpointed blocks would get inputs that need no grad and train nothing.
        model.enable_input_require_grads()
    return get_peft_model(model, config)


LORA = AdapterMethod(name="lora", prepare=prepare_lora, options=LoraOptions,
                     description="Low-rank adapters (peft LoRA); `rslora` and `dora` switch on those variants.")


@hookimpl
def register_adapters(register):
    register(LORA)
