"""One test per hook (each named `test_hook_<hook>`), plus the meta-tests that keep it that way:
every hook is documented, and every hook has a test here."""

from __future__ import annotations

import inspect
import sys
import types

import pytest

from tuneforge.core import (
    AdapterMethod,
    Benchmark,
    DatasetFormat,
    DatasetSpec,
    ModelFamily,
    ModelVariant,
    Quantizer,
    Record,
    RewardFunction,
    TrainingStage,
    hookimpl,
    hookspecs,
)
from tuneforge.core.kinds import KINDS
from tuneforge.registry import get_catalog, temporary_plugin

HOOKS = sorted(name for name, value in vars(hookspecs).items() if hasattr(value, "tuneforge_spec"))


def plugin(**hooks) -> types.ModuleType:
    module = types.ModuleType("hook_test_plugin")
    for name, function in hooks.items():
        setattr(module, name, hookimpl(function))
    return module


def registered_through(hook: str, kind: str, spec):
    def hook_function(register):
        register(spec)

    hook_function.__name__ = hook
    with temporary_plugin(plugin(**{hook: hook_function}), "hook-test") as catalog:
        entry = catalog.get(kind, spec.name)
        assert entry.spec is spec
        assert entry.plugin.name == "hook-test"
        assert catalog.plugin("hook-test").registered == {kind: [spec.name]}


# -- meta-tests ------------------------------------------------------------------------------------------------


def test_every_hook_is_documented():
    for name in HOOKS:
        doc = inspect.getdoc(getattr(hookspecs, name)) or ""
        assert len(doc) > 80, f"hook {name} needs a reference docstring"
        assert "Parameters:" in doc and "Returns:" in doc and "Since:" in doc, f"hook {name}: incomplete docstring"


def test_every_hook_has_a_test():
    here = sys.modules[__name__]
    missing = [name for name in HOOKS if not callable(getattr(here, f"test_hook_{name}", None))]
    assert missing == [], f"hooks without a test_hook_<name> here: {missing}"


def test_every_registration_hook_has_a_kind():
    registration = {name for name in HOOKS if name.startswith("register_")}
    assert registration == {kind.hook for kind in KINDS}


def test_plugin_manager_has_no_unknown_hooks():
    get_catalog().plugin_manager.check_pending()


# -- registration hooks ------------------------------------------------------------------------------------------


def test_hook_register_models():
    spec = ModelFamily(name="hooked", architecture="llama", template="chatml",
                       variants=(ModelVariant("hooked-1b", "org/hooked-1b", 1.0, 4096),))
    registered_through("register_models", "model", spec)


def test_hook_register_templates():
    from tuneforge.registry import get_catalog

    existing = get_catalog().spec("template", "chatml")
    import dataclasses

    registered_through("register_templates", "template", dataclasses.replace(existing, name="hooked-chatml"))


def test_hook_register_dataset_formats():
    spec = DatasetFormat(name="hooked-format", align=lambda row, columns, tags: Record(text=row["text"]),
                         produces=("text",))
    registered_through("register_dataset_formats", "format", spec)


def test_hook_register_datasets():
    registered_through("register_datasets", "dataset", DatasetSpec(name="hooked-data", format="alpaca",
                                                                   hub_id="org/hooked-data"))


def test_hook_register_adapters():
    registered_through("register_adapters", "adapter",
                       AdapterMethod(name="hooked-adapter", prepare=lambda model, options, run: model))


def test_hook_register_stages():
    registered_through("register_stages", "stage", TrainingStage(name="hooked-stage", build_trainer=lambda ctx: None))


def test_hook_register_quantizers():
    registered_through("register_quantizers", "quantizer", Quantizer(name="hooked-q", build_config=lambda o: None))


def test_hook_register_rewards():
    registered_through("register_rewards", "reward",
                       RewardFunction(name="hooked-reward", score=lambda prompts, completions, **kw: [0.0]))


def test_hook_register_benchmarks():
    registered_through("register_benchmarks", "benchmark", Benchmark(name="hooked-bench", evaluate=lambda ctx: {}))


# -- lifecycle hooks: called through pluggy on every loaded plugin --------------------------------------------------


def call_through_pluggy(hook: str, implementation, **kwargs):
    """Register `implementation` as `hook` on a throwaway plugin and call the hook as the pipeline does."""
    throwaway = plugin(**{hook: implementation})
    with temporary_plugin(throwaway, "lifecycle-test") as catalog:
        pm = catalog.plugin_manager
        # Only the throwaway plugin: the built-ins' hooks expect a real run, not the strings used here.
        others = [p for p in pm.get_plugins() if p is not throwaway]
        return pm.subset_hook_caller(hook, remove_plugins=others)(**kwargs)


def test_hook_prepare_model_config():
    def prepare_model_config(run, config):
        config.rope_scaling = {"type": "linear", "factor": 2.0, "for": run}

    config = types.SimpleNamespace(rope_scaling=None)
    call_through_pluggy("prepare_model_config", prepare_model_config, run="the-run", config=config)
    assert config.rope_scaling == {"type": "linear", "factor": 2.0, "for": "the-run"}


def test_hook_prepare_tokenizer():
    def prepare_tokenizer(run, tokenizer):
        tokenizer.padding_side = "left"

    tokenizer = types.SimpleNamespace(padding_side="right")
    call_through_pluggy("prepare_tokenizer", prepare_tokenizer, run="the-run", tokenizer=tokenizer)
    assert tokenizer.padding_side == "left"


def test_hook_prepare_model():
    def prepare_model(run, model):
        model.patched_by = run

    model = types.SimpleNamespace()
    call_through_pluggy("prepare_model", prepare_model, run="the-run", model=model)
    assert model.patched_by == "the-run"


def test_hook_trainer_callbacks():
    def trainer_callbacks(run):
        return [f"callback-for-{run}"]

    assert call_through_pluggy("trainer_callbacks", trainer_callbacks, run="the-run") == [["callback-for-the-run"]]


@pytest.mark.parametrize("hook", [h for h in HOOKS if not h.startswith("register_")])
def test_lifecycle_hook_is_called_by_the_pipeline(hook):
    """The pipeline really calls each lifecycle hook (guards against a hook documented but never invoked)."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "core"
    sources = "".join(p.read_text() for p in root.glob("*.py"))
    assert f"hook.{hook}(" in sources
