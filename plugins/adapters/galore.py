"""GaLore: full-parameter training whose optimizer keeps its state in a low-rank projection of each target
weight's gradient (transformers' GaLore optimizers; needs `pip install galore-torch`)."""

from dataclasses import dataclass
from typing import Literal, Union

from tuneforge.core import AdapterMethod, ConfigError, hookimpl
from tuneforge.core.adapters import linear_names, say

# Without a family list, every linear layer inside a decoder block (never the embeddings or the output head).
BLOCK_LINEARS = r".*\.(layers|h|blocks)\.[0-9]+\..*"


@dataclass(frozen=True)
class GaloreOptions:
    """rank: rank of the gradient projection; update_proj_gap: optimizer steps between recomputing the projection
    (an SVD of the gradient); scale: factor on the projected-back update; proj_type: std, reverse_std, right, left or
    full; targets: `auto` (the family's LoRA target layers, else every linear layer in the decoder blocks), or module
    names (matched as substrings) or one regular expression; optimizer: adamw or adafactor; layerwise: update each
    parameter during the backward pass, saving gradient memory (no gradient accumulation)."""

    rank: int = 16
    update_proj_gap: int = 200
    scale: float = 0.25
    proj_type: Literal["std", "reverse_std", "right", "left", "full"] = "std"
    targets: Union[str, list[str]] = "auto"
    optimizer: Literal["adamw", "adafactor"] = "adamw"
    layerwise: bool = False

    def __post_init__(self) -> None:
        if self.rank <= 0:
            raise ValueError(f"`rank` must be a positive integer, got {self.rank}")
        if self.update_proj_gap <= 0:
            raise ValueError(f"`update_proj_gap` must be a positive number of steps, got {self.update_proj_gap}")
        if self.scale <= 0:
            raise ValueError(f"`scale` must be positive, got {self.scale}")
        if not self.targets or (isinstance(self.targets, str) and not self.targets.strip()):
            raise ValueError("`targets` is empty; give `auto`, module names or a regular expression")


def optim_targets(options: GaloreOptions, run) -> Union[str, list[str]]:
    if options.targets == "auto":
        family_targets = list(run.family.lora_targets) if run.family is not None else []
        return family_targets or BLOCK_LINEARS
    return options.targets


def prepare_galore(model, options: GaloreOptions, run):
    import importlib.util

    if importlib.util.find_spec("galore_torch") is None:
        raise ConfigError("the galore method needs the galore-torch package: pip install 'tuneforge[galore]' "
                          "(or pip install galore-torch)")
    import torch
    from transformers.trainer_utils import check_target_module_exists

    targets = optim_targets(options, run)
    matched = [(name, module) for name, module in model.named_modules()
               if isinstance(module, torch.nn.Linear) and check_target_module_exists(targets, name)]
    if not matched:
        raise ConfigError(f"adapter.targets: {targets!r} matches no linear layer of this model; linear layers are: "
                          f"{', '.join(sorted(linear_names(model)))}")
    projected = [name for name, module in matched if options.rank < min(module.weight.shape)]
    if not projected:
        raise ConfigError(f"adapter.rank {options.rank} is not below the smaller dimension of any target layer, so "
                          "GaLore would project nothing; pick a smaller rank")
    for parameter in model.parameters():
        parameter.requires_grad_(True)
    say(f"galore: {options.optimizer}{' layerwise' if options.layerwise else ''}, rank {options.rank} on "
        f"{len(projected)} of {len(matched)} target layers, projection renewed every {options.update_proj_gap} steps")
    return model


def configure_galore(options: GaloreOptions, training_arguments: dict, run) -> dict:
    chosen = run.config.training.optimizer
    if chosen not in ("adamw_torch", "adamw_torch_fused"):
        raise ConfigError(f"training.optimizer={chosen!r} conflicts with the galore method, which picks a GaLore "
                          "optimizer itself; remove training.optimizer and set adapter.optimizer (adamw or adafactor)")
    if options.layerwise and training_arguments.get("gradient_accumulation_steps", 1) != 1:
        raise ConfigError("adapter.layerwise: layer-wise GaLore updates during the backward pass and cannot "
                          "accumulate gradients; set training.gradient_accumulation=1 or layerwise=false")
    return dict(training_arguments,
                optim=f"galore_{options.optimizer}" + ("_layerwise" if options.layerwise else ""),
                optim_target_modules=optim_targets(options, run),
                optim_args=f"rank={options.rank}, update_proj_gap={options.update_proj_gap}, "
                           f"scale={options.scale}, proj_type={options.proj_type}")


GALORE = AdapterMethod(
    name="galore", prepare=prepare_galore, options=GaloreOptions, configure_training=configure_galore,
    description="Full-parameter training with GaLore's low-rank gradient projection (optimizer memory saving).")


@hookimpl
def register_adapters(register):
    register(GALORE)
