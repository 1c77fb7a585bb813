"""OpenChat models.

- `openchat` (OpenChat-3.5, also Starling-LM): checked token for token against the official "GPT4 Correct" template
  (the verbatim Hugging Face template ollama keeps in its template index): `<s>`, then every message as
  `GPT4 Correct Role: content<|end_of_turn|>` with the role title-cased (a system message becomes
  `GPT4 Correct System: ...`); the generation prompt `GPT4 Correct Assistant:` has no trailing space, so the
  space before an answer is part of the answer.
- `openchat-3.6` (openchat-3.6-8b-20240522, Llama 3 based): checked against the official template (tokenizer_config
  of openchat/openchat-3.6-8b-20240522): `<|begin_of_text|>`, Llama 3 headers named `GPT4 Correct User` /
  `GPT4 Correct Assistant` / `System`, every message trimmed and closed by `<|eot_id|>`.
"""

from tuneforge.core import ChatTemplate, hookimpl

OPENCHAT = ChatTemplate(
    name="openchat",
    prefix="<s>",
    system="GPT4 Correct System: {content}<|end_of_turn|>",
    user="GPT4 Correct User: {content}<|end_of_turn|>",
    assistant_prefix="GPT4 Correct Assistant:",
    assistant=" {content}",
    assistant_suffix="<|end_of_turn|>",
    stop_words=("<|end_of_turn|>",),
    special_tokens=("<s>", "<|end_of_turn|>"),
    reference="openchat/openchat-3.5-0106",
    description="OpenChat-3.5 'GPT4 Correct' format (also Starling-LM); no tool or reasoning turns.",
)

OPENCHAT_3_6 = ChatTemplate(
    name="openchat-3.6",
    prefix="<|begin_of_text|>",
    system="<|start_header_id|>System<|end_header_id|>\n\n{content}<|eot_id|>",
    user="<|start_header_id|>GPT4 Correct User<|end_header_id|>\n\n{content}<|eot_id|>",
    assistant_prefix="<|start_header_id|>GPT4 Correct Assistant<|end_header_id|>\n\n",
    assistant_suffix="<|eot_id|>",
    strip_content=("system", "user", "assistant"),
    stop_words=("<|eot_id|>",),
    special_tokens=("<|begin_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"),
    reference="openchat/openchat-3.6-8b-20240522",
    description="OpenChat-3.6 (Llama 3 based): Llama 3 headers with GPT4 Correct roles; no tool or reasoning turns.",
)


@hookimpl
def register_templates(register):
    register(OPENCHAT)
    register(OPENCHAT_3_6)
