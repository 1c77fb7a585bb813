"""`tune estimate`: parameter counts equal those of the really loaded model, the memory parts follow the run's
method, precision, batch, checkpointing and loss, and the prediction matches the peak memory measured on real runs
on this machine (slow test)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from contextlib import ExitStack
from pathlib import Path

import pytest

from tuneforge.core.config import load_config

VOCAB, HIDDEN, INTER, LAYERS, HEADS, KV_HEADS, CUTOFF = 8192, 256, 688, 4, 8, 4, 256


@pytest.fixture
def catalog():
    """The catalog with the adapter and quantizer plugins this file uses, added here until their entry points are."""
    from tuneforge.plugins.adapters import full, qlora
    from tuneforge.plugins.quantizers import bnb
    from tuneforge.registry import get_catalog, temporary_plugin

    with ExitStack() as stack:
        for kind, name, module in (("adapter", "full", full), ("adapter", "qlora", qlora),
                                   ("quantizer", "bnb-4bit", bnb)):
            if get_catalog().find(kind, name) is None:
                stack.enter_context(temporary_plugin(module, module.__name__.rsplit(".", 1)[-1], kind=kind,
                                                     distribution="tuneforge"))
        yield get_catalog()


def write_model(folder: Path) -> None:
    """A small Llama (3.7M parameters, an 8192-token vocabulary so the logits count) with tiny-llama's tokenizer."""
    import torch
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    from tuneforge.plugins.models.tiny_llama import TINY_LLAMA, build_tiny_llama

    build_tiny_llama(TINY_LLAMA.variants[0], folder)
    tokenizer = AutoTokenizer.from_pretrained(folder)
    config = LlamaConfig(vocab_size=VOCAB, hidden_size=HIDDEN, intermediate_size=INTER, num_hidden_layers=LAYERS,
                         num_attention_heads=HEADS, num_key_value_heads=KV_HEADS, max_position_embeddings=1024,
                         tie_word_embeddings=False, bos_token_id=tokenizer.bos_token_id,
                         eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id)
    torch.manual_seed(0)
    LlamaForCausalLM(config).save_pretrained(folder)


def write_run(root: Path, model: Path) -> Path:
    """Rows that mostly exceed cutoff_len (so batches are full length) with a few short ones (so they are padded)."""
    import random

    rng = random.Random(0)
    words = "forge anvil hammer metal spark quench temper blade steel iron bronze copper smith fire coal".split()
    rows = [{"instruction": f"Describe item {i}.", "input": "",
             "output": " ".join(rng.choice(words) for _ in range(400 if i % 8 else 20))} for i in range(64)]
    (root / "data.jsonl").write_text("\n".join(json.dumps(row) for row in rows), encoding="utf-8")
    path = root / "run.yaml"
    path.write_text(textwrap.dedent(f"""\
        model: {model}
        template: llama3
        data:
          datasets: [{root / 'data.jsonl'}]
          cutoff_len: {CUTOFF}
          truncation: truncate
        adapter: lora
        training:
          max_steps: 2
          batch_size: 8
          learning_rate: 1.0e-4
        output_dir: {root / 'out'}
        overwrite: true
        """), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def run_file(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("estimate")
    write_model(root / "model")
    return write_run(root, root / "model")


def estimate(run_file: Path, catalog, *overrides: str):
    from tuneforge.core.estimate import estimate_run

    return estimate_run(load_config(run_file, list(overrides)), catalog, device="cpu")


# ---------------------------------------------------------------------------------------------------------------
# Parameter counts against the really loaded model
# ---------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("overrides", [["adapter=lora"], ["adapter=full"], ["adapter.method=lora", "adapter.r=4",
                                                                             "adapter.targets=[q_proj, v_proj]"]])
def test_parameter_counts_equal_the_loaded_models(run_file, catalog, overrides):
    from tuneforge.core.model_loader import load_model, parameter_report
    from tuneforge.core.resolve import resolve

    predicted = estimate(run_file, catalog, *overrides)
    run = resolve(load_config(run_file, overrides), catalog)
    report = parameter_report(load_model(run, catalog.plugin_manager))
    assert (predicted.trainable_parameters, predicted.total_parameters) == (report.trainable, report.total)
    assert predicted.config_source == str(Path(run.model_source) / "config.json")


def test_qlora_trainable_parameters_equal_the_loaded_models(run_file, catalog):
    import importlib.util

    if importlib.util.find_spec("bitsandbytes") is None:
        pytest.skip("bitsandbytes is not installed (pip install 'tuneforge[quant]')")
    from tuneforge.core.model_loader import load_model, parameter_report
    from tuneforge.core.resolve import resolve

    overrides = ["adapter=qlora", "model.quantization=bnb-4bit"]
    predicted = estimate(run_file, catalog, *overrides)
    report = parameter_report(load_model(resolve(load_config(run_file, overrides), catalog),
                                         catalog.plugin_manager))
    assert (predicted.trainable_parameters, predicted.total_parameters) == (report.trainable, report.total)
    assert any("counted as LoRA" in note for note in predicted.assumptions)  # qlora wants a really quantized base


def test_a_built_variant_is_estimated_from_its_familys_tiny_config(catalog, tmp_path, monkeypatch):
    from transformers import LlamaConfig, LlamaForCausalLM

    from tuneforge.plugins.models.tiny_llama import TINY_CONFIG

    monkeypatch.setenv("TUNEFORGE_HOME", str(tmp_path / "fresh-home"))  # nothing built there
    root = tmp_path / "run"
    root.mkdir()
    path = write_run(root, Path("tiny-llama"))
    predicted = estimate(path, catalog, "model=tiny-llama", "adapter=full")
    import torch

    with torch.device("meta"):
        expected = sum(p.numel() for p in LlamaForCausalLM(LlamaConfig(**TINY_CONFIG)).parameters())
    assert predicted.total_parameters == predicted.trainable_parameters == expected
    assert predicted.config_source == "family tiny-llama tiny_config"
    assert not (tmp_path / "fresh-home" / "models").exists()  # nothing was built or loaded


# ---------------------------------------------------------------------------------------------------------------
# The parts follow the configuration
# ---------------------------------------------------------------------------------------------------------------


def test_weights_gradients_and_optimizer_states(run_file, catalog):
    lora = estimate(run_file, catalog, "adapter=lora")
    full = estimate(run_file, catalog, "adapter=full")
    assert full.part("weights") == 4 * full.total_parameters  # float32 on this CPU
    assert full.part("gradients") == 4 * full.trainable_parameters
    assert full.part("optimizer") == 2 * full.part("gradients")  # AdamW: two float32 states
    assert lora.part("gradients") == 4 * lora.trainable_parameters < full.part("gradients") / 10
    assert lora.part("weights") == 4 * lora.total_parameters  # base plus adapters
    eight_bit = estimate(run_file, catalog, "adapter=full", "training.optimizer=adamw_bnb_8bit")
    assert eight_bit.part("optimizer") == 2 * full.trainable_parameters
    assert estimate(run_file, catalog, "adapter=full", "training.optimizer=sgd").part("optimizer") == 0
    bf16 = estimate(run_file, catalog, "adapter=full", "model.dtype=bfloat16")
    assert bf16.part("weights") == full.part("weights") // 2


def test_quantized_weights_are_counted_packed(run_file, catalog):
    full_precision = estimate(run_file, catalog, "adapter=qlora")
    nf4 = estimate(run_file, catalog, "adapter=qlora", "model.quantization=bnb-4bit")
    nf4_plain = estimate(run_file, catalog, "adapter=qlora", "model.quantization={method: bnb-4bit, "
                                                             "double_quant: false}")
    linear = LAYERS * (HIDDEN * (HEADS * 32) * 2 + HIDDEN * (KV_HEADS * 32) * 2 + 3 * HIDDEN * INTER)
    rest = nf4.total_parameters - linear  # embeddings, norms, head and the LoRA adapters stay float32
    assert nf4.part("weights") == int(rest * 4 + linear * (0.5 + 1 / 64 + 4 / (64 * 256)))
    assert nf4_plain.part("weights") == int(rest * 4 + linear * (0.5 + 4 / 64))
    assert nf4.part("weights") < nf4_plain.part("weights") < full_precision.part("weights")
    assert nf4.quantizer == "bnb-4bit" and "linear layers bnb-4bit" in nf4.parts[0].detail


def test_activations_and_logits_follow_batch_checkpointing_and_loss(run_file, catalog):
    four = estimate(run_file, catalog, "training.batch_size=4")
    eight = estimate(run_file, catalog, "training.batch_size=8")
    assert eight.part("activations") == 2 * four.part("activations")
    assert eight.part("logits") == 2 * four.part("logits") == 2 * 3 * 4 * CUTOFF * VOCAB * 4
    checkpointed = estimate(run_file, catalog, "training.activation_checkpointing=true")
    assert checkpointed.part("activations") < eight.part("activations") / 2
    chunked = estimate(run_file, catalog, "training.loss=chunked", "training.loss_chunk_size=256")
    assert chunked.part("logits") == 3 * 256 * VOCAB * 4 + 8 * CUTOFF * HIDDEN * 4
    assert chunked.peak_bytes < eight.peak_bytes
    eager = estimate(run_file, catalog, "model.attn_implementation=eager")
    assert eager.part("activations") > eight.part("activations")  # the seq x seq attention weights


def test_an_unreadable_hub_config_falls_back_to_an_assumed_shape(catalog, tmp_path):
    hub_variants = [v for entry in catalog.items("model") for v in entry.spec.variants if v.hub_id]
    if not hub_variants:
        pytest.skip("no registered variant with a hub id")
    variant = min(hub_variants, key=lambda v: abs(v.params - 7))
    root = tmp_path / "run"
    root.mkdir()
    predicted = estimate(write_run(root, Path(variant.name)), catalog, f"model={variant.name}")
    if not predicted.config_source.startswith("assumed"):
        pytest.skip(f"the config of {variant.hub_id} is in the local hub cache")
    assert any(note.startswith(f"no config.json for {variant.hub_id} offline") for note in predicted.assumptions)
    assert predicted.total_parameters > 0.3e9


def test_cli_prints_the_table_and_json(run_file, catalog):
    import typer
    from typer.testing import CliRunner

    from tuneforge.cli import estimate_cmd

    app = typer.Typer()
    app.command()(estimate_cmd.estimate)
    result = CliRunner().invoke(app, [str(run_file), "training.batch_size=2", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data["parts"]) == {"weights", "gradients", "optimizer", "activations", "logits"}
    assert data["batch_size"] == 2 and data["peak_bytes"] == data["training_bytes"] + data["parts"]["weights"]["bytes"]
    table = CliRunner().invoke(app, [str(run_file)])
    assert table.exit_code == 0 and "peak" in table.output and "trainable parameters" in table.output


# ---------------------------------------------------------------------------------------------------------------
# Against measured memory
# ---------------------------------------------------------------------------------------------------------------

MEASURED = [
    ["adapter=lora", "training.batch_size=1"],
    ["adapter=lora", "training.batch_size=8"],
    ["adapter=lora", "training.batch_size=8", "training.activation_checkpointing=true"],
    ["adapter=full", "training.batch_size=1"],
    ["adapter=full", "training.batch_size=8"],
    ["adapter=full", "training.batch_size=8", "training.activation_checkpointing=true"],
    ["adapter=lora", "training.batch_size=8", "training.loss=chunked", "training.loss_chunk_size=256"],
]
TOLERANCE = 0.25

# One process trains every configuration; around trainer.train() it records the RSS once the weights are loaded and
# one 8-token forward/backward pass has loaded the kernels' code pages (the baseline), then resets the kernel's peak
# RSS counter (VmHWM) and reads it when training ends.
CHILD = r"""
import gc, json, re, sys
from contextlib import ExitStack

def status(key):
    return int(re.search(key + r":\s+(\d+) kB", open("/proc/self/status").read()).group(1)) * 1024

class Probe:
    def on_train_begin(self, args, state, control, model=None, **kwargs):
        import torch
        ids = torch.ones(1, 8, dtype=torch.long)
        model(input_ids=ids, labels=ids).loss.backward()
        model.zero_grad(set_to_none=True)
        gc.collect()
        self.baseline = status("VmRSS")
        open("/proc/self/clear_refs", "w").write("5")
    def on_train_end(self, args, state, control, **kwargs):
        RESULTS.append({"baseline": self.baseline, "peak": status("VmHWM")})

RESULTS = []
import tuneforge.core.training as training
original = training.builtin_callbacks
training.builtin_callbacks = lambda *a, **k: original(*a, **k) + [training.as_trainer_callback(Probe)]
from tuneforge.core.pipeline import run_training
from tuneforge.plugins.adapters import full
from tuneforge.registry import get_catalog, temporary_plugin
config, runs = sys.argv[1], json.loads(sys.argv[2])
with ExitStack() as stack:
    if get_catalog().find("adapter", "full") is None:
        stack.enter_context(temporary_plugin(full, "full", kind="adapter", distribution="tuneforge"))
    for overrides in runs:
        outcome = run_training(config, overrides, show_progress=False)
        del outcome
        gc.collect()
print(json.dumps(RESULTS))
"""


@pytest.mark.slow
def test_estimate_matches_the_measured_peak_memory_of_real_runs(run_file, catalog):
    """Within 25% of the training-time increase of the process's RSS. glibc's default malloc keeps freed buffers in
    its heap (RSS then ran 20-95% above the live tensors); a fixed mmap threshold returns them, so RSS measures the
    memory training holds, which is what the estimate predicts."""
    env = dict(os.environ, MALLOC_MMAP_THRESHOLD_="131072", OMP_NUM_THREADS="1")
    result = subprocess.run([sys.executable, "-c", CHILD, str(run_file), json.dumps(MEASURED)], env=env,
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr[-4000:]
    measured = json.loads(result.stdout.strip().splitlines()[-1])
    rows, failures = [], []
    for overrides, memory in zip(MEASURED, measured):
        predicted = estimate(run_file, catalog, *overrides).training_bytes
        increase = memory["peak"] - memory["baseline"]
        error = (predicted - increase) / increase
        rows.append(f"{' '.join(overrides):85s} estimate {predicted / 2**20:7.1f} MiB  measured "
                    f"{increase / 2**20:7.1f} MiB  {100 * error:+.0f}%")
        if abs(error) > TOLERANCE:
            failures.append(rows[-1])
    print("\n".join(rows))
    assert not failures, "\n".join(["estimate off by more than 25%:"] + failures + ["all:"] + rows)
