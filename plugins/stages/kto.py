"""KTO: learn from answers marked desirable or undesirable (no pairs needed), relative to a reference model (by
default the same base with the LoRA adapter disabled)."""

from dataclasses import dataclass

from tuneforge.core import TrainingStage, hookimpl
from tuneforge.core.preference import KTO_LOSSES, REFERENCES, check_choice, check_positive
from tuneforge.core.stage_data import encode_kto


@dataclass(frozen=True)
class KtoOptions:
    """beta: strength of the pull toward the reference; desirable_weight / undesirable_weight: loss weight of each
    side (balance them so weight * count is 1 to 4/3 times larger on the desirable side); loss_type: kto or
    apo_zero_unpaired; reference: auto, adapter, precompute or copy; disable_dropout."""

    beta: float = 0.1
    desirable_weight: float = 1.0
    undesirable_weight: float = 1.0
    loss_type: str = "kto"
    reference: str = "auto"
    disable_dropout: bool = True

    def __post_init__(self) -> None:
        check_positive("beta", self.beta)
        check_positive("desirable_weight", self.desirable_weight)
        check_positive("undesirable_weight", self.undesirable_weight)
        check_choice("loss_type", self.loss_type, KTO_LOSSES)
        check_choice("reference", self.reference, REFERENCES)


def build_kto_trainer(context):
    from tuneforge.core.adapters import say
    from tuneforge.core.preference import KtoObjective, build_preference_trainer, kto_balance_hint

    options = context.options or KtoOptions()
    hint = kto_balance_hint(context.train_dataset, options.desirable_weight, options.undesirable_weight)
    if hint:
        say(f"[yellow]{hint}[/yellow]")
    objective = KtoObjective(beta=options.beta, desirable_weight=options.desirable_weight,
                             undesirable_weight=options.undesirable_weight, loss_type=options.loss_type)
    return build_preference_trainer(context, objective, options.reference, options.disable_dropout)


KTO = TrainingStage(name="kto", build_trainer=build_kto_trainer, needs=("kto",), head="causal_lm",
                    options=KtoOptions, encode=encode_kto,
                    description="Kahneman-Tversky optimisation on answers labelled desirable or undesirable.")


@hookimpl
def register_stages(register):
    register(KTO)
