"""`tune estimate`: predicted peak training memory and trainable parameters of a run configuration, from the model's
config alone (no weights are read).

The model is instantiated on PyTorch's `meta` device (shapes, no storage) and the run's adapter method is applied to
it, so parameter counts and the trainable set are exact for any architecture and adapter. Memory is then counted in
parts:

- weights: every parameter at its dtype; linear weights the quantizer converts at its packed size (its options'
  `weight_bytes(in_features, out_features, dtype_bytes)`, scales included);
- gradients: one per trainable parameter, in its dtype;
- optimizer states: AdamW and most others keep 2 states per trainable parameter (8-bit optimizers 1 byte each,
  Adafactor factored row/column statistics, SGD none);
- activations: what autograd keeps for the backward pass, counted per token and decoder layer from the config's
  sizes (measured for Llama-style blocks, see `ACTIVATION_NOTES`); with activation checkpointing only each
  layer's input plus one recomputed layer;
- logits: the output head's float32 logits and the two gradient buffers of the loss's backward pass
  (3 x tokens x vocab x 4 bytes), or one chunk's worth with `training.loss: chunked`.

Every row is assumed to be `data.cutoff_len` tokens long (the worst case of padding; packing fills rows).
The peak is weights + optimizer states + the larger of (activations + logits) at the start of the backward pass and
the gradients at its end; see `Estimate.parts` for the figures and `Estimate.assumptions` for what was assumed.
"""

from __future__ import annotations

import contextlib
import io
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from tuneforge.core.errors import ConfigError, ModelError

ACTIVATION_NOTES = (
    "per token and decoder layer autograd keeps about 5h + 3q + 2kv + 4i + heads values (h hidden, q and kv the "
    "query and key/value widths, i the MLP width; measured with saved-tensor hooks on Llama blocks with sdpa); "
    "eager attention adds heads x seq + 2(q - kv), sdpa with a padding mask on CPU adds 2 x seq float32 values")

CPU_ALLOCATOR_NOTE = (
    "tensors only: on CPU, glibc's default malloc keeps freed activation buffers in its heap, and peak RSS measured "
    "20-95% above this on small runs; with MALLOC_MMAP_THRESHOLD_=131072 in the environment it stayed within 16%")

# Llama-shaped stand-ins for a registry variant whose config.json cannot be read offline: (billions of parameters,
# hidden, layers, intermediate, heads, kv heads, vocabulary), the nearest by size is used and reported.
ASSUMED_SHAPES = (
    (0.5, 896, 24, 4864, 14, 2, 151936),
    (1.5, 1536, 28, 8960, 12, 2, 151936),
    (3.0, 3072, 28, 8192, 24, 8, 128256),
    (8.0, 4096, 32, 14336, 32, 8, 128256),
    (14.0, 5120, 48, 13824, 40, 8, 152064),
    (32.0, 5120, 64, 27648, 40, 8, 152064),
    (70.0, 8192, 80, 28672, 64, 8, 128256),
)


@dataclass(frozen=True)
class Part:
    name: str
    bytes: int
    detail: str


@dataclass(frozen=True)
class Estimate:
    """The prediction for one run configuration."""

    model: str
    config_source: str
    device: str
    weights_dtype: str
    precision: str
    batch_size: int
    sequence_length: int
    activation_checkpointing: bool
    attention: str
    loss: str
    quantizer: Optional[str]
    adapter: str
    total_parameters: int
    trainable_parameters: int
    parts: tuple[Part, ...]
    peak_bytes: int
    assumptions: tuple[str, ...] = field(default_factory=tuple)

    def part(self, name: str) -> int:
        return next(p.bytes for p in self.parts if p.name == name)

    @property
    def training_bytes(self) -> int:
        """What training adds to a process that already holds the weights (the peak minus the weights)."""
        return self.peak_bytes - self.part("weights")

    @property
    def trainable_share(self) -> float:
        return self.trainable_parameters / self.total_parameters if self.total_parameters else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model, "config_source": self.config_source, "device": self.device,
            "weights_dtype": self.weights_dtype, "precision": self.precision, "batch_size": self.batch_size,
            "sequence_length": self.sequence_length, "activation_checkpointing": self.activation_checkpointing,
            "attention": self.attention, "loss": self.loss, "quantizer": self.quantizer, "adapter": self.adapter,
            "total_parameters": self.total_parameters, "trainable_parameters": self.trainable_parameters,
            "trainable_share": self.trainable_share,
            "parts": {p.name: {"bytes": p.bytes, "detail": p.detail} for p in self.parts},
            "peak_bytes": self.peak_bytes, "training_bytes": self.training_bytes,
            "assumptions": list(self.assumptions),
        }


# ---------------------------------------------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------------------------------------------


def estimate_run(loaded, catalog, device: str = "auto") -> Estimate:
    """Estimate the peak memory of training `loaded` (a `LoadedConfig`) on `device` (`auto`: this machine)."""
    from tuneforge.core.config import validate_options
    from tuneforge.core.model_loader import device_kind
    from tuneforge.core.resolve import ResolvedRun, resolve_model, resolve_quantizer

    config = loaded.config
    device = device_kind() if device == "auto" else device
    if device not in ("cpu", "cuda"):
        raise ConfigError(f"device must be auto, cpu or cuda, got {device!r}")
    assumptions: list[str] = []
    family, variant, source, _ = resolve_model(config.model.name, catalog)
    hf_config, config_source = model_config(config, family, variant, source, assumptions)
    if config_source.startswith("assumed") and family is not None and family.lora_targets:
        import dataclasses

        # The stand-in has Llama's layer names, not necessarily the family's: adapt every linear layer.
        family = dataclasses.replace(family, lora_targets=())

    adapter_entry = catalog.get("adapter", config.adapter.method)
    adapter_options = validate_options(adapter_entry.spec.options, config.adapter.options(), "adapter")
    stage_entry = catalog.get("stage", config.stage.name)
    stage_options = validate_options(stage_entry.spec.options, config.stage.options(), "stage")
    quantizer, quantizer_options = resolve_quantizer(config, family, catalog, check_installed=False)
    run = ResolvedRun(config=config, config_path=loaded.path, family=family, variant=variant,
                      model_source=source or config.model.name, template=None, adapter=adapter_entry.spec,
                      adapter_options=adapter_options, stage=stage_entry.spec, stage_options=stage_options,
                      datasets=(), plugins=(), quantizer=quantizer, quantizer_options=quantizer_options)

    dtype_name = _weights_dtype_name(config.model.dtype, device)
    precision = _precision(config.training.precision, device)
    model, quantizable = meta_model(hf_config, run, dtype_name)
    model = _prepare_adapter(model, run, assumptions)
    return _count(run, hf_config, model, quantizable, device, dtype_name, precision, config_source, assumptions)


def _weights_dtype_name(setting: str, device: str) -> str:
    if setting != "auto":
        return setting
    return "bfloat16" if device == "cuda" else "float32"  # a GPU without bf16 would load float16: same size


def _precision(setting: str, device: str) -> str:
    if setting != "auto":
        return setting
    return "bf16" if device == "cuda" else "fp32"


# ---------------------------------------------------------------------------------------------------------------
# The model's config and a storage-free instance of it
# ---------------------------------------------------------------------------------------------------------------


def model_config(config, family, variant, source: Optional[str], assumptions: list[str]):
    """The transformers config of the run's model and where it came from: a local folder's config.json; a built
    variant's cached folder (else the family's tiny_config, which its builder uses); a hub variant's config.json
    (the cached copy, or downloaded alone when online); else a Llama-shaped stand-in of the variant's size."""
    from transformers import AutoConfig

    hub = {"trust_remote_code": config.model.trust_remote_code, "revision": config.model.revision}
    if source is not None and Path(source).is_dir():
        return AutoConfig.from_pretrained(source, **hub), str(Path(source) / "config.json")
    if variant is not None and variant.hub_id is None:
        from tuneforge.core.resolve import cache_dir

        built = sorted((cache_dir() / "models").glob(f"{variant.name}-*/config.json"),
                       key=lambda p: p.stat().st_mtime)
        if built:
            return AutoConfig.from_pretrained(built[-1].parent), str(built[-1])
        assumptions.append(f"{variant.name} is built locally and not built yet: its family's tiny_config (what the "
                           "builder uses) gives the shapes, with the tokenizer's vocabulary assumed equal to it")
        tiny = AutoConfig.for_model(family.architecture, **dict(family.tiny_config))
        return tiny, f"family {family.name} tiny_config"
    hub_id = variant.hub_id if variant is not None else source
    try:
        return AutoConfig.from_pretrained(hub_id, **hub), f"{hub_id} config.json"
    except (OSError, ValueError) as exc:
        if variant is None:
            raise ModelError(f"could not read the config of {hub_id!r} ({exc}); `tune estimate` needs its "
                             "config.json (a local folder, the hub cache, or network access for that one file)") \
                from exc
        return _assumed_config(variant, assumptions), f"assumed shape for {variant.params:g}B parameters"


def _assumed_config(variant, assumptions: list[str]):
    from transformers import LlamaConfig

    params, hidden, layers, inter, heads, kv, vocab = min(
        ASSUMED_SHAPES, key=lambda row: abs(math.log(row[0] / variant.params)))
    assumptions.append(f"no config.json for {variant.hub_id} offline: assumed a Llama-shaped {params:g}B model "
                       f"(hidden {hidden}, {layers} layers, MLP {inter}, {heads} heads, {kv} kv heads, vocabulary "
                       f"{vocab}); run once online (downloads config.json only) for the real shape")
    return LlamaConfig(vocab_size=vocab, hidden_size=hidden, intermediate_size=inter, num_hidden_layers=layers,
                       num_attention_heads=heads, num_key_value_heads=kv, tie_word_embeddings=False)


def meta_model(hf_config, run, dtype_name: str):
    """(model on the meta device, ids of the linear weights a quantizer converts: all but the head's)."""
    import torch
    from transformers import AutoModelForCausalLM, AutoModelForSequenceClassification

    if run.stage.head == "sequence_classification":
        hf_config.num_labels = 1
        auto_class = AutoModelForSequenceClassification
    else:
        auto_class = AutoModelForCausalLM
    with torch.device("meta"):
        model = auto_class.from_config(hf_config, dtype=getattr(torch, dtype_name),
                                       trust_remote_code=run.config.model.trust_remote_code)
    head = model.get_output_embeddings() if run.stage.head == "causal_lm" else None
    excluded = {id(p) for p in (head.parameters() if head is not None else ())}
    excluded |= {id(p) for p in model.get_input_embeddings().parameters()}  # tied heads share the embedding
    quantizable = {id(module.weight) for module in model.modules()
                   if isinstance(module, torch.nn.Linear) and id(module.weight) not in excluded}
    return model, quantizable


def _prepare_adapter(model, run, assumptions: list[str]):
    """The adapter method applied to the meta model (its report lines silenced). A LoRA-style method that refuses a
    meta model (qlora wants a really quantized base; PiSSA an SVD of real weights) is counted as plain LoRA with
    its options: the same trainable parameters."""
    sink = io.StringIO()
    with contextlib.redirect_stderr(sink), contextlib.redirect_stdout(sink):
        try:
            return run.adapter.prepare(model, run.adapter_options, run)
        except Exception as exc:
            options = run.adapter_options
            if not (hasattr(options, "r") and hasattr(options, "targets")):
                raise ConfigError(f"tune estimate could not apply adapter {run.adapter.name!r} to a storage-free "
                                  f"model to count its parameters: {exc}") from exc
            import dataclasses

            from tuneforge.core.adapters import attach_lora

            if getattr(options, "init", "default") != "default":
                options = dataclasses.replace(options, init="default")
            assumptions.append(f"adapter {run.adapter.name!r} cannot be applied to a storage-free model "
                               f"({type(exc).__name__}); counted as LoRA with the same rank and targets")
            return attach_lora(model, options, run)


# ---------------------------------------------------------------------------------------------------------------
# Counting
# ---------------------------------------------------------------------------------------------------------------


def _dims(hf_config) -> dict[str, int]:
    text = hf_config.get_text_config() if hasattr(hf_config, "get_text_config") else hf_config
    hidden = text.hidden_size
    heads = text.num_attention_heads
    head_dim = getattr(text, "head_dim", None) or hidden // heads
    kv_heads = getattr(text, "num_key_value_heads", None) or heads
    inter = getattr(text, "intermediate_size", None) or 4 * hidden
    experts_per_token = getattr(text, "num_experts_per_tok", None)
    moe_inter = getattr(text, "moe_intermediate_size", None)
    if experts_per_token and moe_inter:
        shared = getattr(text, "n_shared_experts", None) or getattr(text, "num_shared_experts", None) or 0
        inter = moe_inter * (experts_per_token + shared)
    return {"hidden": hidden, "heads": heads, "q": heads * head_dim, "kv": kv_heads * head_dim,
            "inter": inter, "layers": text.num_hidden_layers, "vocab": text.vocab_size}


def activation_values_per_token_layer(dims: dict[str, int], attention: str, seq: int, padded: bool) -> tuple[int, int]:
    """(values in the activation dtype, float32 values) autograd keeps per token per decoder layer."""
    h, q, kv, i, heads = dims["hidden"], dims["q"], dims["kv"], dims["inter"], dims["heads"]
    values = 5 * h + 3 * q + 2 * kv + 4 * i + heads
    fp32 = 0
    if attention == "eager":
        values += heads * seq + 2 * (q - kv)
    elif attention == "sdpa" and padded:
        fp32 += 2 * seq
    return values, fp32


def optimizer_state_bytes(optim: str, trainable: list[Any]) -> tuple[int, str]:
    name = optim.lower()
    if "8bit" in name:
        return sum(p.numel() for p in trainable) * 2, "2 8-bit states per trainable parameter"
    if "4bit" in name:
        return sum(p.numel() for p in trainable), "2 4-bit states per trainable parameter"
    if "adafactor" in name:
        total = sum((p.shape[0] + p.shape[1]) * 4 if p.ndim == 2 else p.numel() * 4 for p in trainable)
        return total, "factored row and column statistics (float32)"
    if name.startswith("sgd"):
        return 0, "none (plain SGD)"
    if "lion" in name:
        return sum(p.numel() * p.element_size() for p in trainable), "1 state per trainable parameter"
    return sum(2 * p.numel() * p.element_size() for p in trainable), "2 states per trainable parameter (AdamW)"


def _count(run, hf_config, model, quantizable: set[int], device: str, dtype_name: str, precision: str,
           config_source: str, assumptions: list[str]) -> Estimate:
    import torch

    config = run.config
    training = config.training
    dims = _dims(hf_config)
    batch, seq = training.batch_size, config.data.cutoff_len
    tokens = batch * seq

    # Weights: every parameter once (tied weights share storage), quantized linear weights at their packed size.
    weight_bytes = 0.0
    params = {id(p): p for p in model.parameters()}
    quantized = run.quantizer is not None
    packs = getattr(run.quantizer_options, "weight_bytes", None)
    if quantized and packs is None:
        assumptions.append(f"quantizer {run.quantizer.name!r} does not say how large its weights are "
                           "(options.weight_bytes): counted unquantized")
    modules = {id(m.weight): m for m in model.modules() if isinstance(m, torch.nn.Linear)}
    for key, parameter in params.items():
        size = parameter.numel() * parameter.element_size()
        if packs is not None and key in quantizable and not parameter.requires_grad:
            module = modules[key]
            size = packs(module.in_features, module.out_features, parameter.element_size())
        weight_bytes += size
    total = sum(p.numel() for p in params.values())
    trainable = [p for p in params.values() if p.requires_grad]
    trainable_count = sum(p.numel() for p in trainable)
    gradient_bytes = sum(p.numel() * p.element_size() for p in trainable)
    optimizer_bytes, optimizer_detail = optimizer_state_bytes(training.optimizer, trainable)
    if any(key in training.optimizer for key in ("galore", "lomo", "apollo", "badam")):
        assumptions.append(f"optimizer {training.optimizer} keeps less than AdamW; counted as AdamW")

    # Activations.
    attention = config.model.attn_implementation
    if attention == "auto":  # as the loader picks it; flash-attention keeps O(seq) like sdpa
        caps = run.family.capabilities if run.family is not None else None
        attention = "sdpa" if caps is None or caps.sdpa or caps.flash_attention else "eager"
    padded = batch > 1 and not config.data.packing and device == "cpu"
    act_size = 2 if precision in ("bf16", "fp16") or dtype_name in ("bfloat16", "float16") else 4
    values, fp32_values = activation_values_per_token_layer(dims, attention, seq, padded)
    # Each LoRA-adapted linear layer also keeps its rank-r intermediate.
    values += sum(getattr(m, "r", {}).get("default", 0) for m in model.modules() if hasattr(m, "lora_A")) \
        // max(dims["layers"], 1)
    per_layer = tokens * (values * act_size + fp32_values * 4)
    outside = tokens * 4 * dims["hidden"] * act_size  # embedding output and final norm
    if training.activation_checkpointing:
        activation_bytes = dims["layers"] * tokens * dims["hidden"] * act_size + per_layer + outside
        activation_detail = (f"{dims['layers']} layer inputs kept + 1 layer recomputed, {tokens} tokens")
    else:
        activation_bytes = dims["layers"] * per_layer + outside
        activation_detail = f"{dims['layers']} layers x {tokens} tokens ({attention} attention)"

    # Logits of the causal-LM head: float32 logits, and the loss gradient buffers.
    if run.stage.head == "causal_lm":
        if training.loss == "chunked":
            chunk = min(training.loss_chunk_size, tokens)
            logit_bytes = 3 * chunk * dims["vocab"] * 4 + tokens * dims["hidden"] * act_size
            logit_detail = f"one chunk of {chunk} tokens x {dims['vocab']} vocabulary (chunked loss)"
        else:
            logit_bytes = 3 * tokens * dims["vocab"] * 4
            if act_size == 2:
                logit_bytes += tokens * dims["vocab"] * 2
            logit_detail = f"{tokens} tokens x {dims['vocab']} vocabulary, float32, with its loss gradients"
    else:
        logit_bytes, logit_detail = 0, "sequence-classification head: one score per row"

    peak = weight_bytes + optimizer_bytes + max(activation_bytes + logit_bytes, gradient_bytes)
    parts = (
        Part("weights", int(weight_bytes), f"{total:,} parameters, {dtype_name}"
             + (f", linear layers {run.quantizer.name}" if quantized else "")),
        Part("gradients", int(gradient_bytes), f"{trainable_count:,} trainable parameters"),
        Part("optimizer", int(optimizer_bytes), f"{training.optimizer}: {optimizer_detail}"),
        Part("activations", int(activation_bytes), activation_detail),
        Part("logits", int(logit_bytes), logit_detail),
    )
    assumptions.append(f"every row {seq} tokens (data.cutoff_len); {ACTIVATION_NOTES}")
    assumptions.append("excludes the framework's own memory (the Python process, libraries, CUDA context)")
    if device == "cpu":
        assumptions.append(CPU_ALLOCATOR_NOTE)
    return Estimate(
        model=config.model.name, config_source=config_source, device=device, weights_dtype=dtype_name,
        precision=precision, batch_size=batch, sequence_length=seq,
        activation_checkpointing=training.activation_checkpointing, attention=attention, loss=training.loss,
        quantizer=run.quantizer.name if quantized else None, adapter=run.adapter.name, total_parameters=total,
        trainable_parameters=trainable_count, parts=parts, peak_bytes=int(peak), assumptions=tuple(assumptions))
