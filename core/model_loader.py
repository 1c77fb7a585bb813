"""Step 3 of a run: config -> tokenizer -> weights -> lifecycle hooks -> adapter method -> parameter report.

Also where the computation options that act on the model live: quantized loading (`model.quantization`), RoPE
scaling, the attention implementation, weight dtype and the Liger kernels check."""

from __future__ import annotations

import importlib.util
import os
import warnings
from dataclasses import dataclass
from typing import Any, Optional

from tuneforge.core.errors import ConfigError, ModelError
from tuneforge.core.report import say


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
        # bitsandbytes packs two 4-bit weights per byte; count the weights, not the bytes holding them.
        quant_state = getattr(parameter, "quant_state", None)
        count = quant_state.shape.numel() if getattr(quant_state, "shape", None) is not None else parameter.numel()
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


def flash_attention_unavailable() -> Optional[str]:
    """Why flash-attention 2 cannot run here, or None when it can (package installed, CUDA GPU of Ampere or newer)."""
    if importlib.util.find_spec("flash_attn") is None:
        return "the flash-attn package is not installed (pip install flash-attn)"
    if device_kind() != "cuda":
        return "it needs a CUDA GPU and this machine has none"
    import torch

    major, minor = torch.cuda.get_device_capability()
    if major < 8:
        return f"it needs an Ampere or newer GPU (compute capability 8.0+), this one is {major}.{minor}"
    return None


def attention_implementation(setting: str, family) -> Optional[str]:
    """`auto` picks flash-attention 2 when installed, on a CUDA GPU that runs it, for a family that supports it;
    else sdpa; else eager. With no family (an architecture no plugin describes) `auto` is None: transformers then
    picks what that model class supports (some, like GPT-Neo, have no sdpa path).
    An explicit `flash_attention_2` that cannot run here is a ConfigError saying why."""
    if setting == "flash_attention_2":
        reason = flash_attention_unavailable()
        if reason:
            raise ConfigError(f"model.attn_implementation=flash_attention_2 cannot be used: {reason}. "
                              "Use `auto` (picks the best available) or `sdpa`")
    if setting != "auto":
        return setting
    if family is None:
        return None
    caps = family.capabilities
    if caps.flash_attention and flash_attention_unavailable() is None:
        return "flash_attention_2"
    return "sdpa" if caps.sdpa else "eager"


def liger_unavailable() -> Optional[str]:
    """Why Liger kernels cannot run here, or None. They are Triton kernels: a CUDA GPU and liger-kernel."""
    if importlib.util.find_spec("liger_kernel") is None:
        return "the liger-kernel package is not installed (pip install liger-kernel)"
    if device_kind() != "cuda":
        return "they are Triton GPU kernels and this machine has no CUDA GPU"
    return None


def check_liger(training) -> None:
    """`training.liger: true` must be able to run here; refuse before loading anything otherwise."""
    if not training.liger:
        return
    reason = liger_unavailable()
    if reason:
        raise ConfigError(f"training.liger=true cannot be used: {reason}. Set training.liger=false")
    if training.loss == "chunked":
        raise ConfigError("training.liger=true already fuses the output head with the loss (no full logits); "
                          "set training.loss=default")


# ---------------------------------------------------------------------------------------------------------------
# RoPE scaling
# ---------------------------------------------------------------------------------------------------------------

# rope_parameters keys each scaling type takes from the run's `model.rope_scaling` (besides factor).
_ROPE_KEYS = {"linear": (), "dynamic": (),
              "yarn": ("beta_fast", "beta_slow", "attention_factor"),
              "llama3": ("low_freq_factor", "high_freq_factor")}
_LLAMA3_DEFAULTS = {"low_freq_factor": 1.0, "high_freq_factor": 4.0}


def apply_rope_scaling(config, scaling) -> Optional[str]:
    """Set the transformers config's `rope_parameters` for `model.rope_scaling` and extend `max_position_embeddings`
    to factor x the original length (dynamic keeps it: NTK scaling starts beyond it). Replaces any scaling the
    checkpoint had. Returns a one-line description, or None when `scaling` is None."""
    if scaling is None:
        return None
    current = getattr(config, "rope_parameters", None)
    if not current:
        raise ConfigError(f"model.rope_scaling: this model ({config.model_type}) has no rotary position embeddings "
                          "to scale; remove model.rope_scaling")
    nested = [key for key, value in current.items() if isinstance(value, dict)]  # keyed by layer type
    original = scaling.original_max_position_embeddings or config.max_position_embeddings
    parameters = {"rope_type": scaling.type, "factor": float(scaling.factor)}
    if scaling.type in ("yarn", "llama3"):
        parameters["original_max_position_embeddings"] = original
    if scaling.type == "llama3":
        parameters.update(_LLAMA3_DEFAULTS)
    for key in _ROPE_KEYS[scaling.type]:
        if getattr(scaling, key) is not None:
            parameters[key] = float(getattr(scaling, key))
    # Per-layer-type RoPE (Gemma 3 ...): scale the global-attention types (sliding-window layers only ever see a
    # local window), keeping each one's own theta.
    global_types = [key for key in nested if "sliding" not in key] or nested
    targets = [current[key] for key in global_types] if nested else [current]
    replaced = sorted({t.get("rope_type", "default") for t in targets} - {"default"})
    for target in targets:
        theta = target.get("rope_theta")
        partial = target.get("partial_rotary_factor")
        target.clear()
        target.update(parameters)
        if theta is not None:
            target["rope_theta"] = theta
        if partial is not None:
            target["partial_rotary_factor"] = partial
    if scaling.type != "dynamic":
        config.max_position_embeddings = int(original * scaling.factor)
    if hasattr(config, "validate_rope"):
        config.validate_rope()
    note = f" (replacing the checkpoint's {', '.join(replaced)} scaling)" if replaced else ""
    return (f"rope scaling: {scaling.type} x{scaling.factor:g}, context {original} -> "
            f"{int(original * scaling.factor)}{note}")


# ---------------------------------------------------------------------------------------------------------------
# Quantized loading
# ---------------------------------------------------------------------------------------------------------------


def quantization_kwargs(run) -> dict[str, Any]:
    """`from_pretrained` keyword arguments for the run's quantizer (none without one): its transformers config,
    checked to be trainable, and a device map that puts the whole model on this process's device."""
    if run.quantizer is None:
        return {}
    quantization_config = run.quantizer.build_config(run.quantizer_options)
    from transformers.quantizers import AutoHfQuantizer

    if not AutoHfQuantizer.from_config(quantization_config).is_trainable:
        raise ConfigError(f"model.quantization method {run.quantizer.name!r}: transformers cannot train adapters on "
                          f"this quantization ({type(quantization_config).__name__}: its quantizer says it is not "
                          "trainable); pick a trainable one such as bnb-4bit, bnb-8bit or torchao-int8")
    device_map: Any = "cpu" if device_kind() == "cpu" else {"": int(os.environ.get("LOCAL_RANK", "0"))}
    return {"quantization_config": quantization_config, "device_map": device_map}


def check_quantized_training(model, run) -> None:
    """Quantized weights cannot be trained: on a quantized base the adapter method must attach trainable adapters."""
    if run.quantizer is None or hasattr(model, "peft_config"):
        return
    raise _quantized_training_error(run)


def _quantized_training_error(run, detail: str = "") -> ConfigError:
    return ConfigError(f"adapter {run.adapter.name!r} trains the base weights, but model.quantization "
                       f"({run.quantizer.name}) quantized them and quantized weights cannot be trained{detail}; use "
                       "`adapter: qlora` (LoRA on the quantized base) or remove model.quantization")


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
    """Load config and weights for the stage's head (quantized when `model.quantization` is set), run lifecycle
    hooks and attach the adapter method."""
    check_liger(run.config.training)
    from transformers import AutoConfig, AutoModelForCausalLM, AutoModelForSequenceClassification

    try:
        config = AutoConfig.from_pretrained(run.model_source, **_hub_kwargs(run))
    except (OSError, ValueError) as exc:
        raise ModelError(f"could not read the model config of {run.model_source!r}: {exc}") from exc
    rope = apply_rope_scaling(config, run.config.model.rope_scaling)
    if rope:
        say(rope)
    plugin_manager.hook.prepare_model_config(run=run, config=config)
    quantized = quantization_kwargs(run)
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
                use_safetensors=True, **quantized, **_hub_kwargs(run))
        except (OSError, ValueError) as exc:
            raise ModelError(f"could not load the weights of {run.model_source!r} (safetensors only): {exc}") from exc
    plugin_manager.hook.prepare_model(run=run, model=model)
    if run.config.training.activation_checkpointing:
        model.config.use_cache = False
    if quantized:
        say(f"quantized: {run.quantizer.name} ({type(quantized['quantization_config']).__name__})")
    try:
        model = run.adapter.prepare(model, run.adapter_options, run)
    except (RuntimeError, TypeError, ValueError) as exc:
        if run.quantizer is None or isinstance(exc, ConfigError):
            raise
        # e.g. full training asking integer weights for gradients: say what is wrong, not where it broke
        raise _quantized_training_error(run, f" (it failed on the quantized weights: {exc})") from exc
    check_quantized_training(model, run)
    return model
