"""Meta Llama 3.2 Instruct (1B/3B text models): the Llama 3.1 format with the date pinned.

The official template (Llama-3.2-1B-Instruct `tokenizer_config.json`) differs from Llama 3.1's in two ways only:

- `Today Date:` is `strftime_now("%d %b %Y")`, the date on the rendering machine's clock, and falls back to
  "26 Jul 2024" (3.1's fixed default) only where `strftime_now` is undefined; recent transformers define it, so the
  official text changes every day;
- it has no built-in tools (`builtin_tools`, `<|python_tag|>` calls, `<|eom_id|>`), which `llama3.1` does not write
  either.

Training text must not depend on the day it was tokenized (caches, reproducibility, resumed runs), so `llama3.2`
writes the fixed date "26 Jul 2024": it is token-exact with the official template rendered with
`date_string="26 Jul 2024"` (or without `strftime_now`), and differs from a default `apply_chat_template` call only in
the date on the system turn's `Today Date:` line. The exported Jinja keeps `date_string`, so inference can pass the
current date as Meta's reference code does.
"""

from tuneforge.core import ChatTemplate, hookimpl
from tuneforge.plugins.templates.llama3_1 import EOT, SPECIAL_TOKENS, jinja_source, render_llama3_1

LLAMA3_2 = ChatTemplate(
    name="llama3.2",
    renderer=render_llama3_1,
    jinja=jinja_source("llama3.2"),
    stop_words=(EOT,),
    special_tokens=SPECIAL_TOKENS,
    reference="meta-llama/Llama-3.2-1B-Instruct",
    description="Meta Llama 3.2 Instruct (1B/3B): the Llama 3.1 format with the system turn's date pinned to "
                "26 Jul 2024 (the official template uses the current date); JSON tool calls, ipython tool results.",
)


@hookimpl
def register_templates(register):
    register(LLAMA3_2)
