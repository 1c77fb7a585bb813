"""Chat templates of batch C (LLaMA-Factory names p to z) against their models' official templates.

Three kinds of evidence, one per kind of source:

- refdata-exact: the official Jinja is in the reference data (`../shared/refdata/templates`); each conversation is
  rendered by the plugin, by the official Jinja (transformers' `apply_chat_template`) and by the plugin's exported
  Jinja, on real tokenizers with the template's special tokens added: text and token ids must be identical.
- official-via-search: the official Jinja was found with the search tool but is not copied here; what it rendered
  for these conversations is recorded in `template_expectations/batch_c/<name>.json` and compared with the plugin's
  rendering and its exported Jinja.
- documented-format: no official Jinja exists or could be reached; the expectation file was written from the
  documented format (LLaMA-Factory's template and the model card), and one multi-turn conversation's trained tokens
  are checked on exact decoded text.

Conversations a template cannot write are refused by the engine and by the exported Jinja with the same message.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import pytest

from tuneforge.core import ChatTemplate, Message, TemplateError, ToolCall
from tuneforge.core.templates import encode, hf_messages, render, render_text, to_jinja
from tuneforge.plugins.templates import (
    chatml,
    paligemma,
    phi,
    qwen,
    sailor,
    seed,
    skywork,
    smollm2,
    solar,
    starchat,
    telechat,
    vicuna,
    xuanyuan,
    xverse,
    yayi,
    yi_vl,
    yuan,
    zephyr,
    ziya,
)
from template_support import A, REFDATA, S, T, U, hf_render, trained_text

EXPECTATIONS = Path(__file__).resolve().parent / "template_expectations" / "batch_c"


WEATHER_TOOL = {"type": "function", "function": {
    "name": "get_weather", "description": "Weather in a city (°C) — \"quoted\" ünïcode",
    "parameters": {"type": "object", "properties": {"city": {"type": "string", "description": "City name"},
                                                    "days": {"type": "integer"}},
                   "required": ["city"]}}}
TIME_TOOL = {"type": "function", "function": {"name": "get_time", "parameters": {"type": "object", "properties": {}}}}
CALL = ToolCall("get_weather", {"city": "Paris"})
# Odd but valid schemas: return values, non-string types, a parameter without description, no `required`.
PLAN_TOOL = {"type": "function", "function": {
    "name": "plan", "description": "  Plan a trip.  ",
    "parameters": {"type": "object", "properties": {"stops": {"type": "array", "description": "Places"},
                                                    "budget": {"type": "number"}, "flexible": {"type": "boolean"},
                                                    "extra": {"type": "object"}, "note": {"type": ["string", "null"]}}},
    "returns": {"type": "object", "properties": {"route": {"type": "string", "description": "The route"}}}}}
NO_PARAMETERS_TOOL = {"type": "function", "function": {"name": "ping", "description": "Ping.",
                                                       "parameters": {"type": "object", "properties": {}},
                                                       "returns": {"type": "object", "properties": {
                                                           "ok": {"type": "boolean"}}}}}

# name: (messages, tools)
PLAIN = {
    "single": ([U("What is the capital of France?"), A("Paris.")], ()),
    "system": ([S("You are a terse assistant."), U("What is 2 + 2?"), A("4")], ()),
    "multi": ([U("Hi!"), A("Hello! How can I help?"), U("Name a colour."), A("Blue."), U("Another one?"),
               A("Red.")], ()),
    "multi-system": ([S("Answer in French."), U("Hello"), A("Bonjour"), U("Thank you"), A("Merci")], ()),
    "empty-system": ([S(""), U("Hi"), A("Hello")], ()),
    "whitespace": ([S("  padded system \n"), U("\n  spaced question  \n"), A("  spaced answer\n\n"), U(" again "),
                    A("\tok\t")], ()),
    "tricky-text": ([U("Keep {content}, {system}, {{ braces }} {% raw %} and <b>text</b>"),
                     A("Unicode: é ü 日本語 😀\nsecond line\twith tab \"quoted\" \\ backslash")], ()),
    "prompt-only": ([U("Tell me a joke.")], ()),
    "prompt-after-history": ([S("Be kind."), U("Hi"), A("Hello"), U("How are you?")], ()),
}
TOOLS = {
    "tool-call": ([U("Weather in Paris?"), A("", tool_calls=(CALL,)), T('{"temp": 21, "sky": "clear"}'),
                   A("It is 21 °C and clear in Paris.")], (WEATHER_TOOL,)),
    "tool-calls-system": ([S("Be precise."), U("Weather in Paris and the time?"),
                           A("Let me check.", tool_calls=(CALL, ToolCall("get_time", {}))), T('{"temp": 21}'),
                           T("12:00"), A("21 °C, and it is noon.")], (WEATHER_TOOL, TIME_TOOL)),
    "tool-multi-turn": ([U("Hi"), A("Hello! Ask me about the weather."), U("Paris?"),
                         A("", tool_calls=(ToolCall("get_weather", {"city": "Paris", "days": 3}),)),
                         T("sunny\n\"warm\" ünïcode"), A("Sunny and warm.")], (WEATHER_TOOL,)),
    "tools-no-call": ([S("You help."), U("What can you do?"), A("I can check the weather.")], (WEATHER_TOOL,)),
    "prompt-after-result": ([U("Weather in Paris?"), A("", tool_calls=(CALL,)), T("21")], (WEATHER_TOOL,)),
    "odd-tools": ([U("Plan it"), A("Planning.", tool_calls=(
        ToolCall("plan", {"stops": ["Rome", 2], "budget": 1.5, "flexible": True, "extra": {"a": None}, "note": "é"}),
        ToolCall("ping", {}))), T("ok"), T("pong"), A("Done.")], (PLAN_TOOL, NO_PARAMETERS_TOOL, TIME_TOOL)),
}
REASONING = {
    "reasoning": ([U("2 + 2?"), A("4", reasoning="Two plus two is four.")], ()),
    "reasoning-history": ([S("Think first."), U("2 + 2?"), A("4", reasoning="Add them."), U("And 3 + 3?"),
                           A("6", reasoning="\nAdd them again.\n")], ()),
    "think-in-content": ([U("1 + 1?"), A("<think>\nOne and one.\n</think>\n\n2"), U("Sure?"),
                          A("<think>Yes.</think>Yes, 2.")], ()),
    "empty-reasoning-last": ([U("Hi"), A("Hello", reasoning="")], ()),
    "reasoning-tool-steps": ([U("Weather in Paris?"), A("", reasoning="I need the tool.", tool_calls=(CALL,)),
                              T("21"), A("", reasoning="", tool_calls=(ToolCall("get_time", {}),)), T("noon"),
                              A("21 °C at noon.", reasoning="Both known.")], (WEATHER_TOOL, TIME_TOOL)),
}
CONVERSATIONS = {**PLAIN, **TOOLS, **REASONING}

TEMPLATES: dict[str, ChatTemplate] = {t.name: t for t in (
    qwen.QWEN2, qwen.QWEN2_5, qwen.QWEN3, qwen.QWEN3_NOTHINK, phi.PHI3, phi.PHI3_5, phi.PHI3_SMALL, phi.PHI4,
    phi.PHI4_MINI, seed.SEED_OSS, seed.SEED_CODER, smollm2.SMOLLM2, vicuna.VICUNA, zephyr.ZEPHYR, solar.SOLAR,
    sailor.SAILOR, skywork.SKYWORK_O1, starchat.STARCHAT, telechat.TELECHAT, telechat.TELECHAT2, xuanyuan.XUANYUAN,
    xverse.XVERSE, yayi.YAYI, yuan.YUAN, ziya.ZIYA, yi_vl.YI_VL, paligemma.PALIGEMMA)}

# name: (refdata family, revision or None, tokenizers, conversations)
REFDATA_EXACT = {
    "qwen2": ("qwen2-instruct", None, ("gpt2",), PLAIN),
    "qwen2.5": ("qwen2.5-instruct", None, ("gpt2",), {**PLAIN, **TOOLS}),
    "qwen3": ("qwen3", None, ("gpt2",), CONVERSATIONS),
    "phi3": ("phi-3", None, ("phi-3-mini",), PLAIN),
    "phi3.5": ("phi-3.5", None, ("phi-3-mini",), PLAIN),
    "phi4": ("phi-4", None, ("gpt2",), PLAIN),
    "smollm2": ("smollm2", None, ("gpt2",), PLAIN),
    "vicuna": ("vicuna", None, ("llama2",), PLAIN),
    "zephyr": ("zephyr", None, ("llama2",), PLAIN),
    "seed-oss": ("seed-oss", None, ("gpt2",), CONVERSATIONS),
}
# The Qwen1.5-Chat template (its last revision) is the Qwen2 one: qwen2 covers both.
ALSO_EXACT = {"qwen2": ("qwen1.5-chat", "4d14e384")}


def official(family: str, commit: str | None = None) -> dict:
    """The official chat template of `family` from the reference data (a past revision when `commit` is given)."""
    if not REFDATA.is_dir():
        pytest.skip(f"reference data not found at {REFDATA} (it ships beside the checkout as ../shared/refdata)")
    folder = REFDATA / "templates" / family
    if commit is None:
        return json.loads((folder / "tokenizer_config.json").read_text(encoding="utf-8"))
    revisions = json.loads((folder / "chat_template_revisions.json").read_text(encoding="utf-8"))
    return next(r for r in revisions if r["hf_commit"].startswith(commit))


@lru_cache(maxsize=None)
def load_tokenizer(name: str):
    """A real tokenizer from the reference data with every special token of these templates added where it lacks
    them. No template writes another one's special tokens as text, so one tokenizer serves every comparison."""
    transformers = pytest.importorskip("transformers")
    if not REFDATA.is_dir():
        pytest.skip(f"reference data not found at {REFDATA}")
    loaded = transformers.AutoTokenizer.from_pretrained(str(REFDATA / "tokenizers" / name))
    loaded.clean_up_tokenization_spaces = False  # decode exactly what was encoded
    wanted = dict.fromkeys(token for template in (*TEMPLATES.values(), chatml.CHATML)
                           for token in template.special_tokens)
    missing = [token for token in wanted if token not in loaded.get_vocab()]
    loaded.add_special_tokens({"additional_special_tokens": missing})
    return loaded


def prompts_for(messages) -> tuple[bool, ...]:
    return (False, True) if messages[-1].role != "assistant" else (False,)


# ---------------------------------------------------------------------------------------------------------------
# refdata-exact
# ---------------------------------------------------------------------------------------------------------------

EXACT_CASES = [(name, conversation) for name, (_, _, _, conversations) in REFDATA_EXACT.items()
               for conversation in conversations]


@pytest.mark.parametrize("name, conversation", EXACT_CASES, ids=[f"{n}-{c}" for n, c in EXACT_CASES])
def test_matches_official_template(name, conversation):
    template = TEMPLATES[name]
    family, commit, tokenizer_names, _ = REFDATA_EXACT[name]
    references = [official(family, commit)] + ([official(*ALSO_EXACT[name])] if name in ALSO_EXACT else [])
    messages, tools = CONVERSATIONS[conversation]
    exported = to_jinja(template)
    for tokenizer_name in tokenizer_names:
        tokenizer = load_tokenizer(tokenizer_name)
        for reference in references:
            specials = {key: reference[key] for key in ("bos_token", "eos_token") if reference.get(key)}
            for add_generation_prompt in prompts_for(messages):
                where = f"{name} / {conversation} / add_generation_prompt={add_generation_prompt} / {tokenizer_name}"
                ours = render_text(template, messages, tools, add_generation_prompt=add_generation_prompt)
                expected = hf_render(tokenizer, messages, reference["chat_template"], tools,
                                     add_generation_prompt=add_generation_prompt, **specials)
                assert ours == expected, where
                assert hf_render(tokenizer, messages, exported, tools,
                                 add_generation_prompt=add_generation_prompt) == ours, f"exported Jinja: {where}"
                expected_ids = hf_render(tokenizer, messages, reference["chat_template"], tools, tokenize=True,
                                         add_generation_prompt=add_generation_prompt, **specials)
                assert hf_render(tokenizer, messages, exported, tools, tokenize=True,
                                 add_generation_prompt=add_generation_prompt) == expected_ids, where
                if not add_generation_prompt and messages[-1].role == "assistant":
                    assert encode(template, tokenizer, messages, tools).input_ids == expected_ids, where


def test_qwen3_keeps_the_official_enable_thinking_switch():
    # Hybrid Qwen3 models are also fine-tuned without thinking: the official template renders a training
    # conversation the same either way, and with enable_thinking=False prompts with an empty think block.
    template, tokenizer = TEMPLATES["qwen3"], load_tokenizer("gpt2")
    reference = official("qwen3")["chat_template"]
    messages, _ = PLAIN["single"]
    assert render_text(template, messages) == hf_render(tokenizer, messages, reference, enable_thinking=False)
    messages, _ = PLAIN["prompt-after-history"]
    prompt = hf_render(tokenizer, messages, reference, add_generation_prompt=True, enable_thinking=False)
    assert prompt.endswith("<|im_start|>assistant\n<think>\n\n</think>\n\n")
    assert hf_render(tokenizer, messages, to_jinja(template), add_generation_prompt=True,
                     enable_thinking=False) == prompt


# ---------------------------------------------------------------------------------------------------------------
# official-via-search and documented-format: recorded renderings
# ---------------------------------------------------------------------------------------------------------------

# expectation file: template it checks
RECORDED = {
    "qwen3-nothink": "qwen3-nothink", "phi4-mini": "phi4-mini", "phi3-small": "phi3-small", "solar": "solar",
    "chatml-smollm": "chatml",  # SmolLM (v1) needs no template of its own: its template is plain ChatML
    "sailor": "sailor", "seed-coder": "seed-coder", "skywork-o1": "skywork-o1", "starchat": "starchat",
    "telechat": "telechat", "telechat2": "telechat2", "xuanyuan": "xuanyuan", "xverse": "xverse", "yayi": "yayi",
    "yuan": "yuan", "ziya": "ziya", "yi-vl": "yi-vl", "paligemma": "paligemma",
}
DOCUMENTED = ("sailor", "seed-coder", "skywork-o1", "starchat", "telechat", "telechat2", "xuanyuan", "xverse", "yayi",
              "yuan", "ziya", "yi-vl", "paligemma")


def template_named(name: str) -> ChatTemplate:
    return chatml.CHATML if name == "chatml" else TEMPLATES[name]


def from_hf(item: dict) -> Message:
    calls = tuple(ToolCall(call["function"]["name"], call["function"]["arguments"])
                  for call in item.get("tool_calls", ()))
    return Message(item["role"], item["content"], tool_calls=calls, reasoning=item.get("reasoning_content"),
                   name=item.get("name"), tool_call_id=item.get("tool_call_id"))


@pytest.mark.parametrize("file", list(RECORDED))
def test_matches_recorded_rendering(file):
    data = json.loads((EXPECTATIONS / f"{file}.json").read_text(encoding="utf-8"))
    template = template_named(RECORDED[file])
    assert data["reference"] and len(data["cases"]) >= 4
    assert ("documented format" in data["reference"]) == (file in DOCUMENTED)
    exported = to_jinja(template)
    tokenizer = load_tokenizer("gpt2")
    for case in data["cases"]:
        messages, tools = [from_hf(item) for item in case["messages"]], tuple(case.get("tools", ()))
        assert hf_messages(messages) == case["messages"]
        where = f"{file} / {case['conversation']} / add_generation_prompt={case['add_generation_prompt']}"
        assert render_text(template, messages, tools, add_generation_prompt=case["add_generation_prompt"]) == \
            case["text"], where
        assert hf_render(tokenizer, messages, exported, tools, add_generation_prompt=case["add_generation_prompt"]) \
            == case["text"], f"exported Jinja: {where}"


def test_every_template_is_checked_against_a_reference():
    recorded = {RECORDED[file] for file in RECORDED}
    assert set(TEMPLATES) == set(REFDATA_EXACT) | (recorded - {"chatml"})
    assert {path.stem for path in EXPECTATIONS.glob("*.json")} == set(RECORDED)
    for name, template in TEMPLATES.items():
        assert (template.reference is None) == (name in DOCUMENTED), name
        if name in DOCUMENTED:
            assert "documented format" in template.description, name


# ---------------------------------------------------------------------------------------------------------------
# Which tokens are trained
# ---------------------------------------------------------------------------------------------------------------

MULTI, _ = PLAIN["multi"]

# template: trained text of the "multi" conversation (answers "Hello! How can I help?", "Blue.", "Red."), decoded
# from gpt2 with the template's special tokens. A leading space belongs to the answer's first token when the prompt
# ends with a space (byte-level BPE merges it into the word).
TRAINED_MULTI = {
    "sailor": ["Hello! How can I help?<|im_end|>", "Blue.<|im_end|>", "Red.<|im_end|>"],
    "seed-coder": ["Hello! How can I help?<[end▁of▁sentence]>", "Blue.<[end▁of▁sentence]>", "Red.<[end▁of▁sentence]>"],
    "skywork-o1": ["Hello! How can I help?<|eot_id|>", "Blue.<|eot_id|>", "Red.<|eot_id|>"],
    "starchat": ["Hello! How can I help?<|end|>", "Blue.<|end|>", "Red.<|end|>"],
    "telechat": ["Hello! How can I help?<_end>", "Blue.<_end>", "Red.<_end>"],
    "telechat2": ["Hello! How can I help?<_end>", "Blue.<_end>", "Red.<_end>"],
    "xuanyuan": ["Hello! How can I help?</s>", "Blue.</s>", "Red.</s>"],
    "xverse": [" Hello! How can I help?<|endoftext|>", " Blue.<|endoftext|>", " Red.<|endoftext|>"],
    "yayi": ["Hello! How can I help?\n\n", "Blue.\n\n", "Red.\n\n"],
    "yuan": ["Hello! How can I help?<eod>", "Blue.<eod>", "Red.<eod>"],
    "ziya": ["Hello! How can I help?\n", "Blue.\n", "Red.\n"],
    "yi-vl": ["Hello! How can I help?\n", "Blue.\n", "Red.\n"],
    "paligemma": ["Hello! How can I help?<eos>", "Blue.<eos>", "Red.<eos>"],
    "solar": ["Hello! How can I help?", "Blue.", "Red."],
    "phi4-mini": ["Hello! How can I help?<|end|>", "Blue.<|end|>", "Red.<|end|>"],
    "qwen3-nothink": ["Hello! How can I help?<|im_end|>", "Blue.<|im_end|>", "Red.<|im_end|>"],
    "qwen2.5": ["Hello! How can I help?<|im_end|>", "Blue.<|im_end|>", "Red.<|im_end|>"],
    "phi4": ["Hello! How can I help?<|im_end|>", "Blue.<|im_end|>", "Red.<|im_end|>"],
    "vicuna": [" Hello! How can I help?</s>", " Blue.</s>", " Red.</s>"],
    "zephyr": ["Hello! How can I help?</s>", "Blue.</s>", "Red.</s>"],
}


@pytest.mark.parametrize("name", list(TRAINED_MULTI))
def test_answers_and_end_of_turn_are_trained(name):
    template = TEMPLATES[name]
    tokenizer = load_tokenizer("gpt2")
    encoded = encode(template, tokenizer, MULTI)
    assert trained_text(tokenizer, encoded) == TRAINED_MULTI[name]
    assert trained_text(tokenizer, encode(template, tokenizer, MULTI, mask_history=True)) == TRAINED_MULTI[name][-1:]


def test_phi3_closing_eos_is_written_but_not_trained():
    tokenizer = load_tokenizer("phi-3-mini")
    for template in (phi.PHI3, phi.PHI3_5, phi.PHI3_SMALL):
        assert render_text(template, MULTI).endswith("Red.<|end|>\n<|endoftext|>")
        encoded = encode(template, tokenizer, MULTI)
        # Phi-3's <|end|> swallows the newline after it (rstrip), as in the official tokenization
        assert tokenizer.convert_ids_to_tokens(encoded.input_ids[-2:]) == ["<|end|>", "<|endoftext|>"]
        assert [label != -100 for label in encoded.labels[-2:]] == [True, False]
        assert trained_text(tokenizer, encoded)[-1] == "Red.<|end|>"
        # the closing token ends the last turn: cutting whole turns off never leaves it alone
        two = encode(template, tokenizer, MULTI[:4])
        cut = encode(template, tokenizer, MULTI, cutoff_len=len(encoded.input_ids) - 1)
        assert cut.input_ids == two.input_ids[:-1] and not cut.truncated


QWEN3_TRAINED = {
    "single": ["<think>\n\n</think>\n\nParis.<|im_end|>"],
    "reasoning-history": ["4<|im_end|>", "<think>\nAdd them again.\n</think>\n\n6<|im_end|>"],
    "reasoning-tool-steps": [
        '<think>\nI need the tool.\n</think>\n\n<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}'
        "\n</tool_call><|im_end|>",
        '<tool_call>\n{"name": "get_time", "arguments": {}}\n</tool_call><|im_end|>',
        "<think>\nBoth known.\n</think>\n\n21 °C at noon.<|im_end|>"],
}


@pytest.mark.parametrize("conversation", list(QWEN3_TRAINED))
def test_qwen3_trains_the_last_turns_reasoning_and_drops_earlier_reasoning(conversation):
    tokenizer = load_tokenizer("gpt2")
    messages, tools = CONVERSATIONS[conversation]
    assert trained_text(tokenizer, encode(qwen.QWEN3, tokenizer, messages, tools)) == QWEN3_TRAINED[conversation]


def test_seed_oss_keeps_and_trains_reasoning_on_every_turn():
    tokenizer = load_tokenizer("gpt2")
    messages, tools = CONVERSATIONS["reasoning-history"]
    assert trained_text(tokenizer, encode(seed.SEED_OSS, tokenizer, messages, tools)) == [
        "<seed:think>Add them.</seed:think>\n4<seed:eos>", "<seed:think>Add them again.</seed:think>\n6<seed:eos>"]
    messages, tools = CONVERSATIONS["tool-calls-system"]
    assert trained_text(tokenizer, encode(seed.SEED_OSS, tokenizer, messages, tools)) == [
        "Let me check.\n\n<seed:tool_call>\n<function=get_weather>\n<parameter=city>Paris</parameter>\n</function>"
        "\n</seed:tool_call>\n<seed:tool_call>\n<function=get_time>\n</function>\n</seed:tool_call><seed:eos>",
        "21 °C, and it is noon.<seed:eos>"]


# ---------------------------------------------------------------------------------------------------------------
# Conversations a template cannot write: refused by the engine and by the exported Jinja alike
# ---------------------------------------------------------------------------------------------------------------

BAD = [
    # id, template, messages, tools, add_generation_prompt, message must contain
    ("qwen2-tools", "qwen2", [U("a"), A("b")], (WEATHER_TOOL,), False,
     "chat template 'qwen2' cannot write tool definitions"),
    ("qwen2.5-reasoning", "qwen2.5", [U("a"), A("b", reasoning="r")], (), False,
     "message 1 (assistant) has a reasoning block, which chat template 'qwen2.5' cannot write"),
    ("qwen3-nothink-reasoning", "qwen3-nothink", [U("a"), A("b", reasoning="r")], (), False,
     "message 1 (assistant) has a reasoning block, which chat template 'qwen3-nothink' cannot write"),
    ("qwen3-two-users", "qwen3", [U("a"), U("b"), A("c")], (), False, "message 1 (user) follows another user message"),
    ("qwen3-prompt-after-answer", "qwen3", [U("a"), A("b")], (), True, "already ends with an assistant message"),
    ("qwen3-result-without-call", "qwen3", [U("a"), T("42"), A("b")], (), False,
     "message 1 (tool) is a tool result without a preceding tool call"),
    ("phi3-tools", "phi3", [U("a"), A("b")], (WEATHER_TOOL,), False,
     "chat template 'phi3' cannot write tool definitions"),
    ("phi3.5-tool-call", "phi3.5", [U("a"), A("", tool_calls=(CALL,))], (), False,
     "message 1 (assistant) has tool calls, which chat template 'phi3.5' cannot write"),
    ("phi4-mini-tool-call", "phi4-mini", [U("a"), A("", tool_calls=(CALL,))], (), False,
     "message 1 (assistant) has tool calls, which chat template 'phi4-mini' cannot write"),
    ("solar-system-not-first", "solar", [U("a"), A("b"), S("c"), U("d"), A("e")], (), False,
     "message 2 (system): a system message must be the first message"),
    ("xverse-system", "xverse", [S("s"), U("a"), A("b")], (), False, "chat template 'xverse' has no system turn"),
    ("seed-oss-reasoning-only", "seed-oss", [U("a"), A("", reasoning="thinking")], (), False,
     "message 1 (assistant) has no answer text"),
    ("seed-oss-assistant-first", "seed-oss", [A("hi"), U("x"), A("y")], (), False, "must start with a user message"),
    ("seed-oss-empty-answer", "seed-oss", [U("a"), A("  ")], (), False, "message 1 (assistant) is empty"),
]


@pytest.mark.parametrize("name, messages, tools, add_generation_prompt, expected",
                         [case[1:] for case in BAD], ids=[case[0] for case in BAD])
def test_bad_conversations_are_refused_by_engine_and_export(name, messages, tools, add_generation_prompt, expected):
    jinja2 = pytest.importorskip("jinja2")
    template = TEMPLATES[name]
    with pytest.raises(TemplateError) as info:
        render(template, messages, tools, add_generation_prompt=add_generation_prompt)
    assert expected in str(info.value)
    with pytest.raises(jinja2.TemplateError) as info:
        hf_render(load_tokenizer("gpt2"), messages, to_jinja(template), tools,
                  add_generation_prompt=add_generation_prompt)
    assert expected in str(info.value)


# ---------------------------------------------------------------------------------------------------------------
# Registration
# ---------------------------------------------------------------------------------------------------------------

MODULES = {
    phi: {"phi3", "phi3.5", "phi3-small", "phi4", "phi4-mini"}, qwen: {"qwen2", "qwen2.5", "qwen3", "qwen3-nothink"},
    seed: {"seed-oss", "seed-coder"}, telechat: {"telechat", "telechat2"}, sailor: {"sailor"},
    skywork: {"skywork-o1"}, smollm2: {"smollm2"}, solar: {"solar"}, starchat: {"starchat"}, vicuna: {"vicuna"},
    xuanyuan: {"xuanyuan"}, xverse: {"xverse"}, yayi: {"yayi"}, yuan: {"yuan"}, zephyr: {"zephyr"}, ziya: {"ziya"},
    yi_vl: {"yi-vl"}, paligemma: {"paligemma"},
}


@pytest.mark.parametrize("module", list(MODULES), ids=lambda module: module.__name__.rsplit(".", 1)[-1])
def test_each_module_registers_its_templates(module):
    registered: list[ChatTemplate] = []
    module.register_templates(registered.append)
    assert {t.name for t in registered} == MODULES[module]
    assert all(TEMPLATES[t.name] is t for t in registered)
