"""Every model family in the reference data against the template plugin that reproduces it.

For each family folder of `../shared/refdata/templates/` (listed in its index.json), `verify` renders the whole
conversation suite with the plugin and with the family's official chat template (the current revision: the one in
tokenizer_config.json) through transformers, on a real tokenizer: the family's own when the reference data has it,
else gpt2, with the family's special tokens added. Every conversation the official template renders in full must
be exact; what it refuses or drops is reported as skipped. `scripts/template_table.py` writes these results to
docs/templates.md.
"""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path

import pytest

REFDATA = Path(__file__).resolve().parents[2] / "shared" / "refdata"
# Official templates that date their system turn with today's date, pinned to the date the plugin writes.
LLAMA_DATE = {"variables": {"date_string": "26 Jul 2024"}}
GPT_OSS_DATE = {"today": date(2025, 8, 5)}  # gpt-oss calls strftime_now() with no variable to override it
# bos / eos of the families whose reference records none (template only, from ollama's index): their tokenizers'.
COHERE_TOKENS = {"variables": {"bos_token": "<BOS_TOKEN>", "eos_token": "<|END_OF_TURN_TOKEN|>"}}
OPENCHAT_TOKENS = {"variables": {"bos_token": "<s>", "eos_token": "<|end_of_turn|>"}}

# family: (template plugin, tokenizer from refdata/tokenizers, keyword arguments of `verify`). A tokenizer is the
# family's own where the reference data has it (llama2, phi-3-mini, falcon); gpt2 (byte-level BPE) otherwise.
FAMILIES: dict[str, tuple[str, str, dict]] = {
    "llama-2-chat": ("llama2", "llama2", {}),
    "llama-3-instruct": ("llama3", "gpt2", {}),
    "llama-3.1-instruct": ("llama3.1", "gpt2", {}),
    "llama-3.2-instruct": ("llama3.2", "gpt2", LLAMA_DATE),
    "llama-3.3-instruct": ("llama3.1", "gpt2", {}),  # the same template as Llama 3.1
    "mistral-7b-instruct-v0.1": ("mistral-v0.2", "llama2", {}),  # v0.1 and v0.2 share their current template
    "mistral-7b-instruct-v0.2": ("mistral-v0.2", "llama2", {}),
    "mistral-7b-instruct-v0.3": ("mistral", "llama2", {}),
    "qwen1.5-chat": ("qwen2", "gpt2", {}),  # the same template as Qwen2
    "qwen2-instruct": ("qwen2", "gpt2", {}),
    "qwen2.5-instruct": ("qwen2.5", "gpt2", {}),
    "qwen3": ("qwen3", "gpt2", {}),
    "gemma": ("gemma", "gpt2", {}),
    "gemma-2": ("gemma2", "gpt2", {}),
    "phi-3": ("phi3", "phi-3-mini", {}),
    "phi-3.5": ("phi3.5", "phi-3-mini", {}),
    "phi-4": ("phi4", "gpt2", {}),
    "deepseek-llm-chat": ("deepseek", "gpt2", {}),
    "deepseek-v2": ("deepseek", "gpt2", {}),  # the same template as DeepSeek LLM Chat
    "deepseek-v3": ("deepseek3", "gpt2", {}),
    "deepseek-r1": ("deepseek-r1", "gpt2", {}),
    "deepseek-coder-instruct": ("deepseek-coder", "gpt2", {}),
    "internlm2-chat": ("intern2", "llama2", {}),
    "smollm2": ("smollm2", "gpt2", {}),
    "zephyr": ("zephyr", "llama2", {}),
    "tinyllama-chat": ("zephyr", "llama2", {}),  # the same template as Zephyr
    "vicuna": ("vicuna", "llama2", {}),
    "aya-expanse": ("cohere", "gpt2", {}),  # its `default` template renders like Command-R's
    "seed-oss": ("seed-oss", "gpt2", {}),
    "glm-4.5": ("glm4-moe", "gpt2", {}),
    "gpt-oss": ("gpt-oss", "gpt2", GPT_OSS_DATE),
    "chatglm3": ("chatglm3", "gpt2", {}),
    "openchat": ("openchat", "llama2", OPENCHAT_TOKENS),
    "falcon-instruct": ("falcon", "falcon", {}),
    "command-r": ("cohere", "gpt2", COHERE_TOKENS),
}

# Plugins other engineers are still writing; the lead removes names as they land (a registered plugin that passes
# makes its strict xfail fail, as a reminder). Only a missing plugin is excused, never a mismatch.
PENDING: set[str] = set()


class PluginNotRegistered(AssertionError):
    """The family's template plugin is not in the catalog."""


def _families() -> list[str]:
    index = REFDATA / "templates" / "index.json"
    if not index.is_file():
        return []
    return [entry["family"] for entry in json.loads(index.read_text(encoding="utf-8"))]


def _params():
    families = _families()
    if not families:
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"reference data not found at {REFDATA} (it ships "
                                                                 "beside the checkout as ../shared/refdata)"))]
    params = []
    for family in families:
        plugin = FAMILIES.get(family, ("?", "", {}))[0]
        marks = [pytest.mark.xfail(strict=True, raises=PluginNotRegistered,
                                   reason=f"plugin {plugin} not registered yet")] if plugin in PENDING else []
        params.append(pytest.param(family, marks=marks, id=family))
    return params


def verify_family(family: str, tokenizers: dict | None = None):
    """`verify` of one refdata family against its plugin, as the test and scripts/template_table.py run it.
    Raises PluginNotRegistered when the plugin is not in the catalog."""
    from transformers import AutoTokenizer

    from tuneforge.core import NotFoundError
    from tuneforge.core.verify import add_special_tokens, load_reference, verify
    from tuneforge.registry import get_catalog

    plugin, tokenizer_name, options = FAMILIES[family]
    try:
        template = get_catalog().spec("template", plugin)
    except NotFoundError as exc:
        raise PluginNotRegistered(f"family {family}: its template plugin '{plugin}' is not registered ({exc})") \
            from None
    tokenizers = {} if tokenizers is None else tokenizers  # loaded once, copied per family (tokens get added)
    if tokenizer_name not in tokenizers:
        tokenizers[tokenizer_name] = AutoTokenizer.from_pretrained(str(REFDATA / "tokenizers" / tokenizer_name))
    tokenizer = copy.deepcopy(tokenizers[tokenizer_name])
    reference = load_reference(REFDATA / "templates" / family / "tokenizer_config.json")
    add_special_tokens(tokenizer, template, reference)
    return verify(template, reference, tokenizer, **options)


@pytest.fixture(scope="module")
def tokenizers() -> dict:
    pytest.importorskip("transformers")
    return {}  # filled by verify_family, shared by the families of this module


def test_every_refdata_family_is_in_the_table():
    families = _families()
    if not families:
        pytest.skip(f"reference data not found at {REFDATA}")
    assert sorted(FAMILIES) == sorted(families), "add each new refdata family to FAMILIES with its plugin"
    assert PENDING <= {plugin for plugin, _, _ in FAMILIES.values()}


@pytest.mark.parametrize("family", _params())
def test_family_matches_its_plugin(family, tokenizers):
    report = verify_family(family, tokenizers)
    failures = "\n".join(f"  {r.conversation}: {r.status}: {r.reason}" + (
        f" at character {r.text.index}: ours {r.text.ours!r}, official {r.text.official!r}" if r.text else "")
        for r in report.failures)
    assert not failures, f"{family} vs plugin {report.template}:\n{failures}"
    assert report.ok, f"{family}: {report.status} (no conversation compared)"
    # Conversations every chat template must render: at least one exchange, with and without history.
    compared = {r.conversation for r in report.results if r.status != "skipped"}
    assert {"single-turn", "multi-turn"} <= compared, f"{family}: only {sorted(compared)} compared"
