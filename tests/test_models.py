"""The model catalog: listing, per-architecture conformance, and local folders that look like real checkpoints."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tuneforge.registry import get_catalog, reset_catalog

ROOT = Path(__file__).resolve().parents[1]


def builtin_architectures() -> dict[str, list]:
    by_architecture: dict[str, list] = {}
    for entry in get_catalog().items("model"):
        if entry.plugin.distribution == "tuneforge":
            by_architecture.setdefault(entry.spec.architecture, []).append(entry.spec)
    reset_catalog()
    return by_architecture


ARCHITECTURES = builtin_architectures()
RECORDED = json.loads((ROOT / "plugins" / "models" / "conformance.json").read_text())


def tune(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tuneforge", *args], capture_output=True, text=True, timeout=300)


def test_models_list_json_lists_families_variants_and_existing_templates():
    rows = json.loads(tune("models", "list", "--json").stdout)
    catalog = get_catalog()
    assert {"llama3.1", "tiny-llama"} <= {row["family"] for row in rows}
    for row in rows:
        assert row["variants"], row["family"]
        for variant in row["variants"]:
            assert catalog.find("template", variant["template"]) is not None, (row["family"], variant)
    llama = next(row for row in rows if row["family"] == "llama3.1")
    assert {"name": "llama3.1-8b-instruct", "hub_id": "meta-llama/Llama-3.1-8B-Instruct", "params_b": 8.03,
            "context_length": 131072, "kind": "instruct", "template": "llama3.1",
            "license": "llama3.1"} in llama["variants"]


def test_models_info_by_variant_name():
    info = json.loads(tune("models", "info", "llama3.2-1b-instruct", "--json").stdout)
    assert info["family"] == "llama3.2" and [v["name"] for v in info["variants"]] == ["llama3.2-1b-instruct"]
    assert info["conformance"] == RECORDED["architectures"]["llama"]["status"]


def test_the_recorded_conformance_covers_every_builtin_architecture():
    """plugins/models/conformance.json (shown by `tune models list`) must be regenerated when families change."""
    import transformers

    assert set(RECORDED["architectures"]) == set(ARCHITECTURES), "run `python scripts/model_conformance.py`"
    assert RECORDED["transformers"] == transformers.__version__, "run `python scripts/model_conformance.py`"
    for architecture, families in ARCHITECTURES.items():
        assert set(RECORDED["architectures"][architecture]["families"]) == {f.name for f in families}


@pytest.mark.parametrize("architecture", sorted(ARCHITECTURES))
def test_architecture_conformance(architecture, tmp_path):
    """Tiny model -> LoRA on the declared targets -> one step changes the adapter -> reload gives the same logits.
    The result must match what conformance.json records (and so what `tune models list` shows)."""
    from tuneforge.testing import ArchitectureUnavailable, check_model_family_trains

    recorded = RECORDED["architectures"][architecture]
    try:
        check_model_family_trains(ARCHITECTURES[architecture][0], tmp_path)
    except ArchitectureUnavailable as exc:
        assert recorded["status"] == "unavailable", f"recorded {recorded['status']}, but: {exc}"
        pytest.skip(f"{architecture}: {exc}")
    assert recorded["status"] == "passed"


def test_every_family_declares_lora_targets_its_tiny_model_has():
    from tuneforge.testing import ArchitectureUnavailable, build_tiny_model
    from tuneforge.testing.contracts import linear_module_names

    # Families of one architecture may build different tiny models (e.g. Moonlight's full-rank queries on
    # `deepseek_v3`): each family is checked against its own, built once per distinct configuration.
    built: dict[str, set | None] = {}
    for families in ARCHITECTURES.values():
        for family in families:
            key = repr((family.architecture, sorted(family.tiny_config.items())))
            if key not in built:
                try:
                    built[key] = linear_module_names(build_tiny_model(family))
                except ArchitectureUnavailable:
                    built[key] = None
            if built[key] is None:
                continue
            missing = set(family.lora_targets) - built[key]
            assert not missing, f"{family.name}: lora_targets {sorted(missing)} not in the model"


def make_local_folder(tmp_path: Path, tokenizer_dir: Path, config, chat_template_from: Path | None = None,
                      special_tokens: tuple[str, ...] = ()) -> Path:
    """A folder that looks like a real checkpoint: tiny random weights, a real tokenizer, and (like real chat
    checkpoints) optionally the model's official chat template from refdata and its chat special tokens."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    folder = tmp_path / "checkpoint"
    tokenizer = AutoTokenizer.from_pretrained(tokenizer_dir)
    if special_tokens:
        tokenizer.add_special_tokens({"additional_special_tokens": list(special_tokens)})
        config.vocab_size = len(tokenizer)
    if chat_template_from is not None:
        tokenizer.chat_template = json.loads(chat_template_from.read_text())["chat_template"]
    torch.manual_seed(0)
    AutoModelForCausalLM.from_config(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def tiny(config_class: str, vocab_size: int, **extra):
    import transformers

    sizes = dict(hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
                 max_position_embeddings=512)
    return getattr(transformers, config_class)(vocab_size=vocab_size, **{**sizes, **extra})


# tokenizer folder, official chat template (refdata/templates/<family>) or None, config, family and template expected
LOCAL_FOLDERS = [
    ("llama2", "llama-2-chat", ("LlamaConfig", 32000, {"num_key_value_heads": 2}), "llama2", "llama2"),
    ("phi-3-mini", None, ("Phi3Config", 32064, {}), "phi3", "phi3"),  # its tokenizer carries the Phi-3 template
    ("falcon", "falcon-instruct", ("FalconConfig", 65024, {"num_kv_heads": 4}), "falcon", "falcon"),
    ("gpt2", None, ("GPT2Config", 50257, {"n_embd": 64, "n_layer": 2, "n_head": 4}), "gpt2", "empty"),
]


@pytest.mark.parametrize("tokenizer_name, official, config, family, template", LOCAL_FOLDERS,
                         ids=[row[0] for row in LOCAL_FOLDERS])
def test_local_folder_trains_with_family_and_template_found_automatically(tmp_path, refdata, tokenizer_name,
                                                                          official, config, family, template):
    from tuneforge.core.pipeline import run_training

    config_class, vocab, extra = config
    if config_class == "GPT2Config":
        import transformers

        model_config = transformers.GPT2Config(vocab_size=vocab, n_positions=512, **extra)
    else:
        model_config = tiny(config_class, vocab, **extra)
    official_file = refdata / "templates" / official / "tokenizer_config.json" if official else None
    folder = make_local_folder(tmp_path, refdata / "tokenizers" / tokenizer_name, model_config, official_file)
    run_file = tmp_path / "run.yaml"
    run_file.write_text(f"model: {folder}\ndata: {{datasets: [tuneforge_demo], cutoff_len: 96}}\n"
                        f"training: {{max_steps: 3, batch_size: 4}}\noutput_dir: {tmp_path / 'out'}\n")
    outcome = run_training(run_file, show_progress=False)
    assert (outcome.run.family.name, outcome.run.template.name) == (family, template)
    manifest = json.loads((outcome.output_dir / "manifest.json").read_text())
    used = {(p["role"], p["name"]) for p in manifest["plugins"]}
    assert {("model", family), ("template", template)} <= used
    assert outcome.metrics["train_loss"] > 0


def test_local_folder_without_a_chat_template_and_several_candidates_asks_for_one(tmp_path, refdata):
    from tuneforge.core import ModelError
    from tuneforge.core.pipeline import run_training

    folder = make_local_folder(tmp_path, refdata / "tokenizers" / "llama2", tiny("LlamaConfig", 32000))
    run_file = tmp_path / "run.yaml"
    run_file.write_text(f"model: {folder}\ndata: {{datasets: [tuneforge_demo]}}\noutput_dir: {tmp_path / 'out'}\n")
    with pytest.raises(ModelError, match=r"several templates fit it \(.*llama2.*\); set `template: NAME`"):
        run_training(run_file, show_progress=False)


def test_unknown_architecture_trains_through_auto_classes_with_the_tokenizers_template(tmp_path, refdata):
    """A model type no family registers still trains: Auto classes, LoRA on all linear layers, and the tokenizer's
    own chat template with masks found by incremental rendering; the user is warned."""
    import transformers

    from tuneforge.core.pipeline import run_training

    config = transformers.GPTNeoConfig(vocab_size=50257, hidden_size=64, num_layers=2, num_heads=4,
                                       attention_types=[[["global", "local"], 1]], max_position_embeddings=512)
    official = refdata / "templates" / "qwen2.5-instruct" / "tokenizer_config.json"
    folder = make_local_folder(tmp_path, refdata / "tokenizers" / "gpt2", config, official,
                               special_tokens=("<|im_start|>", "<|im_end|>"))
    run_file = tmp_path / "run.yaml"
    run_file.write_text(f"model: {folder}\ndata: {{datasets: [tuneforge_demo], cutoff_len: 96}}\n"
                        f"training: {{max_steps: 3, batch_size: 4}}\noutput_dir: {tmp_path / 'out'}\n")
    with pytest.warns(UserWarning, match="matches no registered model family"):
        outcome = run_training(run_file, show_progress=False)
    assert outcome.run.family is None
    assert outcome.run.template.name == "tokenizer"
    assert outcome.metrics["train_loss"] > 0
    from transformers import AutoTokenizer

    saved = AutoTokenizer.from_pretrained(outcome.output_dir)
    assert saved.chat_template == json.loads(official.read_text())["chat_template"]
