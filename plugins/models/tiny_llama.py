"""A tiny Llama-architecture model built locally: random weights and a byte-level BPE tokenizer trained on the
bundled demo data. Nothing is downloaded, so the quickstart and the tests run offline in seconds."""

from tuneforge.core import Capabilities, ModelFamily, ModelVariant, hookimpl

# Special tokens of the templates the tiny model can be trained with (llama3, chatml, llama2).
SPECIAL_TOKENS = ("<|pad|>", "<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>", "<|end_header_id|>",
                  "<|eot_id|>", "<|im_start|>", "<|im_end|>", "<s>", "</s>")
VOCAB_SIZE = 2048
TINY_CONFIG = {"vocab_size": VOCAB_SIZE, "hidden_size": 128, "intermediate_size": 352, "num_hidden_layers": 4,
               "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 1024,
               "tie_word_embeddings": False}


def _corpus() -> list[str]:
    """Text the tokenizer learns its merges from: the bundled demo data, read as plain lines."""
    from importlib.resources import files

    folder = files("tuneforge.plugins.datasets") / "data"
    lines: list[str] = []
    for name in sorted(entry.name for entry in folder.iterdir() if entry.name.endswith((".jsonl", ".json"))):
        lines.extend((folder / name).read_text(encoding="utf-8").splitlines())
    return lines


def build_tiny_llama(variant, folder) -> None:
    """Write config, random weights (seed 0) and tokenizer for `variant` into `folder`."""
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=VOCAB_SIZE, special_tokens=list(SPECIAL_TOKENS),
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    bpe.train_from_iterator(_corpus(), trainer)
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=bpe, bos_token="<|begin_of_text|>", eos_token="<|eot_id|>",
                                        pad_token="<|pad|>", unk_token=None)
    tokenizer.add_special_tokens({"additional_special_tokens": [t for t in SPECIAL_TOKENS
                                                                if t not in ("<|pad|>", "<|begin_of_text|>", "<|eot_id|>")]})
    config = LlamaConfig(**dict(TINY_CONFIG, vocab_size=len(tokenizer)), bos_token_id=tokenizer.bos_token_id,
                         eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id)
    torch.manual_seed(0)
    model = LlamaForCausalLM(config)
    # With the default init (std 0.02) a frozen head after a frozen RMSNorm caps logits near +-2.5, so adapters
    # could never make a confident prediction. Std 1/sqrt(hidden) gives logits of order 1, like a trained model.
    with torch.no_grad():
        model.lm_head.weight.normal_(0.0, config.hidden_size ** -0.5)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)


TINY_LLAMA = ModelFamily(
    name="tiny-llama",
    architecture="llama",
    template="llama3",
    variants=(ModelVariant("tiny-llama", None, 0.0013, 1024, "base"),),
    lora_targets=("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"),
    capabilities=Capabilities(sdpa=True, flash_attention=False),
    tiny_config=TINY_CONFIG,
    license="Apache-2.0",
    description="A 1.3M-parameter Llama built locally with random weights, for the quickstart and tests.",
    builder=build_tiny_llama,
)


@hookimpl
def register_models(register):
    register(TINY_LLAMA)
