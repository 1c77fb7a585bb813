"""Third-party packs installed with pip, seen the way a user's environment sees them.

The packs in tests/packs/ are installed once per module with `pip install --target` into a temporary folder, and
`tune` runs in subprocesses with that folder on PYTHONPATH, so the packs are found through their entry points only:
a good pack loads, a broken one is isolated, a duplicate name is reported naming both distributions, and the
environment switches (`TUNEFORGE_DISABLE_PLUGINS`, `TUNEFORGE_PLUGINS`, `TUNEFORGE_STRICT_PLUGINS`) work.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tuneforge.registry.discovery import ENV_DISABLE, ENV_ONLY, ENV_STRICT

PACKS = Path(__file__).parent / "packs"
BUILTIN = "tuneforge"  # the distribution of the built-in plugins
GOOD, BROKEN, DUPLICATE = "tuneforge-pack-good", "tuneforge-pack-broken", "tuneforge-pack-duplicate"
DUP_PLUGIN = "dup-templates"  # the duplicate pack's entry-point name


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """A folder holding the three packs, installed by pip as wheels (metadata, entry points, package data)."""
    root = tmp_path_factory.mktemp("packs")
    # Build from copies: an in-tree setuptools build would leave build/ and *.egg-info folders in tests/packs/.
    sources = [str(shutil.copytree(PACKS / name, root / name)) for name in ("good", "broken", "duplicate")]
    target = root / "site"
    result = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-index", "--no-deps",
         "--no-build-isolation", "--target", str(target), *sources],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, f"pip install of the test packs failed:\n{result.stdout}\n{result.stderr}"
    return target


def run_python(site: Path, args: list[str], env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess:
    """Run `python ARGS` with the packs on PYTHONPATH and none of the caller's plugin switches."""
    environment = {k: v for k, v in os.environ.items() if k not in (ENV_DISABLE, ENV_ONLY, ENV_STRICT)}
    pythonpath = [str(site)] + ([environment["PYTHONPATH"]] if environment.get("PYTHONPATH") else [])
    # COLUMNS: rich wraps error panels at the terminal width; wide enough that names are not split.
    environment.update(PYTHONPATH=os.pathsep.join(pythonpath), COLUMNS="250", OMP_NUM_THREADS="1",
                       HF_HUB_OFFLINE="1")
    environment.update(env)
    return subprocess.run([sys.executable, *args], env=environment, capture_output=True, text=True, timeout=timeout)


def tune(site: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    return run_python(site, ["-m", "tuneforge", *args], env)


def listing(site: Path, **env: str) -> dict[tuple[str, str], dict]:
    """`tune plugins list --json` as {(kind, plugin name): row}."""
    result = tune(site, "plugins", "list", "--json", **env)
    assert result.returncode == 0, result.stderr
    return {(row["kind"], row["name"]): row for row in json.loads(result.stdout)}


LOOKUP = """
import json, sys
from tuneforge.registry import get_catalog
try:
    entry = get_catalog().get(sys.argv[1], sys.argv[2])
    print(json.dumps({"distribution": entry.plugin.distribution}))
except Exception as exc:
    print(json.dumps({"error": f"{type(exc).__name__}: {exc}"}))
"""


def lookup(site: Path, kind: str, name: str, **env: str) -> dict:
    """Ask the catalog in a fresh process for one name: {"distribution": ...} or {"error": ...}."""
    result = run_python(site, ["-c", LOOKUP, kind, name], env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_good_pack_registers_a_model_and_a_dataset(site):
    rows = listing(site)
    for kind in ("model", "dataset"):
        row = rows[(kind, "goodnet")]
        assert (row["distribution"], row["version"], row["status"]) == (GOOD, "0.1.0", "ok"), row
        assert row["registers"] == {"model": ["goodnet"], "dataset": ["good_demo"]}
        assert row["api"] == ">=1.0,<2"  # the range the pack declares is read and accepted
    assert lookup(site, "variant", "goodnet-tiny") == {"distribution": GOOD}
    assert lookup(site, "dataset", "good_demo") == {"distribution": GOOD}


def test_broken_pack_is_listed_with_its_error_and_the_rest_loads(site):
    # The duplicate pack is switched off here so that the built-in `chatml` is not in conflict.
    rows = listing(site, TUNEFORGE_DISABLE_PLUGINS=DUP_PLUGIN)
    broken = rows[("model", "brokennet")]
    assert (broken["distribution"], broken["status"]) == (BROKEN, "broken")
    assert "RuntimeError: boom: this pack is broken on purpose" in broken["reason"]

    builtins = {key: row for key, row in rows.items() if row["distribution"] == BUILTIN}
    assert builtins, "no built-in plugin was listed"
    assert {key: row["reason"] for key, row in builtins.items() if row["status"] != "ok"} == {}
    assert rows[("model", "goodnet")]["status"] == "ok"


def test_verbose_info_shows_the_broken_plugins_traceback(site):
    result = tune(site, "--verbose", "plugins", "info", "brokennet")
    assert result.returncode == 0, result.stderr
    assert "Traceback" in result.stdout
    assert 'raise RuntimeError("boom: this pack is broken on purpose")' in result.stdout


def test_duplicate_template_is_a_conflict_naming_both_distributions(site):
    rows = listing(site)
    for key in (("template", "chatml"), ("template", DUP_PLUGIN)):
        row = rows[key]
        assert row["status"] == "conflict", row
        assert f"(distribution {BUILTIN} " in row["reason"] and f"(distribution {DUPLICATE} " in row["reason"]

    clash = lookup(site, "template", "chatml")
    assert clash.get("error", "").startswith("PluginError: template 'chatml' is registered by both"), clash
    assert f"(distribution {BUILTIN} " in clash["error"] and f"(distribution {DUPLICATE} " in clash["error"]
    # Only the clashing name is withheld; the pack's other template still resolves.
    assert lookup(site, "template", "dup-only") == {"distribution": DUPLICATE}


def test_a_run_that_needs_the_clashing_name_fails_naming_both(site, tmp_path):
    # An unknown hub id as the model: resolving it downloads nothing, so the run stops at the template, quickly.
    config = {"model": "example-org/some-model", "template": "chatml", "data": {"datasets": ["good_demo"]},
              "output_dir": str(tmp_path / "out")}
    (tmp_path / "run.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    result = tune(site, "train", str(tmp_path / "run.yaml"), TUNEFORGE_HOME=str(tmp_path / "home"))
    assert result.returncode != 0
    for needle in ("template 'chatml' is registered by both", f"distribution {BUILTIN} ", DUPLICATE,
                   "TUNEFORGE_DISABLE_PLUGINS="):
        assert needle in result.stderr, f"{needle!r} missing from:\n{result.stderr}"
    assert not (tmp_path / "out").exists()


def test_disabling_the_duplicate_resolves_the_conflict(site):
    rows = listing(site, TUNEFORGE_DISABLE_PLUGINS=DUP_PLUGIN)
    assert rows[("template", "chatml")]["status"] == "ok"
    assert rows[("template", DUP_PLUGIN)]["status"] == "disabled"
    assert "TUNEFORGE_DISABLE_PLUGINS" in rows[("template", DUP_PLUGIN)]["reason"]
    assert lookup(site, "template", "chatml", TUNEFORGE_DISABLE_PLUGINS=DUP_PLUGIN) == {"distribution": BUILTIN}


def test_strict_mode_fails_naming_the_broken_plugin(site):
    result = tune(site, "plugins", "list", TUNEFORGE_STRICT_PLUGINS="1")
    assert result.returncode != 0
    for needle in ("TUNEFORGE_STRICT_PLUGINS", "brokennet", BROKEN, "boom: this pack is broken on purpose"):
        assert needle in result.stderr, f"{needle!r} missing from:\n{result.stderr}"


def test_strict_mode_passes_once_the_problems_are_switched_off(site):
    result = tune(site, "plugins", "list", TUNEFORGE_STRICT_PLUGINS="1",
                  TUNEFORGE_DISABLE_PLUGINS=f"brokennet,{DUP_PLUGIN}")
    assert result.returncode == 0, result.stderr


def test_only_listed_plugins_load(site):
    # A whole pack by distribution name, and two built-ins by kind:name (goodnet needs chatml and alpaca; a bare
    # `alpaca` would also select the `alpaca` template).
    rows = listing(site, TUNEFORGE_PLUGINS=f"{GOOD},template:chatml,format:alpaca")
    loaded = {key for key, row in rows.items() if row["status"] == "ok"}
    assert loaded == {("model", "goodnet"), ("dataset", "goodnet"), ("template", "chatml"), ("format", "alpaca")}
    others = [row for key, row in rows.items() if key not in loaded]
    assert others and all(row["status"] == "disabled" for row in others), others
    # The broken pack is not even imported.
    assert rows[("model", "brokennet")]["reason"] == "not listed in TUNEFORGE_PLUGINS"


@pytest.mark.slow
def test_train_with_the_good_pack(site, tmp_path):
    config = {
        "model": "goodnet-tiny",
        "template": "chatml",
        "data": {"datasets": ["good_demo"]},
        "adapter": "lora",
        "stage": "sft",
        "training": {"max_steps": 5, "batch_size": 4},
        "output_dir": str(tmp_path / "out"),
    }
    config_file = tmp_path / "run.yaml"
    config_file.write_text(yaml.safe_dump(config), encoding="utf-8")
    home = tmp_path / "home"
    # The duplicate pack is installed too; switching it off is how a user settles the `chatml` clash.
    result = run_python(site, ["-m", "tuneforge", "train", str(config_file)],
                        {"TUNEFORGE_HOME": str(home), "TUNEFORGE_DISABLE_PLUGINS": DUP_PLUGIN}, timeout=600)
    assert result.returncode == 0, f"training failed:\n{result.stdout}\n{result.stderr}"

    out = tmp_path / "out"
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    from_pack = {(p["role"], p["name"]) for p in manifest["plugins"] if p["distribution"] == GOOD}
    assert from_pack == {("model", "goodnet"), ("dataset", "good_demo")}, manifest["plugins"]
    assert (out / "adapter_config.json").is_file() and (out / "adapter_model.safetensors").is_file()
    # The pack's builder made the model inside TUNEFORGE_HOME, not in the user's cache.
    assert list((home / "models").glob("goodnet-tiny-*/config.json"))


def test_the_pack_passes_the_conformance_kit_from_its_own_tests(site, tmp_path):
    """The pack's own test file (a PluginContract subclass) runs under pytest with the kit's pytest plugin."""
    tests = shutil.copytree(PACKS / "good" / "tests", tmp_path / "pack_tests")
    result = run_python(site, ["-m", "pytest", "-q", "-p", "no:cacheprovider", str(tests)], {}, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 passed" in result.stdout


@pytest.mark.slow
def test_tuneforge_builds_as_a_wheel_with_its_data_and_entry_points(tmp_path):
    """The distribution works as a built wheel, not only as an editable install."""
    import zipfile

    root = Path(__file__).resolve().parents[1]
    source = shutil.copytree(root, tmp_path / "src", ignore=shutil.ignore_patterns(
        ".venv", ".git", "runs", "__pycache__", "*.egg-info", "build", "dist", ".pytest_cache"))
    result = subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                             "--wheel-dir", str(tmp_path / "dist"), str(source)], capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    wheel = next((tmp_path / "dist").glob("tuneforge-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for expected in ("tuneforge/__main__.py", "tuneforge/core/hookspecs.py", "tuneforge/registry/loading.py",
                     "tuneforge/cli/app.py", "tuneforge/testing/contracts.py",
                     "tuneforge/plugins/models/tiny_llama.py", "tuneforge/plugins/datasets/data/tuneforge_demo.jsonl"):
        assert expected in names, f"{expected} missing from {wheel.name}"
    entry_points = zipfile.ZipFile(wheel).read(
        next(n for n in names if n.endswith(".dist-info/entry_points.txt"))).decode()
    assert "[tuneforge.models]" in entry_points and "tune = tuneforge.cli.app:main" in entry_points

    # Installed from the wheel alone (outside the checkout), it lists its plugins and they all load.
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", "--target",
                    str(target), str(wheel)], check=True, capture_output=True, timeout=300)
    code = ("import json, tuneforge; from tuneforge.registry import get_catalog; "
            "print(json.dumps([tuneforge.__file__, [(p.name, p.status) for p in get_catalog().plugins]]))")
    env = {k: v for k, v in os.environ.items() if k not in (ENV_DISABLE, ENV_ONLY, ENV_STRICT)}
    env["PYTHONPATH"] = str(target)
    listed = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=tmp_path,
                            timeout=120)
    assert listed.returncode == 0, listed.stderr
    location, plugins = json.loads(listed.stdout.strip().splitlines()[-1])
    assert location.startswith(str(target)), f"imported tuneforge from {location}, not from the wheel"
    assert plugins and all(status == "ok" for _, status in plugins), plugins


@pytest.mark.slow
def test_scaffolded_model_pack_installs_lists_passes_the_kit_and_trains(tmp_path):
    """The contributor path: `tune plugins new model NAME` -> pip install -> listed -> conformance kit -> trains."""
    result = subprocess.run([sys.executable, "-m", "tuneforge", "plugins", "new", "model", "acme", "--dir",
                             str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    pack = tmp_path / "tuneforge-acme"
    site = tmp_path / "site"
    installed = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-index", "--no-deps", "--no-build-isolation",
         "--target", str(site), str(pack)], capture_output=True, text=True, timeout=300)
    assert installed.returncode == 0, installed.stderr

    rows = listing(site)
    assert rows[("model", "acme")]["distribution"] == "tuneforge-acme"
    assert rows[("model", "acme")]["status"] == "ok"

    kit = run_python(site, ["-m", "pytest", "-q", "-p", "no:cacheprovider", str(pack / "tests")], {}, timeout=600)
    assert kit.returncode == 0, kit.stdout + kit.stderr
    assert "4 passed" in kit.stdout  # loads, specs revalidate, imports without torch, the family trains

    config = tmp_path / "run.yaml"
    config.write_text(yaml.safe_dump({"model": "acme-tiny", "data": {"datasets": ["tuneforge_demo"]},
                                      "training": {"max_steps": 3, "batch_size": 4},
                                      "output_dir": str(tmp_path / "out")}), encoding="utf-8")
    trained = run_python(site, ["-m", "tuneforge", "train", str(config)],
                         {"TUNEFORGE_HOME": str(tmp_path / "home")}, timeout=600)
    assert trained.returncode == 0, trained.stdout + trained.stderr
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert {"role": "model", "name": "acme", "plugin": "acme", "distribution": "tuneforge-acme",
            "version": "0.1.0"} in manifest["plugins"]
