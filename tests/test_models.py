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
    assert {"llama", "tiny-llama"} <= {row["family"] for row in rows}
    for row in rows:
        assert row["variants"], row["family"]
        for variant in row["variants"]:
            assert catalog.find("template", variant["template"]) is not None, (row["family"], variant)
    llama = next(row for row in rows if row["family"] == "llama")
    assert {"name": "llama3.1-8b-instruct", "hub_id": "meta-llama/Llama-3.1-8B-Instruct", "params_b": 8.03,
            "context_length": 131072, "kind": "instruct", "template": "llama3.1",
            "license": "llama3.1"} in llama["variants"]


def test_models_info_by_variant_name():
    info = json.loads(tune("models", "info", "llama3.2-1b-instruct", "--json").stdout)
    assert info["family"] == "llama" and [v["name"] for v in info["variants"]] == ["llama3.2-1b-instruct"]
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

    for families in ARCHITECTURES.values():
        try:
            names = linear_module_names(build_tiny_model(families[0]))
        except ArchitectureUnavailable:
            continue
        for family in families:
            missing = set(family.lora_targets) - names
            assert not missing, f"{family.name}: lora_targets {sorted(missing)} not in the model"


def make_local_folder(tmp_path: Path, tokenizer_dir: Path, config) -> Path:
    """A folder that looks like a real checkpoint: tiny random weights, a real tokenizer."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    folder = tmp_path / "checkpoint"
    tokenizer = AutoTokenizer.from_pretrained(tokenizer_dir)
    torch.manual_seed(0)
    AutoModelForCausalLM.from_config(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def test_local_llama2_folder_trains_with_family_and_template_found_automatically(tmp_path, refdata):
    from transformers import LlamaConfig

    from tuneforge.core.pipeline import run_training

    config = LlamaConfig(vocab_size=32000, hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=512)
    folder = make_local_folder(tmp_path, refdata / "tokenizers" / "llama2", config)
    run_file = tmp_path / "run.yaml"
    run_file.write_text(f"model: {folder}\ndata: {{datasets: [tuneforge_demo], cutoff_len: 128}}\n"
                        f"training: {{max_steps: 4, batch_size: 4}}\noutput_dir: {tmp_path / 'out'}\n")
    outcome = run_training(run_file, show_progress=False)
    assert outcome.run.family.name == "llama"
    # The Llama-2 tokenizer has no Llama-3 header tokens, so `auto` picks the family's template that fits it.
    assert outcome.run.template.name == "llama2"
    manifest = json.loads((outcome.output_dir / "manifest.json").read_text())
    assert ("template", "llama2") in {(p["role"], p["name"]) for p in manifest["plugins"]}
    assert outcome.metrics["train_loss"] > 0
