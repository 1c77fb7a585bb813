"""SimPO: reference-free preference optimisation; the reward is the length-normalised log-probability of an answer,
and the chosen answer must beat the rejected one by a margin."""

from dataclasses import dataclass

from tuneforge.core import TrainingStage, hookimpl
from tuneforge.core.preference import check_positive
from tuneforge.core.stage_data import encode_preference


@dataclass(frozen=True)
class SimpoOptions:
    """beta: reward scale (the paper uses 2 to 10); gamma: target reward margin (gamma / beta about 0.5 in the
    paper); sft_weight: weight of an added NLL loss on the chosen answers (CPO-SimPO); disable_dropout."""

    beta: float = 2.0
    gamma: float = 1.0
    sft_weight: float = 0.0
    disable_dropout: bool = True

    def __post_init__(self) -> None:
        check_positive("beta", self.beta)
        if self.gamma < 0:
            raise ValueError(f"`gamma` (the reward margin) must be >= 0, got {self.gamma}")
        if self.sft_weight < 0:
            raise ValueError(f"`sft_weight` must be >= 0, got {self.sft_weight}")


def build_simpo_trainer(context):
    from tuneforge.core.preference import SimpoObjective, build_preference_trainer

    options = context.options or SimpoOptions()
    objective = SimpoObjective(beta=options.beta, gamma=options.gamma, sft_weight=options.sft_weight)
    return build_preference_trainer(context, objective, dropout_off=options.disable_dropout)


SIMPO = TrainingStage(name="simpo", build_trainer=build_simpo_trainer, needs=("preference",), head="causal_lm",
                      options=SimpoOptions, encode=encode_preference,
                      description="Simple preference optimisation: length-normalised, reference-free, with a margin.")


@hookimpl
def register_stages(register):
    register(SIMPO)
