"""`tune templates list | show | verify`, through typer's CliRunner on the `templates` sub-application."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tuneforge.cli.templates_cmd import app
from tuneforge.core import ConfigError, NotFoundError, TemplateError
from tuneforge.core.templates import encode, render, render_text
from tuneforge.core.verify import SUITE

REFDATA = Path(__file__).resolve().parents[2] / "shared" / "refdata"
runner = CliRunner()


@pytest.fixture(scope="module")
def ref() -> Path:
    if not REFDATA.is_dir():
        pytest.skip(f"reference data not found at {REFDATA} (it ships beside the checkout as ../shared/refdata)")
    return REFDATA


@pytest.fixture(scope="module")
def gpt2(ref) -> str:
    pytest.importorskip("transformers")
    return str(ref / "tokenizers" / "gpt2")


def invoke(*args: str):
    return runner.invoke(app, list(args))


def spec(name: str):
    from tuneforge.registry import get_catalog

    return get_catalog().spec("template", name)


# ---------------------------------------------------------------------------------------------------------------
# list
# ---------------------------------------------------------------------------------------------------------------


def test_list_json_names_every_template_with_its_plugin_and_reference():
    from tuneforge.registry import get_catalog

    result = invoke("list", "--json")
    assert result.exit_code == 0, result.output
    rows = {row["name"]: row for row in json.loads(result.output)}
    assert sorted(rows) == get_catalog().names("template")
    assert rows["llama3"]["reference"] == "meta-llama/Meta-Llama-3-8B-Instruct"
    assert rows["llama3"]["plugin"] == "llama3" and rows["llama3"]["distribution"] == "tuneforge"
    assert rows["chatml"]["stop_words"] == ["<|im_end|>"] and rows["chatml"]["reference"] is None


def test_list_prints_a_table():
    result = invoke("list")
    assert result.exit_code == 0, result.output
    assert "llama3.1" in result.output and "meta-llama/Llama-2-7b-chat-hf" in result.output
    assert "chat templates; `tune templates show NAME` renders one" in result.output


# ---------------------------------------------------------------------------------------------------------------
# show
# ---------------------------------------------------------------------------------------------------------------


def test_show_renders_a_sample_with_its_trained_spans():
    result = invoke("show", "chatml", "--json")
    assert result.exit_code == 0, result.output
    shown = json.loads(result.output)
    sample = next(c for c in SUITE if c.name == "multi-turn-system")  # chatml has no tool turns
    assert shown["text"] == render_text(spec("chatml"), sample.messages)
    assert [s["text"] for s in shown["segments"] if s["trainable"]] == ["Bonjour<|im_end|>", "Merci beaucoup<|im_end|>"]
    assert shown["trained_characters"] == len("Bonjour<|im_end|>Merci beaucoup<|im_end|>")
    assert "tokens" not in shown  # no tokenizer, no token counts

    tools = json.loads(invoke("show", "llama3.1", "--json").output)
    assert "get_weather" in tools["text"] and "ipython" in tools["text"]  # a template with tools shows them


def test_show_reads_openai_style_messages(tmp_path):
    path = tmp_path / "chat.json"
    path.write_text(json.dumps({"messages": [
        {"role": "user", "content": "Weather in Paris?"},
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": "c1", "type": "function",
             "function": {"name": "get_weather", "arguments": "{\"city\": \"Paris\"}"}}]},
        {"role": "tool", "content": "sunny", "tool_call_id": "c1"}],
        "tools": [{"type": "function", "function": {"name": "get_weather"}}]}))
    result = invoke("show", "llama3.1", "--messages", str(path), "--json")
    assert result.exit_code == 0, result.output
    shown = json.loads(result.output)
    assert shown["add_generation_prompt"] is True
    assert shown["text"].endswith('"sunny"<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n')
    assert [s["text"] for s in shown["segments"] if s["trainable"]] == [
        '{"name": "get_weather", "parameters": {"city": "Paris"}}<|eot_id|>']


def test_show_counts_tokens_with_a_tokenizer(gpt2):
    result = invoke("show", "llama3", "--tokenizer", gpt2, "--json")
    assert result.exit_code == 0, result.output
    shown = json.loads(result.output)
    assert shown["added_tokens"] == ["<|begin_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"]
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(gpt2)
    tokenizer.add_special_tokens({"additional_special_tokens": shown["added_tokens"]})
    sample = next(c for c in SUITE if c.name == "multi-turn-system")
    encoded = encode(spec("llama3"), tokenizer, sample.messages)
    assert shown["tokens"] == len(encoded.input_ids)
    assert shown["trained_tokens"] == sum(label != -100 for label in encoded.labels) == 10

    plain = invoke("show", "llama3", "--tokenizer", gpt2)
    assert plain.exit_code == 0, plain.output
    assert "added to the tokenizer (it lacked them): <|begin_of_text|>" in plain.output
    assert f"{len(encoded.input_ids)} tokens, 10 trained" in plain.output
    assert "Merci beaucoup<|eot_id|>" in plain.output


def test_show_reports_bad_input(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"messages": [{"role": "robot", "content": "beep"}]}')
    result = invoke("show", "chatml", "--messages", str(bad))
    assert isinstance(result.exception, ConfigError) and "message 0: unknown role 'robot'" in str(result.exception)
    bad.write_text("[1, 2")
    assert isinstance(invoke("show", "chatml", "--messages", str(bad)).exception, ConfigError)
    refused = tmp_path / "reasoning.json"
    refused.write_text(json.dumps([{"role": "user", "content": "2+2?"},
                                   {"role": "assistant", "content": "4", "reasoning_content": "two and two"}]))
    result = invoke("show", "chatml", "--messages", str(refused))
    assert isinstance(result.exception, TemplateError) and "has a reasoning block" in str(result.exception)
    result = invoke("show", "no-such-template")
    assert isinstance(result.exception, NotFoundError) and "no template named 'no-such-template'" in \
        str(result.exception)


# ---------------------------------------------------------------------------------------------------------------
# verify
# ---------------------------------------------------------------------------------------------------------------


def test_verify_exact_exits_zero(ref, gpt2):
    result = invoke("verify", "llama3", "--reference", str(ref / "templates" / "llama-3-instruct" /
                                                           "tokenizer_config.json"), "--tokenizer", gpt2)
    assert result.exit_code == 0, result.output
    assert "exact: 8 compared, 11 skipped, 0 failed" in result.output
    assert "added to the tokenizer (it lacked them): <|begin_of_text|>" in result.output


def test_verify_mismatch_exits_nonzero_and_shows_the_first_difference(ref, gpt2):
    # The generic chatml plugin has no default system prompt; Qwen1.5-Chat's current template added one.
    reference = str(ref / "templates" / "qwen1.5-chat" / "tokenizer_config.json")
    result = invoke("verify", "chatml", "--reference", reference, "--tokenizer", gpt2)
    assert result.exit_code == 1, result.output
    assert "single-turn: first difference" in result.output
    assert "before  : '<|im_start|>'" in result.output
    assert "official: 'system\\nYou are a helpful assistant.<|im_'" in result.output
    assert "failed: 8 compared, 11 skipped, 4 failed" in result.output

    as_json = invoke("verify", "chatml", "--reference", reference, "--tokenizer", gpt2, "--json")
    assert as_json.exit_code == 1
    report = json.loads(as_json.output)
    assert (report["ok"], report["compared"], report["skipped"], report["failed"]) == (False, 8, 11, 4)
    single = next(r for r in report["results"] if r["conversation"] == "single-turn")
    assert single["status"] == "mismatch" and single["text"]["index"] == 12


def test_verify_uses_the_tokenizer_beside_the_reference(ref, tmp_path):
    pytest.importorskip("transformers")
    for name in ("tokenizer.json", "vocab.json", "merges.txt"):
        shutil.copy(ref / "tokenizers" / "gpt2" / name, tmp_path / name)
    config = json.loads((ref / "tokenizers" / "gpt2" / "tokenizer_config.json").read_text())
    revisions = json.loads((ref / "templates" / "qwen1.5-chat" / "chat_template_revisions.json").read_text())
    config["chat_template"] = next(r for r in revisions if r["hf_commit"].startswith("b79d0c9a"))["chat_template"]
    (tmp_path / "tokenizer_config.json").write_text(json.dumps(config))
    result = invoke("verify", "chatml", "--reference", str(tmp_path), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["tokenizer"] == str(tmp_path)

    lone = tmp_path / "lone"
    lone.mkdir()
    (lone / "template.jinja").write_text(config["chat_template"])
    result = invoke("verify", "chatml", "--reference", str(lone / "template.jinja"))
    assert isinstance(result.exception, ConfigError) and "no tokenizer.json beside" in str(result.exception)


def test_verify_passes_variables_to_the_official_template(ref, gpt2):
    reference = str(ref / "templates" / "llama-3.2-instruct" / "tokenizer_config.json")
    pinned = invoke("verify", "llama3.2", "--reference", reference, "--tokenizer", gpt2,
                    "--var", "date_string=26 Jul 2024", "--json")
    assert pinned.exit_code == 0, pinned.output
    assert json.loads(pinned.output)["compared"] == 13
    other_day = invoke("verify", "llama3.2", "--reference", reference, "--tokenizer", gpt2,
                       "--var", "date_string=01 Jan 2030", "--json")
    assert other_day.exit_code == 1
    bad = invoke("verify", "llama3.2", "--reference", reference, "--tokenizer", gpt2, "--var", "date_string")
    assert isinstance(bad.exception, ConfigError) and "expected KEY=VALUE" in str(bad.exception)
    # --today pins strftime_now(), which Llama 3.2's template calls when date_string is not given
    today = invoke("verify", "llama3.2", "--reference", reference, "--tokenizer", gpt2, "--today", "2024-07-26",
                   "--json")
    assert today.exit_code == 0, today.output
    assert json.loads(today.output)["notes"] == ["strftime_now() in the reference pinned to 2024-07-26 (1 calls)"]
    bad = invoke("verify", "llama3.2", "--reference", reference, "--tokenizer", gpt2, "--today", "26/07/2024")
    assert isinstance(bad.exception, ConfigError) and "expected a date as YYYY-MM-DD" in str(bad.exception)


def test_show_prompt_ended_conversation_segment_for_segment(tmp_path):
    from tuneforge.core.templates import hf_messages

    conversation = next(c for c in SUITE if c.name == "generation-prompt-history")
    path = tmp_path / "chat.json"
    path.write_text(json.dumps(hf_messages(conversation.messages)))
    result = invoke("show", "llama3", "--messages", str(path), "--json")
    assert result.exit_code == 0, result.output
    segments = render(spec("llama3"), conversation.messages, add_generation_prompt=True)
    assert json.loads(result.output)["segments"] == [
        {"text": s.text, "trainable": s.trainable, "turn": s.turn} for s in segments]
    assert segments[-1].text.endswith("<|start_header_id|>assistant<|end_header_id|>\n\n")
