"""Reward modelling: a scalar head on the base model learns to score the chosen answer above the rejected one
(pairwise loss -log sigmoid(r_chosen - r_rejected)); accuracy and margin are logged. Trained with TRL's
RewardTrainer, which takes our already tokenized pairs as they are."""

from dataclasses import dataclass
from typing import Optional

from tuneforge.core import TrainingStage, hookimpl
from tuneforge.core.stage_data import encode_preference


@dataclass(frozen=True)
class RmOptions:
    """center_rewards_coefficient: weight of a penalty on the squared mean reward, which keeps rewards centred on
    zero (the paper that proposed it used 0.01); None: off. disable_dropout: turn dropout off."""

    center_rewards_coefficient: Optional[float] = None
    disable_dropout: bool = True

    def __post_init__(self) -> None:
        if self.center_rewards_coefficient is not None and self.center_rewards_coefficient < 0:
            raise ValueError(f"`center_rewards_coefficient` must be >= 0, got {self.center_rewards_coefficient}")


def reward_dataset(rows):
    """Our pair rows (a list, a Dataset or a streamed IterableDataset) as the `chosen_ids` / `rejected_ids` columns
    TRL's RewardTrainer takes without re-tokenizing."""
    from datasets import Dataset

    if isinstance(rows, list):
        rows = Dataset.from_list(rows)
    rows = rows.remove_columns(["chosen_labels", "rejected_labels"])
    return rows.rename_columns({"chosen_input_ids": "chosen_ids", "rejected_input_ids": "rejected_ids"})


def build_rm_trainer(context):
    from trl import RewardConfig, RewardTrainer

    options = context.options or RmOptions()
    args = RewardConfig(**context.training_arguments, max_length=None,  # rows are already cut at data.cutoff_len
                        center_rewards_coefficient=options.center_rewards_coefficient,
                        disable_dropout=options.disable_dropout)
    return RewardTrainer(
        model=context.model,
        args=args,
        train_dataset=reward_dataset(context.train_dataset),
        eval_dataset=reward_dataset(context.eval_dataset) if context.eval_dataset else None,
        processing_class=context.tokenizer,
        callbacks=context.callbacks,
        optimizers=context.optimizers,
    )


RM = TrainingStage(name="rm", build_trainer=build_rm_trainer, needs=("preference",), head="sequence_classification",
                   options=RmOptions, encode=encode_preference,
                   description="Reward model: a scalar head trained on preference pairs (pairwise loss, accuracy).")


@hookimpl
def register_stages(register):
    register(RM)
