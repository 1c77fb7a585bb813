"""INF OpenCoder instruct models: ChatML with OpenCoder's default system prompt.

Checked against the official template (tokenizer_config.json of infly/OpenCoder-1.5B-Instruct, revision d1d1fec4,
as quoted in code that installs it): the system turn "You are OpenCoder, created by OpenCoder Team." when the
conversation has none, every message as `<|im_start|>role\\ncontent<|im_end|>\\n`, `<|im_start|>assistant\\n` as the
generation prompt.
"""

from tuneforge.core import ChatTemplate, hookimpl

OPENCODER = ChatTemplate(
    name="opencoder",
    system="<|im_start|>system\n{content}<|im_end|>\n",
    default_system="You are OpenCoder, created by OpenCoder Team.",
    user="<|im_start|>user\n{content}<|im_end|>\n",
    assistant_prefix="<|im_start|>assistant\n",
    assistant_suffix="<|im_end|>",
    assistant_separator="\n",
    stop_words=("<|im_end|>",),
    special_tokens=("<|im_start|>", "<|im_end|>"),
    reference="infly/OpenCoder-1.5B-Instruct",
    description="OpenCoder instruct: ChatML with the default system prompt 'You are OpenCoder, created by OpenCoder "
                "Team.'; no tool or reasoning turns.",
)


@hookimpl
def register_templates(register):
    register(OPENCODER)
