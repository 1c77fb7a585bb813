"""IEIT Yuan 2.0 (remote code, model_type `yuan`): attention with a Localized Filtering-based Attention (LFA) block,
2B / 51B / 102B chat models in Hugging Face format, with the `yuan` chat format.

Yuan2-2B-hf's config.json has max_position_embeddings 8192; the 51B and 102B context lengths could not be checked
here and are given the same 8192 (not verified). Parameter counts are the model names'.
"""

from tuneforge.core import Capabilities, ModelFamily, ModelVariant, hookimpl

V = ModelVariant

YUAN2 = ModelFamily(
    name="yuan2",
    architecture="yuan",
    template="yuan",
    variants=(
        # name, hub id, params (billions), context length, kind, template (None: the family default), licence
        V("yuan2-2b-chat", "IEITYuan/Yuan2-2B-hf", 2.0, 8192, "chat"),
        V("yuan2-51b-chat", "IEITYuan/Yuan2-51B-hf", 51.0, 8192, "chat"),
        V("yuan2-102b-chat", "IEITYuan/Yuan2-102B-hf", 102.0, 8192, "chat"),
    ),
    # The remote YuanForCausalLM keeps Llama's projection names; the LFA convolutions are not Linear layers.
    lora_targets=("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"),
    capabilities=Capabilities(sdpa=False, flash_attention=True, gradient_checkpointing=True, quantization=True,
                              trust_remote_code=True),
    # Keys of the remote YuanConfig.
    tiny_config={"vocab_size": 512, "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "model_max_length": 512, "max_position_embeddings": 512,
                 "pad_token_id": 0, "bos_token_id": 1, "eos_token_id": 2},
    license="other (Yuan2.0 model license)",
    description="IEIT Yuan 2.0 2B / 51B / 102B chat models (LFA attention); remote code.",
)


@hookimpl
def register_models(register):
    register(YUAN2)
