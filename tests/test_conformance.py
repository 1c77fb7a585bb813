"""The conformance kit applied to every built-in plugin, parametrized from the registry (not from the file system)."""

from __future__ import annotations

import pytest

from tuneforge.registry import get_catalog, reset_catalog
from tuneforge.testing import check_imports_without_torch, check_plugin_loads, check_specs_revalidate


def builtin_plugins() -> list[str]:
    # kind:name, because plugins of different kinds may share a name (the `alpaca` format and template).
    names = sorted(f"{p.kinds[0]}:{p.name}" for p in get_catalog().plugins if p.distribution == "tuneforge")
    reset_catalog()
    return names


BUILTIN = builtin_plugins()


def test_the_registry_sees_the_builtins():
    assert len(BUILTIN) >= 10


@pytest.mark.parametrize("name", BUILTIN)
def test_builtin_plugin_loads_and_its_specs_revalidate(name):
    check_plugin_loads(name)
    assert check_specs_revalidate(name) >= 1


@pytest.mark.parametrize("name", BUILTIN)
def test_builtin_plugin_imports_without_torch(name):
    check_imports_without_torch(get_catalog().plugin(name).module)


def test_the_kit_catches_a_heavy_import(tmp_path, monkeypatch):
    (tmp_path / "heavy_plugin_for_test.py").write_text("import torch\n")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    with pytest.raises(AssertionError, match="imported torch"):
        check_imports_without_torch("heavy_plugin_for_test")
