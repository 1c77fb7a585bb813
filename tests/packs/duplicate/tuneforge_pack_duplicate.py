"""tuneforge-pack-duplicate: registers a template named `chatml`, which tuneforge already ships (here a ChatML with
a default system prompt, as a pack might want), and one named `dup-only`, which nobody else does."""

from tuneforge.core import ChatTemplate, hookimpl

CHATML_AGAIN = ChatTemplate(
    name="chatml",
    system="<|im_start|>system\n{content}<|im_end|>\n",
    default_system="You are a helpful assistant.",
    user="<|im_start|>user\n{content}<|im_end|>\n",
    assistant_prefix="<|im_start|>assistant\n",
    assistant_suffix="<|im_end|>",
    special_tokens=("<|im_start|>", "<|im_end|>"),
)

DUP_ONLY = ChatTemplate(name="dup-only", user="User: {content}\n", assistant_prefix="Assistant: ")


@hookimpl
def register_templates(register):
    register(CHATML_AGAIN)
    register(DUP_ONLY)
