"""QLoRA: LoRA adapters on a quantized base model (set `model.quantization`, e.g. `method: bnb-4bit`)."""

from dataclasses import dataclass

from tuneforge.core import AdapterMethod, ConfigError, hookimpl
from tuneforge.core.adapters import LoraOptions, attach_lora, loraplus_optimizer, say


@dataclass(frozen=True)
class QloraOptions(LoraOptions):
    """The LoRA options; PiSSA initialisation needs full-precision weights, so it is not offered here."""

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.pissa:
            raise ValueError("`init: pissa` needs full-precision base weights to decompose; qlora's base is already "
                             "quantized. Use `init: default` (or the lora method on an unquantized base)")


def is_quantized(model) -> bool:
    return bool(getattr(model, "is_quantized", False)) or getattr(model, "hf_quantizer", None) is not None


def prepare_qlora(model, options: QloraOptions, run):
    if not is_quantized(model):
        raise ConfigError("qlora needs a quantized base: set model.quantization (e.g. method: bnb-4bit)")
    from peft import prepare_model_for_kbit_training

    model = prepare_model_for_kbit_training(
        model, use_gradient_checkpointing=run.config.training.activation_checkpointing,
        gradient_checkpointing_kwargs={"use_reentrant": False})
    model = attach_lora(model, options, run)
    method = getattr(model.base_model.model, "quantization_method", "?")
    say(f"qlora: r {options.r}, alpha {options.alpha} on a {getattr(method, 'value', method)}-quantized base")
    return model


QLORA = AdapterMethod(
    name="qlora", prepare=prepare_qlora, options=QloraOptions, optimizer=loraplus_optimizer,
    description="LoRA on a quantized base (model.quantization); the base stays quantized and frozen.")


@hookimpl
def register_adapters(register):
    register(QLORA)
