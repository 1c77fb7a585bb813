"""The llama3.1 (and llama3.2) chat templates against the official Meta Llama 3.1 / 3.2 / 3.3 Instruct templates.

Each conversation is rendered by the plugin, by the official Jinja through transformers' `apply_chat_template` and by
the plugin's exported Jinja, on two real tokenizers with the Llama 3 special tokens added; text and token ids must be
identical. Trained tokens are checked on exact decoded text; refusals by both the engine and the exported Jinja.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from tuneforge.core import Message, TemplateError, ToolCall
from tuneforge.core.templates import encode, hf_messages, render, render_text, special_tokens, stop_words, to_jinja
from tuneforge.plugins.templates.llama3_1 import LLAMA3_1
from tuneforge.plugins.templates.llama3_2 import LLAMA3_2
from template_support import A, REFDATA, S, T, U, hf_render as _hf_render, trained_text as _trained_text

BOS = "<|begin_of_text|>"
SYSTEM_HEAD = "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n"
DATED = "Cutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n"


WEATHER_TOOL = {"type": "function", "function": {
    "name": "get_weather", "description": "Weather in a city (°C) — \"quoted\" <b>tags</b> & ünïcode",
    "parameters": {"type": "object", "properties": {"city": {"type": "string", "description": "City name"},
                                                    "days": {"type": "integer"}},
                   "required": ["city"]}}}
TIME_TOOL = {"type": "function", "function": {"name": "get_time", "parameters": {"type": "object", "properties": {}}}}
CALL = ToolCall("get_weather", {"city": "Paris"})

# name: (messages, tools)
CONVERSATIONS: dict[str, tuple[list[Message], tuple[dict, ...]]] = {
    "single": ([U("What is the capital of France?"), A("Paris.")], ()),
    "system": ([S("You are a terse assistant."), U("What is 2 + 2?"), A("4")], ()),
    "multi": ([U("Hi!"), A("Hello! How can I help?"), U("Name a colour."), A("Blue."), U("Another one?"),
               A("Red.")], ()),
    "multi-system": ([S("Answer in French."), U("Hello"), A("Bonjour"), U("Thank you"), A("Merci")], ()),
    "empty-system": ([S(""), U("Hi"), A("Hello")], ()),
    "whitespace": ([S("  padded system \n"), U("\n  spaced question  \n"), A("  spaced answer\n\n"), U(" again "),
                    A("\tok\t")], ()),
    "tricky-text": ([U("Keep {content}, {system}, {{ braces }} {% raw %} and <|eot_id|>-like <b>text</b>"),
                     A("Unicode: é ü 日本語 😀\nsecond line\twith tab \"quoted\" \\ backslash")], ()),
    "multiline-system": ([S("Rule one.\n\nRule two:\n- be brief"), U("Go"), A("Done.")], ()),
    "prompt-only": ([U("Tell me a joke.")], ()),
    "prompt-after-history": ([S("Be kind."), U("Hi"), A("Hello"), U("How are you?")], ()),
    # tools
    "tool-call": ([U("Weather in Paris?"), A("", tool_calls=(CALL,)), T('{"temp": 21, "sky": "clear"}'),
                   A("It is 21 °C and clear in Paris.")], (WEATHER_TOOL,)),
    "tool-call-system": ([S("Be precise."), U("  Weather in Paris? "), A("", tool_calls=(CALL,)),
                          T('{"temp": 21}', name="get_weather"), A("21 °C.")], (WEATHER_TOOL, TIME_TOOL)),
    "two-steps": ([U("Weather in Paris, then the time?"), A("", tool_calls=(CALL,)), T("21 °C"),
                   A("", tool_calls=(ToolCall("get_time", {}),)), T("12:00"), A("21 °C, and it is noon.")],
                  (WEATHER_TOOL, TIME_TOOL)),
    "tool-multi-turn": ([U("Hi"), A("Hello! Ask me about the weather."), U("Paris?"),
                         A("", tool_calls=(ToolCall("get_weather", {"city": "Paris", "days": 3}),)),
                         T("sunny\n\"warm\" \\ ünïcode"), A("Sunny and warm.")], (WEATHER_TOOL,)),
    "tools-no-call": ([S("You help."), U("What can you do?"), A("I can check the weather.")], (WEATHER_TOOL,)),
    "call-without-definitions": ([U("Weather in Paris?"), A("", tool_calls=(CALL,)), T("21"), A("21 °C.")], ()),
    "nested-arguments": ([U("Plan"), A("", tool_calls=(ToolCall("plan", {"steps": [{"a": 1, "b": [True, None]}],
                                                                        "note": "é \"q\""}),)),
                          T(""), A("Planned.")], (TIME_TOOL,)),
    "prompt-after-result": ([U("Weather in Paris?"), A("", tool_calls=(CALL,)), T("21")], (WEATHER_TOOL,)),
    "prompt-with-tools": ([U("Weather in Paris?")], (WEATHER_TOOL,)),
}
TOOL_KINDS = [name for name, (messages, tools) in CONVERSATIONS.items()
              if tools or any(m.tool_calls for m in messages)]


def official(family: str) -> dict:
    return json.loads((REFDATA / "templates" / family / "tokenizer_config.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def ref() -> Path:
    if not REFDATA.is_dir():
        pytest.skip(f"reference data not found at {REFDATA} (it ships beside the checkout as ../shared/refdata)")
    return REFDATA


@pytest.fixture(scope="module")
def tokenizers(ref) -> dict:
    """gpt2: byte-level BPE like Llama 3's tiktoken; llama2: SentencePiece-style with byte fallback. Both get the
    Llama 3 special tokens, so each is one token, as in the real Llama 3 tokenizer."""
    transformers = pytest.importorskip("transformers")
    out = {}
    for name in ("gpt2", "llama2"):
        tokenizer = transformers.AutoTokenizer.from_pretrained(str(ref / "tokenizers" / name))
        tokenizer.clean_up_tokenization_spaces = False  # decode exactly what was encoded
        tokenizer.add_special_tokens({"additional_special_tokens": special_tokens(LLAMA3_1)})
        out[name] = tokenizer
    return out


def _official(tokenizer, family, messages, tools=(), **kwargs):
    reference = official(family)
    return _hf_render(tokenizer, messages, reference["chat_template"], tools, bos_token=reference["bos_token"],
                      eos_token=reference["eos_token"], **kwargs)


def _prompts(messages):
    return (False, True) if messages[-1].role != "assistant" else (False,)


# ---------------------------------------------------------------------------------------------------------------
# Exactness against the official Llama 3.1 template
# ---------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("tokenizer_name", ["gpt2", "llama2"])
@pytest.mark.parametrize("conversation", list(CONVERSATIONS))
def test_matches_official_llama31(conversation, tokenizer_name, tokenizers):
    tokenizer = tokenizers[tokenizer_name]
    messages, tools = CONVERSATIONS[conversation]
    exported = to_jinja(LLAMA3_1)
    for add_generation_prompt in _prompts(messages):
        where = f"{conversation} / add_generation_prompt={add_generation_prompt} / {tokenizer_name}"
        ours = render_text(LLAMA3_1, messages, tools, add_generation_prompt=add_generation_prompt)
        expected = _official(tokenizer, "llama-3.1-instruct", messages, tools,
                             add_generation_prompt=add_generation_prompt)
        assert ours == expected, where
        assert _hf_render(tokenizer, messages, exported, tools, add_generation_prompt=add_generation_prompt) == ours, \
            f"exported Jinja differs: {where}"
        expected_ids = _official(tokenizer, "llama-3.1-instruct", messages, tools, tokenize=True,
                                 add_generation_prompt=add_generation_prompt)
        if messages[-1].role == "assistant":
            assert encode(LLAMA3_1, tokenizer, messages, tools).input_ids == expected_ids, where
        assert _hf_render(tokenizer, messages, exported, tools, tokenize=True,
                          add_generation_prompt=add_generation_prompt) == expected_ids, where


def test_the_system_turn_is_always_written_and_dated(tokenizers):
    no_system = render_text(LLAMA3_1, [U("Hi"), A("Hello")])
    assert no_system.startswith(SYSTEM_HEAD + DATED + "<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nHi")
    assert render_text(LLAMA3_1, [S(""), U("Hi"), A("Hello")]) == no_system  # an empty system message is no system
    assert render_text(LLAMA3_1, [S(" Be brief. "), U("Hi"), A("Hello")]).startswith(
        SYSTEM_HEAD + DATED + "Be brief.<|eot_id|>")
    with_tools = render_text(LLAMA3_1, [U("Hi"), A("Hello")], (TIME_TOOL,))
    assert with_tools.startswith(SYSTEM_HEAD + "Environment: ipython\n" + DATED + "<|eot_id|>")
    # the dated system turn is one token-exact prefix: <|begin_of_text|> and the headers are single tokens
    ids = encode(LLAMA3_1, tokenizers["gpt2"], [U("Hi"), A("Hello")]).input_ids
    assert tokenizers["gpt2"].convert_ids_to_tokens(ids[:2]) == [BOS, "<|start_header_id|>"]


def test_tools_go_into_the_first_user_message_only():
    messages, tools = CONVERSATIONS["tool-multi-turn"]
    text = render_text(LLAMA3_1, messages, tools)
    assert text.count("Given the following functions") == 1
    assert text.count(json.dumps(WEATHER_TOOL, ensure_ascii=False, indent=4) + "\n\nHi<|eot_id|>") == 1
    assert "<|start_header_id|>user<|end_header_id|>\n\nParis?<|eot_id|>" in text


def test_tool_results_are_written_as_json_strings():
    # The official template applies `tojson` to string content too (strings are iterable in Jinja): the tool
    # result the model sees is a JSON string literal, quotes and escapes included.
    messages, tools = CONVERSATIONS["tool-call"]
    text = render_text(LLAMA3_1, messages, tools)
    assert ('<|start_header_id|>ipython<|end_header_id|>\n\n"{\\"temp\\": 21, \\"sky\\": \\"clear\\"}"<|eot_id|>'
            in text)


def test_exported_jinja_is_the_plugins_jinja():
    assert to_jinja(LLAMA3_1) == LLAMA3_1.jinja
    assert "'llama3.1'" in LLAMA3_1.jinja and "'llama3.2'" in LLAMA3_2.jinja and "'llama3.1'" not in LLAMA3_2.jinja


def test_exported_jinja_takes_a_date_like_the_official(tokenizers):
    tokenizer = tokenizers["gpt2"]
    for name in ("single", "tool-call-system"):
        messages, tools = CONVERSATIONS[name]
        expected = _official(tokenizer, "llama-3.1-instruct", messages, tools, date_string="01 Jan 2026")
        assert "Today Date: 01 Jan 2026\n" in expected
        assert _hf_render(tokenizer, messages, to_jinja(LLAMA3_1), tools, date_string="01 Jan 2026") == expected


def test_stop_words_and_special_tokens():
    for template in (LLAMA3_1, LLAMA3_2):
        assert stop_words(template) == ["<|eot_id|>"]
        assert special_tokens(template) == [BOS, "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"]


# ---------------------------------------------------------------------------------------------------------------
# Which tokens are trained
# ---------------------------------------------------------------------------------------------------------------

TRAINED = {
    "multi-system": ["Bonjour<|eot_id|>", "Merci<|eot_id|>"],
    "whitespace": ["spaced answer<|eot_id|>", "ok<|eot_id|>"],
    "tool-call": ['{"name": "get_weather", "parameters": {"city": "Paris"}}<|eot_id|>',
                  "It is 21 °C and clear in Paris.<|eot_id|>"],
    "two-steps": ['{"name": "get_weather", "parameters": {"city": "Paris"}}<|eot_id|>',
                  '{"name": "get_time", "parameters": {}}<|eot_id|>', "21 °C, and it is noon.<|eot_id|>"],
    "tools-no-call": ["I can check the weather.<|eot_id|>"],
}


@pytest.mark.parametrize("tokenizer_name", ["gpt2", "llama2"])
@pytest.mark.parametrize("conversation", list(TRAINED))
def test_answers_and_calls_are_trained_with_their_end_of_turn(conversation, tokenizer_name, tokenizers):
    tokenizer = tokenizers[tokenizer_name]
    messages, tools = CONVERSATIONS[conversation]
    encoded = encode(LLAMA3_1, tokenizer, messages, tools)
    assert not encoded.truncated
    assert _trained_text(tokenizer, encoded) == TRAINED[conversation]
    history = encode(LLAMA3_1, tokenizer, messages, tools, mask_history=True)
    assert history.input_ids == encoded.input_ids
    assert _trained_text(tokenizer, history) == [TRAINED[conversation][-1]]


def test_nothing_of_the_prompt_is_trained(tokenizers):
    tokenizer = tokenizers["gpt2"]
    messages, tools = CONVERSATIONS["tool-call-system"]
    encoded = encode(LLAMA3_1, tokenizer, messages, tools)
    prompt_tokens = [i for i, label in zip(encoded.input_ids, encoded.labels) if label == -100]
    prompt = tokenizer.decode(prompt_tokens)
    for text in ("Cutting Knowledge Date", "Given the following functions", "Weather in Paris?", "ipython",
                 '"{\\"temp\\": 21}"', "<|start_header_id|>assistant<|end_header_id|>\n\n"):
        assert text in prompt
    everything = encode(LLAMA3_1, tokenizer, messages, tools, train_on_prompt=True)
    assert everything.labels == everything.input_ids == encoded.input_ids


# ---------------------------------------------------------------------------------------------------------------
# Conversations the template refuses
# ---------------------------------------------------------------------------------------------------------------

TWO_CALLS = (CALL, ToolCall("get_time", {}))
BAD = [
    # id, messages, tools, add_generation_prompt, message must contain
    ("two-calls", [U("Weather and time?"), A("", tool_calls=TWO_CALLS), T("21"), T("12:00"), A("ok")],
     (WEATHER_TOOL, TIME_TOOL), False, "message 1 (assistant) has 2 tool calls, which chat template 'llama3.1'"),
    ("text-beside-call", [U("Weather?"), A("Let me check.", tool_calls=(CALL,)), T("21"), A("21 °C")],
     (WEATHER_TOOL,), False, "message 1 (assistant) has text beside its tool call"),
    ("reasoning", [S("s"), U("2+2?"), A("4", reasoning="think")], (), False,
     "message 2 (assistant) has a reasoning block, which chat template 'llama3.1' cannot write"),
    ("two-users", [U("a"), U("b"), A("c")], (), False, "message 1 (user) follows another user message"),
    ("assistant-first", [A("hi"), U("x"), A("y")], (), False, "must start with a user message"),
    ("system-not-first", [U("a"), A("b"), S("c"), U("d"), A("e")], (), False,
     "message 2 (system): a system message must be the first message"),
    ("empty-answer", [U("a"), A("  \n")], (), False, "message 1 (assistant) is empty"),
    ("only-system", [S("s")], (), True, "only a system message"),
    ("prompt-after-answer", [U("a"), A("b")], (), True, "already ends with an assistant message"),
    ("result-without-call", [U("a"), T("42"), A("b")], (), False,
     "message 1 (tool) is a tool result without a preceding tool call"),
    ("user-after-call", [U("a"), A("", tool_calls=(CALL,)), U("b"), A("c")], (), False,
     "message 2 (user) follows an assistant tool call"),
    ("user-after-result", [U("a"), A("", tool_calls=(CALL,)), T("21"), U("b"), A("c")], (), False,
     "message 3 (user) follows a tool result"),
]


@pytest.mark.parametrize("messages, tools, add_generation_prompt, expected", [case[1:] for case in BAD],
                         ids=[case[0] for case in BAD])
def test_refused_by_engine_and_exported_jinja(messages, tools, add_generation_prompt, expected, tokenizers):
    import jinja2

    with pytest.raises(TemplateError) as info:
        render(LLAMA3_1, messages, tools, add_generation_prompt=add_generation_prompt)
    assert expected in str(info.value)
    with pytest.raises(jinja2.TemplateError) as info:
        _hf_render(tokenizers["gpt2"], messages, to_jinja(LLAMA3_1), tools,
                   add_generation_prompt=add_generation_prompt)
    assert expected in str(info.value)


def test_what_the_official_template_does_with_the_refused_calls(tokenizers):
    # Several calls: the official template raises too. Text beside a call: it drops the text, silently.
    import jinja2

    tokenizer = tokenizers["gpt2"]
    with pytest.raises(jinja2.TemplateError, match="only supports single tool-calls"):
        _official(tokenizer, "llama-3.1-instruct", BAD[0][1], BAD[0][2])
    dropped = _official(tokenizer, "llama-3.1-instruct", BAD[1][1], BAD[1][2])
    assert "Let me check." not in dropped
    without_text = [BAD[1][1][0], A("", tool_calls=(CALL,)), *BAD[1][1][2:]]
    assert render_text(LLAMA3_1, without_text, BAD[1][2]) == dropped


def test_exported_jinja_refuses_what_the_engine_cannot_write(tokenizers):
    import jinja2

    messages = CONVERSATIONS["single"][0]
    with pytest.raises(jinja2.TemplateError, match="does not write built-in tools"):
        _hf_render(tokenizers["gpt2"], messages, to_jinja(LLAMA3_1), builtin_tools=["brave_search"])
    with pytest.raises(jinja2.TemplateError, match="first user message only"):
        _hf_render(tokenizers["gpt2"], messages, to_jinja(LLAMA3_1), (TIME_TOOL,), tools_in_user_message=False)


# ---------------------------------------------------------------------------------------------------------------
# Llama 3.3 and Llama 3.2
# ---------------------------------------------------------------------------------------------------------------


def test_llama33_template_is_llama31s(ref):
    assert official("llama-3.3-instruct")["chat_template"] == official("llama-3.1-instruct")["chat_template"]
    revisions = json.loads((REFDATA / "templates" / "llama-3.3-instruct" / "chat_template_revisions.json").read_text())
    assert {r["chat_template"] for r in revisions} == {official("llama-3.1-instruct")["chat_template"]}


@pytest.mark.parametrize("conversation", list(CONVERSATIONS))
def test_llama33_renders_like_llama31(conversation, tokenizers):
    tokenizer = tokenizers["gpt2"]
    messages, tools = CONVERSATIONS[conversation]
    for add_generation_prompt in _prompts(messages):
        assert _official(tokenizer, "llama-3.3-instruct", messages, tools,
                         add_generation_prompt=add_generation_prompt) == \
            render_text(LLAMA3_1, messages, tools, add_generation_prompt=add_generation_prompt)


@pytest.mark.parametrize("tokenizer_name", ["gpt2", "llama2"])
@pytest.mark.parametrize("conversation", list(CONVERSATIONS))
def test_llama32_matches_official_with_the_pinned_date(conversation, tokenizer_name, tokenizers):
    tokenizer = tokenizers[tokenizer_name]
    messages, tools = CONVERSATIONS[conversation]
    for add_generation_prompt in _prompts(messages):
        where = f"{conversation} / add_generation_prompt={add_generation_prompt} / {tokenizer_name}"
        ours = render_text(LLAMA3_2, messages, tools, add_generation_prompt=add_generation_prompt)
        assert ours == render_text(LLAMA3_1, messages, tools, add_generation_prompt=add_generation_prompt)
        kwargs = {"add_generation_prompt": add_generation_prompt, "date_string": "26 Jul 2024"}
        assert ours == _official(tokenizer, "llama-3.2-instruct", messages, tools, **kwargs), where
        assert _hf_render(tokenizer, messages, to_jinja(LLAMA3_2), tools, **kwargs) == ours, where
        assert _hf_render(tokenizer, messages, to_jinja(LLAMA3_2), tools,
                          add_generation_prompt=add_generation_prompt) == ours, where
        expected_ids = _official(tokenizer, "llama-3.2-instruct", messages, tools, tokenize=True, **kwargs)
        if messages[-1].role == "assistant":
            assert encode(LLAMA3_2, tokenizer, messages, tools).input_ids == expected_ids, where


@pytest.mark.parametrize("conversation", ["single", "system", "tool-call-system", "prompt-with-tools"])
def test_llama32_official_default_differs_only_in_todays_date(conversation, tokenizers):
    tokenizer = tokenizers["gpt2"]
    messages, tools = CONVERSATIONS[conversation]
    add_generation_prompt = messages[-1].role != "assistant"
    before = datetime.now().strftime("%d %b %Y")
    default = _official(tokenizer, "llama-3.2-instruct", messages, tools, add_generation_prompt=add_generation_prompt)
    after = datetime.now().strftime("%d %b %Y")
    ours = render_text(LLAMA3_2, messages, tools, add_generation_prompt=add_generation_prompt)
    assert default in {ours.replace("Today Date: 26 Jul 2024\n", f"Today Date: {day}\n", 1) for day in (before, after)}
    assert ours.count("Today Date: ") == 1


def test_llama32_template_is_llama31s_with_strftime_and_without_builtin_tools(ref):
    v31, v32 = official("llama-3.1-instruct")["chat_template"], official("llama-3.2-instruct")["chat_template"]
    assert "strftime_now" in v32 and "strftime_now" not in v31
    assert "builtin_tools" in v31 and "builtin_tools" not in v32


# ---------------------------------------------------------------------------------------------------------------
# Plugin shape
# ---------------------------------------------------------------------------------------------------------------


def test_plugins_register_their_template():
    from tuneforge.plugins.templates import llama3_1, llama3_2

    for module, spec in ((llama3_1, LLAMA3_1), (llama3_2, LLAMA3_2)):
        registered = []
        module.register_templates(registered.append)
        assert registered == [spec]


@pytest.mark.parametrize("name, spec", [("llama3.1", LLAMA3_1), ("llama3.2", LLAMA3_2)])
def test_catalog_entry_point(name, spec):
    from tuneforge.registry import get_catalog

    catalog = get_catalog(refresh=True)
    try:
        loaded = catalog.spec("template", name)
    except Exception as exc:  # the entry point is added to pyproject.toml by the lead
        pytest.skip(f"template {name!r} is not registered through an entry point yet ({exc})")
    assert loaded == spec


def test_specs_are_frozen_and_revalidate():
    import dataclasses

    for template in (LLAMA3_1, LLAMA3_2):
        with pytest.raises(dataclasses.FrozenInstanceError):
            template.jinja = ""
        assert dataclasses.replace(template) == template
