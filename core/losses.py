"""A memory-lean causal-LM loss for large vocabularies (`training.loss: chunked`): cross-entropy computed from the
final hidden states and the output head a chunk of tokens at a time, so the full tokens x vocabulary logits never
exist, in float32 or otherwise. It gives the same loss and gradients as transformers' default loss."""

from __future__ import annotations

from typing import Any, Optional

from tuneforge.core.errors import ConfigError

IGNORE_INDEX = -100


def _chunk_loss(head, hidden, targets):
    import torch.nn.functional as F

    # Upcast per chunk only, like transformers' ForCausalLMLoss does for the whole logits.
    return F.cross_entropy(head(hidden).float(), targets, reduction="sum")


def chunked_cross_entropy(hidden, head, labels, chunk_size: int = 1024, *, ignore_index: int = IGNORE_INDEX,
                          num_items_in_batch: Optional[Any] = None, shift: bool = True):
    """Cross-entropy of `head(hidden)` against `labels`, `chunk_size` trained tokens at a time.

    hidden: final hidden states, shape (..., sequence, hidden); head: the output head (a module or any function from
    hidden states to logits); labels: token ids of the same leading shape, `ignore_index` where nothing is trained.
    shift: labels are aligned with the inputs and position t predicts label t+1, as in transformers' causal-LM loss
    (False: labels are already the targets of each position).
    Reduction as transformers does it: the sum over trained tokens divided by `num_items_in_batch` when given (the
    token count of the whole accumulated batch), else by the number of trained tokens.

    Only positions with a label are projected. Each chunk's logits are reduced to one number and recomputed in the
    backward pass (checkpointing per chunk), so at most one chunk's logits exist at any time.
    """
    import torch.nn.functional as F
    from torch.utils.checkpoint import checkpoint

    if chunk_size <= 0:
        raise ValueError(f"chunk_size must be a positive number of tokens, got {chunk_size}")
    if shift:
        labels = F.pad(labels, (0, 1), value=ignore_index)[..., 1:]
    hidden = hidden.reshape(-1, hidden.size(-1))
    labels = labels.reshape(-1).to(hidden.device)
    if labels.numel() != hidden.size(0):
        raise ValueError(f"labels hold {labels.numel()} positions but hidden states {hidden.size(0)}")
    positions = (labels != ignore_index).nonzero().squeeze(1)
    hidden = hidden.index_select(0, positions)
    targets = labels.index_select(0, positions)
    total = hidden[:0].float().sum()  # zero, but part of the graph even when nothing is trained
    for start in range(0, targets.numel(), chunk_size):
        end = start + chunk_size
        total = total + checkpoint(_chunk_loss, head, hidden[start:end], targets[start:end], use_reentrant=False)
    if num_items_in_batch is None:
        return total / targets.numel()
    if hasattr(num_items_in_batch, "to"):
        num_items_in_batch = num_items_in_batch.to(total.device)
    return total / num_items_in_batch


# ---------------------------------------------------------------------------------------------------------------
# Causal LMs
# ---------------------------------------------------------------------------------------------------------------


def _base_model(model):
    """The transformers model under a peft wrapper (peft injects its layers in place, so its modules are in it)."""
    return model.get_base_model() if hasattr(model, "get_base_model") else model


def check_chunked_loss_supported(model, input_ids) -> None:
    """The chunked loss reproduces `logits = head(final hidden states)`; refuse a model whose forward does more
    (logit soft-capping, scaling) or cannot skip its logits. Compared on the first tokens of `input_ids`."""
    import inspect

    import torch

    base = _base_model(model)
    name = type(base).__name__
    if "logits_to_keep" not in inspect.signature(base.forward).parameters:
        raise ConfigError(f"training.loss=chunked: {name}.forward takes no `logits_to_keep`, so its full logits "
                          "cannot be skipped; use training.loss=default for this model")
    head, decoder = base.get_output_embeddings(), base.get_decoder()
    if head is None:
        raise ConfigError(f"training.loss=chunked: {name} has no output head; use training.loss=default")
    # One forward pass in the model's own (training) mode: switching the whole model to eval would let
    # bitsandbytes repack 4-bit weights for CPU inference. Only the head is put in eval mode, so that a dropout in
    # it (LoRA on lm_head) cannot make the two head applications differ.
    head_was_training = head.training
    head.eval()
    try:
        with torch.no_grad():
            captured = _capture_output(decoder)
            try:
                logits = model(input_ids=input_ids[:1, :16]).logits
            finally:
                captured.remove()
            rebuilt = head(captured.hidden)
    finally:
        head.train(head_was_training)
    if not torch.allclose(logits.float(), rebuilt.float(), rtol=1e-3, atol=1e-3):
        raise ConfigError(f"training.loss=chunked: {name} changes its logits after the output head (soft-capping or "
                          "scaling, as Gemma 2, Cohere or Granite do), which the chunked loss does not reproduce; "
                          "use training.loss=default for this model")


class _capture_output:
    """Forward hook keeping a module's last output (its first element: the final hidden states of a decoder)."""

    def __init__(self, module) -> None:
        self.hidden = None
        self.handle = module.register_forward_hook(self._hook)

    def _hook(self, module, args, output):
        self.hidden = output.last_hidden_state if hasattr(output, "last_hidden_state") else output[0]

    def remove(self) -> None:
        self.handle.remove()


def causal_lm_chunked_loss(model, inputs: dict[str, Any], chunk_size: int, num_items_in_batch=None,
                           unwrapped=None):
    """The causal-LM loss of `model` on a batch, computed by `chunked_cross_entropy`.

    The forward pass goes through `model` itself (so wrappers such as DDP see it) asking for no logits
    (`logits_to_keep` = no position); a hook on the decoder takes the final hidden states, and the output head is
    applied chunk by chunk. `unwrapped` is the model under any distributed wrapper (default: `model`)."""
    import torch

    base = _base_model(unwrapped if unwrapped is not None else model)
    inputs = dict(inputs)
    labels = inputs.pop("labels")
    shift_labels = inputs.pop("shift_labels", None)
    captured = _capture_output(base.get_decoder())
    try:
        model(**inputs, use_cache=False, logits_to_keep=torch.zeros(0, dtype=torch.long, device=labels.device))
    finally:
        captured.remove()
    head = base.get_output_embeddings()
    if shift_labels is not None:
        return chunked_cross_entropy(captured.hidden, head, shift_labels, chunk_size,
                                     num_items_in_batch=num_items_in_batch, shift=False)
    return chunked_cross_entropy(captured.hidden, head, labels, chunk_size, num_items_in_batch=num_items_in_batch)


# ---------------------------------------------------------------------------------------------------------------
# Trainer wiring
# ---------------------------------------------------------------------------------------------------------------


class ChunkedLossMixin:
    """Mixed into a transformers Trainer class: the training loss is computed by `causal_lm_chunked_loss`,
    normalised exactly as the Trainer's default path does. Evaluation keeps the default loss (no gradients are
    kept there, so the full logits of one batch are short-lived)."""

    loss_chunk_size = 1024
    _chunked_loss_checked = False

    def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
        if return_outputs or "labels" not in inputs or not model.training:
            return super().compute_loss(model, inputs, return_outputs=return_outputs,
                                        num_items_in_batch=num_items_in_batch)
        unwrapped = self.accelerator.unwrap_model(model)
        if not self._chunked_loss_checked:
            check_chunked_loss_supported(unwrapped, inputs["input_ids"])
            self._chunked_loss_checked = True
        # The default path hands num_items_in_batch to the model only when it takes loss kwargs (causal LMs do).
        items = num_items_in_batch if self.model_accepts_loss_kwargs else None
        loss = causal_lm_chunked_loss(model, inputs, self.loss_chunk_size, items, unwrapped=unwrapped)
        if self.args.average_tokens_across_devices and self.model_accepts_loss_kwargs and \
                num_items_in_batch is not None:
            loss_scale = self.accelerator.num_processes // self.get_tp_size()
            loss = loss * (loss_scale if self.args.n_gpu <= 1 else self.args.n_gpu)
        return loss


def trainer_class_for_loss(trainer_cls: type, training) -> type:
    """`trainer_cls` as is for `training.loss: default`; for `chunked`, a subclass computing the chunked loss
    over `training.loss_chunk_size` tokens at a time."""
    if training.loss == "default":
        return trainer_cls
    return type(f"Chunked{trainer_cls.__name__}", (ChunkedLossMixin, trainer_cls),
                {"loss_chunk_size": training.loss_chunk_size})
