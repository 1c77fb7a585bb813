"""Training stages pt, rm, dpo, simpo, orpo and kto on tiny-llama with the LLaMA-Factory demo data.

Fast: the stage encoders (token-exact through our template engine), the losses on known numbers, option
validation, one short training run per stage built through `StageContext`, and the reference model of DPO (the
base with the LoRA adapter disabled: one copy of the weights). Slow: each stage end to end through `run_training`,
learning (falling loss or rising reward accuracy) and leaving an output folder that reloads, and the reward model
ranking chosen above rejected on its training pairs.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import inspect
import json
import math
import random
import types
from pathlib import Path

import pytest
import yaml

from tuneforge.core import AdapterMethod, hookimpl

STAGES = ("pt", "rm", "dpo", "simpo", "orpo", "kto")
DEMO = {"pt": "c4_demo", "kto": "kto_en_demo"}  # the others train on dpo_en_demo


def demo_dataset(stage: str) -> str:
    return DEMO.get(stage, "dpo_en_demo")


@pytest.fixture(scope="module")
def demo_dir(refdata) -> Path:
    return refdata / "datasets" / "llamafactory"


# ---------------------------------------------------------------------------------------------------------------
# Until the entry points and the data worker's stage hook are in place (see the module's report), register the
# stage modules as throwaway plugins and let the data worker call `stage.encode`. Both switch themselves off once
# the real thing is installed.
# ---------------------------------------------------------------------------------------------------------------


def _encode_with_stage(original):
    from tuneforge.core import data_worker

    def prepare_data(run, tokenizer, catalog):
        if run.stage.encode is None:
            return original(run, tokenizer, catalog)
        from tuneforge.core.data import Dropped
        from tuneforge.core.stage_data import run_encoder

        records, origins, reports = [], [], []
        for dataset in run.datasets:
            loaded, where, report = data_worker.load_records(dataset, run, catalog)
            records.extend(loaded)
            origins.extend(where)
            reports.append(report)
        records = records[: run.config.data.max_samples]
        rows = run_encoder(run.stage.encode, records, run.template, tokenizer, run.config.data)
        for i, reason in rows.failures:
            report, row = origins[i]
            report.dropped.append(Dropped(report.source, row, f"stage '{run.stage.name}': {reason}"))
        order = list(range(len(rows)))
        random.Random(run.config.seed).shuffle(order)
        n_eval = int(round(len(rows) * run.config.data.val_size))
        from datasets import Dataset

        return data_worker.PreparedData(Dataset.from_list([rows[i] for i in order[n_eval:]]),
                                        Dataset.from_list([rows[i] for i in order[:n_eval]]),
                                        reports, rows.truncated, rows.untrainable)

    return prepare_data


@contextlib.contextmanager
def stage_plugins():
    from tuneforge.core import data_worker
    from tuneforge.registry import get_catalog, temporary_plugin

    with contextlib.ExitStack() as stack:
        catalog = get_catalog()
        for name in STAGES:
            if catalog.find("stage", name) is None:
                module = importlib.import_module(f"tuneforge.plugins.stages.{name}")
                stack.enter_context(temporary_plugin(module, f"stage-{name}", kind="stage", distribution="tuneforge"))
        if get_catalog().find("adapter", "full") is None:
            stack.enter_context(temporary_plugin(_FullAdapter, "adapter-full", kind="adapter"))
        original = data_worker.prepare_data
        if "stage.encode" not in inspect.getsource(data_worker):
            data_worker.prepare_data = _encode_with_stage(original)
        try:
            yield get_catalog()
        finally:
            data_worker.prepare_data = original


def _full_prepare(model, options, run):
    for parameter in model.parameters():
        parameter.requires_grad_(True)
    return model


@hookimpl
def _register_full(register):
    register(AdapterMethod(name="full", prepare=_full_prepare))


# Full fine-tuning, for the reference-model tests where the `full` adapter plugin is not installed.
_FullAdapter = types.SimpleNamespace(__name__="test_full_adapter", register_adapters=_register_full)


@pytest.fixture
def plugins():
    with stage_plugins() as catalog:
        yield catalog


# ---------------------------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------------------------


def write_config(folder: Path, stage: str, demo_dir: Path, *, dataset: str = None, max_samples: int = 48,
                 cutoff_len: int = 256, adapter=None, stage_options=None, training=None, template=None,
                 val_size: float = 0.0) -> Path:
    config = {
        "model": "tiny-llama",
        "data": {"dataset_dir": str(demo_dir), "cutoff_len": cutoff_len, "val_size": val_size,
                 "datasets": [{"name": dataset or demo_dataset(stage), "max_samples": max_samples}]},
        "adapter": adapter or {"method": "lora", "r": 16, "alpha": 32},
        "stage": {"name": stage, **(stage_options or {})},
        "training": {"learning_rate": 2e-3, "max_steps": 2, "batch_size": 4, "logging_steps": 1,
                     "lr_scheduler": "constant", **(training or {})},
        "output_dir": str(folder / "run"),
        "overwrite": True,
    }
    if template:
        config["template"] = template
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "run.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


class Prepared:
    """A resolved run with its tokenizer and records: what the pipeline has just before the data worker encodes."""

    def __init__(self, path: Path, catalog) -> None:
        from tuneforge.core import data_worker
        from tuneforge.core.config import load_config
        from tuneforge.core.model_loader import load_tokenizer
        from tuneforge.core.resolve import resolve
        from tuneforge.core.template_choice import choose_template

        self.catalog = catalog
        run = resolve(load_config(path), catalog)
        self.tokenizer = load_tokenizer(run, catalog.plugin_manager)
        self.run = choose_template(run, self.tokenizer, catalog)
        self.records = []
        for dataset in self.run.datasets:
            self.records.extend(data_worker.load_records(dataset, self.run, catalog)[0])

    def encode(self, records=None):
        return self.run.stage.encode(self.records if records is None else records, self.run.template,
                                     self.tokenizer, self.run.config.data)

    def trainer(self, rows, folder: Path, eval_rows=None):
        from tuneforge.core.model_loader import load_model
        from tuneforge.core.pipeline import StageContext
        from tuneforge.core.training import builtin_callbacks, training_arguments

        model = load_model(self.run, self.catalog.plugin_manager)
        context = StageContext(run=self.run, model=model, tokenizer=self.tokenizer, train_dataset=rows,
                               eval_dataset=eval_rows, training_arguments=training_arguments(self.run, folder,
                                                                                             bool(eval_rows)),
                               callbacks=builtin_callbacks(folder / "train_log.jsonl", False),
                               options=self.run.stage_options)
        return self.run.stage.build_trainer(context)


def trained_text(tokenizer, ids, labels) -> str:
    return tokenizer.decode([i for i, label in zip(ids, labels) if label != -100])


def mean(values) -> float:
    values = list(values)
    return sum(values) / len(values)


# ---------------------------------------------------------------------------------------------------------------
# Specs and options
# ---------------------------------------------------------------------------------------------------------------


def test_each_stage_states_its_records_head_options_and_encoder(plugins):
    expected = {"pt": ("text",), "rm": ("preference",), "dpo": ("preference",), "simpo": ("preference",),
                "orpo": ("preference",), "kto": ("kto",)}
    for name, needs in expected.items():
        stage = plugins.spec("stage", name)
        assert stage.needs == needs
        assert stage.head == ("sequence_classification" if name == "rm" else "causal_lm")
        assert stage.encode is not None and stage.options is not None


@pytest.mark.parametrize("stage, options, message", [
    ("dpo", {"loss_type": "sigmod"}, "did you mean `sigmoid`"),
    ("dpo", {"loss_type": "exo_pair"}, "label_smoothing"),
    ("dpo", {"beta": 0}, "`beta` must be positive"),
    ("dpo", {"reference": "shared"}, "auto, adapter, precompute, copy"),
    ("kto", {"undesirable_weight": -1.0}, "undesirable_weight"),
    ("kto", {"desirable_wieght": 1.0}, "did you mean `desirable_weight`"),
    ("simpo", {"gamma": -0.5}, "gamma"),
    ("orpo", {"beta": -1}, "beta"),
    ("pt", {"packing": "sometimes"}, "packing"),
])
def test_stage_options_are_validated(plugins, tmp_path, demo_dir, stage, options, message):
    from tuneforge.core import ConfigError
    from tuneforge.core.config import load_config
    from tuneforge.core.resolve import resolve

    path = write_config(tmp_path, stage, demo_dir, stage_options=options)
    with pytest.raises(ConfigError, match=message.replace("(", r"\(")):
        resolve(load_config(path), plugins)


# ---------------------------------------------------------------------------------------------------------------
# Encoders
# ---------------------------------------------------------------------------------------------------------------


def test_preference_rows_are_the_template_render_with_only_the_final_answer_trained(plugins, tmp_path, demo_dir):
    from tuneforge.core.templates import render_text

    prepared = Prepared(write_config(tmp_path, "dpo", demo_dir, cutoff_len=100_000), plugins)
    records = prepared.records[:20]
    rows = prepared.encode(records)
    assert len(rows) == 20 and rows.untrainable == 0 and rows.truncated == 0
    tokenizer, template = prepared.tokenizer, prepared.run.template
    for record, row in zip(records, rows):
        for side, answer in (("chosen", record.chosen), ("rejected", record.rejected)):
            ids, labels = row[f"{side}_input_ids"], row[f"{side}_labels"]
            text = render_text(template, record.messages + (answer,))
            assert ids == tokenizer(text, add_special_tokens=False)["input_ids"]  # token-exact render
            assert trained_text(tokenizer, ids, labels) == answer.content.strip() + "<|eot_id|>"
        prompt = render_text(template, record.messages, add_generation_prompt=True)
        n = len(tokenizer(prompt, add_special_tokens=False)["input_ids"])
        assert row["chosen_input_ids"][:n] == row["rejected_input_ids"][:n]  # the same prompt tokens
        assert set(row["chosen_labels"][:n]) == {-100}


def test_preference_rows_train_only_the_last_turn_of_a_multi_turn_conversation_with_tools(plugins, tmp_path,
                                                                                          demo_dir):
    from tuneforge.core import Message, Record, ToolCall

    prepared = Prepared(write_config(tmp_path, "dpo", demo_dir, template="llama3.1", cutoff_len=100_000), plugins)
    weather = {"type": "function", "function": {"name": "get_weather", "description": "Weather in a city",
                                                "parameters": {"type": "object",
                                                               "properties": {"city": {"type": "string"}}}}}
    record = Record(
        messages=(Message("user", "Hello there"), Message("assistant", "Hi! How can I help?"),
                  Message("user", "What is the weather in Paris?")),
        tools=(weather,),
        chosen=Message("assistant", tool_calls=(ToolCall("get_weather", {"city": "Paris"}),)),
        rejected=Message("assistant", "It is always sunny."))
    [row] = prepared.encode([record])
    tokenizer = prepared.tokenizer
    chosen_trained = trained_text(tokenizer, row["chosen_input_ids"], row["chosen_labels"])
    assert '"get_weather"' in chosen_trained and "Paris" in chosen_trained
    assert "How can I help" not in chosen_trained  # the earlier answer is context only
    assert trained_text(tokenizer, row["rejected_input_ids"], row["rejected_labels"]).startswith("It is always sunny.")
    prompt = tokenizer.decode(row["chosen_input_ids"])
    assert "Weather in a city" in prompt and "How can I help?" in prompt


def test_preference_encoder_drops_pairs_cut_to_nothing_and_lists_records_it_cannot_encode(plugins, tmp_path,
                                                                                            demo_dir):
    from dataclasses import replace

    prepared = Prepared(write_config(tmp_path, "dpo", demo_dir, cutoff_len=64), plugins)
    rows = prepared.encode(prepared.records[:30])
    assert rows.untrainable > 0 and rows.truncated > 0
    assert len(rows) + rows.untrainable == 30
    assert all(len(row["chosen_input_ids"]) <= 64 and len(row["rejected_input_ids"]) <= 64 for row in rows)
    first, second, third = prepared.records[:3]
    unrenderable = replace(third, messages=third.messages + (third.chosen,))  # two answers in a row
    rows = prepared.encode([first, replace(second, rejected=None), unrenderable, third])
    assert len(rows) + rows.untrainable == 2
    assert [index for index, _ in rows.failures] == [1, 2]
    assert "both a chosen and a rejected answer" in rows.failures[0][1]
    assert "follows another assistant message" in rows.failures[1][1]


def test_kto_rows_carry_the_label_and_a_mismatched_sequence_for_the_kl_estimate(plugins, tmp_path, demo_dir):
    prepared = Prepared(write_config(tmp_path, "kto", demo_dir, cutoff_len=100_000), plugins)
    records = prepared.records[:12]
    rows = prepared.encode(records)
    tokenizer = prepared.tokenizer
    assert [row["kto_label"] for row in rows] == [record.kto_label for record in records]
    assert {True, False} <= {row["kto_label"] for row in rows}
    for n, (record, row) in enumerate(zip(records, rows)):
        assert trained_text(tokenizer, row["input_ids"], row["labels"]) == \
            record.messages[-1].content.strip() + "<|eot_id|>"
        following = rows[(n + 1) % len(rows)]
        split = row["labels"].index(next(label for label in row["labels"] if label != -100))
        assert row["kl_input_ids"][:split] == row["input_ids"][:split]  # this prompt ...
        assert trained_text(tokenizer, row["kl_input_ids"], row["kl_labels"]) == \
            trained_text(tokenizer, following["input_ids"], following["labels"])  # ... the next answer


def test_text_rows_train_every_token_end_with_eos_and_split_long_texts(plugins, tmp_path, demo_dir):
    from tuneforge.core import Record

    prepared = Prepared(write_config(tmp_path, "pt", demo_dir, dataset="wiki_demo", cutoff_len=128), plugins)
    tokenizer = prepared.tokenizer
    text = prepared.records[0].text
    rows = prepared.encode([prepared.records[0], Record(text="")])
    whole = tokenizer(text)["input_ids"] + [tokenizer.eos_token_id]
    assert len(whole) > 128 * 3
    joined = [token for row in rows for token in row["input_ids"]]
    lone_tail = len(whole) % 128 == 1  # a last piece of one token predicts nothing and is dropped
    assert joined == (whole[:-1] if lone_tail else whole)  # nothing else lost, nothing reordered
    assert all(len(row["input_ids"]) <= 128 and row["labels"] == row["input_ids"] for row in rows)
    assert rows.untrainable == 1  # the empty text: a lone eos predicts nothing


def test_run_encoder_maps_failures_to_records_also_for_an_encoder_that_raises():
    from tuneforge.core import Record, TemplateError
    from tuneforge.core.stage_data import StageRows, run_encoder

    records = [Record(text=text) for text in ("a", "bad", "b", "worse", "c")]

    def raising(batch, template, tokenizer, options):  # the older convention: raise at the first bad record
        for index, record in enumerate(batch):
            if record.text in ("bad", "worse"):
                error = TemplateError(f"cannot encode {record.text!r}")
                error.index = index
                raise error
        return StageRows([{"text": r.text} for r in batch], truncated=1)

    def listing(batch, template, tokenizer, options):
        rows = StageRows(untrainable=2)
        for index, record in enumerate(batch):
            if record.text == "b":
                rows.failures.append((index, "no b"))
            else:
                rows.append({"text": record.text})
        return rows

    rows = run_encoder(raising, records, None, None)
    assert [row["text"] for row in rows] == ["a", "b", "c"] and rows.truncated == 1
    assert rows.failures == [(1, "cannot encode 'bad'"), (3, "cannot encode 'worse'")]
    rows = run_encoder(listing, records, None, None)
    assert rows.failures == [(2, "no b")] and rows.untrainable == 2 and len(rows) == 4


# ---------------------------------------------------------------------------------------------------------------
# Losses on known numbers
# ---------------------------------------------------------------------------------------------------------------


def _pair(chosen, rejected):
    import torch

    return torch.tensor(chosen + rejected, dtype=torch.float32)


def test_dpo_losses_match_their_formulas():
    import torch

    from tuneforge.core.preference import DPO_LOSSES, DpoObjective

    policy, reference = _pair([-10.0, -20.0], [-12.0, -18.0]), _pair([-11.0, -19.0], [-11.0, -19.0])
    counts = _pair([5.0, 10.0], [4.0, 8.0])
    delta = torch.tensor([(-10 + 11) - (-12 + 11), (-20 + 19) - (-18 + 19)])  # [2, -2]
    beta = 0.5

    def loss(kind, **extra):
        return DpoObjective(beta=beta, loss_type=kind, **extra)(policy, counts, reference, {})[0].item()

    assert loss("sigmoid") == pytest.approx(-torch.nn.functional.logsigmoid(beta * delta).mean().item())
    assert loss("hinge") == pytest.approx(torch.relu(1 - beta * delta).mean().item())
    ipo = torch.tensor([(1 / 5 + 1 / 4) - 1 / (2 * beta), (-1 / 10 - 1 / 8) - 1 / (2 * beta)]) ** 2
    assert loss("ipo") == pytest.approx(ipo.mean().item())
    smoothed = loss("robust", label_smoothing=0.1)
    expected = ((-0.9 * torch.nn.functional.logsigmoid(beta * delta) + 0.1 * torch.nn.functional.logsigmoid(
        -beta * delta)) / 0.8).mean().item()
    assert smoothed == pytest.approx(expected)
    for kind in DPO_LOSSES:  # every variant runs and gives a finite scalar with gradients
        policy.requires_grad_(True)
        extra = {"label_smoothing": 0.1} if kind == "exo_pair" else {}
        value, metrics = DpoObjective(beta=beta, loss_type=kind, **extra)(policy, counts, reference, {})
        value.backward()
        assert math.isfinite(value.item()) and policy.grad is not None, kind
        policy.grad = None
        assert metrics["rewards/accuracies"] == 0.5 and metrics["rewards/margins"] == pytest.approx(0.0)


def test_simpo_orpo_and_kto_losses_match_their_formulas():
    import torch
    import torch.nn.functional as F

    from tuneforge.core.preference import KtoObjective, OrpoObjective, SimpoObjective

    policy, counts = _pair([-4.0], [-6.0]), _pair([4.0], [3.0])  # averages -1 and -2
    simpo, _ = SimpoObjective(beta=2.0, gamma=1.0)(policy, counts, None, {})
    assert simpo.item() == pytest.approx(-F.logsigmoid(torch.tensor(2.0 * (-1 + 2) - 1.0)).item())
    orpo, metrics = OrpoObjective(beta=0.1)(policy, counts, None, {})
    log_odds = (-1 + 2) - (math.log(1 - math.exp(-1)) - math.log(1 - math.exp(-2)))
    nll = 4.0 / 4.0
    assert orpo.item() == pytest.approx(nll - 0.1 * F.logsigmoid(torch.tensor(log_odds)).item())
    assert metrics["log_odds_chosen"] == pytest.approx(log_odds)

    # KTO: rows 0 (desirable) and 1 (undesirable); then their mismatched sequences
    policy, reference = torch.tensor([-5.0, -7.0, -9.0, -9.0]), torch.tensor([-6.0, -6.0, -10.0, -12.0])
    batch = {"kto_label": torch.tensor([True, False])}
    kto, metrics = KtoObjective(beta=0.5, desirable_weight=2.0)(policy, None, reference, batch)
    kl = ((-9 + 10) + (-9 + 12)) / 2
    expected = (2.0 * (1 - torch.sigmoid(torch.tensor(0.5 * (1 - kl))))
                + (1 - torch.sigmoid(torch.tensor(0.5 * (kl - (-1)))))) / 2
    assert kto.item() == pytest.approx(expected.item())
    assert metrics["kl"] == pytest.approx(kl)
    assert metrics["rewards/chosen"] == pytest.approx(0.5) and metrics["rewards/rejected"] == pytest.approx(-0.5)


# ---------------------------------------------------------------------------------------------------------------
# One short training run per stage, built through StageContext
# ---------------------------------------------------------------------------------------------------------------


def _small_rows(prepared, stage: str, count: int = 8):
    rows = prepared.encode(prepared.records[:60])
    if stage == "kto":  # both kinds of example
        good = [row for row in rows if row["kto_label"]][: count // 2]
        return good + [row for row in rows if not row["kto_label"]][: count // 2]
    return list(rows)[:count]


@pytest.mark.parametrize("stage", STAGES)
def test_each_stage_trains_a_few_steps_and_logs_its_metrics(plugins, tmp_path, demo_dir, stage):
    import torch

    prepared = Prepared(write_config(tmp_path, stage, demo_dir, training={"max_steps": 3}), plugins)
    rows = _small_rows(prepared, stage)
    assert len(rows) == 8
    trainer = prepared.trainer(rows, tmp_path / "out")
    before = {name: p.detach().clone() for name, p in trainer.model.named_parameters() if p.requires_grad}
    trainer.train()
    log = [json.loads(line) for line in (tmp_path / "out" / "train_log.jsonl").read_text().splitlines()]
    steps = [entry for entry in log if "loss" in entry]
    assert len(steps) == 3 and all(math.isfinite(entry["loss"]) for entry in steps)
    metric = {"pt": None, "rm": "accuracy", "kto": "kl"}.get(stage, "rewards/accuracies")
    if metric:
        assert all(metric in entry for entry in steps)
    changed = [name for name, p in trainer.model.named_parameters() if p.requires_grad
               and not torch.equal(p.detach(), before[name])]
    assert changed, "no trainable parameter moved"
    if stage == "rm":
        assert any("score" in name for name in changed)  # the scalar head trains (peft modules_to_save)


# ---------------------------------------------------------------------------------------------------------------
# The reference model
# ---------------------------------------------------------------------------------------------------------------


def _model_objects() -> int:
    """Live transformers models that are not part of another one (a LlamaForCausalLM holds a LlamaModel)."""
    from transformers import PreTrainedModel

    gc.collect()
    models = [obj for obj in gc.get_objects() if isinstance(obj, PreTrainedModel)]
    inner = {id(module) for model in models for module in model.modules() if module is not model}
    return sum(1 for model in models if id(model) not in inner)


def _base_logps(prepared, batch):
    import torch
    from transformers import AutoModelForCausalLM

    from tuneforge.core.preference import sequence_logps

    base = AutoModelForCausalLM.from_pretrained(prepared.run.model_source, dtype=torch.float32).eval()
    with torch.no_grad():
        return sequence_logps(base, batch["input_ids"], batch["attention_mask"], batch["labels"])[0]


def test_dpo_with_lora_holds_one_copy_of_the_base_and_uses_it_with_the_adapter_disabled(plugins, tmp_path,
                                                                                        demo_dir):
    import torch

    from tuneforge.core.preference import AdapterDisabledReference, sequence_logps

    prepared = Prepared(write_config(tmp_path, "dpo", demo_dir, training={"max_steps": 4}), plugins)
    rows = _small_rows(prepared, "dpo")
    models_before = _model_objects()
    trainer = prepared.trainer(rows, tmp_path / "out")
    assert _model_objects() == models_before + 1  # the policy; no reference copy
    assert isinstance(trainer.reference, AdapterDisabledReference)
    batch = trainer.data_collator(rows[:4])
    trainer.train()
    model = trainer.model.eval()
    with torch.no_grad():
        reference = trainer.reference.logps(trainer, model, batch)
        policy = sequence_logps(model, batch["input_ids"], batch["attention_mask"], batch["labels"])[0]
    base = _base_logps(prepared, batch)
    assert torch.allclose(reference, base, atol=1e-4)  # reference = the untouched base weights
    assert not torch.allclose(policy, base, atol=1e-2)  # while the policy has moved


def test_a_reference_copy_is_a_second_model_and_full_training_precomputes_instead(plugins, tmp_path, demo_dir):
    import torch

    from tuneforge.core.preference import CopyReference, PrecomputedReference

    lora = Prepared(write_config(tmp_path / "copy", "dpo", demo_dir, stage_options={"reference": "copy"}), plugins)
    rows = _small_rows(lora, "dpo")
    models_before = _model_objects()
    trainer = lora.trainer(rows, tmp_path / "copy" / "out")
    assert isinstance(trainer.reference, CopyReference)
    assert _model_objects() == models_before + 2  # policy + copy: what the adapter-disabled reference avoids
    del trainer

    full = Prepared(write_config(tmp_path / "full", "dpo", demo_dir, adapter={"method": "full"}), plugins)
    models_before = _model_objects()
    trainer = full.trainer(rows, tmp_path / "full" / "out")
    assert isinstance(trainer.reference, PrecomputedReference)
    assert _model_objects() == models_before + 1
    batch = trainer.data_collator(trainer.train_dataset[:4])
    base = _base_logps(full, batch)
    assert torch.allclose(batch["reference_logps"], base, atol=1e-4)


def test_streamed_rows_cannot_be_precomputed_so_full_training_keeps_a_copy(plugins, tmp_path, demo_dir):
    from datasets import IterableDataset

    from tuneforge.core import ConfigError
    from tuneforge.core.preference import CopyReference

    path = write_config(tmp_path, "dpo", demo_dir, adapter={"method": "full"})
    prepared = Prepared(path, plugins)
    rows = _small_rows(prepared, "dpo")
    stream = IterableDataset.from_generator(lambda: iter(rows))
    trainer = prepared.trainer(stream, tmp_path / "out")
    assert isinstance(trainer.reference, CopyReference)
    trainer.train()
    assert math.isfinite(trainer.state.log_history[-1]["train_loss"])

    explicit = Prepared(write_config(tmp_path / "precompute", "dpo", demo_dir, adapter={"method": "full"},
                                     stage_options={"reference": "precompute"}), plugins)
    with pytest.raises(ConfigError, match="data.streaming"):
        explicit.trainer(stream, tmp_path / "precompute" / "out")


# ---------------------------------------------------------------------------------------------------------------
# End to end through run_training (slow): each stage learns, and its output folder reloads
# ---------------------------------------------------------------------------------------------------------------

E2E = {
    "pt": {"max_samples": 32, "training": {"max_steps": 15, "batch_size": 8}},
    "rm": {"max_samples": 48, "training": {"max_steps": 24, "batch_size": 8}},
    "dpo": {"max_samples": 48, "training": {"max_steps": 16, "batch_size": 8}},
    "simpo": {"max_samples": 48, "training": {"max_steps": 16, "batch_size": 8}},
    "orpo": {"max_samples": 48, "training": {"max_steps": 16, "batch_size": 8}},
    "kto": {"max_samples": 64, "training": {"max_steps": 16, "batch_size": 8}},
}


@pytest.fixture(scope="module")
def trained(tmp_path_factory, refdata):
    """stage -> TrainingOutcome, each stage trained once per module, on first use."""
    from tuneforge.core.pipeline import run_training
    from tuneforge.registry import reset_catalog

    outcomes = {}

    def get(stage):
        if stage not in outcomes:
            settings = E2E[stage]
            folder = tmp_path_factory.mktemp(f"e2e-{stage}")
            path = write_config(folder, stage, refdata / "datasets" / "llamafactory",
                                max_samples=settings["max_samples"], training=settings["training"])
            reset_catalog()
            with stage_plugins():
                outcomes[stage] = run_training(path, show_progress=False)
        return outcomes[stage]

    return get


def steps_of(outcome) -> list[dict]:
    log = [json.loads(line) for line in (outcome.output_dir / "train_log.jsonl").read_text().splitlines()]
    return [entry for entry in log if "loss" in entry]


@pytest.mark.slow
@pytest.mark.parametrize("stage", STAGES)
def test_stage_learns_end_to_end(trained, stage):
    steps = steps_of(trained(stage))
    losses = [entry["loss"] for entry in steps]
    first, last = mean(losses[:3]), mean(losses[-3:])
    assert last < 0.9 * first, f"{stage}: loss {first:.3f} -> {last:.3f}"
    if stage == "dpo":
        assert losses[0] == pytest.approx(math.log(2), abs=1e-4)  # policy == reference (the base) at step 1
    if stage == "kto":
        assert losses[0] == pytest.approx(0.5, abs=1e-4)  # 1 - sigmoid(0) on both sides at step 1
        assert steps[-1]["rewards/chosen"] > 0
    accuracy = {"rm": "accuracy", "dpo": "rewards/accuracies", "simpo": "rewards/accuracies",
                "orpo": "rewards/accuracies"}.get(stage)
    if accuracy:
        start, end = mean(e[accuracy] for e in steps[:3]), mean(e[accuracy] for e in steps[-3:])
        assert end >= 0.75 and end > start, f"{stage}: {accuracy} {start:.2f} -> {end:.2f}"


@pytest.mark.slow
@pytest.mark.parametrize("stage", ["pt", "dpo", "simpo", "orpo", "kto"])
def test_causal_lm_output_folder_reloads(trained, stage):
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    outcome = trained(stage)
    names = {p.name for p in outcome.output_dir.iterdir()}
    assert {"adapter_config.json", "adapter_model.safetensors", "tokenizer.json", "manifest.json",
            "train_log.jsonl"} <= names
    manifest = json.loads((outcome.output_dir / "manifest.json").read_text())
    assert manifest["data"]["train_rows"] > 8
    tokenizer = AutoTokenizer.from_pretrained(outcome.output_dir)
    base = AutoModelForCausalLM.from_pretrained(outcome.run.model_source, dtype=torch.float32)
    reloaded = PeftModel.from_pretrained(base, outcome.output_dir).eval()
    ids = tokenizer("The weather today is", return_tensors="pt").input_ids
    with torch.no_grad():
        assert torch.allclose(reloaded(ids).logits, outcome.model.eval()(ids).logits, atol=1e-5)
        with reloaded.disable_adapter():
            assert not torch.allclose(reloaded(ids).logits, outcome.model(ids).logits, atol=1e-3)


def _rewards(model, rows, pad_token_id):
    import torch

    from tuneforge.core.preference import SequenceGroupCollator

    batch = SequenceGroupCollator(pad_token_id, ("chosen_", "rejected_"))(rows)
    with torch.no_grad():
        scores = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits.squeeze(-1)
    return scores.chunk(2)


@pytest.mark.slow
def test_reward_model_reloads_and_ranks_chosen_above_rejected_on_its_training_pairs(trained):
    import torch
    from peft import PeftModel
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    outcome = trained("rm")
    assert {"adapter_config.json", "adapter_model.safetensors"} <= {p.name for p in outcome.output_dir.iterdir()}
    adapter_config = json.loads((outcome.output_dir / "adapter_config.json").read_text())
    assert adapter_config["task_type"] == "SEQ_CLS" and "score" in adapter_config["modules_to_save"]
    tokenizer = AutoTokenizer.from_pretrained(outcome.output_dir)

    # The training pairs, encoded again from the demo data exactly as the run did.
    with stage_plugins() as catalog:
        prepared = Prepared(outcome.run.config_path, catalog)
        rows = prepared.encode(prepared.records[: E2E["rm"]["max_samples"]])
    assert len(rows) >= 16

    base = AutoModelForSequenceClassification.from_pretrained(outcome.run.model_source, num_labels=1,
                                                              dtype=torch.float32)
    reloaded = PeftModel.from_pretrained(base, outcome.output_dir).eval()
    chosen, rejected = _rewards(reloaded, list(rows), tokenizer.pad_token_id)
    trained_chosen, trained_rejected = _rewards(outcome.model.eval(), list(rows), tokenizer.pad_token_id)
    assert torch.allclose(chosen, trained_chosen, atol=1e-4)  # the saved head and adapter are the trained ones
    accuracy = (chosen > rejected).float().mean().item()
    with reloaded.disable_adapter():  # the base with its (randomly initialised) head: chance
        untrained = _rewards(reloaded, list(rows), tokenizer.pad_token_id)
    untrained_accuracy = (untrained[0] > untrained[1]).float().mean().item()
    assert accuracy >= 0.75, f"ranking accuracy on the training pairs {accuracy:.2f}"
    assert accuracy > untrained_accuracy


def test_sft_trains_multi_turn_tool_calls_from_the_refdata_index(tmp_path, refdata):
    """SFT on LLaMA-Factory's glaive tool-call demo, named through its own dataset_info.json: tool calls and tool
    results become turns of the Qwen2.5 template, every assistant turn (calls included) is trained."""
    import json as _json

    from tuneforge.core.pipeline import run_training

    config = tmp_path / "run.yaml"
    config.write_text(
        f"model: tiny-llama\ntemplate: qwen2.5\n"
        f"data: {{dataset_dir: {refdata / 'datasets' / 'llamafactory'}, datasets: [glaive_toolcall_en_demo], "
        f"cutoff_len: 512, max_samples: 40}}\n"
        f"training: {{max_steps: 3, batch_size: 4}}\noutput_dir: {tmp_path / 'out'}\n")
    outcome = run_training(config, show_progress=False)
    manifest = _json.loads((outcome.output_dir / "manifest.json").read_text())
    assert manifest["data"]["datasets"][0]["dropped"] == 0
    assert outcome.metrics["train_loss"] > 0

    from tuneforge.core.data import align_rows, read_rows
    from tuneforge.core.dataset_index import load_index
    from tuneforge.core.templates import encode
    from tuneforge.plugins.formats.sharegpt import SHAREGPT

    spec = load_index(refdata / "datasets" / "llamafactory").get("glaive_toolcall_en_demo").usable_spec()
    record = next(r for r in align_rows(read_rows(refdata / "datasets" / "llamafactory" / spec.file), SHAREGPT,
                                        spec.columns, spec.tags, source="glaive").records
                  if any(m.tool_calls for m in r.messages))
    encoded = encode(outcome.run.template, outcome.tokenizer, record.messages, record.tools)
    trained = outcome.tokenizer.decode([t for t, l in zip(encoded.input_ids, encoded.labels) if l != -100])
    assert "<tool_call>" in trained and record.messages[-1].content.strip()[:20] in trained
