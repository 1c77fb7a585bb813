"""Run configuration: validation with suggestions, overrides, shorthands, relative paths, plugin options."""

from __future__ import annotations

from pathlib import Path

import pytest

from tuneforge.core import ConfigError
from tuneforge.core.config import load_config, validate_options

BASE = """
model: tiny-llama
data:
  datasets: [tuneforge_demo, data/mine.jsonl]
adapter: lora
output_dir: out/run1
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "configs" / "run.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_shorthands_defaults_and_relative_paths(tmp_path):
    loaded = load_config(write(tmp_path, BASE))
    config = loaded.config
    assert config.model.name == "tiny-llama"
    assert config.adapter.method == "lora" and config.stage.name == "sft"
    assert config.data.datasets[0].name == "tuneforge_demo"
    assert config.data.datasets[1].path == tmp_path / "configs" / "data" / "mine.jsonl"
    assert config.output_dir == tmp_path / "configs" / "out" / "run1"
    assert config.training.precision == "auto"


def test_unknown_keys_get_did_you_mean(tmp_path):
    text = BASE + "trainig:\n  learning_rate: 1e-4\n"
    with pytest.raises(ConfigError) as excinfo:
        load_config(write(tmp_path, text))
    assert "unknown key `trainig` (did you mean `training`?)" in str(excinfo.value)
    assert "run.yaml" in str(excinfo.value)


def test_unknown_nested_key_and_override(tmp_path):
    with pytest.raises(ConfigError) as excinfo:
        load_config(write(tmp_path, BASE), ["training.learnig_rate=1e-4"])
    assert "unknown key `training.learnig_rate` (did you mean `learning_rate`?)" in str(excinfo.value)


def test_overrides_parse_yaml_values_and_reach_shorthand_sections(tmp_path):
    loaded = load_config(write(tmp_path, BASE), ["training.learning_rate=1e-4", "adapter.r=16",
                                                "data.cutoff_len=64", "training.activation_checkpointing=true"])
    config = loaded.config
    assert config.training.learning_rate == 1e-4
    assert config.adapter.method == "lora" and config.adapter.options() == {"r": 16}
    assert config.data.cutoff_len == 64
    assert config.training.activation_checkpointing is True


def test_bad_values_name_the_key(tmp_path):
    with pytest.raises(ConfigError) as excinfo:
        load_config(write(tmp_path, BASE), ["training.batch_size=0"])
    assert "`training.batch_size`" in str(excinfo.value)


def test_bad_override_syntax(tmp_path):
    with pytest.raises(ConfigError, match="key=value"):
        load_config(write(tmp_path, BASE), ["training.batch_size"])


def test_missing_file_and_bad_yaml(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "nope.yaml")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(write(tmp_path, "model: [unclosed"))


def test_yaml_is_safe_loaded(tmp_path):
    with pytest.raises(ConfigError):
        load_config(write(tmp_path, BASE + "seed: !!python/object/apply:os.system ['echo pwned']\n"))


def test_plugin_options_are_validated_against_the_plugin():
    from tuneforge.plugins.adapters.lora import LoraOptions

    options = validate_options(LoraOptions, {"r": 4, "dropout": 0.1}, "adapter")
    assert options == LoraOptions(r=4, dropout=0.1)
    with pytest.raises(ConfigError, match=r"unknown option `adapter.alpah` \(did you mean `alpha`\?\)"):
        validate_options(LoraOptions, {"alpah": 4}, "adapter")
    with pytest.raises(ConfigError, match="adapter.r"):
        validate_options(LoraOptions, {"r": "many"}, "adapter")
    with pytest.raises(ConfigError, match="takes no options"):
        validate_options(None, {"beta": 0.1}, "stage")
