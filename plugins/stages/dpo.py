"""Direct preference optimisation: prefer the chosen answer over the rejected one, relative to a reference model
(by default the same base with the LoRA adapter disabled, so the weights are held once)."""

from dataclasses import dataclass

from tuneforge.core import TrainingStage, hookimpl
from tuneforge.core.preference import DPO_LOSSES, REFERENCES, check_choice, check_positive
from tuneforge.core.stage_data import encode_preference


@dataclass(frozen=True)
class DpoOptions:
    """beta: strength of the pull toward the reference (smaller: further from it); loss_type: sigmoid (DPO),
    hinge, ipo, robust, exo_pair, nca_pair, bco_pair, sppo_hard, aot, aot_unpaired, apo_zero, apo_down, discopop,
    sigmoid_norm; label_smoothing: assumed share of flipped labels (sigmoid, robust, aot; exo_pair needs it > 0);
    discopop_tau: discopop's temperature; sft_weight: weight of an added NLL loss on the chosen answers (RPO);
    reference: auto, adapter (disable the adapter), precompute (log-probs before training) or copy;
    disable_dropout: turn dropout off so policy and reference agree at the start."""

    beta: float = 0.1
    loss_type: str = "sigmoid"
    label_smoothing: float = 0.0
    discopop_tau: float = 0.05
    sft_weight: float = 0.0
    reference: str = "auto"
    disable_dropout: bool = True

    def __post_init__(self) -> None:
        check_positive("beta", self.beta)
        check_choice("loss_type", self.loss_type, DPO_LOSSES)
        check_choice("reference", self.reference, REFERENCES)
        check_positive("discopop_tau", self.discopop_tau)
        if not 0.0 <= self.label_smoothing < 0.5:
            raise ValueError(f"`label_smoothing` must be in [0, 0.5), got {self.label_smoothing}")
        if self.loss_type == "exo_pair" and self.label_smoothing == 0.0:
            raise ValueError("loss_type exo_pair needs `label_smoothing` > 0 (the paper uses 1e-3)")
        if self.sft_weight < 0:
            raise ValueError(f"`sft_weight` must be >= 0, got {self.sft_weight}")


def build_dpo_trainer(context):
    from tuneforge.core.preference import DpoObjective, build_preference_trainer

    options = context.options or DpoOptions()
    objective = DpoObjective(beta=options.beta, loss_type=options.loss_type, label_smoothing=options.label_smoothing,
                             discopop_tau=options.discopop_tau, sft_weight=options.sft_weight)
    return build_preference_trainer(context, objective, options.reference, options.disable_dropout)


DPO = TrainingStage(name="dpo", build_trainer=build_dpo_trainer, needs=("preference",), head="causal_lm",
                    options=DpoOptions, encode=encode_preference,
                    description="Direct preference optimisation (sigmoid, hinge, ipo and 11 more losses) against "
                                "the base with the adapter disabled.")


@hookimpl
def register_stages(register):
    register(DPO)
