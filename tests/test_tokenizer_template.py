"""`template: tokenizer`: the tokenizer's own Jinja chat template, with trained spans found by rendering
incrementally.

On the official Llama 3, ChatML and Llama 2 templates the masks must equal the plugins' masks character for character
and token for token; small synthetic templates check what the plugins cannot show (templates that are not
prefix-stable, that drop parts of a conversation, that end a conversation with an extra token).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from tuneforge.core import Message, TemplateError, ToolCall
from tuneforge.core.templates import encode, render, render_text, to_jinja
from tuneforge.core.tokenizer_template import from_tokenizer
from tuneforge.core.verify import SUITE, Reference, add_special_tokens, load_reference

REFDATA = Path(__file__).resolve().parents[2] / "shared" / "refdata"

# plugin: (family folder, revision): the official template each built-in plugin reproduces (test_templates.py).
PLUGINS = {"llama3": ("llama-3-instruct", None), "chatml": ("qwen1.5-chat", "b79d0c9a"),
           "llama2": ("llama-2-chat", None)}


def U(text: str) -> Message:
    return Message("user", text)


def A(text: str = "", **fields) -> Message:
    return Message("assistant", text, **fields)


@pytest.fixture(scope="module")
def ref() -> Path:
    if not REFDATA.is_dir():
        pytest.skip(f"reference data not found at {REFDATA} (it ships beside the checkout as ../shared/refdata)")
    return REFDATA


@pytest.fixture(scope="module")
def base_tokenizers(ref) -> dict:
    transformers = pytest.importorskip("transformers")
    return {name: transformers.AutoTokenizer.from_pretrained(str(ref / "tokenizers" / name))
            for name in ("gpt2", "llama2")}


def _reference(ref: Path, family: str, revision) -> Reference:
    if revision is None:
        return load_reference(ref / "templates" / family)
    revisions = json.loads((ref / "templates" / family / "chat_template_revisions.json").read_text(encoding="utf-8"))
    found = next(r for r in revisions if r["hf_commit"].startswith(revision))
    return Reference(found["chat_template"], found["bos_token"], found["eos_token"])


def _family_tokenizer(base, plugin, reference: Reference):
    """A real tokenizer dressed as the family's: its special tokens, bos / eos and official chat template."""
    tokenizer = copy.deepcopy(base)
    add_special_tokens(tokenizer, plugin, reference)
    for key in ("bos_token", "eos_token"):
        if getattr(reference, key):
            setattr(tokenizer, key, getattr(reference, key))
    tokenizer.chat_template = reference.chat_template
    return tokenizer


def _char_mask(segments) -> str:
    return "".join(("T" if s.trainable else ".") * len(s.text) for s in segments)


def _trained(segments) -> list[str]:
    return [s.text for s in segments if s.trainable]


# ---------------------------------------------------------------------------------------------------------------
# Same masks as the plugins, on the official templates
# ---------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("tokenizer_name", ["gpt2", "llama2"])
@pytest.mark.parametrize("name", list(PLUGINS))
def test_masks_equal_the_plugins(name, tokenizer_name, ref, base_tokenizers):
    from tuneforge.registry import get_catalog

    plugin = get_catalog(refresh=True).spec("template", name)
    tokenizer = _family_tokenizer(base_tokenizers[tokenizer_name], plugin, _reference(ref, *PLUGINS[name]))
    template = from_tokenizer(tokenizer)
    compared = 0
    for conversation in SUITE:
        messages, tools, prompt = conversation.messages, conversation.tools, conversation.add_generation_prompt
        where = f"{name} / {conversation.name} / {tokenizer_name}"
        try:
            expected = render(plugin, messages, tools, add_generation_prompt=prompt)
        except TemplateError:
            # The plugin refuses what the official template drops (tools, calls, reasoning): so does this one.
            with pytest.raises(TemplateError, match="drops|does not write|cannot render"):
                render(template, messages, tools, add_generation_prompt=prompt)
            continue
        ours = render(template, messages, tools, add_generation_prompt=prompt)
        assert "".join(s.text for s in ours) == "".join(s.text for s in expected), where
        assert _char_mask(ours) == _char_mask(expected), where
        assert [s.turn for s in ours if s.trainable] == [s.turn for s in expected if s.trainable], where
        if not prompt:
            for history in (False, True):
                mine = encode(template, tokenizer, messages, tools, mask_history=history)
                theirs = encode(plugin, tokenizer, messages, tools, mask_history=history)
                assert (mine.input_ids, mine.labels) == (theirs.input_ids, theirs.labels), where
        compared += 1
    assert compared == 8  # every conversation without tools or reasoning


def test_the_rendering_is_the_tokenizers(ref, base_tokenizers):
    from tuneforge.plugins.templates.llama3 import LLAMA3

    tokenizer = _family_tokenizer(base_tokenizers["gpt2"], LLAMA3, _reference(ref, "llama-3-instruct", None))
    template = from_tokenizer(tokenizer, name="my-model")
    assert template.name == "my-model"
    assert to_jinja(template) == tokenizer.chat_template  # what a trained model's tokenizer will carry
    assert template.special_tokens == ("<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>")
    assert template.stop_words == ("<|eot_id|>", "<|end_of_text|>")
    for conversation in SUITE[:8]:
        hf = [{"role": m.role, "content": m.content} for m in conversation.messages]
        assert render_text(template, conversation.messages, add_generation_prompt=conversation.add_generation_prompt) \
            == tokenizer.apply_chat_template(hf, tokenize=False,
                                             add_generation_prompt=conversation.add_generation_prompt)


def test_tool_calls_and_results_on_llama31s_official_template(ref, base_tokenizers):
    from tuneforge.plugins.templates.llama3_1 import LLAMA3_1

    reference = _reference(ref, "llama-3.1-instruct", None)
    tokenizer = _family_tokenizer(base_tokenizers["gpt2"], LLAMA3_1, reference)
    # The official template also names Llama 3.1's built-in tool tokens; the model's own tokenizer has them.
    tokenizer.add_special_tokens({"additional_special_tokens": ["<|python_tag|>", "<|eom_id|>"]},
                                 replace_extra_special_tokens=False)
    template = from_tokenizer(tokenizer)
    for name in ("tool-call", "tool-call-system", "tool-definitions"):
        conversation = next(c for c in SUITE if c.name == name)
        assert _char_mask(render(template, conversation.messages, conversation.tools)) == \
            _char_mask(render(LLAMA3_1, conversation.messages, conversation.tools)), name
    tool_call = next(c for c in SUITE if c.name == "tool-call")
    assert _trained(render(template, tool_call.messages, tool_call.tools)) == [
        '{"name": "get_weather", "parameters": {"city": "Paris"}}<|eot_id|>',
        "It is 21 °C and clear in Paris.<|eot_id|>"]


def test_past_reasoning_dropped_by_qwen3_is_refused_naming_the_turn(ref, base_tokenizers):
    reference = load_reference(ref / "templates" / "qwen3")
    tokenizer = copy.deepcopy(base_tokenizers["gpt2"])
    tokenizer.add_special_tokens({"additional_special_tokens": ["<|im_start|>", "<|im_end|>"]})
    tokenizer.chat_template = reference.chat_template
    template = from_tokenizer(tokenizer)
    assert _trained(render(template, [U("2 + 2?"), A("4", reasoning="two and two")])) == [
        "<think>\ntwo and two\n</think>\n\n4<|im_end|>"]
    with pytest.raises(TemplateError, match=r"not prefix-stable at message 1 \(assistant, turn 0\): as the last "
                                            r"message it is written '<think>\\n6 × 7 is 42."):
        render(template, [U("6 × 7?"), A("42.", reasoning="6 × 7 is 42."), U("6 × 8?"), A("48.", reasoning="48")])


# ---------------------------------------------------------------------------------------------------------------
# Synthetic templates (no reference data needed)
# ---------------------------------------------------------------------------------------------------------------

SPECIALS = ("<|user|>", "<|assistant|>", "<|end|>", "<|return|>")


def byte_tokenizer(chat_template, specials=SPECIALS, eos="</s>"):
    """A tokenizer of single bytes (no merges) with the given special tokens: enough for offsets and masks."""
    pytest.importorskip("transformers")
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    alphabet = sorted(pre_tokenizers.ByteLevel.alphabet())
    backend = Tokenizer(models.BPE(vocab={c: i for i, c in enumerate(alphabet)}, merges=[]))
    backend.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    backend.decoder = decoders.ByteLevel()
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=backend, eos_token=eos,
                                        additional_special_tokens=list(specials))
    tokenizer.chat_template = chat_template
    return tokenizer


def turns(assistant: str, end: str = "") -> str:
    """A role-header template; `assistant` is the Jinja that writes an assistant message, `end` what closes the
    conversation."""
    return ("{% for m in messages %}{% if m['role'] == 'user' %}<|user|>{{ m['content'] }}<|end|>\n"
            "{% elif m['role'] == 'assistant' %}" + assistant + "{% endif %}{% endfor %}"
            "{% if add_generation_prompt %}<|assistant|>{% endif %}" + end)


PLAIN = turns("<|assistant|>{{ m['content'] }}<|end|>\n")
THREE = [U("Hi"), A("Hello"), U("Thanks"), A("Welcome")]


def test_answers_are_trained_with_their_closing_token_not_the_newline_after():
    template = from_tokenizer(byte_tokenizer(PLAIN))
    segments = render(template, THREE)
    assert [(s.text, s.trainable, s.turn) for s in segments] == [
        ("<|user|>Hi<|end|>\n<|assistant|>", False, 0), ("Hello<|end|>", True, 0), ("\n", False, 0),
        ("<|user|>Thanks<|end|>\n<|assistant|>", False, 1), ("Welcome<|end|>", True, 1), ("\n", False, 1)]
    prompt = render(template, THREE[:3], add_generation_prompt=True)
    assert prompt[-1] == render(template, THREE)[3] and not prompt[-1].trainable
    tokenizer = template.renderer.tokenizer
    encoded = encode(template, tokenizer, THREE, mask_history=True)
    assert tokenizer.decode([i for i, label in zip(encoded.input_ids, encoded.labels) if label != -100]) == \
        "Welcome<|end|>"
    assert template.stop_words == ("<|end|>", "</s>")


def test_text_written_only_at_the_end_of_a_conversation_is_not_trained_after_a_closing_token():
    # Phi-3 writes eos after the last message (without the generation prompt) only: the model stops at <|end|>.
    template = from_tokenizer(byte_tokenizer(turns("<|assistant|>{{ m['content'] }}<|end|>\n",
                                                   end="{% if not add_generation_prompt %}{{ eos_token }}{% endif %}")))
    segments = render(template, THREE)
    assert _trained(segments) == ["Hello<|end|>", "Welcome<|end|>"]
    assert (segments[-1].text, segments[-1].trainable, segments[-1].turn) == ("\n</s>", False, 1)
    assert render(template, THREE[:3], add_generation_prompt=True)[-1].text == "<|user|>Thanks<|end|>\n<|assistant|>"
    assert template.stop_words == ("<|end|>", "</s>")  # a past answer's closing token, then eos


def test_text_written_only_at_the_end_is_trained_when_answers_have_no_closing_token():
    # Without it, nothing would teach the model to stop.
    template = from_tokenizer(byte_tokenizer(
        "{% for m in messages %}{% if m['role'] == 'user' %}User: {{ m['content'] }}\n{% else %}"
        "Bot:{{ ' ' + m['content'] }}\n{% endif %}{% endfor %}{% if add_generation_prompt %}Bot:"
        "{% else %}{{ eos_token }}{% endif %}", specials=()))
    assert _trained(render(template, THREE)) == [" Hello\n", " Welcome\n</s>"]


def test_an_answer_without_a_closing_special_token_is_trained_up_to_the_next_turn():
    template = from_tokenizer(byte_tokenizer(
        "{% for m in messages %}{% if m['role'] == 'user' %}User: {{ m['content'] }}\n{% else %}"
        "Bot:{{ ' ' + m['content'] }}\n{% endif %}{% endfor %}{% if add_generation_prompt %}Bot:{% endif %}",
        specials=()))
    assert _trained(render(template, THREE)) == [" Hello\n", " Welcome\n"]
    assert template.special_tokens == () and template.stop_words == ("</s>",)


def test_dropped_past_reasoning_is_refused_naming_the_turn():
    template = from_tokenizer(byte_tokenizer(turns(
        "<|assistant|>{% if loop.last and m['reasoning_content'] %}<think>{{ m['reasoning_content'] }}</think>"
        "{% endif %}{{ m['content'] }}<|end|>\n")))
    assert _trained(render(template, [U("Hi"), A("Hello", reasoning="greet")])) == ["<think>greet</think>Hello<|end|>"]
    conversation = [U("Hi"), A("Hello", reasoning="greet"), U("Thanks"), A("Welcome", reasoning="polite")]
    with pytest.raises(TemplateError) as info:
        render(template, conversation)
    assert str(info.value).startswith("the tokenizer's chat template is not prefix-stable at message 1 (assistant, "
                                      "turn 0): as the last message it is written '<think>greet</think>Hello")


def test_a_generation_prompt_that_differs_from_the_answers_start_is_refused():
    # DeepSeek-R1 style: the generation prompt opens a <think> block that the rendered answer does not have.
    template = from_tokenizer(byte_tokenizer(
        turns("<|assistant|>{{ m['content'] }}<|end|>\n").replace(
            "{% if add_generation_prompt %}<|assistant|>", "{% if add_generation_prompt %}<|assistant|><think>")))
    with pytest.raises(TemplateError, match=r"at message 1 \(assistant, turn 0\): with the generation prompt the text "
                                            r"before the answer ends '.*<\|assistant\|><think>'"):
        render(template, THREE[:2])


def test_a_last_answer_written_differently_from_past_ones_is_refused():
    # gpt-oss style: a past answer ends with <|end|>, the last one with <|return|>.
    template = from_tokenizer(byte_tokenizer(turns(
        "<|assistant|>{{ m['content'] }}{% if loop.last and not add_generation_prompt %}<|return|>"
        "{% else %}<|end|>{% endif %}")))
    assert _trained(render(template, THREE[:2])) == ["Hello<|return|>"]
    with pytest.raises(TemplateError, match=r"at message 1 \(assistant, turn 0\): a conversation ending with this "
                                            r"answer ends '<\|return\|>', one ending before it ''"):
        render(template, THREE)


def test_what_the_template_drops_is_refused():
    template = from_tokenizer(byte_tokenizer(PLAIN))  # writes no system turn, tools, tool calls or reasoning
    with pytest.raises(TemplateError, match=r"drops the reasoning of message 1 \(assistant, turn 0\)"):
        render(template, [U("Hi"), A("Hello", reasoning="greet")])
    with pytest.raises(TemplateError, match=r"drops the content of message 0 \(system\)"):
        render(template, [Message("system", "Be brief."), U("Hi"), A("Hello")])
    with pytest.raises(TemplateError, match="does not write the tool definition 'get_weather'"):
        render(template, THREE, [{"type": "function", "function": {"name": "get_weather"}}])
    with pytest.raises(TemplateError, match=r"drops the tool call 'get_weather' of message 1 \(assistant, turn 0\)"):
        render(template, [U("Weather?"), A("", tool_calls=(ToolCall("get_weather", {"city": "Paris"}),)),
                          Message("tool", "sunny"), A("Sunny.")])


def test_the_templates_own_refusal_is_passed_on():
    template = from_tokenizer(byte_tokenizer(
        "{% if messages | length > 2 %}{{ raise_exception('only one exchange, please') }}{% endif %}" + PLAIN))
    with pytest.raises(TemplateError, match="cannot render the conversation .*only one exchange, please"):
        render(template, THREE)
    with pytest.raises(TemplateError, match="follows another user message"):  # the engine's own checks come first
        render(template, [U("a"), U("b"), A("c")])


def test_tokenizers_without_a_usable_template_are_refused():
    tokenizer = byte_tokenizer(None)
    with pytest.raises(TemplateError, match="the tokenizer has no chat template"):
        from_tokenizer(tokenizer)
    tokenizer.chat_template = {"rag": PLAIN}
    with pytest.raises(TemplateError, match=r"several chat templates \(rag\) and none named `default`"):
        from_tokenizer(tokenizer)
    tokenizer.chat_template = {"default": PLAIN, "rag": "x"}
    assert to_jinja(from_tokenizer(tokenizer)) == PLAIN
    # `<|...|>` strings must be single tokens: the engine refuses to learn an end-of-turn token as pieces
    with pytest.raises(TemplateError, match=r"writes <\|end\|>, which this tokenizer splits"):
        from_tokenizer(byte_tokenizer(PLAIN, specials=("<|user|>", "<|assistant|>")))
