"""The main job end to end: tiny-llama + LoRA SFT on the bundled demo data; loss falls, the output folder reloads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def outcome(tmp_path_factory):
    from tuneforge.core.pipeline import run_training

    out = tmp_path_factory.mktemp("quickstart") / "run"
    return run_training(ROOT / "examples" / "quickstart.yaml",
                        [f"output_dir={out}", "training.max_steps=40", "training.logging_steps=2",
                         "training.warmup_ratio=0"], show_progress=False)


def test_loss_falls(outcome):
    log = [json.loads(line) for line in (outcome.output_dir / "train_log.jsonl").read_text().splitlines()]
    losses = [entry["loss"] for entry in log if "loss" in entry]
    assert len(losses) == 20
    first, last = sum(losses[:3]) / 3, sum(losses[-3:]) / 3
    assert last < 0.8 * first, f"loss did not fall enough: {first:.3f} -> {last:.3f}"


def test_output_folder_has_every_artifact(outcome):
    names = {p.name for p in outcome.output_dir.iterdir()}
    assert {"adapter_config.json", "adapter_model.safetensors", "tokenizer.json", "tokenizer_config.json",
            "config.yaml", "manifest.json", "train_log.jsonl", "loss.png"} <= names
    assert not any(name.endswith((".bin", ".pt", ".pkl")) for name in names)  # safetensors only
    assert (outcome.output_dir / "loss.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_manifest_names_every_plugin_with_its_version(outcome):
    manifest = json.loads((outcome.output_dir / "manifest.json").read_text())
    used = {(p["role"], p["name"]): p for p in manifest["plugins"]}
    assert set(used) == {("model", "tiny-llama"), ("template", "llama3"), ("adapter", "lora"), ("stage", "sft"),
                         ("dataset", "tuneforge_demo"), ("format", "alpaca")}
    assert all(p["distribution"] == "tuneforge" and p["version"] for p in used.values())
    assert manifest["versions"]["torch"].startswith("2.13")
    assert manifest["data"]["datasets"][0]["fingerprint"]
    assert manifest["data"]["datasets"][0]["dropped"] == 0
    assert manifest["seed"] == 42
    assert manifest["result"]["trainable_parameters"] > 0


def test_adapter_reloads_with_transformers_and_peft_and_gives_the_same_logits(outcome):
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(outcome.output_dir)
    base = AutoModelForCausalLM.from_pretrained(outcome.run.model_source, dtype=torch.float32)
    reloaded = PeftModel.from_pretrained(base, outcome.output_dir).eval()
    ids = tokenizer("Reverse the word: forge", return_tensors="pt").input_ids
    trained = outcome.model.eval()
    with torch.no_grad():
        assert torch.allclose(reloaded(ids).logits, trained(ids).logits, atol=1e-5)
        # The adapter really changed the model: with it disabled the logits differ.
        with reloaded.disable_adapter():
            assert not torch.allclose(reloaded(ids).logits, trained(ids).logits, atol=1e-3)


def test_saved_tokenizer_carries_the_trained_template(outcome):
    from transformers import AutoTokenizer

    from tuneforge.core.templates import render_text, to_jinja

    tokenizer = AutoTokenizer.from_pretrained(outcome.output_dir)
    assert tokenizer.chat_template == to_jinja(outcome.run.template)
    from tuneforge.core import Message

    conversation = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"},
                    {"role": "assistant", "content": "Hello!"}]
    messages = [Message(m["role"], m["content"]) for m in conversation]
    assert tokenizer.apply_chat_template(conversation, tokenize=False) == render_text(outcome.run.template, messages)


def test_resolved_config_reloads(outcome):
    from tuneforge.core.config import load_config

    reloaded = load_config(outcome.output_dir / "config.yaml").config
    assert reloaded.training.max_steps == 40
    assert reloaded.model.name == "tiny-llama"


def test_refuses_to_overwrite_an_earlier_run(outcome):
    from tuneforge.core import ConfigError
    from tuneforge.core.pipeline import run_training

    with pytest.raises(ConfigError, match="already holds files"):
        run_training(ROOT / "examples" / "quickstart.yaml", [f"output_dir={outcome.output_dir}"], show_progress=False)
    assert (outcome.output_dir / "adapter_model.safetensors").is_file()
