"""Computation options: RoPE scaling (the config changes as asked and a forward runs), NEFTune (noise on the
embeddings in training mode only, for the duration of training), the attention implementation `auto` picks on this
machine, Liger kernels refused here with the reason, and the precision / weight dtype flags."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tuneforge.core import Capabilities, ConfigError
from tuneforge.core.config import RopeScalingSection, RunConfig

MAX_POSITIONS = 32


def llama_config(**overrides):
    from transformers import LlamaConfig

    values = dict(vocab_size=64, hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4,
                  num_key_value_heads=2, max_position_embeddings=MAX_POSITIONS, tie_word_embeddings=False)
    return LlamaConfig(**{**values, **overrides})


def logits(config, ids):
    import torch
    from transformers import LlamaForCausalLM

    torch.manual_seed(0)
    model = LlamaForCausalLM(config).eval()
    with torch.no_grad():
        return model(input_ids=ids).logits


def ids(length: int):
    import torch

    return torch.randint(0, 64, (1, length), generator=torch.Generator().manual_seed(0))


# ---------------------------------------------------------------------------------------------------------------
# RoPE scaling
# ---------------------------------------------------------------------------------------------------------------

ROPE_CASES = [
    ({"type": "linear", "factor": 2.0},
     {"rope_type": "linear", "factor": 2.0, "rope_theta": 10000.0}, 64),
    ({"type": "dynamic", "factor": 4.0},
     {"rope_type": "dynamic", "factor": 4.0, "rope_theta": 10000.0}, MAX_POSITIONS),
    ({"type": "yarn", "factor": 4.0, "beta_fast": 16},
     {"rope_type": "yarn", "factor": 4.0, "rope_theta": 10000.0, "original_max_position_embeddings": 32,
      "beta_fast": 16.0}, 128),
    ({"type": "llama3", "factor": 8.0, "original_max_position_embeddings": 16},
     {"rope_type": "llama3", "factor": 8.0, "rope_theta": 10000.0, "original_max_position_embeddings": 16,
      "low_freq_factor": 1.0, "high_freq_factor": 4.0}, 128),
]


@pytest.mark.parametrize("section, expected, max_positions", ROPE_CASES,
                         ids=[case[0]["type"] for case in ROPE_CASES])
def test_rope_scaling_sets_the_config_and_a_forward_runs(section, expected, max_positions):
    import torch

    from tuneforge.core.model_loader import apply_rope_scaling

    config = llama_config()
    line = apply_rope_scaling(config, RopeScalingSection(**section))
    assert config.rope_parameters == expected
    assert config.max_position_embeddings == max_positions
    assert line.startswith(f"rope scaling: {section['type']} x{section['factor']:g}")
    long_ids = ids(48)  # beyond the original 32 positions
    scaled = logits(config, long_ids)
    plain = logits(llama_config(), long_ids)
    assert torch.isfinite(scaled).all()
    assert not torch.allclose(scaled[0, 20:], plain[0, 20:], atol=1e-4)  # the scaling acts
    if section["type"] == "dynamic":  # NTK-aware dynamic scaling leaves sequences within the original length alone
        assert torch.allclose(logits(config, ids(16)), logits(llama_config(), ids(16)), atol=1e-5)


def test_rope_scaling_replaces_a_checkpoints_own_scaling():
    from tuneforge.core.model_loader import apply_rope_scaling

    config = llama_config(rope_scaling={"rope_type": "linear", "factor": 2.0})
    line = apply_rope_scaling(config, RopeScalingSection(type="yarn", factor=2.0))
    assert config.rope_parameters["rope_type"] == "yarn" and "replacing the checkpoint's linear scaling" in line


def test_rope_scaling_per_layer_type_scales_the_global_attention_layers():
    import torch
    from transformers import Gemma3ForCausalLM, Gemma3TextConfig

    from tuneforge.core.model_loader import apply_rope_scaling

    config = Gemma3TextConfig(vocab_size=64, hidden_size=32, intermediate_size=64, num_hidden_layers=6,
                              num_attention_heads=4, num_key_value_heads=2, head_dim=8, sliding_window=8,
                              max_position_embeddings=MAX_POSITIONS)
    sliding = dict(config.rope_parameters["sliding_attention"])
    apply_rope_scaling(config, RopeScalingSection(type="linear", factor=4.0))
    assert config.rope_parameters["full_attention"] == {"rope_type": "linear", "factor": 4.0, "rope_theta": 1e6}
    assert config.rope_parameters["sliding_attention"] == sliding  # a local window needs no longer context
    assert config.max_position_embeddings == 4 * MAX_POSITIONS
    torch.manual_seed(0)
    assert torch.isfinite(Gemma3ForCausalLM(config)(input_ids=ids(48)).logits).all()


def test_rope_scaling_of_a_model_without_rope_is_refused():
    from transformers import GPT2Config

    from tuneforge.core.model_loader import apply_rope_scaling

    with pytest.raises(ConfigError, match=r"model.rope_scaling: this model \(gpt2\) has no rotary position"):
        apply_rope_scaling(GPT2Config(n_layer=1, n_embd=32, n_head=2), RopeScalingSection(type="linear", factor=2))


@pytest.mark.parametrize("section, message", [
    ({"type": "linear", "factor": 2.0, "beta_fast": 4}, "rope scaling `linear` takes no beta_fast"),
    ({"type": "yarn", "factor": 2.0, "low_freq_factor": 1}, "rope scaling `yarn` takes no low_freq_factor"),
    ({"type": "llama3", "factor": 2.0, "low_freq_factor": 4, "high_freq_factor": 2}, "high_freq_factor >"),
    ({"type": "linear", "factor": 1.0}, "greater than 1"),
    ({"type": "ntk", "factor": 2.0}, "'linear', 'dynamic', 'yarn' or 'llama3'"),
])
def test_rope_scaling_section_is_validated(section, message):
    from tuneforge.core.config import validate

    with pytest.raises(ConfigError, match=message):
        validate({"model": {"name": "tiny-llama", "rope_scaling": section}, "data": {"datasets": ["demo"]},
                  "output_dir": "out"}, "run.yaml")


# ---------------------------------------------------------------------------------------------------------------
# NEFTune
# ---------------------------------------------------------------------------------------------------------------


def make_run(tmp_path: Path, training: dict):
    from tuneforge.core.resolve import ResolvedRun
    from tuneforge.plugins.adapters.lora import LORA, LoraOptions
    from tuneforge.plugins.stages.sft import SFT

    config = RunConfig.model_validate({"model": "tiny", "data": {"datasets": ["demo"]}, "seed": 0,
                                       "output_dir": str(tmp_path), "training": training})
    return ResolvedRun(config=config, config_path=Path("run.yaml"), family=None, variant=None, model_source="tiny",
                       template=None, adapter=LORA, adapter_options=LoraOptions(), stage=SFT, stage_options=None,
                       datasets=(), plugins=())


def test_neftune_noise_is_on_in_training_mode_only_while_training(tmp_path):
    import torch
    from transformers import LlamaForCausalLM, Trainer, TrainerCallback, TrainingArguments

    from tuneforge.core.training import training_arguments

    alpha = 5.0
    run = make_run(tmp_path, {"neftune_alpha": alpha, "max_steps": 1, "batch_size": 2})
    arguments = training_arguments(run, tmp_path, has_eval=False)
    assert arguments["neftune_noise_alpha"] == alpha
    torch.manual_seed(0)
    model = LlamaForCausalLM(llama_config())
    embedding = model.get_input_embeddings()
    probe = ids(12)
    seen = {}

    class Check(TrainerCallback):
        def on_step_end(self, args, state, control, **kwargs):
            with torch.no_grad():
                seen["clean"] = embedding.weight[probe].clone()  # the weights as trained so far
                model.train()
                first, second = embedding(probe), embedding(probe)
                model.eval()
                seen["eval"] = embedding(probe)
                model.train()
            seen["train"] = (first, second)

    rows = [{"input_ids": row, "labels": row} for row in torch.randint(0, 64, (4, 12)).tolist()]
    trainer = Trainer(model=model, args=TrainingArguments(**arguments), train_dataset=rows, callbacks=[Check()],
                      data_collator=lambda batch: {key: torch.tensor([r[key] for r in batch]) for key in batch[0]})
    trainer.train()
    first, second = seen["train"]
    clean = seen["clean"]
    bound = alpha / (12 * 32) ** 0.5  # NEFTune: uniform noise of magnitude alpha / sqrt(length x hidden)
    assert not torch.allclose(first, second)  # fresh noise on every call in training mode
    assert (first - clean).abs().max() <= bound + 1e-6 and (first - clean).abs().max() > bound / 2
    assert torch.equal(seen["eval"], clean)  # none in evaluation mode
    model.train()
    assert torch.equal(embedding(probe), embedding.weight[probe])  # none once training is over (hook removed)


def test_neftune_is_off_unless_asked(tmp_path):
    from tuneforge.core.training import training_arguments

    assert "neftune_noise_alpha" not in training_arguments(make_run(tmp_path, {}), tmp_path, has_eval=False)
    with pytest.raises(Exception, match="greater than 0"):
        make_run(tmp_path, {"neftune_alpha": 0})


# ---------------------------------------------------------------------------------------------------------------
# Attention implementation, Liger kernels, precision
# ---------------------------------------------------------------------------------------------------------------


class Family:
    def __init__(self, **capabilities) -> None:
        self.capabilities = Capabilities(**capabilities)


def test_attention_auto_on_this_machine():
    from tuneforge.core.model_loader import attention_implementation, flash_attention_unavailable

    reason = flash_attention_unavailable()
    flash = Family(sdpa=True, flash_attention=True)
    if reason is None:
        assert attention_implementation("auto", flash) == "flash_attention_2"
    else:  # this CPU machine: no flash-attn package and no CUDA GPU
        assert "flash-attn" in reason or "CUDA" in reason
        assert attention_implementation("auto", flash) == "sdpa"
        expected = re.escape(f"attn_implementation=flash_attention_2 cannot be used: {reason}")
        with pytest.raises(ConfigError, match=expected):
            attention_implementation("flash_attention_2", flash)
    assert attention_implementation("auto", Family(sdpa=True, flash_attention=False)) == "sdpa"
    assert attention_implementation("auto", Family(sdpa=False, flash_attention=False)) == "eager"
    assert attention_implementation("auto", None) is None  # no family: transformers picks what the class supports
    assert attention_implementation("eager", flash) == "eager"


def test_liger_is_refused_here_with_the_reason(tmp_path):
    from tuneforge.core.model_loader import check_liger, liger_unavailable
    from tuneforge.core.training import training_arguments

    run = make_run(tmp_path, {"liger": True})
    reason = liger_unavailable()
    if reason is None:
        assert training_arguments(run, tmp_path, has_eval=False)["use_liger_kernel"] is True
        with pytest.raises(ConfigError, match="set training.loss=default"):
            check_liger(make_run(tmp_path, {"liger": True, "loss": "chunked"}).config.training)
        return
    assert "liger-kernel" in reason or "CUDA" in reason
    with pytest.raises(ConfigError, match=r"training.liger=true cannot be used: .*Set training.liger=false"):
        training_arguments(run, tmp_path, has_eval=False)
    assert "use_liger_kernel" not in training_arguments(make_run(tmp_path, {}), tmp_path, has_eval=False)


@pytest.mark.parametrize("precision, bf16, fp16", [("fp32", False, False), ("bf16", True, False),
                                                   ("fp16", False, True)])
def test_precision_flags(tmp_path, precision, bf16, fp16):
    from tuneforge.core.training import training_arguments

    arguments = training_arguments(make_run(tmp_path, {"precision": precision}), tmp_path, has_eval=False)
    assert (arguments["bf16"], arguments["fp16"]) == (bf16, fp16)


def test_auto_precision_and_weights_are_float32_on_cpu(tmp_path):
    import torch

    from tuneforge.core.model_loader import device_kind, weights_dtype
    from tuneforge.core.training import training_arguments

    if device_kind() != "cpu":
        pytest.skip("a GPU is present")
    arguments = training_arguments(make_run(tmp_path, {}), tmp_path, has_eval=False)
    assert (arguments["bf16"], arguments["fp16"], arguments["use_cpu"]) == (False, False, True)
    assert weights_dtype("auto") == torch.float32
    assert weights_dtype("bfloat16") == torch.bfloat16 and weights_dtype("float16") == torch.float16
