"""The built-in dataset catalogue: every spec is valid and unique, names a known format, and a synthetic row written
in its column mapping aligns into the record kind its stages train on; LLaMA-Factory's hub entries match exactly."""

from __future__ import annotations

import ast
import functools
import importlib
import inspect
import json
from pathlib import Path

import pytest

from tuneforge.core import DatasetFormat, DatasetSpec, Record
from tuneforge.core.data import align_rows, merge_mapping
from tuneforge.plugins.datasets import (
    code_math,
    instruction_de,
    instruction_en,
    instruction_multilingual,
    instruction_zh,
    kto,
    multimodal,
    preference,
    pretraining,
    reasoning,
    tool_calling,
    tuneforge_demo,
)

MODULES = (
    instruction_en,
    instruction_zh,
    instruction_de,
    instruction_multilingual,
    tool_calling,
    reasoning,
    code_math,
    multimodal,
    preference,
    kto,
    pretraining,
)

LLAMAFACTORY_INFO = Path(__file__).resolve().parents[2] / "shared" / "refdata" / "datasets" / "llamafactory" / (
    "dataset_info.json"
)

# The record kind each training stage consumes (online RL stages take the prompts of conversations).
STAGE_KIND = {
    "pt": "text",
    "sft": "conversation",
    "ppo": "conversation",
    "grpo": "conversation",
    "rm": "preference",
    "dpo": "preference",
    "orpo": "preference",
    "simpo": "preference",
    "kto": "kto",
}
PAIRWISE = {"rm", "dpo", "orpo", "simpo"}
# Formats the catalogue may name: the two built in, and the two being added alongside it.
KNOWN_FORMATS = {"alpaca", "sharegpt", "openai", "text"}

# LLaMA-Factory's pre-2024 preference layout (`output` = [chosen, rejected]) that the alpaca format cannot read yet.
LEGACY_RANKING = {"nectar_rm", "orca_dpo_de"}
# Deliberate departures from dataset_info.json, each for a reason the spec states in a comment.
SPLIT_FIXES = {"agent_instruct"}  # the hub repository has no `train` split


def registered_by(module) -> list[DatasetSpec]:
    """The specs a module registers through its hook (the same call the catalog makes)."""
    found: list[DatasetSpec] = []
    module.register_datasets(found.append)
    return found


SPECS = [spec for module in MODULES for spec in registered_by(module)]
BY_NAME = {spec.name: spec for spec in SPECS}


@functools.cache
def formats() -> dict[str, DatasetFormat]:
    """The dataset formats installed plugins register, loaded once for the whole module; a known format whose
    plugin module is in the tree but not yet declared as an entry point is taken from the module itself."""
    from tuneforge.registry import get_catalog

    found = {entry.spec.name: entry.spec for entry in get_catalog().items("format")}
    for name in sorted(KNOWN_FORMATS - set(found)):
        try:
            module = importlib.import_module(f"tuneforge.plugins.formats.{name}")
        except ModuleNotFoundError:
            continue
        module.register_dataset_formats(lambda fmt: found.setdefault(fmt.name, fmt))
    return found


def format_or_skip(name: str) -> DatasetFormat:
    fmt = formats().get(name)
    if fmt is None:
        pytest.skip(f"format {name} not available yet")
    return fmt


# ---------------------------------------------------------------------------------------------------------------
# The catalogue as a whole
# ---------------------------------------------------------------------------------------------------------------


def test_catalogue_has_at_least_100_datasets_with_unique_names():
    names = [spec.name for spec in SPECS]
    assert len(names) >= 100
    assert len(set(names)) == len(names), sorted({n for n in names if names.count(n) > 1})
    demo = {spec.name for spec in registered_by(tuneforge_demo)}
    assert not demo & set(names)


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__.rsplit(".", 1)[-1])
def test_each_module_registers_exactly_its_catalogue(module):
    assert registered_by(module) == list(module.DATASETS)
    assert module.DATASETS, "a dataset module without datasets"


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__.rsplit(".", 1)[-1])
def test_module_top_level_imports_only_tuneforge_core(module):
    tree = ast.parse(inspect.getsource(module))
    for node in tree.body:
        if isinstance(node, ast.Import):
            imported = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            imported = [node.module or ""]
        else:
            continue
        for name in imported:
            assert name == "__future__" or name == "tuneforge.core" or name.startswith("tuneforge.core."), name


def test_stage_kinds_agree_with_registered_stages():
    from tuneforge.registry import get_catalog

    stages = [entry.spec for entry in get_catalog().items("stage") if entry.spec.name in STAGE_KIND]
    assert stages, "no registered training stage to compare with"
    for stage in stages:
        assert STAGE_KIND[stage.name] in stage.needs, (stage.name, stage.needs)


def test_registry_lists_every_catalogue_dataset():
    from tuneforge.registry import get_catalog

    registered = {entry.spec.name: entry.spec for entry in get_catalog().items("dataset")}
    assert len(registered) >= 100
    missing = [spec.name for spec in SPECS if registered.get(spec.name) != spec]
    assert not missing, missing


# ---------------------------------------------------------------------------------------------------------------
# Each spec
# ---------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_spec_is_a_complete_catalogue_entry(spec):
    assert isinstance(spec, DatasetSpec)
    assert spec.hub_id and not spec.file and not spec.url, "built-in catalogue entries come from the hub"
    assert spec.format in KNOWN_FORMATS | set(formats()), spec.format
    assert spec.stages and set(spec.stages) <= set(STAGE_KIND), spec.stages
    kinds = {STAGE_KIND[stage] for stage in spec.stages}
    assert len(kinds) == 1, f"stages {spec.stages} need different record kinds {kinds}"
    assert isinstance(spec.license, str) and spec.license and spec.license == spec.license.lower()
    assert spec.size is None or (isinstance(spec.size, int) and spec.size > 0)
    assert all(isinstance(code, str) and code.isalpha() and code.islower() for code in spec.languages)
    assert spec.description and "\n" not in spec.description


# Values of the synthetic rows; distinct, so that every field is checked to land where it should.
SYSTEM = "You are a concise assistant."
PROMPT = "Name the three primary colours."
QUERY = "Answer in one line."
ANSWER = "Red, yellow and blue."
CHOSEN = "Red, yellow and blue are the primary colours."
REJECTED = "Green."
HISTORY = [["Hello!", "Hi, how can I help?"]]
TOOLS = [{"name": "get_weather", "description": "Weather in a city", "parameters": {"type": "object", "properties": {
    "city": {"type": "string"}}}}]
CALL = {"name": "get_weather", "arguments": {"city": "Paris"}}
RESULT = '{"temperature": 21}'
MEDIA = ["media/0001.jpg"]
DOCUMENT = "The mitochondrion is the powerhouse of the cell. It makes most of the cell's ATP."


class Row(dict):
    """A raw row that refuses to write two logical columns into one source column (a mapping bug, e.g. `query`
    still defaulting to `input` when `input` is the prompt)."""

    def put(self, logical: str, column: str, value) -> None:
        assert column not in self, f"`{logical}` maps to column `{column}`, which another logical column uses"
        self[column] = value


def synthetic_row(spec: DatasetSpec, fmt: DatasetFormat, kind: str) -> dict:
    """A plausible raw row of `spec`, written through its column and tag mapping over the format's defaults.

    Optional columns (system, history, tools, media) are written only where the spec names them, as a real row of
    that dataset would carry them."""
    columns = merge_mapping(fmt.columns, spec.columns)
    tags = merge_mapping(fmt.tags, spec.tags)
    named = {key for key, value in spec.columns.items() if value}
    build = {"alpaca": alpaca_row, "sharegpt": sharegpt_row, "openai": openai_row, "text": text_row}[spec.format]
    return build(spec, columns, tags, named, kind)


def placeholders(named) -> str:
    """LLaMA-Factory's `<image>` / `<video>` / `<audio>` markers for the media a row carries (one item each)."""
    return "".join(f"<{key[:-1]}>" for key in ("images", "videos", "audios") if key in named)


def alpaca_row(spec, columns, tags, named, kind) -> Row:
    row = Row()
    row.put("prompt", columns["prompt"], placeholders(named) + PROMPT)
    if "query" in columns:
        row.put("query", columns["query"], QUERY)
    if "system" in named:
        row.put("system", columns["system"], SYSTEM)
    if "history" in named:
        row.put("history", columns["history"], HISTORY)
    if "tools" in named:
        row.put("tools", columns["tools"], json.dumps(TOOLS))
    for media in ("images", "videos", "audios"):
        if media in named:
            row.put(media, columns[media], MEDIA)
    if kind == "preference" and "chosen" in columns and "rejected" in columns:
        row.put("chosen", columns["chosen"], CHOSEN)
        row.put("rejected", columns["rejected"], REJECTED)
    elif kind == "preference":  # LLaMA-Factory's legacy layout: the response column lists [chosen, rejected]
        row.put("response", columns["response"], [CHOSEN, REJECTED])
    else:
        row.put("response", columns["response"], ANSWER)
    if kind == "kto":
        row.put("kto_tag", columns["kto_tag"], True)
    return row


def sharegpt_row(spec, columns, tags, named, kind) -> Row:
    def turn(tag: str, text: str) -> dict:
        return {tags["role_tag"]: tags[tag], tags["content_tag"]: text}

    row = Row()
    turns = []
    # LLaMA-Factory's default from/value layout allows a leading system turn; role/content layouts must say so.
    if tags.get("system_tag") and (not spec.tags or "system_tag" in spec.tags):
        turns.append(turn("system_tag", SYSTEM))
    elif "system" in named:
        row.put("system", columns["system"], SYSTEM)
    turns.append(turn("user_tag", placeholders(named) + PROMPT))
    for key in ("images", "videos", "audios"):
        if key in named:
            row.put(key, columns[key], MEDIA)
    if "tools" in named:
        row.put("tools", columns["tools"], json.dumps(TOOLS))
        turns += [turn("function_tag", json.dumps(CALL)), turn("observation_tag", RESULT)]
    if kind == "preference":
        row.put("chosen", columns["chosen"], turn("assistant_tag", CHOSEN))
        row.put("rejected", columns["rejected"], turn("assistant_tag", REJECTED))
    else:
        turns.append(turn("assistant_tag", ANSWER))
    if kind == "kto":
        row.put("kto_tag", columns["kto_tag"], True)
    row.put("messages", columns["messages"], turns)
    return row


def openai_row(spec, columns, tags, named, kind) -> Row:
    row = Row()
    messages = [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": PROMPT},
        {"role": "assistant", "content": ANSWER},
    ]
    row.put("messages", columns.get("messages", "messages"), messages)
    return row


def text_row(spec, columns, tags, named, kind) -> Row:
    row = Row()
    row.put("text", columns.get("text", "text"), DOCUMENT)
    return row


def spec_params() -> list:
    return [pytest.param(spec, id=spec.name) for spec in SPECS]


@pytest.mark.parametrize("spec", spec_params())
def test_synthetic_row_aligns_into_the_record_its_stages_need(spec):
    fmt = format_or_skip(spec.format)
    kind = STAGE_KIND[spec.stages[0]]
    assert kind in fmt.produces, f"format {fmt.name} produces {fmt.produces}, stages {spec.stages} need {kind}"
    row = synthetic_row(spec, fmt, kind)

    result = align_rows([(1, row)], fmt, spec.columns, spec.tags, source=f"synthetic {spec.name}")

    assert not result.dropped, result.summary()
    (record,) = result.records
    assert isinstance(record, Record) and record.kind == kind
    if kind == "text":
        assert record.text == DOCUMENT
        return
    user = next(message for message in record.messages if message.role == "user")
    assert PROMPT in user.content
    if spec.format == "alpaca" and "query" in merge_mapping(fmt.columns, spec.columns):
        assert user.content == f"{placeholders(spec.columns)}{PROMPT}\n{QUERY}"
    wrote_system = SYSTEM in json.dumps(row)
    assert (record.messages[0].role == "system") == wrote_system
    if wrote_system:
        assert record.messages[0].content == SYSTEM
    if "tools" in spec.columns:
        assert list(record.tools) == TOOLS
        assert any(call.name == CALL["name"] for message in record.messages for call in message.tool_calls)
    for media in ("images", "videos", "audios"):
        if media in spec.columns:
            assert getattr(record, media) == tuple(MEDIA)
    if kind == "preference":
        assert (record.chosen.role, record.chosen.content) == ("assistant", CHOSEN)
        assert (record.rejected.role, record.rejected.content) == ("assistant", REJECTED)
        assert record.messages[-1].role != "assistant"
    else:
        assert (record.messages[-1].role, record.messages[-1].content) == ("assistant", ANSWER)
    if kind == "kto":
        assert record.kto_label is True


def test_a_mapping_mistake_is_caught_by_the_synthetic_row():
    """The check above can fail: `query` left at its default `input` while `input` is the prompt column."""
    spec = BY_NAME["firefly"]
    broken = DatasetSpec(**{**_fields(spec), "columns": {"prompt": "input", "response": "target"}})
    with pytest.raises(AssertionError, match="`query` maps to column `input`"):
        synthetic_row(broken, formats()["alpaca"], "conversation")


def _fields(spec: DatasetSpec) -> dict:
    import dataclasses

    return {field.name: getattr(spec, field.name) for field in dataclasses.fields(spec)}


# ---------------------------------------------------------------------------------------------------------------
# Against LLaMA-Factory's dataset_info.json
# ---------------------------------------------------------------------------------------------------------------


def llamafactory_hub_entries() -> list:
    if not LLAMAFACTORY_INFO.exists():
        return [pytest.param(None, None, marks=pytest.mark.skip(reason=f"{LLAMAFACTORY_INFO} is absent"))]
    info = json.loads(LLAMAFACTORY_INFO.read_text(encoding="utf-8"))
    return [pytest.param(name, entry, id=name) for name, entry in info.items() if "hf_hub_url" in entry]


@pytest.mark.parametrize(("name", "entry"), llamafactory_hub_entries())
def test_llamafactory_hub_entry_has_the_same_spec(name, entry):
    spec = BY_NAME.get(name)
    assert spec is not None, f"LLaMA-Factory's {name!r} is missing from the catalogue"
    assert spec.hub_id == entry["hf_hub_url"]
    assert spec.subset == entry.get("subset")
    if name in SPLIT_FIXES:
        assert "split" not in entry and "+" in spec.split
    else:
        assert spec.split == entry.get("split", "train")
    if "folder" in entry:  # a spec cannot select a folder yet: the description must say so
        assert f"`{entry['folder']}`" in spec.description

    formatting = entry.get("formatting", "alpaca")
    columns = entry.get("columns", {})
    named = {key: value for key, value in spec.columns.items() if value}
    if formatting == "alpaca" and set(columns) == {"prompt"}:  # a pre-training corpus: one text column
        assert spec.format == "text"
        assert dict(spec.columns) == {"text": columns["prompt"]}
        assert spec.stages == ("pt",)
        return
    assert spec.format == formatting
    assert named == columns
    if formatting == "alpaca" and columns and "query" not in columns:
        # LLaMA-Factory leaves every column it is not given unmapped; tuneforge's alpaca defaults `query` to `input`.
        assert "query" in spec.columns and not spec.columns["query"]
    assert {key: value for key, value in spec.tags.items() if value} == entry.get("tags", {})
    if entry.get("ranking"):
        assert set(spec.stages) == PAIRWISE
    elif "kto_tag" in columns:
        assert spec.stages == ("kto",)
    else:
        assert "sft" in spec.stages
