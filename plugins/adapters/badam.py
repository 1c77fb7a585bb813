"""BAdam: block coordinate descent. The decoder layers are split into blocks; one block trains at a time and the
optimizer moves to the next block every `switch_every` steps, dropping the optimizer state of the one it leaves."""

from dataclasses import dataclass
from typing import Literal

from tuneforge.core import AdapterMethod, ConfigError, hookimpl
from tuneforge.core.adapters import (decay_groups, decoder_layers, freeze_all, input_grads_for_checkpointing,
                                     optimizer_class_and_kwargs, say)


@dataclass(frozen=True)
class BadamOptions:
    """layers_per_block: decoder layers per block; switch_every: optimizer steps before moving to the next block;
    order: ascending (first layer first), descending, or random (a fresh permutation of the blocks each round, from
    the run's seed). Embeddings, final norm and output head stay frozen."""

    layers_per_block: int = 1
    switch_every: int = 50
    order: Literal["ascending", "descending", "random"] = "ascending"

    def __post_init__(self) -> None:
        if self.layers_per_block <= 0:
            raise ValueError(f"`layers_per_block` must be a positive integer, got {self.layers_per_block}")
        if self.switch_every <= 0:
            raise ValueError(f"`switch_every` must be a positive number of optimizer steps, got {self.switch_every}")


class BlockSchedule:
    """Which block trains now; `after_step` is registered as the optimizer's step post-hook."""

    def __init__(self, model, options: BadamOptions, seed: int) -> None:
        import random

        _, layers = decoder_layers(model)
        size = options.layers_per_block
        self.blocks = [list(layers[start:start + size]) for start in range(0, len(layers), size)]
        self.layer_ranges = [(start, min(start + size, len(layers)) - 1) for start in range(0, len(layers), size)]
        self.options = options
        self.random = random.Random(seed)
        self.steps = 0
        self.sequence = self._round()
        self.position = 0

    def _round(self) -> list[int]:
        indices = list(range(len(self.blocks)))
        if self.options.order == "descending":
            indices.reverse()
        elif self.options.order == "random":
            self.random.shuffle(indices)
        return indices

    @property
    def active(self) -> int:
        return self.sequence[self.position]

    def parameters(self, index: int) -> list:
        return [p for layer in self.blocks[index] for p in layer.parameters()]

    def start(self, model) -> None:
        freeze_all(model)
        for parameter in self.parameters(self.active):
            parameter.requires_grad_(True)

    def after_step(self, optimizer, args, kwargs) -> None:
        self.steps += 1
        if self.steps % self.options.switch_every == 0 and len(self.blocks) > 1:
            self.switch(optimizer)

    def switch(self, optimizer) -> None:
        for parameter in self.parameters(self.active):
            parameter.requires_grad_(False)
            parameter.grad = None
            optimizer.state.pop(parameter, None)  # BAdam starts each block's Adam moments afresh
        self.position += 1
        if self.position == len(self.sequence):
            self.sequence, self.position = self._round(), 0
        for parameter in self.parameters(self.active):
            parameter.requires_grad_(True)


def prepare_badam(model, options: BadamOptions, run):
    schedule = BlockSchedule(model, options, run.config.seed)
    schedule.start(model)
    input_grads_for_checkpointing(model, run)
    first, last = schedule.layer_ranges[schedule.active]
    say(f"badam: {len(schedule.blocks)} blocks of {options.layers_per_block} layer(s), {options.order}, switching "
        f"every {options.switch_every} steps; starting with layers {first}-{last}")
    return model


def badam_optimizer(model, options: BadamOptions, training_arguments: dict):
    """The run's optimizer over every block's parameters; only the active block has gradients, so only it gets
    optimizer state and updates. The schedule switches blocks after each `switch_every`-th step."""
    schedule = BlockSchedule(model, options, training_arguments.get("seed", 42))
    schedule.start(model)
    optimizer_cls, kwargs = optimizer_class_and_kwargs(model, training_arguments, "badam")
    block_parameters = [p for index in range(len(schedule.blocks)) for p in schedule.parameters(index)]
    optimizer = optimizer_cls(decay_groups(block_parameters, training_arguments.get("weight_decay", 0.0)), **kwargs)
    optimizer.register_step_post_hook(schedule.after_step)
    optimizer.badam_schedule = schedule
    return optimizer


BADAM = AdapterMethod(
    name="badam", prepare=prepare_badam, options=BadamOptions, optimizer=badam_optimizer,
    description="Block coordinate descent: one block of decoder layers trains at a time, switching on a schedule.")


class RequireBlockOptimizer:
    """Stops a run whose stage built its own optimizer instead of taking BAdam's: only one block would ever train."""

    def on_train_begin(self, args, state, control, optimizer=None, **kwargs):
        inner = getattr(optimizer, "optimizer", optimizer)
        if getattr(inner, "badam_schedule", None) is None:
            raise ConfigError("badam: this stage's trainer did not take the optimizer the method built (it must pass "
                              "StageContext.optimizers to the trainer), so only the first block would ever train")


@hookimpl
def register_adapters(register):
    register(BADAM)


@hookimpl
def trainer_callbacks(run):
    if run.adapter.name != BADAM.name:
        return None
    from tuneforge.core.training import as_trainer_callback

    return [as_trainer_callback(RequireBlockOptimizer)]
