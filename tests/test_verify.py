"""`tuneforge.core.verify`: loading official templates, the conversation suite, and the verdicts of `verify` (exact,
mismatch with the first difference, unsupported, skipped) on real official templates and tokenizers."""

from __future__ import annotations

import copy
import dataclasses
import json
from pathlib import Path

import pytest

from tuneforge.core import ChatTemplate, Message, TemplateError
from tuneforge.core.templates import render, render_text
from tuneforge.core.verify import (
    MATCH,
    MISMATCH,
    SKIPPED,
    SUITE,
    UNSUPPORTED,
    Conversation,
    Reference,
    add_special_tokens,
    dropped_parts,
    load_reference,
    missing_tokens,
    verify,
)

REFDATA = Path(__file__).resolve().parents[2] / "shared" / "refdata"
BY_NAME = {conversation.name: conversation for conversation in SUITE}

# A data template that can write everything the suite holds: every suite conversation must be a valid one, or it
# would be skipped against every official template and prove nothing.
EVERYTHING = ChatTemplate(
    name="test-everything", system="<|im_start|>system\n{content}<|im_end|>\n",
    user="<|im_start|>user\n{content}<|im_end|>\n", assistant_prefix="<|im_start|>assistant\n",
    assistant_suffix="<|im_end|>", assistant_separator="\n", reasoning="<think>{reasoning}</think>",
    tool_definitions="{system}\n<tools>{tools}</tools>", tool_call="<call>{name} {arguments}</call>",
    tool="<|im_start|>tool\n{content}<|im_end|>\n", special_tokens=("<|im_start|>", "<|im_end|>"))


@pytest.fixture(scope="module")
def ref() -> Path:
    if not REFDATA.is_dir():
        pytest.skip(f"reference data not found at {REFDATA} (it ships beside the checkout as ../shared/refdata)")
    return REFDATA


@pytest.fixture(scope="module")
def gpt2(ref):
    transformers = pytest.importorskip("transformers")
    return transformers.AutoTokenizer.from_pretrained(str(ref / "tokenizers" / "gpt2"))


@pytest.fixture
def tokenizer(gpt2):
    return copy.deepcopy(gpt2)  # tests add special tokens to it


@pytest.fixture(scope="module")
def catalog():
    from tuneforge.registry import get_catalog

    return get_catalog(refresh=True)


def _prepared(tokenizer, template, reference):
    add_special_tokens(tokenizer, template, reference)
    return tokenizer


# ---------------------------------------------------------------------------------------------------------------
# The suite
# ---------------------------------------------------------------------------------------------------------------


def test_suite_covers_every_kind_the_issue_names():
    def has(predicate):
        return [c.name for c in SUITE if predicate(c)]

    assert has(lambda c: sum(m.role == "assistant" for m in c.messages) == 1 and not c.tools)
    assert has(lambda c: sum(m.role == "assistant" for m in c.messages) >= 2)
    assert has(lambda c: c.messages[0].role == "system") and has(lambda c: c.messages[0].role != "system")
    assert has(lambda c: c.tools and not any(m.tool_calls for m in c.messages))
    assert has(lambda c: any(len(m.tool_calls) == 2 for m in c.messages))
    assert has(lambda c: any(m.role == "tool" for m in c.messages))
    assert has(lambda c: sum(m.reasoning is not None for m in c.messages) >= 2)
    assert has(lambda c: c.add_generation_prompt and any(m.role == "tool" for m in c.messages))
    assert len({c.name for c in SUITE}) == len(SUITE)


@pytest.mark.parametrize("conversation", SUITE, ids=lambda c: c.name)
def test_every_suite_conversation_is_valid(conversation):
    text = render_text(EVERYTHING, conversation.messages, conversation.tools,
                       add_generation_prompt=conversation.add_generation_prompt)
    assert dropped_parts(conversation, text) == ""
    assert conversation.add_generation_prompt == (conversation.messages[-1].role != "assistant")


def test_dropped_parts_names_what_is_missing():
    conversation = BY_NAME["reasoning-tool-call"]
    everything = render_text(EVERYTHING, conversation.messages, conversation.tools)
    # Conservative: a call counts as written when its name appears anywhere (here: in the definitions), so a
    # doubtful case is reported as unsupported, never skipped.
    assert dropped_parts(conversation, everything.replace("<call>get_weather", "<call>")) == ""
    undefined = dataclasses.replace(conversation, tools=())
    without_calls = render_text(EVERYTHING, undefined.messages).replace("<call>get_weather", "<call>")
    assert dropped_parts(undefined, without_calls) == "the tool calls of message 1 (assistant)"
    assert dropped_parts(conversation, everything.replace("I need the Paris weather.", "")) == \
        "the reasoning of message 1 (assistant)"
    assert "the tool definitions" in dropped_parts(conversation, "nothing at all")
    # JSON-quoted content (Llama 3.1 writes tool results with `tojson`) counts as written
    result = BY_NAME["tool-call"]
    quoted = render_text(EVERYTHING, result.messages, result.tools).replace(
        result.messages[2].content, json.dumps(result.messages[2].content))
    assert dropped_parts(result, quoted) == ""


# ---------------------------------------------------------------------------------------------------------------
# Loading references
# ---------------------------------------------------------------------------------------------------------------


def test_load_reference_from_a_tokenizer_config(ref):
    reference = load_reference(ref / "templates" / "llama-3-instruct" / "tokenizer_config.json")
    config = json.loads((ref / "templates" / "llama-3-instruct" / "tokenizer_config.json").read_text())
    assert reference.chat_template == config["chat_template"]
    assert (reference.bos_token, reference.eos_token) == ("<|begin_of_text|>", "<|end_of_text|>")
    assert load_reference(ref / "templates" / "llama-3-instruct") == reference  # a folder works too


def test_load_reference_picks_the_default_of_named_templates(ref):
    path = ref / "templates" / "aya-expanse" / "tokenizer_config.json"
    named = json.loads(path.read_text())["chat_template"]
    assert [t["name"] for t in named] == ["default", "tool_use", "rag"]
    assert load_reference(path).chat_template == named[0]["template"]


def test_load_reference_from_a_jinja_file_takes_bos_eos_from_the_config_beside_it(ref):
    reference = load_reference(ref / "templates" / "gpt-oss" / "chat_template.jinja")
    assert reference.chat_template == (ref / "templates" / "gpt-oss" / "chat_template.jinja").read_text()
    assert (reference.bos_token, reference.eos_token) == ("<|startoftext|>", "<|return|>")


def test_load_reference_variants(tmp_path):
    (tmp_path / "chat_template.jinja").write_text("{{ messages[0]['content'] }}")
    (tmp_path / "tokenizer_config.json").write_text(json.dumps({"bos_token": {"content": "<s>", "special": True}}))
    # transformers 5 saves the template beside the config, not in it
    reference = load_reference(tmp_path / "tokenizer_config.json")
    assert reference == Reference("{{ messages[0]['content'] }}", "<s>", None, str(tmp_path / "chat_template.jinja"))

    no_default = tmp_path / "named.json"
    no_default.write_text(json.dumps({"chat_template": [{"name": "rag", "template": "x"}]}))
    with pytest.raises(TemplateError, match="none named `default`"):
        load_reference(no_default)
    empty = tmp_path / "empty" / "tokenizer_config.json"
    empty.parent.mkdir()
    empty.write_text(json.dumps({"eos_token": "</s>"}))
    with pytest.raises(TemplateError, match="has no `chat_template`"):
        load_reference(empty)
    with pytest.raises(TemplateError, match="does not exist"):
        load_reference(tmp_path / "missing.json")
    (tmp_path / "void").mkdir()
    with pytest.raises(TemplateError, match="neither tokenizer_config.json nor chat_template.jinja"):
        load_reference(tmp_path / "void")


# ---------------------------------------------------------------------------------------------------------------
# Verdicts
# ---------------------------------------------------------------------------------------------------------------


def test_exact_plugin_matches_and_skips_what_the_official_drops(ref, tokenizer, catalog):
    template = catalog.spec("template", "llama3")
    reference = load_reference(ref / "templates" / "llama-3-instruct")
    report = verify(template, reference, _prepared(tokenizer, template, reference))
    statuses = {r.conversation: r.status for r in report.results}
    assert report.ok and report.status == "exact"
    plain = [c.name for c in SUITE if not c.tools and not any(m.reasoning for m in c.messages)]
    assert [name for name, status in statuses.items() if status == MATCH] == plain
    assert {statuses[c.name] for c in SUITE if c.name not in plain} == {SKIPPED}
    assert report.compared == len(plain) and report.skipped == len(SUITE) - len(plain)
    skipped = {r.conversation: r.reason for r in report.results if r.status == SKIPPED}
    assert skipped["tools-prompt"] == "the official template drops the tool definitions; tuneforge refuses it"
    assert skipped["reasoning"] == "the official template drops the reasoning of message 1 (assistant); tuneforge " \
                                   "refuses it"
    assert all(r.tokens and r.tokens > 5 for r in report.results if r.status == MATCH)
    json.dumps(report.to_dict())  # --json output must serialise


def test_official_refusals_are_skipped_with_the_official_message(ref, tokenizer, catalog):
    template = catalog.spec("template", "llama2")
    reference = load_reference(ref / "templates" / "llama-2-chat")
    report = verify(template, reference, _prepared(tokenizer, template, reference), conversations=[
        BY_NAME["tool-call"], BY_NAME["single-turn"]])
    first, second = report.results
    assert first.status == SKIPPED
    assert first.reason == "the official template refuses it: TemplateError: Conversation roles must alternate " \
                           "user/assistant/user/assistant/..."
    assert second.status == MATCH and report.ok
    only_refused = verify(template, reference, tokenizer, conversations=[BY_NAME["tool-call"]])
    assert not only_refused.ok and only_refused.status == "nothing compared"  # all skipped proves nothing


def test_a_wrong_template_is_a_mismatch_with_the_first_difference(ref, tokenizer, catalog):
    llama3 = catalog.spec("template", "llama3")
    wrong = dataclasses.replace(llama3, name="llama3-wrong", assistant_separator="\n")
    reference = load_reference(ref / "templates" / "llama-3-instruct")
    report = verify(wrong, reference, _prepared(tokenizer, wrong, reference),
                    conversations=[BY_NAME["single-turn"], BY_NAME["multi-turn-system"]])
    single, multi = report.results
    assert single.status == MISMATCH and single.reason == "text differs"
    official = tokenizer.apply_chat_template([{"role": "user", "content": "What is the capital of France?"},
                                              {"role": "assistant", "content": "The capital of France is Paris."}],
                                             chat_template=reference.chat_template, tokenize=False,
                                             bos_token="<|begin_of_text|>")
    assert single.text.index == len(official)  # ours has one more character at the very end
    assert (single.text.context, single.text.ours, single.text.official) == (official[-40:], "\n", "")
    assert single.ids.index == len(tokenizer(official, add_special_tokens=False)["input_ids"])
    assert single.ids.ours == "'Ċ'(198)" and single.ids.official == ""
    bonjour = "Bonjour<|eot_id|>"
    assert multi.text.context.endswith(bonjour) and multi.text.ours.startswith("\n<|start_header_id|>user")
    assert multi.text.official.startswith("<|start_header_id|>user")
    assert not report.ok and report.status == "failed" and len(report.failures) == 2


def test_what_the_official_writes_but_the_engine_refuses_is_unsupported(ref, tokenizer, catalog):
    # Llama 3.1's official template writes tool definitions; the llama3 plugin refuses them: a failure, not a skip.
    template = catalog.spec("template", "llama3")
    reference = load_reference(ref / "templates" / "llama-3.1-instruct")
    report = verify(template, reference, _prepared(tokenizer, template, reference),
                    conversations=[BY_NAME["tools-prompt"]])
    (result,) = report.results
    assert result.status == UNSUPPORTED
    assert result.reason == ("the official template writes it, tuneforge refuses it: chat template 'llama3' cannot "
                             "write tool definitions: choose a template that supports them, or drop them from the "
                             "record")
    assert not report.ok and report.failures == [result]


def test_variables_reach_the_official_template(ref, tokenizer, catalog):
    template = catalog.spec("template", "llama3.2")
    reference = load_reference(ref / "templates" / "llama-3.2-instruct")
    tokenizer = _prepared(tokenizer, template, reference)
    pinned = verify(template, reference, tokenizer, conversations=[BY_NAME["system"]],
                    variables={"date_string": "26 Jul 2024"})
    assert pinned.ok
    other_day = verify(template, reference, tokenizer, conversations=[BY_NAME["system"]],
                       variables={"date_string": "01 Jan 2030"})
    (result,) = other_day.results
    assert result.status == MISMATCH and result.text.context.endswith("Today Date: ")
    assert result.text.ours.startswith("26 Jul 2024") and result.text.official.startswith("01 Jan 2030")


def test_today_pins_strftime_now_in_the_official_template(ref, tokenizer, catalog):
    from datetime import date

    from tuneforge.core.verify import pin_today

    reference = load_reference(ref / "templates" / "gpt-oss")
    pinned, count = pin_today(reference.chat_template, date(2025, 8, 5))
    assert count == 1 and 'strftime_now' not in pinned and '"Current date: " + "2025-08-05"' in pinned
    template = catalog.spec("template", "llama3.2")
    official = load_reference(ref / "templates" / "llama-3.2-instruct")
    report = verify(template, official, _prepared(tokenizer, template, official),
                    conversations=[BY_NAME["system"]], today=date(2024, 7, 26))
    assert report.ok and report.notes == ("strftime_now() in the reference pinned to 2024-07-26 (1 calls)",)


def test_a_call_the_official_drops_is_found_even_when_its_tool_is_defined():
    # gpt-oss writes only the first of several calls; both names are in the tool definitions, so only rendering
    # the call under a probe name shows which one was dropped.
    conversation = BY_NAME["parallel-tool-calls"]

    def first_call_only(variant: Conversation) -> str:
        call = variant.messages[1].tool_calls[0]
        return render_text(EVERYTHING, variant.messages[:1], variant.tools) + f"<call>{call.name}</call>" + " ".join(
            m.content for m in variant.messages[2:])

    written = first_call_only(conversation)
    assert dropped_parts(conversation, written) == ""  # by name alone: doubtful, so counted as written
    assert dropped_parts(conversation, written, first_call_only) == "the tool calls of message 1 (assistant)"
    everything = render_text(EVERYTHING, conversation.messages, conversation.tools)
    assert dropped_parts(conversation, everything, lambda variant: render_text(
        EVERYTHING, variant.messages, variant.tools)) == ""


def test_reference_without_bos_falls_back_to_the_tokenizer_and_says_so(tokenizer, catalog):
    template = catalog.spec("template", "llama3")
    add_special_tokens(tokenizer, template)
    source = "{{ bos_token }}{% for m in messages %}{{ m['content'] }}{% endfor %}"
    report = verify(template, source, tokenizer, conversations=[BY_NAME["single-turn"]])
    assert report.reference == "<jinja>"
    assert report.notes == ("the reference does not record its bos_token; the tokenizer's ('<|endoftext|>') was used",)
    (result,) = report.results
    assert result.status == MISMATCH and result.text.index == 2 and result.text.context == "<|"
    assert result.text.official.startswith("endoftext|>What") and result.text.ours.startswith("begin_of_text|>")
    assert result.ids.index == 0 and result.ids.official.startswith("'<|endoftext|>'(50256)")


def test_the_tokenizer_must_know_the_special_tokens(ref, tokenizer, catalog):
    template = catalog.spec("template", "chatml")
    with pytest.raises(TemplateError, match=r"does not know <\|im_start\|>, <\|im_end\|> \(written by chat template "
                                            r"'chatml'\) as single tokens"):
        verify(template, "{{ messages[0]['content'] }}", tokenizer)
    reference = Reference("x", bos_token="<s>", eos_token="<|im_end|>")
    assert add_special_tokens(tokenizer, template, reference) == ["<|im_start|>", "<|im_end|>", "<s>"]
    assert add_special_tokens(tokenizer, template, reference) == []
    assert missing_tokens(tokenizer, ["<|im_start|>", "<s>", "not one token"]) == ["not one token"]


def test_engine_refusals_are_checked_on_our_side_too(tokenizer, catalog):
    # A conversation the official template renders whole but that our engine refuses because it is not a chat at
    # all (a custom suite entry) is reported as unsupported, never silently passed.
    template = catalog.spec("template", "chatml")
    add_special_tokens(tokenizer, template)
    odd = Conversation("two-users", (Message("user", "first question"), Message("user", "second question"),
                                     Message("assistant", "one answer")))
    source = "{% for m in messages %}{{ m['role'] }}: {{ m['content'] }}\n{% endfor %}"
    (result,) = verify(template, source, tokenizer, conversations=[odd]).results
    assert result.status == UNSUPPORTED and "message 1 (user) follows another user message" in result.reason
    with pytest.raises(TemplateError):
        render(template, odd.messages)
