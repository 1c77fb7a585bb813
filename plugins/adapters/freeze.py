"""Freeze tuning: only the last (or first) N decoder layers, or parts of them, and any named modules train."""

from dataclasses import dataclass
from typing import Literal

from tuneforge.core import AdapterMethod, ConfigError, hookimpl
from tuneforge.core.adapters import decoder_layers, find_modules, freeze_all, input_grads_for_checkpointing, say


@dataclass(frozen=True)
class FreezeOptions:
    """layers: how many decoder layers train, counted from `side` (`last` or `first`); layer_modules: inside those
    layers only these submodules train (e.g. [mlp] or [self_attn.o_proj]); empty means whole layers; modules: other
    modules that train as well, by name or dotted path (e.g. [lm_head], [model.norm], [embed_tokens])."""

    layers: int = 2
    side: Literal["last", "first"] = "last"
    layer_modules: tuple[str, ...] = ()
    modules: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.layers < 0:
            raise ValueError(f"`layers` is how many decoder layers train and cannot be negative, got {self.layers}")
        if self.layers == 0 and not self.modules:
            raise ValueError("nothing would train: `layers` is 0 and `modules` is empty")
        if self.layer_modules and self.layers == 0:
            raise ValueError("`layer_modules` selects parts of the trained layers, but `layers` is 0")


def prepare_freeze(model, options: FreezeOptions, run):
    freeze_all(model)
    chosen = []
    if options.layers:
        prefix, layers = decoder_layers(model)
        if options.layers > len(layers):
            raise ConfigError(f"adapter.layers: the model has {len(layers)} decoder layers ({prefix}), so it cannot "
                              f"train {options.layers}; give at most {len(layers)} (or use the full method)")
        indices = range(len(layers))
        chosen = list(indices[-options.layers:] if options.side == "last" else indices[:options.layers])
        for index in chosen:
            layer = layers[index]
            if options.layer_modules:
                found = find_modules(layer, options.layer_modules, "adapter.layer_modules")
                targets = [layer.get_submodule(name) for names in found.values() for name in names]
            else:
                targets = [layer]
            for module in targets:
                module.requires_grad_(True)
    for names in find_modules(model, options.modules, "adapter.modules").values():
        for name in names:
            model.get_submodule(name).requires_grad_(True)
    input_grads_for_checkpointing(model, run)
    parts = [f"layers {chosen[0]}-{chosen[-1]}" if chosen else ""] + list(options.modules)
    say(f"freeze: training {', '.join(p for p in parts if p)}"
        + (f" (only {', '.join(options.layer_modules)})" if options.layer_modules else ""))
    return model


FREEZE = AdapterMethod(
    name="freeze", prepare=prepare_freeze, options=FreezeOptions,
    description="Train only the last N decoder layers (or parts of them) and named modules; the rest is frozen.")


@hookimpl
def register_adapters(register):
    register(FREEZE)
