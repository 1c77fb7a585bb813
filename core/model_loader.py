"""Step 3 of a run: config -> tokenizer -> weights -> lifecycle hooks -> adapter method -> parameter report."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

from tuneforge.core.errors import ModelError


@dataclass(frozen=True)
class ParameterReport:
    trainable: int
    total: int

    @property
    def share(self) -> float:
        return self.trainable / self.total if self.total else 0.0

    def __str__(self) -> str:
        return f"trainable parameters: {self.trainable:,} of {self.total:,} ({100 * self.share:.3f}%)"


def parameter_report(model) -> ParameterReport:
    trainable = total = 0
    for parameter in model.parameters():
        count = parameter.numel()
        total += count
        if parameter.requires_grad:
            trainable += count
    return ParameterReport(trainable, total)


def device_kind() -> str:
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def weights_dtype(setting: str):
    """`auto`: float32 on CPU (bf16 runs slower there), bfloat16 on a GPU that supports it, else float16."""
    import torch

    if setting != "auto":
        return getattr(torch, setting)
    if device_kind() == "cuda":
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    return torch.float32


def attention_implementation(setting: str, family) -> str:
    """`auto` picks flash-attention 2 on a GPU when installed and supported, else sdpa, else eager."""
    if setting != "auto":
        return setting
    caps = family.capabilities if family is not None else None
    if caps is not None and caps.flash_attention and device_kind() == "cuda":
        import importlib.util

        if importlib.util.find_spec("flash_attn") is not None:
            return "flash_attention_2"
    return "sdpa" if caps is None or caps.sdpa else "eager"


def _hub_kwargs(run) -> dict[str, Any]:
    return {"trust_remote_code": run.config.model.trust_remote_code, "revision": run.config.model.revision}


def load_tokenizer(run, plugin_manager):
    """The model's tokenizer, with a pad token, after the `prepare_tokenizer` hooks (template not checked yet)."""
    from transformers import AutoTokenizer

    try:
        tokenizer = AutoTokenizer.from_pretrained(run.model_source, **_hub_kwargs(run))
    except (OSError, ValueError) as exc:
        raise ModelError(f"could not load the tokenizer of {run.model_source!r}: {exc}") from exc
    if tokenizer.pad_token is None:
        # Padding positions are masked out of the loss and attention, so reusing eos is safe.
        tokenizer.pad_token = tokenizer.eos_token
    tokenizer.padding_side = "right"
    plugin_manager.hook.prepare_tokenizer(run=run, tokenizer=tokenizer)
    return tokenizer


def check_template_fits(run, tokenizer) -> None:
    """The template's special tokens must be in the tokenizer's vocabulary, or the template is not this model's."""
    from tuneforge.core.templates import special_tokens

    vocab = tokenizer.get_vocab()
    missing = [token for token in special_tokens(run.template) if token not in vocab]
    if missing:
        raise ModelError(
            f"template '{run.template.name}' uses special tokens the tokenizer of {run.model_source!r} lacks: "
            f"{', '.join(missing)}. This template does not belong to this model; pick the model's own template "
            "(`template: auto`) or one whose tokens it has.")


def load_model(run, plugin_manager):
    """Load config and weights for the stage's head, run lifecycle hooks and attach the adapter method."""
    from transformers import AutoConfig, AutoModelForCausalLM, AutoModelForSequenceClassification

    try:
        config = AutoConfig.from_pretrained(run.model_source, **_hub_kwargs(run))
    except (OSError, ValueError) as exc:
        raise ModelError(f"could not read the model config of {run.model_source!r}: {exc}") from exc
    plugin_manager.hook.prepare_model_config(run=run, config=config)
    auto_class = AutoModelForSequenceClassification if run.stage.head == "sequence_classification" \
        else AutoModelForCausalLM
    if run.stage.head == "sequence_classification":
        config.num_labels = 1
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*torch_dtype.*deprecated.*")
        try:
            model = auto_class.from_pretrained(
                run.model_source, config=config, dtype=weights_dtype(run.config.model.dtype),
                attn_implementation=attention_implementation(run.config.model.attn_implementation, run.family),
                use_safetensors=True, **_hub_kwargs(run))
        except (OSError, ValueError) as exc:
            raise ModelError(f"could not load the weights of {run.model_source!r} (safetensors only): {exc}") from exc
    plugin_manager.hook.prepare_model(run=run, model=model)
    if run.config.training.activation_checkpointing:
        model.config.use_cache = False
    model = run.adapter.prepare(model, run.adapter_options, run)
    return model
