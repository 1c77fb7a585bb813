"""Lazy and light: no module of core, registry, cli, testing or the built-in plugins imports a heavy library at
its top level (they are imported inside the functions that need them)."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("torch", "transformers", "peft", "trl", "datasets", "accelerate", "matplotlib")
PACKAGES = ("tuneforge.core", "tuneforge.registry", "tuneforge.cli", "tuneforge.testing", "tuneforge.plugins")


def test_no_module_imports_a_heavy_library_at_top_level():
    code = f"""
import importlib, json, pkgutil, sys
names = []
for package in {PACKAGES!r}:
    module = importlib.import_module(package)
    names.append(package)
    for info in pkgutil.walk_packages(module.__path__, package + "."):
        importlib.import_module(info.name)
        names.append(info.name)
print(json.dumps({{"modules": names, "heavy": [m for m in {HEAVY!r} if m in sys.modules]}}))
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert len(report["modules"]) > 20
    assert report["heavy"] == [], f"imported at module top level: {report['heavy']}"
