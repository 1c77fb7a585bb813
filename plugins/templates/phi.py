"""Microsoft Phi chat templates: Phi-3 (mini / medium), Phi-3.5, Phi-3-small, Phi-4 and Phi-4-mini.

- `phi3`: `<|role|>\\ncontent<|end|>\\n` per message, `<|assistant|>\\n` as the generation prompt; a conversation
  rendered without a generation prompt ends with the eos token `<|endoftext|>` (the official `{% else %}{{ eos_token
  }}`), written untrained after the last answer. Checked against Phi-3-mini-4k-instruct (revision 4f818b18).
- `phi3.5`: the same, except that an empty system message is not written (Phi-3.5-mini-instruct).
- `phi3-small`: the Phi-3 format opened by the bos token `<|endoftext|>` (Phi-3-small's tiktoken bos and eos), an
  empty system message written like any other; checked against Phi-3-small's template as copied into llama.cpp's
  chat-template tests.
- `phi4`: `<|im_start|>role<|im_sep|>content<|im_end|>` with no newlines and no closing eos (microsoft/phi-4).
- `phi4-mini`: `<|role|>content<|end|>` with no newlines, closed like Phi-3 by `<|endoftext|>` (Phi-4-mini-instruct).
  Its official tool support reads tool definitions from a `tools` string on the system message, which tuneforge's
  records do not carry, so tools are refused rather than silently dropped.

None of them has a default system prompt, tools or reasoning turns.
"""

from dataclasses import replace

from tuneforge.core import ChatTemplate, hookimpl
from tuneforge.core.template_formats.quirks import with_quirks

EOS = "<|endoftext|>"
PHI3_TOKENS = ("<|system|>", "<|user|>", "<|assistant|>", "<|end|>")

_PHI3_TURNS = ChatTemplate(
    name="phi3",
    system="<|system|>\n{content}<|end|>\n",
    user="<|user|>\n{content}<|end|>\n",
    assistant_prefix="<|assistant|>\n",
    assistant_suffix="<|end|>",
    assistant_separator="\n",
    stop_words=("<|end|>", EOS),
    special_tokens=PHI3_TOKENS,
    reference="microsoft/Phi-3-mini-4k-instruct",
    description="Microsoft Phi-3 mini / medium (July 2024 template): <|role|> turns closed by <|end|>, and the eos "
                "<|endoftext|> after a whole conversation; no default system, tool or reasoning turns.",
)

PHI3 = with_quirks(_PHI3_TURNS, closing=EOS)

PHI3_5 = with_quirks(
    replace(_PHI3_TURNS, name="phi3.5", reference="microsoft/Phi-3.5-mini-instruct",
            description="Microsoft Phi-3.5: the Phi-3 format, an empty system message left out; no default system, "
                        "tool or reasoning turns."),
    closing=EOS, skip_empty_system=True)

PHI3_SMALL = with_quirks(
    replace(_PHI3_TURNS, name="phi3-small", prefix=EOS, special_tokens=(EOS, *PHI3_TOKENS),
            reference="microsoft/Phi-3-small-8k-instruct",
            description="Microsoft Phi-3-small: the Phi-3 format opened by the bos <|endoftext|>; no default system, "
                        "tool or reasoning turns."),
    closing=EOS)

PHI4 = ChatTemplate(
    name="phi4",
    system="<|im_start|>system<|im_sep|>{content}<|im_end|>",
    user="<|im_start|>user<|im_sep|>{content}<|im_end|>",
    assistant_prefix="<|im_start|>assistant<|im_sep|>",
    assistant_suffix="<|im_end|>",
    stop_words=("<|im_end|>",),
    special_tokens=("<|im_start|>", "<|im_sep|>", "<|im_end|>"),
    reference="microsoft/phi-4",
    description="Microsoft Phi-4 (14B): <|im_start|>role<|im_sep|> turns closed by <|im_end|>, no newlines; no "
                "default system, tool or reasoning turns.",
)

PHI4_MINI = with_quirks(
    ChatTemplate(
        name="phi4-mini",
        system="<|system|>{content}<|end|>",
        user="<|user|>{content}<|end|>",
        assistant_prefix="<|assistant|>",
        assistant_suffix="<|end|>",
        stop_words=("<|end|>", EOS),
        special_tokens=PHI3_TOKENS,
        reference="microsoft/Phi-4-mini-instruct",
        description="Microsoft Phi-4-mini: <|role|> turns closed by <|end|> without newlines, and the eos "
                    "<|endoftext|> after a whole conversation; no default system, tool or reasoning turns.",
    ),
    closing=EOS)


@hookimpl
def register_templates(register):
    for template in (PHI3, PHI3_5, PHI3_SMALL, PHI4, PHI4_MINI):
        register(template)
