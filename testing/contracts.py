"""The contracts every plugin must meet (more come with each plugin kind: a model trains, a template matches ...)."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys

HEAVY_MODULES = ("torch", "transformers", "peft", "trl", "datasets", "accelerate")


def check_plugin_loads(name: str, catalog=None):
    """The plugin imported, its hooks ran and its specs passed the catalog's checks (status `ok`)."""
    from tuneforge.registry import get_catalog

    info = (catalog or get_catalog()).plugin(name)
    assert info.status == "ok", f"{info.label} is {info.status}: {info.reason}\n{info.traceback}"
    return info


def check_specs_revalidate(name: str, catalog=None) -> int:
    """Every spec the plugin registered validates again when rebuilt (specs are frozen, validation is not skipped),
    and is reachable in the catalog under its name. Returns the number of specs checked."""
    from tuneforge.registry import get_catalog

    catalog = catalog or get_catalog()
    info = check_plugin_loads(name, catalog)
    checked = 0
    for kind, names in info.registered.items():
        for spec_name in names:
            entry = catalog.get(kind, spec_name)
            assert entry.plugin is info, f"{kind} {spec_name!r} resolves to {entry.plugin.label}, not {info.label}"
            rebuilt = dataclasses.replace(entry.spec)
            assert rebuilt == entry.spec
            checked += 1
    assert checked or not info.registered, f"{info.label} registered nothing"
    return checked


def check_imports_without_torch(module: str) -> None:
    """Importing the plugin module (in a fresh interpreter) imports none of the heavy training libraries."""
    code = (f"import importlib, json, sys; importlib.import_module({module!r}); "
            f"print(json.dumps([m for m in {list(HEAVY_MODULES)!r} if m in sys.modules]))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"importing {module} failed:\n{result.stderr}"
    heavy = json.loads(result.stdout.strip().splitlines()[-1])
    assert not heavy, f"importing {module} imported {', '.join(heavy)}; import them inside the functions that need them"


class PluginContract:
    """Subclass in a pack's tests and set `plugin` to the entry-point name; pytest runs the inherited tests."""

    plugin: str = ""

    def test_plugin_loads(self):
        check_plugin_loads(self.plugin)

    def test_specs_revalidate(self):
        check_specs_revalidate(self.plugin)

    def test_imports_without_torch(self):
        from tuneforge.registry import get_catalog

        check_imports_without_torch(get_catalog().plugin(self.plugin).module)


# ---------------------------------------------------------------------------------------------------------------
# Model families: the tiny configuration builds, takes its adapter, trains a step, and the adapter reloads
# ---------------------------------------------------------------------------------------------------------------


class ArchitectureUnavailable(Exception):
    """The installed transformers cannot build this architecture (the reason says why)."""


def build_tiny_model(family, seed: int = 0):
    """A random-weight causal LM of the family's architecture from its `tiny_config` (no download)."""
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # one bar per tiny save/load drowns the test output
    try:
        config = AutoConfig.for_model(family.architecture, **dict(family.tiny_config))
    except (KeyError, ValueError):
        import transformers

        # transformers' own message lists every model type it knows: too long to be a reason
        raise ArchitectureUnavailable(f"transformers {transformers.__version__} has no architecture "
                                      f"'{family.architecture}' (it needs the model's remote code)") from None
    torch.manual_seed(seed)
    try:
        model = AutoModelForCausalLM.from_config(config)
    except ValueError as exc:
        raise ArchitectureUnavailable(f"no causal-LM class for '{family.architecture}': {exc}") from None
    return model.float().eval()


def linear_module_names(model) -> set[str]:
    import torch

    return {name.rsplit(".", 1)[-1] for name, module in model.named_modules() if isinstance(module, torch.nn.Linear)}


def check_model_family_trains(family, workdir) -> dict:
    """Build the tiny model, attach LoRA on the declared targets (which must exist), run one optimizer step with
    a finite loss that changes the adapter, save and reload the adapter and get the same logits.

    Returns figures for reports: parameter counts, the loss, the largest logit difference after reloading.
    Raises ArchitectureUnavailable when transformers lacks the architecture; AssertionError on a failed check.
    """
    from pathlib import Path

    import torch
    from peft import LoraConfig, PeftModel, get_peft_model

    workdir = Path(workdir)
    base = build_tiny_model(family)
    base.save_pretrained(workdir / "base")
    targets = list(family.lora_targets) or "all-linear"
    if targets != "all-linear":
        missing = sorted(set(targets) - linear_module_names(base))
        assert not missing, (f"model family '{family.name}': lora_targets {missing} are not linear layers of "
                             f"'{family.architecture}' (it has: {', '.join(sorted(linear_module_names(base)))})")
    model = get_peft_model(base, LoraConfig(r=4, lora_alpha=8, target_modules=targets, task_type="CAUSAL_LM"))
    vocab = base.config.vocab_size
    generator = torch.Generator().manual_seed(0)
    ids = torch.randint(3, min(vocab, 500), (2, 16), generator=generator)
    before = {n: p.detach().clone() for n, p in model.named_parameters() if p.requires_grad}
    assert before, f"model family '{family.name}': LoRA made no parameter trainable"
    model.train()
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-2)
    loss = model(input_ids=ids, labels=ids).loss
    assert torch.isfinite(loss), f"model family '{family.name}': loss is {loss.item()}"
    loss.backward()
    optimizer.step()
    changed = [n for n, p in model.named_parameters() if p.requires_grad and not torch.equal(p, before[n])]
    assert changed, f"model family '{family.name}': the optimizer step changed no adapter weight"
    model.eval()
    model.save_pretrained(workdir / "adapter")
    with torch.no_grad():
        expected = model(input_ids=ids).logits
        reloaded = PeftModel.from_pretrained(
            type(base).from_pretrained(workdir / "base", dtype=torch.float32), workdir / "adapter").eval()
        difference = (reloaded(input_ids=ids).logits - expected).abs().max().item()
    assert difference < 1e-4, f"model family '{family.name}': reloaded adapter changes logits by {difference}"
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    return {"architecture": family.architecture, "loss": round(loss.item(), 4), "trainable": trainable,
            "total": sum(p.numel() for p in model.parameters()), "max_logit_difference": difference}


class ModelFamilyContract(PluginContract):
    """PluginContract plus, for each model family the plugin registers, `check_model_family_trains`."""

    def test_model_families_train(self, tmp_path):
        from tuneforge.registry import get_catalog

        catalog = get_catalog()
        names = catalog.plugin(self.plugin).registered.get("model", [])
        assert names, f"plugin '{self.plugin}' registers no model family"
        for name in names:
            check_model_family_trains(catalog.spec("model", name), tmp_path / name)
