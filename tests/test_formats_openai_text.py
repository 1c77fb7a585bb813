"""Dataset formats openai and text: LLaMA-Factory's v1, multimodal, KTO and pretraining files align completely and
exactly; bad rows say why; detection gives every shape to exactly one format."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tuneforge.core import DataError, DatasetFormat, Message, Record, ToolCall
from tuneforge.core.data import detect_format, load_local, merge_mapping, read_rows
from tuneforge.plugins.formats import alpaca, openai, sharegpt, text

REFDATA = Path(__file__).resolve().parents[2] / "shared" / "refdata"
LLAMAFACTORY = REFDATA / "datasets" / "llamafactory"

V1_PREFERENCE = {"chosen": "chosen_messages", "rejected": "rejected_messages"}


def registered_formats() -> dict[str, DatasetFormat]:
    """Every built-in format, registered through its hook (the call the catalog makes)."""
    found: list[DatasetFormat] = []
    for module in (alpaca, sharegpt, openai, text):
        module.register_dataset_formats(found.append)
    return {fmt.name: fmt for fmt in found}


FORMATS = registered_formats()


def refdata_file(name: str) -> Path:
    path = LLAMAFACTORY / name
    if not path.exists():
        pytest.skip(f"reference data {path} is absent (shared/refdata is not checked out next to the repository)")
    return path


def align(fmt: str, row: dict, columns: dict | None = None, tags: dict | None = None) -> Record:
    """Align one row the way the loader does: the caller's columns and tags over the format's defaults."""
    spec = FORMATS[fmt]
    return spec.align(row, merge_mapping(spec.columns, columns), merge_mapping(spec.tags, tags))


def record_at(name: str, fmt: str, row: int, columns: dict | None = None) -> Record:
    result = load_local(refdata_file(name), FORMATS[fmt], columns, strict=True)
    return result.records[row - 1]  # strict: no row was dropped, so positions match row numbers


def msgs(*turns) -> list[dict]:
    return [{"role": role, "content": content} for role, content in turns]


def test_both_formats_register_with_their_defaults():
    assert FORMATS["openai"].columns["messages"] == "messages"
    assert (FORMATS["openai"].columns["chosen"], FORMATS["openai"].columns["kto_tag"]) == ("chosen", "label")
    assert "system" not in FORMATS["openai"].columns  # OpenAI rows carry the system prompt in `messages`
    assert set(FORMATS["openai"].produces) == {"conversation", "preference", "kto"}
    assert dict(FORMATS["text"].columns) == {"text": "text"}
    assert FORMATS["text"].produces == ("text",)


# ---------------------------------------------------------------------------------------------------------------
# LLaMA-Factory's files in the openai and text shapes align with nothing dropped
# ---------------------------------------------------------------------------------------------------------------

REFDATA_FILES = [
    ("v1_sft_demo.jsonl", "openai", {}, 500, "conversation"),
    ("v1_dpo_demo.jsonl", "openai", V1_PREFERENCE, 10, "preference"),
    ("v1_multimodal_demo.jsonl", "openai", {}, 24, "conversation"),
    ("reason_tool_use_demo_50.jsonl", "openai", {}, 50, "conversation"),
    ("kto_en_demo.json", "openai", {}, 300, "kto"),
    ("mllm_demo.json", "openai", {}, 6, "conversation"),
    ("mllm_audio_demo.json", "openai", {}, 3, "conversation"),
    ("mllm_video_demo.json", "openai", {}, 3, "conversation"),
    ("mllm_video_audio_demo.json", "openai", {}, 3, "conversation"),
    ("c4_demo.jsonl", "text", {}, 300, "text"),
    ("wiki_demo.txt", "text", {}, 30, "text"),
]


@pytest.mark.parametrize("name, fmt, columns, rows, kind", REFDATA_FILES, ids=[case[0] for case in REFDATA_FILES])
def test_refdata_file_aligns_without_dropping(name, fmt, columns, rows, kind):
    result = load_local(refdata_file(name), FORMATS[fmt], columns)
    assert result.dropped == [], result.summary()
    assert result.kept == rows
    assert {record.kind for record in result.records} == {kind}


def test_a_trailing_blank_line_is_no_row():
    path = refdata_file("v1_multimodal_demo.jsonl")
    assert path.read_text(encoding="utf-8").endswith("}\n\n")  # line 25 is blank
    assert [number for number, _ in read_rows(path)] == list(range(1, 25))


def test_v1_sft_row():
    assert record_at("v1_sft_demo.jsonl", "openai", 4) == Record(
        messages=(
            Message("user", "What is your name?"),
            Message("assistant", "You may refer to me as {{name}}, an AI assistant developed by {{author}}."),
        )
    )


def test_v1_dpo_row_shares_the_prompt_and_differs_in_the_answer():
    record = record_at("v1_dpo_demo.jsonl", "openai", 1, V1_PREFERENCE)
    assert record.messages == (
        Message(
            "system",
            "You are an AI assistant. You will be given a task. You must generate a detailed and long answer.",
        ),
        Message(
            "user",
            "Abdulah Hasanagic este mândrul proprietar al AS Company din Gorazde, un orăşel situat pe malul râului "
            "Drina, lângă frontiera cu Serbia, în estul Bosniei.\n\nTranslate to English\n\nEnglish:",
        ),
    )
    assert record.chosen == Message(
        "assistant",
        "Abdulah Hasanagic is the proud owner of AS Company in Gorazde, a small town located on the banks of the "
        "Drina River, near the border with Serbia, in Eastern Bosnia.",
    )
    assert record.rejected == Message(
        "assistant",
        " Abdulah Hasanagic is the proud owner of AS Company, a small town located on the banks of the Drina River, "
        "near the border with Serbia, in eastern Bosnia.",
    )


def test_v1_multimodal_parts_become_placeholders_and_paths():
    record = record_at("v1_multimodal_demo.jsonl", "openai", 1)
    assert record == Record(
        messages=(
            Message("user", "<image>Who are they?"),
            Message("assistant", "They're Kane and Gretzka from Bayern Munich."),
            Message("user", "What are they doing?<image>"),
            Message("assistant", "They are celebrating on the soccer field."),
        ),
        images=("data/mllm_demo_data/1.jpg", "data/mllm_demo_data/1.jpg"),
    )


def test_reasoning_tool_call_and_named_tool_result():
    record = record_at("reason_tool_use_demo_50.jsonl", "openai", 5)
    system, user, call, result, answer = record.messages
    assert system.content.startswith("You are a methodical and expert assistant.")
    assert call.content == "" and call.reasoning.startswith("Okay, the user wants to move some JPEG files")
    assert call.tool_calls == (
        ToolCall(
            "move_files",
            {
                "source_directory": "C:\\Users\\Username\\Downloads",
                "destination_directory": "C:\\Users\\Username\\Desktop\\Images",
                "file_names": ["photo1.jpg", "photo2.jpg", "photo3.jpg"],
            },
        ),
    )
    assert result.role == "tool" and result.name == "move_files"  # the only call answered
    assert result.content.startswith('[{"name": "move_files", "content": {"source_directory"')
    assert answer.role == "assistant" and answer.content
    assert [tool["function"]["name"] for tool in record.tools] == ["move_files", "copy_files"]


def test_parallel_calls_without_ids_leave_the_result_unnamed():
    result = load_local(refdata_file("reason_tool_use_demo_50.jsonl"), FORMATS["openai"])
    parallel = [
        (m, r.messages[i + 1]) for r in result.records for i, m in enumerate(r.messages[:-1]) if len(m.tool_calls) > 1
    ]
    assert parallel
    assert all(after.role == "tool" and after.name is None for _, after in parallel)


def test_kto_row_reads_the_label_column():
    record = record_at("kto_en_demo.json", "openai", 34)
    assert record.kind == "kto" and record.kto_label is False
    assert record.messages[-1] == Message("assistant", "I can do that!")
    assert record_at("kto_en_demo.json", "openai", 1).kto_label is True


def test_mllm_media_columns_are_kept():
    assert record_at("mllm_video_audio_demo.json", "openai", 1) == Record(
        messages=(
            Message("user", "<video><audio>What is the video describing?"),
            Message("assistant", "A girl who is drawing a picture of a guitar and feel nervous."),
        ),
        videos=("mllm_demo_data/4.mp4",),
        audios=("mllm_demo_data/4.mp3",),
    )
    assert record_at("mllm_demo.json", "openai", 1).images == ("mllm_demo_data/1.jpg", "mllm_demo_data/1.jpg")


def test_text_rows_are_kept_exactly():
    assert record_at("c4_demo.jsonl", "text", 138) == Record(text="Y.M. Molding Industry Mfg. Inc.")
    wiki = record_at("wiki_demo.txt", "text", 10).text
    assert wiki.startswith("The Academy Award for Best Production Design recognizes achievement for art direction")
    assert len(wiki) == 1007
    import hashlib

    # sha256 of line 10 without its newline, taken with `sed -n 10p | tr -d '\n' | sha256sum`
    assert hashlib.sha256(wiki.encode()).hexdigest() == (
        "5bae24582dcf15f428dcd4279dff935d46667a99b118ce56afea5ce122ea2aa2"
    )


# ---------------------------------------------------------------------------------------------------------------
# Synthetic rows: the OpenAI shapes and the reasons for refusing a row
# ---------------------------------------------------------------------------------------------------------------


def test_openai_tool_calls_with_ids_name_their_results():
    row = {
        "messages": [
            {"role": "user", "content": "Weather in Oslo and Rome?"},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {"id": "c1", "type": "function", "function": {"name": "weather", "arguments": '{"city": "Oslo"}'}},
                    {"id": "c2", "type": "function", "function": {"name": "time", "arguments": {"city": "Rome"}}},
                ],
            },
            {"role": "tool", "tool_call_id": "c2", "content": "12:00"},
            {"role": "tool", "tool_call_id": "c1", "content": "sunny"},
            {"role": "assistant", "content": "Sunny in Oslo; noon in Rome.", "reasoning_content": "Both answered."},
        ],
        "tools": [{"type": "function", "function": {"name": "weather"}}],
    }
    record = align("openai", row)
    call = record.messages[1]
    assert call == Message(
        "assistant",
        "",
        tool_calls=(ToolCall("weather", {"city": "Oslo"}, "c1"), ToolCall("time", {"city": "Rome"}, "c2")),
    )
    assert record.messages[2] == Message("tool", "12:00", name="time", tool_call_id="c2")
    assert record.messages[3] == Message("tool", "sunny", name="weather", tool_call_id="c1")
    assert record.messages[4].reasoning == "Both answered."
    assert record.tools == ({"type": "function", "function": {"name": "weather"}},)


def test_openai_content_parts_in_openai_shape():
    row = {
        "messages": [
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "What is "},
                    {"type": "image_url", "image_url": {"url": "cat.png"}},
                    {"type": "text", "text": "?"},
                ],
            },
            {"role": "assistant", "content": [{"type": "text", "text": "A cat."}], "weight": 1},
        ]
    }
    record = align("openai", row)
    assert record.messages[0] == Message("user", "What is <image>?")
    assert record.images == ("cat.png",)


def test_openai_preference_with_answer_objects_and_a_system_column():
    row = {
        "messages": msgs(("user", "2+2?")),
        "chosen": {"role": "assistant", "content": "4"},
        "rejected": {"role": "assistant", "content": "5"},
        "sys": "Be exact.",
    }
    record = align("openai", row, {"system": "sys"})
    assert record == Record(
        messages=(Message("system", "Be exact."), Message("user", "2+2?")),
        chosen=Message("assistant", "4"),
        rejected=Message("assistant", "5"),
    )


def test_openai_preference_as_whole_conversations_finds_the_shared_prompt():
    prompt = msgs(("system", "Be exact."), ("user", "1+1?"), ("assistant", "2"), ("user", "2+2?"))
    row = {"chosen": prompt + msgs(("assistant", "4")), "rejected": prompt + msgs(("assistant", "5"))}
    record = align("openai", row)
    assert [m.content for m in record.messages] == ["Be exact.", "1+1?", "2", "2+2?"]
    assert (record.chosen.content, record.rejected.content) == ("4", "5")


def test_openai_messages_as_json_text_from_a_csv_file(tmp_path):
    data = tmp_path / "chats.csv"
    conversation = json.dumps(msgs(("user", "hi"), ("assistant", "hello")))
    data.write_text('messages,label\n"' + conversation.replace('"', '""') + '",true\n', encoding="utf-8")
    (record,) = load_local(data, FORMATS["openai"], strict=True).records
    assert record == Record(messages=(Message("user", "hi"), Message("assistant", "hello")), kto_label=True)


def test_openai_unmapping_label_ignores_an_unrelated_column():
    row = {"messages": msgs(("user", "a"), ("assistant", "b")), "label": "news"}
    assert align("openai", row, {"kto_tag": ""}).kind == "conversation"


def test_openai_empty_system_message_is_left_out():
    record = align("openai", {"messages": msgs(("system", ""), ("user", "a"), ("assistant", "b"))})
    assert record.messages == (Message("user", "a"), Message("assistant", "b"))


def test_text_format_custom_column():
    assert align("text", {"content": "a document"}, {"text": "content"}) == Record(text="a document")


def conversation(*turns, **extra) -> dict:
    return {"messages": msgs(*turns), **extra}


BAD_ROWS = [
    ("openai", {"messages": []}, {}, "column `messages` must be a non-empty list of messages"),
    ("openai", {"conversation": []}, {}, "missing column `messages` (row has: conversation)"),
    ("openai", {"messages": ["hi"]}, {}, "message 1 is not an object"),
    ("openai", {"messages": [{"content": "hi"}]}, {}, "missing `role` in message 1"),
    (
        "openai",
        conversation(("human", "a"), ("assistant", "b")),
        {},
        "unknown role 'human' in message 1 (expected one of system, user, assistant, tool)",
    ),
    (
        "openai",
        conversation(("assistant", "a"), ("user", "b")),
        {},
        "roles out of order at message 1: 'assistant' after 'the start' (expected user)",
    ),
    (
        "openai",
        conversation(("user", "a"), ("user", "b"), ("assistant", "c")),
        {},
        "roles out of order at message 2: 'user' after 'user' (expected assistant)",
    ),
    (
        "openai",
        conversation(("user", "a"), ("assistant", "b"), ("system", "c")),
        {},
        "roles out of order at message 3: a system message can only come first",
    ),
    (
        "openai",
        conversation(("user", "a"), ("assistant", "b"), ("tool", "c"), ("assistant", "d")),
        {},
        "roles out of order at message 3: a tool result after an answer without tool calls",
    ),
    ("openai", conversation(("user", "a"), ("assistant", " ")), {}, "empty content in message 2"),
    ("openai", conversation(("user", 5), ("assistant", "b")), {}, "non-string content in message 1 (int)"),
    ("openai", conversation(("user", None), ("assistant", "b")), {}, "missing content in message 1"),
    (
        "openai",
        conversation(("user", "a"), ("assistant", "b"), ("user", "c")),
        {},
        "the conversation ends with a user message: the last message must be the assistant's answer",
    ),
    ("openai", conversation(("system", "")), {}, "no messages besides an empty system prompt"),
    (
        "openai",
        {"messages": [{"role": "user", "content": "a", "thinking": "x"}, {"role": "assistant", "content": "b"}]},
        {},
        "unsupported key `thinking` in message 1",
    ),
    (
        "openai",
        {"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b", "loss_weight": 0.0}]},
        {},
        "`loss_weight` 0.0 in message 2: per-message weights are not supported",
    ),
    (
        "openai",
        {
            "messages": [
                {"role": "user", "content": "a", "tool_calls": [{"name": "f", "arguments": {}}]},
                {"role": "assistant", "content": "b"},
            ]
        },
        {},
        "`tool_calls` in a user message (message 1): only the assistant calls tools",
    ),
    (
        "openai",
        {
            "messages": [
                {"role": "user", "content": "a"},
                {"role": "assistant", "content": None, "tool_calls": [{"function": {"arguments": "{}"}}]},
            ]
        },
        {},
        "missing tool `name` in the tool_calls of message 2",
    ),
    (
        "openai",
        conversation(("user", "a"), ("assistant", [{"type": "image_url", "value": "x.png"}])),
        {},
        "image_url part in a assistant message (message 2): media go in user messages",
    ),
    (
        "openai",
        conversation(("user", [{"type": "audio", "input_audio": {"data": "AAAA"}}]), ("assistant", "b")),
        {},
        "audio part 1 of message 1 needs a path or URL (inline data is not supported)",
    ),
    (
        "openai",
        conversation(("user", [{"type": "table", "value": "x"}]), ("assistant", "b")),
        {},
        "unsupported content part 'table' in a user message (message 1)",
    ),
    (
        "openai",
        conversation(("user", [{"type": "image_url", "value": "a.png"}]), ("assistant", "b"), images=["b.png"]),
        {},
        "images both in column `images` and as parts of the messages: give one",
    ),
    (
        "openai",
        conversation(("user", "<image><image>Same?"), ("assistant", "Yes."), images=["a.png"]),
        {},
        "1 images but 2 `<image>` placeholder(s) in the messages",
    ),
    (
        "openai",
        conversation(("user", "a"), chosen={"role": "assistant", "content": "b"}, rejected=[]),
        {},
        "column `rejected` must be an assistant message or a non-empty list of messages",
    ),
    (
        "openai",
        conversation(
            ("user", "a"), chosen={"role": "user", "content": "b"}, rejected={"role": "assistant", "content": "c"}
        ),
        {},
        "roles out of order at `chosen` message 1: 'user' after 'user' (expected assistant)",
    ),
    (
        "openai",
        {
            "chosen": msgs(("user", "a"), ("assistant", "b")),
            "rejected": msgs(("user", "other prompt"), ("assistant", "c")),
        },
        {},
        "`chosen` and `rejected` must share the prompt and differ in one final assistant answer (after 0 shared "
        "messages, chosen has 2 and rejected 2 more)",
    ),
    (
        "openai",
        conversation(("user", "a"), chosen={"role": "assistant", "content": "b"}),
        {},
        "missing column `rejected`",
    ),
    (
        "openai",
        conversation(("user", "a"), ("assistant", "b"), label="maybe"),
        {},
        "column `label` must be true or false, got 'maybe'",
    ),
    (
        "openai",
        conversation(
            ("user", "a"), chosen={"role": "assistant", "content": "b"}, rejected={"role": "assistant", "content": "c"},
            label=True,
        ),
        {},
        "both a preference pair and `label`",
    ),
    (
        "openai",
        conversation(("system", "s"), ("user", "a"), ("assistant", "b"), sys="t"),
        {"system": "sys"},
        "two system prompts: column `sys` and the first message",
    ),
    ("text", {"text": ""}, {}, "column `text` is empty"),
    ("text", {"text": " \n"}, {}, "column `text` is empty"),
    ("text", {"text": ["a"]}, {}, "column `text` must be a string, got list"),
    ("text", {"content": "a"}, {}, "missing column `text` (row has: content)"),
]


@pytest.mark.parametrize("fmt, row, columns, reason", BAD_ROWS, ids=[case[3][:60] for case in BAD_ROWS])
def test_bad_row_raises_value_error_with_a_precise_reason(fmt, row, columns, reason):
    with pytest.raises(ValueError, match=re.escape(reason)):
        align(fmt, row, columns)


def test_openai_refuses_tags():
    with pytest.raises(ValueError, match="the openai format has fixed role names and takes no tags"):
        align("openai", conversation(("user", "a"), ("assistant", "b")), tags={"role_tag": "from"})


def test_media_placeholders_are_checked_in_every_format():
    with pytest.raises(ValueError, match=re.escape("2 images but 1 `<image>` placeholder(s)")):
        align("alpaca", {"instruction": "<image>What?", "output": "Cats.", "images": ["a.png", "b.png"]})
    with pytest.raises(ValueError, match=re.escape("1 videos but 0 `<video>` placeholder(s)")):
        align(
            "sharegpt",
            {"conversations": [{"from": "human", "value": "Why?"}, {"from": "gpt", "value": "b"}], "videos": ["v.mp4"]},
        )
    # A text-only row may say <video> (HTML): only rows that carry media are checked.
    assert align("openai", conversation(("user", "Fix <video>"), ("assistant", "ok"))).videos == ()


def test_bad_rows_in_files_are_reported_with_file_row_and_reason(tmp_path):
    data = tmp_path / "chats.jsonl"
    good = json.dumps(conversation(("user", "a"), ("assistant", "b")))
    data.write_text(
        "\n".join([good, '{"messages": [', good, json.dumps(conversation(("user", "a"), ("bot", "b"))), good, ""]),
        encoding="utf-8",
    )
    result = load_local(data, FORMATS["openai"])
    assert result.kept == 3
    assert [str(d) for d in result.dropped] == [
        f"{data}, row 2: invalid JSON on line 2: Expecting value (column 1)",
        f"{data}, row 4: unknown role 'bot' in message 2 (expected one of system, user, assistant, tool)",
    ]
    with pytest.raises(DataError, match=re.escape(f"{data}, row 2: invalid JSON on line 2")):
        load_local(data, FORMATS["openai"], strict=True)


def test_a_missing_file_names_its_path(tmp_path):
    with pytest.raises(DataError, match=re.escape(f"data file {str(tmp_path / 'nope.jsonl')!r} does not exist")):
        load_local(tmp_path / "nope.jsonl", FORMATS["text"])


def test_a_blank_text_line_is_no_row_but_a_whitespace_document_is_a_bad_row(tmp_path):
    lines = tmp_path / "notes.txt"
    lines.write_text("first\n\nthird\n", encoding="utf-8")
    result = load_local(lines, FORMATS["text"])
    assert list(zip(result.rows, [record.text for record in result.records])) == [(1, "first"), (3, "third")]
    docs = tmp_path / "docs.jsonl"
    docs.write_text('{"text": "a"}\n{"text": "   "}\n', encoding="utf-8")
    assert [str(d) for d in load_local(docs, FORMATS["text"]).dropped] == [f"{docs}, row 2: column `text` is empty"]


# ---------------------------------------------------------------------------------------------------------------
# Detection: exactly one format claims each shape
# ---------------------------------------------------------------------------------------------------------------

DETECT_CASES = [
    ({"instruction": "a", "input": "", "output": "b"}, {"alpaca"}),
    ({"instruction": "a", "input": "", "output": "b", "text": "### Instruction: a"}, {"alpaca"}),
    ({"conversations": [{"from": "human", "value": "a"}, {"from": "gpt", "value": "b"}]}, {"sharegpt"}),
    ({"messages": msgs(("user", "a"), ("assistant", "b"))}, {"openai"}),
    ({"messages": msgs(("user", "a")), "chosen": {"role": "assistant", "content": "b"}}, {"openai"}),
    (
        {"chosen": msgs(("user", "a"), ("assistant", "b")), "rejected": msgs(("user", "a"), ("assistant", "c"))},
        {"openai"},
    ),
    ({"text": "a document"}, {"text"}),
    ({"text": "a document", "id": 7, "meta": {"source": "c4"}}, {"text"}),
    # Shapes the default columns and tags cannot align are nobody's: the user names the format and maps columns.
    ({"messages": [{"from": "human", "value": "a"}]}, set()),
    ({"conversations": [{"role": "user", "content": "a"}]}, set()),
    ({"chosen_messages": msgs(("user", "a"), ("assistant", "b"))}, set()),
    ({"text": 5}, set()),
    ({"messages": []}, set()),
]


@pytest.mark.parametrize("row, expected", DETECT_CASES)
def test_detect(row, expected):
    assert {name for name, fmt in FORMATS.items() if fmt.detect(row)} == expected


DETECT_REFDATA = [
    ("alpaca_en_demo.json", "alpaca"),
    ("alpaca_zh_demo.json", "alpaca"),
    ("identity.json", "alpaca"),
    ("glaive_toolcall_en_demo.json", "sharegpt"),
    ("glaive_toolcall_zh_demo.json", "sharegpt"),
    ("dpo_en_demo.json", "sharegpt"),
    ("dpo_zh_demo.json", "sharegpt"),
    ("kto_en_demo.json", "openai"),
    ("mllm_demo.json", "openai"),
    ("mllm_audio_demo.json", "openai"),
    ("mllm_video_demo.json", "openai"),
    ("mllm_video_audio_demo.json", "openai"),
    ("v1_sft_demo.jsonl", "openai"),
    ("v1_multimodal_demo.jsonl", "openai"),
    ("reason_tool_use_demo_50.jsonl", "openai"),
    ("c4_demo.jsonl", "text"),
    ("wiki_demo.txt", "text"),
]


@pytest.mark.parametrize("name, expected", DETECT_REFDATA, ids=[case[0] for case in DETECT_REFDATA])
def test_detect_on_refdata_picks_exactly_one_format_for_every_row(name, expected):
    rows = [row for _, row in read_rows(refdata_file(name))]
    claims = {fmt for row in rows for fmt, spec in FORMATS.items() if spec.detect(row)}
    assert claims == {expected}
    assert all(FORMATS[expected].detect(row) for row in rows)
    assert detect_format(rows[:20], list(FORMATS.values()), source=name).name == expected


def test_detect_does_not_guess_the_v1_preference_columns():
    rows = [row for _, row in read_rows(refdata_file("v1_dpo_demo.jsonl"))]
    with pytest.raises(
        DataError,
        match=re.escape("cannot tell the format of v1_dpo_demo.jsonl (columns: chosen_messages, rejected_messages)"),
    ):
        detect_format(rows, list(FORMATS.values()), source="v1_dpo_demo.jsonl")
