"""`tune data list | preview | stats`, run through the `data` sub-app with typer's CliRunner."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from tuneforge.core import ConfigError

runner = CliRunner()


def invoke(*args):
    from tuneforge.cli.data_cmd import app

    return runner.invoke(app, [str(a) for a in args])


def output_json(result):
    assert result.exit_code == 0, (result.output, result.exception)
    return json.loads(result.stdout)


GOOD = [{"instruction": "Say hi", "output": "hi " * 3}, {"instruction": "Say yes", "output": "yes " * 4},
        {"instruction": "Say ok", "output": "ok " * 40}]


@pytest.fixture
def config(tmp_path):
    rows = GOOD + [{"instruction": "no output"}, {"instruction": "Weather?", "output": "Sunny",
                                                  "tools": json.dumps([{"name": "weather"}])}]
    (tmp_path / "mine.jsonl").write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    path = tmp_path / "run.yaml"
    path.write_text("model: tiny-llama\ndata: {datasets: [mine.jsonl]}\noutput_dir: out\n", encoding="utf-8")
    return path


# ---------------------------------------------------------------------------------------------------------------
# list
# ---------------------------------------------------------------------------------------------------------------


def test_list_filters_by_stage():
    sft = {row["name"]: row for row in output_json(invoke("list", "--stage", "sft", "--json"))}
    assert sft["tuneforge_demo"]["format"] == "alpaca" and sft["tuneforge_demo"]["size"] == 301
    assert all("sft" in row["stages"] for row in sft.values())
    dpo = output_json(invoke("list", "--stage", "dpo", "--json"))  # a stage datasets name, installed or not
    assert dpo and all("dpo" in row["stages"] for row in dpo) and "tuneforge_demo" not in {r["name"] for r in dpo}
    text = invoke("list")
    assert text.exit_code == 0 and "tuneforge_demo" in text.stdout and "datasets" in text.stdout


def test_list_unknown_stage_suggests_one():
    result = invoke("list", "--stage", "stf")
    assert isinstance(result.exception, ConfigError) and "did you mean `sft`" in str(result.exception)


def test_list_includes_a_local_index(tmp_path):
    (tmp_path / "chats.jsonl").write_text(json.dumps(GOOD[0]) + "\n", encoding="utf-8")
    (tmp_path / "datasets.yaml").write_text("my_chats: {file: chats.jsonl, format: alpaca, size: 1}\n",
                                            encoding="utf-8")
    rows = {row["name"]: row for row in output_json(invoke("list", "--dataset-dir", tmp_path, "--json"))}
    assert rows["my_chats"]["provider"].startswith("local index") and "tuneforge_demo" in rows


# ---------------------------------------------------------------------------------------------------------------
# preview
# ---------------------------------------------------------------------------------------------------------------


def test_preview_a_dataset_with_a_template_highlights_the_answers():
    report = output_json(invoke("preview", "--dataset", "tuneforge_demo", "--template", "llama3", "-n", "2", "--json"))
    assert [item["row"] for item in report["records"]] == [1, 2]
    first = json.loads(_demo_line(1))
    for item in report["records"][:1]:
        [[start, end]] = item["trained_spans"]
        assert item["text"][start:end] == first["output"] + "<|eot_id|>"
        assert "tokens" not in item  # no tokenizer given: text only


def _demo_line(number: int) -> str:
    from tuneforge.core.data import resolve_packaged_file
    from tuneforge.registry import get_catalog

    path = resolve_packaged_file(get_catalog().spec("dataset", "tuneforge_demo"))
    return path.read_text(encoding="utf-8").splitlines()[number - 1]


def test_preview_a_config_shows_tokens_the_cut_and_rejected_records(config):
    report = output_json(invoke("preview", config, "data.cutoff_len=44", "-n", "5", "--json"))
    records = report["records"]
    assert [item["row"] for item in records] == [1, 2, 3, 5]  # row 4 did not align
    assert all(item["tokens"] <= 44 for item in records[:3])
    long = records[2]
    assert long["status"] == "truncated" and long["tokens"] == 44 and long["tokens_before_cutoff"] > 44
    assert long["cut_at"] < len(long["text"]) and long["trained_spans"][-1][1] <= long["cut_at"]
    assert "cannot write tool definitions" in records[3]["rejected"]
    text = invoke("preview", config, "-n", "1")
    assert text.exit_code == 0 and "row 1" in text.stdout and "trained (highlighted)" in text.stdout


def test_preview_a_preference_record_shows_both_answers(tmp_path):
    (tmp_path / "p.jsonl").write_text(json.dumps({"instruction": "Pick one", "chosen": "Alpha.", "rejected": "Beta."})
                                      + "\n", encoding="utf-8")
    (tmp_path / "datasets.yaml").write_text(
        "prefs: {file: p.jsonl, format: alpaca, columns: {chosen: chosen, rejected: rejected}, stages: [dpo]}\n",
        encoding="utf-8")
    report = output_json(invoke("preview", "--dataset", "prefs", "--dataset-dir", tmp_path, "--template", "llama3",
                                "--json"))
    chosen, rejected = report["records"]
    assert (chosen["side"], rejected["side"]) == ("chosen", "rejected")
    for item, answer in ((chosen, "Alpha."), (rejected, "Beta.")):
        [[start, end]] = item["trained_spans"]
        assert item["text"][start:end] == answer + "<|eot_id|>"


def test_preview_needs_a_config_or_a_dataset_and_template():
    assert isinstance(invoke("preview").exception, ConfigError)
    result = invoke("preview", "--dataset", "tuneforge_demo")
    assert isinstance(result.exception, ConfigError) and "needs --template" in str(result.exception)


# ---------------------------------------------------------------------------------------------------------------
# stats
# ---------------------------------------------------------------------------------------------------------------


def test_stats_counts_lengths_and_reasons(config):
    report = output_json(invoke("stats", config, "data.cutoff_len=44", "data.val_size=0.34", "--json"))
    [dataset] = report["datasets"]
    assert (dataset["rows"], dataset["aligned"], dataset["dropped"]) == (5, 4, 2)
    reasons = {item["reason"].split(":")[0]: item["rows"] for item in dataset["dropped_by_reason"]}
    assert reasons == {"missing column `output` (row has": [4], "template 'llama3'": [5]}
    assert report["examples"] == 3 and report["train_rows"] + report["eval_rows"] == 3 and report["eval_rows"] == 1
    assert report["truncated"] == 1 and report["tokens"]["max"] == 44
    assert sum(item["examples"] for item in report["histogram"]) == 3
    assert report["histogram"][-1]["to"] == 44 and report["tokens"]["trained"] < report["tokens"]["total"]
    assert report["cache"]["status"] == "written"
    assert output_json(invoke("stats", config, "data.cutoff_len=44", "data.val_size=0.34", "--json"))["cache"][
        "status"] == "hit"


def test_stats_text_and_a_streamed_config(config):
    result = invoke("stats", config, "data.streaming=true", "data.max_samples=3", "training.max_steps=2")
    assert result.exit_code == 0, (result.output, result.exception)
    assert "token lengths" in result.stdout and "the run streams them" in result.stdout
