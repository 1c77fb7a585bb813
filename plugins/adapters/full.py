"""Full fine-tuning: every parameter of the model trains."""

from tuneforge.core import AdapterMethod, hookimpl
from tuneforge.core.adapters import say


def prepare_full(model, options, run):
    for parameter in model.parameters():
        parameter.requires_grad_(True)
    say("full: every parameter trains")
    return model


FULL = AdapterMethod(name="full", prepare=prepare_full, options=None,
                     description="Full fine-tuning: all weights train and the whole model is saved.")


@hookimpl
def register_adapters(register):
    register(FULL)
