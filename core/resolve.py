"""Step 2 of a run: turn the names in a validated config into specs from the catalog.

Every name is checked before anything heavy happens; only then is a locally built variant (no hub id) built into
the cache, which is the one step here that imports torch."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from tuneforge.core.config import LoadedConfig, RunConfig, validate_options
from tuneforge.core.data_resolve import ResolvedDataset, resolve_datasets
from tuneforge.core.errors import ConfigError, ModelError, NotFoundError, did_you_mean
from tuneforge.core.specs import AdapterMethod, ModelFamily, ModelVariant, Quantizer, TrainingStage
from tuneforge.core.templates import ChatTemplate


@dataclass(frozen=True)
class UsedPlugin:
    """A spec the run uses and who provided it: goes into the manifest."""

    role: str
    name: str
    plugin: str
    distribution: str
    version: str


@dataclass(frozen=True)
class ResolvedRun:
    """Everything a run needs, by value. Lifecycle hooks receive this."""

    config: RunConfig
    config_path: Path
    family: Optional[ModelFamily]
    variant: Optional[ModelVariant]
    model_source: str  # a local folder or a hub id
    template: Optional[ChatTemplate]  # None until core.template_choice settles `auto` / `tokenizer`
    adapter: AdapterMethod
    adapter_options: Any
    stage: TrainingStage
    stage_options: Any
    datasets: tuple[ResolvedDataset, ...]
    plugins: tuple[UsedPlugin, ...]
    quantizer: Optional[Quantizer] = None  # model.quantization's plugin; None loads full-precision weights
    quantizer_options: Any = None


def cache_dir() -> Path:
    """Where built models and caches live: $TUNEFORGE_HOME, else ~/.cache/tuneforge."""
    return Path(os.environ.get("TUNEFORGE_HOME") or Path.home() / ".cache" / "tuneforge")


def used_plugin(role: str, registered) -> UsedPlugin:
    info = registered.plugin
    return UsedPlugin(role, registered.spec.name, info.name, info.distribution, info.version)


def resolve(loaded: LoadedConfig, catalog) -> ResolvedRun:
    config = loaded.config
    used: list[UsedPlugin] = []

    family, variant, source, family_entry = resolve_model(config.model.name, catalog)
    if family_entry is not None:
        used.append(used_plugin("model", family_entry))

    template = None  # settled by core.template_choice once the tokenizer is loaded
    template_name = config.template.name
    if template_name == "auto" and variant is not None:
        template_name = variant.template or family.template
    if template_name == "auto" and family is not None:
        template_name = family.template  # provisional: a local folder's tokenizer may call for another
    if template_name not in ("auto", "tokenizer"):
        template_entry = catalog.get("template", template_name)
        used.append(used_plugin("template", template_entry))
        template = template_entry.spec
    if family is None:
        warnings.warn(f"model {config.model.name!r} matches no registered model family: it trains through "
                      "transformers' Auto classes, with LoRA on every linear layer and the tokenizer's own chat "
                      "template unless `template:` names one", stacklevel=2)

    adapter_entry = catalog.get("adapter", config.adapter.method)
    used.append(used_plugin("adapter", adapter_entry))
    adapter_options = validate_options(adapter_entry.spec.options, config.adapter.options(), "adapter")

    stage_entry = catalog.get("stage", config.stage.name)
    used.append(used_plugin("stage", stage_entry))
    stage_options = validate_options(stage_entry.spec.options, config.stage.options(), "stage")
    # Online RL stages name reward plugins among their options: resolve them now (a typo fails before any model
    # loads) and record them for the manifest.
    for choice in getattr(stage_options, "rewards", None) or ():
        reward_name = choice if isinstance(choice, str) else choice.get("name")
        if reward_name:
            used.append(used_plugin("reward", catalog.get("reward", reward_name)))

    quantizer, quantizer_options = resolve_quantizer(config, family, catalog, used)

    datasets = resolve_datasets(config.data, catalog, loaded.path.parent, used)

    if source is None:
        source = str(materialize(family, variant, family_entry.plugin.version))
    return ResolvedRun(config=config, config_path=loaded.path, family=family, variant=variant, model_source=source,
                       template=template, adapter=adapter_entry.spec, adapter_options=adapter_options,
                       stage=stage_entry.spec, stage_options=stage_options, datasets=tuple(datasets),
                       plugins=tuple(dict.fromkeys(used)), quantizer=quantizer, quantizer_options=quantizer_options)


def resolve_quantizer(config: RunConfig, family: Optional[ModelFamily], catalog, used: Optional[list] = None,
                      check_installed: bool = True) -> tuple[Optional[Quantizer], Any]:
    """`model.quantization` -> (quantizer spec, validated options), or (None, None) when weights stay unquantized.
    Refuses a family that declares no quantization support and, with `check_installed`, a quantizer whose packages
    are missing (naming the pip install), before anything is loaded."""
    section = config.model.quantization
    if section is None:
        return None, None
    entry = catalog.get("quantizer", section.method)
    if used is not None:
        used.append(used_plugin("quantizer", entry))
    options = validate_options(entry.spec.options, section.options(), "model.quantization")
    if family is not None and not family.capabilities.quantization:
        raise ConfigError(f"model family {family.name!r} does not support quantized loading (its capabilities say "
                          "quantization=False); remove model.quantization")
    if check_installed:
        require_packages(entry.spec)
    return entry.spec, options


def require_packages(quantizer: Quantizer) -> None:
    """Raise ConfigError naming the pip command when a package the quantizer `requires` is not installed."""
    from importlib.metadata import PackageNotFoundError, version

    missing = []
    for package in quantizer.requires:
        try:
            version(package)
        except PackageNotFoundError:
            missing.append(package)
    if missing:
        extra = "torchao" if missing == ["torchao"] else "quant"  # torchao has its own extra (import noise)
        raise ConfigError(f"model.quantization method {quantizer.name!r} needs {', '.join(missing)}, which "
                          f"{'is' if len(missing) == 1 else 'are'} not installed: run "
                          f"`pip install 'tuneforge[{extra}]'` (or `pip install {' '.join(missing)}`)")


def resolve_model(name: str, catalog) -> tuple[Optional[ModelFamily], Optional[ModelVariant], Optional[str], Any]:
    """A local folder, a registry variant name or a hub id -> (family, variant, source, catalog entry).
    source is None for a variant that is built locally (see `materialize`)."""
    path = Path(name)
    if path.is_dir():
        config_file = path / "config.json"
        if not config_file.is_file():
            raise ModelError(f"{path} is a folder but has no config.json; point `model` at a transformers model "
                             "folder (config.json, weights, tokenizer)")
        try:
            model_type = json.loads(config_file.read_text(encoding="utf-8")).get("model_type")
        except json.JSONDecodeError as exc:
            raise ModelError(f"{config_file} is not valid JSON: {exc}") from None
        entry = family_for_architecture(model_type, catalog)
        return (entry.spec if entry else None), None, str(path), entry

    entry = catalog.find("variant", name)
    if entry is not None:
        family = entry.spec
        variant = family.variant(name)
        return family, variant, variant.hub_id, entry  # no hub id: built by `resolve` once all names check out

    if name.count("/") == 1 and not name.startswith(("/", ".")):
        for candidate in catalog.items("variant"):
            for v in candidate.spec.variants:
                if v.hub_id and v.hub_id.lower() == name.lower():
                    return candidate.spec, v, v.hub_id, candidate
        return None, None, name, None  # an unknown hub id: transformers' Auto classes will try it

    raise NotFoundError(f"model {name!r} is not a local folder, a registered model or a hub id (org/name)"
                        f"{did_you_mean(name, catalog.names('variant'))}.{catalog.unloaded_hint('model', name)} "
                        "See `tune plugins list --kind model`.")


def family_for_architecture(model_type: Optional[str], catalog):
    """The catalog entry of the family for a transformers model_type (families with a hub variant first)."""
    matches = [entry for entry in catalog.items("model") if entry.spec.architecture == model_type]
    matches.sort(key=lambda e: (e.spec.builder is not None, e.spec.name))
    return matches[0] if matches else None


def materialize(family: ModelFamily, variant: ModelVariant, plugin_version: str) -> Path:
    """Build a variant that has no hub id into the cache (once), keyed by the builder's code and version."""
    import inspect

    module_file = inspect.getsourcefile(family.builder) or ""
    digest = hashlib.sha256(Path(module_file).read_bytes() if module_file else b"")
    digest.update(f"{family.name}/{variant.name}/{plugin_version}".encode())
    folder = cache_dir() / "models" / f"{variant.name}-{digest.hexdigest()[:12]}"
    if (folder / "config.json").is_file():
        return folder
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{variant.name}-", dir=folder.parent))
    try:
        family.builder(variant, staging)
        staging.rename(folder)  # atomic: a half-built folder is never used
    except OSError:
        if not (folder / "config.json").is_file():  # another process may have won the race
            raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return folder
