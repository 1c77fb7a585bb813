"""Mistral AI instruct models: `[INST] ... [/INST]` user turns, each answer closed by `</s>`, `<s>` first. The
official templates differ in spaces and in where (if anywhere) a system prompt goes, so each is its own template:

- `mistral`: Mistral-7B-Instruct-v0.3 (the template it was released with, May 2024):
  `<s>[INST] user [/INST]answer</s>`; the official template refuses a system message, and so does this one.
- `mistral-v0.2`: Mistral-7B-Instruct-v0.1 and v0.2 (their identical current templates, July 2024):
  `<s> [INST] user [/INST] answer</s>`, a system prompt and a blank line opening the first user turn.
- `ministral`: Mistral-Nemo-Instruct-2407 (release template; mistral tokenizer v3 "tekken", as LLaMA-Factory's
  `ministral`): `<s>[INST] user[/INST] answer</s>`. The official template writes a system prompt only into a user
  message that ends the conversation, so every conversation to train on would silently lose it: a system message is
  refused instead.
- `mistral-small`: Mistral-Small-24B-Instruct-2501 (tokenizer v7): `<s>[SYSTEM_PROMPT]system[/SYSTEM_PROMPT]`, then
  `[INST]user[/INST]answer</s>`; without a system message the official default system prompt, which states the
  current date: written here with the model's release date, 2025-01-30, so that training text does not change from
  day to day.

Contents are written as they are; there is no generation prompt beyond the closing `[/INST]`. Tool calls (the later
`[AVAILABLE_TOOLS]` / `[TOOL_CALLS]` templates) are not written: tools are refused.
"""

from tuneforge.core import ChatTemplate, hookimpl

MISTRAL = ChatTemplate(
    name="mistral",
    prefix="<s>",
    user="[INST] {content} [/INST]",
    assistant_suffix="</s>",
    stop_words=("</s>",),
    special_tokens=("<s>", "</s>", "[INST]", "[/INST]"),
    reference="mistralai/Mistral-7B-Instruct-v0.3",
    description="Mistral-7B-Instruct-v0.3 (release template); no system turn (the official template refuses one); "
                "no tool or reasoning turns.",
)

MISTRAL_V0_2 = ChatTemplate(
    name="mistral-v0.2",
    prefix="<s>",
    user=" [INST] {content} [/INST]",
    system_in_user="{system}\n\n{content}",
    assistant=" {content}",
    assistant_suffix="</s>",
    stop_words=("</s>",),
    special_tokens=("<s>", "</s>"),  # [INST] is plain text to the v0.1 / v0.2 tokenizer
    reference="mistralai/Mistral-7B-Instruct-v0.2",
    description="Mistral-7B-Instruct v0.1 / v0.2; system prompt in the first user turn; no tool or reasoning turns.",
)

MINISTRAL = ChatTemplate(
    name="ministral",
    prefix="<s>",
    user="[INST] {content}[/INST]",
    assistant=" {content}",
    assistant_suffix="</s>",
    stop_words=("</s>",),
    special_tokens=("<s>", "</s>", "[INST]", "[/INST]"),
    reference="mistralai/Mistral-Nemo-Instruct-2407",
    description="Mistral-Nemo-Instruct-2407 (release template, tekken); system messages refused (the official template "
                "drops them from conversations that end with an answer); no tool or reasoning turns.",
)

MISTRAL_SMALL_DATE = "2025-01-30"
MISTRAL_SMALL = ChatTemplate(
    name="mistral-small",
    prefix="<s>",
    system="[SYSTEM_PROMPT]{content}[/SYSTEM_PROMPT]",
    default_system=(
        "You are Mistral Small 3, a Large Language Model (LLM) created by Mistral AI, a French startup headquartered "
        "in Paris.\nYour knowledge base was last updated on 2023-10-01. The current date is " + MISTRAL_SMALL_DATE
        + ".\n\nWhen you're not sure about some information, you say that you don't have the information and don't "
        "make up anything.\nIf the user's question is not clear, ambiguous, or does not provide enough context for "
        "you to accurately answer the question, you do not try to answer it right away and you rather ask the user "
        'to clarify their request (e.g. "What are some good restaurants around me?" => "Where are you?" or "When is '
        'the next flight to Tokyo" => "Where do you travel from?")'),
    user="[INST]{content}[/INST]",
    assistant_suffix="</s>",
    stop_words=("</s>",),
    special_tokens=("<s>", "</s>", "[SYSTEM_PROMPT]", "[/SYSTEM_PROMPT]", "[INST]", "[/INST]"),
    reference="mistralai/Mistral-Small-24B-Instruct-2501",
    description="Mistral-Small-24B-Instruct-2501: [SYSTEM_PROMPT] turn with the official default prompt dated "
                f"{MISTRAL_SMALL_DATE}; no tool or reasoning turns.",
)


@hookimpl
def register_templates(register):
    for template in (MISTRAL, MISTRAL_V0_2, MINISTRAL, MISTRAL_SMALL):
        register(template)
