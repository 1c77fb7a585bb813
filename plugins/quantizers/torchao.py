"""torchao quantized loading: int8 weight-only (trains LoRA on CPU and CUDA) and int4 weight-only (CUDA kernels
only; refused on CPU with the reason measured there)."""

from dataclasses import dataclass
from typing import Literal, Optional

from tuneforge.core import ConfigError, Quantizer, hookimpl

REQUIRES = ("torchao",)

# What torchao 0.18 does with int4 weight-only on a CPU-only torch (measured, see ENVIRONMENT.md section 5).
INT4_ON_CPU = {
    "tile_packed_to_4d": "AssertionError: Torch not compiled with CUDA enabled",
    "plain": "ImportError: Requires mslk >= 1.0.0 (the package index only has a 0.0.0 placeholder)",
    "plain_int32": "NotImplementedError: Int4PlainInt32Tensor does not support device 'cpu' yet",
}


@dataclass(frozen=True)
class Int8Options:
    """group_size: None scales each output row (per channel); a number scales each group of that many weights."""

    group_size: Optional[int] = None

    def __post_init__(self) -> None:
        if self.group_size is not None and self.group_size <= 0:
            raise ValueError(f"`group_size` must be a positive number of weights, got {self.group_size}")

    def weight_bytes(self, in_features: int, out_features: int, dtype_bytes: int) -> float:
        """int8 weights plus scales in the weights' dtype: one per row, or one per group."""
        scales = out_features if self.group_size is None else in_features * out_features / self.group_size
        return in_features * out_features + scales * dtype_bytes


@dataclass(frozen=True)
class Int4Options:
    """group_size: weights per scale/zero-point pair; packing_format: torchao's int4 layout (`tile_packed_to_4d` is
    the CUDA tinygemm kernel layout)."""

    group_size: Literal[32, 64, 128, 256] = 128
    packing_format: Literal["tile_packed_to_4d", "plain", "plain_int32"] = "tile_packed_to_4d"

    def weight_bytes(self, in_features: int, out_features: int, dtype_bytes: int) -> float:
        """Packed 4-bit weights plus a bfloat16 scale and zero point per group."""
        numel = in_features * out_features
        return numel / 2 + numel / self.group_size * 2 * 2


def build_int8(options: Int8Options):
    from torchao.quantization import Int8WeightOnlyConfig, PerGroup, PerRow
    from transformers import TorchAoConfig

    granularity = PerRow() if options.group_size is None else PerGroup(options.group_size)
    return TorchAoConfig(Int8WeightOnlyConfig(granularity=granularity))


def build_int4(options: Int4Options):
    import torch

    if not torch.cuda.is_available():
        raise ConfigError(
            f"model.quantization method 'torchao-int4' needs a CUDA GPU: torchao's int4 weight-only kernels have no "
            f"CPU implementation here (packing_format {options.packing_format!r} fails with "
            f"`{INT4_ON_CPU[options.packing_format]}`). On CPU use `torchao-int8` or `bnb-4bit`.")
    from torchao.quantization import Int4WeightOnlyConfig
    from transformers import TorchAoConfig

    return TorchAoConfig(Int4WeightOnlyConfig(group_size=options.group_size,
                                              int4_packing_format=options.packing_format))


TORCHAO_INT8 = Quantizer(
    name="torchao-int8", build_config=build_int8, options=Int8Options, requires=REQUIRES,
    description="torchao int8 weight-only (per-row or per-group scales); LoRA trains on it on CPU and CUDA.")
TORCHAO_INT4 = Quantizer(
    name="torchao-int4", build_config=build_int4, options=Int4Options, requires=REQUIRES,
    description="torchao int4 weight-only; CUDA only (no CPU kernels), and only where transformers can train it.")


@hookimpl
def register_quantizers(register):
    register(TORCHAO_INT8)
    register(TORCHAO_INT4)
