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
