"""Continued pretraining on plain text: every token is trained; documents are packed into rows of data.cutoff_len
tokens by default, each attending only to itself."""

from dataclasses import dataclass

from tuneforge.core import ConfigError, TrainingStage, hookimpl
from tuneforge.core.stage_data import encode_text


@dataclass(frozen=True)
class PtOptions:
    """packing: pack documents (and the pieces of longer ones) into rows of data.cutoff_len tokens, each attending
    only to itself (position ids restart per document); off: one document piece per row, padded."""

    packing: bool = True


def build_pt_trainer(context):
    from transformers import Trainer, TrainingArguments

    from tuneforge.core.collators import PackedCollator, PaddingCollator
    from tuneforge.core.packing import check_packing_supported, pack_rows

    options = context.options or PtOptions()
    pad_token_id = context.tokenizer.pad_token_id
    train, evaluation = context.train_dataset, context.eval_dataset
    data = context.run.config.data
    if options.packing and data.streaming and not data.packing:
        raise ConfigError("stage pt packs its rows, but a stream can only be packed as it streams: set "
                          "data.packing: true (the data worker then packs each chunk), or stage.packing: false")
    packed = options.packing or data.packing
    if packed:
        implementation = check_packing_supported(context.model)

        def pack(rows):  # rows the data worker already packed (and streams) carry position ids
            if data.streaming or not len(rows) or "position_ids" in rows[0]:
                return rows
            return pack_rows(list(rows), data.cutoff_len, seed=context.run.config.seed)

        train, evaluation = pack(train), (pack(evaluation) if evaluation else evaluation)
        collator = PackedCollator(pad_token_id=pad_token_id, flatten=implementation.startswith("flash_attention"))
    else:
        collator = PaddingCollator(pad_token_id=pad_token_id)
    return Trainer(
        model=context.model,
        args=TrainingArguments(**context.training_arguments),
        train_dataset=train,
        eval_dataset=evaluation,
        data_collator=collator,
        processing_class=context.tokenizer,
        callbacks=context.callbacks,
        optimizers=context.optimizers,
    )


PT = TrainingStage(name="pt", build_trainer=build_pt_trainer, needs=("text",), head="causal_lm", options=PtOptions,
                   encode=encode_text,
                   description="Continued pretraining on plain text, every token trained, packed by default.")


@hookimpl
def register_stages(register):
    register(PT)
