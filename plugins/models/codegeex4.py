"""CodeGeeX4-ALL-9B (Zhipu AI): GLM-4-9B continued on code, shipped as model_type `chatglm` with its own modelling
code (loads only with `trust_remote_code`)."""

from tuneforge.core import Capabilities, ModelFamily, ModelVariant, hookimpl

V = ModelVariant

CODEGEEX4 = ModelFamily(
    name="codegeex4",
    architecture="chatglm",
    template="codegeex4",
    variants=(
        # name, hub id, params (billions), context length, kind, template (None: the family default), licence
        V("codegeex4-9b-chat", "zai-org/codegeex4-all-9b", 9.4, 131072, "chat", None, "codegeex4"),
    ),
    lora_targets=("query_key_value", "dense", "dense_h_to_4h", "dense_4h_to_h"),
    capabilities=Capabilities(sdpa=False, flash_attention=False, gradient_checkpointing=True, quantization=True,
                              trust_remote_code=True),
    tiny_config={"padded_vocab_size": 512, "hidden_size": 64, "ffn_hidden_size": 128, "num_layers": 2,
                 "num_attention_heads": 4, "kv_channels": 16, "multi_query_attention": True,
                 "multi_query_group_num": 2, "seq_length": 512},
    license="CodeGeeX4 Model License",
    description="CodeGeeX4-ALL-9B: code completion, generation, repository Q&A and tool calling; remote code.",
)


@hookimpl
def register_models(register):
    register(CODEGEEX4)
