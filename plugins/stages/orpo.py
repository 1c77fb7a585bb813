"""ORPO: supervised fine-tuning on the chosen answer plus an odds-ratio penalty on the rejected one, in one stage
and without a reference model."""

from dataclasses import dataclass

from tuneforge.core import TrainingStage, hookimpl
from tuneforge.core.preference import check_positive
from tuneforge.core.stage_data import encode_preference


@dataclass(frozen=True)
class OrpoOptions:
    """beta: weight of the odds-ratio term against the SFT loss (the paper's lambda); disable_dropout."""

    beta: float = 0.1
    disable_dropout: bool = True

    def __post_init__(self) -> None:
        check_positive("beta", self.beta)


def build_orpo_trainer(context):
    from tuneforge.core.preference import OrpoObjective, build_preference_trainer

    options = context.options or OrpoOptions()
    return build_preference_trainer(context, OrpoObjective(beta=options.beta), dropout_off=options.disable_dropout)


ORPO = TrainingStage(name="orpo", build_trainer=build_orpo_trainer, needs=("preference",), head="causal_lm",
                     options=OrpoOptions, encode=encode_preference,
                     description="Odds-ratio preference optimisation: SFT loss plus an odds-ratio term, no reference.")


@hookimpl
def register_stages(register):
    register(ORPO)
