"""Every registered chat template exports a Jinja chat template that renders exactly like the engine.

A trained model's saved tokenizer carries `to_jinja(template)`; rendered by transformers' own `apply_chat_template`
it must give `render_text` for every conversation the engine accepts, and raise for every one it refuses (so
inference never silently renders something the model was not trained on). Parametrized from the registry, so every
template a plugin adds is checked.
"""

from __future__ import annotations

import pytest

from tuneforge.core import Message, TemplateError, ToolCall
from tuneforge.core.templates import hf_messages, render_text, to_jinja
from tuneforge.core.verify import SUITE, Conversation
from tuneforge.registry import get_catalog

TEMPLATES = get_catalog().items("template")


def U(text: str) -> Message:
    return Message("user", text)


def A(text: str = "", **fields) -> Message:
    return Message("assistant", text, **fields)


CALL = ToolCall("get_weather", {"city": "Paris"}, id="call12345")
# Conversations no template may render: the engine refuses each, so must every exported template.
INVALID = (
    Conversation("two-users", (U("a"), U("b"), A("c"))),
    Conversation("assistant-first", (A("hi"), U("x"), A("y"))),
    Conversation("system-not-first", (U("a"), A("b"), Message("system", "c"), U("d"), A("e"))),
    Conversation("empty-answer", (U("a"), A("  \n"))),
    Conversation("two-answers", (U("a"), A("b"), A("c"))),
    Conversation("result-without-call", (U("a"), Message("tool", "42"), A("b"))),
    Conversation("user-after-call", (U("a"), A("", tool_calls=(CALL,)), U("b"), A("c"))),
)


@pytest.fixture(scope="module")
def tokenizer():
    """Any tokenizer will do: only the rendered text is compared. A one-word vocabulary, built in memory."""
    pytest.importorskip("transformers")
    from tokenizers import Tokenizer, models
    from transformers import PreTrainedTokenizerFast

    return PreTrainedTokenizerFast(tokenizer_object=Tokenizer(models.WordLevel({"[UNK]": 0}, unk_token="[UNK]")))


def _cases(conversation: Conversation) -> tuple[bool, ...]:
    # A conversation ending with a prompt is rendered with and without the generation prompt; an answer without.
    return (True, False) if conversation.add_generation_prompt else (False,)


def test_templates_are_registered():
    assert {"llama3", "llama3.1", "chatml", "llama2"} <= {entry.name for entry in TEMPLATES}


@pytest.mark.parametrize("entry", TEMPLATES, ids=[entry.name for entry in TEMPLATES])
def test_exported_jinja_renders_like_the_engine(entry, tokenizer):
    import jinja2

    template = entry.spec
    exported = to_jinja(template)
    accepted = 0
    for conversation in SUITE + INVALID:
        messages, tools = conversation.messages, conversation.tools
        for prompt in _cases(conversation):
            where = f"{template.name} / {conversation.name} / add_generation_prompt={prompt}"

            def hf_render():
                return tokenizer.apply_chat_template(hf_messages(messages), tools=list(tools) or None,
                                                     chat_template=exported, tokenize=False,
                                                     add_generation_prompt=prompt)

            try:
                expected = render_text(template, messages, tools, add_generation_prompt=prompt)
            except TemplateError as refusal:
                with pytest.raises(jinja2.TemplateError):
                    hf_render()
                    pytest.fail(f"{where}: the engine refuses it ({refusal}), the exported Jinja renders it")
                continue
            assert conversation not in INVALID, f"{where}: the engine renders an invalid conversation"
            assert hf_render() == expected, where
            accepted += 1
    assert accepted >= 5, f"{template.name} renders only {accepted} suite conversations"
