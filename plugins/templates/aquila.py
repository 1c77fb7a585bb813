"""BAAI AquilaChat: `System: ...###Human: ...###Assistant:answer###`.

AquilaChat has no official chat template in its tokenizer; this is the conversation format of its own inference
code as LLaMA-Factory documents it (template `aquila`): `###` closes every turn and is the trained end of an answer;
an empty system message counts as none, as there.
"""

from tuneforge.core import ChatTemplate, hookimpl
from tuneforge.core.template_formats.quirks import with_quirks

AQUILA = with_quirks(ChatTemplate(
    name="aquila",
    system="System: {content}###",
    default_system=("A chat between a curious human and an artificial intelligence assistant. The assistant gives "
                    "helpful, detailed, and polite answers to the human's questions."),
    user="Human: {content}###",
    assistant_prefix="Assistant:",
    assistant_suffix="###",
    stop_words=("###", "</s>"),
    description="BAAI AquilaChat (no official chat template; LLaMA-Factory's documented format); no tool or "
                "reasoning turns.",
), skip_empty_system=True)


@hookimpl
def register_templates(register):
    register(AQUILA)
