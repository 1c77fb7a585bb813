"""The local data loader: reading each file type, counting and reporting bad rows, detection, packaged files,
fingerprints, and the bundled demo datasets."""

from __future__ import annotations

import hashlib
import importlib.util
import json
from dataclasses import replace
from pathlib import Path

import pytest

import tuneforge.plugins.datasets as datasets_package
from tuneforge.core import DataError, DatasetFormat, DatasetSpec, Record
from tuneforge.core.data import (
    BadRow,
    align_rows,
    data_files,
    detect_format,
    fingerprint,
    load_local,
    merge_mapping,
    read_rows,
    resolve_packaged_file,
)
from tuneforge.plugins.datasets import tuneforge_demo
from tuneforge.plugins.formats import alpaca, sharegpt

REFDATA = Path(__file__).resolve().parents[2] / "shared" / "refdata"
LLAMAFACTORY = REFDATA / "datasets" / "llamafactory"


def registered(module, hook: str) -> list:
    """What a plugin module registers through its hook."""
    found: list = []
    getattr(module, hook)(found.append)
    return found


FORMATS = {fmt.name: fmt for module in (alpaca, sharegpt) for fmt in registered(module, "register_dataset_formats")}
ALPACA = FORMATS["alpaca"]
SHAREGPT = FORMATS["sharegpt"]
DEMO_SPECS = {spec.name: spec for spec in registered(tuneforge_demo, "register_datasets")}


def refdata_file(name: str) -> Path:
    path = LLAMAFACTORY / name
    if not path.exists():
        pytest.skip(f"reference data {path} is absent (shared/refdata is not checked out next to the repository)")
    return path


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


GOOD = {"instruction": "Say hi", "input": "", "output": "hi"}


# ---------------------------------------------------------------------------------------------------------------
# Reading files
# ---------------------------------------------------------------------------------------------------------------


def test_read_json_list(tmp_path):
    path = write(tmp_path / "a.json", json.dumps([GOOD, {"instruction": "x", "output": "y"}]))
    assert list(read_rows(path)) == [(1, GOOD), (2, {"instruction": "x", "output": "y"})]


def test_read_json_reports_items_that_are_not_objects(tmp_path):
    path = write(tmp_path / "a.json", json.dumps([GOOD, [1, 2]]))
    assert list(read_rows(path))[1] == (2, BadRow("expected a JSON object, got list"))


def test_read_jsonl_skips_blank_lines_and_numbers_rows_by_line(tmp_path):
    path = write(
        tmp_path / "a.jsonl", json.dumps(GOOD) + "\n\n" + json.dumps({"instruction": "b", "output": "c"}) + "\n\n"
    )
    assert [number for number, _ in read_rows(path)] == [1, 3]


def test_read_jsonl_with_a_byte_order_mark(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(GOOD).encode())
    assert list(read_rows(path)) == [(1, GOOD)]


def test_v1_sft_demo_with_its_final_newline_reads_every_row():
    path = refdata_file("v1_sft_demo.jsonl")
    assert path.read_bytes().endswith(b"\n")
    rows = list(read_rows(path))
    assert len(rows) == 500 and rows[-1][0] == 500
    assert not any(isinstance(row, BadRow) for _, row in rows)


def test_read_csv(tmp_path):
    path = write(tmp_path / "a.csv", 'instruction,input,output\nSay hi,,hi\n"Add, then stop","1,2","3"\n')
    assert list(read_rows(path)) == [
        (1, {"instruction": "Say hi", "input": "", "output": "hi"}),
        (2, {"instruction": "Add, then stop", "input": "1,2", "output": "3"}),
    ]


def test_read_csv_row_with_too_many_fields_is_a_bad_row(tmp_path):
    path = write(tmp_path / "a.csv", "instruction,output\na,b,c\n")
    ((number, row),) = read_rows(path)
    assert number == 1 and row == BadRow("row has 3 fields but the header names 2")


def test_read_parquet(tmp_path):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    path = tmp_path / "a.parquet"
    rows = [GOOD, {"instruction": "x", "input": "y", "output": "z"}]
    pq.write_table(pa.Table.from_pylist(rows), path, row_group_size=1)  # two row groups: numbering spans batches
    assert list(read_rows(path)) == [(1, GOOD), (2, rows[1])]


def test_read_txt_gives_one_text_row_per_non_empty_line(tmp_path):
    path = write(tmp_path / "a.txt", "first line\n\n  second line\r\n")
    assert list(read_rows(path)) == [(1, {"text": "first line"}), (3, {"text": "  second line"})]


def test_missing_file_names_the_path_and_what_to_do(tmp_path):
    missing = tmp_path / "nope.json"
    with pytest.raises(DataError, match="nope.json' does not exist: check the path"):
        read_rows(missing)  # fails at the call, not at the first next()


def test_unsupported_file_type(tmp_path):
    with pytest.raises(DataError, match=r"unsupported file type '\.xlsx'"):
        read_rows(write(tmp_path / "a.xlsx", ""))


def test_json_file_holding_json_lines_gets_a_hint(tmp_path):
    path = write(tmp_path / "a.json", json.dumps(GOOD) + "\n" + json.dumps(GOOD) + "\n")
    with pytest.raises(
        DataError, match=r"a\.json: not valid JSON \(Extra data at line 2, column 1\).*name the file \.jsonl"
    ):
        list(read_rows(path))


def test_json_file_that_is_not_a_list(tmp_path):
    with pytest.raises(DataError, match="expected a JSON list of objects, got a dict"):
        list(read_rows(write(tmp_path / "a.json", json.dumps(GOOD))))


def test_folder_reads_its_data_files_sorted(tmp_path):
    write(tmp_path / "b.jsonl", json.dumps({"instruction": "b", "output": "b"}) + "\n")
    write(tmp_path / "a.json", json.dumps([{"instruction": "a", "output": "a"}]))
    write(tmp_path / "notes.md", "not data")
    write(tmp_path / ".hidden.json", "[]")
    assert [p.name for p in data_files(tmp_path)] == ["a.json", "b.jsonl"]
    assert [row["instruction"] for _, row in read_rows(tmp_path)] == ["a", "b"]


def test_empty_folder(tmp_path):
    with pytest.raises(DataError, match="holds no data files"):
        read_rows(tmp_path)


# ---------------------------------------------------------------------------------------------------------------
# Aligning: bad rows are counted and listed, or raised in strict mode
# ---------------------------------------------------------------------------------------------------------------


@pytest.fixture
def mixed_jsonl(tmp_path) -> Path:
    lines = [
        json.dumps(GOOD),
        '{"instruction": "broken", ',  # line 2: invalid JSON
        json.dumps({"instruction": "no answer"}),  # line 3: missing column
        "",
        json.dumps({"instruction": "x", "output": "y"}),
        "[1, 2]",  # line 6: not an object
    ]
    return write(tmp_path / "mixed.jsonl", "\n".join(lines) + "\n")


def test_bad_rows_are_counted_and_listed_with_file_and_row(mixed_jsonl):
    result = load_local(mixed_jsonl, ALPACA)
    assert (result.kept, len(result.dropped), result.total) == (2, 3, 5)
    assert [(d.source, d.row) for d in result.dropped] == [
        (str(mixed_jsonl), 2),
        (str(mixed_jsonl), 3),
        (str(mixed_jsonl), 6),
    ]
    assert result.dropped[0].reason.startswith("invalid JSON on line 2: ")
    assert result.dropped[1].reason == "missing column `output` (row has: instruction)"
    assert result.dropped[2].reason == "expected a JSON object on line 6, got list"
    summary = result.summary(limit=2)
    assert summary.splitlines()[0] == "2 of 5 rows aligned, 3 dropped"
    assert f"{mixed_jsonl}, row 2: invalid JSON" in summary
    assert f"{mixed_jsonl}, row 3: missing column `output`" in summary
    assert summary.splitlines()[-1] == "  ... and 1 more"


def test_strict_mode_raises_at_the_first_bad_row(mixed_jsonl):
    with pytest.raises(DataError, match=rf"{mixed_jsonl}, row 2: invalid JSON on line 2"):
        load_local(mixed_jsonl, ALPACA, strict=True)


def test_strict_mode_names_the_reason_of_an_alignment_failure(tmp_path):
    path = write(tmp_path / "chat.json", json.dumps([{"conversations": [{"from": "bot", "value": "x"}]}]))
    with pytest.raises(
        DataError, match=r"chat\.json, row 1: unknown role tag 'bot' at turn 1 \(expected one of 'human'"
    ):
        load_local(path, SHAREGPT, strict=True)


def test_folder_drops_name_their_own_file(tmp_path):
    write(tmp_path / "a.json", json.dumps([GOOD]))
    write(tmp_path / "b.json", json.dumps([GOOD, {"instruction": "only"}]))
    result = load_local(tmp_path, ALPACA)
    assert result.kept == 2
    assert [(Path(d.source).name, d.row) for d in result.dropped] == [("b.json", 2)]


def test_align_rows_merges_columns_over_the_defaults():
    rows = [(1, {"prompt": "Say hi", "completion": "hi"})]
    result = align_rows(rows, ALPACA, {"prompt": "prompt", "response": "completion"}, source="inline")
    assert [m.content for m in result.records[0].messages] == ["Say hi", "hi"]


def test_csv_alpaca_kto_with_text_labels_and_json_history(tmp_path):
    path = write(
        tmp_path / "kto.csv",
        'instruction,output,label,history\nQ2,A2,true,"[[""Q1"", ""A1""]]"\nQ,A,False,\n',
    )
    result = load_local(path, ALPACA, {"kto_tag": "label"}, strict=True)
    assert [r.kto_label for r in result.records] == [True, False]
    assert [m.content for m in result.records[0].messages] == ["Q1", "A1", "Q2", "A2"]


def test_a_format_that_crashes_is_reported_as_a_plugin_bug():
    def align(row, columns, tags):
        return row["missing"]

    broken = DatasetFormat(name="broken", align=align)
    with pytest.raises(DataError, match=r"dataset format 'broken' failed on inline, row 1 with KeyError"):
        align_rows([(1, {})], broken, source="inline")


def test_a_format_must_return_a_record():
    odd = DatasetFormat(name="odd", align=lambda row, columns, tags: {"messages": []})
    with pytest.raises(DataError, match="align must return a tuneforge.core.Record"):
        align_rows([(1, {})], odd, source="inline")


def test_merge_mapping():
    assert merge_mapping({"a": "x", "b": "y"}, {"b": "z", "c": "w"}) == {"a": "x", "b": "z", "c": "w"}
    assert merge_mapping({"a": "x", "b": "y"}, {"a": None, "b": ""}) == {}
    assert merge_mapping(None, None) == {}


# ---------------------------------------------------------------------------------------------------------------
# Format detection
# ---------------------------------------------------------------------------------------------------------------


def sample(path: Path, n: int = 20) -> list:
    rows = []
    for _, row in read_rows(path):
        rows.append(row)
        if len(rows) == n:
            break
    return rows


def test_detect_format_on_refdata():
    formats = list(FORMATS.values())
    assert detect_format(sample(refdata_file("alpaca_en_demo.json")), formats) is ALPACA
    assert detect_format(sample(refdata_file("glaive_toolcall_en_demo.json")), formats) is SHAREGPT
    from tuneforge.plugins.formats.openai import OPENAI

    # v1 files are role/content messages: with the openai format known, detection picks it
    assert detect_format(sample(refdata_file("v1_sft_demo.jsonl")), formats + [OPENAI]) is OPENAI


def test_detect_format_none_matches():
    with pytest.raises(DataError, match=r"cannot tell the format of c4 \(columns: text\): no format recognises it"):
        detect_format([{"text": "a document"}], list(FORMATS.values()), source="c4")


def test_detect_format_needs_a_majority_of_sampled_rows_to_match():
    with pytest.raises(DataError, match="no format recognises it"):
        detect_format([GOOD, {"text": "a document"}], list(FORMATS.values()))
    # With a clear majority, a stray row does not hide the format: it is dropped later, with its reason.
    assert detect_format([GOOD, GOOD, {"text": "a document"}], list(FORMATS.values())) is ALPACA


def test_detect_format_ambiguous():
    row = {"instruction": "a", "output": "b", "conversations": [{"from": "human", "value": "a"}]}
    with pytest.raises(DataError, match="ambiguous .* looks like alpaca and sharegpt"):
        detect_format([row], list(FORMATS.values()))


def test_detect_format_ignores_unreadable_rows_but_needs_some():
    assert detect_format([BadRow("invalid JSON"), GOOD], list(FORMATS.values())) is ALPACA
    with pytest.raises(DataError, match="no readable rows"):
        detect_format([BadRow("invalid JSON")], list(FORMATS.values()))


# ---------------------------------------------------------------------------------------------------------------
# Packaged files and fingerprints
# ---------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "file", ["../formats/alpaca.py", "data/../../formats/alpaca.py", "/etc/passwd", "C:\\data\\x.json", "..\\x.json"]
)
def test_packaged_file_cannot_escape_its_package(file):
    spec = replace(DEMO_SPECS["tuneforge_demo"], file=file)
    with pytest.raises(DataError, match="must be a relative path inside package"):
        resolve_packaged_file(spec)


def test_packaged_file_missing_or_package_unknown():
    with pytest.raises(DataError, match="file 'data/nope.jsonl' is missing from package"):
        resolve_packaged_file(replace(DEMO_SPECS["tuneforge_demo"], file="data/nope.jsonl"))
    spec = DatasetSpec(name="x", format="alpaca", package="tuneforge_no_such_pack", file="d.json")
    with pytest.raises(DataError, match="package 'tuneforge_no_such_pack' cannot be imported"):
        resolve_packaged_file(spec)


def test_fingerprint_is_the_sha256_of_the_bytes(tmp_path):
    path = write(tmp_path / "a.jsonl", json.dumps(GOOD) + "\n")
    assert fingerprint(path) == hashlib.sha256(path.read_bytes()).hexdigest()
    before = fingerprint(tmp_path)
    write(tmp_path / "a.jsonl", json.dumps(GOOD) + "\n" + json.dumps(GOOD) + "\n")
    assert fingerprint(tmp_path) != before


# ---------------------------------------------------------------------------------------------------------------
# The bundled demo datasets
# ---------------------------------------------------------------------------------------------------------------


def test_demo_datasets_are_registered():
    assert set(DEMO_SPECS) == {"tuneforge_demo", "tuneforge_demo_multiturn"}
    demo = DEMO_SPECS["tuneforge_demo"]
    assert (demo.format, demo.package, demo.file) == (
        "alpaca",
        "tuneforge.plugins.datasets",
        "data/tuneforge_demo.jsonl",
    )
    assert demo.stages == ("sft",) and demo.languages == ("en",) and demo.license == "Apache-2.0"
    assert DEMO_SPECS["tuneforge_demo_multiturn"].format == "sharegpt"


@pytest.mark.parametrize("name", ["tuneforge_demo", "tuneforge_demo_multiturn"])
def test_demo_dataset_loads_with_nothing_dropped(name):
    spec = DEMO_SPECS[name]
    result = load_local(resolve_packaged_file(spec), FORMATS[spec.format], spec.columns, spec.tags, strict=True)
    assert result.dropped == [] and result.kept == spec.size
    assert all(record.kind == "conversation" for record in result.records)


def test_demo_dataset_mixes_identity_system_prompts_and_multi_turn():
    demo = load_local(resolve_packaged_file(DEMO_SPECS["tuneforge_demo"]), ALPACA).records
    assert 20 <= sum("Forge" in r.messages[-1].content or "tuneforge" in r.messages[-1].content for r in demo) <= 40
    assert 40 <= sum(r.messages[0].role == "system" for r in demo) <= 120
    chats = load_local(resolve_packaged_file(DEMO_SPECS["tuneforge_demo_multiturn"]), SHAREGPT).records
    assert all(len(r.messages) >= 4 for r in chats)


def _answer(record: Record) -> tuple[str, str, str]:
    instruction, _, text = record.messages[-2].content.partition("\n")
    return instruction, text, record.messages[-1].content


def test_demo_task_answers_are_correct():
    """The quickstart's loss only falls if the tasks are consistent: check every mechanical answer."""
    words = {"two": 2, "three": 3, "four": 4}
    checked = 0
    for record in load_local(resolve_packaged_file(DEMO_SPECS["tuneforge_demo"]), ALPACA).records:
        instruction, text, output = _answer(record)
        if instruction == "Reverse the letters of the word.":
            assert output == text[::-1]
        elif instruction == "Write the phrase in capital letters.":
            assert output == text.upper()
        elif instruction == "Add the two numbers.":
            a, b = map(int, text.split(" and "))
            assert output == f"{a} + {b} = {a + b}"
        elif instruction == "Count the words in the sentence.":
            assert output == f"The sentence has {len(text.split())} words."
        elif instruction == "Sort the letters of the word alphabetically.":
            assert output == "".join(sorted(text))
        elif instruction.startswith("Repeat the word "):
            assert output == " ".join([text] * words[instruction.split()[3]])
        else:
            continue
        checked += 1
    assert checked >= 250


def test_committed_demo_files_match_their_generator():
    script = Path(datasets_package.__file__).parent / "data" / "make_demo.py"
    if not script.exists():
        pytest.skip("make_demo.py is not installed with the package (only in a source checkout)")
    spec = importlib.util.spec_from_file_location("make_demo", script)
    make_demo = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_demo)
    for rows, dataset in (
        (make_demo.build_alpaca(), "tuneforge_demo"),
        (make_demo.build_sharegpt(), "tuneforge_demo_multiturn"),
    ):
        path = resolve_packaged_file(DEMO_SPECS[dataset])
        assert path.read_text(encoding="utf-8") == make_demo.render(rows), f"{path.name} is stale: run {script}"
