"""LoRA through peft: low-rank adapters on the family's target layers (or every linear layer but the head), with the
rsLoRA, DoRA, LoRA+ and PiSSA variants as options."""

from tuneforge.core import AdapterMethod, hookimpl
from tuneforge.core.adapters import LoraOptions, attach_lora, loraplus_optimizer, say

__all__ = ["LORA", "LoraOptions"]


def prepare_lora(model, options: LoraOptions, run):
    model = attach_lora(model, options, run)
    variants = [name for name, chosen in (("rslora", options.rslora), ("dora", options.dora),
                                          (f"{options.init} init", options.pissa)) if chosen]
    if options.loraplus_ratio is not None:
        variants.append(f"lora+ (B learns {options.loraplus_ratio:g}x faster)")
    say(", ".join([f"lora: r {options.r}, alpha {options.alpha}", *variants]))
    return model


LORA = AdapterMethod(
    name="lora", prepare=prepare_lora, options=LoraOptions, optimizer=loraplus_optimizer,
    description="Low-rank adapters (peft LoRA); options switch on rsLoRA, DoRA, LoRA+ and PiSSA initialisation.")


class PissaConversion:
    """PiSSA moves the principal components out of the base weights, so the trained adapter only fits the residual
    base. This saves the adapter as first initialised (`pissa_init/`) and, after training, the equivalent plain LoRA
    adapter of rank 2r for the original base model (`pissa_converted/`), which is the one to load or merge."""

    def __init__(self, output_dir) -> None:
        from pathlib import Path

        self.output_dir = Path(output_dir)

    def on_train_begin(self, args, state, control, model=None, **kwargs):
        if state.is_world_process_zero:
            model.save_pretrained(str(self.output_dir / "pissa_init"))

    def on_train_end(self, args, state, control, model=None, **kwargs):
        import warnings

        if not state.is_world_process_zero:
            return
        with warnings.catch_warnings():
            # peft loads pissa_init beside the trained adapter to subtract it, and warns about mixing adapters.
            warnings.filterwarnings("ignore", message="PiSSA changes the base weights")
            model.save_pretrained(str(self.output_dir / "pissa_converted"),
                                  path_initial_model_for_weight_conversion=str(self.output_dir / "pissa_init"))


@hookimpl
def register_adapters(register):
    register(LORA)


@hookimpl
def trainer_callbacks(run):
    if run.adapter.name != LORA.name or not run.adapter_options.pissa:
        return None
    from tuneforge.core.training import as_trainer_callback

    return [as_trainer_callback(PissaConversion, run.config.output_dir)]
