"""Guarded loading, conflicts, API versions and the environment switches, with throwaway in-process plugins."""

from __future__ import annotations

import types

import pytest

from tuneforge.core import (
    AdapterMethod,
    ModelFamily,
    ModelVariant,
    NotFoundError,
    PluginError,
    hookimpl,
)
from tuneforge.registry import get_catalog, temporary_plugin


def plugin(name: str, **hooks) -> types.ModuleType:
    """A module-like plugin object whose functions are hook implementations."""
    module = types.ModuleType(name)
    for hook_name, function in hooks.items():
        setattr(module, hook_name, hookimpl(function))
    return module


def family(name: str, template: str = "llama3", variant: str | None = None) -> ModelFamily:
    return ModelFamily(name=name, architecture="llama", template=template,
                       variants=(ModelVariant(variant or f"{name}-1b", f"org/{name}-1b", 1.0, 2048),))


def registering(*specs):
    def register_models(register):
        for spec in specs:
            register(spec)
    return register_models


def test_builtin_plugins_all_load():
    catalog = get_catalog()
    problems = [(p.name, p.status, p.reason) for p in catalog.plugins if p.distribution == "tuneforge"
                and p.status != "ok"]
    assert problems == []
    assert {"llama3", "tiny-llama"} <= set(catalog.names("model"))
    assert catalog.get("variant", "llama3-8b-instruct").spec.name == "llama3"


def test_registered_spec_names_its_plugin_and_distribution():
    with temporary_plugin(plugin("acme", register_models=registering(family("acme"))), "acme",
                          distribution="tuneforge-acme", version="1.2.3") as catalog:
        entry = catalog.get("model", "acme")
        assert entry.plugin.distribution == "tuneforge-acme"
        assert entry.plugin.version == "1.2.3"
        assert catalog.get("variant", "acme-1b").spec is entry.spec
        assert catalog.plugin("acme").registered == {"model": ["acme"]}


def test_hook_that_raises_marks_only_that_plugin_broken():
    def register_models(register):
        raise RuntimeError("kaboom")

    with temporary_plugin(plugin("bad", register_models=register_models), "bad") as catalog:
        info = catalog.plugin("bad")
        assert info.status == "broken"
        assert "register_models raised RuntimeError: kaboom" in info.reason
        assert "Traceback" in info.traceback
        assert catalog.plugin("llama").status == "ok"


def test_invalid_spec_type_marks_plugin_broken_and_registers_nothing():
    def register_models(register):
        register(family("half"))  # registered before the failure: must not survive
        register({"name": "not-a-spec"})

    with temporary_plugin(plugin("half", register_models=register_models), "half") as catalog:
        assert catalog.plugin("half").status == "broken"
        assert "expected a tuneforge.core.ModelFamily" in catalog.plugin("half").reason
        assert "half" not in catalog.names("model")


def test_spec_referencing_a_missing_template_is_broken_with_the_reason():
    spec = family("orphan", template="no-such-template")
    with temporary_plugin(plugin("orphan", register_models=registering(spec)), "orphan") as catalog:
        info = catalog.plugin("orphan")
        assert info.status == "broken"
        assert "no-such-template" in info.reason
        with pytest.raises(NotFoundError) as excinfo:
            catalog.get("model", "orphan")
        assert "did not load" in str(excinfo.value)


def test_misspelled_hook_name_is_reported_with_a_suggestion():
    module = plugin("typo")
    module.register_model = hookimpl(lambda register: None)
    with temporary_plugin(module, "typo") as catalog:
        info = catalog.plugin("typo")
        assert info.status == "broken"
        assert "unknown hook 'register_model'" in info.reason
        assert "register_models" in info.reason


def test_incompatible_api_version_is_not_loaded():
    module = plugin("future", register_models=registering(family("future")))
    module.tuneforge_api = ">=2.0"
    with temporary_plugin(module, "future") as catalog:
        info = catalog.plugin("future")
        assert info.status == "incompatible"
        assert ">=2.0" in info.reason
        assert "future" not in catalog.names("model")


def test_compatible_api_version_loads():
    module = plugin("present", register_models=registering(family("present")))
    module.tuneforge_api = ">=1.0,<2"
    with temporary_plugin(module, "present") as catalog:
        assert catalog.plugin("present").status == "ok"
        assert catalog.plugin("present").api == ">=1.0,<2"


def test_duplicate_name_is_a_conflict_naming_both_distributions():
    first = plugin("one", register_models=registering(family("twin", variant="twin-a")))
    second = plugin("two", register_models=registering(family("twin", variant="twin-b"), family("solo")))
    with temporary_plugin(first, "one", distribution="pack-one"):
        with temporary_plugin(second, "two", distribution="pack-two") as catalog:
            with pytest.raises(PluginError) as excinfo:
                catalog.get("model", "twin")
            message = str(excinfo.value)
            assert "pack-one" in message and "pack-two" in message
            assert "TUNEFORGE_DISABLE_PLUGINS" in message
            assert catalog.plugin("one").status == "conflict"
            assert catalog.get("model", "solo").plugin.name == "two"  # the rest of the plugin still works


def test_duplicate_variant_name_across_families_is_a_conflict():
    first = plugin("va", register_models=registering(family("fam-a", variant="shared-1b")))
    second = plugin("vb", register_models=registering(family("fam-b", variant="shared-1b")))
    with temporary_plugin(first, "va"), temporary_plugin(second, "vb") as catalog:
        with pytest.raises(PluginError):
            catalog.get("variant", "shared-1b")


def test_disable_switch_resolves_a_conflict(monkeypatch):
    first = plugin("keep", register_models=registering(family("clash", variant="clash-a")))
    second = plugin("drop", register_models=registering(family("clash", variant="clash-b")))
    monkeypatch.setenv("TUNEFORGE_DISABLE_PLUGINS", "drop")
    with temporary_plugin(first, "keep"), temporary_plugin(second, "drop") as catalog:
        assert catalog.get("model", "clash").plugin.name == "keep"
        assert catalog.plugin("drop").status == "disabled"


def test_disable_switch_accepts_a_distribution_name(monkeypatch):
    monkeypatch.setenv("TUNEFORGE_DISABLE_PLUGINS", "whole-pack")
    with temporary_plugin(plugin("p1", register_models=registering(family("p1"))), "p1",
                          distribution="whole-pack") as catalog:
        assert catalog.plugin("p1").status == "disabled"
        with pytest.raises(NotFoundError):
            catalog.get("model", "p1")


def test_only_switch_disables_everything_else(monkeypatch):
    monkeypatch.setenv("TUNEFORGE_PLUGINS", "llama3,lora")
    catalog = get_catalog(refresh=True)
    assert catalog.plugin("llama3").status == "ok"
    assert catalog.plugin("sft").status == "disabled"
    assert "TUNEFORGE_PLUGINS" in catalog.plugin("sft").reason


def test_strict_switch_makes_a_broken_plugin_fatal(monkeypatch):
    def register_models(register):
        raise RuntimeError("kaboom")

    monkeypatch.setenv("TUNEFORGE_STRICT_PLUGINS", "1")
    with pytest.raises(PluginError) as excinfo:
        with temporary_plugin(plugin("fatal", register_models=register_models), "fatal"):
            pass
    assert "fatal" in str(excinfo.value) and "kaboom" in str(excinfo.value)


def test_not_found_suggests_the_closest_name():
    with pytest.raises(NotFoundError) as excinfo:
        get_catalog().get("adapter", "lroa")
    assert "did you mean `lora`" in str(excinfo.value)


def test_same_module_under_two_kinds_loads_once():
    spec = AdapterMethod(name="twice", prepare=lambda model, options, run: model)

    def register_adapters(register):
        register(spec)

    module = plugin("twice", register_models=registering(family("twice")), register_adapters=register_adapters)
    with temporary_plugin(module, "twice") as catalog:
        info = catalog.plugin("twice")
        assert info.registered == {"model": ["twice"], "adapter": ["twice"]}


def test_only_plugins_with_lifecycle_hooks_are_registered_with_pluggy():
    def prepare_model(run, model):
        pass

    lifecycle = plugin("lifecycle", register_models=registering(family("lifecycle")), prepare_model=prepare_model)
    registration_only = plugin("regonly", register_models=registering(family("regonly")))
    with temporary_plugin(lifecycle, "lifecycle"), temporary_plugin(registration_only, "regonly") as catalog:
        assert catalog.plugin_manager.is_registered(lifecycle)
        assert not catalog.plugin_manager.is_registered(registration_only)
        assert catalog.get("model", "regonly").plugin.status == "ok"


def test_registration_hook_with_wrong_arguments_is_broken():
    with temporary_plugin(plugin("wrongargs", register_models=lambda reg: None), "wrongargs") as catalog:
        info = catalog.plugin("wrongargs")
        assert info.status == "broken"
        assert "must take exactly one argument named `register`" in info.reason


def test_lifecycle_hook_with_wrong_arguments_is_broken():
    with temporary_plugin(plugin("wrongmodel", prepare_model=lambda run, modle: None), "wrongmodel") as catalog:
        info = catalog.plugin("wrongmodel")
        assert info.status == "broken"
        assert "hook validation failed" in info.reason


def test_conflict_advice_selects_exactly_one_plugin_when_entry_names_collide(monkeypatch):
    spec = family("same", variant="same-a")
    first = plugin("samename", register_models=registering(spec))
    second = plugin("samename", register_models=registering(family("same", variant="same-b")))
    with temporary_plugin(first, "samename", distribution="pack-a"), \
            temporary_plugin(second, "samename", distribution="pack-b") as catalog:
        message = catalog.plugin("pack-a:samename").reason
        assert "TUNEFORGE_DISABLE_PLUGINS=pack-b:samename" in message
        with pytest.raises(PluginError, match="pack-a:samename, pack-b:samename"):
            catalog.plugin("samename")
        monkeypatch.setenv("TUNEFORGE_DISABLE_PLUGINS", "pack-b:samename")
        catalog = get_catalog(refresh=True)
        assert catalog.get("model", "same").plugin.distribution == "pack-a"


def test_switches_see_every_listing_of_a_module(monkeypatch):
    from tuneforge.registry.discovery import PluginSource, disabled_reason

    listings = [PluginSource("goodnet", "model", "m", "pack", "1"), PluginSource("goodnet", "dataset", "m", "pack", "1")]
    monkeypatch.setenv("TUNEFORGE_DISABLE_PLUGINS", "dataset:goodnet")
    assert disabled_reason(listings) == "disabled by TUNEFORGE_DISABLE_PLUGINS"
    monkeypatch.delenv("TUNEFORGE_DISABLE_PLUGINS")
    monkeypatch.setenv("TUNEFORGE_PLUGINS", "dataset:goodnet")
    assert disabled_reason(listings) is None


def test_unknown_model_names_the_broken_plugins_that_might_have_had_it(tmp_path):
    from tuneforge.core.config import load_config
    from tuneforge.core.resolve import resolve

    def register_models(register):
        raise RuntimeError("kaboom")

    config = tmp_path / "run.yaml"
    config.write_text("model: ghost-7b\ndata: {datasets: [tuneforge_demo]}\noutput_dir: out\n")
    with temporary_plugin(plugin("ghost", register_models=register_models), "ghost") as catalog:
        with pytest.raises(NotFoundError) as excinfo:
            resolve(load_config(config), catalog)
    assert "plugin 'ghost'" in str(excinfo.value) and "kaboom" in str(excinfo.value)


def test_a_bad_name_fails_before_the_local_model_is_built(tmp_path, monkeypatch):
    from tuneforge.core import resolve as resolve_module
    from tuneforge.core.config import load_config

    built = []
    monkeypatch.setattr(resolve_module, "materialize", lambda *args: built.append(args))
    config = tmp_path / "run.yaml"
    config.write_text("model: tiny-llama\ndata: {datasets: [tuneforge_demo]}\nstage: sfft\noutput_dir: out\n")
    with pytest.raises(NotFoundError, match="did you mean `sft`"):
        resolve_module.resolve(load_config(config), get_catalog())
    assert built == []


def test_plugins_of_different_kinds_may_share_a_name():
    from tuneforge.core import DatasetFormat, Record

    fmt = DatasetFormat(name="shared-name-fmt", align=lambda row, columns, tags: Record(text="x"), produces=("text",))
    model_plugin = plugin("shared", register_models=registering(family("shared-fam")))
    format_plugin = plugin("shared", register_dataset_formats=lambda register: register(fmt))
    with temporary_plugin(model_plugin, "shared", kind="model"), \
            temporary_plugin(format_plugin, "shared", kind="format") as catalog:
        with pytest.raises(PluginError, match="model:shared, format:shared"):
            catalog.plugin("shared")
        assert catalog.plugin("format:shared").registered == {"format": ["shared-name-fmt"]}
        assert catalog.plugin("model:shared").registered == {"model": ["shared-fam"]}
