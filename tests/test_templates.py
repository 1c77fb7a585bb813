"""The chat template engine and the llama3 / chatml / llama2 plugins.

Every built-in template is compared with its model's official Jinja template on real tokenizers: the text, the
token ids, and the Jinja the engine exports for saved tokenizers. Masking, cut-off and bad input are checked on
exact decoded text, so a template one token off fails here.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tuneforge.core import ChatTemplate, Message, SpecError, TemplateError, ToolCall
from tuneforge.core.templates import (
    Segment,
    encode,
    encode_batch,
    hf_messages,
    render,
    render_text,
    special_tokens,
    stop_words,
    to_jinja,
)
from template_support import A, REFDATA, S, T, U, hf_render as _hf_render, trained_text as _trained_text

BUILT_IN = ("llama3", "chatml", "llama2")


def official(family: str, commit: str | None = None) -> dict:
    """The official chat template of `family` from the reference data (a past revision when `commit` is given)."""
    folder = REFDATA / "templates" / family
    if commit is None:
        return json.loads((folder / "tokenizer_config.json").read_text(encoding="utf-8"))
    revisions = json.loads((folder / "chat_template_revisions.json").read_text(encoding="utf-8"))
    return next(r for r in revisions if r["hf_commit"].startswith(commit))


# Which official template each built-in plugin must reproduce. Generic ChatML has no repository of its own: the
# reference is the plain ChatML template Qwen1.5-Chat first shipped (no default system prompt, no bos); its later
# revisions added a default system prompt.
REFERENCES = {
    "llama3": ("llama-3-instruct", None),
    "chatml": ("qwen1.5-chat", "b79d0c9a"),
    "llama2": ("llama-2-chat", None),
}

CONVERSATIONS = {
    "single": [U("What is the capital of France?"), A("Paris.")],
    "system": [S("You are a terse assistant."), U("What is 2 + 2?"), A("4")],
    "multi": [U("Hi!"), A("Hello! How can I help?"), U("Name a colour."), A("Blue."), U("Another one?"), A("Red.")],
    "multi-system": [S("Answer in French."), U("Hello"), A("Bonjour"), U("Thank you"), A("Merci")],
    "empty-system": [S(""), U("Hi"), A("Hello")],
    "whitespace": [S("  padded system \n"), U("\n  spaced question  \n"), A("  spaced answer\n\n"),
                   U(" again "), A("\tok\t")],
    "tricky-text": [U("Keep {content}, {system} and {{ braces }} {% raw %} literally"),
                    A("Unicode: é ü 日本語 😀\nsecond line\twith tab \"quoted\" \\ backslash")],
    "prompt-only": [U("Tell me a joke.")],
    "prompt-after-history": [S("Be kind."), U("Hi"), A("Hello"), U("How are you?")],
}


@pytest.fixture(scope="module")
def ref() -> Path:
    if not REFDATA.is_dir():
        pytest.skip(f"reference data not found at {REFDATA} (it ships beside the checkout as ../shared/refdata)")
    return REFDATA


@pytest.fixture(scope="module")
def templates() -> dict[str, ChatTemplate]:
    """The built-in templates as the registry loads them (entry points, not imports)."""
    from tuneforge.registry import get_catalog

    catalog = get_catalog(refresh=True)
    return {name: catalog.spec("template", name) for name in BUILT_IN}


def _load_tokenizer(ref: Path, name: str, with_specials: bool = True):
    transformers = pytest.importorskip("transformers")
    tokenizer = transformers.AutoTokenizer.from_pretrained(str(ref / "tokenizers" / name))
    tokenizer.clean_up_tokenization_spaces = False  # decode exactly what was encoded
    if with_specials:
        # Every built-in template's special tokens: none of them occurs in another template's text, so adding them
        # all changes no template's tokenization and lets one tokenizer serve every comparison.
        from tuneforge.plugins.templates import chatml, llama2, llama3

        wanted = {t for spec in (llama3.LLAMA3, chatml.CHATML, llama2.LLAMA2) for t in special_tokens(spec)}
        missing = sorted(t for t in wanted if t not in tokenizer.get_vocab())
        tokenizer.add_special_tokens({"additional_special_tokens": missing})
    return tokenizer


@pytest.fixture(scope="module")
def tokenizers(ref) -> dict:
    # gpt2: byte-level BPE like Llama 3's tiktoken; llama2: SentencePiece-style with byte fallback.
    return {name: _load_tokenizer(ref, name) for name in ("gpt2", "llama2")}


# ---------------------------------------------------------------------------------------------------------------
# Exactness against the official templates
# ---------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("conversation", list(CONVERSATIONS))
@pytest.mark.parametrize("name", BUILT_IN)
def test_matches_official_template(name, conversation, templates, tokenizers, ref):
    template = templates[name]
    reference = official(*REFERENCES[name])
    specials = {key: reference[key] for key in ("bos_token", "eos_token") if reference.get(key)}
    exported = to_jinja(template)
    messages = CONVERSATIONS[conversation]
    prompts = (False, True) if messages[-1].role == "user" else (False,)
    for add_generation_prompt in prompts:
        ours = render_text(template, messages, add_generation_prompt=add_generation_prompt)
        for tokenizer_name, tokenizer in tokenizers.items():
            where = f"{name} / {conversation} / add_generation_prompt={add_generation_prompt} / {tokenizer_name}"
            expected = _hf_render(tokenizer, messages, reference["chat_template"],
                                  add_generation_prompt=add_generation_prompt, **specials)
            assert ours == expected, where
            assert _hf_render(tokenizer, messages, exported, add_generation_prompt=add_generation_prompt) == ours, \
                f"exported Jinja differs: {where}"
            expected_ids = _hf_render(tokenizer, messages, reference["chat_template"], tokenize=True,
                                      add_generation_prompt=add_generation_prompt, **specials)
            if messages[-1].role == "assistant":
                assert encode(template, tokenizer, messages).input_ids == expected_ids, where
            assert _hf_render(tokenizer, messages, exported, tokenize=True,
                              add_generation_prompt=add_generation_prompt) == expected_ids, where


def test_chatml_reference_has_no_default_system(ref):
    # The generic ChatML plugin promises no default system prompt; make sure the reference revision agrees.
    reference = official(*REFERENCES["chatml"])["chat_template"]
    assert "system" not in reference and "<|im_start|>" in reference


def test_segments_join_to_the_text_and_mark_answers(templates):
    messages = CONVERSATIONS["multi-system"]
    segments = render(templates["llama3"], messages)
    assert all(isinstance(s, Segment) for s in segments)
    assert "".join(s.text for s in segments) == render_text(templates["llama3"], messages)
    assert [(s.text, s.turn) for s in segments if s.trainable] == [("Bonjour<|eot_id|>", 0), ("Merci<|eot_id|>", 1)]
    assert [s.turn for s in segments if "Thank you" in s.text] == [1]  # a prompt belongs to the answer after it


def test_stop_words_and_special_tokens(templates):
    assert stop_words(templates["llama3"]) == ["<|eot_id|>"]
    assert stop_words(templates["chatml"]) == ["<|im_end|>"]
    assert stop_words(templates["llama2"]) == ["</s>"]
    assert special_tokens(templates["llama3"]) == ["<|begin_of_text|>", "<|start_header_id|>", "<|end_header_id|>",
                                                   "<|eot_id|>"]
    assert special_tokens(templates["chatml"]) == ["<|im_start|>", "<|im_end|>"]
    assert special_tokens(templates["llama2"]) == ["<s>", "</s>"]


# ---------------------------------------------------------------------------------------------------------------
# Which tokens are trained
# ---------------------------------------------------------------------------------------------------------------

THREE_TURNS = [S("You are terse."), U("Capital of France?"), A("Paris is the capital."), U("And of Spain?"),
               A("Madrid."), U("And of Italy?"), A("Rome, since 1871.")]


@pytest.mark.parametrize("name, eot", [("chatml", "<|im_end|>"), ("llama3", "<|eot_id|>")])
def test_every_answer_and_its_end_of_turn_token_is_trained(name, eot, templates, tokenizers):
    tokenizer = tokenizers["gpt2"]
    encoded = encode(templates[name], tokenizer, THREE_TURNS)
    assert _trained_text(tokenizer, encoded) == [f"Paris is the capital.{eot}", f"Madrid.{eot}",
                                                 f"Rome, since 1871.{eot}"]
    assert not encoded.truncated
    history = encode(templates[name], tokenizer, THREE_TURNS, mask_history=True)
    assert history.input_ids == encoded.input_ids
    assert _trained_text(tokenizer, history) == [f"Rome, since 1871.{eot}"]
    everything = encode(templates[name], tokenizer, THREE_TURNS, train_on_prompt=True)
    assert everything.labels == everything.input_ids == encoded.input_ids


def test_llama2_trains_the_answer_with_its_leading_space_and_eos(templates, tokenizers):
    tokenizer = tokenizers["llama2"]
    encoded = encode(templates["llama2"], tokenizer, CONVERSATIONS["multi-system"])
    trained = [tokenizer.convert_ids_to_tokens(i) for i, label in zip(encoded.input_ids, encoded.labels)
               if label != -100]
    assert trained == ["▁Bon", "j", "our", "▁", "</s>", "▁Mer", "ci", "▁", "</s>"]
    # bos opens every user turn and is never trained
    assert encoded.input_ids.count(tokenizer.convert_tokens_to_ids("<s>")) == 2


def test_a_token_straddling_prompt_and_answer_is_trained(tokenizers):
    # "Bot: " ends with a space that byte-level BPE merges into the answer's first token (" Paris"): a token is
    # trained when it overlaps the answer, otherwise the answer's first word would never be learned.
    plain = ChatTemplate(name="test-plain", user="User: {content}\n", assistant_prefix="Bot: ",
                         assistant_suffix="<|im_end|>", assistant_separator="\n", special_tokens=("<|im_end|>",))
    tokenizer = tokenizers["gpt2"]
    encoded = encode(plain, tokenizer, [U("Capital of France?"), A("Paris.")])
    assert "ĠParis" in tokenizer.convert_ids_to_tokens(encoded.input_ids)
    assert _trained_text(tokenizer, encoded) == [" Paris.<|im_end|>"]


def test_cutoff_drops_whole_trailing_turns(templates, tokenizers):
    tokenizer, template = tokenizers["gpt2"], templates["chatml"]
    full = encode(template, tokenizer, THREE_TURNS)
    two = encode(template, tokenizer, THREE_TURNS[:5])
    one = encode(template, tokenizer, THREE_TURNS[:3])
    assert len(one.input_ids) < len(two.input_ids) < len(full.input_ids)
    for cutoff in (len(two.input_ids), len(full.input_ids) - 1):
        cut = encode(template, tokenizer, THREE_TURNS, cutoff_len=cutoff)
        assert (cut.input_ids, cut.labels, cut.truncated) == (two.input_ids, two.labels, False)
    cut = encode(template, tokenizer, THREE_TURNS, cutoff_len=len(two.input_ids) - 1)
    assert (cut.input_ids, cut.labels, cut.truncated) == (one.input_ids, one.labels, False)
    assert encode(template, tokenizer, THREE_TURNS, cutoff_len=len(full.input_ids)) == full


def test_cutoff_truncates_a_first_answer_that_does_not_fit(templates, tokenizers):
    tokenizer, template = tokenizers["gpt2"], templates["chatml"]
    messages = [U("Say the pangram."), A("The quick brown fox jumps over the lazy dog.")]
    prompt = encode(template, tokenizer, messages).labels.index(tokenizer.convert_tokens_to_ids("The"))
    cut = encode(template, tokenizer, messages, cutoff_len=prompt + 3)
    assert cut.truncated and len(cut.input_ids) == prompt + 3
    assert _trained_text(tokenizer, cut) == ["The quick brown"]
    nothing = encode(template, tokenizer, messages, cutoff_len=prompt - 1)
    assert nothing.truncated and len(nothing.input_ids) == prompt - 1
    assert set(nothing.labels) == {-100}


def test_cutoff_with_mask_history_never_trains_an_earlier_answer(templates, tokenizers):
    tokenizer, template = tokenizers["gpt2"], templates["chatml"]
    two = encode(template, tokenizer, THREE_TURNS[:5])
    cut = encode(template, tokenizer, THREE_TURNS, cutoff_len=len(two.input_ids) + 2, mask_history=True)
    # Dropping the last turn would leave only history, which mask_history says not to train: nothing is trained.
    assert cut.truncated and len(cut.input_ids) == len(two.input_ids) + 2 and set(cut.labels) == {-100}


def test_encode_batch_is_encode_per_conversation(templates, tokenizers):
    tokenizer, template = tokenizers["llama2"], templates["llama2"]
    conversations = [(CONVERSATIONS[name], ()) for name in ("single", "multi", "whitespace")]
    batch = encode_batch(template, tokenizer, conversations, cutoff_len=40, mask_history=True)
    assert batch == [encode(template, tokenizer, m, cutoff_len=40, mask_history=True) for m, _ in conversations]
    assert encode_batch(template, tokenizer, []) == []


def test_encode_batch_error_names_the_conversation(templates, tokenizers):
    conversations = [(CONVERSATIONS["single"], ()), ([U("a"), U("b"), A("c")], ())]
    with pytest.raises(TemplateError, match="follows another user message") as info:
        encode_batch(templates["chatml"], tokenizers["gpt2"], conversations)
    assert info.value.index == 1


def test_a_tokenizer_without_the_template_tokens_is_refused(templates, ref):
    plain = _load_tokenizer(ref, "gpt2", with_specials=False)
    with pytest.raises(TemplateError, match=r"<\|im_start\|>, <\|im_end\|>.*add_special_tokens"):
        encode(templates["chatml"], plain, CONVERSATIONS["single"])


# ---------------------------------------------------------------------------------------------------------------
# Conversations a template cannot render
# ---------------------------------------------------------------------------------------------------------------

WEATHER_TOOL = {"type": "function", "function": {"name": "get_weather", "description": "Weather in a city",
                                                 "parameters": {"type": "object",
                                                                "properties": {"city": {"type": "string"}}}}}
CALL = ToolCall("get_weather", {"city": "Paris"})

BAD = [
    # id, template, messages, tools, add_generation_prompt, message must contain
    ("two-users", "chatml", [U("a"), U("b"), A("c")], (), False, "message 1 (user) follows another user message"),
    ("assistant-first", "llama3", [A("hi"), U("x"), A("y")], (), False, "must start with a user message"),
    ("assistant-after-system", "llama2", [S("s"), A("hi")], (), False, "must start with a user message"),
    ("two-answers", "llama3", [U("a"), A("b"), A("c")], (), False, "follows another assistant message"),
    ("system-not-first", "chatml", [U("a"), A("b"), S("c"), U("d"), A("e")], (), False,
     "message 2 (system): a system message must be the first message"),
    ("empty-answer", "llama3", [U("a"), A("  \n")], (), False, "message 1 (assistant) is empty"),
    ("only-system", "chatml", [S("s")], (), True, "only a system message"),
    ("prompt-after-answer", "chatml", [U("a"), A("b")], (), True, "already ends with an assistant message"),
    ("tools-unsupported", "llama3", [U("a"), A("b")], (WEATHER_TOOL,), False,
     "chat template 'llama3' cannot write tool definitions"),
    ("tool-call-unsupported", "llama2", [U("a"), A("", tool_calls=(CALL,))], (), False,
     "message 1 (assistant) has tool calls, which chat template 'llama2' cannot write"),
    ("tool-result-unsupported", "chatml", [U("a"), T("42")], (), False,
     "message 1 (tool) is a tool result, which chat template 'chatml' cannot write"),
    ("reasoning-unsupported", "chatml", [U("a"), A("b", reasoning="think")], (), False,
     "message 1 (assistant) has a reasoning block, which chat template 'chatml' cannot write"),
    ("tool-result-without-call", "test-tools", [U("a"), T("42"), A("b")], (), False,
     "message 1 (tool) is a tool result without a preceding tool call"),
    ("user-after-call", "test-tools", [U("a"), A("", tool_calls=(CALL,)), U("b"), A("c")], (), False,
     "message 2 (user) follows an assistant tool call"),
    ("user-after-result", "test-tools", [U("a"), A("", tool_calls=(CALL,)), T("21"), U("b"), A("c")], (), False,
     "message 3 (user) follows a tool result"),
    ("call-on-user", "test-tools", [Message("user", "a", tool_calls=(CALL,)), A("b")], (), False,
     "message 0 (user) carries tool calls"),
]


@pytest.mark.parametrize("name, messages, tools, add_generation_prompt, expected",
                         [case[1:] for case in BAD], ids=[case[0] for case in BAD])
def test_bad_conversations_are_refused_by_engine_and_export(name, messages, tools, add_generation_prompt, expected,
                                                             templates, tokenizers):
    import jinja2

    template = templates[name] if name in templates else QWEN25_LIKE
    with pytest.raises(TemplateError) as info:
        render(template, messages, tools, add_generation_prompt=add_generation_prompt)
    assert expected in str(info.value)
    with pytest.raises(jinja2.TemplateError) as info:
        _hf_render(tokenizers["gpt2"], messages, to_jinja(template), tools, add_generation_prompt=add_generation_prompt)
    assert expected in str(info.value)


def test_other_refusals(templates):
    with pytest.raises(TemplateError, match="conversation is empty"):
        render(templates["chatml"], [])
    with pytest.raises(TemplateError, match="must end with the assistant's answer"):
        encode(templates["chatml"], object(), [U("a")])  # refused before the tokenizer is touched
    with pytest.raises(TemplateError, match="not a tuneforge.core.Message"):
        render(templates["chatml"], [{"role": "user", "content": "a"}])
    gemma_like = ChatTemplate(name="test-no-system", user="<start_of_turn>user\n{content}<end_of_turn>\n",
                              assistant_prefix="<start_of_turn>model\n")
    with pytest.raises(TemplateError, match="'test-no-system' has no system turn"):
        render(gemma_like, [S("s"), U("a"), A("b")])


# ---------------------------------------------------------------------------------------------------------------
# Tool definitions, tool calls, tool results and reasoning (fields no built-in template uses yet)
# ---------------------------------------------------------------------------------------------------------------

# Qwen2.5-Instruct's format written as data, checked against its official template below: tool definitions in the
# system turn, calls after the answer's content, consecutive tool results grouped in one user turn.
QWEN25_LIKE = ChatTemplate(
    name="test-tools",
    system="<|im_start|>system\n{content}<|im_end|>\n",
    default_system="You are Qwen, created by Alibaba Cloud. You are a helpful assistant.",
    user="<|im_start|>user\n{content}<|im_end|>\n",
    assistant_prefix="<|im_start|>assistant\n",
    assistant_suffix="<|im_end|>",
    assistant_separator="\n",
    tool_definitions=(
        "{system}\n\n# Tools\n\nYou may call one or more functions to assist with the user query.\n\n"
        "You are provided with function signatures within <tools></tools> XML tags:\n<tools>\n{tools}\n</tools>\n\n"
        "For each function call, return a json object with function name and arguments within "
        '<tool_call></tool_call> XML tags:\n<tool_call>\n{"name": <function-name>, "arguments": <args-json-object>}'
        "\n</tool_call>"),
    tool_call='<tool_call>\n{"name": "{name}", "arguments": {arguments}}\n</tool_call>',
    tool="\n<tool_response>\n{content}\n</tool_response>",
    tool_results_prefix="<|im_start|>user",
    tool_results_suffix="<|im_end|>\n",
    special_tokens=("<|im_start|>", "<|im_end|>"),
)
TIME_TOOL = {"type": "function", "function": {"name": "get_time", "parameters": {"type": "object", "properties": {}}}}
TOOL_CONVERSATIONS = {
    "one-call": ([U("Weather in Paris?"), A("", tool_calls=(CALL,)), T('{"temp": 21}', name="get_weather"),
                  A("It is 21 °C in Paris.")], (WEATHER_TOOL,)),
    "two-calls": ([S("Be precise."), U("Weather in Paris and the time?"),
                   A("Let me check.", tool_calls=(CALL, ToolCall("get_time", {}))), T('{"temp": 21}'), T("12:00"),
                   A("21 °C, and it is noon.")], (WEATHER_TOOL, TIME_TOOL)),
    "prompt-after-result": ([U("Weather in Paris?"), A("", tool_calls=(CALL,)), T("21")], (WEATHER_TOOL,)),
    "no-tools": ([U("Hi"), A("Hello")], ()),
}


@pytest.mark.parametrize("conversation", list(TOOL_CONVERSATIONS))
def test_tool_fields_match_qwen25(conversation, tokenizers, ref):
    reference = official("qwen2.5-instruct")["chat_template"]
    messages, tools = TOOL_CONVERSATIONS[conversation]
    add_generation_prompt = messages[-1].role != "assistant"
    tokenizer = tokenizers["gpt2"]
    ours = render_text(QWEN25_LIKE, messages, tools, add_generation_prompt=add_generation_prompt)
    assert ours == _hf_render(tokenizer, messages, reference, tools, add_generation_prompt=add_generation_prompt)
    assert ours == _hf_render(tokenizer, messages, to_jinja(QWEN25_LIKE), tools,
                              add_generation_prompt=add_generation_prompt)


def test_tool_calls_are_trained_and_tool_results_are_not(tokenizers):
    tokenizer = tokenizers["gpt2"]
    messages, tools = TOOL_CONVERSATIONS["two-calls"]
    encoded = encode(QWEN25_LIKE, tokenizer, messages, tools)
    assert _trained_text(tokenizer, encoded) == [
        'Let me check.\n<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>\n'
        '<tool_call>\n{"name": "get_time", "arguments": {}}\n</tool_call><|im_end|>',
        "21 °C, and it is noon.<|im_end|>"]
    assert _trained_text(tokenizer, encode(QWEN25_LIKE, tokenizer, messages, tools, mask_history=True)) == [
        "21 °C, and it is noon.<|im_end|>"]


def test_reasoning_block_is_written_before_the_answer_and_trained(tokenizers):
    thinking = ChatTemplate(name="test-reasoning", user="<|im_start|>user\n{content}<|im_end|>\n",
                            assistant_prefix="<|im_start|>assistant\n", assistant_suffix="<|im_end|>",
                            assistant_separator="\n", reasoning="<think>\n{reasoning}\n</think>\n\n",
                            special_tokens=("<|im_start|>", "<|im_end|>"))
    messages = [U("2+2?"), A("4", reasoning="Two plus two is four.")]
    text = render_text(thinking, messages)
    assert text == ("<|im_start|>user\n2+2?<|im_end|>\n<|im_start|>assistant\n"
                    "<think>\nTwo plus two is four.\n</think>\n\n4<|im_end|>\n")
    assert _hf_render(tokenizers["gpt2"], messages, to_jinja(thinking)) == text
    assert _trained_text(tokenizers["gpt2"], encode(thinking, tokenizers["gpt2"], messages)) == [
        "<think>\nTwo plus two is four.\n</think>\n\n4<|im_end|>"]


def test_a_renderer_covers_what_data_cannot_and_is_still_validated():
    def shouting(template, messages, tools, add_generation_prompt):
        segments, turn = [], 0
        for message in messages:
            if message.role == "assistant":
                segments.append(Segment(message.content.upper() + "\n", True, turn))
                turn += 1
            else:
                segments.append(Segment(f"{message.role.upper()}: {message.content}\nBOT: ", False, turn))
        return segments

    jinja = "{% for m in messages %}{% if m.role == 'assistant' %}{{ m.content | upper }}\n" \
            "{% else %}{{ m.role | upper }}: {{ m.content }}\nBOT: {% endif %}{% endfor %}"
    template = ChatTemplate(name="test-renderer", renderer=shouting, jinja=jinja)
    assert render_text(template, [U("hi"), A("hello")]) == "USER: hi\nBOT: HELLO\n"
    assert to_jinja(template) == jinja
    with pytest.raises(TemplateError, match="follows another user message"):
        render(template, [U("a"), U("b")])


# ---------------------------------------------------------------------------------------------------------------
# Spec validation and lightness
# ---------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fields, expected", [
    ({"name": "Bad Name", "user": "{content}"}, "chat template name 'Bad Name' is invalid"),
    ({"user": "no placeholder"}, r"`user` must hold \{content\} exactly once"),
    ({"user": "{content}", "assistant": "{contnet}"}, r"`assistant` has an unknown placeholder \{contnet\}"),
    ({"user": "{content}", "assistant_suffix": "{content}"}, "`assistant_suffix` has an unknown placeholder"),
    ({"user": "<|user|>{content}"}, r"writes <\|user\|> but does not list it in `special_tokens`"),
    ({"user": "{content}", "special_tokens": ("<|eot|>",)}, r"'<\|eot\|>' is not written by any of its formats"),
    ({"user": "{content}", "system": "{content}", "system_in_user": "{system}{content}"}, "not both"),
    ({"user": "{content}", "default_system": "Be nice."}, "`default_system` needs somewhere to go"),
    ({"user": "{content}", "tool": "{content}"}, "`tool` .* needs `tool_call`"),
    ({}, "`user` .* is required"),
    ({"renderer": lambda *a: []}, "must also give its Jinja source"),
])
def test_invalid_specs_are_refused(fields, expected):
    with pytest.raises(SpecError, match=expected):
        ChatTemplate(**{"name": "test", **fields})


def test_specs_are_frozen_and_revalidate(templates):
    import dataclasses

    for template in templates.values():
        with pytest.raises(dataclasses.FrozenInstanceError):
            template.user = "{content}"
        assert dataclasses.replace(template) == template


def test_templates_module_imports_without_torch():
    code = ("import tuneforge.core.templates, sys; "
            "assert 'torch' not in sys.modules and 'transformers' not in sys.modules")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
