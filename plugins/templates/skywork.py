"""Skywork-o1-Open (Llama-3.1-8B based): the Llama 3 headers with Skywork-o1's default system prompt.

Skywork's own chat template could not be reached from here; this is LLaMA-Factory's `skywork_o1` format: the Llama 3
turns (`<|start_header_id|>role<|end_header_id|>\\n\\n` + content + `<|eot_id|>`, content not trimmed) after the bos,
and the "You are Skywork-o1, a thinking model ..." system prompt when the conversation has none.
"""

from tuneforge.core import ChatTemplate, hookimpl

SKYWORK_O1 = ChatTemplate(
    name="skywork-o1",
    prefix="<|begin_of_text|>",
    system="<|start_header_id|>system<|end_header_id|>\n\n{content}<|eot_id|>",
    default_system=(
        "You are Skywork-o1, a thinking model developed by Skywork AI, specializing in solving complex problems "
        "involving mathematics, coding, and logical reasoning through deep thought. When faced with a user's request, "
        "you first engage in a lengthy and in-depth thinking process to explore possible solutions to the problem. "
        "After completing your thoughts, you then provide a detailed explanation of the solution process "
        "in your response."),
    user="<|start_header_id|>user<|end_header_id|>\n\n{content}<|eot_id|>",
    assistant_prefix="<|start_header_id|>assistant<|end_header_id|>\n\n",
    assistant_suffix="<|eot_id|>",
    stop_words=("<|eot_id|>", "<|eom_id|>"),
    special_tokens=("<|begin_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"),
    description="Skywork-o1-Open-Llama-3.1-8B: Llama 3 turns with Skywork-o1's default system prompt (documented "
                "format: LLaMA-Factory's skywork_o1; official template not verified); no tool or reasoning turns.",
)


@hookimpl
def register_templates(register):
    register(SKYWORK_O1)
