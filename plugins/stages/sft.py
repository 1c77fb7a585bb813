"""Supervised fine-tuning on conversations: the loss covers the tokens the template marks as trained."""

from tuneforge.core import TrainingStage, hookimpl


def build_sft_trainer(context):
    from transformers import Trainer, TrainingArguments

    from tuneforge.core.losses import trainer_class_for_loss

    trainer_cls = trainer_class_for_loss(Trainer, context.run.config.training)  # training.loss: default | chunked
    return trainer_cls(
        model=context.model,
        args=TrainingArguments(**context.training_arguments),
        train_dataset=context.train_dataset,
        eval_dataset=context.eval_dataset,
        data_collator=sft_collator(context),
        processing_class=context.tokenizer,
        callbacks=context.callbacks,
        optimizers=context.optimizers,
    )


def sft_collator(context):
    """Packed rows (`data.packing: true`) keep their examples apart through the packed collator; others are padded."""
    from tuneforge.core.collators import PackedCollator, PaddingCollator

    pad_token_id = context.tokenizer.pad_token_id
    if not context.run.config.data.packing:
        return PaddingCollator(pad_token_id=pad_token_id)
    from tuneforge.core.packing import check_packing_supported

    implementation = check_packing_supported(context.model)
    return PackedCollator(pad_token_id=pad_token_id, flatten=implementation.startswith("flash_attention"))


SFT = TrainingStage(name="sft", build_trainer=build_sft_trainer, needs=("conversation",), head="causal_lm",
                    description="Supervised fine-tuning; by default every assistant turn is trained.")


@hookimpl
def register_stages(register):
    register(SFT)
