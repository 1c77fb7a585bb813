"""Sea AI Lab Sailor chat models: ChatML whose user and assistant roles are named `question` and `answer`.

Sailor's own chat template could not be reached from here; this is the format of Sailor's chat demo code and of
LLaMA-Factory's `sailor` template: `<|im_start|>question\\n...<|im_end|>\\n<|im_start|>answer\\n...<|im_end|>\\n`,
with Sailor's default system prompt in a `system` turn. `<|im_end|>` is trained; the newline after it is not.
"""

from tuneforge.core import ChatTemplate, hookimpl

SAILOR = ChatTemplate(
    name="sailor",
    system="<|im_start|>system\n{content}<|im_end|>\n",
    default_system=("You are an AI assistant named Sailor created by Sea AI Lab. Your answer should be friendly, "
                    "unbiased, faithful, informative and detailed."),
    user="<|im_start|>question\n{content}<|im_end|>\n",
    assistant_prefix="<|im_start|>answer\n",
    assistant_suffix="<|im_end|>",
    assistant_separator="\n",
    stop_words=("<|im_end|>",),
    special_tokens=("<|im_start|>", "<|im_end|>"),
    description="Sea AI Lab Sailor (1 and 2) chat: ChatML with question/answer roles and Sailor's default system "
                "prompt (documented format: Sailor's demo code and LLaMA-Factory; official template not verified); "
                "no tool or reasoning turns.",
)


@hookimpl
def register_templates(register):
    register(SAILOR)
