"""Steps/s, trainable parameters and peak memory of every adapter method, on one ~25M-parameter Llama built from a
config (random weights), on this machine, in one run.

Run: `OMP_NUM_THREADS=1 python bench/methods.py [--steps 5] [--batch 4] [--seq 128] [--only lora,full]`.
The model is built once and saved to a temporary folder. Each method then runs in a fresh subprocess, so that peak
memory (max RSS from `resource.getrusage`) does not mix between methods: it loads the folder (4-bit NF4 through
bitsandbytes for qlora), applies the method's real `prepare`, builds the optimizer the way `tune train` does
(`configure_training`, then the method's `optimizer`, else the Trainer's default), runs warm-up steps and then the timed
steps on one repeated random batch. Methods whose optional package is missing (bitsandbytes, galore-torch) are
listed as skipped. The table also gives the resident memory after `prepare`, so the training overhead (activations,
gradients, optimizer state) is the difference, and the machine's load average before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# ~25.8M parameters: 6 layers x 2.9M + embeddings and head of 8192 x 512 each.
MODEL = {"vocab_size": 8192, "hidden_size": 512, "intermediate_size": 1376, "num_hidden_layers": 6,
         "num_attention_heads": 8, "num_key_value_heads": 4, "max_position_embeddings": 512,
         "tie_word_embeddings": False}

# (label, method, options, needs): one row each.
ROWS = [
    ("full", "full", {}, None),
    ("freeze (last 2 layers)", "freeze", {"layers": 2}, None),
    ("lora r16", "lora", {"r": 16, "alpha": 32}, None),
    ("lora r16 + rslora", "lora", {"r": 16, "alpha": 32, "rslora": True}, None),
    ("lora r16 + dora", "lora", {"r": 16, "alpha": 32, "dora": True}, None),
    ("lora r16 + lora+ x16", "lora", {"r": 16, "alpha": 32, "loraplus_ratio": 16}, None),
    ("lora r16, pissa init", "lora", {"r": 16, "alpha": 32, "init": "pissa_niter_4"}, None),
    ("qlora r16 (bnb nf4)", "qlora", {"r": 16, "alpha": 32}, "bitsandbytes"),
    ("galore rank 64", "galore", {"rank": 64}, "galore_torch"),
    ("galore rank 64 layerwise", "galore", {"rank": 64, "layerwise": True}, "galore_torch"),
    ("badam (1 layer per block)", "badam", {"switch_every": 50}, None),
    ("oft block 32", "oft", {"block_size": 32}, None),
    ("llama-pro (+2 blocks)", "llama-pro", {"new_layers": 2}, None),
]
MODULES = {"full": "full", "freeze": "freeze", "lora": "lora", "qlora": "qlora", "galore": "galore",
           "badam": "badam", "oft": "oft", "llama-pro": "llama_pro"}


def build_model(folder: Path) -> int:
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    model = LlamaForCausalLM(LlamaConfig(**MODEL))
    with torch.no_grad():
        model.lm_head.weight.normal_(0.0, MODEL["hidden_size"] ** -0.5)
    model.save_pretrained(folder)
    return model.num_parameters()


def resident_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def make_run(spec, options: dict, output_dir: Path):
    from tuneforge.core.config import RunConfig, validate_options
    from tuneforge.core.resolve import ResolvedRun
    from tuneforge.plugins.stages.sft import SFT

    config = RunConfig.model_validate({"model": "bench", "data": {"datasets": ["bench"]},
                                       "output_dir": str(output_dir), "seed": 0})
    return ResolvedRun(config=config, config_path=output_dir / "run.yaml", family=None, variant=None,
                       model_source="bench", template=None, adapter=spec,
                       adapter_options=validate_options(spec.options, options, "adapter"), stage=SFT,
                       stage_options=None, datasets=(), plugins=())


def worker(method: str, options: dict, folder: Path, steps: int, warmup: int, batch: int, seq: int) -> dict:
    """One method in this (fresh) process; returns the measurements."""
    import importlib
    import resource
    import warnings

    import torch
    from transformers import AutoModelForCausalLM, BitsAndBytesConfig, Trainer, TrainingArguments

    from tuneforge.core.model_loader import parameter_report

    warnings.simplefilter("ignore")
    module = importlib.import_module(f"tuneforge.plugins.adapters.{MODULES[method]}")
    spec = next(value for value in vars(module).values() if getattr(value, "name", None) == method
                and hasattr(value, "prepare"))
    scratch = Path(tempfile.mkdtemp(prefix="bench-methods-"))
    run = make_run(spec, options, scratch)
    quantization = None
    if method == "qlora":
        quantization = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4",
                                          bnb_4bit_compute_dtype=torch.float32)
    model = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32, device_map="cpu",
                                                 quantization_config=quantization)
    model = spec.prepare(model, run.adapter_options, run)
    report = parameter_report(model)
    after_prepare = resident_mb()

    arguments = {"output_dir": str(scratch / "checkpoints"), "use_cpu": True, "learning_rate": 1e-4,
                 "weight_decay": 0.0, "optim": "adamw_torch", "seed": 0, "report_to": []}
    if spec.configure_training is not None:
        arguments = spec.configure_training(run.adapter_options, dict(arguments), run)
    optimizer = spec.optimizer(model, run.adapter_options, arguments) if spec.optimizer else None
    if optimizer is None:  # what Trainer.create_optimizer does
        optimizer_cls, kwargs = Trainer.get_optimizer_cls_and_kwargs(TrainingArguments(**arguments), model)
        params = kwargs.pop("params", None) or [p for p in model.parameters() if p.requires_grad]
        if "optimizer_dict" in kwargs:  # layer-wise GaLore: updates happen in gradient hooks during backward
            params = kwargs.pop("optimizer_dict")
        optimizer = optimizer_cls(params, **kwargs)

    generator = torch.Generator().manual_seed(0)
    ids = torch.randint(0, MODEL["vocab_size"], (batch, seq), generator=generator)
    model.train()
    losses = []

    def step() -> None:
        loss = model(input_ids=ids, labels=ids).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        losses.append(loss.item())

    for _ in range(warmup):
        step()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    return {"steps_per_s": steps / elapsed, "trainable": report.trainable, "total": report.total,
            "share": report.share, "rss_after_prepare_mb": after_prepare, "peak_rss_mb": peak,
            "first_loss": losses[0], "last_loss": losses[-1]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=5, help="timed optimizer steps per method")
    parser.add_argument("--warmup", type=int, default=1, help="untimed steps first (GaLore's first SVD is here)")
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--seq", type=int, default=128)
    parser.add_argument("--only", default="", help="comma-separated methods (e.g. lora,full); default all")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--options", help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ["HF_HUB_OFFLINE"] = "1"

    if args.worker:
        result = worker(args.worker, json.loads(args.options), Path(args.folder), args.steps, args.warmup,
                        args.batch, args.seq)
        print(json.dumps(result))
        return 0

    import importlib.util

    only = {name.strip() for name in args.only.split(",") if name.strip()}
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="bench-methods-model-") as folder:
        total = build_model(Path(folder))
        print(f"model: Llama {MODEL['num_hidden_layers']} layers, hidden {MODEL['hidden_size']}, vocab "
              f"{MODEL['vocab_size']}: {total / 1e6:.1f}M parameters, float32; batch {args.batch} x {args.seq} tokens, "
              f"{args.warmup} warm-up + {args.steps} timed steps, OMP_NUM_THREADS={os.environ['OMP_NUM_THREADS']}, "
              f"{os.cpu_count()} CPUs, load average {load_before[0]:.2f}", flush=True)
        rows = []
        for label, method, options, needs in ROWS:
            if only and method not in only:
                continue
            if needs and importlib.util.find_spec(needs) is None:
                rows.append((label, None, f"skipped: {needs} not installed"))
                continue
            command = [sys.executable, __file__, "--worker", method, "--options", json.dumps(options),
                       "--folder", folder, "--steps", str(args.steps), "--warmup", str(args.warmup),
                       "--batch", str(args.batch), "--seq", str(args.seq)]
            done = subprocess.run(command, capture_output=True, text=True)
            if done.returncode != 0:
                rows.append((label, None, "failed: " + (done.stderr.strip().splitlines() or ["?"])[-1][:120]))
            else:
                rows.append((label, json.loads(done.stdout.strip().splitlines()[-1]), ""))
            print(f"  {label}: done", file=sys.stderr, flush=True)
    load_after = os.getloadavg()

    header = (f"| {'method':<27} | {'steps/s':>7} | {'trainable':>11} | {'share':>7} | {'RSS after prepare':>17} "
              f"| {'peak RSS':>8} | {'loss first -> last':>18} |")
    print(header)
    print("|" + "|".join("-" * (len(part)) for part in header.split("|")[1:-1]) + "|")
    for label, result, note in rows:
        if result is None:
            print(f"| {label:<27} | {note}")
            continue
        print(f"| {label:<27} | {result['steps_per_s']:>7.2f} | {result['trainable']:>11,} | "
              f"{100 * result['share']:>6.2f}% | {result['rss_after_prepare_mb']:>14.0f} MB | "
              f"{result['peak_rss_mb']:>5.0f} MB | {result['first_loss']:>7.3f} -> {result['last_loss']:>7.3f} |")
    print(f"load average (1 min): {load_before[0]:.2f} before, {load_after[0]:.2f} after")
    return 0


if __name__ == "__main__":
    sys.exit(main())
