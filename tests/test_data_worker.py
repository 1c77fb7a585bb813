"""The data worker inside a run: per-record template failures are reported with file and row, or raised in
strict mode; dataset kinds must fit the stage."""

from __future__ import annotations

import json

import pytest

from tuneforge.core import DataError


def prepare(tmp_path, rows, *overrides):
    from tuneforge.core.config import load_config
    from tuneforge.core.data_worker import prepare_data
    from tuneforge.core.model_loader import load_tokenizer
    from tuneforge.core.resolve import resolve
    from tuneforge.registry import get_catalog

    data = tmp_path / "mine.jsonl"
    data.write_text("".join(json.dumps(row) + "\n" for row in rows))
    config = tmp_path / "run.yaml"
    config.write_text("model: tiny-llama\ndata: {datasets: [mine.jsonl]}\noutput_dir: out\n")
    catalog = get_catalog()
    run = resolve(load_config(config, list(overrides)), catalog)
    return prepare_data(run, load_tokenizer(run, catalog.plugin_manager), catalog), data


GOOD = {"instruction": "Say hi", "output": "hi"}
# Aligns (alpaca allows a system column) but llama3 with tools is not supported: the template refuses it.
WITH_TOOLS = {"instruction": "Weather?", "output": "Sunny", "tools": json.dumps([{"name": "weather"}])}


def test_a_record_the_template_rejects_is_dropped_with_file_and_row(tmp_path):
    prepared, data = prepare(tmp_path, [GOOD, WITH_TOOLS, GOOD])
    assert len(prepared.train) == 2
    dropped = prepared.reports[0].dropped
    assert [(d.source, d.row) for d in dropped] == [(str(data), 2)]
    assert "template 'llama3'" in dropped[0].reason
    assert prepared.to_dict()["datasets"][0]["dropped"] == 1


def test_strict_mode_raises_on_the_first_bad_record(tmp_path):
    with pytest.raises(DataError, match=r"mine.jsonl, row 2: template 'llama3'"):
        prepare(tmp_path, [GOOD, WITH_TOOLS, GOOD], "data.strict=true")


def test_bad_rows_are_counted_and_listed(tmp_path):
    prepared, data = prepare(tmp_path, [GOOD, {"instruction": "no output"}, GOOD, GOOD])
    assert len(prepared.train) == 3
    assert prepared.reports[0].dropped[0].row == 2
    assert "output" in prepared.reports[0].dropped[0].reason


def test_cutoff_reports_truncation(tmp_path):
    long = {"instruction": "Repeat", "output": "word " * 200}
    prepared, _ = prepare(tmp_path, [GOOD, long], "data.cutoff_len=40")
    assert prepared.truncated == 1
    assert all(len(row["input_ids"]) <= 40 for row in prepared.train)


def test_dataset_kind_must_fit_the_stage(tmp_path):
    preference = {"instruction": "Pick", "chosen": "a", "rejected": "b"}
    with pytest.raises(DataError, match="preference records, but stage 'sft'"):
        prepare(tmp_path, [preference], "data.datasets=[{path: mine.jsonl, format: alpaca, columns: {chosen: chosen, rejected: rejected}}]")


def test_an_oversampled_bad_record_is_reported_once(tmp_path):
    (tmp_path / "big.jsonl").write_text("".join(json.dumps(GOOD) + "\n" for _ in range(9)))
    prepared, data = prepare(tmp_path, [GOOD, WITH_TOOLS], "data.datasets=[mine.jsonl, big.jsonl]",
                             "data.mix=interleave", "data.mix_stop=all_exhausted", "data.cache=false")
    dropped = prepared.reports[0].dropped
    assert [(d.source, d.row) for d in dropped] == [(str(data), 2)]
    assert len(prepared.train) == 9 + 5  # mine.jsonl is drawn 9 times (oversampled): its good record 5 times
