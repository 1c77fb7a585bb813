"""LLaMA Pro block expansion: copies of decoder layers are inserted, evenly spaced, with their output projections
zeroed so each new block adds nothing to the residual stream and the expanded model computes exactly what the
original did; only the new blocks train and the original weights stay as they were."""

from dataclasses import dataclass

from tuneforge.core import AdapterMethod, ConfigError, ModelError, hookimpl
from tuneforge.core.adapters import decoder_layers, freeze_all, input_grads_for_checkpointing, say


@dataclass(frozen=True)
class LlamaProOptions:
    """new_layers: how many blocks to insert (each a copy of the layer it follows, spread evenly over the stack);
    output_projections: the names of the linear layers that write a block's result into the residual stream, zeroed
    in each copy (o_proj and down_proj in Llama-style models)."""

    new_layers: int = 2
    output_projections: tuple[str, ...] = ("o_proj", "down_proj")

    def __post_init__(self) -> None:
        if self.new_layers <= 0:
            raise ValueError(f"`new_layers` must be a positive number of blocks to insert, got {self.new_layers}")
        if not self.output_projections:
            raise ValueError("`output_projections` is empty: a copied block would change the model's output")


def insertion_points(layer_count: int, new_layers: int) -> list[int]:
    """Indices of the original layers after which a copy goes: the last layer of each of `new_layers` even groups."""
    return [(group + 1) * layer_count // new_layers - 1 for group in range(new_layers)]


def expand(model, options: LlamaProOptions) -> list[int]:
    """Insert the zero-initialised copies in place; returns the indices of the new layers in the expanded stack."""
    import copy

    import torch

    prefix, layers = decoder_layers(model)
    count = len(layers)
    if options.new_layers > count:
        raise ConfigError(f"adapter.new_layers: {options.new_layers} is more than the model's {count} decoder layers; "
                          f"insert at most {count} (one after each layer)")
    after = insertion_points(count, options.new_layers)
    expanded, new_indices = [], []
    for index, layer in enumerate(layers):
        expanded.append(layer)
        if index in after:
            block = copy.deepcopy(layer)
            zeroed = [name for name, module in block.named_modules()
                      if isinstance(module, torch.nn.Linear) and name.rsplit(".", 1)[-1] in options.output_projections]
            if not zeroed:
                raise ModelError(f"llama-pro: a {type(layer).__name__} has no linear layer named "
                                 f"{', '.join(options.output_projections)}; set adapter.output_projections to the "
                                 "layers that write into the residual stream")
            with torch.no_grad():
                for name in zeroed:
                    module = block.get_submodule(name)
                    module.weight.zero_()
                    if module.bias is not None:
                        module.bias.zero_()
            new_indices.append(len(expanded))
            expanded.append(block)
    for position, layer in enumerate(expanded):
        for module in layer.modules():
            if hasattr(module, "layer_idx"):  # the KV cache is indexed by it
                module.layer_idx = position
    parent, _, attribute = prefix.rpartition(".")
    setattr(model.get_submodule(parent) if parent else model, attribute, torch.nn.ModuleList(expanded))
    config = model.config
    old_types = getattr(config, "layer_types", None)
    if old_types:
        types = list(old_types)
        for new_index in new_indices:  # a copy has the type of the layer it copies (the one before it)
            types.insert(new_index, types[new_index - 1])
        config.layer_types = types
    config.num_hidden_layers = len(expanded)
    return new_indices


def prepare_llama_pro(model, options: LlamaProOptions, run):
    import torch

    probe = torch.arange(8, device=model.device).unsqueeze(0) % model.config.vocab_size
    was_training = model.training
    model.eval()
    with torch.no_grad():
        before = model(input_ids=probe, use_cache=False).logits
        new_indices = expand(model, options)
        after = model(input_ids=probe, use_cache=False).logits
    model.train(was_training)
    if not torch.allclose(before, after, rtol=1e-4, atol=1e-4):
        raise ModelError("llama-pro: with the copied blocks inserted the model computes something different "
                         f"(largest logit change {(before - after).abs().max().item():.3g}); the layers named in "
                         "adapter.output_projections are not all of this architecture's residual outputs")
    freeze_all(model)
    _, layers = decoder_layers(model)
    for index in new_indices:
        layers[index].requires_grad_(True)
    input_grads_for_checkpointing(model, run)
    say(f"llama-pro: inserted {len(new_indices)} zero-initialised blocks at {', '.join(map(str, new_indices))}; "
        f"{len(layers)} layers now, only the new ones train")
    return model


LLAMA_PRO = AdapterMethod(
    name="llama-pro", prepare=prepare_llama_pro, options=LlamaProOptions,
    description="Block expansion (LLaMA Pro): only inserted, identity-initialised copies of layers train.")


@hookimpl
def register_adapters(register):
    register(LLAMA_PRO)
