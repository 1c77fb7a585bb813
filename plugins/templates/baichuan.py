"""Baichuan-13B-Chat and Baichuan2-Chat: a reserved token before each user message and before each answer.

Neither model ships a chat template; their `generation_utils.py` builds the prompt from token ids (the system text,
then `user_token_id` + question, `assistant_token_id` + answer, with no separator), as LLaMA-Factory documents
(templates `baichuan`, `baichuan2`). Baichuan's fine-tuning code trains the eos `</s>` after each answer without
writing it between turns; a text template can only train what it writes, so here `</s>` follows every answer.
"""

from tuneforge.core import ChatTemplate, hookimpl

# Baichuan-13B-Chat: user_token_id 195 and assistant_token_id 196 are `<reserved_102>` and `<reserved_103>`.
BAICHUAN = ChatTemplate(
    name="baichuan",
    system="{content}",
    user="<reserved_102>{content}",
    assistant_prefix="<reserved_103>",
    assistant_suffix="</s>",
    special_tokens=("<reserved_102>", "<reserved_103>", "</s>"),
    description="Baichuan-13B-Chat (no official chat template; the model's generation code as documented by "
                "LLaMA-Factory, eos `</s>` after each answer); no tool or reasoning turns.",
)

# Baichuan2-*-Chat: user_token_id 195 and assistant_token_id 196 are `<reserved_106>` and `<reserved_107>`.
BAICHUAN2 = ChatTemplate(
    name="baichuan2",
    system="{content}",
    user="<reserved_106>{content}",
    assistant_prefix="<reserved_107>",
    assistant_suffix="</s>",
    special_tokens=("<reserved_106>", "<reserved_107>", "</s>"),
    description="Baichuan2-7B/13B-Chat (no official chat template; the model's generation code as documented by "
                "LLaMA-Factory, eos `</s>` after each answer); no tool or reasoning turns.",
)


@hookimpl
def register_templates(register):
    register(BAICHUAN)
    register(BAICHUAN2)
