"""`tune plugins new model NAME`: write a pip-installable pack with one model-family plugin, ready to edit.

The files are data below (templates with `{name}` / `{module}` placeholders), not code that builds code.
"""

from __future__ import annotations

import re
from pathlib import Path

from tuneforge.core.errors import ConfigError

PYPROJECT = '''[build-system]
requires = ["setuptools>=70"]
build-backend = "setuptools.build_meta"

[project]
name = "tuneforge-{name}"
version = "0.1.0"
description = "tuneforge plugin: the {name} model family"
requires-python = ">=3.10"
dependencies = ["tuneforge>=0.1"]

[project.entry-points."tuneforge.models"]
{name} = "{module}"

[tool.setuptools]
packages = ["{module}"]
'''

MODULE = '''"""The {name} model family for tuneforge: architecture, default template, variants as rows of data.

Edit the rows below: add your real checkpoints (hub id, parameter count in billions, context length, kind) and
check `architecture` (the transformers `model_type` in the checkpoint's config.json), `template` (see
`tune plugins list --kind template`) and `lora_targets` (the names of the linear layers LoRA should adapt).
"""

from tuneforge.core import Capabilities, ModelFamily, ModelVariant, hookimpl

tuneforge_api = ">=1.0,<2"

VARIANTS = (
    # name, hub id (None: built locally by `build_tiny`), params (billions), context length, kind
    ModelVariant("{name}-tiny", None, 0.0013, 1024, "base"),
    # ModelVariant("{name}-7b-instruct", "your-org/{name}-7B-Instruct", 7.0, 32768, "instruct"),
)


def build_tiny(variant, folder):
    """A tiny random-weight Llama-architecture model and tokenizer, so the pack trains offline in seconds."""
    from tuneforge.plugins.models.tiny_llama import build_tiny_llama

    build_tiny_llama(variant, folder)


FAMILY = ModelFamily(
    name="{name}",
    architecture="llama",
    template="{template}",
    variants=VARIANTS,
    lora_targets=("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"),
    capabilities=Capabilities(sdpa=True),
    tiny_config={{"vocab_size": 512, "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 512}},
    license="Apache-2.0",
    description="The {name} model family.",
    builder=build_tiny,
)


@hookimpl
def register_models(register):
    register(FAMILY)
'''

TEST = '''"""tuneforge's conformance kit for this pack: the plugin loads, its specs validate, it imports without torch,
and each model family builds its tiny configuration, takes LoRA, trains a step and reloads."""

from tuneforge.testing import ModelFamilyContract


class TestFamily(ModelFamilyContract):
    plugin = "{name}"
'''

README = '''# tuneforge-{name}

A tuneforge plugin pack adding the `{name}` model family.

    pip install -e .            # registers the entry point
    tune plugins list --kind model
    python -m pytest tests      # tuneforge's conformance kit
    tune train run.yaml         # with `model: {name}-tiny` (or one of your variants)
'''


def scaffold_model_pack(name: str, directory: Path, template: str = "chatml") -> Path:
    """Write tuneforge-NAME/ under `directory`; refuse to overwrite an existing folder."""
    if not re.fullmatch(r"[a-z][a-z0-9-]*", name):
        raise ConfigError(f"pack name {name!r}: use lowercase letters, digits and '-', starting with a letter")
    module = "tuneforge_" + name.replace("-", "_")
    root = directory / f"tuneforge-{name}"
    if root.exists():
        raise ConfigError(f"{root} already exists; choose another name or directory (nothing was written)")
    files = {
        root / "pyproject.toml": PYPROJECT,
        root / module / "__init__.py": MODULE,
        root / "tests" / f"test_{module}.py": TEST,
        root / "README.md": README,
    }
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text.format(name=name, module=module, template=template), encoding="utf-8")
    return root
