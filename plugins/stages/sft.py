"""Supervised fine-tuning on conversations: the loss covers the tokens the template marks as trained."""

from tuneforge.core import TrainingStage, hookimpl


def build_sft_trainer(context):
    from transformers import Trainer, TrainingArguments

    from tuneforge.core.collators import PaddingCollator

    return Trainer(
        model=context.model,
        args=TrainingArguments(**context.training_arguments),
        train_dataset=context.train_dataset,
        eval_dataset=context.eval_dataset,
        data_collator=PaddingCollator(pad_token_id=context.tokenizer.pad_token_id),
        processing_class=context.tokenizer,
        callbacks=context.callbacks,
    )


SFT = TrainingStage(name="sft", build_trainer=build_sft_trainer, needs=("conversation",), head="causal_lm",
                    description="Supervised fine-tuning; by default every assistant turn is trained.")


@hookimpl
def register_stages(register):
    register(SFT)
