"""Cohere Command-R / Aya: `<BOS_TOKEN>` and `<|START_OF_TURN_TOKEN|><|ROLE_TOKEN|>...<|END_OF_TURN_TOKEN|>` turns.

Checked token for token against the official `default` template of Command-R (reference data `command-r`; the
`default` entry of Aya Expanse's template list is the same): the bos, a system turn only when a system message is
given (no default prompt), user and assistant content stripped (the system text is not), the chatbot header as the
generation prompt. The `tool_use` and `rag` templates of these repositories are not reproduced.
"""

from tuneforge.core import ChatTemplate, hookimpl

COHERE = ChatTemplate(
    name="cohere",
    prefix="<BOS_TOKEN>",
    system="<|START_OF_TURN_TOKEN|><|SYSTEM_TOKEN|>{content}<|END_OF_TURN_TOKEN|>",
    user="<|START_OF_TURN_TOKEN|><|USER_TOKEN|>{content}<|END_OF_TURN_TOKEN|>",
    assistant_prefix="<|START_OF_TURN_TOKEN|><|CHATBOT_TOKEN|>",
    assistant_suffix="<|END_OF_TURN_TOKEN|>",
    strip_content=("user", "assistant"),
    special_tokens=("<BOS_TOKEN>", "<|START_OF_TURN_TOKEN|>", "<|SYSTEM_TOKEN|>", "<|USER_TOKEN|>",
                    "<|CHATBOT_TOKEN|>", "<|END_OF_TURN_TOKEN|>"),
    reference="CohereForAI/c4ai-command-r-v01",
    description="Cohere Command-R / Command-R+ / Aya (default template); no tool-use or RAG turns, no reasoning.",
)


@hookimpl
def register_templates(register):
    register(COHERE)
