"""bilibili Index-1.9B (model_type `index`, remote code): a Llama-shaped 36-layer decoder with a normalised output
head; base, pure-corpus base, chat, role-play and 32K-context chat checkpoints."""

from tuneforge.core import Capabilities, ModelFamily, ModelVariant, hookimpl

V = ModelVariant

INDEX = ModelFamily(
    name="index",
    architecture="index",
    template="index",
    variants=(
        # name, hub id, params (billions, from config.json shapes; 1.9B without embeddings), context, kind, ...
        V("index-1.9b", "IndexTeam/Index-1.9B", 2.17, 4096, "base", None, "other"),
        V("index-1.9b-pure", "IndexTeam/Index-1.9B-Pure", 2.17, 4096, "base", None, "other"),
        V("index-1.9b-chat", "IndexTeam/Index-1.9B-Chat", 2.17, 4096, "chat", None, "other"),
        V("index-1.9b-character-chat", "IndexTeam/Index-1.9B-Character", 2.17, 4096, "chat", None, "other"),
        # 32K as the repository name states; its config.json could not be checked.
        V("index-1.9b-chat-32k", "IndexTeam/Index-1.9B-32K", 2.17, 32768, "chat", None, "other"),
    ),
    lora_targets=("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"),
    capabilities=Capabilities(sdpa=False, flash_attention=False, gradient_checkpointing=True, quantization=True,
                              trust_remote_code=True),
    # Keys of the remote IndexConfig (Llama naming).
    tiny_config={"vocab_size": 512, "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "num_key_value_heads": 4, "max_position_embeddings": 512},
    license="Index-1.9B model license (other)",
    description="Index-1.9B bilingual (Chinese / English) models from bilibili; remote code.",
)


@hookimpl
def register_models(register):
    register(INDEX)
