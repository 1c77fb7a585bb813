"""Chat templates of batch A (LLaMA-Factory's template names a to f) against their models' official templates.

Three kinds of evidence, each template having at least one of the first two:

- reference data: the official Jinja in `../shared/refdata/templates`, rendered by transformers'
  `apply_chat_template` on two real tokenizers; the plugin's text, token ids and exported Jinja must equal it;
- expectation files, `template_expectations/batch_a/<name>.json`: the strings an official template found with the
  search tool rendered at development time (the file says which template, from where), or, for models with no
  official template, the strings of the documented format; only the rendered strings are kept in the repository;
- trained tokens: the decoded runs of trained tokens of a three-turn conversation, for every template.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tuneforge.core import ChatTemplate, Message, TemplateError, ToolCall
from tuneforge.core.templates import encode, hf_messages, render_text, to_jinja
from tuneforge.plugins.templates import (
    alpaca, aquila, atom, baichuan, bailing, belle, bluelm, breeze, chatglm3, chatml_de, cohere, dbrx, deepseek,
    default, empty, ernie, exaone, falcon, fewshot, minicpm,
)
from template_support import A, REFDATA, S, U, hf_render as _hf_render, trained_text as _trained_runs

EXPECTATIONS = Path(__file__).resolve().parent / "template_expectations" / "batch_a"

# module: the template constants it registers, in order
MODULES = {
    alpaca: [alpaca.ALPACA], aquila: [aquila.AQUILA], atom: [atom.ATOM],
    baichuan: [baichuan.BAICHUAN, baichuan.BAICHUAN2], bailing: [bailing.BAILING], belle: [belle.BELLE],
    bluelm: [bluelm.BLUELM], breeze: [breeze.BREEZE], chatglm3: [chatglm3.CHATGLM3], chatml_de: [chatml_de.CHATML_DE],
    cohere: [cohere.COHERE], dbrx: [dbrx.DBRX],
    deepseek: [deepseek.DEEPSEEK, deepseek.DEEPSEEK3, deepseek.DEEPSEEK_R1, deepseek.DEEPSEEK_CODER],
    default: [default.DEFAULT], empty: [empty.EMPTY], ernie: [ernie.ERNIE_NOTHINK], exaone: [exaone.EXAONE],
    falcon: [falcon.FALCON, falcon.FALCON_H1], fewshot: [fewshot.FEWSHOT],
    minicpm: [minicpm.CPM, minicpm.CPM3, minicpm.CPM4],
}
TEMPLATES: dict[str, ChatTemplate] = {spec.name: spec for specs in MODULES.values() for spec in specs}

# template: the reference-data families whose official template it must reproduce, with the bos/eos to render them
# with where the reference data omits them (Cohere's bos is taken from Aya Expanse, the same tokenizer family).
REFERENCE_FAMILIES: dict[str, list[tuple[str, dict]]] = {
    "chatglm3": [("chatglm3", {})],
    "cohere": [("command-r", {"bos_token": "<BOS_TOKEN>"}), ("aya-expanse", {})],
    "deepseek": [("deepseek-llm-chat", {}), ("deepseek-v2", {})],
    "deepseek3": [("deepseek-v3", {})],
    "deepseek-r1": [("deepseek-r1", {})],
    "deepseek-coder": [("deepseek-coder-instruct", {})],
    "falcon": [("falcon-instruct", {})],
}


CONVERSATIONS = {
    "single": [U("What is the capital of France?"), A("Paris.")],
    "system": [S("You are a terse assistant."), U("What is 2 + 2?"), A("4")],
    "multi": [U("Hi!"), A("Hello! How can I help?"), U("Name a colour."), A("Blue."), U("Another one?"), A("Red.")],
    "multi-system": [S("Answer in French."), U("Hello"), A("Bonjour"), U("Thank you"), A("Merci")],
    "empty-system": [S(""), U("Hi"), A("Hello")],
    "whitespace": [S("  padded system \n"), U("\n  spaced question  \n"), A("  spaced answer\n\n"), U(" again "),
                   A("\tok\t")],
    "tricky-text": [U("Keep {content}, {system} and {{ braces }} {% raw %} literally"),
                    A("Unicode: é ü 日本語 😀\nsecond line\twith tab \"quoted\" \\ backslash")],
    "prompt-only": [U("Tell me a joke.")],
    "prompt-after-history": [S("Be kind."), U("Hi"), A("Hello"), U("How are you?")],
}


def official(family: str, specials: dict) -> tuple[str, dict]:
    """The official Jinja of a reference-data family (the `default` entry of a named list) and its bos/eos."""
    config = json.loads((REFDATA / "templates" / family / "tokenizer_config.json").read_text(encoding="utf-8"))
    template = config["chat_template"]
    if isinstance(template, list):
        template = next(entry["template"] for entry in template if entry["name"] == "default")
    tokens = {key: config[key] for key in ("bos_token", "eos_token") if config.get(key)}
    return template, {**tokens, **specials}


@pytest.fixture(scope="module")
def tokenizers() -> dict:
    """gpt2 (byte-level BPE) and llama2 (SentencePiece) with every special token of these templates added."""
    if not REFDATA.is_dir():
        pytest.skip(f"reference data not found at {REFDATA} (it ships beside the checkout as ../shared/refdata)")
    transformers = pytest.importorskip("transformers")
    wanted = sorted({token for spec in TEMPLATES.values() for token in spec.special_tokens})
    loaded = {}
    for name in ("gpt2", "llama2"):
        tokenizer = transformers.AutoTokenizer.from_pretrained(str(REFDATA / "tokenizers" / name))
        tokenizer.clean_up_tokenization_spaces = False
        vocab = tokenizer.get_vocab()
        tokenizer.add_special_tokens({"additional_special_tokens": [t for t in wanted if t not in vocab]})
        loaded[name] = tokenizer
    return loaded


def _prompts(messages) -> tuple[bool, ...]:
    return (False, True) if messages[-1].role == "user" else (False,)


def _message(item: dict) -> Message:
    return Message(item["role"], item["content"])


# ---------------------------------------------------------------------------------------------------------------
# Registration and provenance
# ---------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("module", list(MODULES), ids=lambda m: m.__name__.rsplit(".", 1)[-1])
def test_each_module_registers_its_templates(module):
    registered = []
    module.register_templates(registered.append)
    assert registered == MODULES[module]


def test_every_template_has_official_or_documented_evidence():
    files = {path.stem for path in EXPECTATIONS.glob("*.json")}
    assert files.isdisjoint(REFERENCE_FAMILIES), "a template is checked against reference data or a file, not both"
    assert files | set(REFERENCE_FAMILIES) == set(TEMPLATES)


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_reference_is_given_exactly_for_official_templates(name):
    template = TEMPLATES[name]
    if name in REFERENCE_FAMILIES:
        assert template.reference
        return
    reference = json.loads((EXPECTATIONS / f"{name}.json").read_text(encoding="utf-8"))["reference"]
    documented = reference.startswith("documented format")
    # A format with no official template names no hub repository; an official one names the repository it copies.
    assert (template.reference is None) == documented, reference
    if not documented:
        assert template.reference in reference


# ---------------------------------------------------------------------------------------------------------------
# Exactness: reference data
# ---------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("conversation", list(CONVERSATIONS))
@pytest.mark.parametrize("name, family, specials",
                         [(name, family, specials) for name, pairs in REFERENCE_FAMILIES.items()
                          for family, specials in pairs])
def test_matches_reference_template(name, family, specials, conversation, tokenizers):
    template = TEMPLATES[name]
    reference, tokens = official(family, specials)
    exported = to_jinja(template)
    messages = CONVERSATIONS[conversation]
    for add_generation_prompt in _prompts(messages):
        ours = render_text(template, messages, add_generation_prompt=add_generation_prompt)
        for tokenizer_name, tokenizer in tokenizers.items():
            where = f"{name} / {family} / {conversation} / prompt={add_generation_prompt} / {tokenizer_name}"
            expected = _hf_render(tokenizer, messages, reference, add_generation_prompt=add_generation_prompt,
                                  **tokens)
            assert ours == expected, where
            assert _hf_render(tokenizer, messages, exported, add_generation_prompt=add_generation_prompt) == ours, \
                f"exported Jinja differs: {where}"
            expected_ids = _hf_render(tokenizer, messages, reference, tokenize=True,
                                      add_generation_prompt=add_generation_prompt, **tokens)
            if messages[-1].role == "assistant":
                assert encode(template, tokenizer, messages).input_ids == expected_ids, where
            assert _hf_render(tokenizer, messages, exported, tokenize=True,
                              add_generation_prompt=add_generation_prompt) == expected_ids, where


# ---------------------------------------------------------------------------------------------------------------
# Exactness: expectation files (official templates found with the search tool, documented formats)
# ---------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(set(TEMPLATES) - set(REFERENCE_FAMILIES)))
def test_matches_expectation_file(name, tokenizers):
    template = TEMPLATES[name]
    data = json.loads((EXPECTATIONS / f"{name}.json").read_text(encoding="utf-8"))
    assert {case["conversation"] for case in data["cases"]} == set(CONVERSATIONS)
    exported = to_jinja(template)
    tokenizer = tokenizers["gpt2"]
    for case in data["cases"]:
        messages = [_message(item) for item in case["messages"]]
        prompt = case["add_generation_prompt"]
        where = f"{name} / {case['conversation']} / prompt={prompt}"
        assert render_text(template, messages, add_generation_prompt=prompt) == case["text"], where
        assert _hf_render(tokenizer, messages, exported, add_generation_prompt=prompt) == case["text"], \
            f"exported Jinja differs: {where}"
        if messages[-1].role == "assistant":
            expected_ids = tokenizer(case["text"], add_special_tokens=False)["input_ids"]
            assert encode(template, tokenizer, messages).input_ids == expected_ids, where


# ---------------------------------------------------------------------------------------------------------------
# Trained tokens
# ---------------------------------------------------------------------------------------------------------------

THREE_TURNS = [S("You are terse."), U("Capital of France?"), A("Paris is the capital."), U("And of Spain?"),
               A("Madrid."), U("And of Italy?"), A("Rome, since 1871.")]

# template: what is trained of each answer `{a}`, or the trained runs themselves. A token overlapping an answer is
# trained: a leading space is the prompt's last space, merged by gpt2 into the answer's first token; with no end
# token (bailing) the next turn's `<` merges with the answer's last `.`, so `<` is trained after the first two.
TRAINED: dict[str, str | list[str]] = {
    "alpaca": "{a}</s>", "aquila": "{a}###", "atom": "{a}\n</s>", "baichuan": "{a}</s>", "baichuan2": "{a}</s>",
    "bailing": ["Paris is the capital.<", "Madrid.<", "Rome, since 1871."],
    "belle": " {a}</s>", "bluelm": "{a}</s>", "breeze": " {a}", "chatglm3": "\n {a}",
    "chatml-de": "{a}<|im_end|>", "cohere": "{a}<|END_OF_TURN_TOKEN|>", "cpm": "{a}", "cpm3": "{a}<|im_end|>",
    "cpm4": "{a}<|im_end|>", "dbrx": "{a}<|im_end|>", "deepseek": " {a}<｜end▁of▁sentence｜>",
    "deepseek3": "{a}<｜end▁of▁sentence｜>", "deepseek-r1": "{a}<｜end▁of▁sentence｜>", "deepseek-coder": "{a}\n<|EOT|>",
    "default": "{a}</s>", "empty": "{a}", "ernie-nothink": " {a}<|end_of_sentence|>", "exaone": "{a}[|endofturn|]",
    "falcon": "{a}\n", "falcon-h1": "{a}<|im_end|>", "fewshot": "{a}\n\n",
}


def test_every_template_states_what_it_trains():
    assert set(TRAINED) == set(TEMPLATES)


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_each_answer_and_its_end_is_trained(name, tokenizers):
    tokenizer = tokenizers["gpt2"]
    encoded = encode(TEMPLATES[name], tokenizer, THREE_TURNS)
    answers = [m.content for m in THREE_TURNS if m.role == "assistant"]
    trained = TRAINED[name]
    expected = trained if isinstance(trained, list) else [trained.format(a=answer) for answer in answers]
    assert _trained_runs(tokenizer, encoded) == expected
    history = encode(TEMPLATES[name], tokenizer, THREE_TURNS, mask_history=True)
    assert _trained_runs(tokenizer, history) == expected[-1:]


# ---------------------------------------------------------------------------------------------------------------
# What the templates refuse
# ---------------------------------------------------------------------------------------------------------------

WEATHER_TOOL = {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}


@pytest.mark.parametrize("messages, tools, expected", [
    ([U("Why?"), A("Because.", reasoning="Think first.")], (),
     "message 1 (assistant) has a reasoning block, which chat template 'deepseek-r1' cannot write"),
    ([U("Why?"), A("<think>\nThink first.\n</think>\n\nBecause.")], (),
     "message 1 (assistant) contains `</think>`"),
    ([U("Weather?"), A("", tool_calls=(ToolCall("get_weather", {"city": "Paris"}),))], (),
     "message 1 (assistant) has tool calls, which chat template 'deepseek-r1' cannot write"),
    ([U("Weather?"), A("Sunny.")], (WEATHER_TOOL,), "chat template 'deepseek-r1' cannot write tool definitions"),
], ids=["reasoning", "think-in-content", "tool-call", "tools"])
def test_deepseek_r1_refuses_what_the_official_template_drops(messages, tools, expected, tokenizers):
    import jinja2

    with pytest.raises(TemplateError) as info:
        render_text(deepseek.DEEPSEEK_R1, messages, tools)
    assert expected in str(info.value)
    with pytest.raises(jinja2.TemplateError) as info:
        tokenizers["gpt2"].apply_chat_template(hf_messages(messages), tools=list(tools) or None, tokenize=False,
                                               chat_template=to_jinja(deepseek.DEEPSEEK_R1))
    assert expected in str(info.value)


@pytest.mark.parametrize("name", ["bailing", "chatglm3", "cohere", "dbrx", "exaone", "falcon-h1"])
def test_tools_are_refused_by_text_only_templates(name):
    with pytest.raises(TemplateError, match=f"chat template '{name}' cannot write tool definitions"):
        render_text(TEMPLATES[name], [U("Weather?"), A("Sunny.")], (WEATHER_TOOL,))
