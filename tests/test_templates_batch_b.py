"""Chat templates of batch B (LLaMA-Factory's names g to o) against their models' official templates.

Two kinds of checks, by where the official template comes from:

- in the reference data (`../shared/refdata/templates`): each conversation is rendered by the plugin, by the official
  Jinja through transformers' `apply_chat_template` and by the plugin's exported Jinja, on two real tokenizers with
  the templates' special tokens added; text and token ids must be identical;
- found elsewhere: `template_expectations/batch_b/<name>.json` holds what the official Jinja rendered for fixed
  conversations (and where it came from); the plugin and its exported Jinja must render exactly that text. For the
  two formats with no official template found (`orion`, `minimax1`) the file says so and holds the documented text.

Trained tokens are checked on exact decoded text; refusals by both the engine and the exported Jinja.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import re
from pathlib import Path

import pytest

from tuneforge.core import Message, TemplateError, ToolCall
from tuneforge.core.templates import encode, hf_messages, render, render_text, special_tokens, stop_words, to_jinja
from tuneforge.plugins.templates.gemma import GEMMA, GEMMA2, GEMMA3, GEMMA3N
from tuneforge.plugins.templates.glm import GLM4, GLM4_MOE
from tuneforge.plugins.templates.gpt_oss import GPT_OSS
from tuneforge.plugins.templates.granite import GRANITE3, GRANITE4
from tuneforge.plugins.templates.hunyuan import HUNYUAN
from tuneforge.plugins.templates.internlm import INTERN2
from tuneforge.plugins.templates.llama2_zh import LLAMA2_ZH
from tuneforge.plugins.templates.llama4 import LLAMA4
from tuneforge.plugins.templates.mimo import MIMO, MIMO_V2
from tuneforge.plugins.templates.minimax import MINIMAX1, MINIMAX2
from tuneforge.plugins.templates.mistral import MINISTRAL, MISTRAL, MISTRAL_SMALL, MISTRAL_V0_2
from tuneforge.plugins.templates.moonlight import MOONLIGHT
from tuneforge.plugins.templates.openchat import OPENCHAT, OPENCHAT_3_6
from tuneforge.plugins.templates.opencoder import OPENCODER
from tuneforge.plugins.templates.orion import ORION
from template_support import A, REFDATA, S, T, U, hf_render as _hf_render, trained_text as _trained_text

EXPECTATIONS = Path(__file__).resolve().parent / "template_expectations" / "batch_b"

ALL = (GEMMA, GEMMA2, GEMMA3, GEMMA3N, GLM4, GLM4_MOE, GPT_OSS, GRANITE3, GRANITE4, HUNYUAN, INTERN2, LLAMA2_ZH,
       LLAMA4, MIMO, MIMO_V2, MINIMAX1, MINIMAX2, MINISTRAL, MISTRAL, MISTRAL_SMALL, MISTRAL_V0_2, MOONLIGHT, OPENCHAT,
       OPENCHAT_3_6, OPENCODER, ORION)
BY_NAME = {template.name: template for template in ALL}


WEATHER_TOOL = {"type": "function", "function": {
    "name": "get_weather", "description": "Weather in a city (°C) — \"quoted\" <b>tags</b> & ünïcode",
    "parameters": {"type": "object", "properties": {"city": {"type": "string", "description": "City name"},
                                                    "days": {"type": "integer"}},
                   "required": ["city"]}}}
TIME_TOOL = {"type": "function", "function": {"name": "get_time", "description": "The time now",
                                              "parameters": {"type": "object", "properties": {}}}}
CALL = ToolCall("get_weather", {"city": "Paris"})

# name: (messages, tools); the expectation files were rendered from the same conversations.
TEXT = {
    "single": ([U("What is the capital of France?"), A("Paris.")], ()),
    "system": ([S("You are a terse assistant."), U("What is 2 + 2?"), A("4")], ()),
    "multi": ([U("Hi!"), A("Hello! How can I help?"), U("Name a colour."), A("Blue."), U("Another one?"),
               A("Red.")], ()),
    "multi-system": ([S("Answer in French."), U("Hello"), A("Bonjour"), U("Thank you"), A("Merci")], ()),
    "empty-system": ([S(""), U("Hi"), A("Hello")], ()),
    "whitespace": ([S("  padded system \n"), U("\n  spaced question  \n"), A("  spaced answer\n\n"), U(" again "),
                    A("\tok\t")], ()),
    "tricky-text": ([U("Keep {content}, {system} and {{ braces }} {% raw %} literally"),
                     A("Unicode: é ü 日本語 😀\nsecond line\twith tab \"quoted\" \\ backslash")], ()),
    "prompt-only": ([U("Tell me a joke.")], ()),
    "prompt-after-history": ([S("Be kind."), U("Hi"), A("Hello"), U("How are you?")], ()),
}
TOOLS = {
    "tool-call": ([U("Weather in Paris?"), A("", tool_calls=(CALL,)), T('{"temp": 21, "sky": "clear"}'),
                   A("It is 21 °C and clear in Paris.")], (WEATHER_TOOL,)),
    "tool-call-system": ([S("Be precise."), U("Weather in Paris?"), A("", tool_calls=(CALL,)),
                          T('{"temp": 21}', name="get_weather"), A("21 °C.")], (WEATHER_TOOL, TIME_TOOL)),
    "two-calls": ([U("Weather in Paris and the time?"),
                   A("Let me check.", tool_calls=(CALL, ToolCall("get_time", {}))), T("21 °C"), T("12:00"),
                   A("21 °C, and it is noon.")], (WEATHER_TOOL, TIME_TOOL)),
    "tools-no-call": ([S("You help."), U("What can you do?"), A("I can check the weather.")], (WEATHER_TOOL,)),
    "prompt-with-tools": ([U("Weather in Paris?")], (WEATHER_TOOL,)),
    "prompt-after-result": ([U("Weather in Paris?"), A("", tool_calls=(CALL,)), T("21")], (WEATHER_TOOL,)),
}
REASONING = {
    "reasoning": ([U("What is 17 * 3?"), A("51.", reasoning="17 * 3 = 51.")], ()),
    "reasoning-multi": ([S("Think first."), U("2 + 2?"), A("4.", reasoning="Two plus two."), U("And 3 + 3?"),
                         A("6.", reasoning="Three plus three.")], ()),
}
CONVERSATIONS = {**TEXT, **TOOLS, **REASONING}
NO_SYSTEM = [name for name, (messages, _) in TEXT.items() if messages[0].role != "system"]

# Templates checked against an official template from the reference data:
# name: (refdata family, conversation kinds, extra kwargs for the official render)
REFDATA_CHECKS = {
    "gemma": ("gemma", NO_SYSTEM, {}),
    "gemma2": ("gemma-2", NO_SYSTEM, {}),
    "glm4-moe": ("glm-4.5", list(CONVERSATIONS), {}),
    "gpt-oss": ("gpt-oss", [name for name in CONVERSATIONS if name != "two-calls"], {}),
    "intern2": ("internlm2-chat", list(TEXT), {}),
    "mistral": ("mistral-7b-instruct-v0.3", NO_SYSTEM, {}),
    "mistral-v0.2": ("mistral-7b-instruct-v0.2", list(TEXT), {}),
    "openchat": ("openchat", list(TEXT), {"bos_token": "<s>"}),  # ollama's copy records no bos; OpenChat's is <s>
}
EXPECTED = sorted(path.stem for path in EXPECTATIONS.glob("*.json"))


def official(family: str) -> dict:
    return json.loads((REFDATA / "templates" / family / "tokenizer_config.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def ref() -> Path:
    if not REFDATA.is_dir():
        pytest.skip(f"reference data not found at {REFDATA} (it ships beside the checkout as ../shared/refdata)")
    return REFDATA


@pytest.fixture(scope="module")
def tokenizers(ref) -> dict:
    """gpt2 (byte-level BPE) and llama2 (SentencePiece-style); both get every special token of these templates,
    none of which occurs in another template's text."""
    transformers = pytest.importorskip("transformers")
    wanted = sorted({token for template in ALL for token in special_tokens(template)})
    out = {}
    for name in ("gpt2", "llama2"):
        tokenizer = transformers.AutoTokenizer.from_pretrained(str(ref / "tokenizers" / name))
        tokenizer.clean_up_tokenization_spaces = False  # decode exactly what was encoded
        tokenizer.add_special_tokens({"additional_special_tokens": [t for t in wanted
                                                                    if t not in tokenizer.get_vocab()]})
        out[name] = tokenizer
    return out


@contextlib.contextmanager
def official_date(day: datetime.datetime):
    """`strftime_now()` in official templates gives `day` (gpt-oss writes today's date; the plugin a fixed one)."""
    from transformers.utils import chat_template_utils

    real = chat_template_utils.datetime

    class Fixed(real):
        @classmethod
        def now(cls, tz=None):
            return day

    chat_template_utils.datetime = Fixed
    try:
        yield
    finally:
        chat_template_utils.datetime = real


def _messages(items: list[dict]) -> list[Message]:
    """`hf_messages` dicts back to records."""
    return [Message(m["role"], m["content"],
                    tuple(ToolCall(c["function"]["name"], c["function"]["arguments"], c.get("id"))
                          for c in m.get("tool_calls", ())),
                    m.get("reasoning_content"), m.get("name"), m.get("tool_call_id")) for m in items]


# ---------------------------------------------------------------------------------------------------------------
# Exactness against official templates in the reference data
# ---------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name, kind", [(name, kind) for name, (_, kinds, _) in REFDATA_CHECKS.items()
                                        for kind in kinds])
def test_matches_official_template(name, kind, tokenizers, ref):
    template = BY_NAME[name]
    family, _, kwargs = REFDATA_CHECKS[name]
    reference = official(family)
    specials = {key: reference[key] for key in ("bos_token", "eos_token") if reference.get(key)} | kwargs
    exported = to_jinja(template)
    messages, tools = CONVERSATIONS[kind]
    with official_date(datetime.datetime(2025, 8, 5)):
        for add_generation_prompt in ((False, True) if messages[-1].role != "assistant" else (False,)):
            ours = render_text(template, messages, tools, add_generation_prompt=add_generation_prompt)
            for tokenizer_name, tokenizer in tokenizers.items():
                where = f"{name} / {kind} / add_generation_prompt={add_generation_prompt} / {tokenizer_name}"
                render_kwargs = dict(tools=tools, add_generation_prompt=add_generation_prompt)
                assert _hf_render(tokenizer, messages, reference["chat_template"], **render_kwargs, **specials) \
                    == ours, where
                assert _hf_render(tokenizer, messages, exported, **render_kwargs) == ours, f"exported: {where}"
                expected_ids = _hf_render(tokenizer, messages, reference["chat_template"], tokenize=True,
                                          **render_kwargs, **specials)
                if messages[-1].role == "assistant":
                    assert encode(template, tokenizer, messages, tools).input_ids == expected_ids, where
                assert _hf_render(tokenizer, messages, exported, tokenize=True, **render_kwargs) == expected_ids, \
                    where


def test_mistral_v0_1_has_the_v0_2_template(ref):
    # `mistral-v0.2` serves both: their current official templates are the same string.
    assert official("mistral-7b-instruct-v0.1")["chat_template"] == \
        official("mistral-7b-instruct-v0.2")["chat_template"]


@pytest.mark.parametrize("kind", list(TEXT))
def test_llama2_zh_is_llama2_chat_with_its_default_system(kind, tokenizers, ref):
    # The documented Chinese-LLaMA-2 format: the official Llama 2 Chat template, with hfl's default system prompt
    # when the conversation has none.
    messages, _ = TEXT[kind]
    reference = official("llama-2-chat")
    with_system = messages if messages[0].role == "system" else [S(LLAMA2_ZH.default_system), *messages]
    tokenizer = tokenizers["llama2"]
    for add_generation_prompt in ((False, True) if messages[-1].role != "assistant" else (False,)):
        expected = _hf_render(tokenizer, with_system, reference["chat_template"], bos_token="<s>", eos_token="</s>",
                              add_generation_prompt=add_generation_prompt)
        assert render_text(LLAMA2_ZH, messages, add_generation_prompt=add_generation_prompt) == expected
        assert _hf_render(tokenizer, messages, to_jinja(LLAMA2_ZH), add_generation_prompt=add_generation_prompt) \
            == expected


def test_gemma_and_mistral_refuse_the_system_message_their_official_templates_refuse(tokenizers, ref):
    tokenizer = tokenizers["gpt2"]
    messages = TEXT["system"][0]
    for template, family in ((GEMMA, "gemma"), (GEMMA2, "gemma-2"), (MISTRAL, "mistral-7b-instruct-v0.3")):
        with pytest.raises(Exception, match="(?i)system|roles"):
            _hf_render(tokenizer, messages, official(family)["chat_template"], bos_token="<s>", eos_token="</s>")
        with pytest.raises(TemplateError, match="has no system turn"):
            render_text(template, messages)
        with pytest.raises(Exception, match="has no system turn"):
            _hf_render(tokenizer, messages, to_jinja(template))


def test_gpt_oss_writes_only_the_first_of_several_calls_so_they_are_refused(tokenizers, ref):
    messages, tools = TOOLS["two-calls"]
    tokenizer = tokenizers["gpt2"]
    with official_date(datetime.datetime(2025, 8, 5)):
        text = _hf_render(tokenizer, messages, official("gpt-oss")["chat_template"], tools=tools)
    assert "functions.get_weather" in text and "functions.get_time" not in text  # the second call is lost
    with pytest.raises(TemplateError, match="2 tool calls"):
        render_text(GPT_OSS, messages, tools)
    with pytest.raises(Exception, match="2 tool calls"):
        _hf_render(tokenizer, messages, to_jinja(GPT_OSS), tools=tools)


def test_gpt_oss_renders_every_tool_schema_shape_as_the_official_template(tokenizers, ref):
    rich = {"type": "function", "function": {"name": "search", "description": "Search things", "parameters": {
        "type": "object", "required": ["q"], "properties": {
            "q": {"type": "string", "description": "Query"},
            "mode": {"type": "string", "enum": ["fast", "deep"], "default": "fast"},
            "n": {"type": "integer", "default": 5},
            "tags": {"type": "array", "items": {"type": "string"}},
            "nums": {"type": ["number", "null"]},
            "opt": {"type": "string", "nullable": True},
            "filters": {"type": "object", "properties": {"lang": {"type": "string"}, "year": {"type": "integer"}},
                        "required": ["lang"]},
            "points": {"type": "array", "items": {"type": "object", "properties": {"x": {"type": "number"}}}},
            "anything": {"type": "array"},
            "choice": {"oneOf": [{"type": "string", "description": "a name"}, {"type": "integer", "default": 3}],
                       "default": "x"},
            "flag": {"type": "boolean", "description": "Flag", "default": False},
            "blob": {"type": "object"},
            "unknown": {}}}}}
    messages = [S("Sys"), U("go"), A("", tool_calls=(ToolCall("search", {"q": "x"}),)), T("ok"), A("done")]
    tools = (rich, TIME_TOOL)
    tokenizer = tokenizers["gpt2"]
    with official_date(datetime.datetime(2025, 8, 5)):
        expected = _hf_render(tokenizer, messages, official("gpt-oss")["chat_template"], tools=tools)
    assert render_text(GPT_OSS, messages, tools) == expected
    assert _hf_render(tokenizer, messages, to_jinja(GPT_OSS), tools=tools) == expected


# ---------------------------------------------------------------------------------------------------------------
# Exactness against recorded renderings of official templates found elsewhere
# ---------------------------------------------------------------------------------------------------------------


def test_every_expectation_file_belongs_to_a_template():
    assert set(EXPECTED) == set(BY_NAME) - set(REFDATA_CHECKS) - {"llama2-zh"}


@pytest.mark.parametrize("name", EXPECTED)
def test_matches_recorded_official_rendering(name, tokenizers):
    data = json.loads((EXPECTATIONS / f"{name}.json").read_text(encoding="utf-8"))
    template = BY_NAME[name]
    assert data["template"] == name and data["reference"] and data["cases"]
    if template.reference is None:
        assert data["reference"].startswith("documented format"), "a template without an official one says so"
    else:
        assert template.reference.split("/")[-1] in data["reference"], "the file checks the template's reference"
    exported = to_jinja(template)
    for case in data["cases"]:
        where = f"{name} / {case['kind']} / add_generation_prompt={case['add_generation_prompt']}"
        messages = _messages(case["messages"])
        assert render_text(template, messages, case["tools"],
                           add_generation_prompt=case["add_generation_prompt"]) == case["text"], where
        assert _hf_render(tokenizers["gpt2"], messages, exported, tools=case["tools"],
                          add_generation_prompt=case["add_generation_prompt"]) == case["text"], f"exported: {where}"
        if messages[-1].role == "assistant":  # the text tokenizes with every special token whole
            encoded = encode(template, tokenizers["gpt2"], messages, case["tools"])
            assert tokenizers["gpt2"].decode(encoded.input_ids) == case["text"], where
    for case in data.get("refused", {}).get("cases", ()):
        # where the official template fails or loses part of the conversation, the plugin refuses it
        assert data["refused"]["why"] and ("official_text" in case or "official_error" in case)
        _refused_both(template, _messages(case["messages"]), case["tools"], None, tokenizers["gpt2"])


# ---------------------------------------------------------------------------------------------------------------
# Which tokens are trained
# ---------------------------------------------------------------------------------------------------------------

THREE_TURNS = [U("Capital of France?"), A("Paris is the capital."), U("And of Spain?"), A("Madrid.")]


@pytest.mark.parametrize("template, trained", [
    (ORION, ["Paris is the capital.</s>", "Madrid.</s>"]),
    (MINIMAX1, ["Paris is the capital.<end_of_sentence>", "Madrid.<end_of_sentence>"]),
    (LLAMA2_ZH, [" Paris is the capital. </s>", " Madrid. </s>"]),
    (GEMMA3, ["Paris is the capital.<end_of_turn>", "Madrid.<end_of_turn>"]),
    (MISTRAL, ["Paris is the capital.</s>", "Madrid.</s>"]),
    (OPENCHAT, [" Paris is the capital.<|end_of_turn|>", " Madrid.<|end_of_turn|>"]),
    (HUNYUAN, ["Paris is the capital.<|eos|>", "Madrid.<|eos|>"]),
])
def test_each_answer_and_its_end_of_turn_token_is_trained(template, trained, tokenizers):
    tokenizer = tokenizers["gpt2"]
    encoded = encode(template, tokenizer, THREE_TURNS)
    assert _trained_text(tokenizer, encoded) == trained
    assert _trained_text(tokenizer, encode(template, tokenizer, THREE_TURNS, mask_history=True)) == \
        _trained_text(tokenizer, encoded)[-1:]


@pytest.mark.parametrize("template", [GLM4, GLM4_MOE])
def test_glm_trains_the_next_role_token_as_the_end_of_an_answer(template, tokenizers):
    tokenizer = tokenizers["gpt2"]
    think = "\n<think></think>" if template is GLM4_MOE else ""
    encoded = encode(template, tokenizer, THREE_TURNS)
    assert _trained_text(tokenizer, encoded) == [f"{think}\nParis is the capital.<|user|>", f"{think}\nMadrid."]
    messages, tools = TOOLS["tool-call"]
    if template is GLM4_MOE:
        trained = _trained_text(tokenizer, encode(template, tokenizer, messages, tools))
        assert trained[0].endswith("</tool_call><|observation|>")
        assert trained[1] == "\n<think></think>\nIt is 21 °C and clear in Paris."


def test_glm4_moe_keeps_only_the_reasoning_after_the_last_user_message(tokenizers):
    messages, _ = REASONING["reasoning-multi"]
    text = render_text(GLM4_MOE, messages)
    assert "<think>Two plus two.</think>" not in text and "\n<think>Three plus three.</think>\n6." in text


def test_gpt_oss_trains_what_follows_the_assistant_start(tokenizers):
    tokenizer = tokenizers["gpt2"]
    messages, tools = TOOLS["tool-call"]
    encoded = encode(GPT_OSS, tokenizer, [*messages[:-1], A("It is 21 °C.", reasoning="Read the result.")], tools)
    assert _trained_text(tokenizer, encoded) == [
        ' to=functions.get_weather<|channel|>commentary json<|message|>{"city": "Paris"}<|call|>',
        "<|channel|>analysis<|message|>Read the result.<|end|><|start|>assistant"
        "<|channel|>final<|message|>It is 21 °C.<|return|>"]


@pytest.mark.parametrize("template, suffix", [(MIMO_V2, "<think></think>"), (MINIMAX2, "<think>\n")])
def test_generation_prompt_opens_the_think_block_as_officially(template, suffix):
    text = render_text(template, [U("Hi")], add_generation_prompt=True)
    assert text.endswith(suffix) and not render_text(template, [U("Hi"), A("Yo")]).endswith(suffix)


# ---------------------------------------------------------------------------------------------------------------
# Refusals: what a format cannot write is refused, by the engine and by the exported Jinja alike
# ---------------------------------------------------------------------------------------------------------------

TOOLLESS = [t for t in ALL if t not in (GLM4_MOE, GPT_OSS, GRANITE4, MIMO)]
REASONLESS = [t for t in ALL if t not in (GLM4_MOE, GPT_OSS, MIMO_V2, MINIMAX2)]


def _refused_both(template, messages, tools, match, tokenizer):
    match = re.escape(match) if match else None
    with pytest.raises(TemplateError, match=match):
        render(template, messages, tools)
    with pytest.raises(Exception, match=match):
        _hf_render(tokenizer, messages, to_jinja(template), tools=tools)


@pytest.mark.parametrize("template", TOOLLESS, ids=lambda t: t.name)
def test_templates_without_tools_refuse_them(template, tokenizers):
    messages, tools = TOOLS["tool-call"]
    _refused_both(template, messages, tools, "cannot write tool definitions", tokenizers["gpt2"])
    _refused_both(template, messages, (), "tool call", tokenizers["gpt2"])


@pytest.mark.parametrize("template", REASONLESS, ids=lambda t: t.name)
def test_templates_without_reasoning_refuse_it(template, tokenizers):
    messages = [U("What is 17 * 3?"), A("51.", reasoning="17 * 3 = 51.")]
    _refused_both(template, messages, (), "reasoning", tokenizers["gpt2"])


@pytest.mark.parametrize("template, messages, match", [
    (HUNYUAN, [S(""), U("Hi"), A("Hello")], "empty system message"),
    (GLM4, [U("Hi"), A("Hello"), U(""), A("Again")], "empty user message"),
    (MINISTRAL, TEXT["system"][0], "has no system turn"),
    (ORION, TEXT["system"][0], "has no system turn"),
    (GLM4_MOE, [U("Hi"), A("", tool_calls=(ToolCall("f", '{"a": 1}'),))], "not a JSON object"),
    (GPT_OSS, [U("Hi"), A("<|channel|>final<|message|>x")], "<|channel|> tag"),
    (GPT_OSS, [U("Hi"), A("text", reasoning="why", tool_calls=(CALL,))], "both text and reasoning"),
    (GEMMA3, [U("Hi"), U("Again"), A("Hello")], "follows another user message"),
    (GPT_OSS, [U("Hi"), T("21")], "without a preceding tool call"),
])
def test_refusals(template, messages, match, tokenizers):
    _refused_both(template, messages, (), match, tokenizers["gpt2"])


# ---------------------------------------------------------------------------------------------------------------
# Spec sanity
# ---------------------------------------------------------------------------------------------------------------


def test_names_references_and_stop_words():
    names = [template.name for template in ALL]
    assert len(set(names)) == len(names) and all(name == name.lower() and "_" not in name for name in names)
    for template in ALL:
        assert template.description and stop_words(template), template.name
    documented = {t.name for t in ALL if t.reference is None}
    assert documented == {"llama2-zh", "minimax1", "orion"}


def test_a_tokenizer_without_the_special_tokens_is_refused(ref):
    transformers = pytest.importorskip("transformers")
    plain = transformers.AutoTokenizer.from_pretrained(str(ref / "tokenizers" / "gpt2"))
    for template in (GLM4_MOE, GPT_OSS, MOONLIGHT):
        with pytest.raises(TemplateError, match="does not know as single tokens"):
            encode(template, plain, THREE_TURNS)
