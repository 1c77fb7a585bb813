"""The plugin kinds as data: the registration hook, entry-point group and spec type of each."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    name: str  # singular, as users type it: `tune plugins list --kind model`
    plural: str
    hook: str
    group: str
    spec_type: str  # attribute of tuneforge.core


KINDS: tuple[Kind, ...] = (
    Kind("model", "models", "register_models", "tuneforge.models", "ModelFamily"),
    Kind("template", "templates", "register_templates", "tuneforge.templates", "ChatTemplate"),
    Kind("format", "formats", "register_dataset_formats", "tuneforge.formats", "DatasetFormat"),
    Kind("dataset", "datasets", "register_datasets", "tuneforge.datasets", "DatasetSpec"),
    Kind("adapter", "adapters", "register_adapters", "tuneforge.adapters", "AdapterMethod"),
    Kind("stage", "stages", "register_stages", "tuneforge.stages", "TrainingStage"),
    Kind("quantizer", "quantizers", "register_quantizers", "tuneforge.quantizers", "Quantizer"),
    Kind("reward", "rewards", "register_rewards", "tuneforge.rewards", "RewardFunction"),
    Kind("benchmark", "benchmarks", "register_benchmarks", "tuneforge.benchmarks", "Benchmark"),
)

KIND_BY_NAME = {kind.name: kind for kind in KINDS}
KIND_BY_GROUP = {kind.group: kind for kind in KINDS}
KIND_BY_HOOK = {kind.hook: kind for kind in KINDS}
