"""Meta Llama 3.2 Vision (model_type `mllama`): registered for text training through `MllamaForCausalLM`, the text
decoder with its cross-attention layers (images are not fed)."""

from tuneforge.core import Capabilities, ModelFamily, ModelVariant, hookimpl

V = ModelVariant

LLAMA3_2_VISION = ModelFamily(
    name="llama3.2-vision",
    architecture="mllama",
    template="mllama",
    variants=(
        # name, hub id, params (billions, as named), context length, kind, template, licence
        V("llama3.2-vision-11b", "meta-llama/Llama-3.2-11B-Vision", 11.0, 131072, "base", None, "llama3.2"),
        V("llama3.2-vision-11b-instruct", "meta-llama/Llama-3.2-11B-Vision-Instruct", 11.0, 131072, "instruct",
          None, "llama3.2"),
        V("llama3.2-vision-90b", "meta-llama/Llama-3.2-90B-Vision", 90.0, 131072, "base", None, "llama3.2"),
        V("llama3.2-vision-90b-instruct", "meta-llama/Llama-3.2-90B-Vision-Instruct", 90.0, 131072, "instruct",
          None, "llama3.2"),
    ),
    # Self- and cross-attention share the q/k/v/o names.
    lora_targets=("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"),
    capabilities=Capabilities(sdpa=True, flash_attention=False, gradient_checkpointing=True, quantization=True,
                              vision=True),
    tiny_config={"text_config": {"vocab_size": 512, "hidden_size": 64, "intermediate_size": 128,
                                 "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
                                 "max_position_embeddings": 512, "cross_attention_layers": [1],
                                 "pad_token_id": 0, "bos_token_id": 1, "eos_token_id": 2},
                 "vision_config": {"hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 2,
                                   "num_global_layers": 1, "attention_heads": 4, "image_size": 32,
                                   "patch_size": 16, "vision_output_dim": 64, "intermediate_layers_indices": [0]},
                 # Composite configs keep vocab_size in text_config; the conformance kit reads it at the top.
                 "vocab_size": 512},
    license="Llama 3.2 Community License",
    description="Llama 3.2 11B / 90B Vision base and instruct models, text part.",
)


@hookimpl
def register_models(register):
    register(LLAMA3_2_VISION)
