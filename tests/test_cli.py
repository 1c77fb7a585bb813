"""The `tune` command in subprocesses: start-up stays torch-free, listings, errors without tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("torch", "transformers", "peft", "trl", "datasets")


def tune(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    import os

    full_env = dict(os.environ, **(env or {}), COLUMNS="200")
    return subprocess.run([sys.executable, "-m", "tuneforge", *args], capture_output=True, text=True, env=full_env,
                          timeout=300)


@pytest.mark.parametrize("argv", [["--help"], ["plugins", "list"], ["plugins", "list", "--json"],
                                  ["plugins", "info", "llama"], ["--version"]])
def test_light_commands_never_import_torch(argv):
    code = ("import sys\nfrom tuneforge.cli.app import main\n"
            f"try:\n    main({argv!r})\nexcept SystemExit:\n    pass\n"
            f"print('HEAVY:' + ','.join(m for m in {HEAVY!r} if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "HEAVY:", result.stdout[-500:]


def test_version():
    from tuneforge import __version__

    result = tune("--version")
    assert result.returncode == 0 and result.stdout.strip() == f"tuneforge {__version__}"


def test_plugins_list_json_lists_every_builtin_with_kind_distribution_status():
    result = tune("plugins", "list", "--json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    builtin = {(row["kind"], row["name"]) for row in rows if row["distribution"] == "tuneforge"}
    expected = {("model", "llama"), ("model", "tiny-llama"), ("template", "llama3"), ("template", "chatml"),
                ("template", "llama2"), ("format", "alpaca"), ("format", "sharegpt"),
                ("dataset", "tuneforge-demo"), ("adapter", "lora"), ("stage", "sft")}
    assert expected <= builtin
    assert all(row["status"] == "ok" and row["version"] for row in rows if row["distribution"] == "tuneforge")


def test_plugins_list_kind_filter_and_bad_kind():
    rows = json.loads(tune("plugins", "list", "--kind", "template", "--json").stdout)
    assert rows and {row["kind"] for row in rows} == {"template"}
    result = tune("plugins", "list", "--kind", "modle")
    assert result.returncode == 2
    assert "did you mean `model`" in result.stderr
    assert "Traceback" not in result.stderr


def test_plugins_info():
    result = tune("plugins", "info", "llama", "--json")
    info = json.loads(result.stdout)
    assert info["registers"] == {"model": ["llama2", "llama3", "llama3.1", "llama3.2", "llama3.3"]}
    assert info["hooks"] == ["register_models"]
    assert info["distribution"] == "tuneforge"
    table = tune("plugins", "info", "llama")
    assert "register_models" in table.stdout and "tuneforge" in table.stdout


def test_errors_are_one_panel_without_traceback_unless_verbose(tmp_path):
    config = tmp_path / "run.yaml"
    config.write_text("model: tiny-llama\ndata: {datasets: [tuneforge_demo]}\noutput_dir: out\ntrainig: {}\n")
    result = tune("train", str(config))
    assert result.returncode == 2
    assert "did you mean `training`" in result.stderr
    assert "Traceback" not in result.stderr
    verbose = tune("--verbose", "train", str(config))
    assert "Traceback" in verbose.stderr


def test_unknown_plugin_name():
    result = tune("plugins", "info", "lamma")
    assert result.returncode == 2 and "did you mean `llama`" in result.stderr


def test_env_json():
    result = tune("env", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["packages"]["torch"].startswith("2.")
    assert report["devices"]["cpu_threads"] >= 1
