"""The public surface for plugin authors: `from tuneforge.core import hookimpl, ModelFamily, ...`.

Importing this package never imports torch, transformers, peft, trl or datasets.
"""

from tuneforge.core.errors import (
    ConfigError,
    DataError,
    ModelError,
    NotFoundError,
    PluginError,
    SpecError,
    TemplateError,
    TuneforgeError,
)
from tuneforge.core.hookspecs import HOOK_API_VERSION, hookimpl, hookspec
from tuneforge.core.records import Message, Record, ToolCall
from tuneforge.core.specs import (
    AdapterMethod,
    Benchmark,
    Capabilities,
    DatasetFormat,
    DatasetSpec,
    ModelFamily,
    ModelVariant,
    Quantizer,
    RewardFunction,
    TrainingStage,
)
from tuneforge.core.templates import ChatTemplate

__all__ = [
    "HOOK_API_VERSION",
    "AdapterMethod",
    "Benchmark",
    "Capabilities",
    "ChatTemplate",
    "ConfigError",
    "DataError",
    "DatasetFormat",
    "DatasetSpec",
    "Message",
    "ModelError",
    "ModelFamily",
    "ModelVariant",
    "NotFoundError",
    "PluginError",
    "Quantizer",
    "Record",
    "RewardFunction",
    "SpecError",
    "TemplateError",
    "ToolCall",
    "TrainingStage",
    "TuneforgeError",
    "hookimpl",
    "hookspec",
]
