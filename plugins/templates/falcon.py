"""TII Falcon chat formats: `falcon` (Falcon-7B/11B/40B instruct) and `falcon-h1` (Falcon-H1 Instruct).

- `falcon` is checked token for token against the official Falcon instruct template of the reference data
  (`falcon-instruct`, the template of tiiuae/falcon-11B): every message followed by `\\n`, questions as
  `User: \\n` + content, answers as `Falcon:\\n` + content; no bos, no end token. The `\\n` after an answer is
  trained: it is all that separates it from the next `User:`.
- `falcon-h1` is checked against the Falcon-H1 template (`tokenizer_config.json` as copied in
  onnx-internal-testing/tiny-random-FalconH1ForCausalLM): the bos `<|begin_of_text|>`, then plain ChatML; a system
  turn only when a system message is given. Its tool-calling branch is not reproduced.
"""

from tuneforge.core import ChatTemplate, hookimpl

FALCON = ChatTemplate(
    name="falcon",
    system="System: {content}\n",
    user="User: \n{content}\n",
    assistant_prefix="Falcon:\n",
    assistant="{content}\n",
    stop_words=("User:",),
    reference="tiiuae/falcon-11B",
    description="TII Falcon instruct (7B/11B/40B); the newline ending an answer is trained, no end token; no tool "
                "or reasoning turns.",
)

FALCON_H1 = ChatTemplate(
    name="falcon-h1",
    prefix="<|begin_of_text|>",
    system="<|im_start|>system\n{content}<|im_end|>\n",
    user="<|im_start|>user\n{content}<|im_end|>\n",
    assistant_prefix="<|im_start|>assistant\n",
    assistant_suffix="<|im_end|>",
    assistant_separator="\n",
    stop_words=("<|im_end|>", "<|end_of_text|>"),
    special_tokens=("<|begin_of_text|>", "<|im_start|>", "<|im_end|>"),
    reference="tiiuae/Falcon-H1-7B-Instruct",
    description="TII Falcon-H1 Instruct (ChatML after the bos); no tool or reasoning turns.",
)


@hookimpl
def register_templates(register):
    register(FALCON)
    register(FALCON_H1)
