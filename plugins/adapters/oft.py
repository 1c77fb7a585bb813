"""OFT through peft: each target layer's input is rotated by a learned block-diagonal orthogonal matrix, which
keeps the angles between the layer's neurons (and its singular values) as pretrained."""

from dataclasses import dataclass
from typing import Union

from tuneforge.core import AdapterMethod, ConfigError, hookimpl
from tuneforge.core.adapters import input_grads_for_checkpointing, resolve_targets, say, task_type


@dataclass(frozen=True)
class OftOptions:
    """block_size: side of each orthogonal block (must divide the input size of every target layer); targets: as for
    LoRA (`auto`, `all-linear` or names); module_dropout: probability of replacing a block by the identity while
    training; coft: constrained OFT, keeping the rotation within `eps` of the identity; block_share: one rotation
    block shared across a layer; cayley_neumann: approximate the Cayley transform by a Neumann series (faster;
    False gives exactly orthogonal rotations)."""

    block_size: int = 32
    targets: Union[str, list[str]] = "auto"
    module_dropout: float = 0.0
    coft: bool = False
    eps: float = 6e-5
    block_share: bool = False
    cayley_neumann: bool = True

    def __post_init__(self) -> None:
        if self.block_size < 2:
            raise ValueError(f"`block_size` must be at least 2 (a 1x1 rotation is the identity), got {self.block_size}")
        if not 0.0 <= self.module_dropout < 1.0:
            raise ValueError(f"`module_dropout` must be in [0, 1), got {self.module_dropout}")
        if self.eps <= 0:
            raise ValueError(f"`eps` must be positive, got {self.eps}")
        if isinstance(self.targets, list) and not self.targets:
            raise ValueError("`targets` is an empty list; give module names, `auto` or `all-linear`")


def prepare_oft(model, options: OftOptions, run):
    import torch
    from peft import OFTConfig, get_peft_model

    targets = resolve_targets(model, options.targets, run)
    head = model.get_output_embeddings()
    for name, module in model.named_modules():
        if not isinstance(module, torch.nn.Linear) or module is head:
            continue
        if (targets == "all-linear" or name.rsplit(".", 1)[-1] in targets) and module.in_features % options.block_size:
            raise ConfigError(f"adapter.block_size {options.block_size} does not divide the input size "
                              f"{module.in_features} of {name}; pick a divisor of every target layer's input size")
    config = OFTConfig(oft_block_size=options.block_size, r=0, target_modules=targets,
                       module_dropout=options.module_dropout, coft=options.coft, eps=options.eps,
                       block_share=options.block_share, use_cayley_neumann=options.cayley_neumann,
                       task_type=task_type(run))
    input_grads_for_checkpointing(model, run)
    model = get_peft_model(model, config)
    say(f"oft: orthogonal blocks of {options.block_size}"
        + (", constrained" if options.coft else "") + (", shared" if options.block_share else ""))
    return model


OFT = AdapterMethod(
    name="oft", prepare=prepare_oft, options=OftOptions,
    description="Orthogonal fine-tuning (peft OFT): learned block-diagonal rotations of each target layer's input.")


@hookimpl
def register_adapters(register):
    register(OFT)
