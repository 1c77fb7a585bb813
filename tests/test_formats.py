"""Dataset formats alpaca and sharegpt: LLaMA-Factory's demo files align completely and exactly; bad rows say why."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tuneforge.core import DatasetFormat, Message, Record, ToolCall
from tuneforge.core.data import load_local, merge_mapping
from tuneforge.plugins.formats import alpaca, sharegpt

REFDATA = Path(__file__).resolve().parents[2] / "shared" / "refdata"
LLAMAFACTORY = REFDATA / "datasets" / "llamafactory"

ROLE_CONTENT = {"role_tag": "role", "content_tag": "content", "user_tag": "user", "assistant_tag": "assistant"}
V1_TAGS = {**ROLE_CONTENT, "observation_tag": "tool"}  # LLaMA-Factory v1 files use OpenAI role names
PREFERENCE = {"chosen": "chosen", "rejected": "rejected"}


def registered_formats() -> dict[str, DatasetFormat]:
    """The formats the two plugin modules register through their hook (the same call the catalog makes)."""
    found: list[DatasetFormat] = []
    for module in (alpaca, sharegpt):
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


def conv(*turns, **extra) -> dict:
    return {"conversations": [{"from": role, "value": value} for role, value in turns], **extra}


def record_at(name: str, fmt: str, row: int, columns: dict | None = None, tags: dict | None = None) -> Record:
    result = load_local(refdata_file(name), FORMATS[fmt], columns, tags, strict=True)
    return result.records[row - 1]  # strict: no row was dropped, so positions match row numbers


def test_both_formats_register_with_defaults():
    assert set(FORMATS) == {"alpaca", "sharegpt"}
    assert FORMATS["alpaca"].columns["prompt"] == "instruction"
    assert FORMATS["alpaca"].columns["query"] == "input"
    assert FORMATS["alpaca"].columns["response"] == "output"
    assert FORMATS["sharegpt"].columns["messages"] == "conversations"
    assert FORMATS["sharegpt"].tags["user_tag"] == "human" and FORMATS["sharegpt"].tags["assistant_tag"] == "gpt"
    for fmt in FORMATS.values():
        assert set(fmt.produces) == {"conversation", "preference", "kto"}


def test_plugin_modules_import_without_heavy_libraries():
    code = (
        "import sys, tuneforge.plugins.formats.alpaca, tuneforge.plugins.formats.sharegpt, "
        "tuneforge.plugins.datasets.tuneforge_demo, tuneforge.core.data\n"
        "heavy = [m for m in ('torch', 'transformers', 'datasets', 'pyarrow') if m in sys.modules]\n"
        "assert not heavy, heavy"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# ---------------------------------------------------------------------------------------------------------------
# Every alpaca / sharegpt demo file of LLaMA-Factory aligns with nothing dropped
# ---------------------------------------------------------------------------------------------------------------

REFDATA_FILES = [
    ("alpaca_en_demo.json", "alpaca", {}, {}, 999, "conversation"),
    ("alpaca_zh_demo.json", "alpaca", {}, {}, 1000, "conversation"),
    ("identity.json", "alpaca", {}, {}, 91, "conversation"),
    ("glaive_toolcall_en_demo.json", "sharegpt", {}, {}, 300, "conversation"),
    ("glaive_toolcall_zh_demo.json", "sharegpt", {}, {}, 300, "conversation"),
    ("dpo_en_demo.json", "sharegpt", PREFERENCE, {}, 300, "preference"),
    ("dpo_zh_demo.json", "sharegpt", PREFERENCE, {}, 300, "preference"),
    ("kto_en_demo.json", "sharegpt", {"messages": "messages", "kto_tag": "label"}, ROLE_CONTENT, 300, "kto"),
    ("mllm_demo.json", "sharegpt", {"messages": "messages"}, ROLE_CONTENT, 6, "conversation"),
    ("mllm_video_demo.json", "sharegpt", {"messages": "messages"}, ROLE_CONTENT, 3, "conversation"),
    ("mllm_audio_demo.json", "sharegpt", {"messages": "messages"}, ROLE_CONTENT, 3, "conversation"),
    ("mllm_video_audio_demo.json", "sharegpt", {"messages": "messages"}, ROLE_CONTENT, 3, "conversation"),
    ("v1_sft_demo.jsonl", "sharegpt", {"messages": "messages"}, V1_TAGS, 500, "conversation"),
    ("reason_tool_use_demo_50.jsonl", "sharegpt", {"messages": "messages"}, V1_TAGS, 50, "conversation"),
]


@pytest.mark.parametrize("name, fmt, columns, tags, rows, kind", REFDATA_FILES, ids=[case[0] for case in REFDATA_FILES])
def test_refdata_file_aligns_without_dropping(name, fmt, columns, tags, rows, kind):
    result = load_local(refdata_file(name), FORMATS[fmt], columns, tags)
    assert result.dropped == [], result.summary()
    assert result.kept == rows
    assert {record.kind for record in result.records} == {kind}


def test_alpaca_joins_instruction_and_input_with_a_newline():
    record = record_at("alpaca_en_demo.json", "alpaca", 9)
    assert record == Record(
        messages=(
            Message("user", "Reword this sentence to increase clarity\nThe idea of her being so brave made me smile"),
            Message("assistant", "The thought of her displaying such courage brought a smile to my face."),
        )
    )


def test_alpaca_empty_input_leaves_the_instruction_alone():
    record = record_at("identity.json", "alpaca", 1)
    assert record.messages == (
        Message("user", "hi"),
        Message(
            "assistant", "Hello! I am {{name}}, an AI assistant developed by {{author}}. How can I assist you today?"
        ),
    )


def test_alpaca_chinese_row_is_kept_exactly():
    record = record_at("alpaca_zh_demo.json", "alpaca", 2)
    assert (
        record.messages[0].content
        == "输入三支篮球队的名称并生成一个适当的口号。\n输入：俄克拉荷马城雷霆队，芝加哥公牛队，布鲁克林网队。"
    )
    assert record.messages[1].content == '输出： "雷霆，公牛和网队：各显神通，角逐群雄!"'


def test_sharegpt_function_call_becomes_a_tool_call_and_observation_a_tool_message():
    record = record_at("glaive_toolcall_en_demo.json", "sharegpt", 11)
    user, call, result, answer = record.messages
    assert user == Message("user", "Hi, I would like to know the latest news about technology and sports in New York.")
    assert call == Message(
        "assistant",
        "",
        tool_calls=(ToolCall("get_news", {"topics": ["technology", "sports"], "location": "New York"}),),
    )
    assert result.role == "tool" and result.name == "get_news"
    assert result.content.startswith('{"news": [{"title": "Tech Giants Invest in New York"')
    assert answer.role == "assistant" and answer.content.startswith("Here are the latest news in New York")
    assert [tool["name"] for tool in record.tools] == ["get_news"]
    assert record.tools[0]["parameters"]["required"] == ["topics"]


def test_sharegpt_chinese_tool_call_arguments_are_a_dict():
    record = record_at("glaive_toolcall_zh_demo.json", "sharegpt", 4)
    assert record.messages[1].tool_calls == (ToolCall("calculate_age", {"birthdate": "1990-05-15"}),)
    assert record.messages[2] == Message("tool", '{"age": 31}', name="calculate_age")
    assert record.messages[3] == Message("assistant", "根据我的计算，你今天31岁了。")
    assert record.tools[0]["description"] == "根据出生日期计算年龄"


def test_sharegpt_empty_tools_string_means_no_tools():
    record = align(
        "sharegpt", {"conversations": [{"from": "human", "value": "a"}, {"from": "gpt", "value": "b"}], "tools": ""}
    )
    assert record.tools == ()


def test_sharegpt_preference_row():
    record = record_at("dpo_en_demo.json", "sharegpt", 11, PREFERENCE)
    assert record.kind == "preference"
    assert record.messages == (
        Message(
            "user",
            "You are given a sentence in English. Your job is to translate the English sentence into Spanish.\n"
            "Q: (Laughter) Without the sex part.\nA:",
        ),
    )
    assert record.chosen == Message("assistant", "(Risas) Sin la parte del sexo.")
    assert record.rejected.role == "assistant"
    assert record.rejected.content.startswith("I apologize, but I cannot provide a translation")


def test_sharegpt_system_turn_comes_first():
    record = record_at("dpo_en_demo.json", "sharegpt", 24, PREFERENCE)
    assert record.messages[0] == Message(
        "system",
        "You are a helpful assistant, who always provide explanation. Think like you are answering to a five year old.",
    )
    assert record.messages[1] == Message("user", "Write a sentence not in English.")


def test_sharegpt_kto_row_carries_its_label():
    record = record_at("kto_en_demo.json", "sharegpt", 34, {"messages": "messages", "kto_tag": "label"}, ROLE_CONTENT)
    assert record.kind == "kto" and record.kto_label is False
    assert record.messages[-1] == Message("assistant", "I can do that!")
    assert record_at(
        "kto_en_demo.json", "sharegpt", 1, {"messages": "messages", "kto_tag": "label"}, ROLE_CONTENT
    ).kto_label


def test_sharegpt_images_are_kept():
    record = record_at("mllm_demo.json", "sharegpt", 1, {"messages": "messages"}, ROLE_CONTENT)
    assert record.images == ("mllm_demo_data/1.jpg", "mllm_demo_data/1.jpg")
    assert [m.content for m in record.messages] == [
        "<image>Who are they?",
        "They're Kane and Gretzka from Bayern Munich.",
        "What are they doing?<image>",
        "They are celebrating on the soccer field.",
    ]


def test_sharegpt_videos_and_audios_are_kept():
    record = record_at("mllm_video_audio_demo.json", "sharegpt", 1, {"messages": "messages"}, ROLE_CONTENT)
    assert record.videos and all(isinstance(video, str) for video in record.videos)
    assert record.audios and all(isinstance(audio, str) for audio in record.audios)


def test_sharegpt_v1_text_parts_are_joined():
    record = record_at("v1_sft_demo.jsonl", "sharegpt", 1, {"messages": "messages"}, V1_TAGS)
    assert record.messages == (
        Message("user", "hi"),
        Message(
            "assistant", "Hello! I am {{name}}, an AI assistant developed by {{author}}. How can I assist you today?"
        ),
    )


def test_sharegpt_v1_reasoning_and_tool_call_parts():
    result = load_local(
        refdata_file("reason_tool_use_demo_50.jsonl"), FORMATS["sharegpt"], {"messages": "messages"}, V1_TAGS
    )
    first = result.records[0]
    assert first.messages[0].role == "system"
    assert first.messages[-1].reasoning.startswith("Okay, the user is asking for schools near latitude 40")
    assert first.tools[0]["function"]["name"] == "get_device_asset_by_identifier"
    calls = [call for record in result.records for m in record.messages for call in m.tool_calls]
    assert calls and all(isinstance(call.arguments, dict) for call in calls)


# ---------------------------------------------------------------------------------------------------------------
# Synthetic rows: the variants and the reasons for refusing a row
# ---------------------------------------------------------------------------------------------------------------


def test_alpaca_system_and_history_come_before_the_prompt():
    record = align(
        "alpaca",
        {
            "instruction": "And now?",
            "input": "",
            "output": "Three.",
            "system": "Be brief.",
            "history": [["One?", "One."], ["Two?", "Two."]],
        },
    )
    assert [(m.role, m.content) for m in record.messages] == [
        ("system", "Be brief."),
        ("user", "One?"),
        ("assistant", "One."),
        ("user", "Two?"),
        ("assistant", "Two."),
        ("user", "And now?"),
        ("assistant", "Three."),
    ]


def test_alpaca_custom_column_names():
    record = align("alpaca", {"q": "Say hi", "a": "hi"}, {"prompt": "q", "response": "a"})
    assert record.messages == (Message("user", "Say hi"), Message("assistant", "hi"))


def test_alpaca_unmapping_a_default_column_ignores_it():
    row = {"instruction": "Say hi", "output": "hi", "system": "not a system prompt"}
    assert align("alpaca", row, {"system": None}).messages[0].role == "user"


def test_alpaca_preference_and_kto():
    row = {"instruction": "2+2?", "input": "", "chosen": "4", "rejected": "5"}
    record = align("alpaca", row, PREFERENCE)
    assert record.kind == "preference"
    assert record.messages == (Message("user", "2+2?"),)
    assert (record.chosen, record.rejected) == (Message("assistant", "4"), Message("assistant", "5"))

    kto = align("alpaca", {"instruction": "2+2?", "output": "5", "label": "false"}, {"kto_tag": "label"})
    assert kto.kind == "kto" and kto.kto_label is False


def test_alpaca_media_and_tools():
    row = {"instruction": "<image>What is it?", "output": "A cat.", "images": ["cat.png"], "tools": '[{"name": "f"}]'}
    record = align("alpaca", row)
    assert record.images == ("cat.png",)
    assert record.tools == ({"name": "f"},)


def test_sharegpt_function_call_forms():
    def turns(value):
        return conv(("human", "weather?"), ("function_call", value), ("observation", "sunny"), ("gpt", "It is sunny."))

    as_string = align("sharegpt", turns('{"name": "weather", "arguments": "{\\"city\\": \\"Oslo\\"}"}'))
    assert as_string.messages[1].tool_calls == (ToolCall("weather", {"city": "Oslo"}),)
    as_list = align("sharegpt", turns('[{"name": "a", "arguments": {}}, {"name": "b", "arguments": {"x": 1}}]'))
    assert as_list.messages[1].tool_calls == (ToolCall("a", {}), ToolCall("b", {"x": 1}))
    assert as_list.messages[2].name is None  # two calls: which one answered is unknown


def test_sharegpt_system_column_and_custom_tags():
    row = {"chat": [{"speaker": "me", "text": "hi"}, {"speaker": "bot", "text": "hello"}], "sys": "Be nice."}
    record = align(
        "sharegpt",
        row,
        {"messages": "chat", "system": "sys"},
        {"role_tag": "speaker", "content_tag": "text", "user_tag": "me", "assistant_tag": "bot"},
    )
    assert record.messages == (Message("system", "Be nice."), Message("user", "hi"), Message("assistant", "hello"))


def test_sharegpt_conversation_given_as_json_text():
    row = {"conversations": '[{"from": "human", "value": "a"}, {"from": "gpt", "value": "b"}]'}
    assert align("sharegpt", row).messages == (Message("user", "a"), Message("assistant", "b"))


BAD_ROWS = [
    ("alpaca", {"instruction": "hi", "input": ""}, {}, {}, "missing column `output` (row has: instruction, input)"),
    ("alpaca", {"instruction": "hi", "out": "x"}, {"response": "answer"}, {}, "missing column `answer`"),
    ("alpaca", {"input": "x", "output": "y"}, {}, {}, "missing column `instruction`"),
    ("alpaca", {"instruction": "hi", "output": 3}, {}, {}, "column `output` must be a string, got int"),
    ("alpaca", {"instruction": "", "input": " ", "output": "y"}, {}, {}, "empty prompt"),
    ("alpaca", {"instruction": "hi", "output": "  "}, {}, {}, "column `output` is empty"),
    (
        "alpaca",
        {"instruction": "hi", "output": "y", "history": [["only one"]]},
        {},
        {},
        "history item 1 must be a [prompt, response] pair",
    ),
    (
        "alpaca",
        {"instruction": "hi", "output": "y", "label": "maybe"},
        {"kto_tag": "label"},
        {},
        "column `label` must be true or false, got 'maybe'",
    ),
    ("alpaca", {"instruction": "hi", "chosen": "a"}, PREFERENCE, {}, "missing column `rejected`"),
    ("alpaca", {"instruction": "hi", "output": "y", "images": [1]}, {}, {}, "column `images` must be a list of paths"),
    ("alpaca", {"instruction": "hi", "output": "y", "tools": "[{"}, {}, {}, "invalid JSON in column `tools`"),
    ("sharegpt", {"messages": []}, {}, {}, "missing column `conversations` (row has: messages)"),
    ("sharegpt", {"conversations": []}, {}, {}, "column `conversations` must be a non-empty list of turns"),
    (
        "sharegpt",
        conv(("human", "hi"), ("bot", "hello")),
        {},
        {},
        "unknown role tag 'bot' at turn 2 (expected one of 'human', 'gpt', 'observation', 'function_call', 'system')",
    ),
    (
        "sharegpt",
        conv(("human", "a"), ("gpt", "b"), ("gpt", "c"), ("human", "d")),
        {},
        {},
        "roles out of order at turn 3: 'gpt' where 'human' or 'observation' was expected",
    ),
    ("sharegpt", conv(("gpt", "a"), ("human", "b")), {}, {}, "roles out of order at turn 1"),
    ("sharegpt", conv(("human", "a"), ("gpt", "b"), ("system", "c")), {}, {}, "roles out of order at turn 3: 'system'"),
    ("sharegpt", conv(("human", "a"), ("gpt", "  ")), {}, {}, "empty content at turn 2"),
    (
        "sharegpt",
        {"conversations": [{"from": "human", "value": 5}, {"from": "gpt", "value": "b"}]},
        {},
        {},
        "non-string content at turn 1 (int)",
    ),
    (
        "sharegpt",
        {"conversations": [{"from": "human"}, {"from": "gpt", "value": "b"}]},
        {},
        {},
        "missing content key `value` at turn 1",
    ),
    ("sharegpt", {"conversations": [{"value": "a"}]}, {}, {}, "missing role key `from` at turn 1"),
    ("sharegpt", {"conversations": ["hi"]}, {}, {}, "turn 1 is not an object"),
    (
        "sharegpt",
        conv(
            ("human", "a"),
            ("gpt", "b"),
            ("human", "c"),
            ("function_call", '{"name": "f", "arguments": {'),
            ("observation", "x"),
            ("gpt", "y"),
        ),
        {},
        {},
        "invalid JSON in function_call at turn 4",
    ),
    (
        "sharegpt",
        conv(("human", "a"), ("function_call", '{"arguments": {}}'), ("observation", "x"), ("gpt", "y")),
        {},
        {},
        "missing tool `name` in function_call at turn 2",
    ),
    (
        "sharegpt",
        conv(
            ("human", "a"), ("function_call", '{"name": "f", "arguments": "[1]"}'), ("observation", "x"), ("gpt", "y")
        ),
        {},
        {},
        "the arguments of function_call at turn 2 must be an object, got list",
    ),
    (
        "sharegpt",
        conv(("human", "a"), ("gpt", "b"), ("human", "c")),
        {},
        {},
        "the conversation ends with a prompt turn at turn 3",
    ),
    ("sharegpt", conv(("system", "s")), {}, {}, "no turns after the system prompt"),
    (
        "sharegpt",
        {
            **conv(("human", "a"), ("gpt", "b")),
            "chosen": {"from": "gpt", "value": "c"},
            "rejected": {"from": "gpt", "value": "d"},
        },
        PREFERENCE,
        {},
        "a preference conversation must end with a prompt turn",
    ),
    (
        "sharegpt",
        {**conv(("human", "a")), "chosen": {"from": "human", "value": "c"}, "rejected": {"from": "gpt", "value": "d"}},
        PREFERENCE,
        {},
        "in column `chosen`: roles out of order at turn 1: 'human' where 'gpt' or 'function_call' was expected",
    ),
    (
        "sharegpt",
        {**conv(("human", "a")), "chosen": "c", "rejected": {"from": "gpt", "value": "d"}},
        PREFERENCE,
        {},
        "invalid JSON in column `chosen`",
    ),
    (
        "sharegpt",
        {**conv(("human", "a"), ("gpt", "b")), "label": None},
        {"kto_tag": "label"},
        {},
        "missing column `label`",
    ),
    (
        "sharegpt",
        {
            "conversations": [
                {"from": "human", "value": [{"type": "image_url", "value": "x.png"}]},
                {"from": "gpt", "value": "b"},
            ]
        },
        {},
        {},
        "unsupported content part 'image_url' in a user turn at turn 1",
    ),
]


@pytest.mark.parametrize("fmt, row, columns, tags, reason", BAD_ROWS, ids=[case[4][:60] for case in BAD_ROWS])
def test_bad_row_raises_value_error_with_a_precise_reason(fmt, row, columns, tags, reason):
    with pytest.raises(ValueError, match=re.escape(reason)):
        align(fmt, row, columns, tags)


def test_empty_system_turn_is_allowed():
    record = align("sharegpt", conv(("system", ""), ("human", "a"), ("gpt", "b")))
    assert record.messages == (Message("user", "a"), Message("assistant", "b"))


# ---------------------------------------------------------------------------------------------------------------
# Detection
# ---------------------------------------------------------------------------------------------------------------

DETECT_CASES = [
    ({"instruction": "a", "input": "", "output": "b"}, {"alpaca"}),
    ({"instruction": "a", "output": "b", "system": "s"}, {"alpaca"}),
    (conv(("human", "a"), ("gpt", "b")), {"sharegpt"}),
    # role/content messages are the openai format's (tests/test_formats_openai_text.py), not sharegpt's
    ({"messages": [{"role": "user", "content": "a"}]}, set()),
    ({"messages": ["a", "b"]}, set()),
    ({"conversations": []}, set()),
    ({"instruction": "a"}, set()),
    ({"text": "a document"}, set()),
]


@pytest.mark.parametrize("row, expected", DETECT_CASES)
def test_detect(row, expected):
    assert {name for name, fmt in FORMATS.items() if fmt.detect(row)} == expected


@pytest.mark.parametrize(
    "name, expected",
    [
        ("alpaca_en_demo.json", "alpaca"),
        ("identity.json", "alpaca"),
        ("glaive_toolcall_en_demo.json", "sharegpt"),
        ("dpo_en_demo.json", "sharegpt"),
    ],
)
def test_detect_on_refdata(name, expected):
    import json

    rows = json.loads(refdata_file(name).read_text(encoding="utf-8"))[:20]
    assert [fmt for fmt, spec in FORMATS.items() if all(spec.detect(row) for row in rows)] == [expected]


def test_alpaca_reads_the_legacy_ranking_layout():
    """LLaMA-Factory's older preference datasets put [chosen, rejected] in the response column."""
    from tuneforge.plugins.formats.alpaca import ALPACA, align_alpaca

    record = align_alpaca({"instruction": "Pick one", "output": ["the good one", "the bad one"]}, ALPACA.columns, {})
    assert record.kind == "preference"
    assert (record.chosen.content, record.rejected.content) == ("the good one", "the bad one")
    with pytest.raises(ValueError, match=r"exactly \[chosen, rejected\]"):
        align_alpaca({"instruction": "Pick one", "output": ["only one"]}, ALPACA.columns, {})
