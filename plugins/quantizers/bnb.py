"""bitsandbytes quantized loading: 4-bit (NF4 / FP4, optional double quantization) and 8-bit (LLM.int8), the bases
QLoRA trains adapters on. Both load and train on CPU with bitsandbytes >= 0.45 (measured: 4-bit and 8-bit LoRA)."""

from dataclasses import dataclass
from typing import Literal

from tuneforge.core import Quantizer, hookimpl

REQUIRES = ("bitsandbytes",)
BLOCK_4BIT = 64  # bitsandbytes' blocksize for 4-bit weights: one absmax per 64 weights
BLOCK_ABSMAX = 256  # double quantization: the 8-bit absmax values are quantized again in blocks of 256


@dataclass(frozen=True)
class Bnb4bitOptions:
    """quant_type: `nf4` (normal-float, the QLoRA default) or `fp4`; double_quant: quantize the per-block scales too
    (about 0.37 bits per weight saved); compute_dtype: the dtype matmuls run in, `auto` is float32 on CPU and
    bfloat16 (else float16) on a GPU."""

    quant_type: Literal["nf4", "fp4"] = "nf4"
    double_quant: bool = True
    compute_dtype: Literal["auto", "float32", "bfloat16", "float16"] = "auto"

    def weight_bytes(self, in_features: int, out_features: int, dtype_bytes: int) -> float:
        """Bytes one quantized linear weight takes: packed 4-bit values plus the block scales (for `tune estimate`)."""
        numel = in_features * out_features
        blocks = numel / BLOCK_4BIT
        scales = blocks * 1 + blocks / BLOCK_ABSMAX * 4 if self.double_quant else blocks * 4
        return numel / 2 + scales


@dataclass(frozen=True)
class Bnb8bitOptions:
    """threshold: outlier threshold of LLM.int8 (activations above it are multiplied in 16-bit); 6.0 is the paper's
    value, 0 turns the outlier decomposition off."""

    threshold: float = 6.0

    def __post_init__(self) -> None:
        if self.threshold < 0:
            raise ValueError(f"`threshold` must be >= 0, got {self.threshold}")

    def weight_bytes(self, in_features: int, out_features: int, dtype_bytes: int) -> float:
        """int8 weights plus one float32 scale per output row."""
        return in_features * out_features + out_features * 4


def _compute_dtype(setting: str):
    from tuneforge.core.model_loader import weights_dtype

    return weights_dtype(setting)


def build_4bit(options: Bnb4bitOptions):
    from transformers import BitsAndBytesConfig

    return BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type=options.quant_type,
                              bnb_4bit_use_double_quant=options.double_quant,
                              bnb_4bit_compute_dtype=_compute_dtype(options.compute_dtype))


def build_8bit(options: Bnb8bitOptions):
    from transformers import BitsAndBytesConfig

    return BitsAndBytesConfig(load_in_8bit=True, llm_int8_threshold=options.threshold)


BNB_4BIT = Quantizer(
    name="bnb-4bit", build_config=build_4bit, options=Bnb4bitOptions, requires=REQUIRES,
    description="bitsandbytes 4-bit (NF4/FP4, double quantization): the QLoRA base; works on CPU and CUDA.")
BNB_8BIT = Quantizer(
    name="bnb-8bit", build_config=build_8bit, options=Bnb8bitOptions, requires=REQUIRES,
    description="bitsandbytes 8-bit (LLM.int8 with outlier threshold); works on CPU and CUDA.")


@hookimpl
def register_quantizers(register):
    register(BNB_4BIT)
    register(BNB_8BIT)


@hookimpl
def prepare_model(run, model):
    """Keep 4-bit weights in their training layout on CPU. bitsandbytes 0.50 repacks them for its CPU inference
    kernel at the first eval-mode forward (an evaluation during training), which fails for layers whose input width
    is not a multiple of 64 (`shape '[128, 5]' is invalid for input of size 704` on tiny-llama) and would change the
    layout the adapters train against."""
    quantizer = getattr(run, "quantizer", None)
    if quantizer is None or quantizer.name != BNB_4BIT.name:
        return
    for module in model.modules():
        if hasattr(module, "support_avx512bf16_for_cpu"):
            module.support_avx512bf16_for_cpu = False
